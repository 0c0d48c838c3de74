package zerotoml.scratch.diffusion;

import java.util.List;
import zerotoml.scratch.nn.Activation;
import zerotoml.scratch.nn.Mlp;
import zerotoml.scratch.nn.Sinusoidal;
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Shapes;
import zerotoml.scratch.tensor.Tensor;

/**
 * The shared time-conditioned network for low-dimensional data: an MLP over [x, e(t)] with SiLU,
 * where e(t) is the sinusoidal timestep embedding of Ho et al. (diffusers' get_timestep_embedding,
 * flip_sin_to_cos, no frequency shift) of timeScale·t. It predicts ε (DDPM, DDIM, the VP SDE) or a
 * velocity (flow matching, rectified flow); the samplers see it as a {@link Denoiser}.
 */
public final class TimeMlp {
    private TimeMlp() {}

    /** dim: data width; embed: time-embedding width; hidden: width of each of depth hidden layers; t is multiplied by timeScale. */
    public record Config(int dim, int embed, int hidden, int depth, double timeScale) {
        public Config {
            if (dim < 1 || embed < 2 || hidden < 1 || depth < 1) {
                throw new IllegalArgumentException("TimeMlp.Config: need dim ≥ 1, embed ≥ 2, hidden ≥ 1, depth ≥ 1, got " + dim + ", " + embed + ", " + hidden + ", " + depth);
            }
        }
    }

    /** The MLP [dim + embed → hidden (× depth) → dim]. */
    public record Params(Mlp.Params mlp) {}

    public static Params init(Config c, Rng rng, DType dtype) {
        int[] sizes = new int[c.depth() + 2];
        sizes[0] = c.dim() + c.embed();
        for (int i = 1; i <= c.depth(); i++) sizes[i] = c.hidden();
        sizes[c.depth() + 1] = c.dim();
        return new Params(Mlp.Params.init(rng, dtype, sizes));
    }

    // h = [x, e(s·t)];  out = MLP_SiLU(h)
    /** The output for x [B, dim] at per-row times t [B]. */
    public static Tensor apply(Config c, Params p, Tensor x, Tensor t) {
        if (x.rank() != 2 || x.shape().dim(1) != c.dim() || t.rank() != 1 || t.shape().dim(0) != x.shape().dim(0)) {
            throw new IllegalArgumentException("TimeMlp.apply: need x [B, " + c.dim() + "] and t [B], got x " + x.shape() + ", t " + t.shape());
        }
        Tensor e = Sinusoidal.timestep(t.mul(c.timeScale()), c.embed(), true, 0, 10000);
        return Mlp.mlp(Shapes.concat(List.of(x, e), 1), p.mlp(), Activation.SILU);
    }

    /** The network as a sampler's {@link Denoiser}: every row at the same time. */
    public static Denoiser denoiser(Config c, Params p) {
        return (x, t) -> apply(c, p, x, Tensor.full(x.dtype(), t, x.shape().dim(0)));
    }
}
