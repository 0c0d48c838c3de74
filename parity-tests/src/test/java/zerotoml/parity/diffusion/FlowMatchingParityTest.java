package zerotoml.parity.diffusion;

import static zerotoml.parity.diffusion.DiffusionCases.*;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Gen;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Case.Arg;
import zerotoml.parity.harness.Case.Args;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.diffusion.FlowMatching;
import zerotoml.scratch.tensor.Tensor;

/**
 * Flow matching ({@code scratch/diffusion/FlowMatching}; Lipman et al., "Flow Matching for
 * Generative Modeling", arXiv 2210.02747) against facebookresearch/flow_matching written with DJL:
 * the conditional OT path, its conditional field, the loss, and Euler/Heun trajectories through a
 * toy velocity network. {@code RectifiedFlowParityTest} draws its cases from here.
 */
class FlowMatchingParityTest {
    static final Arg<double[]> TIMES = Arg.doubles("t");
    static final Arg<Double> SIGMA_MIN = Arg.real("sigmaMin");
    static final Arg<Integer> STEPS = Arg.integer("steps");
    static final Arg<Boolean> HEUN = Arg.bool("heun");
    static final Arg<Double> EPS = Arg.real("eps");

    static Gen<Case> tensors(int k) {
        return s -> {
            Args a = Args.NONE;
            int[] shape = batchShape(s);
            a = a.with(TIMES, times(s, shape[0], 0, 1));
            a = a.with(SIGMA_MIN, s.pick(0.0, 1e-4, 0.1));
            List<Arr> in = new ArrayList<>();
            for (int i = 0; i < k; i++) in.add(arr(s, shape));
            return new Case(in, a, Cases.cotangentSeed(s));
        };
    }

    static double[] t(Case c, List<Tensor> x) {
        return ScoreSdeParityTest.rounded(c.get(TIMES), x.get(0));
    }

    static NDArray t(Case c, List<NDArray> x, boolean ref) {
        return ScoreSdeParityTest.tv(x.get(0).getManager(), c.get(TIMES), x.get(0).getDataType());
    }

    static OpSpec path() {
        return OpSpec.op("FlowMatching.path (AffineProbPath.sample x_t)").cases(tensors(2))
                .scratch((c, x) -> FlowMatching.path(x.get(0), x.get(1), t(c, x), c.get(SIGMA_MIN)))
                .reference((c, x) -> Ref.path(x.get(0), x.get(1), t(c, x, true), c.get(SIGMA_MIN)));
    }

    static OpSpec conditionalField() {
        return OpSpec.op("FlowMatching.conditionalField (Eq. 21)").cases(tensors(2))
                .scratch((c, x) -> FlowMatching.conditionalField(x.get(0), x.get(1), t(c, x), c.get(SIGMA_MIN)))
                .reference((c, x) -> Ref.conditionalField(x.get(0), x.get(1), t(c, x, true), c.get(SIGMA_MIN)));
    }

    static OpSpec loss() {
        return OpSpec.op("FlowMatching.loss (Eq. 23)").cases(tensors(3))
                .scratch((c, x) -> FlowMatching.loss(x.get(0), x.get(1), x.get(2), c.get(SIGMA_MIN)))
                .reference((c, x) -> Ref.flowMatchingLoss(x.get(0), x.get(1), x.get(2), c.get(SIGMA_MIN)));
    }

    /** x0 [B, D] and the toy net's weights; steps 1..8. */
    static Gen<Case> trajectory() {
        return s -> {
            Args a = Args.NONE;
            a = a.with(STEPS, s.intBetween(1, 8));
            a = a.with(HEUN, s.bool());
            a = a.with(EPS, s.pick(0.0, 1e-3));
            int b = s.intBetween(1, 4), d = s.intBetween(1, 3), h = s.intBetween(1, 6);
            List<Arr> in = new ArrayList<>(List.of(arr(s, new int[] {b, d})));
            in.addAll(toyNet(s, d, h));
            return new Case(in, a, Cases.cotangentSeed(s));
        };
    }

    static OpSpec sample() {
        return OpSpec.op("FlowMatching.sample (ODESolver euler/heun2, toy net)").cases(trajectory())
                .scratch((c, x) -> FlowMatching.sample(scratchNet(x, 1, 1), x.get(0), c.get(STEPS),
                        c.get(HEUN) ? FlowMatching.Method.HEUN : FlowMatching.Method.EULER))
                .reference((c, x) -> Ref.flowMatchingSample(refNet(x, 1, 1), x.get(0), c.get(STEPS), c.get(HEUN)));
    }

    @TestFactory
    Stream<DynamicTest> agreesWithTheFlowMatchingLibrary() {
        return Parity.tests(path(), conditionalField(), loss(), sample());
    }
}
