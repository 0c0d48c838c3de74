package zerotoml.parity.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.management.ObjectName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import zerotoml.fixtures.ParityLedger;
import zerotoml.reference.Torch;

/**
 * The long-run memory check of issue 14: does native memory grow while parity cases run?
 *
 * <p>Off in the normal build (it runs for minutes); run it alone with
 * <pre>
 * JAVA_TOOL_OPTIONS='-XX:NativeMemoryTracking=summary -Xms1g -Xmx1g -XX:+AlwaysPreTouch' \
 *   mvn -B -o -pl parity-tests -am test -Djacoco.skip=true -Dtest=NativeMemoryLongRunTest \
 *   -Dsurefire.failIfNoSpecifiedTests=false -Dzerotoml.longRun=100000 -Dzerotoml.cases=300
 * </pre>
 * It runs the arithmetic, activation, softmax and reduction parity checks (every case a PyTorch
 * call through DJL and an {@code NDManager} closed after it) once to warm up, then again and again
 * until {@code zerotoml.longRun} more cases have run, and samples after every round: the process's
 * resident set minus the committed heap (libtorch's own allocations included, which Native Memory
 * Tracking does not see), and NMT's categories. With {@code -Xms} = {@code -Xmx} and the heap
 * pre-touched, the heap's share of the resident set cannot move, so what moves is native.
 *
 * <p>The verdict asks whether native memory reaches a plateau. The allocator grows and returns
 * memory in steps of hundreds of kB, and the JIT keeps compiling for a while, so the first rounds
 * after warm-up still climb (a 300,000-case run rose 3 MB in its first 17,000 measured cases and
 * never passed that level again). So the measured rounds are split in two halves by cases: the
 * highest level of the second half may not exceed the highest of the first by more than one byte
 * per case of the second half. A leak of one small tensor per case (over 100 bytes of native
 * bookkeeping in libtorch) fails that by far; a plateau passes it. The samples go to
 * {@code target/native-memory.csv}, written after every round.
 */
class NativeMemoryLongRunTest {
    private static final Pattern NMT_LINE = Pattern.compile("^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB\\)", Pattern.MULTILINE);

    @Test
    @EnabledIfSystemProperty(named = "zerotoml.longRun", matches = "\\d+")
    void nativeMemoryReachesAPlateauOverAHundredThousandParityCases() throws Throwable {
        long target = Long.parseLong(System.getProperty("zerotoml.longRun"));
        Path out = Path.of("target", "native-memory.csv");
        Files.createDirectories(out.getParent());
        List<String> csv = new ArrayList<>();
        csv.add("round,cases,seconds,rss_minus_heap_kb,nmt_non_heap_kb,heap_used_kb,djl_open_resources");
        long t0 = System.nanoTime();
        long warmCases = round();
        Sample warm = sample(warmCases);
        csv.add(line(0, t0, warm));
        List<Sample> measured = new ArrayList<>();
        long cases = 0;
        while (cases < target) {
            cases += round();
            measured.add(sample(warmCases + cases));
            csv.add(line(measured.size(), t0, measured.get(measured.size() - 1)));
            Files.write(out, csv);
        }
        Sample last = measured.get(measured.size() - 1);
        // the halves, by cases: [warm-up end, middle] and (middle, end]
        long middle = warmCases + cases / 2;
        long firstMax = warm.rssMinusHeapKb, secondMax = Long.MIN_VALUE, secondCases = last.cases - middle;
        for (Sample x : measured) {
            if (x.cases <= middle) firstMax = Math.max(firstMax, x.rssMinusHeapKb);
            else secondMax = Math.max(secondMax, x.rssMinusHeapKb);
        }
        StringBuilder categories = new StringBuilder();
        Map<String, Long> union = new LinkedHashMap<>(warm.nmt);
        union.putAll(last.nmt);
        for (String k : union.keySet()) {
            long d = last.nmt.getOrDefault(k, 0L) - warm.nmt.getOrDefault(k, 0L);
            if (d != 0) categories.append(String.format("%n  %-28s %+d KB", k, d));
        }
        String summary = String.format("%d cases in %d rounds after a warm-up round of %d; resident set minus heap: %d KB after "
                        + "warm-up, %d KB at the end (%+d KB), highest %d KB in the first half and %d KB in the second "
                        + "(%+d KB over its %d cases, %.2f bytes per case); NMT non-heap %+d KB; PyTorch managers and arrays "
                        + "left open %d -> %d; NMT categories that moved from warm-up to the end:%s",
                cases, measured.size(), warmCases, warm.rssMinusHeapKb, last.rssMinusHeapKb, last.rssMinusHeapKb - warm.rssMinusHeapKb,
                firstMax, secondMax, secondMax - firstMax, secondCases, (secondMax - firstMax) * 1024.0 / secondCases,
                last.nmtNonHeapKb - warm.nmtNonHeapKb, warm.djlOpen, last.djlOpen, categories);
        System.out.println("native memory: " + summary);
        assertTrue(measured.size() >= 4, "too few rounds to see a plateau (raise zerotoml.longRun or lower zerotoml.cases): " + summary);
        assertTrue(last.djlOpen <= warm.djlOpen, "PyTorch managers or arrays were left open: " + summary);
        assertTrue((secondMax - firstMax) * 1024.0 <= secondCases, "native memory grew: " + summary);
    }

