package zerotoml.reference;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The one door to PyTorch: starts the engine offline, and runs a function on fresh arrays in a
 * scoped {@link NDManager} so that a million cases leak nothing. Inputs and results cross as plain
 * {@code double[]} plus {@code int[]} shapes, the only currency scratch and reference share.
 */
public final class Torch {
    static {
        // Without this the engine calls home at start-up (DJL.md §7). Nothing may download.
        System.setProperty("ai.djl.offline", "true");
    }

    private Torch() {}

    /** The PyTorch engine, started offline. */
    public static Engine engine() {
        return Engine.getEngine("PyTorch");
    }

    /** A plain input: values, shape, and whether PyTorch should track its gradient. */
    public record Input(double[] data, int[] shape, boolean requiresGrad) {}

    /** The output's values and shape, and one gradient per input (null for inputs without one). */
    public record Result(double[] output, int[] shape, List<double[]> grads) {}

    /** f32 or f64. */
    public static DataType dtype(boolean float32) {
        return float32 ? DataType.FLOAT32 : DataType.FLOAT64;
    }

    /** An NDArray of the given dtype holding exactly these values (rounded to float for FLOAT32). */
    public static NDArray array(NDManager m, double[] data, int[] shape, DataType dt) {
        Shape s = new Shape(toLong(shape));
        if (dt == DataType.FLOAT32) {
            float[] f = new float[data.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) data[i];
            return m.create(f, s);
        }
        return m.create(data.clone(), s);
    }

    /** The values of an array as doubles, whatever its floating dtype. */
    public static double[] values(NDArray a) {
        return a.getDataType() == DataType.FLOAT64 ? a.toDoubleArray() : a.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    public static int[] shape(NDArray a) {
        long[] s = a.getShape().getShape();
        int[] out = new int[s.length];
        for (int i = 0; i < s.length; i++) out[i] = (int) s[i];
        return out;
    }

    public static long[] toLong(int[] shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) s[i] = shape[i];
        return s;
    }

    /**
     * Runs {@code f} on the inputs and, when {@code cotangent} is given, back-propagates
     * {@code sum(f(x) * cotangent(shape))} through PyTorch autograd. Everything is created in one
     * sub-manager that is closed before returning.
     */
    public static Result run(DataType dt, List<Input> inputs, Function<List<NDArray>, NDArray> f, Function<int[], double[]> cotangent) {
        try (NDManager m = engine().newBaseManager()) {
            List<NDArray> xs = new ArrayList<>();
            boolean anyGrad = false;
            for (Input in : inputs) {
                NDArray a = array(m, in.data(), in.shape(), dt);
                if (in.requiresGrad() && cotangent != null) {
                    a.setRequiresGradient(true);
                    anyGrad = true;
                }
                xs.add(a);
            }
            if (!anyGrad) {
                NDArray out = f.apply(xs);
                return new Result(values(out), shape(out), new ArrayList<>());
            }
            try (GradientCollector gc = engine().newGradientCollector()) {
                NDArray out = f.apply(xs);
                int[] outShape = shape(out);
                NDArray cot = array(m, cotangent.apply(outShape), outShape, out.getDataType());
                NDArray loss = out.mul(cot).sum();
                gc.backward(loss);
                List<double[]> grads = new ArrayList<>();
                for (int i = 0; i < xs.size(); i++) {
                    grads.add(xs.get(i).hasGradient() && inputs.get(i).requiresGrad() ? values(xs.get(i).getGradient()) : null);
                }
                return new Result(values(out), outShape, grads);
            }
        }
    }
}
