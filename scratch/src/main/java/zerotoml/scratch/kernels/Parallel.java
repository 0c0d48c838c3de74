package zerotoml.scratch.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

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
    // the calling thread is one of the THREADS: the pool holds the others
    private static final ForkJoinPool POOL = THREADS > 1 ? new ForkJoinPool(THREADS - 1) : null;

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
     * Runs {@code body} for every task index in [0, tasks): split over the threads when there is more than one
     * thread, more than one task and {@code work} reaches {@link #THRESHOLD}, else in order on the calling thread.
     * Tasks must write disjoint parts of their output.
     *
     * <p>The calling thread takes tasks too, from the same counter as the pool's threads, and then waits only for
     * tasks another thread has started. Until the eighteenth session it handed the whole split to the pool and
     * blocked: on the two-vCPU virtual machine of notes/Performance.md a split of eight empty tasks then took
     * 36 µs (waking a parked worker), more than a 64² matmul's whole work at one thread (7.5 µs). A worker that
     * wakes after the caller has taken every task finds nothing to do. A nested split (a task that splits again)
     * runs the same way on the thread that reached it. An exception thrown by a task is rethrown here, once every
     * started task has ended.
     */
    public static void forEach(int tasks, long work, IntConsumer body) {
        if (tasks <= 0) return;
        if (POOL == null || tasks == 1 || work < THRESHOLD) {
            for (int t = 0; t < tasks; t++) body.accept(t);
            return;
        }
        Split split = new Split(tasks, body);
        for (int h = Math.min(tasks - 1, THREADS - 1); h > 0; h--) POOL.execute(split::take);
        split.take();
        split.await();
    }

    /** One split: its next task index, how many have ended, the first failure, and the thread waiting for it. */
    private static final class Split {
        private final int tasks;
        private final IntConsumer body;
        private final Thread caller = Thread.currentThread();
        private final AtomicInteger next = new AtomicInteger(), ended = new AtomicInteger();
        private volatile Throwable failure;

        Split(int tasks, IntConsumer body) {
            this.tasks = tasks;
            this.body = body;
        }

        /** Runs tasks until none is left; the thread that ends the last one wakes the caller if it is another. */
        void take() {
            for (int t; (t = next.getAndIncrement()) < tasks; ) {
                try {
                    if (failure == null) body.accept(t);
                } catch (Throwable e) {
                    if (failure == null) failure = e;
                } finally {
                    if (ended.incrementAndGet() == tasks && Thread.currentThread() != caller) LockSupport.unpark(caller);
                }
            }
        }

        /** Waits, spinning briefly and then parked, until every task has ended; rethrows a task's failure. */
        void await() {
            for (int spin = 0; ended.get() < tasks && spin < 20_000; spin++) Thread.onSpinWait();
            while (ended.get() < tasks) LockSupport.park(this);
            Throwable e = failure;
            if (e instanceof RuntimeException r) throw r;
            if (e instanceof Error r) throw r;
            if (e != null) throw new IllegalStateException("Parallel.forEach: a task failed", e);
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
