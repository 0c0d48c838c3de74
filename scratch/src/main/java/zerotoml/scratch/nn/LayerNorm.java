package zerotoml.scratch.nn;

import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Reductions;
import zerotoml.scratch.tensor.Tensor;

/**
 * Layer Normalization (Ba, Kiros and Hinton, arXiv 1607.06450): each token vector is normalised
 * over its last axis to mean 0 and variance 1, then scaled by γ and shifted by β.
 *
 * <p>As {@code torch.nn.LayerNorm}: the variance is the biased one (divided by d, not d − 1) and
 * ε = 1e-5 sits inside the square root. Composed from primitives, so it differentiates for free.
 */
public final class LayerNorm {
    private LayerNorm() {}

    /** ε of {@code torch.nn.LayerNorm}. */
    public static final double EPS = 1e-5;

    /** The learned scale and shift of one LayerNorm. */
    public record Params(
            Tensor gamma, // [d]
            Tensor beta // [d]
    ) {
        public Params {
            if (gamma.rank() != 1 || !gamma.shape().equals(beta.shape())) {
                throw new IllegalArgumentException("layerNorm: gamma and beta must both be [d], got gamma " + gamma.shape() + ", beta " + beta.shape());
            }
        }

        /** γ = 1, β = 0: the identity affine map, as torch initialises it. */
        public static Params init(DType dtype, int d) {
            return new Params(Tensor.ones(dtype, d), Tensor.zeros(dtype, d));
        }
    }

    // y = (x − μ) / √(σ² + ε) · γ + β,  μ = mean_last x,  σ² = mean_last (x − μ)²  (biased)
    public static Tensor layerNorm(Tensor x, Params p) {
        int d = p.gamma().shape().dim(0);
        if (x.rank() == 0 || x.shape().dim(-1) != d) {
            throw new IllegalArgumentException("layerNorm: x's last axis must be " + d + " (x " + x.shape() + ", gamma " + p.gamma().shape() + ")");
        }
        int[] last = {-1};
        // c = x − μ
        Tensor c = Arithmetic.sub(x, Reductions.mean(x, last, true));
        // σ² = mean (x − μ)²
        Tensor var = Reductions.mean(Arithmetic.mul(c, c), last, true);
        // x̂ = c / √(σ² + ε)
        Tensor xHat = Arithmetic.div(c, Arithmetic.sqrt(Arithmetic.add(var, EPS)));
        // y = x̂ γ + β
        return Arithmetic.add(Arithmetic.mul(xHat, p.gamma()), p.beta());
    }
}
