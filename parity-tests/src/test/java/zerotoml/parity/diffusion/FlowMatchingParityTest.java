package zerotoml.parity.diffusion;

import static zerotoml.parity.diffusion.DiffusionCases.*;

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
import zerotoml.reference.diffusion.FlowMatching;
import zerotoml.reference.diffusion.RectifiedFlow;

/**
 * Flow matching against facebookresearch/flow_matching and rectified flow against
 * gnobitab/RectifiedFlow, both written with DJL: the conditional OT path, its target and
 * conditional field, the two losses, and Euler/Heun trajectories through a toy velocity network.
 */
class FlowMatchingParityTest {

    static zerotoml.fixtures.Gen<Case> tensors(int k) {
        return s -> {
            Map<String, Object> a = new HashMap<>();
            int[] shape = batchShape(s);
            a.put("t", times(s, shape[0], 0, 1));
            a.put("sigmaMin", s.pick(0.0, 1e-4, 0.1));
            List<Arr> in = new ArrayList<>();
            for (int i = 0; i < k; i++) in.add(arr(s, shape));
            return new Case(in, a, Cases.cotangentSeed(s));
        };
    }

    static double[] t(Case c, List<zerotoml.scratch.tensor.Tensor> x) {
        return ScoreSdeParityTest.rounded((double[]) c.arg("t"), x.get(0));
    }

    static ai.djl.ndarray.NDArray t(Case c, List<ai.djl.ndarray.NDArray> x, boolean ref) {
        return ScoreSdeParityTest.tv(x.get(0).getManager(), (double[]) c.arg("t"), x.get(0).getDataType());
    }

    static OpSpec path() {
        return OpSpec.op("FlowMatching.path (AffineProbPath.sample x_t)").cases(tensors(2))
                .scratch((c, x) -> zerotoml.scratch.diffusion.FlowMatching.path(x.get(0), x.get(1), t(c, x), c.doubleArg("sigmaMin")))
                .reference((c, x) -> FlowMatching.path(x.get(0), x.get(1), t(c, x, true), c.doubleArg("sigmaMin")));
    }

    static OpSpec conditionalField() {
        return OpSpec.op("FlowMatching.conditionalField (Eq. 21)").cases(tensors(2))
                .scratch((c, x) -> zerotoml.scratch.diffusion.FlowMatching.conditionalField(x.get(0), x.get(1), t(c, x), c.doubleArg("sigmaMin")))
                .reference((c, x) -> FlowMatching.conditionalField(x.get(0), x.get(1), t(c, x, true), c.doubleArg("sigmaMin")));
    }

    static OpSpec loss() {
        return OpSpec.op("FlowMatching.loss (Eq. 23)").cases(tensors(3))
                .scratch((c, x) -> zerotoml.scratch.diffusion.FlowMatching.loss(x.get(0), x.get(1), x.get(2), c.doubleArg("sigmaMin")))
                .reference((c, x) -> FlowMatching.loss(x.get(0), x.get(1), x.get(2), c.doubleArg("sigmaMin")));
    }

    static OpSpec rfInterpolate() {
        return OpSpec.op("RectifiedFlow.interpolate (losses.py perturbed_data)").cases(tensors(2))
                .scratch((c, x) -> zerotoml.scratch.diffusion.RectifiedFlow.interpolate(x.get(0), x.get(1), t(c, x)))
                .reference((c, x) -> RectifiedFlow.interpolate(x.get(0), x.get(1), t(c, x, true)));
    }

    static OpSpec rfLoss() {
        return OpSpec.op("RectifiedFlow.loss (get_rectified_flow_loss_fn)").cases(tensors(3))
                .scratch((c, x) -> zerotoml.scratch.diffusion.RectifiedFlow.loss(x.get(0), x.get(1), x.get(2)))
                .reference((c, x) -> RectifiedFlow.loss(x.get(0), x.get(1), x.get(2)));
    }

    /** x0 [B, D] and the toy net's weights; steps 1..8. */
    static zerotoml.fixtures.Gen<Case> trajectory() {
        return s -> {
            Map<String, Object> a = new HashMap<>();
            a.put("steps", s.intBetween(1, 8));
            a.put("heun", s.bool());
            a.put("eps", s.pick(0.0, 1e-3));
            int b = s.intBetween(1, 4), d = s.intBetween(1, 3), h = s.intBetween(1, 6);
            List<Arr> in = new ArrayList<>(List.of(arr(s, new int[] {b, d})));
            in.addAll(toyNet(s, d, h));
            return new Case(in, a, Cases.cotangentSeed(s));
        };
    }

    static OpSpec fmSample() {
        return OpSpec.op("FlowMatching.sample (ODESolver euler/heun2, toy net)").cases(trajectory())
                .scratch((c, x) -> zerotoml.scratch.diffusion.FlowMatching.sample(scratchNet(x, 1, 1), x.get(0), c.intArg("steps"),
                        c.boolArg("heun") ? zerotoml.scratch.diffusion.FlowMatching.Method.HEUN : zerotoml.scratch.diffusion.FlowMatching.Method.EULER))
                .reference((c, x) -> FlowMatching.sample(refNet(x, 1, 1), x.get(0), c.intArg("steps"), c.boolArg("heun")));
    }

    static OpSpec rfSample() {
        return OpSpec.op("RectifiedFlow.sample (euler sampler, toy net)").cases(trajectory())
                .scratch((c, x) -> zerotoml.scratch.diffusion.RectifiedFlow.sample(scratchNet(x, 1, 1), x.get(0), c.intArg("steps"), c.doubleArg("eps")))
                .reference((c, x) -> RectifiedFlow.sample(refNet(x, 1, 1), x.get(0), c.intArg("steps"), c.doubleArg("eps")));
    }

    @TestFactory
    Stream<DynamicTest> flowsMatchFlowMatchingAndRectifiedFlowRepositories() {
        return Parity.tests(path(), conditionalField(), loss(), rfInterpolate(), rfLoss(), fmSample(), rfSample());
    }
}
