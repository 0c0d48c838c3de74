package zerotoml.scratch.diffusion;

import java.util.List;
import zerotoml.scratch.diffusion.Ddpm.Schedule;
import zerotoml.scratch.tensor.Selection;
import zerotoml.scratch.tensor.Tensor;

/**
 * "Denoising Diffusion Implicit Models", Song, Meng and Ermon, arXiv 2010.02502.
 *
 * <p>Sampling over a subsequence τ of a DDPM schedule's timesteps, reusing the ε-network unchanged:
 * Eq. 12 with the noise level σ(η) of Eq. 16. η = 0 is deterministic (an ODE discretisation that
 * can be run backwards: {@link #invert}); η = 1 is DDPM's ancestral step on the respaced β. The
 * previous timestep is passed explicitly rather than derived as t − T/S, which sidesteps
 * diffusers' stride bug for "linspace" and "trailing" spacings (diffusers#9261, #12633). See
 * notes/Ddim.md.
 */
public final class Ddim {
    private Ddim() {}

    /** diffusers "leading" spacing, descending: k·(T/S) + offset for k = S−1..0 (it never visits T−1; diffusers#2585). */
    public static int[] leading(int steps, int sampleSteps, int offset) {
        if (sampleSteps < 1 || sampleSteps > steps) {
            throw new IllegalArgumentException("Ddim.leading: sampleSteps must be in 1.." + steps + ", got " + sampleSteps);
        }
        int stride = steps / sampleSteps;
        int[] ts = new int[sampleSteps];
        for (int k = 0; k < sampleSteps; k++) ts[k] = (sampleSteps - 1 - k) * stride + offset;
        if (ts[0] >= steps || offset < 0) throw new IllegalArgumentException("Ddim.leading: offset " + offset + " puts a timestep outside 0.." + (steps - 1));
        return ts;
    }

    /**
     * diffusers "trailing" spacing, descending: round(T − k·T/S) − 1 for k = 0..S−1 (Lin et al.,
     * "Common Diffusion Noise Schedules and Sample Steps are Flawed", arXiv 2305.08891). It
     * always starts at T−1, so even one step starts from the timestep whose marginal is the prior.
     */
    public static int[] trailing(int steps, int sampleSteps) {
        if (sampleSteps < 1 || sampleSteps > steps) {
            throw new IllegalArgumentException("Ddim.trailing: sampleSteps must be in 1.." + steps + ", got " + sampleSteps);
        }
        int[] ts = new int[sampleSteps];
        double stride = (double) steps / sampleSteps;
        // τ_k = round(T − k·T/S) − 1 (numpy rounds half to even, as Math.rint)
        for (int k = 0; k < sampleSteps; k++) ts[k] = (int) Math.rint(steps - k * stride) - 1;
        return ts;
    }

    /** §4.2's quadratic spacing, descending: ⌊(√(0.8T)·k/(S−1))²⌋, duplicates removed. */
    public static int[] quadratic(int steps, int sampleSteps) {
        if (sampleSteps < 2 || sampleSteps > steps) {
            throw new IllegalArgumentException("Ddim.quadratic: sampleSteps must be in 2.." + steps + ", got " + sampleSteps);
        }
        java.util.TreeSet<Integer> set = new java.util.TreeSet<>(java.util.Comparator.reverseOrder());
        double top = Math.sqrt(0.8 * steps);
        for (int k = 0; k < sampleSteps; k++) {
            double u = top * k / (sampleSteps - 1);
            set.add((int) Math.floor(u * u));
        }
        return set.stream().mapToInt(Integer::intValue).toArray();
    }

    /** σ_t(η) = η·√((1−ᾱ_prev)/(1−ᾱ_t))·√(1−ᾱ_t/ᾱ_prev)  (Eq. 16), with ᾱ_{−1} = 1. */
    public static double sigma(Schedule s, int t, int tPrev, double eta) {
        if (!(eta >= 0)) throw new IllegalArgumentException("Ddim.sigma: eta must be ≥ 0, got " + eta);
        double ab = s.alphaBar(t), abPrev = s.alphaBar(tPrev);
        double variance = (1 - abPrev) / (1 - ab) * (1 - ab / abPrev);
        return eta * Math.sqrt(variance);
    }

