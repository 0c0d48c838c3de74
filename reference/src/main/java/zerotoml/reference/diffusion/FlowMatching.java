package zerotoml.reference.diffusion;

import ai.djl.ndarray.NDArray;
import java.util.function.BiFunction;

/**
 * Flow matching (Lipman et al., arXiv 2210.02747) as facebookresearch/flow_matching writes it:
 * {@code flow_matching/path/affine.py} (AffineProbPath.sample: x_t = σ_t·x_0 + α_t·x_1,
 * dx_t = dα_t·x_1 + dσ_t·x_0) with the conditional-OT scheduler of
 * {@code flow_matching/path/scheduler/scheduler.py} generalised to the paper's σ_min
 * (α_t = t, σ_t = 1 − (1−σ_min)t; CondOTScheduler is σ_min = 0), the loss of
 * {@code examples/2d_flow_matching.ipynb} (torch.pow(v − dx_t, 2).mean()), and the fixed-grid
 * torchdiffeq solvers that {@code flow_matching/solver/ode_solver.py} calls ("euler", "heun2").
 */
public final class FlowMatching {
    private FlowMatching() {}

    /** AffineProbPath.sample's x_t for t [B]. */
    public static NDArray path(NDArray x0, NDArray x1, NDArray t, double sigmaMin) {
        NDArray tc = ScoreSde.col(t, x0);
        NDArray sigmaT = tc.mul(-(1 - sigmaMin)).add(1.0);
        return sigmaT.mul(x0).add(tc.mul(x1));
    }

    /** AffineProbPath.sample's dx_t = dα_t·x_1 + dσ_t·x_0 = x_1 − (1−σ_min)·x_0. */
    public static NDArray target(NDArray x0, NDArray x1, double sigmaMin) {
        return x1.add(x0.mul(-(1 - sigmaMin)));
    }

    /** The paper's Eq. 21, u_t(x|x_1) = (x_1 − (1−σ_min)x)/(1 − (1−σ_min)t). */
    public static NDArray conditionalField(NDArray x, NDArray x1, NDArray t, double sigmaMin) {
        NDArray den = ScoreSde.col(t, x).mul(-(1 - sigmaMin)).add(1.0);
        return x1.sub(x.mul(1 - sigmaMin)).div(den);
    }

    /** torch.pow(model(x_t, t) − dx_t, 2).mean(). */
    public static NDArray loss(NDArray v, NDArray x0, NDArray x1, double sigmaMin) {
        return v.sub(target(x0, x1, sigmaMin)).pow(2).mean();
    }

    /** torchdiffeq fixed-grid "euler" (y + h·f(t, y)) or "heun2" (y + h/2·(k1 + k2)) on linspace(0, 1, N+1). */
    public static NDArray sample(BiFunction<NDArray, Double, NDArray> v, NDArray x, int steps, boolean heun) {
        double h = 1.0 / steps;
        for (int i = 0; i < steps; i++) {
            double t = i * h, tNext = (i + 1) * h;
            NDArray k1 = v.apply(x, t);
            if (!heun) {
                x = x.add(k1.mul(h));
            } else {
                NDArray k2 = v.apply(x.add(k1.mul(h)), tNext);
                x = x.add(k1.add(k2).mul(h / 2));
            }
        }
        return x;
    }
}
