package zerotoml.scratch.kernels;

import static zerotoml.scratch.kernels.ConvKernels.work;
import static zerotoml.scratch.kernels.ConvPlanes.extent;
import static zerotoml.scratch.kernels.ConvPlanes.from;
import static zerotoml.scratch.kernels.ConvPlanes.padPlane;
import static zerotoml.scratch.kernels.ConvPlanes.positions;
import static zerotoml.scratch.kernels.ConvPlanes.tapOffsets;

import java.util.Arrays;

import zerotoml.scratch.kernels.ConvKernels.Geometry;
import zerotoml.scratch.kernels.ConvPlanes.Axes;

/**
 * Direct float convolution with the Vector API, one to three spatial axes, no column buffer: the
 * forward product and ∂w read each column entry where it lies in the zero-padded input, ∂x sums
 * each input pixel's taps from the output gradient ({@link VectorMatmul}'s tiles). Called by
 * {@link ConvKernels}'s float entry points; each entry keeps the bits of the im2col path, whose
 * table form {@link ConvOracles#tableForward} and its twins are the oracle ({@code ConvKernelsTest}).
 */
final class DirectConv {
    private DirectConv() {}

    /**
     * parts[bg] = cols · Gᵀ of (batch, group) bg, the product of {@link ConvKernels#backwardWeight(float[], float[], Geometry)} with no
     * columns and no packed copy of them: the tile reads each column entry where it lies in the
     * zero-padded input, cols[(ci, t), o] = xpad[ci·E + tapOff[t] + pos[o]]
     * ({@link VectorMatmul#paddedTile}). Per block of {@link Matmul#KC} outputs an fma chain from 0,
     * the blocks added to a zeroed part in order, the tiles six rows by two vectors, Gᵀ packed per
     * block as {@link Matmul} packs B: each entry the operations of {@link Matmul#fast} in its order.
     */
    static void weightParts(float[] x, float[] gy, Geometry g, Axes a, float[][] parts) {
        int[] e = extent(a), tapOff = tapOffsets(a, e), pos = positions(a, e);
        int kSize = g.kernelSize(), cInG = g.cInG(), rows = cInG * kSize, oSize = g.outSize(), cOutG = g.cOutG(), inSize = g.inSize();
        int ePlane = e[0] * e[1] * e[2], nr = VectorMatmul.NR_F, mr = VectorMatmul.MR, nPad = (cOutG + nr - 1) / nr * nr;
        int units = g.batch() * g.groups(), tasks = Parallel.tasks(units, work(g));
        int[] rowOff = tapRows(g, tapOff, ePlane, mr);
        Parallel.forEach(tasks, work(g), t -> {
            float[] xpad = new float[cInG * ePlane], gT = new float[nPad * Math.min(oSize, Matmul.KC)];
            for (int bg = from(units, tasks, t); bg < from(units, tasks, t + 1); bg++) {
                int b = bg / g.groups(), grp = bg % g.groups(), go = (b * g.cOut() + grp * cOutG) * oSize;
                for (int ci = 0; ci < cInG; ci++) padPlane(x, (b * g.cIn() + grp * cInG + ci) * inSize, a, e, xpad, ci * ePlane);
                float[] partT = new float[rows * cOutG];
                for (int o0 = 0; o0 < oSize; o0 += Matmul.KC) {
                    int kb = Math.min(Matmul.KC, oSize - o0);
                    // gT[jr·kb + p·nr + q] = G[jr + q, o0 + p], 0 past cOutG (Matmul's packing of B = Gᵀ)
                    for (int jr = 0; jr < nPad; jr += nr) {
                        for (int q = 0; q < nr; q++) {
                            int co = jr + q, dst = jr * kb + q;
                            if (co < cOutG) for (int p = 0; p < kb; p++) gT[dst + p * nr] = gy[go + co * oSize + o0 + p];
                            else for (int p = 0; p < kb; p++) gT[dst + p * nr] = 0f;
                        }
                    }
                    for (int jr = 0; jr < cOutG; jr += nr) {
                        for (int ir = 0; ir < rows; ir += mr) {
                            VectorMatmul.paddedTile(xpad, rowOff, ir, pos, o0, kb, gT, jr * kb, partT, cOutG, jr, Math.min(mr, rows - ir), Math.min(nr, cOutG - jr));
                        }
                    }
                }
                parts[bg] = partT;
            }
        });
    }

