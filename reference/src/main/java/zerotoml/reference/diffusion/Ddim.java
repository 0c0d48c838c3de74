package zerotoml.reference.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.function.BiFunction;

/**
 * DDIM (Song, Meng and Ermon, arXiv 2010.02502) as diffusers' {@code schedulers/scheduling_ddim.py}
 * DDIMScheduler.step (set_alpha_to_one = True, use_clipped_model_output = False), with NDArray ops;
 * the previous timestep is passed in instead of t − T//S.
 */
public final class Ddim {
    private Ddim() {}

    /** _get_variance: (1−ᾱ_prev)/(1−ᾱ_t)·(1 − ᾱ_t/ᾱ_prev). */
    static NDArray variance(NDArray ab, NDArray abPrev) {
        return abPrev.neg().add(1.0).div(ab.neg().add(1.0)).mul(ab.div(abPrev).neg().add(1.0));
    }

    /** DDIMScheduler.step for epsilon prediction. */
    public static NDArray step(Ddpm.Schedule s, NDArray xt, int t, int prevT, NDArray eps, double eta, boolean clip, NDArray noise) {
        NDManager m = xt.getManager();
        NDArray ab = s.alphaBar().get(t);
        NDArray abPrev = prevT >= 0 ? s.alphaBar().get(prevT) : m.ones(new Shape(), ab.getDataType());
        NDArray betaProd = ab.neg().add(1.0);
        // pred_original_sample = (sample − beta_prod_t^½·model_output)/alpha_prod_t^½
        NDArray x0 = xt.sub(betaProd.sqrt().mul(eps)).div(ab.sqrt());
        if (clip) x0 = x0.clip(-1, 1);
        NDArray std = variance(ab, abPrev).sqrt().mul(eta);
        // pred_sample_direction = (1 − alpha_prod_t_prev − std_dev_t²)^½·pred_epsilon
        NDArray direction = abPrev.neg().add(1.0).sub(std.mul(std)).sqrt().mul(eps);
        NDArray prev = abPrev.sqrt().mul(x0).add(direction);
        if (eta > 0) prev = prev.add(std.mul(noise));
        return prev;
    }

    /** DDIMPipeline's loop over descending timesteps. */
    public static NDArray sample(Ddpm.Schedule s, BiFunction<NDArray, Double, NDArray> model, NDArray xT, int[] timesteps, double eta,
                                 boolean clip, List<NDArray> noise) {
        NDArray x = xT;
        for (int i = 0; i < timesteps.length; i++) {
            int prev = i + 1 < timesteps.length ? timesteps[i + 1] : -1;
            x = step(s, x, timesteps[i], prev, model.apply(x, (double) timesteps[i]), eta, clip, eta > 0 ? noise.get(i) : null);
        }
        return x;
    }
}
