package zerotoml.benchmarks;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import zerotoml.reference.Torch;
import zerotoml.scratch.kernels.Matmul;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tape;
import zerotoml.scratch.tensor.Tensor;

/**
 * Scratch against PyTorch (DJL 0.36, PyTorch 2.7.1, CPU) in one run, on the same machine, printed
 * as a Markdown table of median times and the ratio scratch / PyTorch (below 1: scratch is faster).
 *
 * <p>What a PyTorch time includes: the JNI call from Java, the ATen kernel, the Java wrapper of
 * the result and {@code close()} of every array the call produced. It excludes copying data
 * between Java and native memory (inputs are created once, in a scoped {@link NDManager}), except
 * in the rows marked "round trip" and "parity case", which copy in and out as real callers do.
 * A scratch time includes allocating the output tensor and, for f32, rounding it to float.
 *
 * <p>{@code --quick}: shorter warm-up and fewer samples, for a smoke run. {@code --threads N}: N
 * threads on each side (PyTorch intra-op threads; scratch's fork-join pool); by default both
 * use every core.
 */
public final class Benchmarks {
    private Benchmarks() {}

    private static Timer timer;

    public static void main(String[] args) {
        boolean quick = false;
        int threads = 0;
        List<String> words = new ArrayList<>();
        for (String a : args) words.addAll(List.of(a.trim().split("\\s+")));
        for (int i = 0; i < words.size(); i++) {
            String a = words.get(i);
            if (a.isEmpty()) continue;
            if (a.equals("--quick")) {
                quick = true;
            } else if (a.equals("--threads") && i + 1 < words.size()) {
                threads = Integer.parseInt(words.get(++i));
            } else {
                throw new IllegalArgumentException("Benchmarks: unknown argument '" + a + "' (known: --quick, --threads N)");
            }
        }
        if (threads > 0) {
            // before anything starts either pool: PyTorch's intra-op threads, and the common pool scratch's matmul uses
            // (parallelism t − 1 workers plus the calling thread)
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism", Integer.toString(threads - 1));
        }
        Locale.setDefault(Locale.ROOT);
        timer = new Timer(quick ? Timer.Settings.QUICK : Timer.Settings.FULL);
        Engine engine = Torch.engine();
        System.out.println("# ZeroToML benchmarks: scratch vs PyTorch" + (quick ? " (--quick)" : ""));
        System.out.println();
        for (String line : Machine.describe()) System.out.println("    " + line);
        System.out.println("    pytorch    " + engine.getEngineName() + " " + engine.getVersion() + " via DJL " + Engine.getDjlVersion()
                + ", " + JniUtils.getNumThreads() + " intra-op threads");
        System.out.println("    scratch    matmul on " + (threads > 0 ? threads : Runtime.getRuntime().availableProcessors())
                + " threads (the caller and the common fork-join pool)");
        System.out.println("    timing     median of " + timer.settingsSummary());
        System.out.println();
        warmUpJit(quick ? 300_000_000L : 1_500_000_000L);
        System.out.println("| case | scratch | PyTorch | scratch / PyTorch | ratio of fastest samples | note |");
        System.out.println("|---|---:|---:|---:|---:|---|");
        for (DType dt : DType.values()) for (int n : new int[] {64, 256, 1024}) matmul(engine, dt, n);
        for (DType dt : DType.values()) {
            for (int size : new int[] {1_000, 1_000_000}) {
                for (String op : new String[] {"add", "mul", "exp", "tanh-like"}) elementwise(engine, dt, op, size);
            }
        }
        roundTrip(engine);
        for (DType dt : DType.values()) mlp(engine, dt);
        parityCases();
        kernels();
        System.out.println();
        System.out.println("PyTorch time = JNI call + ATen kernel + result wrapper + close(); inputs already in native memory,");
        System.out.println("except 'round trip' and 'parity case' rows, which include copies between Java and native memory.");
    }

    // ---------------------------------------------------------------- cases

