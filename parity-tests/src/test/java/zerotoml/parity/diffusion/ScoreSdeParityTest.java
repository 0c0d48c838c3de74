package zerotoml.parity.diffusion;

import static zerotoml.parity.diffusion.DiffusionCases.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Precision;
import zerotoml.fixtures.Source;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Case.Arg;
import zerotoml.parity.harness.Case.Args;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.diffusion.ScoreSde;
import zerotoml.scratch.tensor.Tensor;

/**
 * Score SDEs against score_sde_pytorch written with DJL, for VE, VP and sub-VP: the perturbed
 * sample (marginal_prob), the reverse drift, the DSM loss (both weightings, mean or sum), one
 * Euler–Maruyama, reverse-diffusion and Langevin step, a whole predictor-corrector trajectory, and
 * the probability-flow ODE with fixed Euler/Heun steps, each through a toy score network with the
 * same injected noise.
 */
class ScoreSdeParityTest {
    static final Arg<String> KIND = Arg.text("kind");
    static final Arg<Double> A = Arg.real("a");
    static final Arg<Double> B = Arg.real("b");
    static final Arg<Integer> N = Arg.integer("n");
    static final Arg<double[]> TIMES = Arg.doubles("t");
    static final Arg<Boolean> PF = Arg.bool("pf");
    static final Arg<Boolean> REDUCE_MEAN = Arg.bool("reduceMean");
    static final Arg<Boolean> LIKELIHOOD = Arg.bool("likelihood");
    static final Arg<Double> SNR = Arg.real("snr");
    static final Arg<Integer> CORRECTOR = Arg.integer("corrector");
    static final Arg<String> PREDICTOR = Arg.text("predictor");
    static final Arg<Boolean> ENCODE = Arg.bool("encode");
    static final Arg<Integer> STEPS = Arg.integer("steps");
    static final Arg<Boolean> HEUN = Arg.bool("heun");

    static Args sde(Source s, Args a, int maxN) {
        String kind = s.pick("ve", "vp", "subvp");
        a = a.with(KIND, kind);
        a = a.with(A, kind.equals("ve") ? s.pick(0.01, 0.1) : s.pick(0.1, 0.5));
        a = a.with(B, kind.equals("ve") ? s.pick(1.0, 5.0, 50.0) : s.pick(5.0, 20.0));
        return a.with(N, s.intBetween(1, maxN));
    }

    static ScoreSde.Sde scratchSde(Case c) {
        var kind = switch (c.get(KIND)) {
            case "ve" -> ScoreSde.Kind.VE;
            case "vp" -> ScoreSde.Kind.VP;
            default -> ScoreSde.Kind.SUB_VP;
        };
        return new ScoreSde.Sde(kind, c.get(A), c.get(B), c.get(N));
    }

    static NDArray tv(NDManager m, double[] t, DataType dt) {
        return m.create(t).toType(dt, false);
    }

    /** Rounds the drawn times to the case's precision on the scratch side too (the reference holds them as tensors). */
    static double[] rounded(double[] t, Tensor like) {
        double[] r = new double[t.length];
        for (int i = 0; i < t.length; i++) r[i] = like.dtype().round(t[i]);
        return r;
    }

    /** k tensors of one batch shape plus per-row times in [1e-5, 1] and an SDE. */
    static Gen<Case> tensors(int k) {
        return s -> {
            Args a = Args.NONE;
            a = sde(s, a, 1000);
            int[] shape = batchShape(s);
            a = a.with(TIMES, times(s, shape[0], 1e-5, 1));
            a = a.with(REDUCE_MEAN, s.bool());
            a = a.with(LIKELIHOOD, s.bool());
            a = a.with(PF, s.bool());
            a = a.with(SNR, s.pick(0.16, 0.075, 0.5));
            List<Arr> in = new ArrayList<>();
            for (int i = 0; i < k; i++) in.add(arr(s, shape));
            return new Case(in, a, Cases.cotangentSeed(s));
        };
    }

    static OpSpec perturb() {
        return OpSpec.op("ScoreSde.perturb (marginal_prob)").cases(tensors(2))
                .scratch((c, x) -> ScoreSde.perturb(scratchSde(c), x.get(0), rounded(c.get(TIMES), x.get(0)), x.get(1)))
                .reference((c, x) -> {
                    NDArray t = tv(x.get(0).getManager(), c.get(TIMES), x.get(0).getDataType());
                    return Ref.mean(Ref.sde(c), x.get(0), t).add(Ref.col(Ref.std(Ref.sde(c), t), x.get(0)).mul(x.get(1)));
                });
    }

