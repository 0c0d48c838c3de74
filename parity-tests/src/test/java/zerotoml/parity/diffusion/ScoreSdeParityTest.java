package zerotoml.parity.diffusion;

import static zerotoml.parity.diffusion.DiffusionCases.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Precision;
import zerotoml.fixtures.Source;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.reference.diffusion.ScoreSde;
import zerotoml.scratch.tensor.Tensor;

/**
 * Score SDEs against score_sde_pytorch written with DJL, for VE, VP and sub-VP: the perturbed
 * sample (marginal_prob), the reverse drift, the DSM loss (both weightings, mean or sum), one
 * Euler–Maruyama, reverse-diffusion and Langevin step, a whole predictor-corrector trajectory, and
 * the probability-flow ODE with fixed Euler/Heun steps, each through a toy score network with the
 * same injected noise.
 */
class ScoreSdeParityTest {

    static void sde(Source s, Map<String, Object> a, int maxN) {
        String kind = s.pick("ve", "vp", "subvp");
        a.put("kind", kind);
        a.put("a", kind.equals("ve") ? s.pick(0.01, 0.1) : s.pick(0.1, 0.5));
        a.put("b", kind.equals("ve") ? s.pick(1.0, 5.0, 50.0) : s.pick(5.0, 20.0));
        a.put("n", s.intBetween(1, maxN));
    }

    static zerotoml.scratch.diffusion.ScoreSde.Sde scratchSde(Case c) {
        var kind = switch (c.stringArg("kind")) {
            case "ve" -> zerotoml.scratch.diffusion.ScoreSde.Kind.VE;
            case "vp" -> zerotoml.scratch.diffusion.ScoreSde.Kind.VP;
            default -> zerotoml.scratch.diffusion.ScoreSde.Kind.SUB_VP;
        };
        return new zerotoml.scratch.diffusion.ScoreSde.Sde(kind, c.doubleArg("a"), c.doubleArg("b"), c.intArg("n"));
    }

    static ScoreSde.Sde refSde(Case c) {
        return new ScoreSde.Sde(c.stringArg("kind"), c.doubleArg("a"), c.doubleArg("b"), c.intArg("n"));
    }

    static NDArray tv(NDManager m, double[] t, ai.djl.ndarray.types.DataType dt) {
        return m.create(t).toType(dt, false);
    }

    /** Rounds the drawn times to the case's precision on the scratch side too (the reference holds them as tensors). */
    static double[] rounded(double[] t, Tensor like) {
        double[] r = new double[t.length];
        for (int i = 0; i < t.length; i++) r[i] = like.dtype().round(t[i]);
        return r;
    }

    /** k tensors of one batch shape plus per-row times in [1e-5, 1] and an SDE. */
    static zerotoml.fixtures.Gen<Case> tensors(int k) {
        return s -> {
            Map<String, Object> a = new HashMap<>();
            sde(s, a, 1000);
            int[] shape = batchShape(s);
            a.put("t", times(s, shape[0], 1e-5, 1));
            a.put("reduceMean", s.bool());
            a.put("likelihood", s.bool());
            a.put("pf", s.bool());
            a.put("snr", s.pick(0.16, 0.075, 0.5));
            List<Arr> in = new ArrayList<>();
            for (int i = 0; i < k; i++) in.add(arr(s, shape));
            return new Case(in, a, Cases.cotangentSeed(s));
        };
    }

    static OpSpec perturb() {
        return OpSpec.op("ScoreSde.perturb (marginal_prob)").cases(tensors(2))
                .scratch((c, x) -> zerotoml.scratch.diffusion.ScoreSde.perturb(scratchSde(c), x.get(0), rounded((double[]) c.arg("t"), x.get(0)), x.get(1)))
                .reference((c, x) -> {
                    NDArray t = tv(x.get(0).getManager(), (double[]) c.arg("t"), x.get(0).getDataType());
                    return ScoreSde.mean(refSde(c), x.get(0), t).add(ScoreSde.col(ScoreSde.std(refSde(c), t), x.get(0)).mul(x.get(1)));
                });
    }

    static OpSpec reverseDrift() {
        return OpSpec.op("ScoreSde.reverseDrift (reverse().sde, SDE and PF-ODE)").cases(tensors(2))
                .scratch((c, x) -> zerotoml.scratch.diffusion.ScoreSde.reverseDrift(scratchSde(c), x.get(0), x.get(0).dtype().round(((double[]) c.arg("t"))[0]),
                        x.get(1), c.boolArg("pf")))
                .reference((c, x) -> {
                    double t0 = ((double[]) c.arg("t"))[0];
                    double[] t = new double[(int) x.get(0).getShape().get(0)];
                    java.util.Arrays.fill(t, t0);
                    return ScoreSde.reverseDrift(refSde(c), x.get(0), tv(x.get(0).getManager(), t, x.get(0).getDataType()), x.get(1), c.boolArg("pf"));
                });
    }

