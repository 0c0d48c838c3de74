package zerotoml.scratch.diffusion;

import zerotoml.scratch.tensor.Tensor;

/**
 * A time-conditioned network seen by a sampler: the output for a batch {@code x} at one time
 * {@code t} shared by every row. What the output means depends on the sampler: ε for DDPM and
 * DDIM (t an integer timestep 0..T−1), the score ∇log p_t for the score SDEs (t in (0, 1]), the
 * velocity for flow matching and rectified flow (t in [0, 1], 0 noise, 1 data). Samplers take it
 * as a plain function, so an analytic oracle and a trained network are interchangeable.
 */
@FunctionalInterface
public interface Denoiser {
    Tensor apply(Tensor x, double t);
}
