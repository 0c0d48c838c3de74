package zerotoml.scratch.diffusion;

import java.util.List;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Reductions;
import zerotoml.scratch.tensor.Tensor;

/**
 * "Score-Based Generative Modeling through Stochastic Differential Equations", Song,
 * Sohl-Dickstein, Kingma, Kumar, Ermon and Poole, arXiv 2011.13456.
 *
 * <p>The forward SDE dx = f(x,t)dt + g(t)dw for t in [0, 1] in three families (VE, VP, sub-VP, as
 * score_sde_pytorch's {@code sde_lib.py}), their Gaussian marginals, the denoising score-matching
 * loss ({@code losses.get_sde_loss_fn}), and the samplers of {@code sampling.py}: Euler–Maruyama,
 * the reverse-diffusion predictor, predictor-corrector with the Langevin corrector (corrector
 * first, as the code does), and the probability-flow ODE dx/dt = f − ½g²∇log p_t, here with fixed
 * Euler or Heun steps instead of scipy's adaptive RK45. The score is a {@link Denoiser}: s(x, t).
 * See notes/ScoreSde.md.
 */
public final class ScoreSde {
    private ScoreSde() {}

    /** The SDE family. */
    public enum Kind { VE, VP, SUB_VP }

    /**
     * One forward SDE on t ∈ [0, 1] with N discretisation steps. VE: a = σ_min, b = σ_max, with
     * σ(t) = σ_min(σ_max/σ_min)^t, f = 0, g = σ(t)√(2 ln(σ_max/σ_min)) (defaults 0.01, 50, 1000).
     * VP: a = β0, b = β1, with β(t) = β0 + t(β1 − β0), f = −½β(t)x, g = √β(t) (defaults 0.1, 20,
     * 1000). sub-VP: the VP drift with g = √(β(t)(1 − e^{−2β0t − (β1−β0)t²})).
     */
    public record Sde(Kind kind, double a, double b, int n) {
        public Sde {
            if (kind == null) throw new IllegalArgumentException("ScoreSde.Sde: kind is required");
            if (!(a > 0 && b >= a) || (kind == Kind.VE && b == a) || n < 1) {
                throw new IllegalArgumentException("ScoreSde.Sde: " + kind + " needs 0 < " + (kind == Kind.VE ? "sigmaMin < sigmaMax" : "beta0 ≤ beta1")
                        + " and n ≥ 1, got " + a + ", " + b + ", " + n);
            }
        }
    }

    public static Sde ve(double sigmaMin, double sigmaMax, int n) {
        return new Sde(Kind.VE, sigmaMin, sigmaMax, n);
    }

    public static Sde vp(double beta0, double beta1, int n) {
        return new Sde(Kind.VP, beta0, beta1, n);
    }

    public static Sde subVp(double beta0, double beta1, int n) {
        return new Sde(Kind.SUB_VP, beta0, beta1, n);
    }

    // ------------------------------------------------------------------ coefficients

    // Every coefficient is computed one elementary operation at a time, each rounded to the dtype, in
    // sde_lib.py's order: that is what a float32 tensor expression does, and it matters where the
    // expression cancels, e.g. 1 − e^{2·lmc} at t ≈ 1e-5 loses ~6% of the VP std in float32.

    static double beta(double b0, double b1, double t, DType d) {
        // β(t) = β0 + t·(β1 − β0)
        return d.round(b0 + d.round(t * (b1 - b0)));
    }

    /** log m(t) = −¼t²(β1−β0) − ½tβ0 for VP and sub-VP. */
    static double logMeanCoeff(double b0, double b1, double t, DType d) {
        double a = d.round(d.round(-0.25 * d.round(t * t)) * (b1 - b0));
        return d.round(a - d.round(d.round(0.5 * t) * b0));
    }

    /** The marginal's mean coefficient m(t): x_t ~ N(m(t)·x0, std(t)²). */
    public static double meanCoeff(Sde sde, double t) {
        return meanCoeff(sde, t, DType.F64);
    }

    public static double meanCoeff(Sde sde, double t, DType d) {
        return sde.kind() == Kind.VE ? 1.0 : d.round(Math.exp(logMeanCoeff(sde.a(), sde.b(), t, d)));
    }

    /** The marginal's std: σ(t) (VE), √(1 − e^{2 lmc}) (VP), 1 − e^{2 lmc} (sub-VP: not a square root). */
    public static double std(Sde sde, double t) {
        return std(sde, t, DType.F64);
    }

