package zerotoml.benchmarks;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.regex.Pattern;
import zerotoml.reference.Torch;
import zerotoml.scratch.cnn.Convolution;
import zerotoml.scratch.cnn.Pooling;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tape;
import zerotoml.scratch.tensor.Tensor;

/**
 * Timed main (not a test): convolution and max pooling, forward + backward in float32, scratch
 * against PyTorch through DJL in the same JVM. The two sides alternate call by call (so a change
 * in the machine's load falls on both), and each case prints the median and the minimum time of
 * each side, their ratios, and scratch's allocation per call (every thread, ThreadMXBean). PyTorch
 * is timed inside the engine (arrays created once, a sub-manager per step), scratch through its
 * tape (vjp with a ones cotangent). Run it with
 *
 * <pre>
 * mvn -B -o -q -pl benchmarks -am process-classes -Dbench -Dbench.main=zerotoml.benchmarks.ConvolutionBenchmark \
 *     -Dbench.args='--runs 60 --warmup 20 --include depthwise'
 * </pre>
 *
 * One thread each side: {@code JAVA_TOOL_OPTIONS="-Dzerotoml.threads=1 -Dai.djl.pytorch.num_threads=1
 * -Dai.djl.pytorch.num_interop_threads=1"}.
 */
public final class ConvolutionBenchmark {
    private ConvolutionBenchmark() {}

    record Bench(String name, int[] x, int[] w, Function<List<Tensor>, Tensor> scratch, Function<List<NDArray>, NDArray> torch) {}

    static Bench conv(String name, int[] x, int[] w, int stride, int pad, int dilation, int groups) {
        int[] s = {stride, stride}, p = {pad, pad}, d = {dilation, dilation};
        return new Bench(name, x, w,
                t -> Convolution.conv(t.get(0), t.get(1), null, Convolution.Spec.of(2).stride(s).padding(p).dilation(d).groups(groups)),
                a -> zerotoml.reference.cnn.Convolution.conv(a.get(0), a.get(1), null, s, p, p, d, groups));
    }

    static double[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = 2 * r.nextDouble() - 1;
        return v;
    }

    static int size(int[] s) {
        return Arrays.stream(s).reduce(1, (a, b) -> a * b);
    }

    /** {median, minimum}. */
    static double[] stats(double[] t) {
        double[] c = t.clone();
        Arrays.sort(c);
        return new double[] {c[c.length / 2], c[0]};
    }

    /** One scratch forward + backward (all inputs watched). */
    static void scratchStep(Bench b, List<Tensor> in) {
        try (Tape tape = Tape.open()) {
            Tensor[] ws = in.toArray(new Tensor[0]);
            tape.watch(ws);
            Tensor y = b.scratch().apply(in);
            tape.vjp(y, Tensor.ones(DType.F32, y.shape().dims()), ws);
        }
    }

    /** One PyTorch forward + backward through DJL, the intermediates closed with a sub-manager. */
    static void torchStep(Bench b, NDManager m, List<NDArray> in) {
        try (NDManager step = m.newSubManager(); GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray y = b.torch().apply(in);
            y.attach(step);
            NDArray loss = y.sum();
            loss.attach(step);
            gc.backward(loss);
        }
    }

    /** The least warm-up of each case, in seconds, whatever {@code --warmup} says. */
    static final int WARMUP_SECONDS = 3;

