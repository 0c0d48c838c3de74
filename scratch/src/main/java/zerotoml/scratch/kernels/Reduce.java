package zerotoml.scratch.kernels;

/**
 * Reductions along one axis of a row-major array viewed as {@code [outer, len, inner]}: the
 * reduced axis has {@code len} elements, {@code inner} is the product of the axes after it (its
 * stride) and {@code outer} of the axes before it. A run of adjacent axes reduces as one axis of
 * their product, in the same row-major order. Output {@code (o, j)} sits at {@code o·inner + j}.
 *
 * <p>Order: each output is computed from its elements in increasing index along the axis, one
 * after the other, from the same start, exactly as its naive twin ({@link ReduceOracles#naiveSum},
 * {@link ReduceOracles#naiveMax}) does; the fast loops only interleave independent outputs (four rows at a
 * time when inner is 1, a vector of j's otherwise). So the bits are those of the plain loop, and
 * since an output is never split between tasks (the split over threads, above
 * {@link Parallel#THRESHOLD} element steps, cuts o or j, never the axis), they do not depend on
 * the thread count. Float inputs are widened as they are read and summed in double.
 *
 * <p>Reductions over any set of axes (sum, amax, logsumexp through a {@link ReduceAxes.Plan}) are in
 * {@link ReduceAxes}, which splits over threads with {@link #split}; the naive twins of both files
 * are in {@link ReduceOracles}.
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
            if (inner == 1) sumRows(x, o0, o1, len, out, 0);
            else for (int o = o0; o < o1; o++) sumColumns(x, o, len, inner, j0, j1, out);
        });
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

    /** Rows [o0, o1) of a contiguous [rows, len] view summed in double, row o's sum into out[o − outOff]. */
    static void sumRows(float[] x, int o0, int o1, int len, double[] out, int outOff) {
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
            out[o - outOff] = s0;
            out[o + 1 - outOff] = s1;
            out[o + 2 - outOff] = s2;
            out[o + 3 - outOff] = s3;
        }
        for (; o < o1; o++) {
            double s = 0.0;
            for (int k = 0, a = o * len; k < len; k++) s += x[a + k];
            out[o - outOff] = s;
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

    /** The float form: each row widened and added, through the Vector API when in use (JDK 17 does not vectorise the widening). */
    private static void sumColumns(float[] x, int o, int len, int inner, int j0, int j1, double[] out) {
        int base = o * inner;
        java.util.Arrays.fill(out, base + j0, base + j1, 0.0);
        for (int k = 0; k < len; k++) {
            int row = (o * len + k) * inner;
            if (Backend.VECTOR) VectorPointwise.addWidened(x, row + j0, out, base + j0, j1 - j0);
            else for (int j = j0; j < j1; j++) out[base + j] += x[row + j];
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

    // ------------------------------------------------------------------ the split

    /** A block of outputs: o in [o0, o1), j in [j0, j1). */
    interface Block {
        void accept(int o0, int o1, int j0, int j1);
    }

    /**
     * Runs {@code body} over every output: on the calling thread below the threshold, else cut
     * into blocks of whole o's (when there are enough of them) or of j's, each output in one block.
     */
    static void split(int outer, int len, int inner, Block body) {
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
