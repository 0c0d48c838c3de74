package zerotoml.scratch.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * The one thread pool every kernel splits large work over. {@code -Dzerotoml.threads=N} sets its
 * size (default: one thread per available core; 1 runs everything on the calling thread).
 *
 * <p>Determinism rule for every kernel that uses it: a task writes only its own part of the
 * output, and no value is summed across tasks in an order that depends on how many tasks there
 * are. So the same inputs give the same bits at any thread count (ParallelTest checks that in
 * fresh JVMs with 1, 2 and 3 threads).
 */
public final class Parallel {
    private Parallel() {}

    /** Below this many multiply-adds (or comparable element steps) work stays on the calling thread. */
    public static final long THRESHOLD = 1L << 18;

    private static final int THREADS = threadsFromProperty();
    private static final ForkJoinPool POOL = THREADS > 1 ? new ForkJoinPool(THREADS) : null;

    private static int threadsFromProperty() {
        String v = System.getProperty("zerotoml.threads");
        if (v == null || v.isBlank()) return Runtime.getRuntime().availableProcessors();
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("zerotoml.threads: expected a positive whole number of threads, got '" + v + "'");
        }
        if (n < 1) throw new IllegalArgumentException("zerotoml.threads: expected a positive whole number of threads, got " + n);
        return n;
    }

    /** The number of threads large kernels use. */
    public static int threads() {
        return THREADS;
    }

    /**
     * Runs {@code body} for every task index in [0, tasks): on the pool when there is more than one
     * thread, more than one task and {@code work} reaches {@link #THRESHOLD}, else in order on the
     * calling thread. Tasks must write disjoint parts of their output.
     */
    public static void forEach(int tasks, long work, IntConsumer body) {
        if (tasks <= 0) return;
        if (POOL == null || tasks == 1 || work < THRESHOLD) {
            for (int t = 0; t < tasks; t++) body.accept(t);
            return;
        }
        if (ForkJoinTask.getPool() == POOL) {
            IntStream.range(0, tasks).parallel().forEach(body); // already on the pool (a nested split)
        } else {
            // a parallel stream started inside one of the pool's tasks runs on that pool
            POOL.submit(() -> IntStream.range(0, tasks).parallel().forEach(body)).join();
        }
    }

    /** How many tasks to cut {@code units} independent pieces of work into: a few per thread, at most one per unit. */
    public static int tasks(int units) {
        return Math.max(1, Math.min(units, 4 * THREADS));
    }

    /**
     * {@link #tasks(int)} for {@code units} pieces of {@code work} element steps in all, but one task where
     * {@link #forEach} would run them in turn on the calling thread anyway (one thread, or work below
     * {@link #THRESHOLD}): a task's setup (a packed copy, a padded plane, a scratch buffer) is then paid once, not
     * once per task. A 64×32·32×64 matmul below the threshold packed its B four times over (10.4 against 4.3 µs).
     */
    public static int tasks(int units, long work) {
        return POOL == null || work < THRESHOLD ? 1 : tasks(units);
    }
}