    public static double std(Sde sde, double t, DType d) {
        return switch (sde.kind()) {
            case VE -> d.round(sde.a() * d.round(Math.pow(d.round(sde.b() / sde.a()), t)));
            case VP -> d.round(Math.sqrt(d.round(1 - d.round(Math.exp(d.round(2 * logMeanCoeff(sde.a(), sde.b(), t, d)))))));
            case SUB_VP -> d.round(1 - d.round(Math.exp(d.round(2 * logMeanCoeff(sde.a(), sde.b(), t, d)))));
        };
    }

    /** g(t). */
    public static double diffusion(Sde sde, double t) {
        return diffusion(sde, t, DType.F64);
    }

    public static double diffusion(Sde sde, double t, DType d) {
        double b0 = sde.a(), b1 = sde.b();
        return switch (sde.kind()) {
            case VE -> d.round(std(sde, t, d) * d.round(Math.sqrt(d.round(2 * (Math.log(b1) - Math.log(b0))))));
            case VP -> d.round(Math.sqrt(beta(b0, b1, t, d)));
            case SUB_VP -> {
                // discount = 1 − exp(−2β0·t − (β1−β0)·t²)
                double e = d.round(d.round(-2 * b0 * t) - d.round((b1 - b0) * d.round(t * t)));
                double discount = d.round(1 - d.round(Math.exp(e)));
                yield d.round(Math.sqrt(d.round(beta(b0, b1, t, d) * discount)));
            }
        };
    }

    /** f(x, t): 0 (VE) or −½β(t)x (VP, sub-VP). */
    public static Tensor drift(Sde sde, Tensor x, double t) {
        return sde.kind() == Kind.VE ? x.mul(0.0) : x.mul(x.dtype().round(-0.5 * beta(sde.a(), sde.b(), t, x.dtype())));
    }

    /** The prior's std at t = 1: σ_max for VE (not 1), 1 for VP and sub-VP. */
    public static double priorStd(Sde sde) {
        return sde.kind() == Kind.VE ? sde.b() : 1.0;
    }

    // ------------------------------------------------------------------ marginals and the loss

    /** The marginal mean m(t_b)·x0 with one time per row. */
    public static Tensor marginalMean(Sde sde, Tensor x0, double[] t) {
        return perRow(x0, t, u -> meanCoeff(sde, u, x0.dtype()), "ScoreSde.marginalMean").mul(x0);
    }

    /** x_t = m(t)·x0 + std(t)·z, one time per row (the perturbed sample of get_sde_loss_fn). */
    public static Tensor perturb(Sde sde, Tensor x0, double[] t, Tensor z) {
        Ddpm.sameShape("ScoreSde.perturb", x0, z);
        return marginalMean(sde, x0, t).add(perRow(x0, t, u -> std(sde, u, x0.dtype()), "ScoreSde.perturb").mul(z));
    }

    /** The exact score of the perturbation kernel: −z/std(t) (what the network is trained towards). */
    public static Tensor kernelScore(Sde sde, Tensor z, double[] t) {
        return z.neg().div(perRow(z, t, u -> std(sde, u, z.dtype()), "ScoreSde.kernelScore"));
    }

    /**
     * Denoising score matching (Eq. 7) as get_sde_loss_fn: per row, reduce (mean or sum) over the
     * other axes of ‖s·std + z‖² (λ = σ²), or of ‖s + z/std‖²·g(t)² with likelihood weighting; then
     * the mean over rows.
     */
    public static Tensor dsmLoss(Sde sde, Tensor score, Tensor z, double[] t, boolean reduceMean, boolean likelihoodWeighting) {
        Ddpm.sameShape("ScoreSde.dsmLoss", score, z);
        Tensor std = perRow(z, t, u -> std(sde, u, z.dtype()), "ScoreSde.dsmLoss");
        Tensor per;
        if (!likelihoodWeighting) {
            // ‖s·σ + z‖²
            Tensor r = score.mul(std).add(z);
            per = r.mul(r);
        } else {
            // ‖s + z/σ‖²·g²
            Tensor r = score.add(z.div(std));
            per = r.mul(r).mul(perRow(z, t, u -> z.dtype().round(Math.pow(diffusion(sde, u, z.dtype()), 2)), "ScoreSde.dsmLoss"));
        }
        int[] axes = new int[score.rank() - 1];
        for (int i = 0; i < axes.length; i++) axes[i] = i + 1;
        Tensor rows = axes.length == 0 ? per : reduceMean ? Reductions.mean(per, axes, false) : Reductions.sum(per, axes, false);
        return Reductions.mean(rows);
    }

    // ------------------------------------------------------------------ reverse-time steps