    static OpSpec dsmLoss() {
        return OpSpec.op("ScoreSde.dsmLoss (get_sde_loss_fn)").cases(tensors(2))
                .scratch((c, x) -> zerotoml.scratch.diffusion.ScoreSde.dsmLoss(scratchSde(c), x.get(0), x.get(1), rounded((double[]) c.arg("t"), x.get(0)),
                        c.boolArg("reduceMean"), c.boolArg("likelihood")))
                .reference((c, x) -> ScoreSde.loss(refSde(c), x.get(0), x.get(1), tv(x.get(0).getManager(), (double[]) c.arg("t"), x.get(0).getDataType()),
                        c.boolArg("reduceMean"), c.boolArg("likelihood")))
                .conditioned(Precision.F32, OpSpec.Check.FORWARD, ScoreSdeParityTest::dsmLossBound, DSM_CANCELS)
                .conditioned(Precision.F32, OpSpec.Check.GRADIENT, ScoreSdeParityTest::dsmLossBound, DSM_CANCELS);
    }

    /** A float32 ulp, relative: the most PyTorch's vectorised exp and pow (SLEEF, 1-ulp) can be off; scratch's are correctly rounded. */
    static final double ULP = 0x1p-23;

    static final String DSM_CANCELS = "VP and sub-VP compute std = √(1 − e^{2·lmc}) or 1 − e^{2·lmc}, and sub-VP's g² the discount "
            + "1 − e^{−2β0t − (β1−β0)t²}: one ulp of e^x (PyTorch's float32 exp is accurate to 1 ulp, not correctly rounded; scratch's is) "
            + "becomes κ = e^x/(1 − e^x) ulps of the difference: κ = 19 for std at t = 0.077, β 0.5..5, and κ ≈ 1/(tβ0), 1e6, at "
            + "score_sde's t = 1e-5. The loss and its gradients square std or divide by it twice, so per row the bound is "
            + "2·(4·κ_std + κ_g²)·2^-23 (κ_std halved for VP's square root; 0 for VE, whose std has no cancellation), the worst row of the case. Measured on the "
            + "t = 0.077 sub-VP case: scratch 9.5e-7 and PyTorch 1.5e-6 relative from float64 (PyTorch's e^{2·lmc} one ulp low), "
            + "2.5e-6 apart; the bound there is 2.0e-5";

    /** e^x/(1 − e^x): how many ulps of the difference one ulp of e^x (x < 0) is. */
    static double expCancellation(double x) {
        return x == 0 ? Double.POSITIVE_INFINITY : Math.exp(x) / -Math.expm1(x);
    }

    /** VP/sub-VP 2·log m(t), and sub-VP's discount exponent −2β0t − (β1−β0)t². */
    static double twoLmc(Case c, double t) {
        double b0 = c.doubleArg("a"), b1 = c.doubleArg("b");
        return 2 * (-0.25 * t * t * (b1 - b0) - 0.5 * t * b0);
    }

    /** The extra rtol of one dsmLoss case: see {@link #DSM_CANCELS}. */
    static double dsmLossBound(Case c) {
        String kind = c.stringArg("kind");
        double b0 = c.doubleArg("a"), b1 = c.doubleArg("b");
        double worst = 0;
        for (double t : (double[]) c.arg("t")) {
            double kStd = kind.equals("ve") ? 0 : expCancellation(twoLmc(c, t)) * (kind.equals("vp") ? 0.5 : 1);
            double kG2 = kind.equals("subvp") && c.boolArg("likelihood") ? expCancellation(-2 * b0 * t - (b1 - b0) * t * t) : 0;
            worst = Math.max(worst, 2 * (4 * kStd + kG2) * ULP);
        }
        return worst;
    }

    /** A one-step op: inputs x, score, z; output [x, x̄] stacked. */
    interface ScratchStep {
        Tensor[] apply(zerotoml.scratch.diffusion.ScoreSde.Sde sde, Tensor x, double t, Tensor score, Tensor z, double snr);
    }

    interface RefStep {
        NDArray[] apply(ScoreSde.Sde sde, NDArray x, NDArray t, NDArray score, NDArray z, double snr);
    }

