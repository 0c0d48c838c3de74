package zerotoml.scratch.kernels;

/**
 * Softmax and log-softmax along one axis of a row-major array viewed as {@code [outer, len,
 * inner]} (as in {@link Reduce}): one lane per (o, j), its elements {@code len} apart by
 * {@code inner}. Fused: per lane one pass for the maximum, one for the exponentials and their
 * sum, one to normalise, instead of five tensors and five passes.
 *
 * <p>Rounding: each step rounds exactly as the composition it replaces (sub, exp, sum, div, log
 * as separate float32 or float64 ops; {@link SoftmaxOracles#naiveSoftmax} and friends are that composition, op
 * by op over whole arrays, and the tests hold the fused loops to them bit for bit). In float32:
 * m = the lane's maximum (torch.max's rule: the first NaN wins; a lane of −∞ is shifted by 0
 * instead), z = x − m in float, e = {@link Expf#exp(float) Expf.exp}(z) (the float32 exp op's function), S = (float) of the sum of the e's in
 * double in increasing k, softmax e / S in float, log-softmax z − (float) log((double) S). The
 * backward passes are the gradients those composed ops would send, in their order and roundings.
 * A lane is never split between tasks, so the bits do not depend on the thread count. Along the
 * last axis (inner = 1) the element-wise passes run with one index, loops C2 vectorises (the same
 * operations: a strided index keeps them scalar).
 */
public final class SoftmaxKernel {
    private SoftmaxKernel() {}

    /** Lanes in blocks over the pool: lanes [l0, l1), lane l = o·inner + j. */
    private interface Lanes {
        void accept(int l0, int l1, double[] scratch);
    }

    // ------------------------------------------------------------------ forward, float

    // y = e / S,  e = exp(x − m),  S = Σ_k e_k
    /**
     * Softmax of every lane into {@code out}; {@code sums[o·inner + j]} gets the lane's S, and
     * {@code exps} (when not null) the e's, which the backward needs.
     */
    public static void softmax(float[] x, int outer, int len, int inner, float[] out, float[] exps, float[] sums) {
        check("softmax", x.length, outer, len, inner, out.length, exps, sums.length);
        forward(x, outer, len, inner, out, exps, sums, false);
    }

    // y = z − log S,  z = x − m,  S = Σ_k exp z_k
    /** Log-softmax of every lane into {@code out}; {@code sums} and {@code exps} (when not null) as for {@link #softmax(float[], int, int, int, float[], float[], float[])}. */
    public static void logSoftmax(float[] x, int outer, int len, int inner, float[] out, float[] exps, float[] sums) {
        check("logSoftmax", x.length, outer, len, inner, out.length, exps, sums.length);
        forward(x, outer, len, inner, out, exps, sums, true);
    }

    /** The float forward of both: rows when the axis is contiguous, else lane by lane through a block buffer. */
    private static void forward(float[] x, int outer, int len, int inner, float[] out, float[] exps, float[] sums, boolean log) {
        float[] e = exps != null ? exps : out;
        lanes(outer, len, inner, (l0, l1, scratch) -> {
            if (inner == 1) {
                rows(x, l0, l1, len, e, out, sums, log);
                return;
            }
            float[] w = new float[scratch.length];
            for (int l = l0; l < l1; l++) {
                int a = (l / inner) * len * inner + l % inner;
                float m = maxShift(x, a, len, inner);
                float s = expSum(x, a, len, inner, m, e, w);
                sums[l] = s;
                if (log) {
                    float logS = (float) Math.log(s);
                    for (int k = 0, i = a; k < len; k++, i += inner) out[i] = (x[i] - m) - logS;
                } else {
                    for (int k = 0, i = a; k < len; k++, i += inner) out[i] = e[i] / s;
                }
            }
        });
    }

