package zerotoml.examples.kit;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;

/**
 * Runs work on a fork-join pool of a given size, so that the parallel kernels it calls split over
 * that many threads (they run in the pool of the task that calls them); the numbers do not depend
 * on the size. The work's own exceptions come back as they were thrown.
 */
public final class Pool {
    private Pool() {}

    /** work() on a pool of {@code threads} threads; an interruption is a {@link Failure}. */
    public static <T> T call(int threads, Callable<T> work) throws IOException {
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            return pool.submit(work).get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) throw io;
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new IllegalStateException(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(1, "interrupted");
        } finally {
            pool.shutdown();
        }
    }
}
