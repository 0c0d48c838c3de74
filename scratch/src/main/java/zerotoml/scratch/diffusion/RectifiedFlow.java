package zerotoml.scratch.diffusion;

import java.util.ArrayList;
import java.util.List;
import zerotoml.scratch.tensor.Reductions;
import zerotoml.scratch.tensor.Tensor;

/**
 * "Flow Straight and Fast: Learning to Generate and Transfer Data with Rectified Flow", Liu, Gong
 * and Liu, arXiv 2209.03003.
 *
 * <p>X_t = t·X1 + (1−t)·X0 with X0 noise and X1 data; the velocity v(x, t) is regressed on X1 − X0
 * (Eq. 1), sampled by Euler steps of dZ = v(Z, t)dt at t_i = i/N·(1−ε) + ε with dt = 1/N as
 * gnobitab/RectifiedFlow's {@code sampling.py} does. Reflow pairs (Z0, Z1) come from simulating the
 * learned ODE; a retrained (2-)rectified flow is straighter, which {@link #straightness} measures.
 * With ε = 0 the 1-rectified flow is exactly flow matching with σ_min = 0. See notes/RectifiedFlow.md.
 */
public final class RectifiedFlow {
    private RectifiedFlow() {}

    /** X_t = t·X1 + (1−t)·X0, one t per row. */
    public static Tensor interpolate(Tensor x0, Tensor x1, double[] t) {
        Ddpm.sameShape("RectifiedFlow.interpolate", x0, x1);
        Tensor a = ScoreSde.perRow(x0, t, u -> u, "RectifiedFlow.interpolate");
        Tensor b = ScoreSde.perRow(x0, t, u -> 1 - u, "RectifiedFlow.interpolate");
        return a.mul(x1).add(b.mul(x0));
    }

    /**
     * The loss of ImageGeneration/losses.py (reduce_mean): per row the mean of (v − (X1 − X0))² over
     * the other axes, then the mean over rows; v already evaluated at (X_t, t).
     */
    public static Tensor loss(Tensor v, Tensor x0, Tensor x1) {
        Ddpm.sameShape("RectifiedFlow.loss", v, x0);
        Ddpm.sameShape("RectifiedFlow.loss", x0, x1);
        Tensor d = v.sub(x1.sub(x0));
        Tensor sq = d.mul(d);
        int[] axes = new int[sq.rank() - 1];
        for (int i = 0; i < axes.length; i++) axes[i] = i + 1;
        return Reductions.mean(axes.length == 0 ? sq : Reductions.mean(sq, axes, false));
    }

    /** Euler steps Z ← Z + v(Z, t_i)/N at t_i = i/N·(1−ε) + ε, i = 0..N−1 (ε = 1e-3 in the repository; 0 gives FM's grid). */
    public static Tensor sample(Denoiser v, Tensor z0, int steps, double eps) {
        return trajectory(v, z0, steps, eps).get(steps);
    }

    /** Every point of the Euler trajectory: Z_0 = z0, ..., Z_N. */
    public static List<Tensor> trajectory(Denoiser v, Tensor z0, int steps, double eps) {
        if (steps < 1) throw new IllegalArgumentException("RectifiedFlow.trajectory: steps must be ≥ 1, got " + steps);
        if (!(eps >= 0 && eps < 1)) throw new IllegalArgumentException("RectifiedFlow.trajectory: eps must be in [0, 1), got " + eps);
        List<Tensor> zs = new ArrayList<>(List.of(z0));
        Tensor z = z0;
        double dt = 1.0 / steps;
        for (int i = 0; i < steps; i++) {
            double t = (double) i / steps * (1 - eps) + eps;
            // Z ← Z + v(Z, t_i)·dt
            z = z.add(v.apply(z, t).mul(dt));
            zs.add(z);
        }
        return zs;
    }

    /** Reflow couplings: (Z0, Z1) with Z1 the Euler solution from Z0; deterministic given Z0. */
    public static Tensor[] reflowPairs(Denoiser v, Tensor z0, int steps, double eps) {
        return new Tensor[] {z0, sample(v, z0, steps, eps)};
    }

    /**
     * Straightness S = ∫₀¹ E‖(Z1 − Z0) − v(Z_t, t)‖² dt along the Euler trajectory (a left Riemann sum
     * over its N steps; the norm is summed over features, averaged over rows). 0 for a straight flow.
     */
    public static double straightness(Denoiser v, Tensor z0, int steps, double eps) {
        List<Tensor> zs = trajectory(v, z0, steps, eps);
        Tensor chord = zs.get(steps).sub(z0);
        int b = z0.shape().dim(0);
        double total = 0;
        for (int i = 0; i < steps; i++) {
            double t = (double) i / steps * (1 - eps) + eps;
            Tensor d = chord.sub(v.apply(zs.get(i), t));
            total += Reductions.sum(d.mul(d)).item() / b / steps;
        }
        return total;
    }
}
