package zerotoml.parity.diffusion;

import static zerotoml.parity.diffusion.DiffusionCases.*;
import static zerotoml.parity.diffusion.DiffusionCases.BETA_END;
import static zerotoml.parity.diffusion.DiffusionCases.BETA_START;
import static zerotoml.parity.diffusion.DiffusionCases.SCHEDULE;
import static zerotoml.parity.diffusion.DiffusionCases.T;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
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
                        c.get(PREDICTION)));
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
                .loosen(Precision.F32, OpSpec.Check.GRADIENT, 5e-5, 5e-5, TRAJECTORY);
    }

    static final String TRAJECTORY = "the gradient of up to 10 chained steps through a tanh network: float32 roundings compound and are "
            + "amplified by x̂0's 1/√ᾱ_t (ᾱ ≈ 1e-3 at the last step of a 2-step cosine schedule); worst seen 2.2e-5 abs, 3.8e-5 rel; "
            + "float64 keeps the default tolerance";

    @TestFactory
    Stream<DynamicTest> ddpmMatchesDiffusersDdpmScheduler() {
        return Parity.tests(schedule(), qSample(), velocity(), predictX0(), posteriorMean(), lossSimple(), step(), sample());
    }
}
