package zerotoml.scratch.diffusion;

import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Losses;
import zerotoml.scratch.tensor.Tensor;

/**
 * "Flow Matching for Generative Modeling", Lipman, Chen, Ben-Hamu, Nickel and Le, arXiv 2210.02747.
 *
 * <p>Time runs from t = 0 (noise x0 ~ N(0, I)) to t = 1 (data x1), as in the paper and
 * facebookresearch/flow_matching (whose CondOTScheduler is σ_min = 0). The conditional OT path of
 * §4.1: ψ_t(x0) = (1 − (1−σ_min)t)·x0 + t·x1 with target x1 − (1−σ_min)·x0, the loss of Eq. 23, and
 * fixed-grid Euler and Heun integration of the learned field (torchdiffeq's "euler" and "heun2" on
 * linspace(0, 1, N+1)). The field is a {@link Denoiser}: v(x, t). See notes/FlowMatching.md.
 */
public final class FlowMatching {
    private FlowMatching() {}

    static void checkSigmaMin(String op, double sigmaMin) {
        if (!(sigmaMin >= 0 && sigmaMin < 1)) throw new IllegalArgumentException(op + ": sigmaMin must be in [0, 1), got " + sigmaMin);
    }

    /**
     * σ_t = 1 − (1−σ_min)·t as a tensor expression in dtype d computes it: the constant (1−σ_min)
     * rounded to d, then one rounding per operation. Near t = 1 with a small σ_min the subtraction
     * cancels (σ_t = 0.0063 at t = 0.9938, σ_min = 1e-4, so the rounding of the product is
     * amplified 159×); rounding the exact value once instead differs from PyTorch's float32 σ_t by
     * up to 1/σ_t ulps.
     */
    static double sigmaT(double t, double sigmaMin, DType d) {
        // σ_t = 1 − round(round(1 − σ_min)·t)
        return d.round(1 - d.round(d.round(1 - sigmaMin) * t));
    }

    /** ψ_t(x0) = (1 − (1−σ_min)t)·x0 + t·x1, one t per row. */
    public static Tensor path(Tensor x0, Tensor x1, double[] t, double sigmaMin) {
        Ddpm.sameShape("FlowMatching.path", x0, x1);
        checkSigmaMin("FlowMatching.path", sigmaMin);
        Tensor a = ScoreSde.perRow(x0, t, u -> sigmaT(u, sigmaMin, x0.dtype()), "FlowMatching.path");
        Tensor b = ScoreSde.perRow(x0, t, u -> u, "FlowMatching.path");
        return a.mul(x0).add(b.mul(x1));
    }

    /** The regression target d/dt ψ_t(x0) = x1 − (1−σ_min)·x0. */
    public static Tensor target(Tensor x0, Tensor x1, double sigmaMin) {
        Ddpm.sameShape("FlowMatching.target", x0, x1);
        checkSigmaMin("FlowMatching.target", sigmaMin);
        return x1.sub(x0.mul(1 - sigmaMin));
    }

    /** The conditional field u_t(x|x1) = (x1 − (1−σ_min)x)/(1 − (1−σ_min)t) (Eq. 21). */
    public static Tensor conditionalField(Tensor x, Tensor x1, double[] t, double sigmaMin) {
        Ddpm.sameShape("FlowMatching.conditionalField", x, x1);
        checkSigmaMin("FlowMatching.conditionalField", sigmaMin);
        Tensor den = ScoreSde.perRow(x, t, u -> sigmaT(u, sigmaMin, x.dtype()), "FlowMatching.conditionalField");
        return x1.sub(x.mul(1 - sigmaMin)).div(den);
    }

    /** L_CFM = mean ‖v_θ(ψ_t(x0), t) − (x1 − (1−σ_min)x0)‖² (Eq. 23), v already evaluated. */
    public static Tensor loss(Tensor v, Tensor x0, Tensor x1, double sigmaMin) {
        Ddpm.sameShape("FlowMatching.loss", v, x0);
        return Losses.mse(v, target(x0, x1, sigmaMin), Losses.Reduction.MEAN);
    }

    /** The ODE solver. */
    public enum Method { EULER, HEUN }

    /** x at t = 1 from x0 at t = 0 with N fixed steps of size 1/N. */
    public static Tensor sample(Denoiser v, Tensor x0, int steps, Method method) {
        return integrate(v, x0, 0, 1, steps, method);
    }

    /** dx/dt = v(x, t) from t = from to t = to in N fixed steps: Euler x + h·k1, or Heun x + h/2·(k1 + k2). */
    public static Tensor integrate(Denoiser v, Tensor x, double from, double to, int steps, Method method) {
        if (steps < 1) throw new IllegalArgumentException("FlowMatching.integrate: steps must be ≥ 1, got " + steps);
        double h = (to - from) / steps;
        for (int i = 0; i < steps; i++) {
            double t = from + i * h;
            // k1 = v(x, t)
            Tensor k1 = v.apply(x, t);
            if (method == Method.EULER) {
                x = x.add(k1.mul(h));
            } else {
                // k2 = v(x + h·k1, t + h);  x ← x + h/2·(k1 + k2)
                Tensor k2 = v.apply(x.add(k1.mul(h)), from + (i + 1) * h);
                x = x.add(k1.add(k2).mul(h / 2));
            }
        }
        return x;
    }
}
