package zerotoml.reference.diffusion;

import ai.djl.ndarray.NDArray;
import java.util.function.BiFunction;

/**
 * Rectified flow (Liu, Gong and Liu, arXiv 2209.03003) as gnobitab/RectifiedFlow writes it:
 * {@code ImageGeneration/losses.py} (get_rectified_flow_loss_fn: perturbed = t·batch + (1−t)·z0,
 * target = batch − z0, losses = (score − target)² reduced per row by mean, then the batch mean) and
 * {@code ImageGeneration/sampling.py} (Euler: t_i = i/N·(T − eps) + eps, dt = 1/N).
 */
public final class RectifiedFlow {
    private RectifiedFlow() {}

    /** perturbed_data = t·batch + (1 − t)·z0. */
    public static NDArray interpolate(NDArray z0, NDArray x1, NDArray t) {
        NDArray tc = ScoreSde.col(t, z0);
        return tc.mul(x1).add(tc.neg().add(1.0).mul(z0));
    }

    /** losses = square(score − target) reduced per row by mean, then torch.mean. */
    public static NDArray loss(NDArray v, NDArray z0, NDArray x1) {
        NDArray sq = v.sub(x1.sub(z0)).square();
        return sq.reshape(sq.getShape().get(0), -1).mean(new int[] {1}).mean();
    }

    /** The euler sampler: x = x + pred·dt at num_t = i/N·(1 − eps) + eps. */
    public static NDArray sample(BiFunction<NDArray, Double, NDArray> v, NDArray z0, int steps, double eps) {
        NDArray x = z0;
        double dt = 1.0 / steps;
        for (int i = 0; i < steps; i++) {
            double t = (double) i / steps * (1 - eps) + eps;
            x = x.add(v.apply(x, t).mul(dt));
        }
        return x;
    }
}
