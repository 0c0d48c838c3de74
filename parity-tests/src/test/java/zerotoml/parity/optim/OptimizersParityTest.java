package zerotoml.parity.optim;

import static zerotoml.parity.optim.Trajectories.arrays;
import static zerotoml.parity.optim.Trajectories.flat;
import static zerotoml.parity.optim.Trajectories.floatBetween;
import static zerotoml.parity.optim.Trajectories.logBetween;
import static zerotoml.parity.optim.Trajectories.net;
import static zerotoml.parity.optim.Trajectories.withManager;

import ai.djl.ndarray.NDArray;
import ai.djl.training.optimizer.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Precision;
import zerotoml.fixtures.Tolerance;
import zerotoml.parity.optim.Trajectories.Case;
import zerotoml.parity.optim.Trajectories.Net;
import zerotoml.parity.optim.Trajectories.Run;
import zerotoml.parity.optim.Trajectories.Side;
import zerotoml.reference.optim.DjlOptimizers;
import zerotoml.scratch.optim.AdaGrad;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.optim.AdamW;
import zerotoml.scratch.optim.RmsProp;
import zerotoml.scratch.optim.Schedule;
import zerotoml.scratch.optim.Sgd;
import zerotoml.scratch.optim.Step;

/**
 * Optimiser trajectories: over 20 to 24 steps with random gradients and random hyper-parameters,
 * scratch's params equal the reference's torch.optim rules (NDArray ops) at every step, in f32 and
 * f64; where conventions coincide, scratch also equals DJL's built-in {@code Optimizer.update}.
 */
class OptimizersParityTest {

    // ------------------------------------------------------------------ hyper-parameter generators

    static final Gen<Sgd.Hyper> SGD = s -> {
        double lr = logBetween(s, 1e-3, 0.5);
        double momentum = s.bool() ? floatBetween(s, 0.01, 0.99) : 0;
        boolean nesterov = momentum > 0 && s.bool();
        double dampening = nesterov || !s.bool() ? 0 : floatBetween(s, 0, 1);
        double wd = s.bool() ? logBetween(s, 1e-4, 0.1) : 0;
        return new Sgd.Hyper(lr, momentum, dampening, wd, nesterov);
    };

    static final Gen<AdaGrad.Hyper> ADAGRAD = s -> new AdaGrad.Hyper(
            logBetween(s, 1e-3, 0.5),
            s.bool() ? floatBetween(s, 0, 0.1) : 0,
            s.bool() ? logBetween(s, 1e-4, 0.1) : 0,
            s.bool() ? floatBetween(s, 0, 1) : 0,
            s.bool() ? logBetween(s, 1e-10, 1e-3) : 1e-10);

    static final Gen<RmsProp.Hyper> RMSPROP = s -> new RmsProp.Hyper(
            logBetween(s, 1e-4, 0.05),
            floatBetween(s, 0.5, 0.999),
            logBetween(s, 1e-8, 1e-3),
            s.bool() ? logBetween(s, 1e-4, 0.1) : 0,
            s.bool() ? floatBetween(s, 0.01, 0.95) : 0,
            s.bool());

    static final Gen<Adam.Hyper> ADAM = s -> new Adam.Hyper(
            logBetween(s, 1e-4, 0.1),
            floatBetween(s, 0, 0.99),
            floatBetween(s, 0.9, 0.9999),
            logBetween(s, 1e-8, 1e-3),
            s.bool() ? logBetween(s, 1e-4, 0.1) : 0,
            s.bool());

    static final Gen<AdamW.Hyper> ADAMW = s -> new AdamW.Hyper(
            logBetween(s, 1e-4, 0.1),
            floatBetween(s, 0, 0.99),
            floatBetween(s, 0.9, 0.9999),
            logBetween(s, 1e-8, 1e-3),
            floatBetween(s, 0, 0.1),
            s.bool());

    static <H> Gen<Case<H>> cases(Gen<H> hyper) {
        return s -> {
            H h = hyper.draw(s);
            return new Case<>(h, Trajectories.runs().draw(s));
        };
    }

    // ------------------------------------------------------------------ scratch sides

    /** Runs a scratch optimiser (init state, step) over the case's gradients. */
    static <H, S> double[][] scratchRun(Case<H> c, Precision p, S init0, StepFn<H, S> step) {
        Run r = c.run();
        Net params = net(p, r.shapes(), r.init());
        S state = init0;
        double[][] out = new double[r.steps()][];
        for (int t = 0; t < r.steps(); t++) {
            Step<Net, S> st = step.apply(c.hyper(), t, params, net(p, r.shapes(), r.grads()[t]), state);
            params = st.params();
            state = st.state();
            out[t] = flat(params);
        }
        return out;
    }

