package zerotoml.reference.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.function.BiFunction;

/**
 * DDPM (Ho et al., arXiv 2006.11239) the way diffusers writes it: {@code schedulers/scheduling_ddpm.py}
 * (DDPMScheduler: __init__, add_noise, get_velocity, _get_variance, step), with NDArray ops. The
 * coefficients are 0-dim arrays in the schedule's dtype, as diffusers' tensors are.
 */
public final class Ddpm {
    private Ddpm() {}

    /** betas, alphas = 1 − betas, alphas_cumprod = torch.cumprod(alphas, 0). */
    public record Schedule(NDArray betas, NDArray alphas, NDArray alphaBar) {}

    /** scheduling_ddpm.py __init__, beta_schedule="linear": torch.linspace(beta_start, beta_end, T). */
    public static Schedule linear(NDManager m, DataType dt, int steps, double betaStart, double betaEnd) {
        NDArray i = m.arange(steps).toType(dt, false);
        NDArray betas = steps == 1 ? i.add(betaStart) : i.mul((betaEnd - betaStart) / (steps - 1)).add(betaStart);
        return fromBetas(betas);
    }

    /** scheduling_ddpm.py betas_for_alpha_bar(alpha_transform_type="cosine", max_beta=0.999), in Python floats, then a tensor. */
    public static Schedule cosine(NDManager m, DataType dt, int steps) {
        double[] b = new double[steps];
        for (int i = 0; i < steps; i++) {
            double t1 = (double) i / steps, t2 = (double) (i + 1) / steps;
            b[i] = Math.min(1 - alphaBarFn(t2) / alphaBarFn(t1), 0.999);
        }
        return fromBetas(m.create(b).toType(dt, false));
    }

