package zerotoml.scratch.kernels;

import static zerotoml.scratch.kernels.Matmul.KC;
import static zerotoml.scratch.kernels.Matmul.MC;
import static zerotoml.scratch.kernels.Matmul.MR;
import static zerotoml.scratch.kernels.Matmul.NC;
import static zerotoml.scratch.kernels.Matmul.NR;

import java.util.Arrays;

/**
 * The inside of {@link Matmul#fast}, in double and float: the unpacked loop for small products and
 * the GotoBLAS blocking (packing of A and B, the scalar 4×4 tile; the vector tiles are
 * {@link VectorMatmul}'s). Its oracle is {@link Matmul#naive} ({@code MatmulTest}).
 */
final class PackedMatmul {
    private PackedMatmul() {}

    // ================================================================ double

    /**
     * For products too small to pack: each entry computed exactly as {@link #blocked} computes it
     * (per block of {@link Matmul#KC} products an fma chain from 0, the blocks added to C in order), in
     * i-p-j order with a unit-stride inner loop. So a row of C never depends on how many rows come
     * with it, or on which path ran: a one-row step of KV-cache decoding gives the same bits as the
     * same row of a full recomputation.
     */
    static void small(double[] a, int aOff, int ars, int acs, double[] b, int bOff, int brs, int bcs, double[] c, int cOff,
                              int m, int k, int n) {
        double[] acc = new double[n];
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * n;
            int ai = aOff + i * ars;
            for (int p0 = 0; p0 < k; p0 += KC) {
                int p1 = Math.min(k, p0 + KC);
                Arrays.fill(acc, 0.0);
                for (int p = p0; p < p1; p++) {
                    double av = a[ai + p * acs];
                    int bp = bOff + p * brs;
                    // acc[j] = a[i,p] · b[p,j] + acc[j], one rounding (fma), as in the tiles
                    if (bcs == 1) {
                        for (int j = 0; j < n; j++) acc[j] = Math.fma(av, b[bp + j], acc[j]);
                    } else {
                        for (int j = 0; j < n; j++) acc[j] = Math.fma(av, b[bp + j * bcs], acc[j]);
                    }
                }
                for (int j = 0; j < n; j++) c[ci + j] += acc[j];
            }
        }
    }

    /**
     * C += A·B on one thread, C zeroed: panels of NC columns of B, blocks of KC of depth (B's
     * block packed once, KC×NC, kept in L2), blocks of MC rows of A (packed, MC×KC), then mr×nr
     * tiles; a packed KC×nr sliver of B stays in L1 while the tiles below it run.
     */
    static void blocked(boolean vector, int mr, int nr, double[] a, int aOff, int ars, int acs, double[] b, int bOff, int brs, int bcs,
                                double[] c, int cOff, int m, int k, int n) {
        int kMax = Math.min(k, KC);
        double[][] packs = DOUBLE_PACKS.get();
        double[] aPack = borrow(packs, 0, roundUp(Math.min(m, MC), mr) * kMax);
        double[] bPack = borrow(packs, 1, kMax * roundUp(Math.min(n, NC), nr));
        for (int j0 = 0; j0 < n; j0 += NC) {
            int nb = Math.min(NC, n - j0);
            for (int p0 = 0; p0 < k; p0 += KC) {
                int kb = Math.min(KC, k - p0);
                packB(b, bOff, brs, bcs, p0, kb, j0, nb, nr, bPack);
                for (int i0 = 0; i0 < m; i0 += MC) {
                    int mb = Math.min(MC, m - i0);
                    packA(a, aOff, ars, acs, i0, mb, p0, kb, mr, aPack);
                    for (int jr = 0; jr < nb; jr += nr) {
                        int cols = Math.min(nr, nb - jr);
                        for (int ir = 0; ir < mb; ir += mr) {
                            int rows = Math.min(mr, mb - ir);
                            if (vector) VectorMatmul.tile(aPack, ir * kb, bPack, jr * kb, kb, c, cOff, n, i0 + ir, j0 + jr, rows, cols);
                            else tile(aPack, ir * kb, bPack, jr * kb, kb, c, cOff, n, i0 + ir, j0 + jr, rows, cols);
                        }
                    }
                }
            }
        }
        packs[0] = aPack; // handed back for the thread's next product
        packs[1] = bPack;
    }

    /*
     * Packing buffers kept per thread and reused, as BLAS libraries keep theirs: at most MC × KC and KC × NC elements each
     * (96 KB and 256 KB in float), so a product no longer allocates and zeroes them on every call. Every packed element,
     * padding included, is written before it is read, so what a buffer held before does not matter. A product borrows
     * them (the slot is emptied) and hands them back at the end, so a product nested on the same thread (a fork-join
     * worker running another task while it waits) gets its own.
     */
    private static final ThreadLocal<double[][]> DOUBLE_PACKS = ThreadLocal.withInitial(() -> new double[2][]);
    private static final ThreadLocal<float[][]> FLOAT_PACKS = ThreadLocal.withInitial(() -> new float[2][]);

    private static double[] borrow(double[][] slots, int i, int size) {
        double[] b = slots[i];
        slots[i] = null;
        return b != null && b.length >= size ? b : new double[size];
    }

    private static float[] borrow(float[][] slots, int i, int size) {
        float[] b = slots[i];
        slots[i] = null;
        return b != null && b.length >= size ? b : new float[size];
    }

    // aPack[ir·kb + p·mr + r] = A(i0 + ir + r, p0 + p): each tile's mr rows interleaved column by column (zero rows pad)
    private static void packA(double[] a, int aOff, int ars, int acs, int i0, int mb, int p0, int kb, int mr, double[] aPack) {
        for (int ir = 0; ir < mb; ir += mr) {
            int base = ir * kb, rows = Math.min(mr, mb - ir);
            if (acs == 1 && rows == 6 && mr == 6) {
                // A row-major, a full column of the vector tile: its six rows read side by side, each packed column
                // written at once (1.2 against 0.9 µs a 64 × 32 block, row by row; JDK 17 and 25, AMD EPYC Zen 5)
                int s0 = aOff + (i0 + ir) * ars + p0, s1 = s0 + ars, s2 = s1 + ars, s3 = s2 + ars, s4 = s3 + ars, s5 = s4 + ars;
                for (int p = 0; p < kb; p++) {
                    int d = base + p * 6;
                    aPack[d] = a[s0 + p]; aPack[d + 1] = a[s1 + p]; aPack[d + 2] = a[s2 + p];
                    aPack[d + 3] = a[s3 + p]; aPack[d + 4] = a[s4 + p]; aPack[d + 5] = a[s5 + p];
                }
            } else if (acs == 1) {
                // A row-major: each row of the tile is contiguous
                for (int r = 0; r < rows; r++) {
                    int src = aOff + (i0 + ir + r) * ars + p0;
                    for (int p = 0; p < kb; p++) aPack[base + p * mr + r] = a[src + p];
                }
            } else {
                // A stored transposed: each column of the tile is contiguous, so one copy a column (a loop of up to
                // six steps cost its overhead per column: 2.1 against 1.0 µs a 64 × 32 block, JDK 25; 2.3 against 1.0
                // on JDK 17, AMD EPYC Zen 5)
                for (int p = 0; p < kb; p++) {
                    int src = aOff + (p0 + p) * acs + (i0 + ir) * ars;
                    if (ars == 1) System.arraycopy(a, src, aPack, base + p * mr, rows);
                    else for (int r = 0; r < rows; r++) aPack[base + p * mr + r] = a[src + r * ars];
                }
            }
            for (int r = rows; r < mr; r++) {
                for (int p = 0; p < kb; p++) aPack[base + p * mr + r] = 0;
            }
        }
    }

    // bPack[jr·kb + p·nr + q] = B(p0 + p, j0 + jr + q): each sliver of nr columns row after row (zero columns pad)
    private static void packB(double[] b, int bOff, int brs, int bcs, int p0, int kb, int j0, int nb, int nr, double[] bPack) {
        for (int jr = 0; jr < nb; jr += nr) {
            int base = jr * kb;
            int w = Math.min(nr, nb - jr);
            for (int p = 0; p < kb; p++) {
                int src = bOff + (p0 + p) * brs + (j0 + jr) * bcs;
                int dst = base + p * nr;
                if (bcs == 1) System.arraycopy(b, src, bPack, dst, w);
                for (int q = w; q < nr; q++) bPack[dst + q] = 0;
            }
            if (bcs != 1) {
                // B stored transposed: each column of the sliver is contiguous in b; filled a packed row at a time
                // (contiguous writes, reads bcs apart), 1.1 against 1.8 µs a 32 × 64 block when filled column by
                // column (writes nr apart; JDK 25, AMD EPYC Zen 5)
                for (int p = 0; p < kb; p++) {
                    int src = bOff + (j0 + jr) * bcs + (p0 + p) * brs, dst = base + p * nr;
                    for (int q = 0; q < w; q++) bPack[dst + q] = b[src + q * bcs];
                }
            }
        }
    }

    /**
     * One MR×NR tile in scalar Java: acc[r][q] = Σ_p aPack[r,p] bPack[p,q] in 16 locals, then
     * C[i+r, j+q] += acc[r][q] for the rows and columns that exist (padding is computed and dropped,
     * so an infinity or NaN reaches exactly the entries of C it reaches in {@link Matmul#naive}).
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

    // ================================================================ float

    /**
     * For products too small to pack: each entry computed exactly as {@link #blocked} computes it
     * (per block of {@link Matmul#KC} products an fma chain from 0, the blocks added to C in order), in
     * i-p-j order with a unit-stride inner loop. So a row of C never depends on how many rows come
     * with it, or on which path ran: a one-row step of KV-cache decoding gives the same bits as the
     * same row of a full recomputation.
     */
    static void small(float[] a, int aOff, int ars, int acs, float[] b, int bOff, int brs, int bcs, float[] c, int cOff,
                              int m, int k, int n) {
        float[] acc = new float[n];
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * n;
            int ai = aOff + i * ars;
            for (int p0 = 0; p0 < k; p0 += KC) {
                int p1 = Math.min(k, p0 + KC);
                Arrays.fill(acc, 0f);
                for (int p = p0; p < p1; p++) {
                    float av = a[ai + p * acs];
                    int bp = bOff + p * brs;
                    // acc[j] = a[i,p] · b[p,j] + acc[j], one rounding (fma), as in the tiles
                    if (bcs == 1) {
                        for (int j = 0; j < n; j++) acc[j] = Math.fma(av, b[bp + j], acc[j]);
                    } else {
                        for (int j = 0; j < n; j++) acc[j] = Math.fma(av, b[bp + j * bcs], acc[j]);
                    }
                }
                for (int j = 0; j < n; j++) c[ci + j] += acc[j];
            }
        }
    }

    /**
     * C += A·B on one thread, C zeroed: panels of NC columns of B, blocks of KC of depth (B's
     * block packed once, KC×NC, kept in L2), blocks of MC rows of A (packed, MC×KC), then mr×nr
     * tiles; a packed KC×nr sliver of B stays in L1 while the tiles below it run.
     */
    static void blocked(boolean vector, int mr, int nr, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int brs, int bcs,
                                float[] c, int cOff, int m, int k, int n) {
        int kMax = Math.min(k, KC);
        float[][] packs = FLOAT_PACKS.get();
        float[] aPack = borrow(packs, 0, roundUp(Math.min(m, MC), mr) * kMax);
        float[] bPack = borrow(packs, 1, kMax * roundUp(Math.min(n, NC), nr));
        for (int j0 = 0; j0 < n; j0 += NC) {
            int nb = Math.min(NC, n - j0);
            for (int p0 = 0; p0 < k; p0 += KC) {
                int kb = Math.min(KC, k - p0);
                packB(b, bOff, brs, bcs, p0, kb, j0, nb, nr, bPack);
                for (int i0 = 0; i0 < m; i0 += MC) {
                    int mb = Math.min(MC, m - i0);
                    packA(a, aOff, ars, acs, i0, mb, p0, kb, mr, aPack);
                    for (int jr = 0; jr < nb; jr += nr) {
                        int cols = Math.min(nr, nb - jr);
                        for (int ir = 0; ir < mb; ir += mr) {
                            int rows = Math.min(mr, mb - ir);
                            if (vector) VectorMatmul.tile(aPack, ir * kb, bPack, jr * kb, kb, c, cOff, n, i0 + ir, j0 + jr, rows, cols);
                            else tile(aPack, ir * kb, bPack, jr * kb, kb, c, cOff, n, i0 + ir, j0 + jr, rows, cols);
                        }
                    }
                }
            }
        }
        packs[0] = aPack; // handed back for the thread's next product
        packs[1] = bPack;
    }

    // aPack[ir·kb + p·mr + r] = A(i0 + ir + r, p0 + p): each tile's mr rows interleaved column by column (zero rows pad)
    private static void packA(float[] a, int aOff, int ars, int acs, int i0, int mb, int p0, int kb, int mr, float[] aPack) {
        for (int ir = 0; ir < mb; ir += mr) {
            int base = ir * kb, rows = Math.min(mr, mb - ir);
            if (acs == 1 && rows == 6 && mr == 6) {
                // A row-major, a full column of the vector tile: its six rows read side by side, each packed column
                // written at once (1.2 against 0.9 µs a 64 × 32 block, row by row; JDK 17 and 25, AMD EPYC Zen 5)
                int s0 = aOff + (i0 + ir) * ars + p0, s1 = s0 + ars, s2 = s1 + ars, s3 = s2 + ars, s4 = s3 + ars, s5 = s4 + ars;
                for (int p = 0; p < kb; p++) {
                    int d = base + p * 6;
                    aPack[d] = a[s0 + p]; aPack[d + 1] = a[s1 + p]; aPack[d + 2] = a[s2 + p];
                    aPack[d + 3] = a[s3 + p]; aPack[d + 4] = a[s4 + p]; aPack[d + 5] = a[s5 + p];
                }
            } else if (acs == 1) {
                // A row-major: each row of the tile is contiguous
                for (int r = 0; r < rows; r++) {
                    int src = aOff + (i0 + ir + r) * ars + p0;
                    for (int p = 0; p < kb; p++) aPack[base + p * mr + r] = a[src + p];
                }
            } else {
                // A stored transposed: each column of the tile is contiguous, so one copy a column (a loop of up to
                // six steps cost its overhead per column: 2.1 against 1.0 µs a 64 × 32 block, JDK 25; 2.3 against 1.0
                // on JDK 17, AMD EPYC Zen 5)
                for (int p = 0; p < kb; p++) {
                    int src = aOff + (p0 + p) * acs + (i0 + ir) * ars;
                    if (ars == 1) System.arraycopy(a, src, aPack, base + p * mr, rows);
                    else for (int r = 0; r < rows; r++) aPack[base + p * mr + r] = a[src + r * ars];
                }
            }
            for (int r = rows; r < mr; r++) {
                for (int p = 0; p < kb; p++) aPack[base + p * mr + r] = 0;
            }
        }
    }

    // bPack[jr·kb + p·nr + q] = B(p0 + p, j0 + jr + q): each sliver of nr columns row after row (zero columns pad)
    private static void packB(float[] b, int bOff, int brs, int bcs, int p0, int kb, int j0, int nb, int nr, float[] bPack) {
        for (int jr = 0; jr < nb; jr += nr) {
            int base = jr * kb;
            int w = Math.min(nr, nb - jr);
            for (int p = 0; p < kb; p++) {
                int src = bOff + (p0 + p) * brs + (j0 + jr) * bcs;
                int dst = base + p * nr;
                if (bcs == 1) System.arraycopy(b, src, bPack, dst, w);
                for (int q = w; q < nr; q++) bPack[dst + q] = 0;
            }
            if (bcs != 1) {
                // B stored transposed: each column of the sliver is contiguous in b; filled a packed row at a time
                // (contiguous writes, reads bcs apart), 1.1 against 1.8 µs a 32 × 64 block when filled column by
                // column (writes nr apart; JDK 25, AMD EPYC Zen 5)
                for (int p = 0; p < kb; p++) {
                    int src = bOff + (j0 + jr) * bcs + (p0 + p) * brs, dst = base + p * nr;
                    for (int q = 0; q < w; q++) bPack[dst + q] = b[src + q * bcs];
                }
            }
        }
    }

    /**
     * One MR×NR tile in scalar Java: acc[r][q] = Σ_p aPack[r,p] bPack[p,q] in 16 locals, then
     * C[i+r, j+q] += acc[r][q] for the rows and columns that exist (padding is computed and dropped,
     * so an infinity or NaN reaches exactly the entries of C it reaches in {@link Matmul#naive}).
     */
    private static void tile(float[] aPack, int ao, float[] bPack, int bo, int kb, float[] c, int cOff, int n,
                             int i, int j, int rows, int cols) {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        float c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        float c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0; p < kb; p++) {
            int ap = ao + p * MR, bp = bo + p * NR;
            float a0 = aPack[ap], a1 = aPack[ap + 1], a2 = aPack[ap + 2], a3 = aPack[ap + 3];
            // acc[r][q] = a[r] · b[q] + acc[r][q], one rounding each (fma)
            float b0 = bPack[bp];
            c00 = Math.fma(a0, b0, c00); c10 = Math.fma(a1, b0, c10); c20 = Math.fma(a2, b0, c20); c30 = Math.fma(a3, b0, c30);
            float b1 = bPack[bp + 1];
            c01 = Math.fma(a0, b1, c01); c11 = Math.fma(a1, b1, c11); c21 = Math.fma(a2, b1, c21); c31 = Math.fma(a3, b1, c31);
            float b2 = bPack[bp + 2];
            c02 = Math.fma(a0, b2, c02); c12 = Math.fma(a1, b2, c12); c22 = Math.fma(a2, b2, c22); c32 = Math.fma(a3, b2, c32);
            float b3 = bPack[bp + 3];
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
        float[] acc = {c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33};
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < cols; q++) c[o + r * n + q] += acc[r * NR + q];
        }
    }

    // ================================================================ shared

    private static int roundUp(int x, int step) {
        return (x + step - 1) / step * step;
    }
}
