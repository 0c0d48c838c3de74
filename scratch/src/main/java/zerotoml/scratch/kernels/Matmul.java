package zerotoml.scratch.kernels;

import java.lang.reflect.Array;
import java.util.Arrays;

/**
 * C[m,n] = A[m,k] · B[k,n] on row-major slices of double or float arrays. {@code naive} is the
 * oracle (three loops, textbook order); {@code fast} is what ops call, and {@code MatmulTest}
 * holds the two equal up to summation order.
 *
 * <p>{@code fast} follows the GotoBLAS layout (Goto and van de Geijn, "Anatomy of
 * High-Performance Matrix Multiplication", ACM TOMS 2008): B is cut into panels of {@link #NC}
 * columns and blocks of {@link #KC} rows and packed so the inner loop reads it with unit stride;
 * A is cut into blocks of {@link #MC} rows and packed tile by tile; an mr×nr tile of C lives in
 * registers while p runs over the block, one fused multiply-add per element and step. The tile is
 * 4×4 scalars in plain Java, or 6 rows × 2 vectors with the Vector API ({@link Backend}). Row
 * ranges of C go to different threads ({@link Parallel}) when the product is large.
 *
 * <p>Every path computes an entry the same way: per block of KC products an fma chain from 0, the
 * blocks added to C in order. So the bits of an entry depend on neither the backend, nor the
 * thread count, nor the rows that come with it (KV-cache decoding relies on the last).
 *
 * <p>This file holds the entry points, the sizes and the oracle {@code naive}; the small-product
 * loop, the packing and the scalar tile are in {@link PackedMatmul}, the vector tiles in
 * {@link VectorMatmul}.
 */
public final class Matmul {
    private Matmul() {}

    /** Below this many multiply-adds the work is not split across threads. */
    static final long PARALLEL_THRESHOLD = Parallel.THRESHOLD;
    /** Below this many multiply-adds packing does not pay; a plain i-p-j loop runs instead. */
    static final long SMALL = 1L << 12;
    /** Rows of C given to one thread at the least. */
    static final int MIN_ROWS_PER_TASK = 16;
    /** The scalar register tile: MR rows × NR columns of C. */
    static final int MR = 4, NR = 4;
    /** Depth of one packed block of A and B. */
    static final int KC = 256;
    /** Rows of one packed block of A (a multiple of both tile heights, 4 and 6). */
    static final int MC = 96;
    /** Width of one packed panel of B (a multiple of every tile width: 4, and 2 vectors of up to 512 bits). */
    static final int NC = 256;

    // ================================================================ double

