package zerotoml.benchmarks.jmh;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.TimeUnit;
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
import zerotoml.scratch.cnn.Pooling;
import zerotoml.scratch.tensor.Activations;
import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.Reductions;
import zerotoml.scratch.tensor.Softmax;
import zerotoml.scratch.tensor.Tensor;

/**
 * Forward-only ops, scratch against PyTorch (DJL) in one JMH run: one state per case, the side
 * and dtype as parameters. A PyTorch call includes JNI, the ATen kernel, the result's Java wrapper
 * and its close(); inputs sit in native memory already. A scratch call includes allocating its
 * output. {@code Ratios} prints scratch / PyTorch for every case.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class OpsBenchmark {

    /** The inputs of one case on one side. */
    @State(Scope.Thread)
    public abstract static class Inputs {
        @Param({"scratch", "pytorch"})
        public String side;
        @Param({"f32", "f64"})
        public String dtype;
        NDManager manager;
        Tensor ta, tb;
        NDArray na, nb;

        abstract int[] shapeA();

        int[] shapeB() {
            return shapeA();
        }

        @Setup
        public void setUp() {
            if (side.equals(Side.SCRATCH)) {
                ta = Side.tensor(dtype, 1, shapeA());
                tb = Side.tensor(dtype, 2, shapeB());
            } else {
                manager = Torch.engine().newBaseManager();
                na = Side.array(manager, dtype, 1, shapeA());
                nb = Side.array(manager, dtype, 2, shapeB());
            }
        }

        @TearDown
        public void tearDown() {
            if (manager != null) manager.close();
        }
    }

    public static class Square extends Inputs {
        @Param({"64", "256", "1024"})
        public int n;

        @Override
        int[] shapeA() {
            return new int[] {n, n};
        }
    }

    public static class Flat extends Inputs {
        @Param({"1000", "1000000"})
        public int size;

        @Override
        int[] shapeA() {
            return new int[] {size};
        }
    }

    /** Rows of 1,000: reductions and softmax along the last axis (256 rows) or the first (axis 0). */
    public static class Rows extends Inputs {
        @Override
        int[] shapeA() {
            return new int[] {256, 1000};
        }
    }

    /** A cube [32, 64, 128]: a reduction over two axes that are not adjacent (0 and 2). */
    public static class Cube extends Inputs {
        @Override
        int[] shapeA() {
            return new int[] {32, 64, 128};
        }
    }

    /** A batch of images, [8, 32, 32, 32]: max pooling 2×2 (TrainingOpsBenchmark's shape), adaptive and global average pooling, forward only. */
    public static class Images extends Inputs {
        @Override
        int[] shapeA() {
            return new int[] {8, 32, 32, 32};
        }
    }

    /**
     * A PyTorch-side composition of several calls: the input moves to a sub-manager for the call,
     * so that every intermediate is closed with it (else they would pile up in native memory).
     */
    static Object composed(Inputs s, java.util.function.UnaryOperator<NDArray> f) {
        try (NDManager call = s.manager.newSubManager()) {
            s.na.tempAttach(call);
            return f.apply(s.na).getShape();
        }
    }

    @Benchmark
    public Object matmul(Square s) {
        if (s.ta != null) return s.ta.matmul(s.tb);
        try (NDArray c = s.na.matMul(s.nb)) {
            return c.getShape();
        }
    }

    @Benchmark
    public Object add(Flat s) {
        if (s.ta != null) return Arithmetic.add(s.ta, s.tb);
        try (NDArray c = s.na.add(s.nb)) {
            return c.getShape();
        }
    }

    @Benchmark
    public Object exp(Flat s) {
        if (s.ta != null) return Arithmetic.exp(s.ta);
        try (NDArray c = s.na.exp()) {
            return c.getShape();
        }
    }

    @Benchmark
    public Object tanh(Flat s) {
        if (s.ta != null) return Activations.tanh(s.ta);
        try (NDArray c = s.na.tanh()) {
            return c.getShape();
        }
    }

    @Benchmark
    public Object relu(Flat s) {
        if (s.ta != null) return Activations.relu(s.ta);
        try (NDArray c = Activation.relu(s.na)) {
            return c.getShape();
        }
    }

    @Benchmark
    public Object sigmoid(Flat s) {
        if (s.ta != null) return Activations.sigmoid(s.ta);
        try (NDArray c = Activation.sigmoid(s.na)) {
            return c.getShape();
        }
    }

    /** 1 − 2/(e^{2x}+1): the same six primitive ops on each side (mul, exp, add, div, neg, add). */
    @Benchmark
    public Object tanhLike(Flat s) {
        if (s.ta != null) return Arithmetic.div(Tensor.scalar(s.ta.dtype(), 2), s.ta.mul(2).exp().add(1)).neg().add(1);
        try (NDArray t1 = s.na.mul(2); NDArray t2 = t1.exp(); NDArray t3 = t2.add(1); NDArray t4 = NDArrays.div(2, t3);
             NDArray t5 = t4.neg(); NDArray t6 = t5.add(1)) {
            return t6.getShape();
        }
    }

    @Benchmark
    public Object sumLastAxis(Rows s) {
        if (s.ta != null) return Reductions.sum(s.ta, new int[] {1}, false);
        try (NDArray c = s.na.sum(new int[] {1})) {
            return c.getShape();
        }
    }

    @Benchmark
    public Object sumFirstAxis(Rows s) {
        if (s.ta != null) return Reductions.sum(s.ta, new int[] {0}, false);
        try (NDArray c = s.na.sum(new int[] {0})) {
            return c.getShape();
        }
    }

    @Benchmark
    public Object meanFirstAxis(Rows s) {
        if (s.ta != null) return Reductions.mean(s.ta, new int[] {0}, false);
        try (NDArray c = s.na.mean(new int[] {0})) {
            return c.getShape();
        }
    }

    /** torch.amax; DJL has none, so the PyTorch side is the reference's composition (several calls). */
    @Benchmark
    public Object amaxFirstAxis(Rows s) {
        if (s.ta != null) return Reductions.max(s.ta, new int[] {0}, false);
        return composed(s, a -> zerotoml.reference.tensor.Reductions.max(a, new int[] {0}, false));
    }

    /** torch.var, correction 1; DJL has none, so the PyTorch side is the reference's composition. */
    @Benchmark
    public Object varFirstAxis(Rows s) {
        if (s.ta != null) return Reductions.var(s.ta, new int[] {0}, 1, false);
        return composed(s, a -> zerotoml.reference.tensor.Reductions.var(a, new int[] {0}, 1, false));
    }

    /** torch.logsumexp; DJL has none, so the PyTorch side is the reference's composition. */
    @Benchmark
    public Object logsumexpLastAxis(Rows s) {
        if (s.ta != null) return Reductions.logsumexp(s.ta, new int[] {1}, false);
        return composed(s, a -> zerotoml.reference.tensor.Reductions.logsumexp(a, new int[] {1}, false));
    }

    @Benchmark
    public Object sumOuterAxes(Cube s) {
        if (s.ta != null) return Reductions.sum(s.ta, new int[] {0, 2}, false);
        try (NDArray c = s.na.sum(new int[] {0, 2})) {
            return c.getShape();
        }
    }

    @Benchmark
    public Object logSoftmax(Rows s) {
        if (s.ta != null) return Softmax.logSoftmax(s.ta, -1);
        try (NDArray c = s.na.logSoftmax(-1)) {
            return c.getShape();
        }
    }

    @Benchmark
    public Object maxPool(Images s) {
        if (s.ta != null) return Pooling.maxPool(s.ta, Pooling.Spec.of(2, 2));
        int[] two = {2, 2};
        try (NDArray c = zerotoml.reference.cnn.Pooling.maxPool(s.na, two, two, new int[] {0, 0}, new int[] {1, 1}, false)) {
            return c.getShape();
        }
    }

    /**
     * F.adaptive_avg_pool2d to 5 × 5: cells of 7 or 8 rows and columns that overlap (32 = 5 · 6.4).
     * DJL has no adaptive pool of its own, so PyTorch's side is its JNI binding of ATen's kernel.
     */
    @Benchmark
    public Object adaptiveAvgPool(Images s) {
        if (s.ta != null) return Pooling.adaptiveAvgPool(s.ta, 5, 5);
        try (NDArray c = JniUtils.adaptiveAvgPool((PtNDArray) s.na, new Shape(5, 5))) {
            return c.getShape();
        }
    }

    /** The mean of each 32 × 32 plane, to [8, 32]. */
    @Benchmark
    public Object globalAvgPool(Images s) {
        if (s.ta != null) return Pooling.globalAvgPool(s.ta);
        try (NDArray c = zerotoml.reference.cnn.Pooling.globalAvgPool(s.na)) {
            return c.getShape();
        }
    }

    @Benchmark
    public Object softmax(Rows s) {
        if (s.ta != null) return Softmax.softmax(s.ta, -1);
        try (NDArray c = s.na.softmax(-1)) {
            return c.getShape();
        }
    }
}
