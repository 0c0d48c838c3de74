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
import zerotoml.scratch.optim.AdaGrad;

/**
 * AdaGrad ({@code scratch/optim/AdaGrad}; Duchi et al., JMLR 2011) against {@code torch.optim.Adagrad}'s
 * update rule written in NDArray ops. Over 20 to 24 steps with random
 * gradients and random hyper-parameters, scratch's params equal the reference's at every step, in
 * f32 and f64.
 */
class AdaGradParityTest {
    static final Gen<AdaGrad.Hyper> ADAGRAD = s -> new AdaGrad.Hyper(
            logBetween(s, 1e-3, 0.5),
            s.bool() ? floatBetween(s, 0, 0.1) : 0,
            s.bool() ? logBetween(s, 1e-4, 0.1) : 0,
            s.bool() ? floatBetween(s, 0, 1) : 0,
            s.bool() ? logBetween(s, 1e-10, 1e-3) : 1e-10);

    static final RefLoop<AdaGrad.Hyper> ADAGRAD_REF = (h, ps, gs) -> {
        double[][] out = new double[gs.size()][];
        var st = Ref.adaGradInit(ps, h.initialAccumulatorValue());
        for (int t = 0; t < gs.size(); t++) {
            var r = Ref.adaGradStep(ps, gs.get(t), st, h.lr(), h.lrDecay(), h.weightDecay(), h.eps());
            ps = r.params();
            st = r.state();
            out[t] = flat(ps);
        }
        return out;
    };

    @TestFactory
    Stream<DynamicTest> adaGradFollowsTorchOptimRule() {
        return both("AdaGrad", cases(ADAGRAD),
                (c, p) -> scratchRun(c, p, AdaGrad.init(c.hyper(), net0(c, p)), (h, t, ps, gs, st) -> AdaGrad.step(h, ps, gs, st)),
                (c, p) -> referenceRun(c, p, ADAGRAD_REF), F32, F64, TORCH).stream();
    }
}