    /**
     * Where each column row (ci, t) starts in the padded planes, ci·E + tapOff[t], for rows rounded
     * up to a multiple of {@code mr}: the last tile's missing rows repeat row 0 (computed and dropped).
     */
    private static int[] tapRows(Geometry g, int[] tapOff, int ePlane, int mr) {
        int kSize = g.kernelSize(), rows = g.cInG() * kSize;
        int[] rowOff = new int[(rows + mr - 1) / mr * mr];
        for (int r = 0; r < rowOff.length; r++) rowOff[r] = r < rows ? (r / kSize) * ePlane + tapOff[r % kSize] : rowOff[0];
        return rowOff;
    }

    /**
     * {@link ConvKernels#forward(float[], float[], Geometry)}'s product W_g · cols with no columns: its
     * transpose colsᵀ · W_gᵀ, whose A is read where it lies in the zero-padded input,
     * colsᵀ[o, (ci, t)] = xpad[pos[o] + ci·E + tapOff[t]] ({@link VectorMatmul#paddedTile}), into
     * an [outputs, cOutG] buffer, then copied into y transposed. An entry is the same fma chains
     * (a·b = b·a in an fma) from 0 per block of {@link Matmul#KC} taps, added to a zeroed entry in
     * order, as {@link Matmul#fast} computes W_g · cols.
     */
    static float[] forward(float[] x, float[] w, Geometry g, Axes a) {
        int[] e = extent(a), tapOff = tapOffsets(a, e), pos = positions(a, e);
        int kSize = g.kernelSize(), cInG = g.cInG(), rows = cInG * kSize, oSize = g.outSize(), cOutG = g.cOutG(), inSize = g.inSize();
        int ePlane = e[0] * e[1] * e[2], nr = VectorMatmul.NR_F, mr = VectorMatmul.MR, nPad = (cOutG + nr - 1) / nr * nr;
        int units = g.batch() * g.groups(), tasks = Parallel.tasks(units, work(g));
        int[] rowOff = tapRows(g, tapOff, ePlane, mr);
        // the outputs as rows: the last tile's missing rows repeat output 0 (computed and dropped)
        int[] outRows = Arrays.copyOf(pos, (oSize + mr - 1) / mr * mr);
        for (int o = oSize; o < outRows.length; o++) outRows[o] = pos[0];
        float[] y = new float[g.batch() * g.cOut() * oSize];
        Parallel.forEach(tasks, work(g), t -> {
            float[] xpad = new float[cInG * ePlane], wT = new float[nPad * Math.min(rows, Matmul.KC)], yT = new float[oSize * cOutG];
            for (int bg = from(units, tasks, t); bg < from(units, tasks, t + 1); bg++) {
                int b = bg / g.groups(), grp = bg % g.groups(), wo = grp * cOutG * rows, yo = (b * g.cOut() + grp * cOutG) * oSize;
                for (int ci = 0; ci < cInG; ci++) padPlane(x, (b * g.cIn() + grp * cInG + ci) * inSize, a, e, xpad, ci * ePlane);
                Arrays.fill(yT, 0f);
                for (int p0 = 0; p0 < rows; p0 += Matmul.KC) {
                    int kb = Math.min(Matmul.KC, rows - p0);
                    // wT[jr·kb + p·nr + q] = W_g[jr + q, p0 + p], 0 past cOutG (Matmul's packing of B = W_gᵀ)
                    for (int jr = 0; jr < nPad; jr += nr) {
                        for (int q = 0; q < nr; q++) {
                            int co = jr + q, dst = jr * kb + q;
                            if (co < cOutG) for (int p = 0; p < kb; p++) wT[dst + p * nr] = w[wo + co * rows + p0 + p];
                            else for (int p = 0; p < kb; p++) wT[dst + p * nr] = 0f;
                        }
                    }
                    for (int jr = 0; jr < cOutG; jr += nr) {
                        for (int ir = 0; ir < oSize; ir += mr) {
                            VectorMatmul.paddedTile(xpad, outRows, ir, rowOff, p0, kb, wT, jr * kb, yT, cOutG, jr, Math.min(mr, oSize - ir), Math.min(nr, cOutG - jr));
                        }
                    }
                }
                // y[co, o] = yT[o, co]
                for (int co = 0; co < cOutG; co++) {
                    for (int o = 0; o < oSize; o++) y[yo + co * oSize + o] = yT[o * cOutG + co];
                }
            }
        });
        return y;
    }

