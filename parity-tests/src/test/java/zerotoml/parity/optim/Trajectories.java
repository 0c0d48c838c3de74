package zerotoml.parity.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.opentest4j.TestAbortedException;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.ParityLedger;
import zerotoml.fixtures.Precision;
import zerotoml.fixtures.Property;
import zerotoml.fixtures.Source;
import zerotoml.fixtures.Tolerance;
import zerotoml.reference.Torch;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * The harness's entry point for sequences: a property whose every case yields a trajectory (one
 * array per step) from scratch and from the reference, compared step by step with one tolerance,
 * recorded in the {@link ParityLedger} as one row per check like {@code Parity} does for ops.
 * (The op harness compares one output and its gradients; optimiser steps and schedules are
 * sequences, so they get this small sibling.)
 */
final class Trajectories {
    private Trajectories() {}

    /** A params record of any shape: one tensor plus a list of more (exercises nested walking). */
    record Net(Tensor first, List<Tensor> rest) {}

    /** Initial params and a gradient sequence: {@code grads[step][tensor]}. */
    record Run(List<int[]> shapes, double[][] init, double[][][] grads) {
        int steps() {
            return grads.length;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("shapes ");
            for (int[] s : shapes) sb.append(Arrays.toString(s));
            return sb.append(", ").append(grads.length).append(" steps").toString();
        }
    }

    /** A run together with hyper-parameters of type H. */
    record Case<H>(H hyper, Run run) {
        @Override
        public String toString() {
            return hyper + ", " + run;
        }
    }

    /** 1 to 3 tensors of rank 0 to 3 (dims 1 to 4), values and gradients in [-1, 1], 20 to 24 steps. */
    static Gen<Run> runs() {
        return s -> {
            int n = s.intBetween(1, 3);
            List<int[]> shapes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int rank = s.intBetween(0, 3);
                int[] d = new int[rank];
                for (int k = 0; k < rank; k++) d[k] = s.intBetween(1, 4);
                shapes.add(d);
            }
            double[][] init = new double[n][];
            for (int i = 0; i < n; i++) init[i] = values(s, size(shapes.get(i)), 1.0);
            int steps = s.intBetween(20, 24);
            double gScale = s.pick(1.0, 0.1, 10.0);
            double[][][] grads = new double[steps][n][];
            for (int t = 0; t < steps; t++) for (int i = 0; i < n; i++) grads[t][i] = values(s, size(shapes.get(i)), gScale);
            return new Run(shapes, init, grads);
        };
    }

    static double[] values(Source s, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = scale * s.doubleBetween(-1, 1);
        return v;
    }

    static int size(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** A value drawn in [lo, hi] and rounded to float, so that float32 and float64 sides see one number. */
    static double floatBetween(Source s, double lo, double hi) {
        return (float) s.doubleBetween(lo, hi);
    }

    /** Log-uniform in [lo, hi], rounded to float. */
    static double logBetween(Source s, double lo, double hi) {
        return (float) Math.exp(s.doubleBetween(Math.log(lo), Math.log(hi)));
    }

    // ------------------------------------------------------------------ scratch side

    static DType dtype(Precision p) {
        return p == Precision.F32 ? DType.F32 : DType.F64;
    }

    static Net net(Precision p, List<int[]> shapes, double[][] values) {
        List<Tensor> ts = new ArrayList<>();
        for (int i = 0; i < shapes.size(); i++) ts.add(Tensor.of(dtype(p), values[i], shapes.get(i)));
        return new Net(ts.get(0), List.copyOf(ts.subList(1, ts.size())));
    }

    static double[] flat(Net n) {
        List<double[]> parts = new ArrayList<>();
        parts.add(n.first().toArray());
        for (Tensor t : n.rest()) parts.add(t.toArray());
        return concat(parts);
    }

    static double[] concat(List<double[]> parts) {
        int len = 0;
        for (double[] a : parts) len += a.length;
        double[] out = new double[len];
        int o = 0;
        for (double[] a : parts) {
            System.arraycopy(a, 0, out, o, a.length);
            o += a.length;
        }
        return out;
    }

    // ------------------------------------------------------------------ reference side

    /** Runs {@code body} in a fresh NDManager that is closed afterwards. */
    static <T> T withManager(Function<NDManager, T> body) {
        try (NDManager m = Torch.engine().newBaseManager()) {
            return body.apply(m);
        }
    }

    static List<NDArray> arrays(NDManager m, Precision p, List<int[]> shapes, double[][] values) {
        DataType dt = Torch.dtype(p == Precision.F32);
        List<NDArray> out = new ArrayList<>();
        for (int i = 0; i < shapes.size(); i++) out.add(Torch.array(m, p.round(values[i]), shapes.get(i), dt));
        return out;
    }

    static double[] flat(List<NDArray> as) {
        List<double[]> parts = new ArrayList<>();
        for (NDArray a : as) parts.add(Torch.values(a));
        return concat(parts);
    }

    // ------------------------------------------------------------------ the check

    /** Produces a trajectory (one array per step) for a case in a precision. */
    @FunctionalInterface
    interface Side<C> {
        double[][] run(C c, Precision p);
    }

    /**
     * Runs the property: for every case, scratch's and the reference's trajectories must agree at
     * every step within {@code tol}. Records one ledger row and throws on failure.
     */
    static <C> void check(String op, String check, Precision p, Gen<C> gen, Side<C> scratch, Side<C> reference, Tolerance tol) {
        double[] worst = new double[3];
        String name = op + "/" + p.label() + "/" + check;
        Property.Outcome<C> o = Property.run(name, gen, c -> {
            double[][] a = scratch.run(c, p);
            double[][] b = reference.run(c, p);
            if (a.length != b.length) throw new AssertionError("scratch made " + a.length + " steps, the reference " + b.length);
            for (int t = 0; t < a.length; t++) {
                if (a[t].length != b[t].length) throw new AssertionError("step " + t + ": " + a[t].length + " vs " + b[t].length + " values");
                Tolerance.Comparison cmp = tol.compare(a[t], b[t]);
                if (!Property.shrinking()) {
                    worst[0] = Math.max(worst[0], cmp.worstAbs());
                    worst[1] = Math.max(worst[1], cmp.worstRel());
                    worst[2] = Math.max(worst[2], cmp.share());
                }
                if (!cmp.ok()) {
                    throw new AssertionError(String.format(Locale.ROOT,
                            "step %d, element %d: scratch %.17g, reference %.17g (abs error %.3e, rel error %.3e, %s, %.1fx the allowance)",
                            t + 1, cmp.worstIndex(), cmp.actualAtWorst(), cmp.expectedAtWorst(), cmp.worstAbs(), cmp.worstRel(), tol, cmp.share()));
                }
            }
        }, Property.cases());
        if (o.skipped()) throw new TestAbortedException("skipped: zerotoml.replay names another property");
        String failure = o.failure().map(f -> o.report()).orElse(null);
        String replay = o.failure().map(Property.Failure::replay).orElse(null);
        ParityLedger.record(new ParityLedger.Row(op, p.label(), check, o.casesRun(), o.casesPassed(),
                worst[0], worst[1], worst[2], tol, failure, replay));
        if (failure != null) throw new AssertionError(failure, o.failure().get().error());
    }
}
