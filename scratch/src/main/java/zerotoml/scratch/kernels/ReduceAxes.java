package zerotoml.scratch.kernels;

import static zerotoml.scratch.kernels.Reduce.split;

/**
 * Reductions over any set of axes through a {@link Plan} (two small offset tables): sum, torch.amax
 * with its tie count and gradient, and logsumexp's two halves with its gradient, each output from
 * its elements in increasing index, as its naive twin in {@link ReduceOracles} ({@code naiveSum},
 * {@code naiveAmax}, {@code naiveLogSumExp}) walks them. amax along a kept innermost axis
 * (inner &gt; 1) walks rows contiguously for a block of outputs at once, each still seeing its own
 * elements in increasing index. Split over threads as {@link Reduce}'s one-axis kernels, no output
 * in two tasks, so the bits do not depend on the thread count.
 */
public final class ReduceAxes {
    private ReduceAxes() {}

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
                throw new IllegalArgumentException("ReduceAxes.Plan: " + dims.length + " dims but " + reduced.length + " reduced flags");
            }
            long size = 1, kept = 1;
            for (int i = 0; i < dims.length; i++) {
                if (dims[i] < 0) throw new IllegalArgumentException("ReduceAxes.Plan: negative dim in " + java.util.Arrays.toString(dims));
                size *= dims[i];
                if (!reduced[i]) kept *= dims[i];
            }
            if (size > Integer.MAX_VALUE) throw new IllegalArgumentException("ReduceAxes.Plan: " + size + " elements do not fit in an array");
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
        if (p.inner() > 1) {
            amaxLanes(x, null, p, out, ties);
            return;
        }
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
        if (p.inner() > 1) {
            amaxLanes(null, x, p, out, ties);
            return;
        }
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
        if (p.inner() > 1) {
            amaxBackwardLanes(x, null, p, out, ties, g, gx);
            return;
        }
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
        if (p.inner() > 1) {
            amaxBackwardLanes(null, x, p, out, ties, g, gx);
            return;
        }
        int[] off = p.offsets();
        int run = p.run();
        planEach(p, (t, at) -> {
            double best = out[t], share = g[t] / ties[t];
            for (int q : off) {
                for (int k = 0, i = at + q; k < run; k++, i++) gx[i] = Double.isNaN(best) ? Double.NaN : x[i] == best ? share : 0.0;
            }
        });
    }

    /** Lanes per block of the lane-wise walks: a block's maxima, counts and shares stay in the first-level cache. */
    private static final int LANES = 512;

    /**
     * amax when the kept innermost axis is longer than 1 (inner &gt; 1, so run is 1): the outputs
     * {@code o·inner + j} of one base row, in blocks of consecutive lanes j, walk each reduced
     * offset's row contiguously, each lane updated by the per-output rule (from −∞, a NaN or larger
     * value replaces; a NaN stays), and then count their ties in a second walk. Each lane sees its
     * elements in the same order as the per-output walk, so the maxima and counts are the same.
     * Exactly one of xd and xf is given.
     */
    private static void amaxLanes(double[] xd, float[] xf, Plan p, double[] out, int[] ties) {
        int[] base = p.base(), off = p.offsets();
        int inner = p.inner();
        split(base.length, p.count(), inner, (o0, o1, j0, j1) -> {
            for (int o = o0; o < o1; o++) {
                for (int b0 = j0; b0 < j1; b0 += LANES) {
                    int b1 = Math.min(j1, b0 + LANES), at = o * inner;
                    java.util.Arrays.fill(out, at + b0, at + b1, Double.NEGATIVE_INFINITY);
                    for (int q : off) maxRow(xd, xf, base[o] + q, out, at, b0, b1);
                    if (ties == null) continue;
                    java.util.Arrays.fill(ties, at + b0, at + b1, 0);
                    for (int q : off) countRow(xd, xf, base[o] + q, out, ties, at, b0, b1);
                }
            }
        });
    }

    // best_j ← x_j if best_j is not NaN and (x_j is NaN or x_j > best_j),  j in [b0, b1)
    private static void maxRow(double[] xd, float[] xf, int row, double[] best, int at, int b0, int b1) {
        for (int j = b0; j < b1; j++) {
            double v = xd != null ? xd[row + j] : xf[row + j], b = best[at + j];
            if (!Double.isNaN(b) && (Double.isNaN(v) || v > b)) best[at + j] = v;
        }
    }

    // ties_j += [x_j = best_j],  j in [b0, b1)
    private static void countRow(double[] xd, float[] xf, int row, double[] best, int[] ties, int at, int b0, int b1) {
        for (int j = b0; j < b1; j++) {
            double v = xd != null ? xd[row + j] : xf[row + j];
            if (v == best[at + j]) ties[at + j]++;
        }
    }

    /**
     * amax's gradient when inner &gt; 1: the same per-element rule, each reduced offset's row
     * written contiguously over a block of lanes, with the lanes' shares g / ties computed once per
     * block. Exactly one of xd and xf is given.
     */
    private static void amaxBackwardLanes(double[] xd, float[] xf, Plan p, double[] out, int[] ties, double[] g, double[] gx) {
        int[] base = p.base(), off = p.offsets();
        int inner = p.inner();
        split(base.length, p.count(), inner, (o0, o1, j0, j1) -> {
            double[] share = new double[Math.min(LANES, j1 - j0)];
            for (int o = o0; o < o1; o++) {
                for (int b0 = j0; b0 < j1; b0 += LANES) {
                    int b1 = Math.min(j1, b0 + LANES), at = o * inner;
                    for (int j = b0; j < b1; j++) share[j - b0] = g[at + j] / ties[at + j];
                    for (int q : off) gradRow(xd, xf, base[o] + q, out, share, gx, at, b0, b1);
                }
            }
        });
    }

    // gx_j = NaN if best_j is NaN, else share_j where x_j = best_j, else 0,  j in [b0, b1)
    private static void gradRow(double[] xd, float[] xf, int row, double[] best, double[] share, double[] gx, int at, int b0, int b1) {
        for (int j = b0; j < b1; j++) {
            double v = xd != null ? xd[row + j] : xf[row + j], b = best[at + j];
            gx[row + j] = Double.isNaN(b) ? Double.NaN : v == b ? share[j - b0] : 0.0;
        }
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
     * Runs {@code body} for every output of the plan, split over threads as {@link Reduce#split} (no output
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

    private static void checkPlan(String op, int xLen, Plan p, int outLen) {
        if (xLen < p.size() || outLen < p.outputs()) {
            throw new IllegalArgumentException("ReduceAxes." + op + ": the plan needs an input of " + p.size() + " and an output of "
                    + p.outputs() + " elements, got " + xLen + " and " + outLen);
        }
    }

    private static void checkTies(Plan p, int[] ties) {
        if (ties != null && ties.length < p.outputs()) {
            throw new IllegalArgumentException("ReduceAxes.amax: ties has " + ties.length + " elements, needs " + p.outputs());
        }
    }
}
