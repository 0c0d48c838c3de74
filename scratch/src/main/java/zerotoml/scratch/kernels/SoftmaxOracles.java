package zerotoml.scratch.kernels;

/**
 * The naive twins of {@link SoftmaxKernel}: softmax, log-softmax and their gradients as the ops they
 * fuse, op by op over whole arrays, each rounded to float as the composed float32 ops were.
 * {@code SoftmaxKernelTest} holds the fused loops to these bit for bit.
 */
public final class SoftmaxOracles {
    private SoftmaxOracles() {}

    /**
     * The oracle: softmax as the separate ops it replaces, each over the whole array and rounded to
     * float after every op: m by {@link ReduceOracles#naiveMax}, z = x − m, e = exp z, S by
     * {@link ReduceOracles#naiveSum}, y = e / S. Fills out, exps and sums as the fast kernel does.
     */
    public static void naiveSoftmax(float[] x, int outer, int len, int inner, float[] out, float[] exps, float[] sums) {
        float[] m = naiveShift(x, outer, len, inner);
        float[] e = naiveExp(x, m, outer, len, inner);
        naiveSums(e, outer, len, inner, sums);
        for (int i = 0; i < x.length; i++) out[i] = round((double) e[i] / (double) sums[lane(i, len, inner)]);
        if (exps != null) System.arraycopy(e, 0, exps, 0, e.length);
    }

    /** The oracle of log-softmax: z = x − m, S = Σ exp z (summed in double, rounded), y = z − log S, each op rounded. */
    public static void naiveLogSoftmax(float[] x, int outer, int len, int inner, float[] out, float[] exps, float[] sums) {
        float[] m = naiveShift(x, outer, len, inner);
        float[] e = naiveExp(x, m, outer, len, inner);
        naiveSums(e, outer, len, inner, sums);
        float[] logS = new float[sums.length];
        for (int l = 0; l < logS.length; l++) logS[l] = round(Math.log(sums[l]));
        for (int i = 0; i < x.length; i++) {
            float z = round((double) x[i] - (double) m[lane(i, len, inner)]);
            out[i] = round((double) z - (double) logS[lane(i, len, inner)]);
        }
        if (exps != null) System.arraycopy(e, 0, exps, 0, e.length);
    }

    /** The oracle of softmax's gradient: the div backward (both operands), the sum backward and the exp backward, each rounded. */
    public static void naiveSoftmaxBackward(float[] g, float[] y, float[] exps, float[] sums, int outer, int len, int inner, float[] gx) {
        // div backward: ∂e = g / S;  ∂S = sumTo(−g · ((e / S) / S)), e / S recomputed
        float[] prod = new float[g.length];
        for (int i = 0; i < g.length; i++) {
            float s = sums[lane(i, len, inner)];
            float q = round(round((double) exps[i] / s) / (double) s);
            prod[i] = round((double) -g[i] * q);
        }
        float[] dS = new float[sums.length];
        naiveSumTo(prod, outer, len, inner, dS);
        for (int i = 0; i < g.length; i++) {
            int l = lane(i, len, inner);
            float de = round((double) round((double) g[i] / sums[l]) + dS[l]); // the two gradients of e added
            gx[i] = round((double) de * exps[i]); // exp backward: g · e; the sub passes it on
        }
    }

    /** The oracle of log-softmax's gradient: the sub backward (−g summed onto log S), the log, sum and exp backward, each rounded. */
    public static void naiveLogSoftmaxBackward(float[] g, float[] exps, float[] sums, int outer, int len, int inner, float[] gx) {
        float[] neg = new float[g.length];
        for (int i = 0; i < g.length; i++) neg[i] = -g[i];
        float[] dLog = new float[sums.length];
        naiveSumTo(neg, outer, len, inner, dLog);
        for (int i = 0; i < g.length; i++) {
            int l = lane(i, len, inner);
            float dS = round((double) dLog[l] / sums[l]);
            gx[i] = round((double) g[i] + round((double) dS * exps[i]));
        }
    }

    /** The double oracles: the same compositions with no rounding to float. */
    public static void naiveSoftmax(double[] x, int outer, int len, int inner, double[] out, double[] exps, double[] sums) {
        double[] m = naiveShift(x, outer, len, inner);
        double[] e = new double[x.length];
        for (int i = 0; i < x.length; i++) e[i] = Math.exp(x[i] - m[lane(i, len, inner)]);
        ReduceOracles.naiveSum(e, outer, len, inner, sums);
        for (int i = 0; i < x.length; i++) out[i] = e[i] / sums[lane(i, len, inner)];
        if (exps != null) System.arraycopy(e, 0, exps, 0, e.length);
    }

