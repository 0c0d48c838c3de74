package zerotoml.parity.optim;

import static zerotoml.parity.optim.OptimizerRuns.F32;
import static zerotoml.parity.optim.OptimizerRuns.F64;
import static zerotoml.parity.optim.OptimizerRuns.TORCH;
import static zerotoml.parity.optim.OptimizerRuns.both;
import static zerotoml.parity.optim.OptimizerRuns.cases;
import static zerotoml.parity.optim.OptimizerRuns.net0;
import static zerotoml.parity.optim.OptimizerRuns.referenceRun;
import static zerotoml.parity.optim.OptimizerRuns.scratchRun;
import static zerotoml.parity.optim.Trajectories.flat;
import static zerotoml.parity.optim.Trajectories.floatBetween;
import static zerotoml.parity.optim.Trajectories.logBetween;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Gen;
import zerotoml.parity.optim.OptimizerRuns.RefLoop;
import zerotoml.scratch.optim.AdamW;

/**
 * AdamW ({@code scratch/optim/AdamW}; Loshchilov &amp; Hutter, "Decoupled Weight Decay
 * Regularization", arXiv 1711.05101) against {@code torch.optim.AdamW}'s update rule written in
 * NDArray ops. Over 20 to 24 steps with random
 * gradients and random hyper-parameters, scratch's params equal the reference's at every step, in
 * f32 and f64.
 */
class AdamWParityTest {
    static final Gen<AdamW.Hyper> ADAMW = s -> new AdamW.Hyper(
            logBetween(s, 1e-4, 0.1),
            floatBetween(s, 0, 0.99),
            floatBetween(s, 0.9, 0.9999),
            logBetween(s, 1e-8, 1e-3),
            floatBetween(s, 0, 0.1),
            s.bool());

    static final RefLoop<AdamW.Hyper> ADAMW_REF = (h, ps, gs) -> {
        double[][] out = new double[gs.size()][];
        var st = Ref.adamInit(ps);
        for (int t = 0; t < gs.size(); t++) {
            var r = Ref.adamW(ps, gs.get(t), st, h.lr(), h.beta1(), h.beta2(), h.eps(), h.weightDecay(), h.amsgrad());
            ps = r.params();
            st = r.state();
            out[t] = flat(ps);
        }
        return out;
    };

    @TestFactory
    Stream<DynamicTest> adamWFollowsTorchOptimRule() {
        return both("AdamW", cases(ADAMW),
                (c, p) -> scratchRun(c, p, AdamW.init(net0(c, p)), (h, t, ps, gs, st) -> AdamW.step(h, ps, gs, st)),
                (c, p) -> referenceRun(c, p, ADAMW_REF), F32, F64, TORCH).stream();
    }
}
