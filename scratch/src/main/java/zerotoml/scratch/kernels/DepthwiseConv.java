package zerotoml.scratch.kernels;

import static zerotoml.scratch.kernels.ConvKernels.work;
import static zerotoml.scratch.kernels.ConvPlanes.extent;
import static zerotoml.scratch.kernels.ConvPlanes.from;
import static zerotoml.scratch.kernels.ConvPlanes.padPlane;
import static zerotoml.scratch.kernels.ConvPlanes.positions;
import static zerotoml.scratch.kernels.ConvPlanes.tapOffsets;
import static zerotoml.scratch.kernels.ConvPlanes.unpadPlane;

import java.util.Arrays;

import zerotoml.scratch.kernels.ConvKernels.Geometry;
import zerotoml.scratch.kernels.ConvPlanes.Axes;

/**
 * Depthwise float convolution (one input and one output channel per group), one to three spatial
 * axes: direct loops over a zero-padded plane, called by {@link ConvKernels}'s float entry points.
 * Bit for bit the im2col path, whose table form {@link ConvOracles#tableForward} and its twins are
 * the oracle ({@code ConvKernelsTest}).
 */
final class DepthwiseConv {
    private DepthwiseConv() {}

    /**
     * One input and one output channel per group (groups = channels), at most {@link Matmul#KC}
     * taps: then each product of the im2col path is a single row (forward, ∂W) or a single depth
     * (∂x), and the loops below compute its entries directly, with the same operations in the same
     * order, so the bits are those of {@link ConvOracles#tableForward} and its twins.
     */
    static boolean applies(Geometry g) {
        return g.cInG() == 1 && g.cOutG() == 1 && g.kernelSize() <= Matmul.KC;
    }

    /**
     * y[b, c, o] = 0 + Σ_t w[c, t] · xpad[o·s + t·d]: an fma chain over the taps from 0 (padding
     * read as 0, as the columns hold it), then added to a zero, as the product adds its one block
     * to a zeroed C. Taps in the outer loop, so the inner loop runs along an output row; with the
     * Vector API and stride 1 along the row, each row's chains in registers instead
     * ({@link VectorConv#depthwiseRow}).
     */
    static float[] forward(float[] x, float[] w, Geometry g, Axes a) {
        int[] e = extent(a), tapOff = tapOffsets(a, e);
        int planes = g.batch() * g.cIn(), c = g.cIn(), kSize = g.kernelSize(), oSize = g.outSize(), inSize = g.inSize();
        int o0 = a.out[0], o1 = a.out[1], o2 = a.out[2], s2 = a.s[2], tasks = Parallel.tasks(planes, work(g));
        float[] y = new float[planes * oSize];
        Parallel.forEach(tasks, work(g), t -> {
            float[] pad = new float[e[0] * e[1] * e[2]];
            for (int pl = from(planes, tasks, t); pl < from(planes, tasks, t + 1); pl++) {
                padPlane(x, pl * inSize, a, e, pad);
                int yo = pl * oSize, wo = (pl % c) * kSize;
                if (s2 == 1 && Backend.VECTOR) {
                    // the same chains, each output row's held in registers over the taps
                    for (int z = 0; z < o0; z++) {
                        for (int r = 0; r < o1; r++) {
                            VectorConv.depthwiseRow(w, wo, tapOff, pad, (z * a.s[0] * e[1] + r * a.s[1]) * e[2], y, yo + (z * o1 + r) * o2, o2);
                        }
                    }
                    continue;
                }
                for (int tk = 0; tk < kSize; tk++) {
                    float wt = w[wo + tk];
                    for (int z = 0; z < o0; z++) {
                        for (int r = 0; r < o1; r++) {
                            int yr = yo + (z * o1 + r) * o2, pr = (z * a.s[0] * e[1] + r * a.s[1]) * e[2] + tapOff[tk];
                            // acc = w·x + acc, one rounding (fma), as in the product
                            if (s2 == 1) for (int ox = 0; ox < o2; ox++) y[yr + ox] = Math.fma(wt, pad[pr + ox], y[yr + ox]);
                            else for (int ox = 0; ox < o2; ox++) y[yr + ox] = Math.fma(wt, pad[pr + ox * s2], y[yr + ox]);
                        }
                    }
                }
                for (int o = yo; o < yo + oSize; o++) y[o] = 0f + y[o];
            }
        });
        return y;
    }

