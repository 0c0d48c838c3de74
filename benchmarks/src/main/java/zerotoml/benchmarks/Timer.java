package zerotoml.benchmarks;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Times operations: a warm-up (so the JIT has compiled the scratch code and PyTorch has sized
 * its buffers), then samples, each calling the operation often enough to last a few milliseconds,
 * and reports the median and the fastest time per call. The result of every call is written to a
 * volatile field, so the JIT cannot drop the work.
 */
final class Timer {
    /**
     * How long to warm up, how long one sample should last at least, and how many samples to take:
     * up to {@code samples}, at least {@code minSamples}, stopping once sampling has taken
     * {@code budgetNanos} per operation. Short samples, many of them: on cores shared with other
     * processes the fastest samples are the ones nobody interrupted.
     */
    record Settings(long warmupNanos, long sampleNanos, int samples, int minSamples, long budgetNanos) {
        static final Settings FULL = new Settings(500_000_000L, 5_000_000L, 41, 7, 1_500_000_000L);
        static final Settings QUICK = new Settings(100_000_000L, 2_000_000L, 11, 3, 500_000_000L);
    }

    /** Median and spread of the per-call time over the samples. */
    record Timing(double medianNanos, double minNanos, double maxNanos, long callsPerSample) {}

    static volatile Object sink;

    private final Settings settings;

    Timer(Settings settings) {
        this.settings = settings;
    }

    String settingsSummary() {
        return settings.minSamples() + " to " + settings.samples() + " samples (at most " + settings.budgetNanos() / 1_000_000
                + " ms of them per side) of >= " + settings.sampleNanos() / 1_000_000 + " ms each, after "
                + settings.warmupNanos() / 1_000_000 + " ms of warm-up";
    }

    /** Times one operation alone. */
    Timing time(Supplier<?> op) {
        return compare(op, null)[0];
    }

    /**
     * Times two operations with their samples interleaved (a, b, a, b, ...), so that a burst of
     * load from other processes hits both sides alike and their ratio stays meaningful.
     */
    Timing[] compare(Supplier<?> a, Supplier<?> b) {
        Supplier<?>[] ops = b == null ? new Supplier<?>[] {a} : new Supplier<?>[] {a, b};
        long[] inner = new long[ops.length];
        for (int o = 0; o < ops.length; o++) inner[o] = warmUp(ops[o]);
        double[][] samples = new double[ops.length][settings.samples()];
        long start = System.nanoTime();
        int taken = 0;
        while (taken < settings.samples()
                && (taken < settings.minSamples() || System.nanoTime() - start < ops.length * settings.budgetNanos())) {
            for (int o = 0; o < ops.length; o++) {
                long t0 = System.nanoTime();
                for (long i = 0; i < inner[o]; i++) sink = ops[o].get();
                samples[o][taken] = (System.nanoTime() - t0) / (double) inner[o];
            }
            taken++;
        }
        Timing[] out = new Timing[ops.length];
        for (int o = 0; o < ops.length; o++) {
            double[] v = Arrays.copyOf(samples[o], taken);
            Arrays.sort(v);
            out[o] = new Timing(v[v.length / 2], v[0], v[v.length - 1], inner[o]);
        }
        return out;
    }

    /** Runs op for the warm-up time and returns how many calls make one sample. */
    private long warmUp(Supplier<?> op) {
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
        return Math.max(1, (long) (settings.sampleNanos() / perCall));
    }
}