    public static void naiveLogSoftmax(double[] x, int outer, int len, int inner, double[] out, double[] exps, double[] sums) {
        double[] m = naiveShift(x, outer, len, inner);
        double[] e = new double[x.length];
        for (int i = 0; i < x.length; i++) e[i] = Math.exp(x[i] - m[lane(i, len, inner)]);
        ReduceOracles.naiveSum(e, outer, len, inner, sums);
        for (int i = 0; i < x.length; i++) out[i] = (x[i] - m[lane(i, len, inner)]) - Math.log(sums[lane(i, len, inner)]);
        if (exps != null) System.arraycopy(e, 0, exps, 0, e.length);
    }

    public static void naiveSoftmaxBackward(double[] g, double[] y, double[] exps, double[] sums, int outer, int len, int inner, double[] gx) {
        double[] prod = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            double s = sums[lane(i, len, inner)];
            prod[i] = -g[i] * ((exps[i] / s) / s);
        }
        double[] dS = new double[sums.length];
        naiveSumTo(prod, outer, len, inner, dS);
        for (int i = 0; i < g.length; i++) {
            int l = lane(i, len, inner);
            gx[i] = (g[i] / sums[l] + dS[l]) * exps[i];
        }
    }

    public static void naiveLogSoftmaxBackward(double[] g, double[] exps, double[] sums, int outer, int len, int inner, double[] gx) {
        double[] neg = new double[g.length];
        for (int i = 0; i < g.length; i++) neg[i] = -g[i];
        double[] dLog = new double[sums.length];
        naiveSumTo(neg, outer, len, inner, dLog);
        for (int i = 0; i < g.length; i++) {
            int l = lane(i, len, inner);
            gx[i] = g[i] + (dLog[l] / sums[l]) * exps[i];
        }
    }

    private static int lane(int i, int len, int inner) {
        return (i / (len * inner)) * inner + i % inner;
    }

    private static float round(double v) {
        return (float) v;
    }

    /** m per lane by ReduceOracles' naive max, −∞ (and an empty lane) shifted by 0, rounded to float. */
    private static float[] naiveShift(float[] x, int outer, int len, int inner) {
        double[] m = new double[outer * inner];
        if (len > 0) ReduceOracles.naiveMax(x, outer, len, inner, m, null);
        float[] f = new float[m.length];
        for (int l = 0; l < m.length; l++) f[l] = round(m[l] == Double.NEGATIVE_INFINITY ? 0 : m[l]);
        return f;
    }

    private static double[] naiveShift(double[] x, int outer, int len, int inner) {
        double[] m = new double[outer * inner];
        if (len > 0) ReduceOracles.naiveMax(x, outer, len, inner, m, null);
        for (int l = 0; l < m.length; l++) if (m[l] == Double.NEGATIVE_INFINITY) m[l] = 0;
        return m;
    }

    /** e = exp(round(x − m)), exp the float32 exp op's function ({@link Expf#exp(float)}). */
    private static float[] naiveExp(float[] x, float[] m, int outer, int len, int inner) {
        float[] e = new float[x.length];
        for (int i = 0; i < x.length; i++) e[i] = Expf.exp(round((double) x[i] - (double) m[lane(i, len, inner)]));
        return e;
    }

    /** Per-lane sums in double by ReduceOracles' naive sum, rounded to float. */
    private static void naiveSums(float[] v, int outer, int len, int inner, float[] out) {
        double[] s = new double[outer * inner];
        ReduceOracles.naiveSum(v, outer, len, inner, s);
        for (int l = 0; l < s.length; l++) out[l] = round(s[l]);
    }

    /** A gradient summed back over the axis as Elementwise.sumTo does: unsummed when the axis has one element, else naiveSums. */
    private static void naiveSumTo(float[] v, int outer, int len, int inner, float[] out) {
        if (len == 1) System.arraycopy(v, 0, out, 0, out.length);
        else naiveSums(v, outer, len, inner, out);
    }

    private static void naiveSumTo(double[] v, int outer, int len, int inner, double[] out) {
        if (len == 1) System.arraycopy(v, 0, out, 0, out.length);
        else ReduceOracles.naiveSum(v, outer, len, inner, out);
    }
}