    static OpSpec reverseDrift() {
        return OpSpec.op("ScoreSde.reverseDrift (reverse().sde, SDE and PF-ODE)").cases(tensors(2))
                .scratch((c, x) -> ScoreSde.reverseDrift(scratchSde(c), x.get(0), x.get(0).dtype().round(c.get(TIMES)[0]),
                        x.get(1), c.get(PF)))
                .reference((c, x) -> {
                    double t0 = c.get(TIMES)[0];
                    double[] t = new double[(int) x.get(0).getShape().get(0)];
                    Arrays.fill(t, t0);
                    return Ref.reverseDrift(Ref.sde(c), x.get(0), tv(x.get(0).getManager(), t, x.get(0).getDataType()), x.get(1), c.get(PF));
                });
    }

    static OpSpec dsmLoss() {
        return OpSpec.op("ScoreSde.dsmLoss (get_sde_loss_fn)").cases(tensors(2))
                .scratch((c, x) -> ScoreSde.dsmLoss(scratchSde(c), x.get(0), x.get(1), rounded(c.get(TIMES), x.get(0)),
                        c.get(REDUCE_MEAN), c.get(LIKELIHOOD)))
                .reference((c, x) -> Ref.scoreSdeLoss(Ref.sde(c), x.get(0), x.get(1), tv(x.get(0).getManager(), c.get(TIMES), x.get(0).getDataType()),
                        c.get(REDUCE_MEAN), c.get(LIKELIHOOD)));
    }

    /** A one-step op: inputs x, score, z; output [x, x̄] stacked. */
    interface ScratchStep {
        Tensor[] apply(ScoreSde.Sde sde, Tensor x, double t, Tensor score, Tensor z, double snr);
    }

    interface RefStep {
        NDArray[] apply(Case c, NDArray x, NDArray t, NDArray score, NDArray z, double snr);
    }

    static OpSpec oneStep(String name, ScratchStep mine, RefStep ref) {
        return OpSpec.op(name).cases(tensors(3))
                .scratch((c, x) -> {
                    Tensor[] r = mine.apply(scratchSde(c), x.get(0), x.get(0).dtype().round(c.get(TIMES)[0]), x.get(1), x.get(2), c.get(SNR));
                    return stack(r[0], r[1]);
                })
                .reference((c, x) -> {
                    double[] t = new double[(int) x.get(0).getShape().get(0)];
                    Arrays.fill(t, c.get(TIMES)[0]);
                    NDArray[] r = ref.apply(c, x.get(0), tv(x.get(0).getManager(), t, x.get(0).getDataType()), x.get(1), x.get(2), c.get(SNR));
                    return stack(r[0], r[1]);
                });
    }

    static OpSpec eulerMaruyama() {
        return oneStep("ScoreSde.eulerMaruyamaStep (EulerMaruyamaPredictor)",
                (sde, x, t, s, z, snr) -> ScoreSde.eulerMaruyamaStep(sde, x, t, s, z),
                (c, x, t, s, z, snr) -> Ref.eulerMaruyama(Ref.sde(c), x, t, s, z));
    }

    static OpSpec reverseDiffusion() {
        return oneStep("ScoreSde.reverseDiffusionStep (ReverseDiffusionPredictor)",
                (sde, x, t, s, z, snr) -> ScoreSde.reverseDiffusionStep(sde, x, t, s, z),
                (c, x, t, s, z, snr) -> Ref.reverseDiffusion(Ref.sde(c), x, t, s, z));
    }

    static OpSpec langevin() {
        return oneStep("ScoreSde.langevinStep (LangevinCorrector)",
                (sde, x, t, s, z, snr) -> ScoreSde.langevinStep(sde, x, t, s, snr, z),
                (c, x, t, s, z, snr) -> Ref.langevin(Ref.sde(c), x, t, s, snr, z))
                .noGradient("the step size uses batch-mean norms computed as plain numbers on the scratch side (‖z‖/‖s‖ takes no gradient there); "
                        + "the forward check covers the step, and the score's gradient flows in pcSample only through x");
    }