    /** The reverse SDE's drift f − g²s (or the PF-ODE's f − ½g²s). */
    public static Tensor reverseDrift(Sde sde, Tensor x, double t, Tensor score, boolean probabilityFlow) {
        Ddpm.sameShape("ScoreSde.reverseDrift", x, score);
        DType d = x.dtype();
        double g = diffusion(sde, t, d);
        // f − g²·s·(½ for the ODE)
        return drift(sde, x, t).sub(score.mul(d.round(g * g)).mul(probabilityFlow ? 0.5 : 1.0));
    }

    /** Euler–Maruyama predictor: x̄ = x − (f − g²s)/N, x = x̄ + g√(1/N)·z. Returns {x, x̄}. */
    public static Tensor[] eulerMaruyamaStep(Sde sde, Tensor x, double t, Tensor score, Tensor z) {
        double dt = -1.0 / sde.n();
        // x̄ = x + (f − g²s)·dt with dt = −1/N
        Tensor mean = x.add(reverseDrift(sde, x, t, score, false).mul(dt));
        Ddpm.sameShape("ScoreSde.eulerMaruyamaStep (noise z)", x, z);
        // x = x̄ + g·√|dt|·z
        return new Tensor[] {mean.add(z.mul(x.dtype().round(diffusion(sde, t, x.dtype()) * Math.sqrt(-dt)))), mean};
    }

    /** One discretised forward step: x_{i+1} = x_i + f + g·z. */
    record Discrete(Tensor f, double g) {}

    /** The discretised forward step x_{i+1} = x_i + f_i + G_i z of sde_lib's discretize, at i = ⌊t(N−1)⌋. */
    static Discrete discretize(Sde sde, Tensor x, double t) {
        int n = sde.n();
        DType d = x.dtype();
        int k = index(sde, t, d);
        return switch (sde.kind()) {
            case VP -> {
                double b = definedBeta("ScoreSde.reverseDiffusionStep", sde, k, d);
                // f = √α_i·x − x, G = √β_i
                yield new Discrete(x.mul(d.round(Math.sqrt(d.round(1 - b)))).sub(x), d.round(Math.sqrt(b)));
            }
            case VE -> {
                double s = discreteSigma(sde, k, d), adj = k == 0 ? 0 : discreteSigma(sde, k - 1, d);
                // f = 0, G = √(σ_i² − σ_{i−1}²)
                yield new Discrete(x.mul(0.0), d.round(Math.sqrt(d.round(d.round(s * s) - d.round(adj * adj)))));
            }
            case SUB_VP -> new Discrete(drift(sde, x, t).mul(1.0 / n), d.round(diffusion(sde, t, d) * d.round(Math.sqrt(1.0 / n))));
        };
    }

    /** i = ⌊t(N−1)⌋ with the product rounded to the dtype first, as (t·(N−1)/T).long() on a tensor. */
    static int index(Sde sde, double t, DType dtype) {
        return (int) dtype.round(t * (sde.n() - 1));
    }

    /** β_i of torch.linspace(β0/N, β1/N, N). */
    static double discreteBeta(double b0, double b1, int n, int k, DType d) {
        return d.round(n == 1 ? b0 / n : b0 / n + k * (b1 / n - b0 / n) / (n - 1));
    }

    /**
     * The fewest steps N for which the discrete chain of the reverse-diffusion predictor and the
     * Langevin corrector is defined: VP and sub-VP use β_i = β(t)/N (up to β1/N at the last index)
     * in √(1 − β_i) and α_i = 1 − β_i, so they need every β_i &lt; 1, i.e. N &gt; β1; VE has no such
     * limit (1). With fewer steps score_sde_pytorch returns NaN samples; here those steps refuse them (definedBeta).
     */
    public static int fewestDiscreteSteps(Sde sde) {
        return sde.kind() == Kind.VE ? 1 : (int) Math.floor(sde.b()) + 1;
    }

    /**
     * β_i of a VP or sub-VP chain, refused where it is 1 or more: √(1 − β_i) and α_i = 1 − β_i are
     * then undefined, and score_sde_pytorch returns NaN samples without a word.
     */
    static double definedBeta(String op, Sde sde, int k, DType d) {
        double b = discreteBeta(sde.a(), sde.b(), sde.n(), k, d);
        if (!(b < 1)) {
            throw new IllegalArgumentException(op + ": the discrete " + sde.kind() + " chain has beta_" + k + " = " + b + " >= 1 with N = " + sde.n()
                    + " steps (beta_i = beta(t)/N, up to beta1/N = " + sde.b() + "/" + sde.n() + "), where sqrt(1 - beta_i) is undefined; use N >= "
                    + fewestDiscreteSteps(sde));
        }
        return b;
    }