    /**
     * {@link ConvKernels#backwardInput(float[], float[], Geometry)} with no column buffer, for at most
     * {@link Matmul#KC} output channels per group (one block of the product's chain): per input
     * pixel, its taps in order, each column entry the product's
     * 0 + (fma chain over the output channels from 0), added where col2im adds it
     * ({@link VectorConv#inputGradTile}, six input channels by two vectors of pixels). The
     * gradient's rows are copied interleaved by channel and padded along the row (gpad), so that
     * every lane reads inside the buffer; a lane whose output lies outside adds nothing. With a
     * stride s along the row, the row's pixels go in s phases φ + s·m, each reading g contiguously.
     */
    static float[] backwardInput(float[] gy, float[] w, Geometry g, Axes a) {
        int kSize = g.kernelSize(), cInG = g.cInG(), rows = cInG * kSize, oSize = g.outSize(), cOutG = g.cOutG(), inSize = g.inSize();
        int o0 = a.out[0], o1 = a.out[1], o2 = a.out[2], in2 = a.in[2], nr = VectorMatmul.NR_F, mr = VectorMatmul.MR;
        int k2 = a.k[2], d2 = a.d[2], p2 = a.p[2], s2 = a.s[2];
        // g row of (oz, oy), channel co, at gpad[((oz·o1 + oy)·cOutG + co)·W + padL + ox], W = padL + o2 + padR
        int padL = Math.max(0, (k2 - 1) * d2 - p2), padR = Math.max(0, (in2 + nr - 1) / nr * nr + Math.max(0, p2) + 1 - o2), rowW = padL + o2 + padR;
        // the pixels of a row in s2 phases ix = φ + s2·m; tap t reads output ox = m + c with c = (φ − a2)/s2 (a2 = t2·d2 − p2)
        // when s2 divides φ − a2, else none: per phase and tap the shift padL + c and the lanes lo ≤ m < hi that read inside
        int[][] shift = new int[s2][kSize], lo = new int[s2][kSize], hi = new int[s2][kSize];
        int[] count = new int[s2];
        for (int ph = 0; ph < s2; ph++) {
            count[ph] = ph < in2 ? (in2 - ph + s2 - 1) / s2 : 0;
            for (int tk = 0; tk < kSize; tk++) {
                int a2 = (tk % k2) * d2 - p2;
                if (Math.floorMod(ph - a2, s2) != 0) continue; // lo = hi = 0: no lane
                int c = (ph - a2) / s2;
                shift[ph][tk] = padL + c;
                lo[ph][tk] = Math.max(0, -c);
                hi[ph][tk] = Math.min(count[ph], o2 - c);
            }
        }
        // an infinite or NaN weight times the padding's 0 is NaN: only then must a lane outside be masked off
        boolean masked = false;
        for (float v : w) masked |= !Float.isFinite(v);
        boolean mask = masked;
        int units = g.batch() * g.groups(), tasks = Parallel.tasks(units, work(g));
        float[] gx = new float[g.batch() * g.cIn() * inSize];
        Parallel.forEach(tasks, work(g), t -> {
            float[] gpad = new float[o0 * o1 * cOutG * rowW], buf = new float[mr * nr];
            int[] tapRow = new int[kSize], wr = new int[mr], gxRow = new int[mr], bufRow = new int[mr];
            for (int r = 0; r < mr; r++) bufRow[r] = r * nr;
            for (int bg = from(units, tasks, t); bg < from(units, tasks, t + 1); bg++) {
                int b = bg / g.groups(), grp = bg % g.groups(), go = (b * g.cOut() + grp * cOutG) * oSize, wBase = grp * cOutG * rows;
                for (int oz = 0; oz < o0; oz++) {
                    for (int oy = 0; oy < o1; oy++) {
                        for (int co = 0; co < cOutG; co++) {
                            System.arraycopy(gy, go + co * oSize + (oz * o1 + oy) * o2, gpad, ((oz * o1 + oy) * cOutG + co) * rowW + padL, o2);
                        }
                    }
                }
                for (int ci0 = 0; ci0 < cInG; ci0 += mr) {
                    int tile = Math.min(mr, cInG - ci0);
                    // rows past the channels repeat the first (computed and dropped)
                    for (int r = 0; r < mr; r++) wr[r] = (ci0 + (r < tile ? r : 0)) * kSize;
                    for (int z = 0; z < a.in[0]; z++) {
                        for (int iy = 0; iy < a.in[1]; iy++) {
                            // the output row each tap reads for this input row, or −1 where there is none
                            for (int tk = 0; tk < kSize; tk++) {
                                int t0 = tk / (a.k[1] * k2), t1 = tk / k2 % a.k[1];
                                int nz = z + a.p[0] - t0 * a.d[0], ny = iy + a.p[1] - t1 * a.d[1];
                                boolean inside = nz >= 0 && ny >= 0 && nz % a.s[0] == 0 && ny % a.s[1] == 0 && nz / a.s[0] < o0 && ny / a.s[1] < o1;
                                tapRow[tk] = inside ? ((nz / a.s[0] * o1 + ny / a.s[1]) * cOutG) * rowW : -1;
                            }
                            for (int r = 0; r < mr; r++) gxRow[r] = (b * g.cIn() + grp * cInG + ci0 + r) * inSize + (z * a.in[1] + iy) * in2;
                            for (int ph = 0; ph < s2; ph++) {
                                int[] sh = shift[ph], l = lo[ph], h = hi[ph];
                                for (int m0 = 0; m0 < count[ph]; m0 += nr) {
                                    if (s2 == 1 && tile == mr && m0 + nr <= in2) {
                                        if (VectorConv.IN_REGISTERS) VectorConv.inputGradTileInRegisters(w, wBase, rows, wr, cOutG, gpad, rowW, tapRow, sh, l, h, mask, m0, gx, gxRow, m0);
                                        else VectorConv.inputGradTile(w, wBase, rows, wr, cOutG, gpad, rowW, tapRow, sh, l, h, mask, m0, gx, gxRow, m0);
                                        continue;
                                    }
                                    // an edge (fewer channels or pixels) or a stride: in a zeroed buffer, then its rows and pixels copied out
                                    Arrays.fill(buf, 0f);
                                    if (VectorConv.IN_REGISTERS) VectorConv.inputGradTileInRegisters(w, wBase, rows, wr, cOutG, gpad, rowW, tapRow, sh, l, h, mask, m0, buf, bufRow, 0);
                                    else VectorConv.inputGradTile(w, wBase, rows, wr, cOutG, gpad, rowW, tapRow, sh, l, h, mask, m0, buf, bufRow, 0);
                                    int cols = Math.min(nr, count[ph] - m0);
                                    for (int r = 0; r < tile; r++) {
                                        int dst = gxRow[r] + ph + s2 * m0;
                                        if (s2 == 1) System.arraycopy(buf, r * nr, gx, dst, cols);
                                        else for (int m = 0; m < cols; m++) gx[dst + s2 * m] = buf[r * nr + m];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        });
        return gx;
    }
}