    /** c[i,j] = Σ_p a[i,p] b[p,j], overwriting c: the oracle, three loops in textbook order. */
    public static void naive(double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int m, int k, int n) {
        check("Matmul.naive", a, aOff, b, bOff, c, cOff, m, k, n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += a[aOff + i * k + p] * b[bOff + p * n + j];
                c[cOff + i * n + j] = s;
            }
        }
    }

    /** The same product as {@link #naive}: packed, cache-blocked, register-tiled, split over threads when large. */
    public static void fast(double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int m, int k, int n) {
        fast(Backend.VECTOR, a, aOff, false, b, bOff, false, c, cOff, m, k, n);
    }

    /**
     * C = op(A)·op(B) where op transposes when asked: A is stored [k, m] when {@code transA}, B is
     * stored [n, k] when {@code transB}. Packing reads the operands in either layout, so no
     * transposed copy is ever made; each entry is summed exactly as in the plain product.
     */
    public static void fast(double[] a, int aOff, boolean transA, double[] b, int bOff, boolean transB, double[] c, int cOff, int m, int k, int n) {
        fast(Backend.VECTOR, a, aOff, transA, b, bOff, transB, c, cOff, m, k, n);
    }

    /** {@link #fast} with the backend chosen by the caller (tests compare the two). */
    static void fast(boolean vector, double[] a, int aOff, boolean transA, double[] b, int bOff, boolean transB, double[] c, int cOff,
                     int m, int k, int n) {
        check("Matmul.fast", a, aOff, b, bOff, c, cOff, m, k, n);
        // A(i, p) = a[aOff + i·ars + p·acs], B(p, j) = b[bOff + p·brs + j·bcs]
        int ars = transA ? 1 : k, acs = transA ? m : 1, brs = transB ? 1 : n, bcs = transB ? k : 1;
        Arrays.fill(c, cOff, cOff + m * n, 0.0);
        long work = (long) m * k * n;
        if (work == 0) return;
        int mr = vector ? VectorMatmul.MR : MR, nr = vector ? VectorMatmul.NR_D : NR;
        if (work < SMALL || m < mr || n < nr) {
            PackedMatmul.small(a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, m, k, n);
            return;
        }
        int tasks = rowTasks(m, work);
        // each task owns rows [lo, hi) of C and packs its own copies; no entry of C is touched by two tasks
        Parallel.forEach(tasks, work, t -> {
            int lo = (int) ((long) m * t / tasks), hi = (int) ((long) m * (t + 1) / tasks);
            if (hi > lo) PackedMatmul.blocked(vector, mr, nr, a, aOff + lo * ars, ars, acs, b, bOff, brs, bcs, c, cOff + lo * n, hi - lo, k, n);
        });
    }

    /**
     * How many blocks of rows of C a product is cut into: one where it is not split over threads, else one per
     * thread (at least {@link #MIN_ROWS_PER_TASK} rows each). Each block packs its own copy of B, so cutting finer
     * than the threads only repeats that packing. The bits do not depend on the cut ({@code ParallelTest}).
     */
    static int rowTasks(int m, long work) {
        return Math.min(Parallel.tasks(m / MIN_ROWS_PER_TASK, work), Parallel.threads());
    }

    /**
     * {@code count} products stored one after another (a at i·m·k, b at i·k·n, c at i·m·n): the
     * products go to different threads when each is too small to split by itself.
     */
    public static void batched(double[] a, double[] b, double[] c, int count, int m, int k, int n) {
        batched(a, false, b, false, c, count, m, k, n);
    }

    /** {@link #batched} with each A stored [k, m] when {@code transA} and each B stored [n, k] when {@code transB}. */
    public static void batched(double[] a, boolean transA, double[] b, boolean transB, double[] c, int count, int m, int k, int n) {
        long each = (long) m * k * n;
        if (count <= 1 || each >= PARALLEL_THRESHOLD) {
            for (int i = 0; i < count; i++) fast(a, i * m * k, transA, b, i * k * n, transB, c, i * m * n, m, k, n);
            return;
        }
        int tasks = Parallel.tasks(count);
        Parallel.forEach(tasks, each * count, t -> {
            for (int i = (int) ((long) count * t / tasks); i < (long) count * (t + 1) / tasks; i++) {
                fast(a, i * m * k, transA, b, i * k * n, transB, c, i * m * n, m, k, n);
            }
        });
    }

    // ================================================================ float

    /** c[i,j] = Σ_p a[i,p] b[p,j] summed in float, overwriting c: the float32 oracle. */
    public static void naive(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int k, int n) {
        check("Matmul.naive", a, aOff, b, bOff, c, cOff, m, k, n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0;
                for (int p = 0; p < k; p++) s += a[aOff + i * k + p] * b[bOff + p * n + j];
                c[cOff + i * n + j] = s;
            }
        }
    }

    /** The same product as {@link #naive}: packed, cache-blocked, register-tiled, split over threads when large. */
    public static void fast(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int m, int k, int n) {
        fast(Backend.VECTOR, a, aOff, false, b, bOff, false, c, cOff, m, k, n);
    }

    /**
     * C = op(A)·op(B) where op transposes when asked: A is stored [k, m] when {@code transA}, B is
     * stored [n, k] when {@code transB}. Packing reads the operands in either layout, so no
     * transposed copy is ever made; each entry is summed exactly as in the plain product.
     */
    public static void fast(float[] a, int aOff, boolean transA, float[] b, int bOff, boolean transB, float[] c, int cOff, int m, int k, int n) {
        fast(Backend.VECTOR, a, aOff, transA, b, bOff, transB, c, cOff, m, k, n);
    }

    /** {@link #fast} with the backend chosen by the caller (tests compare the two). */
    static void fast(boolean vector, float[] a, int aOff, boolean transA, float[] b, int bOff, boolean transB, float[] c, int cOff,
                     int m, int k, int n) {
        check("Matmul.fast", a, aOff, b, bOff, c, cOff, m, k, n);
        // A(i, p) = a[aOff + i·ars + p·acs], B(p, j) = b[bOff + p·brs + j·bcs]
        int ars = transA ? 1 : k, acs = transA ? m : 1, brs = transB ? 1 : n, bcs = transB ? k : 1;
        Arrays.fill(c, cOff, cOff + m * n, 0f);
        long work = (long) m * k * n;
        if (work == 0) return;
        int mr = vector ? VectorMatmul.MR : MR, nr = vector ? VectorMatmul.NR_F : NR;
        if (work < SMALL || m < mr || n < nr) {
            PackedMatmul.small(a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, m, k, n);
            return;
        }
        int tasks = rowTasks(m, work);
        // each task owns rows [lo, hi) of C and packs its own copies; no entry of C is touched by two tasks
        Parallel.forEach(tasks, work, t -> {
            int lo = (int) ((long) m * t / tasks), hi = (int) ((long) m * (t + 1) / tasks);
            if (hi > lo) PackedMatmul.blocked(vector, mr, nr, a, aOff + lo * ars, ars, acs, b, bOff, brs, bcs, c, cOff + lo * n, hi - lo, k, n);
        });
    }

    /**
     * {@code count} products stored one after another (a at i·m·k, b at i·k·n, c at i·m·n): the
     * products go to different threads when each is too small to split by itself.
     */
    public static void batched(float[] a, float[] b, float[] c, int count, int m, int k, int n) {
        batched(a, false, b, false, c, count, m, k, n);
    }

    /** {@link #batched} with each A stored [k, m] when {@code transA} and each B stored [n, k] when {@code transB}. */
    public static void batched(float[] a, boolean transA, float[] b, boolean transB, float[] c, int count, int m, int k, int n) {
        long each = (long) m * k * n;
        if (count <= 1 || each >= PARALLEL_THRESHOLD) {
            for (int i = 0; i < count; i++) fast(a, i * m * k, transA, b, i * k * n, transB, c, i * m * n, m, k, n);
            return;
        }
        int tasks = Parallel.tasks(count);
        Parallel.forEach(tasks, each * count, t -> {
            for (int i = (int) ((long) count * t / tasks); i < (long) count * (t + 1) / tasks; i++) {
                fast(a, i * m * k, transA, b, i * k * n, transB, c, i * m * n, m, k, n);
            }
        });
    }

    // ================================================================ shared

    /**
     * Rejects null arrays, negative sizes or offsets, and slices that do not fit their arrays, so
     * that a bad call fails here with the sizes rather than deep inside a loop or a worker thread.
     */
    static void check(String op, Object a, int aOff, Object b, int bOff, Object c, int cOff, int m, int k, int n) {
        String dims = " (m " + m + ", k " + k + ", n " + n + ")";
        if (m < 0 || k < 0 || n < 0) throw new IllegalArgumentException(op + ": negative size" + dims);
        fits(op, "a", a, aOff, (long) m * k, "m·k", dims);
        fits(op, "b", b, bOff, (long) k * n, "k·n", dims);
        fits(op, "c", c, cOff, (long) m * n, "m·n", dims);
    }

    private static void fits(String op, String name, Object x, int off, long need, String what, String dims) {
        if (x == null) throw new IllegalArgumentException(op + ": " + name + " is null" + dims);
        int length = Array.getLength(x);
        if (off < 0 || off + need > length) {
            throw new IllegalArgumentException(op + ": " + name + " holds " + length + " values but needs offset " + off
                    + " + " + what + " " + need + dims);
        }
    }
}
