package zerotoml.scratch.diffusion;

import java.util.List;
import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Indexing;
import zerotoml.scratch.tensor.Losses;
import zerotoml.scratch.tensor.Selection;
import zerotoml.scratch.tensor.Shapes;
import zerotoml.scratch.tensor.Tensor;

/**
 * "Denoising Diffusion Probabilistic Models", Ho, Jain and Abbeel, arXiv 2006.11239.
 *
 * <p>Timesteps are indexed 0..T−1 in code (the paper's 1..T). The schedule is a record of three
 * vectors [T]; everything else is a pure function of (schedule, tensors, integer timesteps). The
 * sampler step follows diffusers' {@code DDPMScheduler.step}: x̂0 first (from ε, x0 or v), clipped
 * when asked, then the posterior mean of Eq. 7 with x̂0, so that a respaced timestep subsequence
 * works too (β'_t = 1 − ᾱ_t/ᾱ_prev). {@link #stepAlgorithm2} is the paper's ε form; the two agree
 * when nothing is clipped. See notes/Ddpm.md.
 */
public final class Ddpm {
    private Ddpm() {}

    /** What the network predicts. */
    public enum Prediction { EPSILON, SAMPLE, V }

    /** σ_t² of the reverse step: β̃_t (diffusers "fixed_small") or β_t ("fixed_large"). */
    public enum Variance { FIXED_SMALL, FIXED_LARGE }

    /** The noise schedule: betas, alphas = 1 − betas and alphaBar = cumprod(alphas), each [T]. */
    public record Schedule(Tensor betas, Tensor alphas, Tensor alphaBar) {
        public Schedule {
            if (betas.rank() != 1 || !betas.shape().equals(alphas.shape()) || !betas.shape().equals(alphaBar.shape())) {
                throw new IllegalArgumentException("Ddpm.Schedule: betas, alphas, alphaBar must be vectors of one length, got "
                        + betas.shape() + ", " + alphas.shape() + ", " + alphaBar.shape());
            }
        }

        public int steps() {
            return betas.shape().dim(0);
        }

        public DType dtype() {
            return betas.dtype();
        }

        /** ᾱ_t, with ᾱ_{−1} = 1 (diffusers' "one" for the step after the last). */
        public double alphaBar(int t) {
            checkTimestep("Ddpm.Schedule.alphaBar", t, steps(), true);
            return t < 0 ? 1.0 : alphaBar.get(t);
        }
    }

    /** Sampler options: what the network predicts, σ², and x̂0 clipping to ±clipRange (diffusers' clip_sample). */
    public record Options(Prediction prediction, Variance variance, boolean clip, double clipRange) {
        public Options {
            if (prediction == null || variance == null) throw new IllegalArgumentException("Ddpm.Options: prediction and variance are required");
            if (clip && !(clipRange > 0)) throw new IllegalArgumentException("Ddpm.Options: clipRange must be > 0, got " + clipRange);
        }

        /** ε prediction, β̃, no clipping: Algorithm 2 with σ² = β̃. */
        public static Options epsilon() {
            return new Options(Prediction.EPSILON, Variance.FIXED_SMALL, false, 1.0);
        }
    }

    // ------------------------------------------------------------------ schedules

    /** β linear from betaStart to betaEnd over T steps (paper: 1e-4 to 0.02, T = 1000). */
    public static Schedule linear(DType dtype, int steps, double betaStart, double betaEnd) {
        if (steps < 1) throw new IllegalArgumentException("Ddpm.linear: steps must be ≥ 1, got " + steps);
        if (!(betaStart > 0 && betaEnd < 1 && betaStart <= betaEnd)) {
            throw new IllegalArgumentException("Ddpm.linear: need 0 < betaStart ≤ betaEnd < 1, got " + betaStart + ", " + betaEnd);
        }
        double[] b = new double[steps];
        // β_t = β_1 + (t/(T−1))·(β_T − β_1)
        for (int t = 0; t < steps; t++) b[t] = steps == 1 ? betaStart : betaStart + t * (betaEnd - betaStart) / (steps - 1);
        return fromBetas(Tensor.of(dtype, b, steps));
    }

