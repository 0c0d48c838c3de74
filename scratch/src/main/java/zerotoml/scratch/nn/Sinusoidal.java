package zerotoml.scratch.nn;

import java.util.List;
import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Shapes;
import zerotoml.scratch.tensor.Tensor;

/**
 * Sinusoidal embeddings of a position or a time: the transformer's positional encoding and
 * diffusion's timestep embedding are the same idea, sin and cos of p·ωᵢ over geometrically spaced
 * frequencies ωᵢ, in two layouts.
 *
 * <ul>
 *   <li>{@link #positional}: "Attention Is All You Need" §3.5 (Vaswani et al., arXiv 1706.03762),
 *       interleaved: PE(p, 2i) = sin(p·ωᵢ), PE(p, 2i+1) = cos(p·ωᵢ), ωᵢ = 10000^{−2i/d}. Computed in
 *       double and rounded once.
 *   <li>{@link #timestep}: diffusers' {@code get_timestep_embedding} (DDPM's time embedding):
 *       halves [sin(t·ω), cos(t·ω)] (or [cos, sin]), ωᵢ = exp(−ln(maxPeriod)·i/(half − shift)),
 *       computed with tensor ops in the dtype, step for step as diffusers does, so float32 rounding
 *       matches PyTorch's.
 * </ul>
 */
public final class Sinusoidal {
    private Sinusoidal() {}

    // PE(p, 2i) = sin(p / 10000^{2i/d}),  PE(p, 2i+1) = cos(p / 10000^{2i/d}),  p = start … start+len−1
    /** The [len, d] interleaved encoding of positions start … start + len − 1 (§3.5). */
    public static Tensor positional(DType dtype, int start, int len, int d) {
        if (len < 0 || d < 1 || start < 0) {
            throw new IllegalArgumentException("sinusoidal: need start ≥ 0, len ≥ 0 and d ≥ 1, got start " + start + ", len " + len + ", d " + d);
        }
        double[] pe = new double[len * d];
        for (int t = 0; t < len; t++) {
            int pos = start + t;
            for (int j = 0; j < d; j++) {
                int i2 = j - (j % 2);
                // angle = pos · ω_i,  ω_i = 10000^{−2i/d}
                double angle = pos * Math.pow(10000.0, -(double) i2 / d);
                pe[t * d + j] = j % 2 == 0 ? Math.sin(angle) : Math.cos(angle);
            }
        }
        return Tensor.of(dtype, pe, len, d);
    }

    // ωᵢ = exp(−ln(maxPeriod) · i / (half − shift)),  e = [sin(t ωᵢ) | cos(t ωᵢ)]  (or [cos | sin]),  a zero column when dim is odd
    /**
     * The [N, dim] timestep embedding of times t [N] (diffusers' get_timestep_embedding with
     * {@code flip_sin_to_cos}, {@code downscale_freq_shift} and {@code max_period}; DDPM's is
     * (false, 1, 10000), diffusers' UNet2DModel uses (true, 0, 10000)).
     */
    public static Tensor timestep(Tensor t, int dim, boolean flipSinToCos, double downscaleFreqShift, double maxPeriod) {
        if (t == null || t.rank() != 1) throw new IllegalArgumentException("timestep: t must be [N], got " + (t == null ? "null" : t.shape()));
        int half = dim / 2;
        if (half < 1) throw new IllegalArgumentException("timestep: dim must be ≥ 2, got " + dim + " (t " + t.shape() + ")");
        if (half - downscaleFreqShift == 0) {
            throw new IllegalArgumentException("timestep: half − downscaleFreqShift is 0 (dim " + dim + ", shift " + downscaleFreqShift + "), a division by zero");
        }
        if (!(maxPeriod > 0)) throw new IllegalArgumentException("timestep: maxPeriod must be > 0, got " + maxPeriod);
        DType dt = t.dtype();
        double[] ar = new double[half];
        for (int i = 0; i < half; i++) ar[i] = i;
        // exponent = −ln(maxPeriod) · arange(half) / (half − shift)
        Tensor exponent = Arithmetic.div(Arithmetic.mul(Tensor.of(dt, ar, half), -Math.log(maxPeriod)), Tensor.scalar(dt, half - downscaleFreqShift));
        // angle = t[:, None] · exp(exponent)[None, :]
        Tensor angle = Arithmetic.mul(Shapes.reshape(t, t.shape().dim(0), 1), Shapes.reshape(Arithmetic.exp(exponent), 1, half));
        Tensor sin = Arithmetic.sin(angle), cos = Arithmetic.cos(angle);
        Tensor e = Shapes.concat(flipSinToCos ? List.of(cos, sin) : List.of(sin, cos), -1);
        if (dim % 2 == 1) e = Shapes.concat(List.of(e, Tensor.zeros(dt, t.shape().dim(0), 1)), -1);
        return e;
    }
}