    @FunctionalInterface
    interface StepFn<H, S> {
        Step<Net, S> apply(H h, int t, Net params, Net grads, S state);
    }

    static Net net0(Case<?> c, Precision p) {
        return net(p, c.run().shapes(), c.run().init());
    }

    // ------------------------------------------------------------------ reference sides

    /** Runs a reference rule over the case's gradients inside one NDManager. */
    static <H> double[][] referenceRun(Case<H> c, Precision p,
                                       RefLoop<H> loop) {
        return withManager(m -> {
            Run r = c.run();
            List<NDArray> params = arrays(m, p, r.shapes(), r.init());
            List<List<NDArray>> grads = new ArrayList<>();
            for (double[][] g : r.grads()) grads.add(arrays(m, p, r.shapes(), g));
            return loop.run(c.hyper(), params, grads);
        });
    }

    @FunctionalInterface
    interface RefLoop<H> {
        double[][] run(H h, List<NDArray> params, List<List<NDArray>> grads);
    }

    static final RefLoop<Sgd.Hyper> SGD_REF = (h, ps, gs) -> {
        double[][] out = new double[gs.size()][];
        var st = zerotoml.reference.optim.Sgd.init(ps);
        for (int t = 0; t < gs.size(); t++) {
            var r = zerotoml.reference.optim.Sgd.step(ps, gs.get(t), st, h.lr(), h.momentum(), h.dampening(), h.weightDecay(), h.nesterov());
            ps = r.params();
            st = r.state();
            out[t] = flat(ps);
        }
        return out;
    };

    static final RefLoop<AdaGrad.Hyper> ADAGRAD_REF = (h, ps, gs) -> {
        double[][] out = new double[gs.size()][];
        var st = zerotoml.reference.optim.AdaGrad.init(ps, h.initialAccumulatorValue());
        for (int t = 0; t < gs.size(); t++) {
            var r = zerotoml.reference.optim.AdaGrad.step(ps, gs.get(t), st, h.lr(), h.lrDecay(), h.weightDecay(), h.eps());
            ps = r.params();
            st = r.state();
            out[t] = flat(ps);
        }
        return out;
    };

    static final RefLoop<RmsProp.Hyper> RMSPROP_REF = (h, ps, gs) -> {
        double[][] out = new double[gs.size()][];
        var st = zerotoml.reference.optim.RmsProp.init(ps);
        for (int t = 0; t < gs.size(); t++) {
            var r = zerotoml.reference.optim.RmsProp.step(ps, gs.get(t), st, h.lr(), h.alpha(), h.eps(), h.weightDecay(), h.momentum(), h.centered());
            ps = r.params();
            st = r.state();
            out[t] = flat(ps);
        }
        return out;
    };

    static final RefLoop<Adam.Hyper> ADAM_REF = (h, ps, gs) -> {
        double[][] out = new double[gs.size()][];
        var st = zerotoml.reference.optim.Adam.init(ps);
        for (int t = 0; t < gs.size(); t++) {
            var r = zerotoml.reference.optim.Adam.adam(ps, gs.get(t), st, h.lr(), h.beta1(), h.beta2(), h.eps(), h.weightDecay(), h.amsgrad());
            ps = r.params();
            st = r.state();
            out[t] = flat(ps);
        }
        return out;
    };

    static final RefLoop<AdamW.Hyper> ADAMW_REF = (h, ps, gs) -> {
        double[][] out = new double[gs.size()][];
        var st = zerotoml.reference.optim.Adam.init(ps);
        for (int t = 0; t < gs.size(); t++) {
            var r = zerotoml.reference.optim.Adam.adamW(ps, gs.get(t), st, h.lr(), h.beta1(), h.beta2(), h.eps(), h.weightDecay(), h.amsgrad());
            ps = r.params();
            st = r.state();
            out[t] = flat(ps);
        }
        return out;
    };

    /** A DJL built-in optimiser over the case's gradients (it updates the weights in place). */
    static double[][] djlLoop(Optimizer opt, List<NDArray> ps, List<List<NDArray>> gs) {
        double[][] out = new double[gs.size()][];
        for (int t = 0; t < gs.size(); t++) out[t] = flat(DjlOptimizers.update(opt, ps, gs.get(t)));
        return out;
    }

    // ------------------------------------------------------------------ the properties

    static <H> List<DynamicTest> both(String op, Gen<Case<H>> gen, Side<Case<H>> scratch, Side<Case<H>> reference,
                                      Tolerance f32, Tolerance f64, String check) {
        return List.of(
                DynamicTest.dynamicTest(op + " f32 " + check, () -> Trajectories.check(op, check, Precision.F32, gen, scratch, reference, f32)),
                DynamicTest.dynamicTest(op + " f64 " + check, () -> Trajectories.check(op, check, Precision.F64, gen, scratch, reference, f64)));
    }

