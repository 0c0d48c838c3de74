package zerotoml.parity.optim;

import static zerotoml.parity.optim.OptimizerRuns.DJL;
import static zerotoml.parity.optim.OptimizerRuns.F32;
import static zerotoml.parity.optim.OptimizerRuns.F64;
import static zerotoml.parity.optim.OptimizerRuns.TORCH;
import static zerotoml.parity.optim.OptimizerRuns.both;
import static zerotoml.parity.optim.OptimizerRuns.cases;
import static zerotoml.parity.optim.OptimizerRuns.djlLoop;
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
import zerotoml.parity.harness.TrajectoryParity;
import zerotoml.parity.optim.OptimizerRuns.RefLoop;
import zerotoml.reference.optim.DjlOptimizers;
import zerotoml.scratch.optim.Sgd;

/**
 * SGD with momentum, dampening, Nesterov and weight decay ({@code scratch/optim/Sgd}) against
 * {@code torch.optim.SGD}'s update rule written in NDArray ops, and against DJL's built-in SGD where
 * the conventions coincide. Over 20 to 24 steps with random
 * gradients and random hyper-parameters, scratch's params equal the reference's at every step, in
 * f32 and f64.
 */
class SgdParityTest {
    static final Gen<Sgd.Hyper> SGD = s -> {
        double lr = logBetween(s, 1e-3, 0.5);
        double momentum = s.bool() ? floatBetween(s, 0.01, 0.99) : 0;
        boolean nesterov = momentum > 0 && s.bool();
        double dampening = nesterov || !s.bool() ? 0 : floatBetween(s, 0, 1);
        double wd = s.bool() ? logBetween(s, 1e-4, 0.1) : 0;
        return new Sgd.Hyper(lr, momentum, dampening, wd, nesterov);
    };

    static final RefLoop<Sgd.Hyper> SGD_REF = (h, ps, gs) -> {
        double[][] out = new double[gs.size()][];
        var st = Ref.sgdInit(ps);
        for (int t = 0; t < gs.size(); t++) {
            var r = Ref.sgdStep(ps, gs.get(t), st, h.lr(), h.momentum(), h.dampening(), h.weightDecay(), h.nesterov());
            ps = r.params();
            st = r.state();
            out[t] = flat(ps);
        }
        return out;
    };

    @TestFactory
    Stream<DynamicTest> sgdFollowsTorchOptimRule() {
        return both("Sgd", cases(SGD),
                (c, p) -> scratchRun(c, p, Sgd.init(net0(c, p)), (h, t, ps, gs, st) -> Sgd.step(h, ps, gs, st)),
                (c, p) -> referenceRun(c, p, SGD_REF), F32, F64, TORCH).stream();
    }

    /** Constant lr, no dampening, no Nesterov: DJL's MXNet-style momentum equals torch's. */
    static final Gen<Sgd.Hyper> SGD_DJL = s -> new Sgd.Hyper(
            logBetween(s, 1e-3, 0.5), s.bool() ? floatBetween(s, 0.01, 0.99) : 0, 0,
            s.bool() ? logBetween(s, 1e-4, 0.1) : 0, false);

    /**
     * The f32 allowance scales with each parameter's path ({@link TrajectoryParity.Scale#PATH}): DJL's
     * MXNet-style momentum (v = m·v − lr·g, w += v) rounds differently from torch's rule (buf = m·buf + g,
     * w −= lr·buf), which scratch follows; momentum up to 0.99 carries each step's rounding into the
     * next, committed at the magnitude the parameter had then, and a parameter that grows and comes
     * back keeps it (the deep run's case: momentum 0.93, lr 0.45, a parameter from 28.8 back to 0.45,
     * 1.2× the allowance at step 19 measured at 0.45; scratch 1.14× from the float64 trajectory, DJL
     * 0.07×). Against torch's rule in NDArray ops (the same formula in the same order) it stays VALUE.
     */
    @TestFactory
    Stream<DynamicTest> sgdMatchesDjlBuiltInWhereConventionsCoincide() {
        return both("Sgd (DJL built-in)", cases(SGD_DJL),
                (c, p) -> scratchRun(c, p, Sgd.init(net0(c, p)), (h, t, ps, gs, st) -> Sgd.step(h, ps, gs, st)),
                (c, p) -> referenceRun(c, p, (h, ps, gs) -> djlLoop(DjlOptimizers.sgd(h.lr(), h.momentum(), h.weightDecay()), ps, gs)),
                F32, F64, DJL, TrajectoryParity.Scale.PATH).stream();
    }
}