    /**
     * Before the first row: runs scratch's matmul kernel and every scratch op the table uses, in
     * both dtypes, until the JIT has compiled them. Without this the first rows paid for
     * compilation that later rows got for free; and the element-wise rows that came first saw a
     * call site with one lambda (inlined) where later rows saw many (not inlined), as in any real
     * program. After the warm-up every row meets the same, steady, JIT state.
     */
    private static void warmUpJit(long nanos) {
        double[] a = random(128 * 128, 20), b = random(128 * 128, 21), c = new double[128 * 128];
        List<Tensor> small = List.of(Tensor.of(DType.F32, random(48, 22), 6, 8), Tensor.of(DType.F64, random(48, 23), 6, 8));
        long start = System.nanoTime();
        while (System.nanoTime() - start < nanos) {
            Matmul.fast(a, 0, b, 0, c, 0, 128, 128, 128);
            Matmul.fast(a, 0, b, 0, c, 0, 9, 40, 11);
            for (Tensor x : small) {
                Timer.sink = x.add(x).mul(x).exp().sub(x).div(x.add(3));
                Timer.sink = tanhLike(x);
                Timer.sink = Autodiff.grad((Tensor w) -> tanhLike(x.matmul(w.transpose(0, 1)).add(1)).pow(2).mean(), x);
            }
            Timer.sink = c;
        }
    }

    /** C = A·B for square n×n matrices; 2n³ flops. */
    private static void matmul(Engine engine, DType dt, int n) {
        double[] a = random(n * n, 1), b = random(n * n, 2);
        Tensor ta = Tensor.of(dt, a, n, n), tb = Tensor.of(dt, b, n, n);
        Timer.Timing[] t;
        try (NDManager m = engine.newBaseManager()) {
            DataType d = djl(dt);
            NDArray xa = Torch.array(m, a, new int[] {n, n}, d), xb = Torch.array(m, b, new int[] {n, n}, d);
            t = timer.compare(() -> ta.matmul(tb), () -> {
                try (NDArray c = xa.matMul(xb)) {
                    return c.getShape();
                }
            });
        }
        double flops = 2.0 * n * n * n;
        row("matmul " + n + "×" + n + " " + label(dt), t,
                String.format("%.1f vs %.1f GFLOP/s", flops / t[0].medianNanos(), flops / t[1].medianNanos()));
    }

    /** One element-wise op on a flat tensor; tanh-like = 1 − 2/(e^{2x} + 1), the same 5 primitive ops on both sides. */
    private static void elementwise(Engine engine, DType dt, String op, int size) {
        double[] x = random(size, 3), y = random(size, 4);
        Tensor tx = Tensor.of(dt, x, size), ty = Tensor.of(dt, y, size);
        Supplier<Tensor> scratch = switch (op) {
            case "add" -> () -> tx.add(ty);
            case "mul" -> () -> tx.mul(ty);
            case "exp" -> () -> tx.exp();
            default -> () -> tanhLike(tx);
        };
        Timer.Timing[] t;
        try (NDManager m = engine.newBaseManager()) {
            DataType d = djl(dt);
            NDArray ax = Torch.array(m, x, new int[] {size}, d), ay = Torch.array(m, y, new int[] {size}, d);
            t = timer.compare(scratch, () -> {
                List<NDArray> temps = new ArrayList<>();
                NDArray out = switch (op) {
                    case "add" -> ax.add(ay);
                    case "mul" -> ax.mul(ay);
                    case "exp" -> ax.exp();
                    default -> tanhLike(ax, temps);
                };
                Shape s = out.getShape();
                out.close();
                for (NDArray tmp : temps) tmp.close();
                return s;
            });
        }
        row(op + " " + (size >= 1_000_000 ? size / 1_000_000 + "M" : size / 1000 + "k") + " " + label(dt), t,
                op.equals("tanh-like") ? "5 primitive ops each side" : "");
    }

    // tanh x = 1 − 2 / (e^{2x} + 1)
    private static Tensor tanhLike(Tensor x) {
        Tensor e = x.mul(2).exp().add(1);
        return Tensor.scalar(x.dtype(), 2).div(e).neg().add(1);
    }

