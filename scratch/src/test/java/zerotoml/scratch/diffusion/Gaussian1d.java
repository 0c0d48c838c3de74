package zerotoml.scratch.diffusion;

import java.util.SplittableRandom;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * 1-D Gaussian data N(μ, s²), for which every target has a closed form (ALGORITHMS.md §2): the
 * optimal ε*, the exact score of each SDE's marginal and the exact flow-matching velocity. Fed to
 * a sampler, they test the sampler with no network involved.
 */
record Gaussian1d(double mu, double s) {

    /** ε*(x, t) = √(1−ᾱ_t)·(x − √ᾱ_t·μ)/(ᾱ_t·s² + 1 − ᾱ_t). */
    Denoiser epsStar(Ddpm.Schedule sc) {
        return (x, t) -> {
            double ab = sc.alphaBar((int) t);
            return x.add(-Math.sqrt(ab) * mu).mul(Math.sqrt(1 - ab) / (ab * s * s + 1 - ab));
        };
    }

    /** s*(x, t) = −(x − m(t)μ)/(m(t)²s² + std(t)²). */
    Denoiser score(ScoreSde.Sde sde) {
        return (x, t) -> {
            double m = ScoreSde.meanCoeff(sde, t), sd = ScoreSde.std(sde, t);
            return x.add(-m * mu).mul(-1 / (m * m * s * s + sd * sd));
        };
    }

    /** v*(x, t) = μ + (t·s² − (1−t))/((1−t)² + t²s²)·(x − tμ)  (t = 0 noise, t = 1 data). */
    Denoiser velocity() {
        return (x, t) -> x.add(-t * mu).mul((t * s * s - (1 - t)) / ((1 - t) * (1 - t) + t * t * s * s)).add(mu);
    }

    /** n standard normal draws as [n, 1]. */
    static Tensor normal(long seed, int n, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = scale * r.nextGaussian();
        return Tensor.of(DType.F64, v, n, 1);
    }

    static double mean(Tensor x) {
        double m = 0;
        for (double v : x.toArray()) m += v;
        return m / x.size();
    }

    static double std(Tensor x) {
        double m = mean(x), q = 0;
        for (double v : x.toArray()) q += (v - m) * (v - m);
        return Math.sqrt(q / x.size());
    }

    /** A stream of noise tensors [n, 1], one per step, from one seed. */
    static java.util.List<Tensor> noise(long seed, int steps, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        java.util.List<Tensor> out = new java.util.ArrayList<>();
        for (int k = 0; k < steps; k++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = r.nextGaussian();
            out.add(Tensor.of(DType.F64, v, n, 1));
        }
        return out;
    }
}
