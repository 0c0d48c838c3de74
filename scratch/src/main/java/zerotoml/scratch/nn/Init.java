package zerotoml.scratch.nn;

import zerotoml.scratch.random.Rng;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * Weight initialisations as {@code torch.nn.init} defines them, drawn from an {@link Rng} key.
 *
 * <p>Fans follow {@code torch.nn.init._calculate_fan_in_and_fan_out}: for a weight [out, in, k…],
 * fan_in = in · Πk and fan_out = out · Πk. PyTorch's default for {@code nn.Linear} and
 * {@code nn.ConvNd} is Kaiming-uniform with a = √5, which works out to U(−1/√fan_in, 1/√fan_in),
 * and the bias U(−1/√fan_in, 1/√fan_in) too ({@link #pytorchDefault}, {@link #pytorchDefaultBias}).
 * Kaiming and Xavier are from "Delving Deep into Rectifiers" (He et al., arXiv 1502.01852) and
 * "Understanding the difficulty of training deep feedforward neural networks" (Glorot and Bengio, 2010).
 */
public final class Init {
    private Init() {}

    /** fan_in of a weight shape [out, in, k…] (for a vector [n], n). */
    public static int fanIn(int... shape) {
        requireShape("fanIn", shape);
        if (shape.length == 1) return shape[0];
        return shape[1] * receptive(shape);
    }

    /** fan_out of a weight shape [out, in, k…] (for a vector [n], n). */
    public static int fanOut(int... shape) {
        requireShape("fanOut", shape);
        if (shape.length == 1) return shape[0];
        return shape[0] * receptive(shape);
    }

    private static int receptive(int[] shape) {
        int r = 1;
        for (int i = 2; i < shape.length; i++) r *= shape[i];
        return r;
    }

    private static void requireShape(String op, int[] shape) {
        if (shape == null || shape.length == 0) throw new IllegalArgumentException(op + ": a weight needs at least one dimension, got " + java.util.Arrays.toString(shape));
        for (int d : shape) if (d < 1) throw new IllegalArgumentException(op + ": every dimension must be ≥ 1, got " + java.util.Arrays.toString(shape));
    }

    // W ~ U(−b, b),  b = gain · √(3 / fan_in),  gain = √(2 / (1 + a²))   (kaiming_uniform_, leaky_relu)
    /** torch.nn.init.kaiming_uniform_(w, a) with mode fan_in and the leaky-ReLU gain. */
    public static Tensor kaimingUniform(Rng rng, DType dtype, double a, int... shape) {
        double gain = Math.sqrt(2 / (1 + a * a));
        return uniform(rng, dtype, gain * Math.sqrt(3.0 / fanIn(shape)), shape);
    }

    /** PyTorch's default weight init for nn.Linear and nn.ConvNd: Kaiming-uniform with a = √5, i.e. U(±1/√fan_in). */
    public static Tensor pytorchDefault(Rng rng, DType dtype, int... shape) {
        return kaimingUniform(rng, dtype, Math.sqrt(5), shape);
    }

    // b ~ U(−1/√fan_in, 1/√fan_in),  fan_in of the layer's weight
    /** PyTorch's default bias init: U(±1/√fanIn) with the fan_in of the layer's weight, {@code size} values. */
    public static Tensor pytorchDefaultBias(Rng rng, DType dtype, int fanIn, int size) {
        if (fanIn < 1) throw new IllegalArgumentException("pytorchDefaultBias: fanIn must be ≥ 1, got " + fanIn);
        return uniform(rng, dtype, 1 / Math.sqrt(fanIn), size);
    }

    // W ~ U(−b, b),  b = gain · √(6 / (fan_in + fan_out))
    /** torch.nn.init.xavier_uniform_(w, gain). */
    public static Tensor xavierUniform(Rng rng, DType dtype, double gain, int... shape) {
        return uniform(rng, dtype, gain * Math.sqrt(6.0 / (fanIn(shape) + fanOut(shape))), shape);
    }

    // W ~ N(0, σ²),  σ = gain · √(2 / (fan_in + fan_out))
    /** torch.nn.init.xavier_normal_(w, gain). */
    public static Tensor xavierNormal(Rng rng, DType dtype, double gain, int... shape) {
        return normal(rng, dtype, gain * Math.sqrt(2.0 / (fanIn(shape) + fanOut(shape))), shape);
    }

    /** torch.nn.init.normal_(w, 0, std). */
    public static Tensor normal(Rng rng, DType dtype, double std, int... shape) {
        if (rng == null) throw new IllegalArgumentException("normal: rng is null");
        return rng.normal(dtype, 0, std, shape);
    }

    /** U(−bound, bound). */
    public static Tensor uniform(Rng rng, DType dtype, double bound, int... shape) {
        if (rng == null) throw new IllegalArgumentException("uniform: rng is null");
        if (!(bound > 0)) throw new IllegalArgumentException("uniform: bound must be > 0, got " + bound + " for shape " + java.util.Arrays.toString(shape));
        return rng.uniform(dtype, -bound, bound, shape);
    }
}
