package zerotoml.parity.optim;

import static zerotoml.parity.optim.Trajectories.arrays;
import static zerotoml.parity.optim.Trajectories.flat;
import static zerotoml.parity.optim.Trajectories.net;
import static zerotoml.parity.optim.Trajectories.withManager;

import ai.djl.ndarray.NDArray;
import ai.djl.training.optimizer.Optimizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Precision;
import zerotoml.fixtures.Tolerance;
import zerotoml.parity.optim.Trajectories.Case;
import zerotoml.parity.optim.Trajectories.Net;
import zerotoml.parity.optim.Trajectories.Run;
import zerotoml.parity.harness.TrajectoryParity;
import zerotoml.parity.harness.TrajectoryParity.Side;
import zerotoml.reference.optim.DjlOptimizers;
import zerotoml.scratch.optim.Step;

/**
 * What the optimiser parity tests share: cases of hyper-parameters plus a gradient run, the scratch
 * and reference loops over the run, and the f32 + f64 pair of trajectory checks.
 */
final class OptimizerRuns {
    private OptimizerRuns() {}

    static <H> Gen<Case<H>> cases(Gen<H> hyper) {
        return s -> {
            H h = hyper.draw(s);
            return new Case<>(h, Trajectories.runs().draw(s));
        };
    }

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

    /** The case as both float32 sides read it: initial values and gradients rounded to float32 (hyper-parameters are drawn float32 already). */
    static <H> Case<H> roundedTo32(Case<H> c) {
        Run r = c.run();
        double[][] init = new double[r.init().length][];
        for (int i = 0; i < init.length; i++) init[i] = Precision.F32.round(r.init()[i]);
        double[][][] grads = new double[r.steps()][r.init().length][];
        for (int t = 0; t < r.steps(); t++) for (int i = 0; i < init.length; i++) grads[t][i] = Precision.F32.round(r.grads()[t][i]);
        return new Case<>(c.hyper(), new Run(r.shapes(), init, grads));
    }

    @FunctionalInterface
    interface RefLoop<H> {
        double[][] run(H h, List<NDArray> params, List<List<NDArray>> grads);
    }

    /** A DJL built-in optimiser over the case's gradients (it updates the weights in place). */
    static double[][] djlLoop(Optimizer opt, List<NDArray> ps, List<List<NDArray>> gs) {
        double[][] out = new double[gs.size()][];
        for (int t = 0; t < gs.size(); t++) out[t] = flat(DjlOptimizers.update(opt, ps, gs.get(t)));
        return out;
    }

    /**
     * The f32 and f64 checks, the f32 allowance as assert_close's ({@link TrajectoryParity.Scale#VALUE}).
     * A disagreeing float32 case goes to the reproduction rule (PyTorch's rare garbage first run),
     * then to the float64 rule ({@link TrajectoryParity#float64}). f64 keeps the default.
     */
    static <H> List<DynamicTest> both(String op, Gen<Case<H>> gen, Side<Case<H>> scratch, Side<Case<H>> reference,
                                      Tolerance f32, Tolerance f64, String check) {
        return both(op, gen, scratch, reference, f32, f64, check, TrajectoryParity.Scale.VALUE);
    }

    /** {@link #both} with the f32 check's allowance scaled as {@code f32Scale} says (the caller writes why). */
    static <H> List<DynamicTest> both(String op, Gen<Case<H>> gen, Side<Case<H>> scratch, Side<Case<H>> reference,
                                      Tolerance f32, Tolerance f64, String check, TrajectoryParity.Scale f32Scale) {
        TrajectoryParity.Adjudicator<Case<H>> f32Rule = TrajectoryParity.firstCleared(TrajectoryParity.reproduction(reference),
                TrajectoryParity.float64(scratch, reference, OptimizerRuns::roundedTo32, f32Scale));
        return List.of(
                DynamicTest.dynamicTest(op + " f32 " + check, () -> Trajectories.check(op, check, Precision.F32, gen, scratch, reference, f32, f32Scale, f32Rule, true)),
                DynamicTest.dynamicTest(op + " f64 " + check, () -> Trajectories.check(op, check, Precision.F64, gen, scratch, reference, f64, true)));
    }

    static final String TORCH = "trajectory matches torch.optim rule";
    static final Tolerance F32 = Tolerance.of(Precision.F32);
    static final Tolerance F64 = Tolerance.of(Precision.F64);
    static final String DJL = "trajectory matches DJL Optimizer.update";
}
