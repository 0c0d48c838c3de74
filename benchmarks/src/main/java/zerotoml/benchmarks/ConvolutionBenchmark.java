package zerotoml.benchmarks;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;
import zerotoml.reference.Torch;
import zerotoml.scratch.cnn.Convolution;
import zerotoml.scratch.cnn.Pooling;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tape;
import zerotoml.scratch.tensor.Tensor;

/**
 * Timed main (not a test): convolution and max pooling, forward + backward in float32, scratch
 * against PyTorch through DJL in the same JVM, printing median and minimum times and their ratios. PyTorch
 * is timed inside the engine (arrays created once, a sub-manager per step), scratch through its
 * tape (vjp with a ones cotangent). Run it with
 *
 * <pre>
 * mvn -B -o -q -pl benchmarks -am process-classes -Dbench -Dbench.main=zerotoml.benchmarks.ConvolutionBenchmark
 * </pre>
 */
public final class ConvolutionBenchmark {
    private ConvolutionBenchmark() {}

    static final int WARMUP = Integer.getInteger("bench.warmup", 5), RUNS = Integer.getInteger("bench.runs", 15);

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

    /** {median, minimum}: on a shared machine the minimum is the less noisy of the two. */
    static double[] stats(double[] t) {
        double[] c = t.clone();
        Arrays.sort(c);
        return new double[] {c[c.length / 2], c[0]};
    }

    /** Median milliseconds of scratch forward + backward (all inputs watched). */
    static double[] scratch(Bench b, double[] xd, double[] wd) {
        Tensor x = Tensor.of(DType.F32, xd, b.x());
        List<Tensor> in = b.w() == null ? List.of(x) : List.of(x, Tensor.of(DType.F32, wd, b.w()));
        double[] t = new double[RUNS];
        for (int i = 0; i < WARMUP + RUNS; i++) {
            long t0 = System.nanoTime();
            try (Tape tape = Tape.open()) {
                Tensor[] ws = in.toArray(new Tensor[0]);
                tape.watch(ws);
                Tensor y = b.scratch().apply(in);
                tape.vjp(y, Tensor.ones(DType.F32, y.shape().dims()), ws);
            }
            if (i >= WARMUP) t[i - WARMUP] = (System.nanoTime() - t0) / 1e6;
        }
        return stats(t);
    }

    /** Median milliseconds of PyTorch forward + backward through DJL, arrays made once. */
    static double[] torch(Bench b, double[] xd, double[] wd) {
        try (NDManager m = Torch.engine().newBaseManager()) {
            NDArray x = Torch.array(m, xd, b.x(), DataType.FLOAT32);
            x.setRequiresGradient(true);
            List<NDArray> in;
            if (b.w() == null) {
                in = List.of(x);
            } else {
                NDArray w = Torch.array(m, wd, b.w(), DataType.FLOAT32);
                w.setRequiresGradient(true);
                in = List.of(x, w);
            }
            double[] t = new double[RUNS];
            for (int i = 0; i < WARMUP + RUNS; i++) {
                long t0 = System.nanoTime();
                try (NDManager step = m.newSubManager(); GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    NDArray y = b.torch().apply(in);
                    y.attach(step);
                    NDArray loss = y.sum();
                    loss.attach(step);
                    gc.backward(loss);
                }
                if (i >= WARMUP) t[i - WARMUP] = (System.nanoTime() - t0) / 1e6;
            }
            return stats(t);
        }
    }

    public static void main(String[] args) {
        List<Bench> all = List.of(
                conv("conv2d x[8,16,32,32] w[32,16,3,3] pad 1", new int[] {8, 16, 32, 32}, new int[] {32, 16, 3, 3}, 1, 1, 1, 1),
                conv("conv2d strided (stride 2, pad 1)", new int[] {8, 16, 32, 32}, new int[] {32, 16, 3, 3}, 2, 1, 1, 1),
                conv("conv2d dilated (dilation 2, pad 2)", new int[] {8, 16, 32, 32}, new int[] {32, 16, 3, 3}, 1, 2, 2, 1),
                conv("conv2d depthwise x[8,32,32,32] w[32,1,3,3] groups 32", new int[] {8, 32, 32, 32}, new int[] {32, 1, 3, 3}, 1, 1, 1, 32),
                new Bench("maxPool2d 2x2 x[8,32,32,32]", new int[] {8, 32, 32, 32}, null,
                        t -> Pooling.maxPool(t.get(0), Pooling.Spec.of(2, 2)),
                        a -> zerotoml.reference.cnn.Pooling.maxPool(a.get(0), new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}, false)));
        System.out.println(zerotoml.scratch.kernels.Backend.describe());
        System.out.printf(Locale.ROOT, "forward + backward, float32, %d runs after %d warm-up, %d cores; times in ms as median / minimum%n",
                RUNS, WARMUP, Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "%-55s %17s %17s %15s%n", "case", "scratch", "PyTorch", "ratio med/min");
        for (Bench b : all) {
            double[] xd = random(size(b.x()), 1), wd = b.w() == null ? null : random(size(b.w()), 2);
            double[] mine = scratch(b, xd, wd), ref = torch(b, xd, wd);
            System.out.printf(Locale.ROOT, "%-55s %8.2f / %6.2f %8.2f / %6.2f %6.1fx / %4.1fx%n", b.name(), mine[0], mine[1], ref[0], ref[1],
                    mine[0] / ref[0], mine[1] / ref[1]);
        }
    }
}
