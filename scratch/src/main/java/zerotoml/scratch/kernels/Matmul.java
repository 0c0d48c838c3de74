package zerotoml.scratch.kernels;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * C[m,n] = A[m,k] · B[k,n] on row-major slices of double arrays. {@link #naive} is the oracle
 * (three loops, textbook order); {@link #fast} is what ops call, and {@code MatmulTest} holds the
 * two equal up to summation order.
 *
 * <p>{@link #fast} follows the classic GotoBLAS layout (Goto and van de Geijn, "Anatomy of
 * High-Performance Matrix Multiplication", ACM TOMS 2008), in plain Java 17 without the incubator
 * vector API: the k axis is cut into blocks of {@link #KC}, the n axis into panels of {@link #NC};
 * for each block, A and B are copied ("packed") so that the inner loop reads both with unit
 * stride, and a 4×4 tile of C lives in 16 local variables (registers) while p runs over the block,
 * each step one {@link Math#fma} per element. Row ranges of C go to different threads when the
 * product is large. Each entry of C is summed by one thread in the same order whatever the number
 * of threads, so the result is the same bit for bit on every machine. Measured on one quiet core
 * of the benchmark machine: about 4 GFLOP/s for the old i-p-j loop, about 13 for this kernel
 * (notes/Performance.md).
 */
public final class Matmul {
    private Matmul() {}

    /** Below this many multiply-adds the work is not split across threads. */
    static final long PARALLEL_THRESHOLD = 1L << 18;
    /** Below this many multiply-adds packing does not pay; a plain i-p-j loop runs instead. */
    static final long SMALL = 1L << 12;
    /** Rows of C given to one thread at the least. */
    static final int MIN_ROWS_PER_TASK = 32;
    /** The register tile: MR rows × NR columns of C. */
    static final int MR = 4, NR = 4;
    /** Depth of one packed block of A and B (KC × NC doubles of B stay in L2). */
    static final int KC = 256;
    /** Width of one packed panel of B. */
    static final int NC = 128;

    /** c[i,j] = Σ_p a[i,p] b[p,j], overwriting c. */
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

    /** The same product as {@link #naive}, blocked, packed, register-tiled and multi-threaded. */
    public static void fast(double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int m, int k, int n) {
        check("Matmul.fast", a, aOff, b, bOff, c, cOff, m, k, n);
        Arrays.fill(c, cOff, cOff + m * n, 0.0);
        long work = (long) m * k * n;
        if (work == 0) return;
        if (work < SMALL || m < MR || n < NR) {
            small(a, aOff, b, bOff, c, cOff, m, k, n);
            return;
        }
        int tasks = (int) Math.min(4L * Runtime.getRuntime().availableProcessors(), Math.max(1, m / MIN_ROWS_PER_TASK));
        if (work < PARALLEL_THRESHOLD || tasks < 2) {
            blocked(a, aOff, b, bOff, c, cOff, m, k, n);
            return;
        }
        // Each task owns rows [lo, hi) of C, a multiple of MR where possible, and packs its own copies.
        int tiles = (m + MR - 1) / MR;
        IntStream.range(0, tasks).parallel().forEach(t -> {
            int lo = Math.min(m, (int) ((long) tiles * t / tasks) * MR);
            int hi = Math.min(m, (int) ((long) tiles * (t + 1) / tasks) * MR);
            if (hi > lo) blocked(a, aOff + lo * k, b, bOff, c, cOff + lo * n, hi - lo, k, n);
        });
    }

    /**
     * Rejects null arrays, negative sizes or offsets, and slices that do not fit their arrays, so
     * that a bad call fails here with the sizes rather than deep inside a loop or a worker thread.
     */
    static void check(String op, double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int m, int k, int n) {
        String dims = " (m " + m + ", k " + k + ", n " + n + ")";
        if (m < 0 || k < 0 || n < 0) throw new IllegalArgumentException(op + ": negative size" + dims);
        fits(op, "a", a, aOff, (long) m * k, "m·k", dims);
        fits(op, "b", b, bOff, (long) k * n, "k·n", dims);
        fits(op, "c", c, cOff, (long) m * n, "m·n", dims);
    }

    private static void fits(String op, String name, double[] x, int off, long need, String what, String dims) {
        if (x == null) throw new IllegalArgumentException(op + ": " + name + " is null" + dims);
        if (off < 0 || off + need > x.length) {
            throw new IllegalArgumentException(op + ": " + name + " holds " + x.length + " values but needs offset " + off
                    + " + " + what + " " + need + dims);
        }
    }

    /**
     * For products too small to pack: each entry computed exactly as {@link #blocked} computes it
     * (per block of {@link #KC} products an fma chain from 0, the blocks added to C in order), in
     * i-p-j order with a unit-stride inner loop. So a row of C never depends on how many rows come
     * with it, or on which path ran: a one-row step of KV-cache decoding gives the same bits as the
     * same row of a full recomputation.
     */
    private static void small(double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int m, int k, int n) {
        double[] acc = new double[n];
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * n;
            int ai = aOff + i * k;
            for (int p0 = 0; p0 < k; p0 += KC) {
                int p1 = Math.min(k, p0 + KC);
                Arrays.fill(acc, 0.0);
                for (int p = p0; p < p1; p++) {
                    double av = a[ai + p];
                    int bp = bOff + p * n;
                    // acc[j] = a[i,p] · b[p,j] + acc[j], one rounding (fma), as in tile()
                    for (int j = 0; j < n; j++) acc[j] = Math.fma(av, b[bp + j], acc[j]);
                }
                for (int j = 0; j < n; j++) c[ci + j] += acc[j];
            }
        }
    }

    /** C += A·B on one thread, C already zeroed; blocks of depth KC, panels of width NC, tiles MR×NR. */
    private static void blocked(double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int m, int k, int n) {
        int mPad = (m + MR - 1) / MR * MR;
        double[] aPack = new double[Math.min(k, KC) * mPad];
        double[] bPack = new double[Math.min(k, KC) * ((Math.min(n, NC) + NR - 1) / NR * NR)];
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kb = Math.min(k, p0 + KC) - p0;
            packA(a, aOff, k, m, p0, kb, aPack);
            for (int j0 = 0; j0 < n; j0 += NC) {
                int nb = Math.min(n, j0 + NC) - j0;
                packB(b, bOff, n, p0, kb, j0, nb, bPack);
                for (int i = 0; i < m; i += MR) {
                    for (int jj = 0; jj < nb; jj += NR) {
                        tile(aPack, i * kb, bPack, jj * kb, kb, c, cOff, n, i, j0 + jj, Math.min(MR, m - i), Math.min(NR, nb - jj));
                    }
                }
            }
        }
    }

    // aPack[i0·kb + p·MR + r] = a[i0 + r, p0 + p]: for each tile of MR rows, its columns one after another (zero rows pad).
    private static void packA(double[] a, int aOff, int k, int m, int p0, int kb, double[] aPack) {
        for (int i0 = 0; i0 < m; i0 += MR) {
            int base = i0 * kb;
            for (int r = 0; r < MR; r++) {
                int i = i0 + r;
                if (i < m) {
                    int src = aOff + i * k + p0;
                    for (int p = 0; p < kb; p++) aPack[base + p * MR + r] = a[src + p];
                } else {
                    for (int p = 0; p < kb; p++) aPack[base + p * MR + r] = 0;
                }
            }
        }
    }

    // bPack[jj·kb + p·NR + q] = b[p0 + p, j0 + jj + q]: for each panel of NR columns, its rows one after another (zero columns pad).
    private static void packB(double[] b, int bOff, int n, int p0, int kb, int j0, int nb, double[] bPack) {
        for (int jj = 0; jj < nb; jj += NR) {
            int base = jj * kb;
            int w = Math.min(NR, nb - jj);
            for (int p = 0; p < kb; p++) {
                int src = bOff + (p0 + p) * n + j0 + jj;
                int dst = base + p * NR;
                for (int q = 0; q < w; q++) bPack[dst + q] = b[src + q];
                for (int q = w; q < NR; q++) bPack[dst + q] = 0;
            }
        }
    }

    /**
     * One MR×NR tile: acc[r][q] = Σ_p aPack[r,p] bPack[p,q] in 16 locals, then C[i+r, j+q] += acc[r][q]
     * for the rows and columns that exist (padding rows and columns are computed and dropped, so an
     * infinity or NaN in A or B reaches exactly the entries of C it reaches in {@link #naive}).
     */
    private static void tile(double[] aPack, int ao, double[] bPack, int bo, int kb, double[] c, int cOff, int n,
                             int i, int j, int rows, int cols) {
        double c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        double c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        double c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        double c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0; p < kb; p++) {
            int ap = ao + p * MR, bp = bo + p * NR;
            double a0 = aPack[ap], a1 = aPack[ap + 1], a2 = aPack[ap + 2], a3 = aPack[ap + 3];
            // acc[r][q] = a[r] · b[q] + acc[r][q], one rounding each (fma)
            double b0 = bPack[bp];
            c00 = Math.fma(a0, b0, c00); c10 = Math.fma(a1, b0, c10); c20 = Math.fma(a2, b0, c20); c30 = Math.fma(a3, b0, c30);
            double b1 = bPack[bp + 1];
            c01 = Math.fma(a0, b1, c01); c11 = Math.fma(a1, b1, c11); c21 = Math.fma(a2, b1, c21); c31 = Math.fma(a3, b1, c31);
            double b2 = bPack[bp + 2];
            c02 = Math.fma(a0, b2, c02); c12 = Math.fma(a1, b2, c12); c22 = Math.fma(a2, b2, c22); c32 = Math.fma(a3, b2, c32);
            double b3 = bPack[bp + 3];
            c03 = Math.fma(a0, b3, c03); c13 = Math.fma(a1, b3, c13); c23 = Math.fma(a2, b3, c23); c33 = Math.fma(a3, b3, c33);
        }
        int o = cOff + i * n + j;
        if (rows == MR && cols == NR) {
            c[o] += c00; c[o + 1] += c01; c[o + 2] += c02; c[o + 3] += c03;
            o += n;
            c[o] += c10; c[o + 1] += c11; c[o + 2] += c12; c[o + 3] += c13;
            o += n;
            c[o] += c20; c[o + 1] += c21; c[o + 2] += c22; c[o + 3] += c23;
            o += n;
            c[o] += c30; c[o + 1] += c31; c[o + 2] += c32; c[o + 3] += c33;
            return;
        }
        double[] acc = {c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33};
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < cols; q++) c[o + r * n + q] += acc[r * NR + q];
        }
    }
}