    // per row: e = exp(x − m) in place,  S = Σ_k e_k,  y = e / S  or  y = (x − m) − log S
    /**
     * Rows [l0, l1) of a contiguous axis (inner 1), the same steps as the strided lanes: z = x − m into e, the exps in
     * place there (Expf over the whole row), S the e's summed in double in increasing k, four rows at a time by
     * {@link Reduce}'s row sums (each row in its own order; their chains of dependent adds overlap).
     */
    private static void rows(float[] x, int l0, int l1, int len, float[] e, float[] out, float[] sums, boolean log) {
        float[] m = new float[4];
        double[] s = new double[4];
        for (int l = l0; l < l1; l += 4) {
            int g = Math.min(4, l1 - l), a = l * len;
            for (int r = 0, b = a; r < g; r++, b += len) {
                m[r] = rowMax(x, b, len);
                for (int i = b; i < b + len; i++) e[i] = x[i] - m[r];
                Expf.exp(e, b, e, b, len);
            }
            Reduce.sumRows(e, l, l + g, len, s, l);
            for (int r = 0, b = a; r < g; r++, b += len) {
                float sr = (float) s[r];
                sums[l + r] = sr;
                if (log) {
                    float mr = m[r], logS = (float) Math.log(sr);
                    for (int i = b; i < b + len; i++) out[i] = (x[i] - mr) - logS;
                } else {
                    for (int i = b; i < b + len; i++) out[i] = e[i] / sr;
                }
            }
        }
    }

    // m = max_k x_{a+k}, −∞ taken as 0
    /**
     * {@link #maxShift} of a contiguous row (inner 1), with its bits: the Math.max fold of the row ({@code
     * VectorPointwise.max} with the Vector API, else a plain loop), which is the rule's value unless it is a NaN (the
     * rule keeps the first NaN's bits) or a zero (the rule keeps the first of −0 and +0, Math.max +0); those two take
     * the rule's own loop. Any other value stands for one float, whose bits every element equal to it has.
     */
    static float rowMax(float[] x, int a, int len) {
        if (len == 0) return 0f;
        float m;
        if (Backend.VECTOR) {
            m = VectorPointwise.max(x, a, len);
        } else {
            m = Float.NEGATIVE_INFINITY;
            for (int i = a; i < a + len; i++) m = Math.max(m, x[i]);
        }
        if (m != m || m == 0f) return maxShift(x, a, len, 1);
        return m == Float.NEGATIVE_INFINITY ? 0f : m;
    }

    /** The lane's maximum by torch.max's rule (first NaN wins), or 0 for a lane of −∞ or an empty one. */
    private static float maxShift(float[] x, int a, int len, int inner) {
        if (len == 0) return 0f;
        float m = x[a];
        for (int k = 1, i = a + inner; k < len && !Float.isNaN(m); k++, i += inner) {
            float v = x[i];
            if (Float.isNaN(v) || v > m) m = v;
        }
        return m == Float.NEGATIVE_INFINITY ? 0f : m;
    }

    /**
     * e_k = exp(x_k − m) into e, and S = (float) Σ e_k in double. The z's are gathered into
     * {@code w} a block at a time, and their exps taken in place by {@link Expf} (the float32 exp op's
     * bits, vectorised).
     */
    private static float expSum(float[] x, int a, int len, int inner, float m, float[] e, float[] w) {
        double s = 0.0;
        for (int k0 = 0; k0 < len; k0 += Pointwise.BLOCK) {
            int n = Math.min(Pointwise.BLOCK, len - k0), at = a + k0 * inner;
            for (int t = 0, i = at; t < n; t++, i += inner) w[t] = x[i] - m;
            Expf.exp(w, 0, w, 0, n);
            for (int t = 0, i = at; t < n; t++, i += inner) {
                float v = w[t];
                e[i] = v;
                s += v;
            }
        }
        return (float) s;
    }

    // ------------------------------------------------------------------ forward, double

    /** The double form of {@link #softmax(float[], int, int, int, float[], float[], float[])}, every step in double. */
    public static void softmax(double[] x, int outer, int len, int inner, double[] out, double[] exps, double[] sums) {
        check("softmax", x.length, outer, len, inner, out.length, exps, sums.length);
        lanes(outer, len, inner, (l0, l1, w) -> {
            for (int l = l0; l < l1; l++) {
                int a = (l / inner) * len * inner + l % inner;
                double[] e = exps != null ? exps : out;
                double s = expSum(x, a, len, inner, maxShift(x, a, len, inner), e, w);
                sums[l] = s;
                if (inner == 1) for (int i = a; i < a + len; i++) out[i] = e[i] / s;
                else for (int k = 0, i = a; k < len; k++, i += inner) out[i] = e[i] / s;
            }
        });
    }

