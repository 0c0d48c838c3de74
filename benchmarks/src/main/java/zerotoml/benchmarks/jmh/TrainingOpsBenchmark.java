package zerotoml.benchmarks.jmh;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import zerotoml.reference.Torch;
import zerotoml.scratch.cnn.Convolution;
import zerotoml.scratch.cnn.Pooling;
import zerotoml.scratch.tensor.Activations;
import zerotoml.scratch.tensor.Tensor;

/**
 * Forward + backward, scratch against PyTorch (DJL) in one JMH run: convolutions (the shapes of
 * ConvolutionBenchmark), max pooling, adaptive average pooling, and the MLP 64×128→256→10 of the goals.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TrainingOpsBenchmark {

    /** One case: its input shapes, and the function on each side. */
    record Case(int[][] shapes, Function<List<Tensor>, Tensor> scratch, Function<List<NDArray>, NDArray> torch) {}

    static Case conv(int[] x, int[] w, int stride, int pad, int dilation, int groups) {
        int[] s = {stride, stride}, p = {pad, pad}, d = {dilation, dilation};
        return new Case(new int[][] {x, w},
                t -> Convolution.conv(t.get(0), t.get(1), null, Convolution.Spec.of(2).stride(s).padding(p).dilation(d).groups(groups)),
                a -> zerotoml.reference.cnn.Convolution.conv(a.get(0), a.get(1), null, s, p, p, d, groups));
    }

    static Case named(String name) {
        return switch (name) {
            case "conv" -> conv(new int[] {8, 16, 32, 32}, new int[] {32, 16, 3, 3}, 1, 1, 1, 1);
            case "convStrided" -> conv(new int[] {8, 16, 32, 32}, new int[] {32, 16, 3, 3}, 2, 1, 1, 1);
            case "convDilated" -> conv(new int[] {8, 16, 32, 32}, new int[] {32, 16, 3, 3}, 1, 2, 2, 1);
            case "convDepthwise" -> conv(new int[] {8, 32, 32, 32}, new int[] {32, 1, 3, 3}, 1, 1, 1, 32);
            case "maxPool" -> new Case(new int[][] {{8, 32, 32, 32}},
                    t -> Pooling.maxPool(t.get(0), Pooling.Spec.of(2, 2)),
                    a -> zerotoml.reference.cnn.Pooling.maxPool(a.get(0), new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}, false));
            // F.adaptive_avg_pool2d to 5 × 5 (overlapping cells of 7 or 8); DJL has none, so PyTorch's side is its JNI binding of ATen's
            case "adaptiveAvgPool" -> new Case(new int[][] {{8, 32, 32, 32}},
                    t -> Pooling.adaptiveAvgPool(t.get(0), 5, 5),
                    a -> ai.djl.pytorch.jni.JniUtils.adaptiveAvgPool((ai.djl.pytorch.engine.PtNDArray) a.get(0), new ai.djl.ndarray.types.Shape(5, 5)));
            // mean((tanh(x W1 + b1) W2 + b2)²), x [64,128], W1 [128,256], W2 [256,10]; the gradient of x is taken too
            case "mlp" -> new Case(new int[][] {{64, 128}, {128, 256}, {256}, {256, 10}, {10}},
                    t -> Activations.tanh(t.get(0).matmul(t.get(1)).add(t.get(2))).matmul(t.get(3)).add(t.get(4)).pow(2).mean(),
                    a -> a.get(0).matMul(a.get(1)).add(a.get(2)).tanh().matMul(a.get(3)).add(a.get(4)).square().mean());
            default -> throw new IllegalArgumentException("TrainingOpsBenchmark: unknown case " + name);
        };
    }

    @State(Scope.Thread)
    public static class Inputs {
        @Param({"scratch", "pytorch"})
        public String side;
        /** float32, the dtype of the goals, and float64 ({@code --param dtype=f32} for the goals' alone). */
        @Param({"f32", "f64"})
        public String dtype;
        @Param({"conv", "convStrided", "convDilated", "convDepthwise", "maxPool", "adaptiveAvgPool", "mlp"})
        public String op;
        Case c;
        List<Tensor> tensors;
        NDManager manager;
        List<NDArray> arrays;

        @Setup
        public void setUp() {
            c = named(op);
            if (side.equals(Side.SCRATCH)) {
                tensors = new ArrayList<>();
                for (int i = 0; i < c.shapes().length; i++) tensors.add(Side.tensor(dtype, 10 + i, c.shapes()[i]));
            } else {
                manager = Torch.engine().newBaseManager();
                arrays = new ArrayList<>();
                for (int i = 0; i < c.shapes().length; i++) {
                    NDArray a = Side.array(manager, dtype, 10 + i, c.shapes()[i]);
                    a.setRequiresGradient(true);
                    arrays.add(a);
                }
            }
        }

        @TearDown
        public void tearDown() {
            if (manager != null) manager.close();
        }
    }

    @Benchmark
    public Object forwardBackward(Inputs s) {
        if (s.tensors != null) return Side.scratchGrad(s.c.scratch(), s.tensors);
        Side.torchGrad(s.manager, s.c.torch(), s.arrays);
        try (NDArray g = s.arrays.get(0).getGradient()) { // a fresh handle per call: closed, not left in the manager
            return g.getShape();
        }
    }
}
