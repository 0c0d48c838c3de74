package zerotoml.scratch.transformer;

import java.util.random.RandomGenerator;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/** Seeded parameter initialisation shared by the transformer's params records. */
final class Init {
    private Init() {}

    /** A tensor of N(0, std²) draws from {@code rng}, in row-major order. */
    static Tensor normal(DType dtype, RandomGenerator rng, double std, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = std * rng.nextGaussian();
        return Tensor.of(dtype, v, shape);
    }
}