    /**
     * The cosine schedule of Nichol and Dhariwal (arXiv 2102.09672, diffusers "squaredcos_cap_v2"):
     * β_t = min(1 − f((t+1)/T)/f(t/T), 0.999) with f(u) = cos²((u + 0.008)/1.008 · π/2).
     */
    public static Schedule cosine(DType dtype, int steps) {
        if (steps < 1) throw new IllegalArgumentException("Ddpm.cosine: steps must be ≥ 1, got " + steps);
        double[] b = new double[steps];
        for (int t = 0; t < steps; t++) b[t] = Math.min(1 - cosineAlphaBar((t + 1.0) / steps) / cosineAlphaBar((double) t / steps), 0.999);
        return fromBetas(Tensor.of(dtype, b, steps));
    }

    static double cosineAlphaBar(double u) {
        double c = Math.cos((u + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /** alphas = 1 − β and ᾱ_t = ∏_{s≤t} α_s (a running product, each value rounded to the dtype). */
    public static Schedule fromBetas(Tensor betas) {
        if (betas.rank() != 1) throw new IllegalArgumentException("Ddpm.fromBetas: betas must be a vector, got shape " + betas.shape());
        DType dt = betas.dtype();
        double[] b = betas.toArray();
        double[] a = new double[b.length], ab = new double[b.length];
        double run = 1;
        for (int t = 0; t < b.length; t++) {
            if (!(b[t] > 0 && b[t] < 1)) throw new IllegalArgumentException("Ddpm.fromBetas: β_" + t + " = " + b[t] + " is not in (0, 1)");
            a[t] = dt.round(1 - b[t]);
            // ᾱ_t = ᾱ_{t−1}·α_t
            run *= a[t];
            ab[t] = dt.round(run);
        }
        return new Schedule(betas, Tensor.of(dt, a, b.length), Tensor.of(dt, ab, b.length));
    }

    /** The schedule restricted to a strided subsequence τ (ascending): β'_i = 1 − ᾱ_{τ_i}/ᾱ_{τ_{i−1}} (DDIM §4.2, "respacing"). */
    public static Schedule respaced(Schedule s, int[] tau) {
        double[] b = new double[tau.length];
        for (int i = 0; i < tau.length; i++) {
            if (i > 0 && tau[i] <= tau[i - 1]) throw new IllegalArgumentException("Ddpm.respaced: tau must be ascending, got tau[" + i + "] = " + tau[i]);
            b[i] = 1 - s.alphaBar(tau[i]) / (i == 0 ? 1.0 : s.alphaBar(tau[i - 1]));
        }
        return fromBetas(Tensor.of(s.dtype(), b, tau.length));
    }

    // ------------------------------------------------------------------ forward process and posterior

    /** x_t = √ᾱ_t·x0 + √(1−ᾱ_t)·ε (Eq. 4), with one timestep per row of x0 (diffusers add_noise). */
    public static Tensor qSample(Schedule s, Tensor x0, int[] t, Tensor eps) {
        sameShape("Ddpm.qSample", x0, eps);
        Tensor ab = rows(s.alphaBar(), t, x0, "Ddpm.qSample");
        return Arithmetic.sqrt(ab).mul(x0).add(Arithmetic.sqrt(oneMinus(ab)).mul(eps));
    }

    /** v = √ᾱ_t·ε − √(1−ᾱ_t)·x0 (Salimans and Ho, arXiv 2202.00512; diffusers get_velocity). */
    public static Tensor velocity(Schedule s, Tensor x0, int[] t, Tensor eps) {
        sameShape("Ddpm.velocity", x0, eps);
        Tensor ab = rows(s.alphaBar(), t, x0, "Ddpm.velocity");
        return Arithmetic.sqrt(ab).mul(eps).sub(Arithmetic.sqrt(oneMinus(ab)).mul(x0));
    }

    /** x̂0 from the network output at per-row timesteps: (x_t − √(1−ᾱ)ε)/√ᾱ, x0 itself, or √ᾱ·x_t − √(1−ᾱ)·v. */
    public static Tensor predictX0(Schedule s, Tensor xt, int[] t, Tensor out, Prediction p) {
        sameShape("Ddpm.predictX0", xt, out);
        Tensor ab = rows(s.alphaBar(), t, xt, "Ddpm.predictX0");
        return switch (p) {
            // x̂0 = (x_t − √(1−ᾱ_t)·ε_θ)/√ᾱ_t
            case EPSILON -> xt.sub(Arithmetic.sqrt(oneMinus(ab)).mul(out)).div(Arithmetic.sqrt(ab));
            case SAMPLE -> out;
            // x̂0 = √ᾱ_t·x_t − √(1−ᾱ_t)·v
            case V -> Arithmetic.sqrt(ab).mul(xt).sub(Arithmetic.sqrt(oneMinus(ab)).mul(out));
        };
    }

    /** ε̂ from the network output: ε itself, (x_t − √ᾱ·x0)/√(1−ᾱ), or √ᾱ·v + √(1−ᾱ)·x_t. */
    public static Tensor predictEps(Schedule s, Tensor xt, int[] t, Tensor out, Prediction p) {
        sameShape("Ddpm.predictEps", xt, out);
        Tensor ab = rows(s.alphaBar(), t, xt, "Ddpm.predictEps");
        return switch (p) {
            case EPSILON -> out;
            // ε̂ = (x_t − √ᾱ_t·x̂0)/√(1−ᾱ_t)
            case SAMPLE -> xt.sub(Arithmetic.sqrt(ab).mul(out)).div(Arithmetic.sqrt(oneMinus(ab)));
            // ε̂ = √ᾱ_t·v + √(1−ᾱ_t)·x_t
            case V -> Arithmetic.sqrt(ab).mul(out).add(Arithmetic.sqrt(oneMinus(ab)).mul(xt));
        };
    }

    /** μ̃(x_t, x0) = √ᾱ_{t−1}β_t/(1−ᾱ_t)·x0 + √α_t(1−ᾱ_{t−1})/(1−ᾱ_t)·x_t (Eq. 7), per-row timesteps, with β_t = 1 − ᾱ_t/ᾱ_{t−1}. */
    public static Tensor posteriorMean(Schedule s, Tensor x0, Tensor xt, int[] t) {
        sameShape("Ddpm.posteriorMean", x0, xt);
        int[] prev = new int[t.length];
        for (int i = 0; i < t.length; i++) prev[i] = t[i] - 1;
        Tensor ab = rows(s.alphaBar(), t, xt, "Ddpm.posteriorMean");
        Tensor abPrev = rowsOrOne(s, prev, xt);
        // α' = ᾱ_t/ᾱ_{t−1} and β' = 1 − α' (β_t and α_t in exact arithmetic): at t = 0 the x0 coefficient is then exactly 1,
        // where β_0/(1−ᾱ_0) with ᾱ_0 = fl(1 − β_0) is off by ~1e-4 in float32 (diffusers computes it this way too)
        Tensor alpha = ab.div(abPrev), beta = oneMinus(alpha);
        Tensor c0 = Arithmetic.sqrt(abPrev).mul(beta).div(oneMinus(ab));
        Tensor ct = Arithmetic.sqrt(alpha).mul(oneMinus(abPrev)).div(oneMinus(ab));
        return c0.mul(x0).add(ct.mul(xt));
    }

    /**
     * β̃_t = β_t·(1−ᾱ_{t−1})/(1−ᾱ_t) for every t (Eq. 7), with ᾱ_{−1} = 1 so β̃_0 = 0. Written with β_t
     * itself, not diffusers' 1 − ᾱ_t/ᾱ_{t−1}: when ᾱ underflows to 0 in float32 (β up to 0.2 over
     * 1000 steps) the ratio is 0/0 and diffusers' variance is NaN, while this stays finite.
     */
    public static Tensor posteriorVariance(Schedule s) {
        int n = s.steps();
        double[] abPrev = new double[n];
        for (int t = 0; t < n; t++) abPrev[t] = s.alphaBar(t - 1);
        Tensor prev = Tensor.of(s.dtype(), abPrev, n);
        return s.betas().mul(oneMinus(prev)).div(oneMinus(s.alphaBar()));
    }

    /** L_simple = mean ‖target − prediction‖² (Eq. 14; the target is ε, x0 or v). */
    public static Tensor lossSimple(Tensor prediction, Tensor target) {
        return Losses.mse(prediction, target, Losses.Reduction.MEAN);
    }

    // ------------------------------------------------------------------ sampling

    /**
     * One reverse step from timestep t to tPrev (tPrev = t − 1 for the full chain, −1 after the
     * last step) given the network output, as diffusers' DDPMScheduler.step: x̂0, optional clip,
     * μ̃(x_t, x̂0) with β' = 1 − ᾱ_t/ᾱ_prev, then + σ·z when t > 0.
     */
    public static Tensor step(Schedule s, Tensor xt, int t, int tPrev, Tensor out, Options o, Tensor z) {
        checkTimestep("Ddpm.step", t, s.steps(), false);
        checkTimestep("Ddpm.step", tPrev, s.steps(), true);
        if (tPrev >= t) throw new IllegalArgumentException("Ddpm.step: tPrev must be below t, got t = " + t + ", tPrev = " + tPrev);
        sameShape("Ddpm.step", xt, out);
        double ab = s.alphaBar(t), abPrev = s.alphaBar(tPrev);
        double alpha = s.dtype().round(ab / abPrev), beta = s.dtype().round(1 - alpha);
        Tensor x0 = predictX0(s, xt, same(t, xt), out, o.prediction());
        // x̂0 ← clip(x̂0, −r, r)
        if (o.clip()) x0 = Selection.clamp(x0, -o.clipRange(), o.clipRange());
        // μ̃ = √ᾱ_prev·β'/(1−ᾱ_t)·x̂0 + √α'·(1−ᾱ_prev)/(1−ᾱ_t)·x_t
        Tensor mean = x0.mul(Math.sqrt(abPrev) * beta / (1 - ab)).add(xt.mul(Math.sqrt(alpha) * (1 - abPrev) / (1 - ab)));
        if (t == 0) return mean;
        sameShape("Ddpm.step (noise z)", xt, z);
        // σ² = β̃' = (1−ᾱ_prev)/(1−ᾱ_t)·β' (clamped at 1e-20), or β'
        double var = o.variance() == Variance.FIXED_SMALL ? Math.max((1 - abPrev) / (1 - ab) * beta, 1e-20) : beta;
        return mean.add(z.mul(Math.sqrt(var)));
    }

    /** Algorithm 2: x_{t−1} = (x_t − β_t/√(1−ᾱ_t)·ε_θ)/√α_t + σ_t·z, z unused at t = 0 (full chain only). */
    public static Tensor stepAlgorithm2(Schedule s, Tensor xt, int t, Tensor eps, Variance v, Tensor z) {
        checkTimestep("Ddpm.stepAlgorithm2", t, s.steps(), false);
        sameShape("Ddpm.stepAlgorithm2", xt, eps);
        double ab = s.alphaBar(t), alpha = s.alphas().get(t), beta = s.betas().get(t);
        // μ_θ = (x_t − β_t/√(1−ᾱ_t)·ε_θ)/√α_t  (Eq. 11)
        Tensor mean = xt.sub(eps.mul(beta / Math.sqrt(1 - ab))).mul(1 / Math.sqrt(alpha));
        if (t == 0) return mean;
        sameShape("Ddpm.stepAlgorithm2 (noise z)", xt, z);
        double var = v == Variance.FIXED_SMALL ? beta * (1 - s.alphaBar(t - 1)) / (1 - ab) : beta;
        return mean.add(z.mul(Math.sqrt(var)));
    }

    /**
     * Ancestral sampling over descending timesteps (all of T−1..0, or a respaced subsequence),
     * starting from x_T; z.get(i) is the noise of step i (ignored where the step's t is 0).
     */
    public static Tensor sample(Schedule s, Denoiser f, Tensor xT, int[] timesteps, Options o, List<Tensor> z) {
        descending("Ddpm.sample", timesteps, s.steps());
        if (z.size() != timesteps.length) {
            throw new IllegalArgumentException("Ddpm.sample: need one noise tensor per step, got " + z.size() + " for " + timesteps.length + " steps");
        }
        Tensor x = xT;
        for (int i = 0; i < timesteps.length; i++) {
            int t = timesteps[i], prev = i + 1 < timesteps.length ? timesteps[i + 1] : -1;
            x = step(s, x, t, prev, f.apply(x, t), o, z.get(i));
        }
        return x;
    }

    /** T−1, T−2, ..., 0. */
    public static int[] allTimesteps(int steps) {
        int[] ts = new int[steps];
        for (int i = 0; i < steps; i++) ts[i] = steps - 1 - i;
        return ts;
    }

    // ------------------------------------------------------------------ shared small pieces

    /** table[t[b]] reshaped to [B, 1, ..., 1] so it broadcasts over a batch like x. */
    static Tensor rows(Tensor table, int[] t, Tensor x, String op) {
        if (x.rank() < 1 || t.length != x.shape().dim(0)) {
            throw new IllegalArgumentException(op + ": need one timestep per row, got " + t.length + " timesteps for x of shape " + x.shape());
        }
        for (int v : t) checkTimestep(op, v, table.shape().dim(0), false);
        return asRows(Indexing.indexSelect(table, 0, t), x.rank());
    }

    private static Tensor rowsOrOne(Schedule s, int[] t, Tensor x) {
        double[] v = new double[t.length];
        for (int i = 0; i < t.length; i++) v[i] = s.alphaBar(t[i]);
        return asRows(Tensor.of(s.dtype(), v, t.length), x.rank());
    }

    /** A vector [B] reshaped to [B, 1, ..., 1] of the given rank. */
    static Tensor asRows(Tensor v, int rank) {
        int[] d = new int[rank];
        java.util.Arrays.fill(d, 1);
        d[0] = v.shape().dim(0);
        return Shapes.reshape(v, d);
    }

    static Tensor oneMinus(Tensor x) {
        return x.neg().add(1.0);
    }

    static int[] same(int t, Tensor x) {
        int[] ts = new int[x.shape().dim(0)];
        java.util.Arrays.fill(ts, t);
        return ts;
    }

    static void sameShape(String op, Tensor a, Tensor b) {
        if (a == null || b == null) throw new IllegalArgumentException(op + ": tensors must not be null");
        if (!a.shape().equals(b.shape())) throw new IllegalArgumentException(op + ": shapes differ, " + a.shape() + " and " + b.shape());
    }

    static void checkTimestep(String op, int t, int steps, boolean allowMinusOne) {
        if (t >= steps || t < (allowMinusOne ? -1 : 0)) {
            throw new IllegalArgumentException(op + ": timestep " + t + " is outside 0.." + (steps - 1) + (allowMinusOne ? " (or −1)" : ""));
        }
    }

    static void descending(String op, int[] ts, int steps) {
        if (ts.length == 0) throw new IllegalArgumentException(op + ": no timesteps");
        for (int i = 0; i < ts.length; i++) {
            checkTimestep(op, ts[i], steps, false);
            if (i > 0 && ts[i] >= ts[i - 1]) throw new IllegalArgumentException(op + ": timesteps must descend, got " + ts[i - 1] + " then " + ts[i]);
        }
    }
}
