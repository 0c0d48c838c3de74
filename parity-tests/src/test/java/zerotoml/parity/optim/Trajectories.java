package zerotoml.parity.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Precision;
import zerotoml.fixtures.Property;
import zerotoml.fixtures.Source;
import zerotoml.fixtures.Tolerance;
import zerotoml.parity.harness.TrajectoryParity;
import zerotoml.parity.harness.TrajectoryParity.Side;
import zerotoml.reference.Torch;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * The optimiser tests' cases (parameter shapes, initial values, gradient sequences) and their two
 * sides, checked by the harness's trajectory check {@link TrajectoryParity}: optimiser steps and
 * schedules are sequences, so they go through the sequence sibling of {@code Parity}.
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

    /**
     * The harness's trajectory check ({@link TrajectoryParity}) with {@code Parity.reproducible}'s
     * rule: a disagreeing case is cleared only when two re-runs of the reference agree with each
     * other, contradict its first run, and agree with scratch. {@code mustMove}: most cases'
     * trajectories must change from the first step to the last (true for optimisers, whose every
     * step moves the parameters; a schedule may be constant and clipping is one step).
     */
    static <C> void check(String op, String check, Precision p, Gen<C> gen, Side<C> scratch, Side<C> reference, Tolerance tol, boolean mustMove) {
        check(op, check, p, gen, scratch, reference, tol, TrajectoryParity.Scale.VALUE, TrajectoryParity.reproduction(reference), mustMove);
    }

    /** {@link #check} with a scale for the allowance and another adjudication rule. */
    static <C> void check(String op, String check, Precision p, Gen<C> gen, Side<C> scratch, Side<C> reference, Tolerance tol,
                          TrajectoryParity.Scale scale, TrajectoryParity.Adjudicator<C> adjudicator, boolean mustMove) {
        TrajectoryParity.check(op, check, p, gen, scratch, reference, tol, scale, adjudicator, mustMove, Property.cases());
    }
}
