package zerotoml.scratch.kernels;

import static zerotoml.scratch.kernels.VectorMatmul.F;
import static zerotoml.scratch.kernels.VectorMatmul.LF;
import static zerotoml.scratch.kernels.VectorMatmul.NR_F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The convolution's Vector API loops besides the product tiles of {@link VectorMatmul}: the direct
 * ∂x tiles of {@link DirectConv}, and the rows and batch-lane chains of {@link DepthwiseConv} and
 * col2im. Lane by lane each is the scalar loop it replaces in those classes (their oracle, through
 * {@code ConvKernelsTest}, is {@link ConvOracles}' table path). Loaded only when
 * {@link Backend#VECTOR} is true.
 */
final class VectorConv {
    private VectorConv() {}

    /**
     * The convolution's ∂x holds its sums in registers ({@link #inputGradTileInRegisters}) with 512-bit vectors on JDK 25
     * and later, in memory otherwise. JDK 17's C2 does not intrinsify that tile's unmasked adds at 512 bits (JFR: a
     * float[] per add, from the Vector API's fallback, 7.9 MB more per plain forward + backward), and the memory
     * version ran faster there: plain 2.84 against 3.38 ms, dilated 2.70 against 3.05 (median of 100, one thread, AMD
     * EPYC Zen 5, thirteenth session). JDKs 18-24 were not measured, so they take the memory version too.
     */
    static final boolean IN_REGISTERS = LF >= 16 && Runtime.version().feature() >= 25;

    // ------------------------------------------------------------------ the convolution's ∂x, direct (DirectConv)

    /**
     * ∂x of six input channels (rows r, weights at w[wBase + co·wRows + wr_r + t]) on two vectors
     * of pixels ix0 .. ix0 + 2L of one input row, stride 1 along the row: per tap t in order, where
     * the tap's output row exists (tapRow[t] ≥ 0), the column entry d = 0 + Σ_co fma chain from 0 of
     * w[co, ci, t] · g[co, ix + shift[t]] (gpad holds g's rows interleaved by channel, gStride apart,
     * padded so every lane reads inside), then x̄ += d on the pixels whose output lies inside,
     * lo[t] ≤ ix &lt; hi[t] (through masks when {@code masked}, else on every lane, which the caller
     * allows only when every weight is finite: see the comment in the loop). x̄ accumulates in place
     * at gx[gxRow[r] + ix], which must hold +0 on entry (a fresh array, or the zeroed buffer the
     * caller uses for an edge tile). Pixel by pixel the operations of Matmul (Wᵀ·G, one block) then
     * col2im, in the same order.
     */
    static void inputGradTile(float[] w, int wBase, int wRows, int[] wr, int cOutG, float[] gpad, int gStride, int[] tapRow, int[] shift,
                              int[] lo, int[] hi, boolean masked, int ix0, float[] gx, int[] gxRow, int px) {
        int w0 = wBase + wr[0], w1 = wBase + wr[1], w2 = wBase + wr[2], w3 = wBase + wr[3], w4 = wBase + wr[4], w5 = wBase + wr[5];
        int x0 = gxRow[0] + px, x1 = gxRow[1] + px, x2 = gxRow[2] + px, x3 = gxRow[3] + px, x4 = gxRow[4] + px, x5 = gxRow[5] + px;
        FloatVector z = FloatVector.zero(F);
        for (int t = 0; t < tapRow.length; t++) {
            if (tapRow[t] < 0 || hi[t] <= lo[t] || hi[t] <= ix0 || lo[t] >= ix0 + NR_F) continue;
            FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
            int gp = tapRow[t] + shift[t] + ix0;
            for (int co = 0; co < cOutG; co++) {
                int bp = gp + co * gStride, wq = co * wRows + t;
                FloatVector b0 = FloatVector.fromArray(F, gpad, bp), b1 = FloatVector.fromArray(F, gpad, bp + LF);
                // acc = w·g + acc, one rounding (fma), as in the product
                FloatVector a = FloatVector.broadcast(F, w[w0 + wq]);
                c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
                a = FloatVector.broadcast(F, w[w1 + wq]);
                c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
                a = FloatVector.broadcast(F, w[w2 + wq]);
                c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
                a = FloatVector.broadcast(F, w[w3 + wq]);
                c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
                a = FloatVector.broadcast(F, w[w4 + wq]);
                c40 = a.fma(b0, c40); c41 = a.fma(b1, c41);
                a = FloatVector.broadcast(F, w[w5 + wq]);
                c50 = a.fma(b0, c50); c51 = a.fma(b1, c51);
            }
            // x̄ += 0 + acc (the product's entry of a zeroed C, then col2im's add) where the tap's output exists; with finite
            // weights a lane outside adds exactly nothing: it reads g's zero padding, so 0 + acc = +0, and x̄ is never −0
            if (!masked || lo[t] <= ix0 && hi[t] >= ix0 + NR_F) {
                FloatVector.fromArray(F, gx, x0).add(z.add(c00)).intoArray(gx, x0);
                FloatVector.fromArray(F, gx, x0 + LF).add(z.add(c01)).intoArray(gx, x0 + LF);
                FloatVector.fromArray(F, gx, x1).add(z.add(c10)).intoArray(gx, x1);
                FloatVector.fromArray(F, gx, x1 + LF).add(z.add(c11)).intoArray(gx, x1 + LF);
                FloatVector.fromArray(F, gx, x2).add(z.add(c20)).intoArray(gx, x2);
                FloatVector.fromArray(F, gx, x2 + LF).add(z.add(c21)).intoArray(gx, x2 + LF);
                FloatVector.fromArray(F, gx, x3).add(z.add(c30)).intoArray(gx, x3);
                FloatVector.fromArray(F, gx, x3 + LF).add(z.add(c31)).intoArray(gx, x3 + LF);
                FloatVector.fromArray(F, gx, x4).add(z.add(c40)).intoArray(gx, x4);
                FloatVector.fromArray(F, gx, x4 + LF).add(z.add(c41)).intoArray(gx, x4 + LF);
                FloatVector.fromArray(F, gx, x5).add(z.add(c50)).intoArray(gx, x5);
                FloatVector.fromArray(F, gx, x5 + LF).add(z.add(c51)).intoArray(gx, x5 + LF);
            } else {
                VectorMask<Float> m0 = F.indexInRange(ix0 - lo[t], hi[t] - lo[t]), m1 = F.indexInRange(ix0 + LF - lo[t], hi[t] - lo[t]);
                FloatVector.fromArray(F, gx, x0).add(z.add(c00), m0).intoArray(gx, x0);
                FloatVector.fromArray(F, gx, x0 + LF).add(z.add(c01), m1).intoArray(gx, x0 + LF);
                FloatVector.fromArray(F, gx, x1).add(z.add(c10), m0).intoArray(gx, x1);
                FloatVector.fromArray(F, gx, x1 + LF).add(z.add(c11), m1).intoArray(gx, x1 + LF);
                FloatVector.fromArray(F, gx, x2).add(z.add(c20), m0).intoArray(gx, x2);
                FloatVector.fromArray(F, gx, x2 + LF).add(z.add(c21), m1).intoArray(gx, x2 + LF);
                FloatVector.fromArray(F, gx, x3).add(z.add(c30), m0).intoArray(gx, x3);
                FloatVector.fromArray(F, gx, x3 + LF).add(z.add(c31), m1).intoArray(gx, x3 + LF);
                FloatVector.fromArray(F, gx, x4).add(z.add(c40), m0).intoArray(gx, x4);
                FloatVector.fromArray(F, gx, x4 + LF).add(z.add(c41), m1).intoArray(gx, x4 + LF);
                FloatVector.fromArray(F, gx, x5).add(z.add(c50), m0).intoArray(gx, x5);
                FloatVector.fromArray(F, gx, x5 + LF).add(z.add(c51), m1).intoArray(gx, x5 + LF);
            }
        }
    }

    /**
     * {@link #inputGradTile} with x̄ held in twelve more registers and stored once at the end (x̄ is
     * +0 on entry and never −0, so storing it gives the bits of adding it). On the AVX-512 machine of
     * notes/Performance.md, one thread, the plain benchmark case's ∂x: faster on JDK 25 with 512-bit
     * vectors (0.85 against 1.04 ms), much slower on JDK 17 with 256-bit ones (3.9 against 1.3 ms),
     * so {@link #IN_REGISTERS} chooses by the width and, since JDK 17 at 512 bits boxed it, by the JDK.
     */
    static void inputGradTileInRegisters(float[] w, int wBase, int wRows, int[] wr, int cOutG, float[] gpad, int gStride, int[] tapRow, int[] shift,
                                         int[] lo, int[] hi, boolean masked, int ix0, float[] gx, int[] gxRow, int px) {
        int w0 = wBase + wr[0], w1 = wBase + wr[1], w2 = wBase + wr[2], w3 = wBase + wr[3], w4 = wBase + wr[4], w5 = wBase + wr[5];
        FloatVector z = FloatVector.zero(F);
        FloatVector g00 = z, g01 = z, g10 = z, g11 = z, g20 = z, g21 = z, g30 = z, g31 = z, g40 = z, g41 = z, g50 = z, g51 = z;
        for (int t = 0; t < tapRow.length; t++) {
            if (tapRow[t] < 0 || hi[t] <= lo[t] || hi[t] <= ix0 || lo[t] >= ix0 + NR_F) continue;
            FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
            int gp = tapRow[t] + shift[t] + ix0;
            for (int co = 0; co < cOutG; co++) {
                int bp = gp + co * gStride, wq = co * wRows + t;
                FloatVector b0 = FloatVector.fromArray(F, gpad, bp), b1 = FloatVector.fromArray(F, gpad, bp + LF);
                FloatVector a = FloatVector.broadcast(F, w[w0 + wq]);
                c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
                a = FloatVector.broadcast(F, w[w1 + wq]);
                c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
                a = FloatVector.broadcast(F, w[w2 + wq]);
                c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
                a = FloatVector.broadcast(F, w[w3 + wq]);
                c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
                a = FloatVector.broadcast(F, w[w4 + wq]);
                c40 = a.fma(b0, c40); c41 = a.fma(b1, c41);
                a = FloatVector.broadcast(F, w[w5 + wq]);
                c50 = a.fma(b0, c50); c51 = a.fma(b1, c51);
            }
            if (!masked || lo[t] <= ix0 && hi[t] >= ix0 + NR_F) {
                g00 = g00.add(z.add(c00)); g01 = g01.add(z.add(c01));
                g10 = g10.add(z.add(c10)); g11 = g11.add(z.add(c11));
                g20 = g20.add(z.add(c20)); g21 = g21.add(z.add(c21));
                g30 = g30.add(z.add(c30)); g31 = g31.add(z.add(c31));
                g40 = g40.add(z.add(c40)); g41 = g41.add(z.add(c41));
                g50 = g50.add(z.add(c50)); g51 = g51.add(z.add(c51));
            } else {
                VectorMask<Float> m0 = F.indexInRange(ix0 - lo[t], hi[t] - lo[t]), m1 = F.indexInRange(ix0 + LF - lo[t], hi[t] - lo[t]);
                g00 = g00.add(z.add(c00), m0); g01 = g01.add(z.add(c01), m1);
                g10 = g10.add(z.add(c10), m0); g11 = g11.add(z.add(c11), m1);
                g20 = g20.add(z.add(c20), m0); g21 = g21.add(z.add(c21), m1);
                g30 = g30.add(z.add(c30), m0); g31 = g31.add(z.add(c31), m1);
                g40 = g40.add(z.add(c40), m0); g41 = g41.add(z.add(c41), m1);
                g50 = g50.add(z.add(c50), m0); g51 = g51.add(z.add(c51), m1);
            }
        }
        g00.intoArray(gx, gxRow[0] + px); g01.intoArray(gx, gxRow[0] + px + LF);
        g10.intoArray(gx, gxRow[1] + px); g11.intoArray(gx, gxRow[1] + px + LF);
        g20.intoArray(gx, gxRow[2] + px); g21.intoArray(gx, gxRow[2] + px + LF);
        g30.intoArray(gx, gxRow[3] + px); g31.intoArray(gx, gxRow[3] + px + LF);
        g40.intoArray(gx, gxRow[4] + px); g41.intoArray(gx, gxRow[4] + px + LF);
        g50.intoArray(gx, gxRow[5] + px); g51.intoArray(gx, gxRow[5] + px + LF);
    }

    // ------------------------------------------------------------------ rows of the depthwise convolution (DepthwiseConv)

    /**
     * One output row of the depthwise forward with the taps' chains in registers:
     * y[yOff + i] = 0 + (fma chain from 0 over the taps t of w[wOff + t] · pad[pOff + tapOff[t] + i]),
     * for i below n, four vectors at a time, then two, then one, the tail scalar: lane by lane the
     * chain that the scalar loop of {@code DepthwiseConv.forward} builds tap by tap in memory.
     */
    static void depthwiseRow(float[] w, int wOff, int[] tapOff, float[] pad, int pOff, float[] y, int yOff, int n) {
        FloatVector z = FloatVector.zero(F);
        int taps = tapOff.length, i = 0;
        for (; i <= n - 4 * LF; i += 4 * LF) {
            FloatVector c0 = z, c1 = z, c2 = z, c3 = z;
            for (int t = 0; t < taps; t++) {
                FloatVector wv = FloatVector.broadcast(F, w[wOff + t]);
                int q = pOff + tapOff[t] + i;
                c0 = wv.fma(FloatVector.fromArray(F, pad, q), c0);
                c1 = wv.fma(FloatVector.fromArray(F, pad, q + LF), c1);
                c2 = wv.fma(FloatVector.fromArray(F, pad, q + 2 * LF), c2);
                c3 = wv.fma(FloatVector.fromArray(F, pad, q + 3 * LF), c3);
            }
            z.add(c0).intoArray(y, yOff + i);
            z.add(c1).intoArray(y, yOff + i + LF);
            z.add(c2).intoArray(y, yOff + i + 2 * LF);
            z.add(c3).intoArray(y, yOff + i + 3 * LF);
        }
        for (; i <= n - 2 * LF; i += 2 * LF) {
            FloatVector c0 = z, c1 = z;
            for (int t = 0; t < taps; t++) {
                FloatVector wv = FloatVector.broadcast(F, w[wOff + t]);
                int q = pOff + tapOff[t] + i;
                c0 = wv.fma(FloatVector.fromArray(F, pad, q), c0);
                c1 = wv.fma(FloatVector.fromArray(F, pad, q + LF), c1);
            }
            z.add(c0).intoArray(y, yOff + i);
            z.add(c1).intoArray(y, yOff + i + LF);
        }
        for (; i <= n - LF; i += LF) {
            FloatVector c0 = z;
            for (int t = 0; t < taps; t++) c0 = FloatVector.broadcast(F, w[wOff + t]).fma(FloatVector.fromArray(F, pad, pOff + tapOff[t] + i), c0);
            z.add(c0).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            float c = 0f;
            for (int t = 0; t < taps; t++) c = Math.fma(w[wOff + t], pad[pOff + tapOff[t] + i], c);
            y[yOff + i] = 0f + c;
        }
    }

    /** dst[dOff + i] += src[sOff + i] for i below n (col2im's row), lane by lane the scalar add. */
    static void addRow(float[] src, int sOff, float[] dst, int dOff, int n) {
        int i = 0;
        for (; i <= n - LF; i += LF) {
            FloatVector.fromArray(F, dst, dOff + i).add(FloatVector.fromArray(F, src, sOff + i)).intoArray(dst, dOff + i);
        }
        for (; i < n; i++) dst[dOff + i] += src[sOff + i];
    }

    /** dst[dOff + i] += 0 + fma(w, src[sOff + i], 0) for i below n (a depth-one product added to a zero, then scattered). */
    static void addProductRow(float w, float[] src, int sOff, float[] dst, int dOff, int n) {
        FloatVector wv = FloatVector.broadcast(F, w), z = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - LF; i += LF) {
            FloatVector p = z.add(wv.fma(FloatVector.fromArray(F, src, sOff + i), z));
            FloatVector.fromArray(F, dst, dOff + i).add(p).intoArray(dst, dOff + i);
        }
        for (; i < n; i++) dst[dOff + i] += 0f + Math.fma(w, src[sOff + i], 0f);
    }

    /**
     * Lanes of {@link #depthwiseWeight}: one batch per lane, as many as F holds. Until the fifteenth session at most
     * eight (a 256-bit species, so that a batch of 8 filled it), but a second float shape in the JVM lets C2 compile
     * the matmul tile for the wrong class (VectorExp's class comment), so this kernel uses F like every other.
     */
    static final int BATCH_LANES = LF;

    /**
     * The depthwise ∂w chains of {@link #BATCH_LANES} batches side by side, one batch per lane:
     * gI[o·L + l] = g of batch l at output o, padI[i·L + l] = the padded input of batch l at i.
     * Per block of {@code kc} outputs and per group of eight taps (then four, then one), a chain
     * from 0 per tap, acc_t = fma(g, xpad[pos[o] + off[t]], acc_t), then part[t·L + l] += acc_t.
     * Lane by lane the scalar chains of {@code DepthwiseConv.backwardWeight}.
     */
    static void depthwiseWeight(float[] gI, float[] padI, int[] pos, int[] off, int oSize, int kc, float[] part) {
        int l = BATCH_LANES, taps = off.length;
        FloatVector z = FloatVector.zero(F);
        for (int o0 = 0; o0 < oSize; o0 += kc) {
            int o1 = Math.min(oSize, o0 + kc);
            int q = 0;
            for (; q + 8 <= taps; q += 8) {
                int f0 = off[q] * l, f1 = off[q + 1] * l, f2 = off[q + 2] * l, f3 = off[q + 3] * l;
                int f4 = off[q + 4] * l, f5 = off[q + 5] * l, f6 = off[q + 6] * l, f7 = off[q + 7] * l;
                FloatVector c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z, c6 = z, c7 = z;
                for (int o = o0; o < o1; o++) {
                    // acc_t = g·x_t + acc_t, one rounding (fma), lane by lane
                    FloatVector gv = FloatVector.fromArray(F, gI, o * l);
                    int p = pos[o] * l;
                    c0 = gv.fma(FloatVector.fromArray(F, padI, p + f0), c0);
                    c1 = gv.fma(FloatVector.fromArray(F, padI, p + f1), c1);
                    c2 = gv.fma(FloatVector.fromArray(F, padI, p + f2), c2);
                    c3 = gv.fma(FloatVector.fromArray(F, padI, p + f3), c3);
                    c4 = gv.fma(FloatVector.fromArray(F, padI, p + f4), c4);
                    c5 = gv.fma(FloatVector.fromArray(F, padI, p + f5), c5);
                    c6 = gv.fma(FloatVector.fromArray(F, padI, p + f6), c6);
                    c7 = gv.fma(FloatVector.fromArray(F, padI, p + f7), c7);
                }
                int t = q * l;
                FloatVector.fromArray(F, part, t).add(c0).intoArray(part, t);
                FloatVector.fromArray(F, part, t + l).add(c1).intoArray(part, t + l);
                FloatVector.fromArray(F, part, t + 2 * l).add(c2).intoArray(part, t + 2 * l);
                FloatVector.fromArray(F, part, t + 3 * l).add(c3).intoArray(part, t + 3 * l);
                FloatVector.fromArray(F, part, t + 4 * l).add(c4).intoArray(part, t + 4 * l);
                FloatVector.fromArray(F, part, t + 5 * l).add(c5).intoArray(part, t + 5 * l);
                FloatVector.fromArray(F, part, t + 6 * l).add(c6).intoArray(part, t + 6 * l);
                FloatVector.fromArray(F, part, t + 7 * l).add(c7).intoArray(part, t + 7 * l);
            }
            for (; q + 4 <= taps; q += 4) {
                int f0 = off[q] * l, f1 = off[q + 1] * l, f2 = off[q + 2] * l, f3 = off[q + 3] * l;
                FloatVector c0 = z, c1 = z, c2 = z, c3 = z;
                for (int o = o0; o < o1; o++) {
                    FloatVector gv = FloatVector.fromArray(F, gI, o * l);
                    int p = pos[o] * l;
                    c0 = gv.fma(FloatVector.fromArray(F, padI, p + f0), c0);
                    c1 = gv.fma(FloatVector.fromArray(F, padI, p + f1), c1);
                    c2 = gv.fma(FloatVector.fromArray(F, padI, p + f2), c2);
                    c3 = gv.fma(FloatVector.fromArray(F, padI, p + f3), c3);
                }
                int t = q * l;
                FloatVector.fromArray(F, part, t).add(c0).intoArray(part, t);
                FloatVector.fromArray(F, part, t + l).add(c1).intoArray(part, t + l);
                FloatVector.fromArray(F, part, t + 2 * l).add(c2).intoArray(part, t + 2 * l);
                FloatVector.fromArray(F, part, t + 3 * l).add(c3).intoArray(part, t + 3 * l);
            }
            for (; q < taps; q++) {
                int f0 = off[q] * l;
                FloatVector c0 = z;
                for (int o = o0; o < o1; o++) c0 = FloatVector.fromArray(F, gI, o * l).fma(FloatVector.fromArray(F, padI, pos[o] * l + f0), c0);
                FloatVector.fromArray(F, part, q * l).add(c0).intoArray(part, q * l);
            }
        }
    }
}