    /** The double form of {@link #logSoftmax(float[], int, int, int, float[], float[], float[])}. */
    public static void logSoftmax(double[] x, int outer, int len, int inner, double[] out, double[] exps, double[] sums) {
        check("logSoftmax", x.length, outer, len, inner, out.length, exps, sums.length);
        lanes(outer, len, inner, (l0, l1, w) -> {
            for (int l = l0; l < l1; l++) {
                int a = (l / inner) * len * inner + l % inner;
                double m = maxShift(x, a, len, inner);
                double s = expSum(x, a, len, inner, m, exps != null ? exps : out, w);
                sums[l] = s;
                double logS = Math.log(s);
                if (inner == 1) for (int i = a; i < a + len; i++) out[i] = (x[i] - m) - logS;
                else for (int k = 0, i = a; k < len; k++, i += inner) out[i] = (x[i] - m) - logS;
            }
        });
    }

    private static double maxShift(double[] x, int a, int len, int inner) {
        if (len == 0) return 0.0;
        double m = x[a];
        for (int k = 1, i = a + inner; k < len && !Double.isNaN(m); k++, i += inner) {
            double v = x[i];
            if (Double.isNaN(v) || v > m) m = v;
        }
        return m == Double.NEGATIVE_INFINITY ? 0.0 : m;
    }

    /** e_k = exp(x_k − m) into e and S = Σ e_k, by blocks: the shifted values, then their exps, then the sum (so the exps overlap). */
    private static double expSum(double[] x, int a, int len, int inner, double m, double[] e, double[] w) {
        double s = 0.0;
        for (int k0 = 0; k0 < len; k0 += Pointwise.BLOCK) {
            int n = Math.min(Pointwise.BLOCK, len - k0), at = a + k0 * inner;
            for (int t = 0, i = at; t < n; t++, i += inner) w[t] = x[i] - m;
            for (int t = 0; t < n; t++) w[t] = Math.exp(w[t]);
            for (int t = 0, i = at; t < n; t++, i += inner) {
                e[i] = w[t];
                s += w[t];
            }
        }
        return s;
    }

    // ------------------------------------------------------------------ backward

    // ∂S = Σ_k −g_k·((e_k / S) / S);  ∂x_k = (g_k / S + ∂S)·e_k   (the div, sum and exp backward of the composition)
    /** The gradient of softmax: from the output's gradient g, the output y, the exps and sums its forward kept. */
    public static void softmaxBackward(float[] g, float[] y, float[] exps, float[] sums, int outer, int len, int inner, float[] gx) {
        check("softmaxBackward", g.length, outer, len, inner, gx.length, exps, sums.length);
        lanes(outer, len, inner, (l0, l1, w) -> {
            for (int l = l0; l < l1; l++) {
                int a = (l / inner) * len * inner + l % inner;
                float s = sums[l];
                // a lane of one element: the composed sumTo returned its product unsummed (−0 stays −0)
                float dS = len == 1 ? (-g[a]) * (y[a] / s) : 0f;
                if (len > 1) {
                    double acc = 0.0;
                    for (int k = 0, i = a; k < len; k++, i += inner) acc += (-g[i]) * (y[i] / s);
                    dS = (float) acc;
                }
                if (inner == 1) for (int i = a; i < a + len; i++) gx[i] = (g[i] / s + dS) * exps[i];
                else for (int k = 0, i = a; k < len; k++, i += inner) gx[i] = (g[i] / s + dS) * exps[i];
            }
        });
    }

    public static void softmaxBackward(double[] g, double[] y, double[] exps, double[] sums, int outer, int len, int inner, double[] gx) {
        check("softmaxBackward", g.length, outer, len, inner, gx.length, exps, sums.length);
        lanes(outer, len, inner, (l0, l1, w) -> {
            for (int l = l0; l < l1; l++) {
                int a = (l / inner) * len * inner + l % inner;
                double s = sums[l];
                double dS = len == 1 ? (-g[a]) * (y[a] / s) : 0.0;
                if (len > 1) for (int k = 0, i = a; k < len; k++, i += inner) dS += (-g[i]) * (y[i] / s);
                if (inner == 1) for (int i = a; i < a + len; i++) gx[i] = (g[i] / s + dS) * exps[i];
                else for (int k = 0, i = a; k < len; k++, i += inner) gx[i] = (g[i] / s + dS) * exps[i];
            }
        });
    }

