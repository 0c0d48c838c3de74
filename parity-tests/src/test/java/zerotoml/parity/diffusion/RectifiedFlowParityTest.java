package zerotoml.parity.diffusion;

import static zerotoml.parity.diffusion.DiffusionCases.refNet;
import static zerotoml.parity.diffusion.DiffusionCases.scratchNet;
import static zerotoml.parity.diffusion.FlowMatchingParityTest.EPS;
import static zerotoml.parity.diffusion.FlowMatchingParityTest.STEPS;
import static zerotoml.parity.diffusion.FlowMatchingParityTest.t;
import static zerotoml.parity.diffusion.FlowMatchingParityTest.tensors;
import static zerotoml.parity.diffusion.FlowMatchingParityTest.trajectory;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.diffusion.RectifiedFlow;

/**
 * Rectified flow ({@code scratch/diffusion/RectifiedFlow}; Liu et al., "Flow Straight and Fast",
 * arXiv 2209.03003) against gnobitab/RectifiedFlow written with DJL: the interpolation, the loss,
 * and the Euler sampler through a toy velocity network, on the cases of {@code FlowMatchingParityTest}.
 */
class RectifiedFlowParityTest {
    static OpSpec interpolate() {
        return OpSpec.op("RectifiedFlow.interpolate (losses.py perturbed_data)").cases(tensors(2))
                .scratch((c, x) -> RectifiedFlow.interpolate(x.get(0), x.get(1), t(c, x)))
                .reference((c, x) -> Ref.interpolate(x.get(0), x.get(1), t(c, x, true)));
    }

    static OpSpec loss() {
        return OpSpec.op("RectifiedFlow.loss (get_rectified_flow_loss_fn)").cases(tensors(3))
                .scratch((c, x) -> RectifiedFlow.loss(x.get(0), x.get(1), x.get(2)))
                .reference((c, x) -> Ref.rectifiedFlowLoss(x.get(0), x.get(1), x.get(2)));
    }

    static OpSpec sample() {
        return OpSpec.op("RectifiedFlow.sample (euler sampler, toy net)").cases(trajectory())
                .scratch((c, x) -> RectifiedFlow.sample(scratchNet(x, 1, 1), x.get(0), c.get(STEPS), c.get(EPS)))
                .reference((c, x) -> Ref.rectifiedFlowSample(refNet(x, 1, 1), x.get(0), c.get(STEPS), c.get(EPS)));
    }

    @TestFactory
    Stream<DynamicTest> agreesWithTheRectifiedFlowRepository() {
        return Parity.tests(interpolate(), loss(), sample());
    }
}