    /** σ_i = exp(linspace(ln σ_min, ln σ_max, N))_i. */
    static double discreteSigma(Sde ve, int k, DType d) {
        int n = ve.n();
        double lo = Math.log(ve.a()), hi = Math.log(ve.b());
        return d.round(Math.exp(d.round(n == 1 ? lo : lo + k * (hi - lo) / (n - 1))));
    }

    /** Reverse-diffusion predictor: x̄ = x − (f_i − G_i²s), x = x̄ + G_i·z. Returns {x, x̄}. */
    public static Tensor[] reverseDiffusionStep(Sde sde, Tensor x, double t, Tensor score, Tensor z) {
        Ddpm.sameShape("ScoreSde.reverseDiffusionStep", x, score);
        Discrete d = discretize(sde, x, t);
        Tensor f = d.f();
        double g = d.g();
        // x̄ = x − (f − G²s)
        Tensor mean = x.sub(f.sub(score.mul(g * g)));
        Ddpm.sameShape("ScoreSde.reverseDiffusionStep (noise z)", x, z);
        return new Tensor[] {mean.add(z.mul(g)), mean};
    }

    /**
     * One Langevin corrector step at signal-to-noise ratio r: ε = 2α_i(r‖z‖/‖s‖)² with the norms
     * averaged over the batch (per-row L2 norms, then their mean), α_i = 1 − β_i for VP and sub-VP
     * (the VP schedule's discrete α, which sub-VP shares) and 1 for VE; x̄ = x + ε·s, x = x̄ + √(2ε)·z.
     */
    public static Tensor[] langevinStep(Sde sde, Tensor x, double t, Tensor score, double snr, Tensor z) {
        Ddpm.sameShape("ScoreSde.langevinStep", x, score);
        Ddpm.sameShape("ScoreSde.langevinStep (noise z)", x, z);
        int k = index(sde, t, x.dtype());
        double alpha = sde.kind() == Kind.VE ? 1.0 : x.dtype().round(1 - definedBeta("ScoreSde.langevinStep", sde, k, x.dtype()));
        double gradNorm = meanRowNorm(score), noiseNorm = meanRowNorm(z);
        // ε = 2α·(r·‖z‖/‖s‖)²
        double ratio = x.dtype().round(x.dtype().round(snr * noiseNorm) / gradNorm);
        DType d = x.dtype();
        double stepSize = d.round(d.round(d.round(ratio * ratio) * 2) * alpha);
        // x̄ = x + ε·s;  x = x̄ + √(2ε)·z
        Tensor mean = x.add(score.mul(stepSize));
        return new Tensor[] {mean.add(z.mul(d.round(Math.sqrt(d.round(2 * stepSize))))), mean};
    }

    static double meanRowNorm(Tensor x) {
        int b = x.shape().dim(0), per = x.size() / b;
        double[] v = x.toArray();
        double sum = 0;
        for (int i = 0; i < b; i++) {
            double s = 0;
            for (int j = 0; j < per; j++) s += v[i * per + j] * v[i * per + j];
            sum += x.dtype().round(Math.sqrt(s));
        }
        return x.dtype().round(sum / b);
    }

    // ------------------------------------------------------------------ samplers

    /** The predictor of a PC sampler. */
    public enum Predictor { EULER_MARUYAMA, REVERSE_DIFFUSION, NONE }

    /** The time grid of sampling.py: linspace(1, eps, N), from t = 1 down to t = eps. */
    public static double[] timeGrid(int n, double eps) {
        return timeGrid(n, eps, DType.F64);
    }

    /**
     * The grid as a tensor in dtype d: t_i = 1 + i·step with step = (eps − 1)/(N − 1) a constant in
     * d and one rounding per operation (arange(N)·step + 1), so a float32 sampler sees the float32
     * times PyTorch's does; rounding the exact 1 + i·step once can land one ulp away.
     */
    public static double[] timeGrid(int n, double eps, DType d) {
        if (n < 1) throw new IllegalArgumentException("ScoreSde.timeGrid: n must be ≥ 1, got " + n);
        double step = d.round((eps - 1.0) / Math.max(1, n - 1));
        double[] ts = new double[n];
        // t_i = 1 + i·step
        for (int i = 0; i < n; i++) ts[i] = n == 1 ? 1.0 : d.round(1.0 + d.round(i * step));
        return ts;
    }

