package zerotoml.reference.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.List;
import zerotoml.reference.nn.Mlp;
import zerotoml.reference.nn.Sinusoidal;

/**
 * The time-conditioned MLP as a PyTorch user writes the 2-D denoiser of the diffusion demos:
 * {@code mlp(cat([x, get_timestep_embedding(s·t, E, flip_sin_to_cos=True, downscale_freq_shift=0)], -1))}
 * with SiLU between nn.Linear layers (diffusers' embeddings.py for the embedding).
 */
public final class TimeMlp {
    private TimeMlp() {}

    /** weightsAndBiases = [W₁, b₁, …] in the scratch params' order. */
    public static NDArray apply(int embed, double timeScale, List<NDArray> weightsAndBiases, NDArray x, NDArray t) {
        NDArray e = Sinusoidal.timestep(t.mul(timeScale), embed, true, 0, 10000);
        return Mlp.mlp(NDArrays.concat(new NDList(x, e), 1), weightsAndBiases, zerotoml.reference.tensor.Activations::silu);
    }
}