    static OpSpec oneStep(String name, ScratchStep mine, RefStep ref) {
        return OpSpec.op(name).cases(tensors(3))
                .scratch((c, x) -> {
                    Tensor[] r = mine.apply(scratchSde(c), x.get(0), x.get(0).dtype().round(((double[]) c.arg("t"))[0]), x.get(1), x.get(2), c.doubleArg("snr"));
                    return stack(r[0], r[1]);
                })
                .reference((c, x) -> {
                    double[] t = new double[(int) x.get(0).getShape().get(0)];
                    java.util.Arrays.fill(t, ((double[]) c.arg("t"))[0]);
                    NDArray[] r = ref.apply(refSde(c), x.get(0), tv(x.get(0).getManager(), t, x.get(0).getDataType()), x.get(1), x.get(2), c.doubleArg("snr"));
                    return stack(r[0], r[1]);
                });
    }

    static OpSpec eulerMaruyama() {
        return oneStep("ScoreSde.eulerMaruyamaStep (EulerMaruyamaPredictor)",
                (sde, x, t, s, z, snr) -> zerotoml.scratch.diffusion.ScoreSde.eulerMaruyamaStep(sde, x, t, s, z),
                (sde, x, t, s, z, snr) -> ScoreSde.eulerMaruyama(sde, x, t, s, z));
    }

    static OpSpec reverseDiffusion() {
        return oneStep("ScoreSde.reverseDiffusionStep (ReverseDiffusionPredictor)",
                (sde, x, t, s, z, snr) -> zerotoml.scratch.diffusion.ScoreSde.reverseDiffusionStep(sde, x, t, s, z),
                (sde, x, t, s, z, snr) -> ScoreSde.reverseDiffusion(sde, x, t, s, z))
                .conditioned(Precision.F32, OpSpec.Check.GRADIENT, ScoreSdeParityTest::reverseDiffusionBound, G2_CANCELS);
    }

    static final String G2_CANCELS = "VE's discretisation G_i² = σ_i² − σ_{i−1}², with σ = exp(linspace(ln σ_min, ln σ_max, N)) in float32: "
            + "one ulp of each exp (PyTorch's float32 exp is accurate to 1 ulp, not correctly rounded; scratch's is) becomes "
            + "S = (σ_i² + σ_{i−1}²)/(σ_i² − σ_{i−1}²) times two ulps of G² (S = 29 at N = 184, σ 0.1..50; up to ~430 at N = 1000, "
            + "σ 0.1..1), and the score's term and its gradient carry G². Bound 4·S·2^-23 for VE; sub-VP's G = g(t)/√N carries the "
            + "discount 1 − e^x, so 2·κ·2^-23 with κ = e^x/(1 − e^x); VP has no such cancellation (0). Measured on the N = 184 case: "
            + "scratch 1.3e-6 and PyTorch 2.1e-6 relative from float64, 3.3e-6 apart; the bound there is 1.4e-5";

    /** The extra rtol of one reverse-diffusion case: see {@link #G2_CANCELS}. */
    static double reverseDiffusionBound(Case c) {
        double t = (float) ((double[]) c.arg("t"))[0], b0 = c.doubleArg("a"), b1 = c.doubleArg("b");
        int n = c.intArg("n");
        return switch (c.stringArg("kind")) {
            case "ve" -> {
                int k = (int) (float) (t * (n - 1));
                double lo = Math.log(b0), hi = Math.log(b1);
                double s = Math.exp(n == 1 ? lo : lo + k * (hi - lo) / (n - 1)), adj = k == 0 ? 0 : Math.exp(lo + (k - 1) * (hi - lo) / (n - 1));
                yield 4 * (s * s + adj * adj) / (s * s - adj * adj) * ULP;
            }
            case "subvp" -> 2 * expCancellation(-2 * b0 * t - (b1 - b0) * t * t) * ULP;
            default -> 0;
        };
    }

    static OpSpec langevin() {
        return oneStep("ScoreSde.langevinStep (LangevinCorrector)",
                (sde, x, t, s, z, snr) -> zerotoml.scratch.diffusion.ScoreSde.langevinStep(sde, x, t, s, snr, z),
                (sde, x, t, s, z, snr) -> ScoreSde.langevin(sde, x, t, s, snr, z))
                .noGradient("the step size uses batch-mean norms computed as plain numbers on the scratch side (‖z‖/‖s‖ takes no gradient there); "
                        + "the forward check covers the step, and the score's gradient flows in pcSample only through x");
    }

