package zerotoml.scratch.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * {@code -Dzerotoml.threads=N} sets the pool size, and the same inputs give the same bits at any
 * thread count and on either backend. Each setting needs a fresh JVM (the pool is made once), so
 * {@link ThreadsProbe} runs as a child process with this test's class path.
 */
class ParallelTest {

    private static final Map<String, String[]> RUNS = new ConcurrentHashMap<>();

    /** One child JVM per setting, reused by both tests. */
    private static String[] probe(int threads, boolean vectorModule) throws IOException, InterruptedException {
        String key = threads + " " + vectorModule;
        String[] seen = RUNS.get(key);
        if (seen == null) {
            seen = run(threads, vectorModule);
            RUNS.put(key, seen);
        }
        return seen;
    }

    private static String[] run(int threads, boolean vectorModule) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (vectorModule) {
            cmd.add("--add-modules");
            cmd.add("jdk.incubator.vector");
        }
        cmd.add("-Dzerotoml.threads=" + threads);
        cmd.add("-cp");
        String surefireClassPath = System.getProperty("surefire.test.class.path");
        cmd.add(surefireClassPath != null ? surefireClassPath : System.getProperty("java.class.path"));
        cmd.add(ThreadsProbe.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        int code = p.waitFor();
        assertEquals(0, code, "probe with " + threads + " threads failed: " + out + "\n" + err);
        if (!vectorModule) assertEquals("", err, "a run without the vector module must print no error or warning");
        String[] f = out.split(" ");
        assertEquals(4, f.length, "probe output: " + out);
        return f;
    }

    @Test
    void everyTaskOfASplitRunsOnceNestedSplitsFinishAndATasksFailureReachesTheCaller() {
        // in this JVM the pool has every core but one (none on a one-core machine: then all of it runs in order)
        for (int round = 0; round < 200; round++) {
            int tasks = 1 + round % 37;
            java.util.concurrent.atomic.AtomicIntegerArray runs = new java.util.concurrent.atomic.AtomicIntegerArray(tasks * 5);
            Parallel.forEach(tasks, Parallel.THRESHOLD, t -> Parallel.forEach(5, Parallel.THRESHOLD, u -> runs.incrementAndGet(t * 5 + u)));
            for (int i = 0; i < tasks * 5; i++) assertEquals(1, runs.get(i), "task " + i + " of " + tasks + " × 5 nested ran " + runs.get(i) + " times");
        }
        IllegalArgumentException planted = new IllegalArgumentException("task 7 refuses");
        IllegalArgumentException seen = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Parallel.forEach(16, Parallel.THRESHOLD, t -> {
                    if (t == 7) throw planted;
                }));
        assertTrue(seen == planted, "the task's own exception, not a wrapper: " + seen);
        int[] after = new int[16];
        Parallel.forEach(16, Parallel.THRESHOLD, t -> after[t] = t + 1);
        for (int t = 0; t < 16; t++) assertEquals(t + 1, after[t], "a split after a failed one runs every task");
    }

    @Test
    void aCallerThatRunsOutOfTasksWaitsForTheOnesOtherThreadsStillRun() {
        // tasks of 5 ms: the caller ends its last one while a pool thread is inside another, spins out and parks, and
        // must be woken by the thread that ends the last task (a lost wake-up would hang here until the timeout)
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
            for (int round = 0; round < 20; round++) {
                java.util.concurrent.atomic.AtomicIntegerArray ends = new java.util.concurrent.atomic.AtomicIntegerArray(6);
                Parallel.forEach(6, Parallel.THRESHOLD, t -> {
                    try {
                        Thread.sleep(t % 2 == 0 ? 1 : 5);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ends.set(t, 1);
                });
                for (int t = 0; t < 6; t++) assertEquals(1, ends.get(t), "task " + t + " had not ended when forEach returned");
            }
        });
    }

    @Test
    void theThreadsPropertySetsThePoolAndTheBitsDoNotDependOnIt() throws Exception {
        String[] one = probe(1, true);
        assertEquals("1", one[0]);
        assertEquals("1", one[2], "one thread runs every task on the calling thread");
        for (int threads : new int[] {2, 3}) {
            String[] f = probe(threads, true);
            assertEquals(String.valueOf(threads), f[0], "Parallel.threads() with -Dzerotoml.threads=" + threads);
            int workers = Integer.parseInt(f[2]);
            assertTrue(workers >= 1 && workers <= threads, workers + " distinct threads ran tasks on a pool of " + threads);
            assertEquals(one[3], f[3], "results with " + threads + " threads differ from one thread");
        }
    }

    @Test
    void withoutTheVectorModuleTheScalarKernelsRunAndGiveTheSameBits() throws Exception {
        String[] vector = probe(2, true);
        String[] scalar = probe(2, false);
        assertEquals("true", vector[1], "--add-modules jdk.incubator.vector selects the Vector API kernels");
        assertEquals("false", scalar[1], "without the module the scalar kernels run");
        assertEquals(vector[3], scalar[3], "the scalar and vector backends give different bits");
    }
}
