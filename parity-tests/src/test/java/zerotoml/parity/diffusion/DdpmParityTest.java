package zerotoml.parity.diffusion;

import static zerotoml.parity.diffusion.DiffusionCases.*;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.reference.diffusion.Ddpm;
import zerotoml.scratch.diffusion.Ddpm.Options;
import zerotoml.scratch.diffusion.Ddpm.Prediction;
import zerotoml.scratch.diffusion.Ddpm.Variance;

/**
 * DDPM against diffusers' DDPMScheduler written with DJL: the schedules (linear and cosine, with
 * ᾱ and β̃), add_noise, get_velocity, x̂0 for each prediction type, the posterior mean, L_simple,
 * one step (every prediction type, both variances, with and without clipping), and a whole short
 * trajectory through a toy network with the same injected noise.
 */
class DdpmParityTest {

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
                    Map<String, Object> a = new HashMap<>();
                    DiffusionCases.schedule(s, a, 60);
                    return new Case(List.of(new Arr(new int[] {1}, new double[] {0})), a, Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> {
                    var sc = scratchSchedule(c, dtype(x));
                    return stack(sc.betas(), sc.alphas(), sc.alphaBar(), zerotoml.scratch.diffusion.Ddpm.posteriorVariance(sc));
                })
                .reference((c, x) -> {
                    var sc = refSchedule(c, x.get(0).getManager(), x.get(0).getDataType());
                    return stack(sc.betas(), sc.alphas(), sc.alphaBar(), Ddpm.posteriorVariance(sc));
                })
                .constantInputs(0)
                .noGradient("a schedule is a function of its hyper-parameters only");
    }

    /** Two tensors of one batch shape plus per-row timesteps. */
    static Case pair(zerotoml.fixtures.Source s) {
        Map<String, Object> a = new HashMap<>();
        DiffusionCases.schedule(s, a, 60);
        int[] shape = batchShape(s);
        a.put("t", timesteps(s, shape[0], (Integer) a.get("T")));
        a.put("prediction", s.pick(PREDICTIONS));
        return new Case(List.of(arr(s, shape), arr(s, shape)), a, Cases.cotangentSeed(s));
    }

    static OpSpec qSample() {
        return OpSpec.op("Ddpm.qSample (add_noise)").cases(DdpmParityTest::pair)
                .scratch((c, x) -> zerotoml.scratch.diffusion.Ddpm.qSample(scratchSchedule(c, dtype(x)), x.get(0), c.intsArg("t"), x.get(1)))
                .reference((c, x) -> Ddpm.addNoise(refSchedule(c, x.get(0).getManager(), x.get(0).getDataType()), x.get(0), x.get(1), c.intsArg("t")))
                .rejects("noise of another shape", new Case(List.of(new Arr(new int[] {2, 3}, new double[6]), new Arr(new int[] {2, 2}, new double[4])),
                        Map.of("schedule", "linear", "T", 10, "betaStart", 1e-4, "betaEnd", 0.02, "t", new int[] {1, 2}), 0), "[2, 3]", "[2, 2]")
                .rejects("a timestep outside the schedule", new Case(List.of(new Arr(new int[] {2, 3}, new double[6]), new Arr(new int[] {2, 3}, new double[6])),
                        Map.of("schedule", "linear", "T", 10, "betaStart", 1e-4, "betaEnd", 0.02, "t", new int[] {1, 10}), 0), "timestep 10", "0..9");
    }

    static OpSpec velocity() {
        return OpSpec.op("Ddpm.velocity (get_velocity)").cases(DdpmParityTest::pair)
                .scratch((c, x) -> zerotoml.scratch.diffusion.Ddpm.velocity(scratchSchedule(c, dtype(x)), x.get(0), c.intsArg("t"), x.get(1)))
                .reference((c, x) -> Ddpm.getVelocity(refSchedule(c, x.get(0).getManager(), x.get(0).getDataType()), x.get(0), x.get(1), c.intsArg("t")));
    }

    static OpSpec predictX0() {
        return OpSpec.op("Ddpm.predictX0 (epsilon, sample, v_prediction)").cases(DdpmParityTest::pair)
                .scratch((c, x) -> zerotoml.scratch.diffusion.Ddpm.predictX0(scratchSchedule(c, dtype(x)), x.get(0), c.intsArg("t"), x.get(1),
                        prediction(c.stringArg("prediction"))))
                .reference((c, x) -> Ddpm.predOriginal(refSchedule(c, x.get(0).getManager(), x.get(0).getDataType()), x.get(0), c.intsArg("t"), x.get(1),
                        c.stringArg("prediction")))
                .conditioned(zerotoml.fixtures.Precision.F32, OpSpec.Check.FORWARD, DdpmParityTest::predictX0Bound, X0_CANCELS);
    }

    static final String X0_CANCELS = "x₀ = (x_t − √(1−ᾱ)·ε)/√ᾱ (and √ᾱ·x_t − √(1−ᾱ)·v) cancels when its two terms nearly match, "
            + "and late in the schedule √ᾱ is small: at t = 680 of a linear 0.01..0.02 schedule ᾱ = 1.1e-4 and "
            + "1.3647 − 0.99995·1.3694 = −0.0046 from terms of 1.4 (κ = 594), so the float32 roundings of the product and of "
            + "√(1−ᾱ) move x₀ by 2.6e-5 relative between two correct evaluations (both within the default tolerance of float64 "
            + "there: scratch 0.33×, PyTorch 0.78×; case 421 of a 1,000-case run). Bound per element, where it exceeds atol: "
            + "4·2^-24·κ, κ = (|first term| + |second term|)/|difference| (both sides' ᾱ are the same sequential float32 cumprod)";

    /** The extra rtol of one predictX0 case: see {@link #X0_CANCELS}. */
    static double predictX0Bound(Case c) {
        String kind = c.stringArg("prediction");
        if (kind.equals("sample")) return 0;
        double[] ab = scratchSchedule(c, zerotoml.scratch.tensor.DType.F64).alphaBar().toArray();
        int[] ts = c.intsArg("t");
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

    static OpSpec posteriorMean() {
        return OpSpec.op("Ddpm.posteriorMean (Eq. 7)").cases(DdpmParityTest::pair)
                .scratch((c, x) -> zerotoml.scratch.diffusion.Ddpm.posteriorMean(scratchSchedule(c, dtype(x)), x.get(0), x.get(1), c.intsArg("t")))
                .reference((c, x) -> Ddpm.posteriorMean(refSchedule(c, x.get(0).getManager(), x.get(0).getDataType()), x.get(0), x.get(1), c.intsArg("t")));
    }

    static OpSpec lossSimple() {
        return OpSpec.op("Ddpm.lossSimple (mse)").cases(DdpmParityTest::pair)
                .scratch((c, x) -> zerotoml.scratch.diffusion.Ddpm.lossSimple(x.get(0), x.get(1)))
                .reference((c, x) -> Ddpm.mse(x.get(0), x.get(1)));
    }

    /** One step: inputs x_t, model output, z; args t, prev (t−1, an earlier respaced t, or −1), options. */
    static OpSpec step() {
        return OpSpec.op("Ddpm.step (DDPMScheduler.step)")
                .cases(s -> {
                    Map<String, Object> a = new HashMap<>();
                    DiffusionCases.schedule(s, a, 60);
                    int steps = (Integer) a.get("T");
                    int t = s.intBetween(0, steps - 1);
                    int prev = s.bool() ? t - 1 : s.intBetween(-1, t - 1);
                    a.put("t0", t);
                    a.put("prev", prev);
                    a.put("prediction", s.pick(PREDICTIONS));
                    a.put("variance", s.pick("fixed_small", "fixed_large"));
                    a.put("clip", s.bool());
                    int[] shape = batchShape(s);
                    return new Case(List.of(arr(s, shape), arr(s, shape), arr(s, shape)), a, Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> zerotoml.scratch.diffusion.Ddpm.step(scratchSchedule(c, dtype(x)), x.get(0), c.intArg("t0"), c.intArg("prev"), x.get(1),
                        options(c), x.get(2)))
                .reference((c, x) -> Ddpm.step(refSchedule(c, x.get(0).getManager(), x.get(0).getDataType()), x.get(0), c.intArg("t0"), c.intArg("prev"),
                        x.get(1), c.stringArg("prediction"), c.stringArg("variance"), c.boolArg("clip"), 1.0, x.get(2)))
                .noFiniteDifferences("with clipping, x̂0 can sit on the clamp's kink; the unclipped steps are covered by the gradient "
                        + "check against PyTorch, and Ddpm.sample's finite differences cover the step composed along a trajectory");
    }

    static Options options(Case c) {
        return new Options(prediction(c.stringArg("prediction")), c.stringArg("variance").equals("fixed_small") ? Variance.FIXED_SMALL : Variance.FIXED_LARGE,
                c.boolArg("clip"), 1.0);
    }

    /**
     * A whole trajectory: x_T [B, D], the toy ε-net's four weights, and noise [S, B, D]; over all
     * T..0 of a short schedule or over a strided (respaced) subsequence of a longer one.
     */
    static OpSpec sample() {
        return OpSpec.op("Ddpm.sample (trajectory, toy net)")
                .cases(s -> {
                    Map<String, Object> a = new HashMap<>();
                    boolean respaced = s.bool();
                    int steps = respaced ? s.pick(20, 50, 100) : s.intBetween(2, 10);
                    a.put("schedule", s.bool() ? "cosine" : "linear");
                    a.put("T", steps);
                    a.put("betaStart", 1e-4);
                    a.put("betaEnd", s.pick(0.02, 0.2));
                    int[] ts;
                    if (respaced) {
                        ts = zerotoml.scratch.diffusion.Ddim.leading(steps, s.intBetween(2, 6), 0);
                    } else {
                        ts = zerotoml.scratch.diffusion.Ddpm.allTimesteps(steps);
                    }
                    a.put("timesteps", ts);
                    a.put("prediction", s.pick(PREDICTIONS));
                    a.put("variance", s.pick("fixed_small", "fixed_large"));
                    a.put("clip", false);
                    int b = s.intBetween(1, 4), d = s.intBetween(1, 3), h = s.intBetween(1, 6);
                    List<Arr> in = new ArrayList<>(List.of(arr(s, new int[] {b, d})));
                    in.addAll(toyNet(s, d, h));
                    in.add(arr(s, new int[] {ts.length, b, d}));
                    return new Case(in, a, Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> zerotoml.scratch.diffusion.Ddpm.sample(scratchSchedule(c, dtype(x)), scratchNet(x, 1, c.intArg("T")), x.get(0),
                        c.intsArg("timesteps"), options(c), split(x.get(5))))
                .reference((c, x) -> Ddpm.sample(refSchedule(c, x.get(0).getManager(), x.get(0).getDataType()), refNet(x, 1, c.intArg("T")), x.get(0),
                        c.intsArg("timesteps"), c.stringArg("prediction"), c.stringArg("variance"), false, 1.0, split(x.get(5))))
                .loosen(zerotoml.fixtures.Precision.F32, OpSpec.Check.GRADIENT, 5e-5, 5e-5, TRAJECTORY);
    }

    static final String TRAJECTORY = "the gradient of up to 10 chained steps through a tanh network: float32 roundings compound and are "
            + "amplified by x̂0's 1/√ᾱ_t (ᾱ ≈ 1e-3 at the last step of a 2-step cosine schedule); worst seen 2.2e-5 abs, 3.8e-5 rel; "
            + "float64 keeps the default tolerance";

    @TestFactory
    Stream<DynamicTest> ddpmMatchesDiffusersDdpmScheduler() {
        return Parity.tests(schedule(), qSample(), velocity(), predictX0(), posteriorMean(), lossSimple(), step(), sample());
    }
}
