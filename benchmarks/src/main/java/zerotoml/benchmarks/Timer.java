package zerotoml.benchmarks;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Times one operation: a warm-up (so the JIT has compiled the scratch code and PyTorch has sized
 * its buffers), then several samples, each calling the operation often enough to last a few tens of
 * milliseconds, and reports the median time per call. The result of every call is written to a
 * volatile field, so the JIT cannot drop the work.
 */
final class Timer {
    /** How long to warm up, how long one sample should last, and how many samples to take. */
    record Settings(long warmupNanos, long sampleNanos, int samples) {
        static final Settings FULL = new Settings(1_000_000_000L, 100_000_000L, 9);
        static final Settings QUICK = new Settings(150_000_000L, 25_000_000L, 5);
    }

    /** Median and spread of the per-call time over the samples. */
    record Timing(double medianNanos, double minNanos, double maxNanos, long callsPerSample) {}

    static volatile Object sink;

    private final Settings settings;

    Timer(Settings settings) {
        this.settings = settings;
    }

    String settingsSummary() {
        return settings.samples() + " samples of >= " + settings.sampleNanos() / 1_000_000 + " ms each, after "
                + settings.warmupNanos() / 1_000_000 + " ms of warm-up";
    }

    Timing time(Supplier<?> op) {
        long start = System.nanoTime();
        long calls = 0;
        do {
            sink = op.get();
            calls++;
        } while (System.nanoTime() - start < settings.warmupNanos() || calls < 2);
        // the last warm-up call is the best guess of one call's cost
        long t = System.nanoTime();
        sink = op.get();
        double perCall = Math.max(1, System.nanoTime() - t);
        long inner = Math.max(1, (long) (settings.sampleNanos() / perCall));
        double[] samples = new double[settings.samples()];
        for (int s = 0; s < samples.length; s++) {
            long t0 = System.nanoTime();
            for (long i = 0; i < inner; i++) sink = op.get();
            samples[s] = (System.nanoTime() - t0) / (double) inner;
        }
        Arrays.sort(samples);
        return new Timing(samples[samples.length / 2], samples[0], samples[samples.length - 1], inner);
    }
}