    /**
     * One step from t to tPrev given ε_θ(x_t, t) (diffusers DDIMScheduler.step with
     * use_clipped_model_output = False, set_alpha_to_one = True):
     * x_prev = √ᾱ_prev·x̂0 + √(1−ᾱ_prev−σ²)·ε_θ + σ·z. z is only read when σ > 0.
     */
    public static Tensor step(Schedule s, Tensor xt, int t, int tPrev, Tensor eps, double eta, boolean clip, Tensor z) {
        Ddpm.checkTimestep("Ddim.step", t, s.steps(), false);
        Ddpm.checkTimestep("Ddim.step", tPrev, s.steps(), true);
        if (tPrev >= t) throw new IllegalArgumentException("Ddim.step: tPrev must be below t, got t = " + t + ", tPrev = " + tPrev);
        Ddpm.sameShape("Ddim.step", xt, eps);
        double abPrev = s.alphaBar(tPrev);
        // x̂0 = (x_t − √(1−ᾱ_t)·ε_θ)/√ᾱ_t
        Tensor x0 = Ddpm.predictX0(s, xt, Ddpm.same(t, xt), eps, Ddpm.Prediction.EPSILON);
        if (clip) x0 = Selection.clamp(x0, -1, 1);
        double sigma = sigma(s, t, tPrev, eta);
        // x_prev = √ᾱ_prev·x̂0 + √(1−ᾱ_prev−σ²)·ε_θ
        Tensor prev = x0.mul(Math.sqrt(abPrev)).add(eps.mul(Math.sqrt(1 - abPrev - sigma * sigma)));
        if (eta > 0) {
            Ddpm.sameShape("Ddim.step (noise z)", xt, z);
            // + σ_t·z
            prev = prev.add(z.mul(sigma));
        }
        return prev;
    }

    /** Sampling over descending timesteps τ from x_T; z.get(i) is step i's noise (may be null when η = 0). */
    public static Tensor sample(Schedule s, Denoiser epsTheta, Tensor xT, int[] timesteps, double eta, boolean clip, List<Tensor> z) {
        Ddpm.descending("Ddim.sample", timesteps, s.steps());
        if (eta > 0 && (z == null || z.size() != timesteps.length)) {
            throw new IllegalArgumentException("Ddim.sample: eta > 0 needs one noise tensor per step, got "
                    + (z == null ? "none" : z.size()) + " for " + timesteps.length + " steps");
        }
        Tensor x = xT;
        for (int i = 0; i < timesteps.length; i++) {
            int t = timesteps[i], prev = i + 1 < timesteps.length ? timesteps[i + 1] : -1;
            x = step(s, x, t, prev, epsTheta.apply(x, t), eta, clip, eta > 0 ? z.get(i) : null);
        }
        return x;
    }

    /**
     * Deterministic inversion (η = 0 run forwards in time): from x0 through the ascending timesteps
     * τ, x_next = √ᾱ_next·x̂0 + √(1−ᾱ_next)·ε with ε = ε_θ(x_cur, next), the usual approximation
     * ε_θ(x_{t−1}, t) ≈ ε_θ(x_t, t). Decoding the result with {@link #sample} (η = 0, the same τ
     * descending) returns to x0 up to the discretisation error.
     */
    public static Tensor invert(Schedule s, Denoiser epsTheta, Tensor x0, int[] timesteps) {
        Ddpm.descending("Ddim.invert", timesteps, s.steps());
        Tensor x = x0;
        double abCur = 1.0;
        for (int i = timesteps.length - 1; i >= 0; i--) {
            int next = timesteps[i];
            double abNext = s.alphaBar(next);
            Tensor eps = epsTheta.apply(x, next);
            // x̂0 = (x − √(1−ᾱ_cur)·ε)/√ᾱ_cur
            Tensor xHat = x.sub(eps.mul(Math.sqrt(1 - abCur))).mul(1 / Math.sqrt(abCur));
            // x_next = √ᾱ_next·x̂0 + √(1−ᾱ_next)·ε
            x = xHat.mul(Math.sqrt(abNext)).add(eps.mul(Math.sqrt(1 - abNext)));
            abCur = abNext;
        }
        return x;
    }
}