    static OpSpec pcSample() {
        return OpSpec.op("ScoreSde.pcSample (get_pc_sampler, toy net)")
                .cases(s -> {
                    Args a = Args.NONE;
                    a = sde(s, a, 6);
                    a = a.with(PREDICTOR, s.pick("em", "reverse_diffusion", "none"));
                    int corr = a.get(PREDICTOR).equals("none") ? s.intBetween(1, 2) : s.intBetween(0, 2);
                    a = a.with(CORRECTOR, corr);
                    a = a.with(SNR, s.pick(0.16, 0.075));
                    int per = corr + (a.get(PREDICTOR).equals("none") ? 0 : 1);
                    int b = s.intBetween(1, 4), d = s.intBetween(1, 3), h = s.intBetween(1, 6);
                    List<Arr> in = new ArrayList<>(List.of(arr(s, new int[] {b, d})));
                    in.addAll(toyNet(s, d, h));
                    in.add(arr(s, new int[] {per * a.get(N), b, d}));
                    return new Case(in, a, Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> ScoreSde.pcSample(scratchSde(c), scratchNet(x, 1, 1), x.get(0), predictor(c), c.get(CORRECTOR),
                        c.get(SNR), 1e-3, split(x.get(5))))
                .reference((c, x) -> Ref.pcSample(Ref.sde(c), refNet(x, 1, 1), x.get(0), c.get(PREDICTOR), c.get(CORRECTOR),
                        c.get(SNR), 1e-3, split(x.get(5))))
                .noGradient("the Langevin step size is computed from batch-mean norms as plain numbers in scratch (no gradient through ‖s‖, ‖z‖), "
                        + "while PyTorch differentiates through them; the trajectory's values are compared")
                .loosen(Precision.F32, OpSpec.Check.FORWARD, 2e-5, 1e-5, "a chain of up to 18 predictor/corrector updates in float32 through a tanh "
                        + "network; VE's σ_max up to 50 scales the noise, so values reach ~1e3 and roundings compound (worst seen 3.9e-3 abs, 1.6e-5 rel)");
    }

    static ScoreSde.Predictor predictor(Case c) {
        return switch (c.get(PREDICTOR)) {
            case "em" -> ScoreSde.Predictor.EULER_MARUYAMA;
            case "reverse_diffusion" -> ScoreSde.Predictor.REVERSE_DIFFUSION;
            default -> ScoreSde.Predictor.NONE;
        };
    }

    static OpSpec probabilityFlow() {
        return OpSpec.op("ScoreSde.probabilityFlow (PF-ODE, Euler/Heun, toy net)")
                .cases(s -> {
                    Args a = Args.NONE;
                    a = sde(s, a, 1000);
                    a = a.with(STEPS, s.intBetween(1, 8));
                    a = a.with(HEUN, s.bool());
                    a = a.with(ENCODE, s.bool());
                    int b = s.intBetween(1, 4), d = s.intBetween(1, 3), h = s.intBetween(1, 6);
                    List<Arr> in = new ArrayList<>(List.of(arr(s, new int[] {b, d})));
                    in.addAll(toyNet(s, d, h));
                    return new Case(in, a, Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> ScoreSde.probabilityFlow(scratchSde(c), scratchNet(x, 1, 1), x.get(0),
                        c.get(ENCODE) ? 1e-3 : 1, c.get(ENCODE) ? 1 : 1e-3, c.get(STEPS),
                        c.get(HEUN) ? ScoreSde.Ode.HEUN : ScoreSde.Ode.EULER))
                .reference((c, x) -> Ref.probabilityFlow(Ref.sde(c), refNet(x, 1, 1), x.get(0),
                        c.get(ENCODE) ? 1e-3 : 1, c.get(ENCODE) ? 1 : 1e-3, c.get(STEPS), c.get(HEUN)))
                .loosen(Precision.F32, OpSpec.Check.FORWARD, 2e-5, 1e-5, PF_CANCELS)
                .loosen(Precision.F32, OpSpec.Check.GRADIENT, 1e-4, 1e-4, PF_CANCELS);
    }

    static final String PF_CANCELS = "up to 16 chained ODE evaluations through a tanh network in float32; with VE (σ_max = 50) g(t)² ≈ 4e4 "
            + "multiplies the score, and x − h·½g²s cancels terms of ~1e4 down to ~1e2 (worst seen 4.4e-6 relative on 129; gradients 7.1e-5 relative, 6.1e-4 absolute on 1.9)";

    @TestFactory
    Stream<DynamicTest> scoreSdeMatchesScoreSdePytorch() {
        return Parity.tests(perturb(), reverseDrift(), dsmLoss(), eulerMaruyama(), reverseDiffusion(), langevin(), pcSample(), probabilityFlow());
    }
}