    static OpSpec pcSample() {
        return OpSpec.op("ScoreSde.pcSample (get_pc_sampler, toy net)")
                .cases(s -> {
                    Map<String, Object> a = new HashMap<>();
                    sde(s, a, 6);
                    a.put("predictor", s.pick("em", "reverse_diffusion", "none"));
                    int corr = a.get("predictor").equals("none") ? s.intBetween(1, 2) : s.intBetween(0, 2);
                    a.put("corrector", corr);
                    a.put("snr", s.pick(0.16, 0.075));
                    int per = corr + (a.get("predictor").equals("none") ? 0 : 1);
                    int b = s.intBetween(1, 4), d = s.intBetween(1, 3), h = s.intBetween(1, 6);
                    List<Arr> in = new ArrayList<>(List.of(arr(s, new int[] {b, d})));
                    in.addAll(toyNet(s, d, h));
                    in.add(arr(s, new int[] {per * (Integer) a.get("n"), b, d}));
                    return new Case(in, a, Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> zerotoml.scratch.diffusion.ScoreSde.pcSample(scratchSde(c), scratchNet(x, 1, 1), x.get(0), predictor(c), c.intArg("corrector"),
                        c.doubleArg("snr"), 1e-3, split(x.get(5))))
                .reference((c, x) -> ScoreSde.pcSample(refSde(c), refNet(x, 1, 1), x.get(0), c.stringArg("predictor"), c.intArg("corrector"),
                        c.doubleArg("snr"), 1e-3, split(x.get(5))))
                .noGradient("the Langevin step size is computed from batch-mean norms as plain numbers in scratch (no gradient through ‖s‖, ‖z‖), "
                        + "while PyTorch differentiates through them; the trajectory's values are compared")
                .loosen(Precision.F32, OpSpec.Check.FORWARD, 2e-5, 1e-5, "a chain of up to 18 predictor/corrector updates in float32 through a tanh "
                        + "network; VE's σ_max up to 50 scales the noise, so values reach ~1e3 and roundings compound (worst seen 3.9e-3 abs, 1.6e-5 rel)")
                .perturbationConditioned(Precision.F32, OpSpec.Check.FORWARD, "the Langevin step is 2α(r‖z‖/‖s‖)², so where the toy "
                        + "network's score nearly cancels (tanh(−0.5 + 8e-5) + tanh(0.5) = 6.6e-5 from terms of 0.46, κ ≈ 7,000) the sample "
                        + "moves by ∝ 1/s: on that case scratch was 1.1e-4 and PyTorch 5.1e-4 from float64, with the two sides' score "
                        + "sums rounded in different orders; and with VE (σ_max 50) the Euler–Maruyama mean x + g²s/N adds terms of ~2e4 "
                        + "to land near 39 (κ ≈ 500)");
    }

    static zerotoml.scratch.diffusion.ScoreSde.Predictor predictor(Case c) {
        return switch (c.stringArg("predictor")) {
            case "em" -> zerotoml.scratch.diffusion.ScoreSde.Predictor.EULER_MARUYAMA;
            case "reverse_diffusion" -> zerotoml.scratch.diffusion.ScoreSde.Predictor.REVERSE_DIFFUSION;
            default -> zerotoml.scratch.diffusion.ScoreSde.Predictor.NONE;
        };
    }

    static OpSpec probabilityFlow() {
        return OpSpec.op("ScoreSde.probabilityFlow (PF-ODE, Euler/Heun, toy net)")
                .cases(s -> {
                    Map<String, Object> a = new HashMap<>();
                    sde(s, a, 1000);
                    a.put("steps", s.intBetween(1, 8));
                    a.put("heun", s.bool());
                    a.put("encode", s.bool());
                    int b = s.intBetween(1, 4), d = s.intBetween(1, 3), h = s.intBetween(1, 6);
                    List<Arr> in = new ArrayList<>(List.of(arr(s, new int[] {b, d})));
                    in.addAll(toyNet(s, d, h));
                    return new Case(in, a, Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> zerotoml.scratch.diffusion.ScoreSde.probabilityFlow(scratchSde(c), scratchNet(x, 1, 1), x.get(0),
                        c.boolArg("encode") ? 1e-3 : 1, c.boolArg("encode") ? 1 : 1e-3, c.intArg("steps"),
                        c.boolArg("heun") ? zerotoml.scratch.diffusion.ScoreSde.Ode.HEUN : zerotoml.scratch.diffusion.ScoreSde.Ode.EULER))
                .reference((c, x) -> ScoreSde.probabilityFlow(refSde(c), refNet(x, 1, 1), x.get(0),
                        c.boolArg("encode") ? 1e-3 : 1, c.boolArg("encode") ? 1 : 1e-3, c.intArg("steps"), c.boolArg("heun")))
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
