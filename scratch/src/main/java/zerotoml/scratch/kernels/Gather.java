package zerotoml.scratch.kernels;

/**
 * Moving elements by position, and the adjoint that adds them back: {@code take} (element i of the
 * output is element src[i] of x, 0 where src[i] is negative) with its scatter-add, and the
 * structured case every index-select and embedding lookup is, whole slices along one axis of x
 * viewed as {@code [outer, n, inner]} picked by {@code positions} ({@link #rows}) with its
 * scatter-add ({@link #scatterRows}), which need no index table of the output's size.
 *
 * <p>Order: a gradient element that receives several contributions (the same token twice in a
 * batch) adds them in double, in increasing output index, from +0, as the plain loop over the
 * output does; float gradients are widened as they are read. The split over threads cuts whole
 * blocks of the output (take, rows) or of the gradient (scatterRows: blocks of o, or of the
 * columns t, never the picks j), so the bits do not depend on the thread count. The general
 * {@link #scatterAdd} runs on one thread: two outputs anywhere may share a target.
 */
public final class Gather {
    private Gather() {}

    // ------------------------------------------------------------------ take and its scatter-add

    // out_i = x_{src_i}  (0 where src_i < 0)
    /** {@code out[i] = x[src[i]]}, or 0 where src[i] is negative; src must be checked against x by the caller. */
    public static void take(float[] x, int[] src, float[] out) {
        sameLength("take", src.length, out.length);
        chunks(src.length, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int s = src[i];
                out[i] = s < 0 ? 0f : x[s];
            }
        });
    }

    public static void take(double[] x, int[] src, double[] out) {
        sameLength("take", src.length, out.length);
        chunks(src.length, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int s = src[i];
                out[i] = s < 0 ? 0.0 : x[s];
            }
        });
    }

    /** The oracle of take: one element at a time, on the calling thread. */
    public static void naiveTake(double[] x, int[] src, double[] out) {
        for (int i = 0; i < src.length; i++) out[i] = src[i] < 0 ? 0 : x[src[i]];
    }

    // out_{src_i} += g_i  for increasing i (src_i ≥ 0)
    /**
     * The adjoint of take: {@code out[src[i]] += g[i]} for increasing i, skipping negative src, in
     * double ({@code out} starts as the caller's values, normally zeros). It is its own oracle: the
     * plain loop, on one thread.
     */
    public static void scatterAdd(double[] g, int[] src, double[] out) {
        sameLength("scatterAdd", src.length, g.length);
        for (int i = 0; i < src.length; i++) if (src[i] >= 0) out[src[i]] += g[i];
    }

    /** The float form of {@link #scatterAdd(double[], int[], double[])}: each g widened as it is read. */
    public static void scatterAdd(float[] g, int[] src, double[] out) {
        sameLength("scatterAdd", src.length, g.length);
        for (int i = 0; i < src.length; i++) if (src[i] >= 0) out[src[i]] += g[i];
    }

    // out_{src_i} = 0 + g_i  (targets distinct)
    /**
     * The float scatter-add when no two entries of src share a target (the caller knows it: max pooling with
     * disjoint windows): each target takes one float added onto +0, which
     * is what the double sum gives once rounded (a single float is exact in double, and +0 + −0 is +0 in both),
     * so the bits equal {@link #scatterAdd(float[], int[], double[])}'s narrowed, without the double array. With
     * no shared target any split is safe, so it runs over threads.
     */
    public static void scatterAddDistinct(float[] g, int[] src, float[] out) {
        sameLength("scatterAddDistinct", src.length, g.length);
        chunks(src.length, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int s = src[i];
                if (s >= 0) out[s] += g[i];
            }
        });
    }

    // ------------------------------------------------------------------ index-select along one axis

    // out_{o, j, t} = x_{o, positions_j, t}   (x viewed as [outer, n, inner], out as [outer, len, inner])
    /**
     * Index-select: slice {@code positions[j]} of every block o of x, copied as whole runs of
     * {@code inner} elements. Positions must be in [0, n) (the caller checks).
     */
    public static void rows(float[] x, int outer, int n, int inner, int[] positions, float[] out) {
        int len = positions.length;
        checkRows("rows", x.length, outer, n, inner, len, out.length);
        blocks(outer, len, inner, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int o = b / len, j = b % len;
                System.arraycopy(x, (o * n + positions[j]) * inner, out, b * inner, inner);
            }
        });
    }

    public static void rows(double[] x, int outer, int n, int inner, int[] positions, double[] out) {
        int len = positions.length;
        checkRows("rows", x.length, outer, n, inner, len, out.length);
        blocks(outer, len, inner, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int o = b / len, j = b % len;
                System.arraycopy(x, (o * n + positions[j]) * inner, out, b * inner, inner);
            }
        });
    }

    // gx_{o, positions_j, t} += g_{o, j, t}  for increasing j
    /**
     * The adjoint of rows: each slice of g added into its position's slice of {@code gx} (double,
     * starting as zeros), the picks j in increasing order. Split over blocks o, or over columns t
     * when there are fewer blocks than threads.
     */
    public static void scatterRows(double[] g, int outer, int n, int inner, int[] positions, double[] gx) {
        int len = positions.length;
        checkRows("scatterRows", gx.length, outer, n, inner, len, g.length);
        scatterSplit(outer, len, inner, (o0, o1, t0, t1) -> {
            for (int o = o0; o < o1; o++) {
                for (int j = 0; j < len; j++) {
                    int from = (o * len + j) * inner, to = (o * n + positions[j]) * inner;
                    for (int t = t0; t < t1; t++) gx[to + t] += g[from + t];
                }
            }
        });
    }

    /** The float form of {@link #scatterRows(double[], int, int, int, int[], double[])}: g widened as it is read. */
    public static void scatterRows(float[] g, int outer, int n, int inner, int[] positions, double[] gx) {
        int len = positions.length;
        checkRows("scatterRows", gx.length, outer, n, inner, len, g.length);
        scatterSplit(outer, len, inner, (o0, o1, t0, t1) -> {
            for (int o = o0; o < o1; o++) {
                for (int j = 0; j < len; j++) {
                    int from = (o * len + j) * inner, to = (o * n + positions[j]) * inner;
                    for (int t = t0; t < t1; t++) gx[to + t] += g[from + t];
                }
            }
        });
    }

    /** The oracle of rows and scatterRows: the flat source table of the output, element by element. */
    public static int[] naiveRowsTable(int outer, int n, int inner, int[] positions) {
        int len = positions.length;
        int[] src = new int[outer * len * inner];
        int k = 0;
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < len; j++) {
                for (int t = 0; t < inner; t++) src[k++] = (o * n + positions[j]) * inner + t;
            }
        }
        return src;
    }

    // ------------------------------------------------------------------ the splits and the checks

    private interface Range {
        void accept(int lo, int hi);
    }

    private interface Block {
        void accept(int o0, int o1, int t0, int t1);
    }

    /** [0, n) in contiguous chunks over the pool once n reaches the threshold. */
    private static void chunks(int n, Range body) {
        if (n == 0) return;
        int tasks = Parallel.tasks(n), per = (n + tasks - 1) / tasks;
        Parallel.forEach(tasks, n, t -> {
            int lo = Math.min(n, t * per), hi = Math.min(n, (t + 1) * per);
            if (lo < hi) body.accept(lo, hi);
        });
    }

    /** Output runs b = o·len + j in contiguous ranges (the work counts elements copied). */
    private static void blocks(int outer, int len, int inner, Range body) {
        int runs = outer * len;
        if (runs == 0 || inner == 0) return;
        int tasks = Parallel.tasks(runs), per = (runs + tasks - 1) / tasks;
        Parallel.forEach(tasks, (long) runs * inner, t -> {
            int lo = Math.min(runs, t * per), hi = Math.min(runs, (t + 1) * per);
            if (lo < hi) body.accept(lo, hi);
        });
    }

    /** Blocks of whole o's when there are enough of them, else of columns t: every target element in one task. */
    private static void scatterSplit(int outer, int len, int inner, Block body) {
        if (outer == 0 || len == 0 || inner == 0) return;
        long work = (long) outer * len * inner;
        if (work < Parallel.THRESHOLD || Parallel.threads() == 1) {
            body.accept(0, outer, 0, inner);
        } else if (outer >= Parallel.threads()) {
            int tasks = Parallel.tasks(outer), per = (outer + tasks - 1) / tasks;
            Parallel.forEach(tasks, work, t -> body.accept(Math.min(outer, t * per), Math.min(outer, (t + 1) * per), 0, inner));
        } else {
            int tasks = Parallel.tasks(inner), per = (inner + tasks - 1) / tasks;
            Parallel.forEach(tasks, work, t -> body.accept(0, outer, Math.min(inner, t * per), Math.min(inner, (t + 1) * per)));
        }
    }

    private static void sameLength(String op, int srcLen, int len) {
        if (srcLen != len) throw new IllegalArgumentException("Gather." + op + ": " + srcLen + " source positions for " + len + " elements");
    }

    private static void checkRows(String op, int xLen, int outer, int n, int inner, int len, int outLen) {
        if (outer < 0 || n < 0 || inner < 0) {
            throw new IllegalArgumentException("Gather." + op + ": negative extent in [outer " + outer + ", n " + n + ", inner " + inner + "]");
        }
        long need = (long) outer * n * inner, outNeed = (long) outer * len * inner;
        if (xLen != need || outLen != outNeed) {
            throw new IllegalArgumentException("Gather." + op + ": [outer " + outer + ", n " + n + ", inner " + inner + "] picked at " + len
                    + " positions needs arrays of " + need + " and " + outNeed + " elements, got " + xLen + " and " + outLen);
        }
    }
}
