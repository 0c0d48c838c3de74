package zerotoml.benchmarks.jmh;

import ai.djl.engine.Engine;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import zerotoml.scratch.kernels.Backend;

/**
 * The one command for every micro-benchmark ratio: runs the JMH benchmarks of this package (each
 * case in a forked JVM, scratch and PyTorch in the same run) and prints a Markdown table of
 * scratch, PyTorch and scratch / PyTorch per case (below 1: scratch is faster).
 *
 * <p>Options: {@code --threads N} (both sides: {@code -Dzerotoml.threads} and PyTorch's intra-op
 * threads; default every core), {@code --quick} (shorter iterations), {@code --include REGEX}
 * (a subset, e.g. {@code matmul}), {@code --warmups N} (warm-up iterations; on a loaded machine
 * the Vector API kernels need several seconds of CPU before C2 compiles them, and until then run
 * orders of magnitude slower), {@code --jvm FLAG} (a flag for every forked JVM, repeatable, e.g.
 * {@code --jvm -XX:G1HeapRegionSize=16m}; printed in the header).
 */
public final class Ratios {
    private Ratios() {}

    public static void main(String[] args) throws RunnerException {
        Locale.setDefault(Locale.ROOT);
        int threads = 0;
        boolean quick = false;
        int warmups = 0;
        String include = "zerotoml.benchmarks.jmh.*";
        List<String> words = zerotoml.benchmarks.Cli.words(args), params = new ArrayList<>(), extraJvm = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String a = words.get(i);
            if (a.equals("--quick")) quick = true;
            else if (a.equals("--threads") && i + 1 < words.size()) threads = Integer.parseInt(words.get(++i));
            else if (a.equals("--include") && i + 1 < words.size()) include = words.get(++i);
            else if (a.equals("--warmups") && i + 1 < words.size()) warmups = Integer.parseInt(words.get(++i));
            else if (a.equals("--param") && i + 1 < words.size() && words.get(i + 1).contains("=")) params.add(words.get(++i));
            else if (a.equals("--jvm") && i + 1 < words.size()) extraJvm.add(words.get(++i));
            else throw new IllegalArgumentException("Ratios: unknown argument '" + a + "' (known: --threads N, --quick, --include REGEX, --warmups N, --param NAME=V1,V2, --jvm FLAG)");
        }
        List<String> jvm = new ArrayList<>(List.of("--add-modules", "jdk.incubator.vector", "-Dai.djl.offline=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Xms1g", "-Xmx2g"));
        jvm.addAll(extraJvm);
        if (threads > 0) {
            jvm.add("-Dzerotoml.threads=" + threads);
            jvm.add("-Dai.djl.pytorch.num_threads=" + threads);
            System.setProperty("zerotoml.threads", Integer.toString(threads));
        }
        ChainedOptionsBuilder opt = new OptionsBuilder().include(include).forks(1).jvmArgsAppend(jvm.toArray(new String[0]))
                .warmupIterations(warmups > 0 ? warmups : quick ? 1 : 2).warmupTime(TimeValue.milliseconds(quick ? 300 : 1000))
                .measurementIterations(quick ? 2 : 3).measurementTime(TimeValue.milliseconds(quick ? 300 : 1000))
                .verbosity(VerboseMode.SILENT);
        for (String p : params) { // restricts a @Param of the benchmarks that have it, e.g. op=maxPool
            int eq = p.indexOf('=');
            opt = opt.param(p.substring(0, eq), p.substring(eq + 1).split(","));
        }
        System.out.println("# ZeroToML micro-benchmarks (JMH): scratch / PyTorch" + (quick ? " (--quick)" : ""));
        System.out.println();
        for (String line : zerotoml.benchmarks.Machine.describe()) System.out.println("    " + line);
        System.out.println("    scratch    " + Backend.describe());
        System.out.println("    pytorch    " + Engine.getEngine("PyTorch").getVersion() + " via DJL " + Engine.getDjlVersion()
                + (threads > 0 ? ", " + threads + " intra-op threads" : ", default intra-op threads"));
        if (!extraJvm.isEmpty()) System.out.println("    jvm flags  " + String.join(" ", extraJvm));
        System.out.println("    jmh        1 fork per case, " + (warmups > 0 ? warmups : quick ? 1 : 2) + " x " + (quick ? "0.3" : "1")
                + " s warm-up, " + (quick ? "2 x 0.3 s" : "3 x 1 s") + " measurement, average time per call");
        System.out.println();
        Collection<RunResult> results = new Runner(opt.build()).run();
        print(results);
    }

    /** One row per case: the benchmark and its parameters without the side. */
    static void print(Collection<RunResult> results) {
        Map<String, Map<String, RunResult>> rows = new TreeMap<>();
        for (RunResult r : results) {
            BenchmarkParams p = r.getParams();
            String name = p.getBenchmark().substring(p.getBenchmark().lastIndexOf('.') + 1);
            Map<String, String> params = new LinkedHashMap<>();
            for (String k : p.getParamsKeys()) if (!k.equals("side")) params.put(k, p.getParam(k));
            String key = name + " " + params.toString().replace("{", "").replace("}", "");
            rows.computeIfAbsent(key, k -> new TreeMap<>()).put(p.getParam("side"), r);
        }
        System.out.println("| case | scratch | PyTorch | scratch / PyTorch | ratio of fastest iterations |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (Map.Entry<String, Map<String, RunResult>> e : rows.entrySet()) {
            RunResult s = e.getValue().get(Side.SCRATCH), t = e.getValue().get(Side.PYTORCH);
            String unit = (s != null ? s : t).getPrimaryResult().getScoreUnit();
            double sv = s == null ? Double.NaN : s.getPrimaryResult().getScore(), tv = t == null ? Double.NaN : t.getPrimaryResult().getScore();
            System.out.printf("| %s | %s | %s | **%.2f** | %.2f |%n", e.getKey(), fmt(sv, unit), fmt(tv, unit), sv / tv, fastest(s) / fastest(t));
        }
    }

    /** The fastest measured iteration: the one other processes on the same cores disturbed least. */
    private static double fastest(RunResult r) {
        if (r == null) return Double.NaN;
        double best = Double.POSITIVE_INFINITY;
        for (var b : r.getBenchmarkResults()) {
            for (var it : b.getIterationResults()) best = Math.min(best, it.getPrimaryResult().getScore());
        }
        return best;
    }

    private static String fmt(double v, String unit) {
        return Double.isNaN(v) ? "–" : String.format(v >= 100 ? "%.0f %s" : v >= 10 ? "%.1f %s" : "%.2f %s", v, unit.replace("/op", ""));
    }
}
