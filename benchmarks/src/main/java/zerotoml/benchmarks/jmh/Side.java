package zerotoml.benchmarks.jmh;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import zerotoml.reference.Torch;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tape;
import zerotoml.scratch.tensor.Tensor;

/**
 * What every micro-benchmark shares: the two sides, the dtypes, seeded inputs, and forward +
 * backward on each side (scratch through its tape with a ones cotangent; PyTorch through DJL's
 * gradient collector, the intermediates closed with a sub-manager per call).
 */
final class Side {
    private Side() {}

    static final String SCRATCH = "scratch", PYTORCH = "pytorch";

    static DType scratchType(String dtype) {
        return dtype.equals("f32") ? DType.F32 : DType.F64;
    }

    static DataType torchType(String dtype) {
        return dtype.equals("f32") ? DataType.FLOAT32 : DataType.FLOAT64;
    }

    /** Uniform values in [−1, 1), the same for both sides. */
    static double[] values(long seed, int size) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[size];
        for (int i = 0; i < size; i++) v[i] = 2 * r.nextDouble() - 1;
        return v;
    }

    static int size(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    static Tensor tensor(String dtype, long seed, int... shape) {
        return Tensor.of(scratchType(dtype), values(seed, size(shape)), shape);
    }

    static NDArray array(NDManager m, String dtype, long seed, int... shape) {
        return Torch.array(m, values(seed, size(shape)), shape, torchType(dtype));
    }

    /** Scratch forward and backward of f's output (ones cotangent) with respect to every input. */
    static List<Tensor> scratchGrad(Function<List<Tensor>, Tensor> f, List<Tensor> in) {
        try (Tape tape = Tape.open()) {
            Tensor[] ws = in.toArray(new Tensor[0]);
            tape.watch(ws);
            Tensor y = f.apply(in);
            return tape.vjp(y, Tensor.ones(y.dtype(), y.shape().dims()), ws);
        }
    }

    /**
     * PyTorch forward and backward of sum(f(in)) with respect to every input that requires a
     * gradient. The inputs sit in a sub-manager for the call, so every array the call makes (the
     * intermediates of f too, not only its output) is closed with it; before, the intermediates
     * stayed in the state's manager until the trial ended, piling up in native memory.
     */
    static void torchGrad(NDManager m, Function<List<NDArray>, NDArray> f, List<NDArray> in) {
        try (NDManager step = m.newSubManager(); GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            for (NDArray a : in) a.tempAttach(step);
            NDArray y = f.apply(in);
            NDArray loss = y.sum();
            gc.backward(loss);
        }
    }
}