    // ∂log S = Σ_k −g_k;  ∂S = ∂log S / S;  ∂x_k = g_k + ∂S·e_k   (the sub, log, sum and exp backward of the composition)
    /** The gradient of log-softmax, from g and the exps and sums its forward kept. */
    public static void logSoftmaxBackward(float[] g, float[] exps, float[] sums, int outer, int len, int inner, float[] gx) {
        check("logSoftmaxBackward", g.length, outer, len, inner, gx.length, exps, sums.length);
        lanes(outer, len, inner, (l0, l1, w) -> {
            for (int l = l0; l < l1; l++) {
                int a = (l / inner) * len * inner + l % inner;
                double acc = len == 1 ? -g[a] : 0.0; // one element: unsummed, as the composed sumTo
                if (len > 1) for (int k = 0, i = a; k < len; k++, i += inner) acc += -g[i];
                float dS = (float) acc / sums[l];
                if (inner == 1) for (int i = a; i < a + len; i++) gx[i] = g[i] + dS * exps[i];
                else for (int k = 0, i = a; k < len; k++, i += inner) gx[i] = g[i] + dS * exps[i];
            }
        });
    }

    public static void logSoftmaxBackward(double[] g, double[] exps, double[] sums, int outer, int len, int inner, double[] gx) {
        check("logSoftmaxBackward", g.length, outer, len, inner, gx.length, exps, sums.length);
        lanes(outer, len, inner, (l0, l1, w) -> {
            for (int l = l0; l < l1; l++) {
                int a = (l / inner) * len * inner + l % inner;
                double acc = len == 1 ? -g[a] : 0.0;
                if (len > 1) for (int k = 0, i = a; k < len; k++, i += inner) acc += -g[i];
                double dS = acc / sums[l];
                if (inner == 1) for (int i = a; i < a + len; i++) gx[i] = g[i] + dS * exps[i];
                else for (int k = 0, i = a; k < len; k++, i += inner) gx[i] = g[i] + dS * exps[i];
            }
        });
    }

    // ------------------------------------------------------------------ the split and the checks

    /** Runs body over every lane: blocks of whole lanes over the pool once the array reaches the threshold. */
    private static void lanes(int outer, int len, int inner, Lanes body) {
        int lanes = outer * inner;
        if (lanes == 0) return;
        long work = (long) lanes * Math.max(len, 1);
        int tasks = Parallel.tasks(lanes, work), per = (lanes + tasks - 1) / tasks;
        Parallel.forEach(tasks, work, t -> {
            int l0 = Math.min(lanes, t * per), l1 = Math.min(lanes, (t + 1) * per);
            if (l0 < l1) body.accept(l0, l1, new double[Math.min(Pointwise.BLOCK, Math.max(len, 1))]);
        });
    }

    private static void check(String op, int xLen, int outer, int len, int inner, int outLen, Object exps, int sumsLen) {
        if (outer < 0 || len < 0 || inner < 0) {
            throw new IllegalArgumentException("SoftmaxKernel." + op + ": negative extent in [outer " + outer + ", len " + len + ", inner " + inner + "]");
        }
        long n = (long) outer * len * inner, lanes = (long) outer * inner;
        if (op.endsWith("Backward") && exps == null) throw new IllegalArgumentException("SoftmaxKernel." + op + ": needs the exps its forward kept, got null");
        int expsLen = exps == null ? -1 : exps instanceof float[] f ? f.length : ((double[]) exps).length;
        if (xLen != n || outLen != n || sumsLen != lanes || (exps != null && expsLen != n)) {
            throw new IllegalArgumentException("SoftmaxKernel." + op + ": [outer " + outer + ", len " + len + ", inner " + inner + "] needs arrays of "
                    + n + " elements and " + lanes + " sums, got " + xLen + " in, " + outLen + " out, " + (exps == null ? "no" : expsLen) + " exps, " + sumsLen + " sums");
        }
    }
}
