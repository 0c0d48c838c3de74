package zerotoml.scratch.kernels;

/**
 * Reductions along one axis of a row-major array viewed as {@code [outer, len, inner]}: the
 * reduced axis has {@code len} elements, {@code inner} is the product of the axes after it (its
 * stride) and {@code outer} of the axes before it. A run of adjacent axes reduces as one axis of
 * their product, in the same row-major order. Output {@code (o, j)} sits at {@code o·inner + j}.
 *
 * <p>Order: each output is computed from its elements in increasing index along the axis, one
 * after the other, from the same start, exactly as its naive twin ({@link #naiveSum},
 * {@link #naiveMax}) does; the fast loops only interleave independent outputs (four rows at a
 * time when inner is 1, a vector of j's otherwise). So the bits are those of the plain loop, and
 * since an output is never split between tasks (the split over threads, above
 * {@link Parallel#THRESHOLD} element steps, cuts o or j, never the axis), they do not depend on
 * the thread count. Float inputs are widened as they are read and summed in double.
 */
public final class Reduce {
    private Reduce() {}

    // ------------------------------------------------------------------ sum

    // out_{o,j} = Σ_{k<len} x_{o,k,j}, added in increasing k from 0
    /** {@code out[o·inner + j] = Σ_k x[(o·len + k)·inner + j]}, in increasing k from +0.0. */
    public static void sum(double[] x, int outer, int len, int inner, double[] out) {
        check("sum", x.length, outer, len, inner, out.length);
        split(outer, len, inner, (o0, o1, j0, j1) -> {
            if (inner == 1) sumRows(x, o0, o1, len, out);
            else for (int o = o0; o < o1; o++) sumColumns(x, o, len, inner, j0, j1, out);
        });
    }

    // out_{o,j} = Σ_{k<len} double(x_{o,k,j}), added in double in increasing k from 0
    /** The float form of {@link #sum(double[], int, int, int, double[])}: each value widened, summed in double. */
    public static void sum(float[] x, int outer, int len, int inner, double[] out) {
        check("sum", x.length, outer, len, inner, out.length);
        split(outer, len, inner, (o0, o1, j0, j1) -> {
            if (inner == 1) sumRows(x, o0, o1, len, out);
            else for (int o = o0; o < o1; o++) sumColumns(x, o, len, inner, j0, j1, out);
        });
    }

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

    /** Rows [o0, o1) of a contiguous axis (inner 1): four rows at a time, each summed in its own order. */
    private static void sumRows(double[] x, int o0, int o1, int len, double[] out) {
        int o = o0;
        for (; o + 4 <= o1; o += 4) {
            int a = o * len, b = a + len, c = b + len, d = c + len;
            double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
            for (int k = 0; k < len; k++) {
                s0 += x[a + k];
                s1 += x[b + k];
                s2 += x[c + k];
                s3 += x[d + k];
            }
            out[o] = s0;
            out[o + 1] = s1;
            out[o + 2] = s2;
            out[o + 3] = s3;
        }
        for (; o < o1; o++) {
            double s = 0.0;
            for (int k = 0, a = o * len; k < len; k++) s += x[a + k];
            out[o] = s;
        }
    }

    private static void sumRows(float[] x, int o0, int o1, int len, double[] out) {
        int o = o0;
        for (; o + 4 <= o1; o += 4) {
            int a = o * len, b = a + len, c = b + len, d = c + len;
            double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
            for (int k = 0; k < len; k++) {
                s0 += x[a + k];
                s1 += x[b + k];
                s2 += x[c + k];
                s3 += x[d + k];
            }
            out[o] = s0;
            out[o + 1] = s1;
            out[o + 2] = s2;
            out[o + 3] = s3;
        }
        for (; o < o1; o++) {
            double s = 0.0;
            for (int k = 0, a = o * len; k < len; k++) s += x[a + k];
            out[o] = s;
        }
    }

    /** Columns [j0, j1) of block o: row k of the block added to all of them at once (a loop the JIT vectorises). */
    private static void sumColumns(double[] x, int o, int len, int inner, int j0, int j1, double[] out) {
        int base = o * inner;
        java.util.Arrays.fill(out, base + j0, base + j1, 0.0);
        for (int k = 0; k < len; k++) {
            int row = (o * len + k) * inner;
            for (int j = j0; j < j1; j++) out[base + j] += x[row + j];
        }
    }