    /**
     * ∂x[b, c, o·s + t·d − p] += 0 + fma(w[c, t], g[b, c, o], 0): each column entry of W_gᵀ · G
     * (a product of depth one, its block added to a zeroed C) scattered back tap by tap, as col2im
     * adds them; on a padded plane, whose padding is then dropped.
     */
    static float[] backwardInput(float[] gy, float[] w, Geometry g, Axes a) {
        int[] e = extent(a), tapOff = tapOffsets(a, e);
        int planes = g.batch() * g.cIn(), c = g.cIn(), kSize = g.kernelSize(), oSize = g.outSize(), inSize = g.inSize();
        int o0 = a.out[0], o1 = a.out[1], o2 = a.out[2], s2 = a.s[2], tasks = Parallel.tasks(planes, work(g));
        float[] gx = new float[planes * inSize];
        Parallel.forEach(tasks, work(g), t -> {
            float[] gpad = new float[e[0] * e[1] * e[2]];
            for (int pl = from(planes, tasks, t); pl < from(planes, tasks, t + 1); pl++) {
                Arrays.fill(gpad, 0f);
                int go = pl * oSize, wo = (pl % c) * kSize;
                for (int tk = 0; tk < kSize; tk++) {
                    float wt = w[wo + tk];
                    for (int z = 0; z < o0; z++) {
                        for (int r = 0; r < o1; r++) {
                            int gr = go + (z * o1 + r) * o2, pr = (z * a.s[0] * e[1] + r * a.s[1]) * e[2] + tapOff[tk];
                            if (s2 == 1 && Backend.VECTOR) VectorConv.addProductRow(wt, gy, gr, gpad, pr, o2);
                            else if (s2 == 1) for (int ox = 0; ox < o2; ox++) gpad[pr + ox] += 0f + Math.fma(wt, gy[gr + ox], 0f);
                            else for (int ox = 0; ox < o2; ox++) gpad[pr + ox * s2] += 0f + Math.fma(wt, gy[gr + ox], 0f);
                        }
                    }
                }
                unpadPlane(gpad, a, e, gx, pl * inSize);
            }
        });
        return gx;
    }

    /**
     * ∂w[c, t] = Σ_b (0 + Σ_blocks (fma chain over the block's outputs of g[b, c, o] · xpad[o·s + t·d])):
     * G · colsᵀ of one row, per block of {@link Matmul#KC} outputs a chain from 0, the blocks added
     * to a zeroed entry in order, then the batch's parts added in batch order. The taps go in
     * groups of eight chains held in locals, side by side over the block (a group's missing taps
     * read tap 0 and are dropped). Split over channels.
     */
    static float[] backwardWeight(float[] x, float[] gy, Geometry g, Axes a) {
        int[] e = extent(a), tapOff = tapOffsets(a, e);
        int c = g.cIn(), kSize = g.kernelSize(), oSize = g.outSize(), inSize = g.inSize(), tasks = Parallel.tasks(c, work(g));
        // pos[o]: where output o's window starts in the padded plane
        int[] pos = positions(a, e);
        int lanes = (kSize + 7) / 8 * 8;
        int[] off = new int[lanes];
        for (int q = 0; q < lanes; q++) off[q] = tapOff[q < kSize ? q : 0];
        float[] gw = new float[c * kSize];
        if (Backend.VECTOR && g.batch() > 1) {
            weightAcrossBatch(x, gy, g, a, e, pos, tapOff, gw);
            return gw;
        }
        Parallel.forEach(tasks, work(g), t -> {
            float[] pad = new float[e[0] * e[1] * e[2]], part = new float[lanes];
            for (int ch = from(c, tasks, t); ch < from(c, tasks, t + 1); ch++) {
                for (int b = 0; b < g.batch(); b++) {
                    int pl = b * c + ch, go = pl * oSize;
                    padPlane(x, pl * inSize, a, e, pad);
                    Arrays.fill(part, 0f);
                    for (int o0 = 0; o0 < oSize; o0 += Matmul.KC) {
                        int o1 = Math.min(oSize, o0 + Matmul.KC);
                        for (int q = 0; q < lanes; q += 8) {
                            int f0 = off[q], f1 = off[q + 1], f2 = off[q + 2], f3 = off[q + 3], f4 = off[q + 4], f5 = off[q + 5], f6 = off[q + 6], f7 = off[q + 7];
                            float c0 = 0f, c1 = 0f, c2 = 0f, c3 = 0f, c4 = 0f, c5 = 0f, c6 = 0f, c7 = 0f;
                            for (int o = o0; o < o1; o++) {
                                // acc_t = g·x_t + acc_t, one rounding (fma), as in the product
                                float gv = gy[go + o];
                                int p = pos[o];
                                c0 = Math.fma(gv, pad[p + f0], c0);
                                c1 = Math.fma(gv, pad[p + f1], c1);
                                c2 = Math.fma(gv, pad[p + f2], c2);
                                c3 = Math.fma(gv, pad[p + f3], c3);
                                c4 = Math.fma(gv, pad[p + f4], c4);
                                c5 = Math.fma(gv, pad[p + f5], c5);
                                c6 = Math.fma(gv, pad[p + f6], c6);
                                c7 = Math.fma(gv, pad[p + f7], c7);
                            }
                            part[q] += c0;
                            part[q + 1] += c1;
                            part[q + 2] += c2;
                            part[q + 3] += c3;
                            part[q + 4] += c4;
                            part[q + 5] += c5;
                            part[q + 6] += c6;
                            part[q + 7] += c7;
                        }
                    }
                    for (int tk = 0; tk < kSize; tk++) gw[ch * kSize + tk] += part[tk];
                }
            }
        });
        return gw;
    }

