package zerotoml.scratch.nn;

import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Reductions;
import zerotoml.scratch.tensor.Shapes;
import zerotoml.scratch.tensor.Tensor;

/**
 * Group Normalization (Wu and He, arXiv 1803.08494), {@code torch.nn.GroupNorm}: the C channels of
 * x [N, C, …] are split into G groups of C/G; each sample's group is normalised over its channels
 * and every spatial position to mean 0 and variance 1, then every channel is scaled by γ and
 * shifted by β. G = 1 normalises each sample as a whole; G = C is instance normalisation. The
 * variance is the biased one and ε = 1e-5 sits inside the square root, as in PyTorch. Composed from
 * primitives, so it differentiates for free.
 */
public final class GroupNorm {
    private GroupNorm() {}

    /** ε of {@code torch.nn.GroupNorm}. */
    public static final double EPS = 1e-5;

    /** The learned per-channel scale and shift. */
    public record Params(
            Tensor gamma, // [C]
            Tensor beta // [C]
    ) {
        public Params {
            if (gamma == null || beta == null || gamma.rank() != 1 || !gamma.shape().equals(beta.shape())) {
                throw new IllegalArgumentException("groupNorm: gamma and beta must both be [C], got gamma " + (gamma == null ? "null" : gamma.shape())
                        + ", beta " + (beta == null ? "null" : beta.shape()));
            }
        }

        /** γ = 1, β = 0, as torch initialises them. */
        public static Params init(DType dtype, int channels) {
            return new Params(Tensor.ones(dtype, channels), Tensor.zeros(dtype, channels));
        }
    }

    // y = (x − μ_g) / √(σ²_g + ε) · γ_c + β_c,  μ_g, σ²_g over the channels of group g and all positions, per sample
    public static Tensor groupNorm(Tensor x, int groups, Params p) {
        if (x == null || p == null) throw new IllegalArgumentException("groupNorm: x and params are required");
        int c = p.gamma().shape().dim(0);
        if (x.rank() < 2 || x.shape().dim(1) != c) {
            throw new IllegalArgumentException("groupNorm: x must be [N, " + c + ", …] (x " + x.shape() + ", gamma " + p.gamma().shape() + ")");
        }
        if (groups < 1 || c % groups != 0) {
            throw new IllegalArgumentException("groupNorm: channels " + c + " are not divisible into groups " + groups + " (x " + x.shape() + ")");
        }
        int[] dims = x.shape().dims();
        int n = dims[0];
        // g = x viewed as [N, G, C/G · spatial]
        Tensor g = Shapes.reshape(x, n, groups, x.size() / Math.max(1, n * groups));
        int[] last = {-1};
        // d = g − μ
        Tensor d = Arithmetic.sub(g, Reductions.mean(g, last, true));
        // σ² = mean d²  (biased)
        Tensor var = Reductions.mean(Arithmetic.mul(d, d), last, true);
        // x̂ = d / √(σ² + ε), back in x's shape
        Tensor xHat = Shapes.reshape(Arithmetic.div(d, Arithmetic.sqrt(Arithmetic.add(var, EPS))), dims);
        // y = x̂ · γ[c] + β[c], γ and β broadcast as [C, 1, …, 1]
        int[] perChannel = new int[dims.length - 1];
        java.util.Arrays.fill(perChannel, 1);
        perChannel[0] = c;
        return Arithmetic.add(Arithmetic.mul(xHat, Shapes.reshape(p.gamma(), perChannel)), Shapes.reshape(p.beta(), perChannel));
    }
}
