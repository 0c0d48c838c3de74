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

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Gen;
import zerotoml.parity.optim.OptimizerRuns.RefLoop;
import zerotoml.parity.optim.Trajectories.Case;
import zerotoml.parity.harness.TrajectoryParity.Side;
import zerotoml.reference.Torch;
import zerotoml.reference.optim.DjlOptimizers;
import zerotoml.reference.optim.Schedules;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.optim.Schedule;

/**
 * Adam and AMSGrad ({@code scratch/optim/Adam}; Kingma &amp; Ba, "Adam: A Method for Stochastic
 * Optimization", arXiv 1412.6980) against {@code torch.optim.Adam}'s update rule written in NDArray
 * ops, against DJL's built-in Adam where the conventions coincide (and where they differ only by the
 * placement of ε), and under a cosine schedule. Over 20 to 24 steps with random
 * gradients and random hyper-parameters, scratch's params equal the reference's at every step, in
 * f32 and f64.
 */
class AdamParityTest {
    static final Gen<Adam.Hyper> ADAM = s -> new Adam.Hyper(
            logBetween(s, 1e-4, 0.1),
            floatBetween(s, 0, 0.99),
            floatBetween(s, 0.9, 0.9999),
            logBetween(s, 1e-8, 1e-3),
            s.bool() ? logBetween(s, 1e-4, 0.1) : 0,
            s.bool());

    static final RefLoop<Adam.Hyper> ADAM_REF = (h, ps, gs) -> {
        double[][] out = new double[gs.size()][];
        var st = Ref.adamInit(ps);
        for (int t = 0; t < gs.size(); t++) {
            var r = Ref.adam(ps, gs.get(t), st, h.lr(), h.beta1(), h.beta2(), h.eps(), h.weightDecay(), h.amsgrad());
            ps = r.params();
            st = r.state();
            out[t] = flat(ps);
        }
        return out;
    };

    @TestFactory
    Stream<DynamicTest> adamFollowsTorchOptimRule() {
        return both("Adam", cases(ADAM),
                (c, p) -> scratchRun(c, p, Adam.init(net0(c, p)), (h, t, ps, gs, st) -> Adam.step(h, ps, gs, st)),
                (c, p) -> referenceRun(c, p, ADAM_REF), F32, F64, TORCH).stream();
    }

    /** No weight decay, no AMSGrad, constant lr: the only Adam DJL and torch share. */
    static final Gen<Adam.Hyper> ADAM_DJL = s -> new Adam.Hyper(
            logBetween(s, 1e-4, 0.1), floatBetween(s, 0, 0.99), floatBetween(s, 0.9, 0.9999),
            0, 0, false);

    @TestFactory
    Stream<DynamicTest> adamMatchesDjlBuiltInWhereConventionsCoincide() {
        List<DynamicTest> out = new ArrayList<>();
        out.addAll(both("Adam (DJL built-in)", cases(ADAM_DJL),
                (c, p) -> scratchRun(c, p, Adam.init(net0(c, p)), (h, t, ps, gs, st) -> Adam.step(h, ps, gs, st)),
                (c, p) -> referenceRun(c, p, (h, ps, gs) -> djlLoop(DjlOptimizers.adam(h.lr(), h.beta1(), h.beta2(), h.eps()), ps, gs)),
                F32, F64, DJL));
        out.addAll(both("Adam (DJL built-in, eps mapped)", cases(ADAM_DJL_EPS),
                (c, p) -> scratchRun(c, p, Adam.init(net0(c, p)), (h, t, ps, gs, st) -> Adam.step(djlEpsilon(h, t), ps, gs, st)),
                (c, p) -> referenceRun(c, p, (h, ps, gs) -> djlLoop(DjlOptimizers.adam(h.lr(), h.beta1(), h.beta2(), h.eps()), ps, gs)),
                F32, F64, DJL));
        return out.stream();
    }

    /** Adam with DJL's usual ε (1e-8 .. 1e-6): DJL adds ε to √v where torch adds it to √v̂. */
    static final Gen<Adam.Hyper> ADAM_DJL_EPS = s -> new Adam.Hyper(
            logBetween(s, 1e-4, 0.1), floatBetween(s, 0, 0.99), floatBetween(s, 0.9, 0.9999),
            logBetween(s, 1e-8, 1e-6), 0, false);

    /**
     * DJL's step {@code γ√(1−β₂ᵗ)/(1−β₁ᵗ) · m/(√v + ε)} is exactly torch's
     * {@code (γ/(1−β₁ᵗ)) · m/(√v/√(1−β₂ᵗ) + ε')} with {@code ε' = ε/√(1−β₂ᵗ)}: the measured
     * difference between the two libraries is this change of ε and nothing else.
     */
    static Adam.Hyper djlEpsilon(Adam.Hyper h, int t) {
        double bc2Sqrt = Math.sqrt(1 - Math.pow(h.beta2(), t + 1));
        return new Adam.Hyper(h.lr(), h.beta1(), h.beta2(), h.eps() / bc2Sqrt, h.weightDecay(), h.amsgrad());
    }

    record Scheduled(Adam.Hyper hyper, int tMax, double etaMin) {}

    @TestFactory
    Stream<DynamicTest> adamUnderACosineScheduleFollowsTheReference() {
        Gen<Case<Scheduled>> gen = s -> {
            Adam.Hyper h = ADAM.draw(s);
            Scheduled sc = new Scheduled(h, s.intBetween(5, 30), h.lr() * floatBetween(s, 0, 0.5));
            return new Case<>(sc, Trajectories.runs().draw(s));
        };
        Side<Case<Scheduled>> scratch = (c, p) -> {
            Schedule sched = new Schedule.Cosine(c.hyper().hyper().lr(), c.hyper().tMax(), c.hyper().etaMin());
            return scratchRun(c, p, Adam.init(net0(c, p)), (h, t, ps, gs, st) -> Adam.step(h.hyper().withLr(sched.lr(t)), ps, gs, st));
        };
        Side<Case<Scheduled>> reference = (c, p) -> referenceRun(c, p, (h, ps, gs) -> {
            Adam.Hyper a = h.hyper();
            int[] ts = new int[gs.size()];
            for (int t = 0; t < ts.length; t++) ts[t] = t;
            double[] lrs = Torch.values(Schedules.cosine(ps.get(0).getManager(), ts, a.lr(), h.tMax(), h.etaMin()));
            double[][] out = new double[gs.size()][];
            var st = Ref.adamInit(ps);
            for (int t = 0; t < gs.size(); t++) {
                var r = Ref.adam(ps, gs.get(t), st, lrs[t], a.beta1(), a.beta2(), a.eps(), a.weightDecay(), a.amsgrad());
                ps = r.params();
                st = r.state();
                out[t] = flat(ps);
            }
            return out;
        });
        return both("Adam + Schedule.Cosine", gen, scratch, reference, F32, F64, TORCH).stream();
    }
}