    /** Cases counted in the ledger so far: it keeps every row of every round. */
    private static long seen;

    /** One pass over the checks; returns how many cases it ran. */
    private static long round() throws Throwable {
        List<DynamicTest> tests = new ArrayList<>();
        Stream.of(new ArithmeticParityTest().arithmetic(), new ActivationsParityTest().activations(),
                new SoftmaxParityTest().softmax(), new ReductionsParityTest().reductions()).flatMap(s -> s).forEach(tests::add);
        for (DynamicTest t : tests) t.getExecutable().execute();
        long all = 0;
        for (ParityLedger.Row row : ParityLedger.rows()) all += row.cases();
        long fresh = all - seen;
        seen = all;
        return fresh;
    }

    private record Sample(long cases, long rssMinusHeapKb, long nmtNonHeapKb, long heapUsedKb, Map<String, Long> nmt, int djlOpen) {}

    private static Sample sample(long cases) throws Exception {
        System.gc();
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long rss = rssKb();
        Map<String, Long> nmt = nmt();
        long nonHeap = 0;
        for (Map.Entry<String, Long> e : nmt.entrySet()) if (!e.getKey().equals("Java Heap")) nonHeap += e.getValue();
        return new Sample(cases, rss < 0 ? -1 : rss - heap.getCommitted() / 1024, nonHeap, heap.getUsed() / 1024, nmt, djlOpen());
    }

    private static String line(int round, long t0, Sample s) {
        return round + "," + s.cases + "," + String.format("%.1f", (System.nanoTime() - t0) / 1e9) + "," + s.rssMinusHeapKb + ","
                + s.nmtNonHeapKb + "," + s.heapUsedKb + "," + s.djlOpen;
    }

    /**
     * How many managers and arrays are still attached to PyTorch's system manager: every case's
     * manager is its child until closed, so a case that forgot to close one shows here as growth.
     */
    private static int djlOpen() throws ReflectiveOperationException {
        NDManager system;
        try (NDManager probe = Torch.engine().newBaseManager()) {
            system = probe.getParentManager();
        }
        Field resources = BaseNDManager.class.getDeclaredField("resources");
        resources.setAccessible(true);
        return ((Map<?, ?>) resources.get(system)).size();
    }

    /** VmRSS from /proc (Linux); -1 elsewhere. */
    private static long rssKb() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) return -1;
        for (String l : Files.readAllLines(status)) {
            if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("\\D", ""));
        }
        return -1;
    }

    /** NMT's committed KB per category, through the same diagnostic command {@code jcmd} uses; empty without NMT. */
    private static Map<String, Long> nmt() throws Exception {
        Object text = ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                "vmNativeMemory", new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
        Map<String, Long> out = new LinkedHashMap<>();
        Matcher m = NMT_LINE.matcher(String.valueOf(text));
        while (m.find()) out.put(m.group(1).trim(), Long.parseLong(m.group(2)));
        if (out.isEmpty()) {
            throw new IllegalStateException("no Native Memory Tracking in this JVM (start it with JAVA_TOOL_OPTIONS=-XX:NativeMemoryTracking=summary); "
                    + "it said: " + String.valueOf(text).strip() + "; JVM arguments " + ManagementFactory.getRuntimeMXBean().getInputArguments());
        }
        return out;
    }
}
