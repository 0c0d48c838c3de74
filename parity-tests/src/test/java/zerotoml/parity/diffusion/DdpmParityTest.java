package zerotoml.parity.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static zerotoml.parity.diffusion.DiffusionCases.*;
import static zerotoml.parity.diffusion.DiffusionCases.BETA_END;
import static zerotoml.parity.diffusion.DiffusionCases.BETA_START;
import static zerotoml.parity.diffusion.DiffusionCases.SCHEDULE;
import static zerotoml.parity.diffusion.DiffusionCases.T;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Precision;
import zerotoml.fixtures.Source;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Case.Arg;
import zerotoml.parity.harness.Case.Args;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.diffusion.Ddim;
import zerotoml.scratch.diffusion.Ddpm;
import zerotoml.scratch.diffusion.Ddpm.Options;
import zerotoml.scratch.diffusion.Ddpm.Prediction;
import zerotoml.scratch.diffusion.Ddpm.Variance;
import zerotoml.scratch.tensor.DType;

/**
 * DDPM against diffusers' DDPMScheduler written with DJL: the schedules (linear and cosine, with
 * ᾱ and β̃), add_noise, get_velocity, x̂0 for each prediction type, the posterior mean, L_simple,
 * one step (every prediction type, both variances, with and without clipping), and a whole short
 * trajectory through a toy network with the same injected noise.
 */
class DdpmParityTest {
    static final Arg<int[]> TIMES = Arg.ints("t");
    static final Arg<String> PREDICTION = Arg.text("prediction");
    static final Arg<Integer> T0 = Arg.integer("t0");
    static final Arg<Integer> PREV = Arg.integer("prev");
    static final Arg<String> VARIANCE = Arg.text("variance");
    static final Arg<Boolean> CLIP = Arg.bool("clip");
    static final Arg<int[]> TIMESTEPS = Arg.ints("timesteps");

    static final String[] PREDICTIONS = {"epsilon", "sample", "v_prediction"};

    static Prediction prediction(String p) {
        return switch (p) {
            case "epsilon" -> Prediction.EPSILON;
            case "sample" -> Prediction.SAMPLE;
            default -> Prediction.V;
        };
    }