    private static NDArray tanhLike(NDArray x, List<NDArray> temps) {
        DataType d = x.getDataType();
        NDArray t1 = x.mul(num(d, 2));
        NDArray t2 = t1.exp();
        NDArray t3 = t2.add(num(d, 1));
        NDArray t4 = NDArrays.div(num(d, 2), t3);
        NDArray t5 = t4.neg();
        temps.addAll(List.of(t1, t2, t3, t4, t5));
        return t5.add(num(d, 1));
    }

    /** add on 1k f32 values that start and end as Java arrays: copy in, add, copy out. */
    private static void roundTrip(Engine engine) {
        int size = 1000;
        double[] x = random(size, 5), y = random(size, 6);
        float[] fx = toFloat(x), fy = toFloat(y);
        Timer.Timing[] t;
        try (NDManager m = engine.newBaseManager()) {
            t = timer.compare(() -> Tensor.of(DType.F32, x, size).add(Tensor.of(DType.F32, y, size)).toArray(), () -> {
                try (NDArray a = m.create(fx); NDArray b = m.create(fy); NDArray c = a.add(b)) {
                    return c.toFloatArray();
                }
            });
        }
        row("add 1k f32, round trip", t, "Java array in, Java array out");
    }

    /** loss = mean((tanhLike(x W1 + b1) W2 + b2)²), x [64,128], W1 [128,256], W2 [256,10]; gradient for W1, b1, W2, b2. */
    private static void mlp(Engine engine, DType dt) {
        int batch = 64, in = 128, hidden = 256, out = 10;
        double[] x = random(batch * in, 7), w1 = scaled(random(in * hidden, 8), 0.1), b1 = random(hidden, 9);
        double[] w2 = scaled(random(hidden * out, 10), 0.1), b2 = random(out, 11);
        Tensor tx = Tensor.of(dt, x, batch, in);
        List<Tensor> params = List.of(Tensor.of(dt, w1, in, hidden), Tensor.of(dt, b1, hidden), Tensor.of(dt, w2, hidden, out), Tensor.of(dt, b2, out));
        Supplier<?> scratch = () -> Autodiff.grad(
                (List<Tensor> p) -> tanhLike(tx.matmul(p.get(0)).add(p.get(1))).matmul(p.get(2)).add(p.get(3)).pow(2).mean(), params);
        Timer.Timing[] t;
        try (NDManager m = engine.newBaseManager()) {
            DataType d = djl(dt);
            NDArray ax = Torch.array(m, x, new int[] {batch, in}, d);
            NDArray[] ps = {
                Torch.array(m, w1, new int[] {in, hidden}, d), Torch.array(m, b1, new int[] {hidden}, d),
                Torch.array(m, w2, new int[] {hidden, out}, d), Torch.array(m, b2, new int[] {out}, d)};
            for (NDArray p : ps) p.setRequiresGradient(true);
            t = timer.compare(scratch, () -> {
                // every intermediate joins the sub-manager the inputs are lent to, and dies with it
                try (NDManager step = m.newSubManager()) {
                    step.tempAttachAll(ax, ps[0], ps[1], ps[2], ps[3]);
                    try (GradientCollector gc = engine.newGradientCollector()) {
                        NDArray h = tanhLike(ax.matMul(ps[0]).add(ps[1]), new ArrayList<>());
                        NDArray loss = h.matMul(ps[2]).add(ps[3]).square().mean();
                        gc.backward(loss);
                    }
                    Shape s = null;
                    for (NDArray p : ps) s = p.getGradient().getShape();
                    return s;
                }
            });
        }
        row("MLP fwd+bwd 64×128→256→10 " + label(dt), t, "PyTorch grads accumulate, not zeroed");
    }

    /** One gradient parity case as the harness runs it, each side on its own: inputs from double[], vjp, results to double[]. */
    private static void parityCases() {
        parityCase("mul [3,4,5]·[4,1]", new int[] {3, 4, 5}, new int[] {4, 1}, false);
        parityCase("matmul [8,16]·[16,8]", new int[] {8, 16}, new int[] {16, 8}, true);
    }