    /**
     * Predictor-corrector sampling (sampling.get_pc_sampler) over N = sde.n() times from
     * linspace(1, eps, N): at each time, the Langevin corrector's steps (if correctorSteps > 0) and
     * then the predictor, each consuming one noise tensor from z in that order. Returns the
     * last noise-free mean x̄ (denoise = True).
     */
    public static Tensor pcSample(Sde sde, Denoiser score, Tensor xT, Predictor predictor, int correctorSteps, double snr, double eps, List<Tensor> z) {
        int n = sde.n();
        int per = correctorSteps + (predictor == Predictor.NONE ? 0 : 1);
        if (per == 0) throw new IllegalArgumentException("ScoreSde.pcSample: need a predictor or at least one corrector step");
        if (z.size() != n * per) {
            throw new IllegalArgumentException("ScoreSde.pcSample: need " + per + " noise tensors per step × " + n + " steps = " + n * per + ", got " + z.size());
        }
        // a chain with beta_i >= 1 is refused by its first step (t = 1 holds the largest beta_i): see definedBeta
        // the grid is a tensor in the sample's dtype in sampling.py
        double[] ts = timeGrid(n, eps, xT.dtype());
        Tensor x = xT, mean = xT;
        int k = 0;
        for (double t : ts) {
            for (int c = 0; c < correctorSteps; c++) {
                Tensor[] r = langevinStep(sde, x, t, score.apply(x, t), snr, z.get(k++));
                x = r[0];
                mean = r[1];
            }
            if (predictor != Predictor.NONE) {
                Tensor s = score.apply(x, t);
                Tensor[] r = predictor == Predictor.EULER_MARUYAMA ? eulerMaruyamaStep(sde, x, t, s, z.get(k++)) : reverseDiffusionStep(sde, x, t, s, z.get(k++));
                x = r[0];
                mean = r[1];
            }
        }
        return mean;
    }

    /** Euler–Maruyama alone (a PC sampler with no corrector). */
    public static Tensor eulerMaruyama(Sde sde, Denoiser score, Tensor xT, double eps, List<Tensor> z) {
        return pcSample(sde, score, xT, Predictor.EULER_MARUYAMA, 0, 0, eps, z);
    }

    /** How the probability-flow ODE is integrated: fixed Euler or Heun (trapezoidal) steps. */
    public enum Ode { EULER, HEUN }

    /**
     * The probability-flow ODE dx/dt = f − ½g²s integrated with {@code steps} fixed steps between
     * t = from and t = to (from 1 to eps samples; from eps to 1 encodes). Deterministic.
     */
    public static Tensor probabilityFlow(Sde sde, Denoiser score, Tensor x, double from, double to, int steps, Ode method) {
        if (steps < 1) throw new IllegalArgumentException("ScoreSde.probabilityFlow: steps must be ≥ 1, got " + steps);
        double h = (to - from) / steps;
        for (int i = 0; i < steps; i++) {
            double t = from + i * h, tNext = from + (i + 1) * h;
            // the SDE's coefficients take t as a tensor in x's dtype (vec_t = ones·t in sampling.py), the score the step's t
            DType d = x.dtype();
            // k1 = f(x, t) − ½g(t)²s(x, t)
            Tensor k1 = reverseDrift(sde, x, d.round(t), score.apply(x, t), true);
            if (method == Ode.EULER) {
                x = x.add(k1.mul(h));
            } else {
                Tensor xe = x.add(k1.mul(h));
                Tensor k2 = reverseDrift(sde, xe, d.round(tNext), score.apply(xe, tNext), true);
                // x ← x + h/2·(k1 + k2)
                x = x.add(k1.add(k2).mul(h / 2));
            }
        }
        return x;
    }

    // ------------------------------------------------------------------ shared

    /** A per-row coefficient c(t_b), shaped [B, 1, ..., 1] in x's dtype. */
    static Tensor perRow(Tensor x, double[] t, java.util.function.DoubleUnaryOperator c, String op) {
        if (x.rank() < 1 || t.length != x.shape().dim(0)) {
            throw new IllegalArgumentException(op + ": need one time per row, got " + t.length + " times for x of shape " + x.shape());
        }
        DType dt = x.dtype();
        double[] v = new double[t.length];
        for (int i = 0; i < t.length; i++) v[i] = c.applyAsDouble(t[i]);
        return Ddpm.asRows(Tensor.of(dt, v, t.length), x.rank());
    }

    /** The score from an ε-prediction at a VP/sub-VP time: s = −ε/std(t) (models/utils.get_score_fn). */
    public static Tensor scoreFromEps(Sde sde, Tensor eps, double t) {
        return eps.mul(-1.0 / std(sde, t));
    }

}