    /** The probe input only carries the dtype and the manager; the output is [β; α; ᾱ; β̃] stacked. */
    static OpSpec schedule() {
        return OpSpec.op("Ddpm.schedule (betas, alphas, alphaBar, posteriorVariance)")
                .cases(s -> {
                    Args a = Args.NONE;
                    a = DiffusionCases.schedule(s, a, 60);
                    return new Case(List.of(new Arr(new int[] {1}, new double[] {0})), a, Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> {
                    var sc = scratchSchedule(c, dtype(x));
                    return stack(sc.betas(), sc.alphas(), sc.alphaBar(), Ddpm.posteriorVariance(sc));
                })
                .reference((c, x) -> {
                    var sc = Ref.schedule(c, x.get(0).getManager(), x.get(0).getDataType());
                    return stack(sc.betas(), sc.alphas(), sc.alphaBar(), Ref.posteriorVariance(sc));
                })
                .constantInputs(0)
                .noGradient("a schedule is a function of its hyper-parameters only");
    }

    /** Two tensors of one batch shape plus per-row timesteps. */
    static Case pair(Source s) {
        Args a = Args.NONE;
        a = DiffusionCases.schedule(s, a, 60);
        int[] shape = batchShape(s);
        a = a.with(TIMES, timesteps(s, shape[0], a.get(T)));
        a = a.with(PREDICTION, s.pick(PREDICTIONS));
        return new Case(List.of(arr(s, shape), arr(s, shape)), a, Cases.cotangentSeed(s));
    }

    static OpSpec qSample() {
        return OpSpec.op("Ddpm.qSample (add_noise)").cases(DdpmParityTest::pair)
                .scratch((c, x) -> Ddpm.qSample(scratchSchedule(c, dtype(x)), x.get(0), c.get(TIMES), x.get(1)))
                .reference((c, x) -> Ref.addNoise(Ref.schedule(c, x.get(0).getManager(), x.get(0).getDataType()), x.get(0), x.get(1), c.get(TIMES)))
                .rejects("noise of another shape", new Case(List.of(new Arr(new int[] {2, 3}, new double[6]), new Arr(new int[] {2, 2}, new double[4])), 0).with(SCHEDULE, "linear").with(T, 10).with(BETA_START, 1e-4).with(BETA_END, 0.02).with(TIMES, new int[] {1, 2}), "[2, 3]", "[2, 2]")
                .rejects("a timestep outside the schedule", new Case(List.of(new Arr(new int[] {2, 3}, new double[6]), new Arr(new int[] {2, 3}, new double[6])), 0).with(SCHEDULE, "linear").with(T, 10).with(BETA_START, 1e-4).with(BETA_END, 0.02).with(TIMES, new int[] {1, 10}), "timestep 10", "0..9");
    }

    static OpSpec velocity() {
        return OpSpec.op("Ddpm.velocity (get_velocity)").cases(DdpmParityTest::pair)
                .scratch((c, x) -> Ddpm.velocity(scratchSchedule(c, dtype(x)), x.get(0), c.get(TIMES), x.get(1)))
                .reference((c, x) -> Ref.getVelocity(Ref.schedule(c, x.get(0).getManager(), x.get(0).getDataType()), x.get(0), x.get(1), c.get(TIMES)));
    }

    static OpSpec predictX0() {
        return OpSpec.op("Ddpm.predictX0 (epsilon, sample, v_prediction)").cases(DdpmParityTest::pair)
                .scratch((c, x) -> Ddpm.predictX0(scratchSchedule(c, dtype(x)), x.get(0), c.get(TIMES), x.get(1),
                        prediction(c.get(PREDICTION))))
                .reference((c, x) -> Ref.predOriginal(Ref.schedule(c, x.get(0).getManager(), x.get(0).getDataType()), x.get(0), c.get(TIMES), x.get(1),
                        c.get(PREDICTION)))
                .conditioned(Precision.F32, OpSpec.Check.FORWARD, DdpmParityTest::predictX0Bound, X0_CANCELS);
    }

    static final String X0_CANCELS = "x₀ = (x_t − √(1−ᾱ)·ε)/√ᾱ (and √ᾱ·x_t − √(1−ᾱ)·v) cancels when its two terms nearly match, "
            + "and late in the schedule √ᾱ is small: at t = 680 of a linear 0.01..0.02 schedule ᾱ = 1.1e-4 and "
            + "1.3647 − 0.99995·1.3694 = −0.0046 from terms of 1.4 (κ = 594), so the float32 roundings of the product and of "
            + "√(1−ᾱ) move x₀ by 2.6e-5 relative between two correct evaluations (both within the default tolerance of float64 "
            + "there: scratch 0.33×, PyTorch 0.78×; case 421 of a 1,000-case run). Bound per element, where it exceeds atol: "
            + "4·2^-24·κ, κ = (|first term| + |second term|)/|difference| (both sides' ᾱ are the same sequential float32 cumprod)";

    /** The extra rtol of one predictX0 case: see {@link #X0_CANCELS}. */
    static double predictX0Bound(Case c) {
        String kind = c.get(PREDICTION);
        if (kind.equals("sample")) return 0;
        double[] ab = scratchSchedule(c, DType.F64).alphaBar().toArray();
        int[] ts = c.get(TIMES);
        double[] x = c.input(0).data(), m = c.input(1).data();
        int per = x.length / ts.length;
        double u = 0x1p-24, worst = 0;
        for (int b = 0; b < ts.length; b++) {
            double a = ab[ts[b]], s0 = Math.sqrt(a), s1 = Math.sqrt(1 - a);
            for (int j = b * per; j < (b + 1) * per; j++) {
                double p = kind.equals("epsilon") ? Math.abs(x[j]) : s0 * Math.abs(x[j]), q = s1 * Math.abs(m[j]);
                double num = kind.equals("epsilon") ? x[j] - s1 * m[j] : s0 * x[j] - s1 * m[j];
                double out = kind.equals("epsilon") ? num / s0 : num;
                double rel = 4 * u * (p + q) / Math.abs(num);
                // only where the bound is more than atol alone allows
                if (num != 0 && rel * Math.abs(out) > 1e-5) worst = Math.max(worst, rel);
            }
        }
        return worst;
    }

    /**
     * Why a one-timestep step (Ddpm.step, Ddim.step) is conditioned per case in float32: it carries
     * x̂0 ({@link #X0_CANCELS}) into its output times a coefficient, so x̂0's cancellation reaches the
     * output. The deep run: Ddim.step and Ddpm.step at t = 5 of a 6-step cosine schedule (ᾱ = 6.6e-5)
     * with x_t = ε (2.8 and 1.8): x_t − √(1−ᾱ)·ε keeps 3.3e-5 of each term (κ = 6e4), and the
     * float32 √(1−ᾱ) sits near a rounding tie, so one side's x̂0 lands 2.6e-3 (Ddim) and 2.0e-3
     * (Ddpm) relative from the float64 result and the other's near it; neither is wrong.
     */
    static final String STEP_X0_CANCELS = "x̂0's cancellation (see predictX0's reason) reaches the output times x̂0's coefficient "
            + "(√ᾱ_prev·β'/(1−ᾱ_t) in DDPM, √ᾱ_prev in DDIM): bound per element, where it exceeds atol: 4·2^-24·(|first term| + "
            + "|second term|)·|coefficient|/√ᾱ_t (ε) or ·|coefficient| (v), relative to the output (the deep run's t = 5 of a 6-step cosine "
            + "schedule, ᾱ = 6.6e-5, x_t = ε: κ = 6e4, scratch 1.9× (DDIM) and 1.5× (DDPM) the tolerance from float64, PyTorch 1.0× and 0.006×)";

    /**
     * The extra rtol of one step at timestep t: see {@link #STEP_X0_CANCELS}. {@code x} and {@code m}
     * are x_t and the network output, {@code out} the step's float64 output, {@code coef} x̂0's
     * coefficient in it.
     */
    static double stepX0Bound(double ab, double coef, String kind, double[] x, double[] m, double[] out) {
        if (kind.equals("sample")) return 0;
        double s0 = Math.sqrt(ab), s1 = Math.sqrt(1 - ab), u = 0x1p-24, worst = 0;
        for (int j = 0; j < x.length; j++) {
            double terms = kind.equals("epsilon") ? (Math.abs(x[j]) + s1 * Math.abs(m[j])) / s0 : s0 * Math.abs(x[j]) + s1 * Math.abs(m[j]);
            double err = 4 * u * terms * Math.abs(coef);
            // only where the bound is more than atol alone allows
            if (out[j] != 0 && err > 1e-5) worst = Math.max(worst, err / Math.abs(out[j]));
        }
        return worst;
    }

    /** {@link #stepX0Bound} for a Ddpm.step case: β' = 1 − ᾱ_t/ᾱ_prev, coefficient √ᾱ_prev·β'/(1−ᾱ_t). */
    static double ddpmStepBound(Case c) {
        Ddpm.Schedule s = scratchSchedule(c, DType.F64);
        double ab = s.alphaBar(c.get(T0)), abPrev = s.alphaBar(c.get(PREV));
        double coef = Math.sqrt(abPrev) * (1 - ab / abPrev) / (1 - ab);
        double[] out = Ddpm.step(s, f64(c.input(0)), c.get(T0), c.get(PREV), f64(c.input(1)), options(c), f64(c.input(2))).toArray();
        return stepX0Bound(ab, coef, c.get(PREDICTION), c.input(0).data(), c.input(1).data(), out);
    }

    static OpSpec posteriorMean() {
        return OpSpec.op("Ddpm.posteriorMean (Eq. 7)").cases(DdpmParityTest::pair)
                .scratch((c, x) -> Ddpm.posteriorMean(scratchSchedule(c, dtype(x)), x.get(0), x.get(1), c.get(TIMES)))
                .reference((c, x) -> Ref.posteriorMean(Ref.schedule(c, x.get(0).getManager(), x.get(0).getDataType()), x.get(0), x.get(1), c.get(TIMES)));
    }

    static OpSpec lossSimple() {
        return OpSpec.op("Ddpm.lossSimple (mse)").cases(DdpmParityTest::pair)
                .scratch((c, x) -> Ddpm.lossSimple(x.get(0), x.get(1)))
                .reference((c, x) -> Ref.mse(x.get(0), x.get(1)));
    }

    /** One step: inputs x_t, model output, z; args t, prev (t−1, an earlier respaced t, or −1), options. */
    static OpSpec step() {
        return OpSpec.op("Ddpm.step (DDPMScheduler.step)")
                .cases(s -> {
                    Args a = Args.NONE;
                    a = DiffusionCases.schedule(s, a, 60);
                    int steps = a.get(T);
                    int t = s.intBetween(0, steps - 1);
                    int prev = s.bool() ? t - 1 : s.intBetween(-1, t - 1);
                    a = a.with(T0, t);
                    a = a.with(PREV, prev);
                    a = a.with(PREDICTION, s.pick(PREDICTIONS));
                    a = a.with(VARIANCE, s.pick("fixed_small", "fixed_large"));
                    a = a.with(CLIP, s.bool());
                    int[] shape = batchShape(s);
                    return new Case(List.of(arr(s, shape), arr(s, shape), arr(s, shape)), a, Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> Ddpm.step(scratchSchedule(c, dtype(x)), x.get(0), c.get(T0), c.get(PREV), x.get(1),
                        options(c), x.get(2)))
                .reference((c, x) -> Ref.ddpmStep(Ref.schedule(c, x.get(0).getManager(), x.get(0).getDataType()), x.get(0), c.get(T0), c.get(PREV),
                        x.get(1), c.get(PREDICTION), c.get(VARIANCE), c.get(CLIP), 1.0, x.get(2)))
                .conditioned(Precision.F32, OpSpec.Check.FORWARD, DdpmParityTest::ddpmStepBound, STEP_X0_CANCELS)
                .noFiniteDifferences("with clipping, x̂0 can sit on the clamp's kink; the unclipped steps are covered by the gradient "
                        + "check against PyTorch, and Ddpm.sample's finite differences cover the step composed along a trajectory");
    }

    static Options options(Case c) {
        return new Options(prediction(c.get(PREDICTION)), c.get(VARIANCE).equals("fixed_small") ? Variance.FIXED_SMALL : Variance.FIXED_LARGE,
                c.get(CLIP), 1.0);
    }

    /**
     * A whole trajectory: x_T [B, D], the toy ε-net's four weights, and noise [S, B, D]; over all
     * T..0 of a short schedule or over a strided (respaced) subsequence of a longer one.
     */
    static OpSpec sample() {
        return OpSpec.op("Ddpm.sample (trajectory, toy net)")
                .cases(s -> {
                    Args a = Args.NONE;
                    boolean respaced = s.bool();
                    int steps = respaced ? s.pick(20, 50, 100) : s.intBetween(2, 10);
                    a = a.with(SCHEDULE, s.bool() ? "cosine" : "linear");
                    a = a.with(T, steps);
                    a = a.with(BETA_START, 1e-4);
                    a = a.with(BETA_END, s.pick(0.02, 0.2));
                    int[] ts;
                    if (respaced) {
                        ts = Ddim.leading(steps, s.intBetween(2, 6), 0);
                    } else {
                        ts = Ddpm.allTimesteps(steps);
                    }
                    a = a.with(TIMESTEPS, ts);
                    a = a.with(PREDICTION, s.pick(PREDICTIONS));
                    a = a.with(VARIANCE, s.pick("fixed_small", "fixed_large"));
                    a = a.with(CLIP, false);
                    int b = s.intBetween(1, 4), d = s.intBetween(1, 3), h = s.intBetween(1, 6);
                    List<Arr> in = new ArrayList<>(List.of(arr(s, new int[] {b, d})));
                    in.addAll(toyNet(s, d, h));
                    in.add(arr(s, new int[] {ts.length, b, d}));
                    return new Case(in, a, Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> Ddpm.sample(scratchSchedule(c, dtype(x)), scratchNet(x, 1, c.get(T)), x.get(0),
                        c.get(TIMESTEPS), options(c), split(x.get(5))))
                .reference((c, x) -> Ref.ddpmSample(Ref.schedule(c, x.get(0).getManager(), x.get(0).getDataType()), refNet(x, 1, c.get(T)), x.get(0),
                        c.get(TIMESTEPS), c.get(PREDICTION), c.get(VARIANCE), false, 1.0, split(x.get(5))))
                .loosen(Precision.F32, OpSpec.Check.GRADIENT, 5e-5, 5e-5, TRAJECTORY)
                .perturbationConditioned(Precision.F32, OpSpec.Check.FORWARD, SAMPLE_X0_CANCELS);
    }

    static final String SAMPLE_X0_CANCELS = "each step carries x̂0 = (x_t − √(1−ᾱ_t)·ε_θ)/√ᾱ_t, which cancels late in the schedule "
            + "(see Ddpm.step's reason), and the chain carries it on: the deep run's 6-step cosine trajectory (ᾱ = 6.6e-5 at t = 5) left "
            + "scratch 4.75× and PyTorch 4.62× the tolerance from float64, 1.0× apart; a trajectory without such a step moves by about one "
            + "rounding and keeps the default";

    static final String TRAJECTORY = "the gradient of up to 10 chained steps through a tanh network: float32 roundings compound and are "
            + "amplified by x̂0's 1/√ᾱ_t (ᾱ ≈ 1e-3 at the last step of a 2-step cosine schedule); worst seen 2.2e-5 abs, 3.8e-5 rel; "
            + "float64 keeps the default tolerance";

    @TestFactory
    Stream<DynamicTest> ddpmMatchesDiffusersDdpmScheduler() {
        return Parity.tests(schedule(), qSample(), velocity(), predictX0(), posteriorMean(), lossSimple(), step(), sample());
    }

    @Test
    void theStepBoundCoversTheDeepRunsCancellingStepAndIsZeroWhereNothingCancels() {
        double ab = 6.596155e-05;
        // x_t = ε = 1.8 at ᾱ = 6.6e-5 (prev = −1: coefficient 1): 2.0e-3 relative between two correct evaluations
        double[] x = {1.8}, out = {(1.8 - Math.sqrt(1 - ab) * 1.8) / Math.sqrt(ab)};
        assertTrue(stepX0Bound(ab, 1, "epsilon", x, x, out) > 2.0e-3);
        // ᾱ = 0.5, x_t = 1, ε = 0.3: nothing cancels, the bound stays under atol and the default applies
        double[] x1 = {1}, m1 = {0.3}, out1 = {(1 - Math.sqrt(0.5) * 0.3) / Math.sqrt(0.5)};
        assertEquals(0, stepX0Bound(0.5, 1, "epsilon", x1, m1, out1));
        assertEquals(0, stepX0Bound(ab, 1, "sample", x, x, out), "a sample prediction has no x̂0 to cancel");
    }

    @Test
    void aPlantedStepErrorStillFailsUnderThePerCaseTolerance() {
        OpSpec planted = step().scratch((c, x) -> Ddpm.step(scratchSchedule(c, dtype(x)), x.get(0), c.get(T0), c.get(PREV), x.get(1),
                options(c), x.get(2)).mul(1 + 1e-4));
        assertTrue(Parity.outcome(planted, Precision.F32, OpSpec.Check.FORWARD, 50).failure().isPresent());
    }
}