    private static void sumColumns(float[] x, int o, int len, int inner, int j0, int j1, double[] out) {
        int base = o * inner;
        java.util.Arrays.fill(out, base + j0, base + j1, 0.0);
        for (int k = 0; k < len; k++) {
            int row = (o * len + k) * inner;
            for (int j = j0; j < j1; j++) out[base + j] += x[row + j];
        }
    }

    // ------------------------------------------------------------------ max and argmax

    // out_{o,j} = max_k x_{o,k,j} (a NaN wins; ties keep the first);  arg_{o,j} = the first k attaining it
    /**
     * The maximum along the axis, torch.max's rule: the first NaN wins, else the largest value,
     * the first of equal ones (so of −0 and +0, whichever comes first). {@code arg}, when not
     * null, gets the index k along the axis of that element. len must be at least 1.
     */
    public static void max(double[] x, int outer, int len, int inner, double[] out, int[] arg) {
        check("max", x.length, outer, len, inner, out.length);
        checkArg(len, arg, outer, inner);
        split(outer, len, inner, (o0, o1, j0, j1) -> {
            for (int o = o0; o < o1; o++) {
                for (int j = j0; j < j1; j++) {
                    int at = o * len * inner + j;
                    double best = x[at];
                    int bestK = 0;
                    for (int k = 1; k < len && !Double.isNaN(best); k++) {
                        double v = x[at + k * inner];
                        if (Double.isNaN(v) || v > best) {
                            best = v;
                            bestK = k;
                        }
                    }
                    out[o * inner + j] = best;
                    if (arg != null) arg[o * inner + j] = bestK;
                }
            }
        });
    }

