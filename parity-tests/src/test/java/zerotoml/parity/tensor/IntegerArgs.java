package zerotoml.parity.tensor;

import zerotoml.fixtures.Source;
import zerotoml.parity.harness.Arr;
import zerotoml.scratch.tensor.Tensor;

/**
 * Integer inputs (indices, targets, classes) travel through a {@link zerotoml.parity.harness.Case}
 * as arrays of whole numbers, marked constant so that no gradient is asked of them. Scratch turns
 * them back into {@code int[]} here; the reference casts them to INT64.
 */
public final class IntegerArgs {
    private IntegerArgs() {}

    /** The whole numbers a tensor holds, exactly. */
    public static int[] ints(Tensor t) {
        double[] v = t.toArray();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i])) throw new AssertionError("integer input holds " + v[i]);
            out[i] = (int) v[i];
        }
        return out;
    }

    /** An array of the given shape filled with integers drawn from [lo, hi]. */
    public static Arr draw(Source s, int[] shape, int lo, int hi) {
        int n = 1;
        for (int d : shape) n *= d;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = s.intBetween(lo, hi);
        return new Arr(shape, v);
    }

    /** An array holding exactly these integers. */
    public static Arr of(int[] shape, int... values) {
        double[] v = new double[values.length];
        for (int i = 0; i < v.length; i++) v[i] = values[i];
        return new Arr(shape, v);
    }

    /** An axis of a rank, negative half the time. */
    public static int axis(Source s, int rank) {
        int a = s.intBetween(0, rank - 1);
        return s.bool() ? a - rank : a;
    }
}
