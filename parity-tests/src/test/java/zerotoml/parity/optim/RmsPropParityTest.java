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
import zerotoml.scratch.optim.RmsProp;

/**
 * RMSprop, plain and centred, with momentum ({@code scratch/optim/RmsProp}) against
 * {@code torch.optim.RMSprop}'s update rule written in NDArray ops. Over 20 to 24 steps with random
 * gradients and random hyper-parameters, scratch's params equal the reference's at every step, in
 * f32 and f64.
 */
class RmsPropParityTest {
    static final Gen<RmsProp.Hyper> RMSPROP = s -> new RmsProp.Hyper(
            logBetween(s, 1e-4, 0.05),
            floatBetween(s, 0.5, 0.999),
            logBetween(s, 1e-8, 1e-3),
            s.bool() ? logBetween(s, 1e-4, 0.1) : 0,
            s.bool() ? floatBetween(s, 0.01, 0.95) : 0,
            s.bool());

    static final RefLoop<RmsProp.Hyper> RMSPROP_REF = (h, ps, gs) -> {
        double[][] out = new double[gs.size()][];
        var st = Ref.rmsPropInit(ps);
        for (int t = 0; t < gs.size(); t++) {
            var r = Ref.rmsPropStep(ps, gs.get(t), st, h.lr(), h.alpha(), h.eps(), h.weightDecay(), h.momentum(), h.centered());
            ps = r.params();
            st = r.state();
            out[t] = flat(ps);
        }
        return out;
    };

    @TestFactory
    Stream<DynamicTest> rmsPropFollowsTorchOptimRule() {
        return both("RmsProp", cases(RMSPROP),
                (c, p) -> scratchRun(c, p, RmsProp.init(net0(c, p)), (h, t, ps, gs, st) -> RmsProp.step(h, ps, gs, st)),
                (c, p) -> referenceRun(c, p, RMSPROP_REF), F32, F64, TORCH).stream();
    }
}
