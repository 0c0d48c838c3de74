package zerotoml.scratch.kernels;

/**
 * The naive twins of the reduction kernels: one output or one element at a time, in row-major
 * order, with nothing interleaved or split. {@link Reduce}'s one-axis sum and max and
 * {@link ReduceAxes}' plan kernels are held to them ({@code ReduceTest}).
 */
public final class ReduceOracles {
    private ReduceOracles() {}

    // ------------------------------------------------------------------ along one axis (Reduce)

    /** The oracle of the double sum: one output at a time, one element at a time. */
    public static void naiveSum(double[] x, int outer, int len, int inner, double[] out) {
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                double s = 0.0;
                for (int k = 0; k < len; k++) s += x[(o * len + k) * inner + j];
                out[o * inner + j] = s;
            }
        }
    }

    /** The oracle of the float sum: widen each value, add in double. */
    public static void naiveSum(float[] x, int outer, int len, int inner, double[] out) {
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                double s = 0.0;
                for (int k = 0; k < len; k++) s += (double) x[(o * len + k) * inner + j];
                out[o * inner + j] = s;
            }
        }
    }

    /** The oracle of max: every element visited in row-major order, each compared with its output's best so far. */
    public static void naiveMax(double[] x, int outer, int len, int inner, double[] out, int[] arg) {
        int[] bestK = new int[outer * inner];
        java.util.Arrays.fill(bestK, -1);
        for (int o = 0; o < outer; o++) {
            for (int k = 0; k < len; k++) {
                for (int j = 0; j < inner; j++) {
                    int t = o * inner + j;
                    double v = x[(o * len + k) * inner + j];
                    if (bestK[t] < 0 || (!Double.isNaN(out[t]) && (Double.isNaN(v) || v > out[t]))) {
                        out[t] = v;
                        bestK[t] = k;
                    }
                }
            }
        }
        if (arg != null) System.arraycopy(bestK, 0, arg, 0, bestK.length);
    }

    /** The oracle of the float max: each value widened, then as the double oracle. */
    public static void naiveMax(float[] x, int outer, int len, int inner, double[] out, int[] arg) {
        double[] w = new double[x.length];
        for (int i = 0; i < w.length; i++) w[i] = x[i];
        naiveMax(w, outer, len, inner, out, arg);
    }

    // ------------------------------------------------------------------ over a plan (ReduceAxes)

    /** The oracle of every plan kernel: for each element of x in row-major order, the output it reduces into. */
    public static int[] naiveTargets(int[] dims, boolean[] reduced) {
        int size = 1, r = dims.length;
        for (int d : dims) size *= d;
        int[] outStride = new int[r];
        int acc = 1;
        for (int i = r - 1; i >= 0; i--) {
            outStride[i] = reduced[i] ? 0 : acc;
            if (!reduced[i]) acc *= dims[i];
        }
        int[] target = new int[size], idx = new int[r];
        for (int e = 0, t = 0; e < size; e++) {
            target[e] = t;
            for (int a = r - 1; a >= 0; a--) {
                idx[a]++;
                t += outStride[a];
                if (idx[a] < dims[a]) break;
                t -= outStride[a] * dims[a];
                idx[a] = 0;
            }
        }
        return target;
    }

    /** The oracle of {@link ReduceAxes#sum(double[], ReduceAxes.Plan, double[])}: every element added to its output in row-major order. */
    public static void naiveSum(double[] x, int[] dims, boolean[] reduced, double[] out) {
        int[] target = naiveTargets(dims, reduced);
        java.util.Arrays.fill(out, 0.0);
        for (int i = 0; i < target.length; i++) out[target[i]] += x[i];
    }

    /** The oracle of {@link ReduceAxes#amax(double[], ReduceAxes.Plan, double[], int[])}: the old walk from −∞, then a count of ties. */
    public static void naiveAmax(double[] x, int[] dims, boolean[] reduced, double[] out, int[] ties) {
        int[] target = naiveTargets(dims, reduced);
        java.util.Arrays.fill(out, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < target.length; i++) {
            double v = x[i], b = out[target[i]];
            if (!Double.isNaN(b) && (Double.isNaN(v) || v > b)) out[target[i]] = v;
        }
        java.util.Arrays.fill(ties, 0);
        for (int i = 0; i < target.length; i++) if (x[i] == out[target[i]]) ties[target[i]]++;
    }

    /** The oracle of {@link ReduceAxes#logSumExp(double[], ReduceAxes.Plan, double[], double[])}: Math.max from −∞, then the sum of exps. */
    public static void naiveLogSumExp(double[] x, int[] dims, boolean[] reduced, double[] m, double[] s) {
        int[] target = naiveTargets(dims, reduced);
        java.util.Arrays.fill(m, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < target.length; i++) m[target[i]] = Math.max(m[target[i]], x[i]);
        for (int t = 0; t < m.length; t++) if (Double.isInfinite(m[t])) m[t] = 0;
        java.util.Arrays.fill(s, 0.0);
        for (int i = 0; i < target.length; i++) s[target[i]] += Math.exp(x[i] - m[target[i]]);
    }
}