    private static void parityCase(String name, int[] sa, int[] sb, boolean matmul) {
        double[] a = random(size(sa), 12), b = random(size(sb), 13);
        Supplier<?> scratch = () -> {
            Tensor x = Tensor.of(DType.F32, a, sa), y = Tensor.of(DType.F32, b, sb);
            try (Tape tape = Tape.open()) {
                tape.watch(x, y);
                Tensor out = matmul ? x.matmul(y) : x.mul(y);
                int[] os = out.shape().dims();
                List<Tensor> g = tape.vjp(out, Tensor.of(DType.F32, cotangent(os), os), x, y);
                return new double[][] {out.toArray(), g.get(0).toArray(), g.get(1).toArray()};
            }
        };
        Timer.Timing[] t = timer.compare(scratch, () -> Torch.run(DataType.FLOAT32,
                List.of(new Torch.Input(a, sa, true), new Torch.Input(b, sb, true)),
                xs -> matmul ? xs.get(0).matMul(xs.get(1)) : xs.get(0).mul(xs.get(1)), Benchmarks::cotangent));
        row("parity case: " + name + " f32 gradient", t, "scratch side vs Torch.run side");
    }

    /** The matmul kernel alone on double[] (no tensors), fast against its naive oracle. */
    private static void kernels() {
        System.out.println();
        System.out.println("| kernel (double[], no tensors) | time | GFLOP/s |");
        System.out.println("|---|---:|---:|");
        for (int n : new int[] {64, 256, 1024}) {
            double[] a = random(n * n, 14), b = random(n * n, 15), c = new double[n * n];
            double flops = 2.0 * n * n * n;
            Timer.Timing f = timer.time(() -> {
                Matmul.fast(a, 0, b, 0, c, 0, n, n, n);
                return c;
            });
            System.out.printf("| Matmul.fast %d | %s | %.1f |%n", n, fmt(f.medianNanos()), flops / f.medianNanos());
            if (n <= 256) {
                Timer.Timing s = timer.time(() -> {
                    Matmul.naive(a, 0, b, 0, c, 0, n, n, n);
                    return c;
                });
                System.out.printf("| Matmul.naive %d | %s | %.1f |%n", n, fmt(s.medianNanos()), flops / s.medianNanos());
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void row(String name, Timer.Timing[] t, String note) {
        Timer.Timing mine = t[0], ref = t[1];
        // medians are what we report; the ratio of the fastest samples is less hurt by other processes on the cores
        System.out.println(String.format("| %s | %s | %s | %.2f | %.2f | %s |", name, fmt(mine.medianNanos()), fmt(ref.medianNanos()),
                mine.medianNanos() / ref.medianNanos(), mine.minNanos() / ref.minNanos(), note));
    }

    static String fmt(double nanos) {
        if (nanos < 1e3) return String.format("%.0f ns", nanos);
        if (nanos < 1e6) return String.format("%.1f µs", nanos / 1e3);
        if (nanos < 1e9) return String.format("%.2f ms", nanos / 1e6);
        return String.format("%.2f s", nanos / 1e9);
    }

    private static String label(DType dt) {
        return dt == DType.F32 ? "f32" : "f64";
    }

    private static DataType djl(DType dt) {
        return Torch.dtype(dt == DType.F32);
    }

    /** A scalar of the array's dtype: a Double would turn a float32 result into float64 (DJL.md). */
    private static Number num(DataType d, double v) {
        return d == DataType.FLOAT32 ? (Number) (float) v : (Number) v;
    }

    private static double[] random(int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[size];
        for (int i = 0; i < size; i++) v[i] = r.nextDouble() * 2 - 1;
        return v;
    }

    private static double[] scaled(double[] v, double s) {
        for (int i = 0; i < v.length; i++) v[i] *= s;
        return v;
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    private static double[] cotangent(int[] shape) {
        return random(size(shape), 99);
    }

    private static int size(int[] shape) {
        int s = 1;
        for (int d : shape) s *= d;
        return s;
    }
}
