package zerotoml.reference.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Score-based SDEs (Song et al., arXiv 2011.13456) as yang-song/score_sde_pytorch writes them:
 * {@code sde_lib.py} (VPSDE, subVPSDE, VESDE: sde, marginal_prob, discretize, reverse),
 * {@code losses.py} (get_sde_loss_fn) and {@code sampling.py} (EulerMaruyamaPredictor,
 * ReverseDiffusionPredictor, LangevinCorrector, get_pc_sampler), with NDArray ops. Times are
 * vectors [B] as in the repository. The sub-VP corrector uses the VP discrete alphas (the
 * repository's subVPSDE has no {@code alphas} attribute, so its corrector branch cannot run).
 */
public final class ScoreSde {
    private ScoreSde() {}

    /** kind "ve" (a = σ_min, b = σ_max), "vp" or "subvp" (a = β_min, b = β_max), N steps. */
    public record Sde(String kind, double a, double b, int n) {}

    /** A vector [B] reshaped to [B, 1, ..., 1] of x's rank ([:, None, None, None] in the repository). */
    public static NDArray col(NDArray v, NDArray x) {
        long[] shape = new long[x.getShape().dimension()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = v.getShape().get(0);
        return v.reshape(new Shape(shape));
    }

    /** log_mean_coeff = −0.25·t²·(β1 − β0) − 0.5·t·β0. */
    static NDArray logMeanCoeff(Sde s, NDArray t) {
        return t.square().mul(-0.25).mul(s.b() - s.a()).sub(t.mul(0.5).mul(s.a()));
    }

    /** marginal_prob: the std vector. */
    public static NDArray std(Sde s, NDArray t) {
        return switch (s.kind()) {
            case "ve" -> t.getManager().create(s.b() / s.a()).toType(t.getDataType(), false).pow(t).mul(s.a());
            case "vp" -> logMeanCoeff(s, t).mul(2.0).exp().neg().add(1.0).sqrt();
            case "subvp" -> logMeanCoeff(s, t).mul(2.0).exp().neg().add(1.0);
            default -> throw new IllegalArgumentException(s.kind());
        };
    }

    /** marginal_prob: the mean. */
    public static NDArray mean(Sde s, NDArray x, NDArray t) {
        return s.kind().equals("ve") ? x : col(logMeanCoeff(s, t).exp(), x).mul(x);
    }

    /** sde(x, t): the diffusion vector g(t). */
    public static NDArray diffusion(Sde s, NDArray t) {
        return switch (s.kind()) {
            case "ve" -> std(s, t).mul(Math.sqrt(2 * (Math.log(s.b()) - Math.log(s.a()))));
            case "vp" -> t.mul(s.b() - s.a()).add(s.a()).sqrt();
            case "subvp" -> {
                NDArray discount = t.mul(-2 * s.a()).sub(t.square().mul(s.b() - s.a())).exp().neg().add(1.0);
                yield t.mul(s.b() - s.a()).add(s.a()).mul(discount).sqrt();
            }
            default -> throw new IllegalArgumentException(s.kind());
        };
    }

    /** sde(x, t): the drift. */
    public static NDArray drift(Sde s, NDArray x, NDArray t) {
        if (s.kind().equals("ve")) return x.zerosLike();
        return col(t.mul(s.b() - s.a()).add(s.a()), x).mul(x).mul(-0.5);
    }

    /** get_sde_loss_fn: perturbed = mean + std·z; losses = (score·std + z)² (or (score + z/std)²·g²); reduce per row; mean. */
    public static NDArray loss(Sde s, NDArray score, NDArray z, NDArray t, boolean reduceMean, boolean likelihoodWeighting) {
        NDArray std = col(std(s, t), z);
        NDArray losses;
        if (!likelihoodWeighting) {
            losses = score.mul(std).add(z).square();
        } else {
            losses = score.add(z.div(std)).square().mul(col(diffusion(s, t).square(), z));
        }
        NDArray rows = losses.reshape(losses.getShape().get(0), -1);
        rows = reduceMean ? rows.mean(new int[] {1}) : rows.sum(new int[] {1});
        return rows.mean();
    }

    /** reverse(score_fn).sde: drift − g²·score·(0.5 if probability_flow). */
    public static NDArray reverseDrift(Sde s, NDArray x, NDArray t, NDArray score, boolean probabilityFlow) {
        NDArray g = col(diffusion(s, t), x);
        return drift(s, x, t).sub(g.square().mul(score).mul(probabilityFlow ? 0.5 : 1.0));
    }

    /** EulerMaruyamaPredictor.update_fn: dt = −1/N; x_mean = x + drift·dt; x = x_mean + g·√(−dt)·z. */
    public static NDArray[] eulerMaruyama(Sde s, NDArray x, NDArray t, NDArray score, NDArray z) {
        double dt = -1.0 / s.n();
        NDArray mean = x.add(reverseDrift(s, x, t, score, false).mul(dt));
        return new NDArray[] {mean.add(col(diffusion(s, t), x).mul(Math.sqrt(-dt)).mul(z)), mean};
    }

    static NDArray timestepIndex(Sde s, NDArray t) {
        return t.mul((double) (s.n() - 1)).toType(DataType.INT64, false);
    }

    /**
     * VPSDE: discrete_betas = torch.linspace(β_min/N, β_max/N, N), evaluated in float64 and rounded
     * once to the dtype: torch's float32 linspace kernel rounds its step and its vectorised partial
     * sums differently from element to element, and VE's √(σ_i² − σ_{i−1}²) amplifies that one-ulp
     * noise up to ~20× (see notes/ScoreSde.md); the values here are the correctly rounded ones.
     */
    static NDArray discreteBetas(Sde s, NDManager m, DataType dt) {
        int n = s.n();
        NDArray i = m.arange(n).toType(DataType.FLOAT64, false);
        return (n == 1 ? i.add(s.a() / n) : i.mul((s.b() / n - s.a() / n) / (n - 1)).add(s.a() / n)).toType(dt, false);
    }

    /** VESDE: discrete_sigmas = exp(linspace(log σ_min, log σ_max, N)), the linspace rounded once as above. */
    static NDArray discreteSigmas(Sde s, NDManager m, DataType dt) {
        int n = s.n();
        double lo = Math.log(s.a()), hi = Math.log(s.b());
        NDArray i = m.arange(n).toType(DataType.FLOAT64, false);
        return (n == 1 ? i.add(lo) : i.mul((hi - lo) / (n - 1)).add(lo)).toType(dt, false).exp();
    }

    /** reverse(...).discretize: rev_f = f − G²·score, rev_G = G with sde_lib's discretize per family. */
    public static NDArray[] reverseDiffusion(Sde s, NDArray x, NDArray t, NDArray score, NDArray z) {
        NDManager m = x.getManager();
        NDArray f, g;
        switch (s.kind()) {
            case "vp" -> {
                NDArray idx = timestepIndex(s, t);
                NDArray beta = discreteBetas(s, m, x.getDataType()).gather(idx, 0);
                f = col(beta.neg().add(1.0).sqrt(), x).mul(x).sub(x);
                g = beta.sqrt();
            }
            case "ve" -> {
                NDArray idx = timestepIndex(s, t);
                NDArray sig = discreteSigmas(s, m, x.getDataType());
                NDArray sigma = sig.gather(idx, 0);
                NDArray shifted = m.zeros(new Shape(1), x.getDataType()).concat(sig.get("0:-1"), 0);
                NDArray adjacent = shifted.gather(idx, 0);
                f = x.zerosLike();
                g = sigma.square().sub(adjacent.square()).sqrt();
            }
            default -> {
                // SDE.discretize: f = drift·dt, G = diffusion·√dt
                double dt = 1.0 / s.n();
                f = drift(s, x, t).mul(dt);
                g = diffusion(s, t).mul(Math.sqrt(dt));
            }
        }
        NDArray g2 = col(g, x);
        NDArray revF = f.sub(g2.square().mul(score));
        NDArray mean = x.sub(revF);
        return new NDArray[] {mean.add(g2.mul(z)), mean};
    }

    /** LangevinCorrector.update_fn with n_steps = 1. */
    public static NDArray[] langevin(Sde s, NDArray x, NDArray t, NDArray score, double snr, NDArray z) {
        NDManager m = x.getManager();
        NDArray alpha = s.kind().equals("ve") ? t.onesLike()
                : discreteBetas(s, m, x.getDataType()).neg().add(1.0).gather(timestepIndex(s, t), 0);
        long b = x.getShape().get(0);
        NDArray gradNorm = score.reshape(b, -1).square().sum(new int[] {1}).sqrt().mean();
        NDArray noiseNorm = z.reshape(b, -1).square().sum(new int[] {1}).sqrt().mean();
        NDArray stepSize = noiseNorm.mul(snr).div(gradNorm).square().mul(2.0).mul(alpha);
        NDArray mean = x.add(col(stepSize, x).mul(score));
        return new NDArray[] {mean.add(col(stepSize.mul(2.0).sqrt(), x).mul(z)), mean};
    }

    /**
     * get_pc_sampler: timesteps = linspace(T, eps, N); per step the corrector (n_steps) then the
     * predictor ("em", "reverse_diffusion" or "none"), each taking the next noise; returns x_mean.
     */
    public static NDArray pcSample(Sde s, BiFunction<NDArray, Double, NDArray> score, NDArray xT, String predictor, int correctorSteps,
                                   double snr, double eps, List<NDArray> noise) {
        NDManager m = xT.getManager();
        int n = s.n();
        NDArray grid = n == 1 ? m.ones(new Shape(1), xT.getDataType())
                : m.arange(n).toType(xT.getDataType(), false).mul((eps - 1.0) / (n - 1)).add(1.0);
        NDArray x = xT, mean = xT;
        int k = 0;
        long b = xT.getShape().get(0);
        for (int i = 0; i < n; i++) {
            NDArray tv = m.ones(new Shape(b), xT.getDataType()).mul(grid.get(i));
            double t = grid.get(i).toType(DataType.FLOAT64, false).getDouble();
            for (int c = 0; c < correctorSteps; c++) {
                NDArray[] r = langevin(s, x, tv, score.apply(x, t), snr, noise.get(k++));
                x = r[0];
                mean = r[1];
            }
            if (!predictor.equals("none")) {
                NDArray sc = score.apply(x, t);
                NDArray[] r = predictor.equals("em") ? eulerMaruyama(s, x, tv, sc, noise.get(k++)) : reverseDiffusion(s, x, tv, sc, noise.get(k++));
                x = r[0];
                mean = r[1];
            }
        }
        return mean;
    }

    /**
     * The probability-flow ODE, reverse(score_fn, probability_flow=True).sde's drift, integrated with
     * fixed Euler or Heun steps (torchdiffeq's fixed-grid "euler"/"heun2"; the repository's
     * get_ode_sampler uses scipy RK45, which has no fixed-step twin).
     */
    public static NDArray probabilityFlow(Sde s, BiFunction<NDArray, Double, NDArray> score, NDArray x, double from, double to, int steps, boolean heun) {
        NDManager m = x.getManager();
        long b = x.getShape().get(0);
        double h = (to - from) / steps;
        for (int i = 0; i < steps; i++) {
            double t = from + i * h, tNext = from + (i + 1) * h;
            NDArray tv = m.ones(new Shape(b), x.getDataType()).mul(t);
            NDArray k1 = reverseDrift(s, x, tv, score.apply(x, t), true);
            if (!heun) {
                x = x.add(k1.mul(h));
            } else {
                NDArray xe = x.add(k1.mul(h));
                NDArray tn = m.ones(new Shape(b), x.getDataType()).mul(tNext);
                NDArray k2 = reverseDrift(s, xe, tn, score.apply(xe, tNext), true);
                x = x.add(k1.add(k2).mul(h / 2));
            }
        }
        return x;
    }
}