    private static double alphaBarFn(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /** scheduling_ddpm.py __init__: self.alphas = 1.0 − betas; self.alphas_cumprod = torch.cumprod(self.alphas, dim=0). */
    public static Schedule fromBetas(NDArray betas) {
        NDArray alphas = betas.neg().add(1.0);
        return new Schedule(betas, alphas, alphas.cumProd(0));
    }

    static NDArray index(NDManager m, int[] t) {
        long[] l = new long[t.length];
        for (int i = 0; i < t.length; i++) l[i] = t[i];
        return m.create(l);
    }

    /** table[t] flattened and unsqueezed to x's rank (add_noise's while-loop of unsqueeze(-1)). */
    static NDArray rows(NDArray table, int[] t, NDArray x) {
        NDArray v = table.gather(index(x.getManager(), t), 0);
        long[] shape = new long[x.getShape().dimension()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = t.length;
        return v.reshape(new Shape(shape));
    }

    /** add_noise: sqrt_alpha_prod·original + sqrt_one_minus_alpha_prod·noise. */
    public static NDArray addNoise(Schedule s, NDArray x0, NDArray eps, int[] t) {
        NDArray ab = rows(s.alphaBar(), t, x0);
        return ab.sqrt().mul(x0).add(ab.neg().add(1.0).sqrt().mul(eps));
    }

    /** get_velocity: sqrt_alpha_prod·noise − sqrt_one_minus_alpha_prod·sample. */
    public static NDArray getVelocity(Schedule s, NDArray x0, NDArray eps, int[] t) {
        NDArray ab = rows(s.alphaBar(), t, x0);
        return ab.sqrt().mul(eps).sub(ab.neg().add(1.0).sqrt().mul(x0));
    }

    /** step, "1. compute predicted original sample" for prediction_type epsilon / sample / v_prediction. */
    public static NDArray predOriginal(Schedule s, NDArray xt, int[] t, NDArray out, String predictionType) {
        NDArray ab = rows(s.alphaBar(), t, xt);
        NDArray beta = ab.neg().add(1.0);
        return switch (predictionType) {
            case "epsilon" -> xt.sub(beta.sqrt().mul(out)).div(ab.sqrt());
            case "sample" -> out;
            case "v_prediction" -> ab.sqrt().mul(xt).sub(beta.sqrt().mul(out));
            default -> throw new IllegalArgumentException("predOriginal: unknown prediction_type " + predictionType);
        };
    }

    /** The ε implied by each prediction type (diffusers DDIM's pred_epsilon). */
    public static NDArray predEpsilon(Schedule s, NDArray xt, int[] t, NDArray out, String predictionType) {
        NDArray ab = rows(s.alphaBar(), t, xt);
        NDArray beta = ab.neg().add(1.0);
        return switch (predictionType) {
            case "epsilon" -> out;
            case "sample" -> xt.sub(ab.sqrt().mul(out)).div(beta.sqrt());
            case "v_prediction" -> ab.sqrt().mul(out).add(beta.sqrt().mul(xt));
            default -> throw new IllegalArgumentException("predEpsilon: unknown prediction_type " + predictionType);
        };
    }

    /** step, "4. compute coefficients for pred_original_sample x_0 and current sample x_t" (Eq. 7), per row. */
    public static NDArray posteriorMean(Schedule s, NDArray x0, NDArray xt, int[] t) {
        NDManager m = xt.getManager();
        NDArray ab = rows(s.alphaBar(), t, xt);
        NDArray abPrev = rows(m.ones(new Shape(1), s.alphaBar().getDataType()).concat(s.alphaBar(), 0), t, xt);
        NDArray currentAlpha = ab.div(abPrev), currentBeta = currentAlpha.neg().add(1.0);
        NDArray betaProd = ab.neg().add(1.0), betaProdPrev = abPrev.neg().add(1.0);
        NDArray c0 = abPrev.sqrt().mul(currentBeta).div(betaProd);
        NDArray ct = currentAlpha.sqrt().mul(betaProdPrev).div(betaProd);
        return c0.mul(x0).add(ct.mul(xt));
    }

    /** _get_variance for every t with variance_type "fixed_small": (1−ᾱ_prev)/(1−ᾱ_t)·β_t, clamped at 1e-20. */
    public static NDArray posteriorVariance(Schedule s) {
        NDArray ab = s.alphaBar();
        NDArray abPrev = ab.getManager().ones(new Shape(1), ab.getDataType()).concat(ab.get("0:-1"), 0);
        NDArray currentBeta = ab.div(abPrev).neg().add(1.0);
        return abPrev.neg().add(1.0).div(ab.neg().add(1.0)).mul(currentBeta).maximum(1e-20);
    }

    /** The training loss of examples/unconditional_image_generation: F.mse_loss(model_output, target). */
    public static NDArray mse(NDArray prediction, NDArray target) {
        NDArray d = prediction.sub(target);
        return d.mul(d).mean();
    }

    /**
     * DDPMScheduler.step for one t shared by the batch, with prev_t given (−1 after the last step):
     * pred_original_sample, optional clamp(−r, r), the posterior mean with current_beta_t =
     * 1 − ᾱ_t/ᾱ_prev, and variance_noise·√variance added when t > 0 (fixed_small: clamp at 1e-20).
     */
    public static NDArray step(Schedule s, NDArray xt, int t, int prevT, NDArray out, String predictionType, String varianceType,
                               boolean clip, double clipRange, NDArray noise) {
        NDManager m = xt.getManager();
        NDArray ab = s.alphaBar().get(t);
        NDArray abPrev = prevT >= 0 ? s.alphaBar().get(prevT) : m.ones(new Shape(), ab.getDataType());
        NDArray betaProd = ab.neg().add(1.0), betaProdPrev = abPrev.neg().add(1.0);
        NDArray currentAlpha = ab.div(abPrev), currentBeta = currentAlpha.neg().add(1.0);
        int[] ts = new int[(int) xt.getShape().get(0)];
        java.util.Arrays.fill(ts, t);
        NDArray x0 = predOriginal(s, xt, ts, out, predictionType);
        if (clip) x0 = x0.clip(-clipRange, clipRange);
        NDArray c0 = abPrev.sqrt().mul(currentBeta).div(betaProd);
        NDArray ct = currentAlpha.sqrt().mul(betaProdPrev).div(betaProd);
        NDArray prev = c0.mul(x0).add(ct.mul(xt));
        if (t > 0) {
            NDArray variance = switch (varianceType) {
                case "fixed_small" -> betaProdPrev.div(betaProd).mul(currentBeta).maximum(1e-20);
                case "fixed_large" -> currentBeta;
                default -> throw new IllegalArgumentException("step: unknown variance_type " + varianceType);
            };
            prev = prev.add(variance.sqrt().mul(noise));
        }
        return prev;
    }

    /** The sampling loop of DDPMPipeline.__call__ over the given descending timesteps, with noise.get(i) for step i. */
    public static NDArray sample(Schedule s, BiFunction<NDArray, Double, NDArray> model, NDArray xT, int[] timesteps, String predictionType,
                                 String varianceType, boolean clip, double clipRange, List<NDArray> noise) {
        NDArray x = xT;
        for (int i = 0; i < timesteps.length; i++) {
            int prev = i + 1 < timesteps.length ? timesteps[i + 1] : -1;
            x = step(s, x, timesteps[i], prev, model.apply(x, (double) timesteps[i]), predictionType, varianceType, clip, clipRange, noise.get(i));
        }
        return x;
    }
}