    /**
     * {@link #backwardWeight}'s chains with the batch across vector lanes
     * ({@link VectorConv#depthwiseWeight}): per channel and run of L = {@link VectorConv#BATCH_LANES}
     * batches, the padded planes and the gradients interleaved (padI[i·L + l], gI[o·L + l]; lanes
     * past the batch read zeros and are dropped), the per-batch parts summed lane by lane, then added
     * to ∂w in batch order: every entry the same operations in the same order as the scalar loop.
     */
    private static void weightAcrossBatch(float[] x, float[] gy, Geometry g, Axes a, int[] e, int[] pos, int[] off, float[] gw) {
        int c = g.cIn(), kSize = g.kernelSize(), oSize = g.outSize(), inSize = g.inSize(), batch = g.batch(), lanes = VectorConv.BATCH_LANES;
        int ePlane = e[0] * e[1] * e[2], tasks = Parallel.tasks(c, work(g));
        // the part of the padded plane that holds input (the rest stays 0: padding)
        int lo2 = Math.max(0, a.p[2]), hi2 = Math.min(e[2], a.in[2] + a.p[2]);
        Parallel.forEach(tasks, work(g), t -> {
            float[] padI = new float[ePlane * lanes], gI = new float[oSize * lanes], part = new float[off.length * lanes];
            for (int ch = from(c, tasks, t); ch < from(c, tasks, t + 1); ch++) {
                for (int b0 = 0; b0 < batch; b0 += lanes) {
                    int nb = Math.min(lanes, batch - b0);
                    if (nb < lanes) {
                        // lanes past the batch: zeros, whatever the previous channel left there
                        Arrays.fill(padI, 0f);
                        Arrays.fill(gI, 0f);
                    }
                    for (int l = 0; l < nb; l++) {
                        int pl = (b0 + l) * c + ch, xOff = pl * inSize;
                        // padI[i·L + l] = xpad of plane pl at i (padPlane's copy, interleaved)
                        for (int e0 = Math.max(0, a.p[0]); e0 < Math.min(e[0], a.in[0] + a.p[0]); e0++) {
                            for (int e1 = Math.max(0, a.p[1]); e1 < Math.min(e[1], a.in[1] + a.p[1]); e1++) {
                                int src = xOff + ((e0 - a.p[0]) * a.in[1] + e1 - a.p[1]) * a.in[2] - a.p[2], dst = (e0 * e[1] + e1) * e[2];
                                for (int i = lo2; i < hi2; i++) padI[(dst + i) * lanes + l] = x[src + i];
                            }
                        }
                        for (int o = 0; o < oSize; o++) gI[o * lanes + l] = gy[pl * oSize + o];
                    }
                    Arrays.fill(part, 0f);
                    VectorConv.depthwiseWeight(gI, padI, pos, off, oSize, Matmul.KC, part);
                    for (int l = 0; l < nb; l++) {
                        for (int tk = 0; tk < kSize; tk++) gw[ch * kSize + tk] += part[tk * lanes + l];
                    }
                }
            }
        });
    }
}