    /** Times one case: {scratch median, min, PyTorch median, min (ms), scratch MB allocated per call (median)}. */
    static double[] run(Bench b, int warmup, int runs) {
        double[] xd = random(size(b.x()), 1), wd = b.w() == null ? null : random(size(b.w()), 2);
        List<Tensor> mine = b.w() == null ? List.of(Tensor.of(DType.F32, xd, b.x()))
                : List.of(Tensor.of(DType.F32, xd, b.x()), Tensor.of(DType.F32, wd, b.w()));
        try (NDManager m = Torch.engine().newBaseManager()) {
            List<NDArray> ref = new ArrayList<>();
            ref.add(Torch.array(m, xd, b.x(), DataType.FLOAT32));
            if (b.w() != null) ref.add(Torch.array(m, wd, b.w(), DataType.FLOAT32));
            for (NDArray a : ref) a.setRequiresGradient(true);
            double[] ts = new double[runs], tt = new double[runs], alloc = new double[runs];
            // warm-up: the given calls, and at least WARMUP_SECONDS of them (20 calls of a 3 ms case ended while C2 was
            // still compiling: the first case's median sat at 5-6x its minimum)
            long start = System.nanoTime();
            for (int i = 0; i < warmup || System.nanoTime() - start < WARMUP_SECONDS * 1_000_000_000L; i++) {
                scratchStep(b, mine);
                torchStep(b, m, ref);
            }
            for (int i = 0; i < runs; i++) {
                long a0 = Machine.allocatedBytes(), t0 = System.nanoTime();
                scratchStep(b, mine);
                long t1 = System.nanoTime(), a1 = Machine.allocatedBytes();
                torchStep(b, m, ref);
                long t2 = System.nanoTime();
                ts[i] = (t1 - t0) / 1e6;
                tt[i] = (t2 - t1) / 1e6;
                alloc[i] = (a1 - a0) / 1e6;
            }
            double[] s = stats(ts), t = stats(tt);
            return new double[] {s[0], s[1], t[0], t[1], stats(alloc)[0]};
        }
    }

    public static void main(String[] args) {
        int warmup = 20, runs = 60;
        Pattern include = Pattern.compile("");
        List<String> words = Cli.words(args);
        for (int i = 0; i < words.size(); i++) {
            String a = words.get(i), v = i + 1 < words.size() ? words.get(i + 1) : "";
            switch (a) {
                case "--warmup" -> { warmup = Cli.count("ConvolutionBenchmark", "--warmup", v, 1); i++; }
                case "--runs" -> { runs = Cli.count("ConvolutionBenchmark", "--runs", v, 1); i++; }
                case "--include" -> { include = Pattern.compile(v); i++; }
                default -> {
                    System.err.println("ConvolutionBenchmark: unknown argument '" + a + "' (known: --warmup N, --runs N, --include REGEX)");
                    System.exit(2);
                }
            }
        }
        List<Bench> all = List.of(
                conv("conv2d x[8,16,32,32] w[32,16,3,3] pad 1", new int[] {8, 16, 32, 32}, new int[] {32, 16, 3, 3}, 1, 1, 1, 1),
                conv("conv2d strided (stride 2, pad 1)", new int[] {8, 16, 32, 32}, new int[] {32, 16, 3, 3}, 2, 1, 1, 1),
                conv("conv2d dilated (dilation 2, pad 2)", new int[] {8, 16, 32, 32}, new int[] {32, 16, 3, 3}, 1, 2, 2, 1),
                conv("conv2d depthwise x[8,32,32,32] w[32,1,3,3] groups 32", new int[] {8, 32, 32, 32}, new int[] {32, 1, 3, 3}, 1, 1, 1, 32),
                new Bench("maxPool2d 2x2 x[8,32,32,32]", new int[] {8, 32, 32, 32}, null,
                        t -> Pooling.maxPool(t.get(0), Pooling.Spec.of(2, 2)),
                        a -> zerotoml.reference.cnn.Pooling.maxPool(a.get(0), new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}, false)));
        for (String line : Machine.describe()) System.out.println(line);
        System.out.println("scratch    " + zerotoml.scratch.kernels.Backend.describe());
        System.out.println("pytorch    " + Engine.getEngine("PyTorch").getVersion() + " via DJL " + Engine.getDjlVersion() + ", intra-op threads "
                + System.getProperty("ai.djl.pytorch.num_threads", "default") + ", inter-op " + System.getProperty("ai.djl.pytorch.num_interop_threads", "default"));
        System.out.printf(Locale.ROOT, "forward + backward, float32, %d runs after %d warm-up (and at least %d s of them), the sides alternating call by call; times in ms as median / minimum%n",
                runs, warmup, WARMUP_SECONDS);
        System.out.printf(Locale.ROOT, "%-55s %17s %17s %15s %12s%n", "case", "scratch", "PyTorch", "ratio med/min", "scratch MB");
        for (Bench b : all) {
            if (!include.matcher(b.name()).find()) continue;
            double[] r = run(b, warmup, runs);
            System.out.printf(Locale.ROOT, "%-55s %8.2f / %6.2f %8.2f / %6.2f %6.2fx / %4.2fx %12.2f%n", b.name(), r[0], r[1], r[2], r[3],
                    r[0] / r[2], r[1] / r[3], r[4]);
        }
    }
}