    /** The float form of {@link #max(double[], int, int, int, double[], int[])}, each maximum widened to double (exactly). */
    public static void max(float[] x, int outer, int len, int inner, double[] out, int[] arg) {
        check("max", x.length, outer, len, inner, out.length);
        checkArg(len, arg, outer, inner);
        split(outer, len, inner, (o0, o1, j0, j1) -> {
            for (int o = o0; o < o1; o++) {
                for (int j = j0; j < j1; j++) {
                    int at = o * len * inner + j;
                    float best = x[at];
                    int bestK = 0;
                    for (int k = 1; k < len && !Float.isNaN(best); k++) {
                        float v = x[at + k * inner];
                        if (Float.isNaN(v) || v > best) {
                            best = v;
                            bestK = k;
                        }
                    }
                    out[o * inner + j] = best;
                    if (arg != null) arg[o * inner + j] = bestK;
                }
            }
        });
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

    // ------------------------------------------------------------------ any set of axes

    /**
     * A reduction over any set of axes of a row-major array of {@code size} elements, as two small
     * offset tables: output {@code p·inner + j} reduces {@code x[base[p] + offsets[q] + r + j]} over q
     * in order, and within each q over r &lt; run, which is increasing index in x (the order of the
     * plain row-major walk). Size-1 axes are dropped and adjacent axes of the same kind merged; the
     * innermost group becomes {@code inner} (kept: then run is 1) or {@code run} (reduced: then inner
     * is 1). The tables hold one entry per output row and one per reduced run, not one per element.
     */
    public record Plan(int size, int[] base, int[] offsets, int run, int inner) {

        /** The plan of reducing the axes marked in {@code reduced} of a row-major array of shape {@code dims}. */
        public static Plan of(int[] dims, boolean[] reduced) {
            if (dims.length != reduced.length) {
                throw new IllegalArgumentException("Reduce.Plan: " + dims.length + " dims but " + reduced.length + " reduced flags");
            }
            long size = 1, kept = 1;
            for (int i = 0; i < dims.length; i++) {
                if (dims[i] < 0) throw new IllegalArgumentException("Reduce.Plan: negative dim in " + java.util.Arrays.toString(dims));
                size *= dims[i];
                if (!reduced[i]) kept *= dims[i];
            }
            if (size > Integer.MAX_VALUE) throw new IllegalArgumentException("Reduce.Plan: " + size + " elements do not fit in an array");
            // an empty array: every output (if any) reduces no element
            if (size == 0) return new Plan(0, new int[(int) kept], new int[0], 1, 1);
            int r = dims.length;
            int[] gd = new int[r], gs = new int[r];
            boolean[] gr = new boolean[r];
            int g = 0, stride = 1;
            for (int i = r - 1; i >= 0; i--) { // innermost first, so a group's stride is its innermost axis's
                if (dims[i] != 1) {
                    if (g > 0 && gr[g - 1] == reduced[i]) gd[g - 1] *= dims[i];
                    else {
                        gd[g] = dims[i];
                        gs[g] = stride;
                        gr[g] = reduced[i];
                        g++;
                    }
                }
                stride *= dims[i];
            }
            int run = 1, inner = 1, first = 0;
            if (g > 0 && gr[0]) run = gd[first++];
            else if (g > 0) inner = gd[first++];
            return new Plan((int) size, table(gd, gs, gr, first, g, false), table(gd, gs, gr, first, g, true), run, inner);
        }

        /** The offsets of the groups [first, g) of the given kind, outermost (last) group varying slowest. */
        private static int[] table(int[] gd, int[] gs, boolean[] gr, int first, int g, boolean kind) {
            int n = 0, count = 1;
            int[] d = new int[g], s = new int[g];
            for (int i = g - 1; i >= first; i--) {
                if (gr[i] == kind) {
                    d[n] = gd[i];
                    s[n] = gs[i];
                    count *= gd[i];
                    n++;
                }
            }
            int[] t = new int[count], idx = new int[n];
            int off = 0;
            for (int e = 0; e < count; e++) {
                t[e] = off;
                for (int a = n - 1; a >= 0; a--) { // odometer, the last listed (innermost) axis fastest
                    idx[a]++;
                    off += s[a];
                    if (idx[a] < d[a]) break;
                    off -= s[a] * d[a];
                    idx[a] = 0;
                }
            }
            return t;
        }

        /** The number of outputs. */
        public int outputs() {
            return base.length * inner;
        }

        /** The number of elements reduced into each output. */
        public int count() {
            return offsets.length * run;
        }
    }

    // out_t = Σ x over output t's elements, in increasing index from +0.0
    /** The sum over a {@link Plan}: each output from +0.0, its elements in increasing index. */
    public static void sum(double[] x, Plan p, double[] out) {
        checkPlan("sum", x.length, p, out.length);
        int[] base = p.base(), off = p.offsets();
        int run = p.run(), inner = p.inner();
        split(base.length, p.count(), inner, (o0, o1, j0, j1) -> {
            if (inner == 1) {
                int o = o0;
                for (; o + 2 <= o1; o += 2) { // two outputs at a time, each in its own order
                    double s0 = 0.0, s1 = 0.0;
                    for (int q : off) {
                        int a = base[o] + q, b = base[o + 1] + q;
                        for (int k = 0; k < run; k++) {
                            s0 += x[a + k];
                            s1 += x[b + k];
                        }
                    }
                    out[o] = s0;
                    out[o + 1] = s1;
                }
                for (; o < o1; o++) {
                    double s = 0.0;
                    for (int q : off) for (int k = 0, a = base[o] + q; k < run; k++) s += x[a + k];
                    out[o] = s;
                }
            } else {
                for (int o = o0; o < o1; o++) {
                    int at = o * inner;
                    java.util.Arrays.fill(out, at + j0, at + j1, 0.0);
                    for (int q : off) {
                        int row = base[o] + q;
                        for (int j = j0; j < j1; j++) out[at + j] += x[row + j];
                    }
                }
            }
        });
    }

    /** The float form of {@link #sum(double[], Plan, double[])}: each value widened, summed in double. */
    public static void sum(float[] x, Plan p, double[] out) {
        checkPlan("sum", x.length, p, out.length);
        int[] base = p.base(), off = p.offsets();
        int run = p.run(), inner = p.inner();
        split(base.length, p.count(), inner, (o0, o1, j0, j1) -> {
            if (inner == 1) {
                int o = o0;
                for (; o + 2 <= o1; o += 2) {
                    double s0 = 0.0, s1 = 0.0;
                    for (int q : off) {
                        int a = base[o] + q, b = base[o + 1] + q;
                        for (int k = 0; k < run; k++) {
                            s0 += x[a + k];
                            s1 += x[b + k];
                        }
                    }
                    out[o] = s0;
                    out[o + 1] = s1;
                }
                for (; o < o1; o++) {
                    double s = 0.0;
                    for (int q : off) for (int k = 0, a = base[o] + q; k < run; k++) s += x[a + k];
                    out[o] = s;
                }
            } else {
                for (int o = o0; o < o1; o++) {
                    int at = o * inner;
                    java.util.Arrays.fill(out, at + j0, at + j1, 0.0);
                    for (int q : off) {
                        int row = base[o] + q;
                        for (int j = j0; j < j1; j++) out[at + j] += x[row + j];
                    }
                }
            }
        });
    }

    // out_t = max x over output t's elements (a NaN wins; −∞ for none);  ties_t = #{x = out_t}
    /**
     * torch.amax over a {@link Plan}: from −∞, an element replaces the best when it is a NaN or
     * larger (so a NaN wins and of equal values the first stays); {@code ties}, when not null, gets
     * how many elements equal the maximum (none for a NaN maximum). An output with no element is −∞.
     */
    public static void amax(double[] x, Plan p, double[] out, int[] ties) {
        checkPlan("amax", x.length, p, out.length);
        checkTies(p, ties);
        double[] w = x;
        int[] off = p.offsets();
        int run = p.run();
        planEach(p, (t, at) -> {
            double best = Double.NEGATIVE_INFINITY;
            for (int q : off) {
                for (int k = 0, i = at + q; k < run; k++, i++) {
                    double v = w[i];
                    if (!Double.isNaN(best) && (Double.isNaN(v) || v > best)) best = v;
                }
            }
            out[t] = best;
            if (ties != null) {
                int c = 0;
                for (int q : off) for (int k = 0, i = at + q; k < run; k++, i++) if (w[i] == best) c++;
                ties[t] = c;
            }
        });
    }

    /** The float form of {@link #amax(double[], Plan, double[], int[])}, each value widened (exactly). */
    public static void amax(float[] x, Plan p, double[] out, int[] ties) {
        checkPlan("amax", x.length, p, out.length);
        checkTies(p, ties);
        int[] off = p.offsets();
        int run = p.run();
        planEach(p, (t, at) -> {
            double best = Double.NEGATIVE_INFINITY;
            for (int q : off) {
                for (int k = 0, i = at + q; k < run; k++, i++) {
                    double v = x[i];
                    if (!Double.isNaN(best) && (Double.isNaN(v) || v > best)) best = v;
                }
            }
            out[t] = best;
            if (ties != null) {
                int c = 0;
                for (int q : off) for (int k = 0, i = at + q; k < run; k++, i++) if (x[i] == best) c++;
                ties[t] = c;
            }
        });
    }

    // ∂x_i = NaN if out_t is NaN, else g_t / ties_t where x_i = out_t, else 0   (t: the output x_i reduces into)
    /** amax's gradient over a {@link Plan}: tied maxima share g equally; every element of a NaN lane gets NaN. */
    public static void amaxBackward(double[] x, Plan p, double[] out, int[] ties, double[] g, double[] gx) {
        checkPlan("amaxBackward", x.length, p, out.length);
        checkPlan("amaxBackward", gx.length, p, g.length);
        int[] off = p.offsets();
        int run = p.run();
        planEach(p, (t, at) -> {
            double best = out[t], share = g[t] / ties[t];
            for (int q : off) {
                for (int k = 0, i = at + q; k < run; k++, i++) gx[i] = Double.isNaN(best) ? Double.NaN : x[i] == best ? share : 0.0;
            }
        });
    }

    /** The float form of {@link #amaxBackward(double[], Plan, double[], int[], double[], double[])}. */
    public static void amaxBackward(float[] x, Plan p, double[] out, int[] ties, double[] g, double[] gx) {
        checkPlan("amaxBackward", x.length, p, out.length);
        checkPlan("amaxBackward", gx.length, p, g.length);
        int[] off = p.offsets();
        int run = p.run();
        planEach(p, (t, at) -> {
            double best = out[t], share = g[t] / ties[t];
            for (int q : off) {
                for (int k = 0, i = at + q; k < run; k++, i++) gx[i] = Double.isNaN(best) ? Double.NaN : x[i] == best ? share : 0.0;
            }
        });
    }

    // m_t = amax_t x (0 where ±∞);  s_t = Σ e^{x − m_t} in increasing index from +0.0
    /**
     * The two halves of logsumexp over a {@link Plan}: the shift {@code m} (the maximum, a NaN
     * winning, replaced by 0 where it is ±∞, so −∞ for no element becomes 0) and {@code s = Σ e^{x − m}}
     * in double, in increasing index. logsumexp is then {@code m + ln s}.
     */
    public static void logSumExp(double[] x, Plan p, double[] m, double[] s) {
        amax(x, p, m, null);
        checkPlan("logSumExp", x.length, p, s.length);
        double[] w = x;
        int[] off = p.offsets();
        int run = p.run();
        planEach(p, (t, at) -> {
            if (Double.isInfinite(m[t])) m[t] = 0;
            double mt = m[t], acc = 0.0;
            for (int q : off) for (int k = 0, i = at + q; k < run; k++, i++) acc += Math.exp(w[i] - mt);
            s[t] = acc;
        });
    }

    /** The float form of {@link #logSumExp(double[], Plan, double[], double[])}, each value widened. */
    public static void logSumExp(float[] x, Plan p, double[] m, double[] s) {
        amax(x, p, m, null);
        checkPlan("logSumExp", x.length, p, s.length);
        int[] off = p.offsets();
        int run = p.run();
        planEach(p, (t, at) -> {
            if (Double.isInfinite(m[t])) m[t] = 0;
            double mt = m[t], acc = 0.0;
            for (int q : off) for (int k = 0, i = at + q; k < run; k++, i++) acc += Math.exp(x[i] - mt);
            s[t] = acc;
        });
    }

    // ∂x_i = g_t · (e^{x_i − m_t} / s_t)
    /** logsumexp's gradient over a {@link Plan}: the softmax of the lane times its output's g. */
    public static void logSumExpBackward(double[] x, Plan p, double[] m, double[] s, double[] g, double[] gx) {
        checkPlan("logSumExpBackward", x.length, p, s.length);
        checkPlan("logSumExpBackward", gx.length, p, g.length);
        int[] off = p.offsets();
        int run = p.run();
        planEach(p, (t, at) -> {
            double mt = m[t], st = s[t], gt = g[t];
            for (int q : off) for (int k = 0, i = at + q; k < run; k++, i++) gx[i] = gt * (Math.exp(x[i] - mt) / st);
        });
    }

    /** The float form of {@link #logSumExpBackward(double[], Plan, double[], double[], double[], double[])}. */
    public static void logSumExpBackward(float[] x, Plan p, double[] m, double[] s, double[] g, double[] gx) {
        checkPlan("logSumExpBackward", x.length, p, s.length);
        checkPlan("logSumExpBackward", gx.length, p, g.length);
        int[] off = p.offsets();
        int run = p.run();
        planEach(p, (t, at) -> {
            double mt = m[t], st = s[t], gt = g[t];
            for (int q : off) for (int k = 0, i = at + q; k < run; k++, i++) gx[i] = gt * (Math.exp(x[i] - mt) / st);
        });
    }

    /** One output of a plan: its index t and its first element's offset at (its elements: at + offsets[q] + k, k < run). */
    private interface Lane {
        void accept(int t, int at);
    }

    /**
     * Runs {@code body} for every output of the plan, split over threads as {@link #split} (no output
     * in two tasks). Output t's elements are {@code at + offsets[q] + k} for q in order and k &lt; run,
     * in increasing index.
     */
    private static void planEach(Plan p, Lane body) {
        int[] base = p.base();
        int inner = p.inner(), n = p.count();
        split(base.length, n, inner, (o0, o1, j0, j1) -> {
            for (int o = o0; o < o1; o++) for (int j = j0; j < j1; j++) body.accept(o * inner + j, base[o] + j);
        });
    }

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

    /** The oracle of {@link #sum(double[], Plan, double[])}: every element added to its output in row-major order. */
    public static void naiveSum(double[] x, int[] dims, boolean[] reduced, double[] out) {
        int[] target = naiveTargets(dims, reduced);
        java.util.Arrays.fill(out, 0.0);
        for (int i = 0; i < target.length; i++) out[target[i]] += x[i];
    }

    /** The oracle of {@link #amax(double[], Plan, double[], int[])}: the old walk from −∞, then a count of ties. */
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

    /** The oracle of {@link #logSumExp(double[], Plan, double[], double[])}: Math.max from −∞, then the sum of exps. */
    public static void naiveLogSumExp(double[] x, int[] dims, boolean[] reduced, double[] m, double[] s) {
        int[] target = naiveTargets(dims, reduced);
        java.util.Arrays.fill(m, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < target.length; i++) m[target[i]] = Math.max(m[target[i]], x[i]);
        for (int t = 0; t < m.length; t++) if (Double.isInfinite(m[t])) m[t] = 0;
        java.util.Arrays.fill(s, 0.0);
        for (int i = 0; i < target.length; i++) s[target[i]] += Math.exp(x[i] - m[target[i]]);
    }

    private static void checkPlan(String op, int xLen, Plan p, int outLen) {
        if (xLen < p.size() || outLen < p.outputs()) {
            throw new IllegalArgumentException("Reduce." + op + ": the plan needs an input of " + p.size() + " and an output of "
                    + p.outputs() + " elements, got " + xLen + " and " + outLen);
        }
    }

    private static void checkTies(Plan p, int[] ties) {
        if (ties != null && ties.length < p.outputs()) {
            throw new IllegalArgumentException("Reduce.amax: ties has " + ties.length + " elements, needs " + p.outputs());
        }
    }

    // ------------------------------------------------------------------ the split

    /** A block of outputs: o in [o0, o1), j in [j0, j1). */
    private interface Block {
        void accept(int o0, int o1, int j0, int j1);
    }

    /**
     * Runs {@code body} over every output: on the calling thread below the threshold, else cut
     * into blocks of whole o's (when there are enough of them) or of j's, each output in one block.
     */
    private static void split(int outer, int len, int inner, Block body) {
        if (outer == 0 || inner == 0) return;
        long work = (long) outer * Math.max(len, 1) * inner;
        if (work < Parallel.THRESHOLD || Parallel.threads() == 1) {
            body.accept(0, outer, 0, inner);
            return;
        }
        if (outer >= Parallel.threads() || inner == 1) {
            int tasks = Parallel.tasks(outer), per = (outer + tasks - 1) / tasks;
            Parallel.forEach(tasks, work, t -> body.accept(Math.min(outer, t * per), Math.min(outer, (t + 1) * per), 0, inner));
        } else {
            int tasks = Parallel.tasks(inner), per = (inner + tasks - 1) / tasks;
            Parallel.forEach(tasks, work, t -> body.accept(0, outer, Math.min(inner, t * per), Math.min(inner, (t + 1) * per)));
        }
    }

    // ------------------------------------------------------------------ argument checks

    private static void check(String op, int xLen, int outer, int len, int inner, int outLen) {
        if (outer < 0 || len < 0 || inner < 0) {
            throw new IllegalArgumentException("Reduce." + op + ": negative extent in [outer " + outer + ", len " + len + ", inner " + inner + "]");
        }
        long need = (long) outer * len * inner, outNeed = (long) outer * inner;
        if (xLen < need || outLen < outNeed) {
            throw new IllegalArgumentException("Reduce." + op + ": [outer " + outer + ", len " + len + ", inner " + inner + "] needs an input of "
                    + need + " and an output of " + outNeed + " elements, got " + xLen + " and " + outLen);
        }
    }

    private static void checkArg(int len, int[] arg, int outer, int inner) {
        if (len < 1 && (long) outer * inner > 0) {
            throw new IllegalArgumentException("Reduce.max: the axis is empty (len 0), so it has no maximum ([outer " + outer + ", inner " + inner + "])");
        }
        if (arg != null && arg.length < (long) outer * inner) {
            throw new IllegalArgumentException("Reduce.max: arg has " + arg.length + " elements, needs " + ((long) outer * inner));
        }
    }
}