    static final String TORCH = "trajectory matches torch.optim rule";
    static final Tolerance F32 = Tolerance.of(Precision.F32);
    static final Tolerance F64 = Tolerance.of(Precision.F64);

    @TestFactory
    Stream<DynamicTest> optimisersFollowTorchOptimRules() {
        List<DynamicTest> out = new ArrayList<>();
        out.addAll(both("Sgd", cases(SGD),
                (c, p) -> scratchRun(c, p, Sgd.init(net0(c, p)), (h, t, ps, gs, st) -> Sgd.step(h, ps, gs, st)),
                (c, p) -> referenceRun(c, p, SGD_REF), F32, F64, TORCH));
        out.addAll(both("AdaGrad", cases(ADAGRAD),
                (c, p) -> scratchRun(c, p, AdaGrad.init(c.hyper(), net0(c, p)), (h, t, ps, gs, st) -> AdaGrad.step(h, ps, gs, st)),
                (c, p) -> referenceRun(c, p, ADAGRAD_REF), F32, F64, TORCH));
        out.addAll(both("RmsProp", cases(RMSPROP),
                (c, p) -> scratchRun(c, p, RmsProp.init(net0(c, p)), (h, t, ps, gs, st) -> RmsProp.step(h, ps, gs, st)),
                (c, p) -> referenceRun(c, p, RMSPROP_REF), F32, F64, TORCH));
        out.addAll(both("Adam", cases(ADAM),
                (c, p) -> scratchRun(c, p, Adam.init(net0(c, p)), (h, t, ps, gs, st) -> Adam.step(h, ps, gs, st)),
                (c, p) -> referenceRun(c, p, ADAM_REF), F32, F64, TORCH));
        out.addAll(both("AdamW", cases(ADAMW),
                (c, p) -> scratchRun(c, p, AdamW.init(net0(c, p)), (h, t, ps, gs, st) -> AdamW.step(h, ps, gs, st)),
                (c, p) -> referenceRun(c, p, ADAMW_REF), F32, F64, TORCH));
        return out.stream();
    }

    // ------------------------------------------------------------------ DJL's built-ins

    /** Constant lr, no dampening, no Nesterov: DJL's MXNet-style momentum equals torch's. */
    static final Gen<Sgd.Hyper> SGD_DJL = s -> new Sgd.Hyper(
            logBetween(s, 1e-3, 0.5), s.bool() ? floatBetween(s, 0.01, 0.99) : 0, 0,
            s.bool() ? logBetween(s, 1e-4, 0.1) : 0, false);

    /** No weight decay, no AMSGrad, constant lr: the only Adam DJL and torch share. */
    static final Gen<Adam.Hyper> ADAM_DJL = s -> new Adam.Hyper(
            logBetween(s, 1e-4, 0.1), floatBetween(s, 0, 0.99), floatBetween(s, 0.9, 0.9999),
            0, 0, false);

    static final String DJL = "trajectory matches DJL Optimizer.update";

    @TestFactory
    Stream<DynamicTest> sgdAndAdamMatchDjlBuiltInsWhereConventionsCoincide() {
        List<DynamicTest> out = new ArrayList<>();
        out.addAll(both("Sgd (DJL built-in)", cases(SGD_DJL),
                (c, p) -> scratchRun(c, p, Sgd.init(net0(c, p)), (h, t, ps, gs, st) -> Sgd.step(h, ps, gs, st)),
                (c, p) -> referenceRun(c, p, (h, ps, gs) -> djlLoop(DjlOptimizers.sgd(h.lr(), h.momentum(), h.weightDecay()), ps, gs)),
                F32, F64, DJL));
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

    // ------------------------------------------------------------------ schedule driving an optimiser

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
            double[] lrs = zerotoml.reference.Torch.values(zerotoml.reference.optim.Schedules.cosine(ps.get(0).getManager(), ts, a.lr(), h.tMax(), h.etaMin()));
            double[][] out = new double[gs.size()][];
            var st = zerotoml.reference.optim.Adam.init(ps);
            for (int t = 0; t < gs.size(); t++) {
                var r = zerotoml.reference.optim.Adam.adam(ps, gs.get(t), st, lrs[t], a.beta1(), a.beta2(), a.eps(), a.weightDecay(), a.amsgrad());
                ps = r.params();
                st = r.state();
                out[t] = flat(ps);
            }
            return out;
        });
        return both("Adam + Schedule.Cosine", gen, scratch, reference, F32, F64, TORCH).stream();
    }
}
