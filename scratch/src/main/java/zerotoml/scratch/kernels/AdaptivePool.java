package zerotoml.scratch.kernels;

import java.util.Arrays;

/**
 * Adaptive average pooling over planes of up to three spatial axes, on flat row-major arrays
 * x[planes, in...] → y[planes, out...]: output cell o on axis j covers [⌊o·i_j/O_j⌋, ⌈(o + 1)·i_j/O_j⌉)
 * of the input, as PyTorch's, its bounds computed from the output position as the loops run (no
 * index tables). Each cell is summed in double from +0 in increasing row-major offset and divided
 * by its size; the gradient adds each cell's share output by output. The naive twins in
 * {@link PoolOracles} ({@code naiveAdaptiveAvg}, {@code naiveAdaptiveAvgBackward}) walk the old op's
 * table of every cell's offsets in that order. Large work splits over whole planes ({@link Pool}'s
 * split), so the bits do not depend on the thread count.
 */
public final class AdaptivePool {
    private AdaptivePool() {}

    /**
     * The geometry of adaptive average pooling over {@code planes} planes: on each axis j, output
     * cell o covers [⌊o·i_j/O_j⌋, ⌈(o + 1)·i_j/O_j⌉) of the input, as PyTorch's. Fewer than three
     * spatial axes are given as they are; {@link #of} puts size-1 axes in front.
     */
    public record Cells(int planes, int[] in, int[] out) {
        public Cells {
            in = in.clone();
            out = out.clone();
        }

        /** Cells of 1 to 3 spatial axes, stored as 3 with leading axes of size 1. */
        public static Cells of(int planes, int[] in, int[] out) {
            if (in.length < 1 || in.length > 3 || out.length != in.length) {
                throw new IllegalArgumentException("AdaptivePool.Cells: 1 to 3 spatial axes, one entry each for in and out; got in " + Arrays.toString(in)
                        + ", out " + Arrays.toString(out));
            }
            for (int j = 0; j < in.length; j++) {
                if (in[j] < 0 || out[j] < 1) {
                    throw new IllegalArgumentException("AdaptivePool.Cells: input sizes must be at least 0 and output sizes at least 1; got in "
                            + Arrays.toString(in) + ", out " + Arrays.toString(out));
                }
            }
            if (planes < 0) throw new IllegalArgumentException("AdaptivePool.Cells: planes must be at least 0, got " + planes);
            return new Cells(planes, Pool.Window.lead(in, 1), Pool.Window.lead(out, 1));
        }

        @Override
        public String toString() {
            return planes + " planes of " + Arrays.toString(in) + " → " + Arrays.toString(out) + " (adaptive)";
        }

        public int inSize() { return in[0] * in[1] * in[2]; }
        public int outSize() { return out[0] * out[1] * out[2]; }

        /** The first input index of cell o on axis j: ⌊o·i/O⌋. */
        public int from(int j, int o) {
            return (int) Math.floorDiv((long) o * in[j], out[j]);
        }

        /** One past the last input index of cell o on axis j: ⌈(o + 1)·i/O⌉. */
        public int to(int j, int o) {
            return (int) -Math.floorDiv(-(long) (o + 1) * in[j], out[j]);
        }

        /** Element steps of one pass: every cell's elements, Π_j Σ_o |cell_j(o)| per plane. */
        long work() {
            long perPlane = 1;
            for (int j = 0; j < 3; j++) {
                long sum = 0;
                for (int o = 0; o < out[j]; o++) sum += to(j, o) - from(j, o);
                perPlane *= sum;
            }
            return planes * perPlane;
        }
    }

    // y[pl, o] = (Σ_{cell(o), row-major} x) / |cell(o)|,  summed in double from +0
    /**
     * Adaptive average pooling: each cell's elements summed in double in increasing (row-major)
     * offset from +0, then divided by the cell's element count. Cells of neighbouring outputs may
     * overlap (and repeat, when an output axis is longer than its input's).
     */
    public static void adaptiveAvg(double[] x, Cells c, double[] y) {
        checkCells("adaptiveAvg", x.length, c, y.length);
        Pool.planes(c.planes(), c.work(), (p0, p1) -> adaptivePlanes(x, null, c, y, p0, p1));
    }

    /** The float form of {@link #adaptiveAvg(double[], Cells, double[])}: each value widened as it is read, summed in double. */
    public static void adaptiveAvg(float[] x, Cells c, double[] y) {
        checkCells("adaptiveAvg", x.length, c, y.length);
        Pool.planes(c.planes(), c.work(), (p0, p1) -> adaptivePlanes(null, x, c, y, p0, p1));
    }

    /**
     * Planes [p0, p1) of x (exactly one of xd and xf is given): four at a time, four independent
     * sums that hide the latency of the addition (each plane's cells still summed in their own
     * order, so the bits are the one-plane loop's), then one at a time.
     */
    private static void adaptivePlanes(double[] xd, float[] xf, Cells c, double[] y, int p0, int p1) {
        int inSize = c.inSize(), oSize = c.outSize(), pl = p0;
        for (; pl + 4 <= p1; pl += 4) adaptiveFourPlanes(xd, xf, pl * inSize, inSize, c, y, pl * oSize, oSize);
        for (; pl < p1; pl++) adaptivePlane(xd, xf, pl * inSize, c, y, pl * oSize);
    }

    /** Four planes at x offsets base + k·n and y offsets outBase + k·m, k < 4, cell by cell. */
    private static void adaptiveFourPlanes(double[] xd, float[] xf, int base, int n, Cells c, double[] y, int outBase, int m) {
        int in1 = c.in[1], in2 = c.in[2];
        int o = outBase;
        for (int od = 0; od < c.out[0]; od++) {
            int d0 = c.from(0, od), d1 = c.to(0, od);
            for (int oh = 0; oh < c.out[1]; oh++) {
                int h0 = c.from(1, oh), h1 = c.to(1, oh);
                for (int ow = 0; ow < c.out[2]; ow++) {
                    int w0 = c.from(2, ow), w1 = c.to(2, ow);
                    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                    for (int id = d0; id < d1; id++) {
                        for (int ih = h0; ih < h1; ih++) {
                            int row = base + (id * in1 + ih) * in2;
                            if (xd != null) {
                                for (int i = row + w0; i < row + w1; i++) {
                                    s0 += xd[i];
                                    s1 += xd[i + n];
                                    s2 += xd[i + 2 * n];
                                    s3 += xd[i + 3 * n];
                                }
                            } else {
                                for (int i = row + w0; i < row + w1; i++) {
                                    s0 += xf[i];
                                    s1 += xf[i + n];
                                    s2 += xf[i + 2 * n];
                                    s3 += xf[i + 3 * n];
                                }
                            }
                        }
                    }
                    int count = (d1 - d0) * (h1 - h0) * (w1 - w0);
                    y[o] = s0 / count;
                    y[o + m] = s1 / count;
                    y[o + 2 * m] = s2 / count;
                    y[o + 3 * m] = s3 / count;
                    o++;
                }
            }
        }
    }

    /** One plane; exactly one of xd and xf is given. */
    private static void adaptivePlane(double[] xd, float[] xf, int base, Cells c, double[] y, int outBase) {
        int in1 = c.in[1], in2 = c.in[2];
        int o = outBase;
        for (int od = 0; od < c.out[0]; od++) {
            int d0 = c.from(0, od), d1 = c.to(0, od);
            for (int oh = 0; oh < c.out[1]; oh++) {
                int h0 = c.from(1, oh), h1 = c.to(1, oh);
                for (int ow = 0; ow < c.out[2]; ow++) {
                    int w0 = c.from(2, ow), w1 = c.to(2, ow);
                    double sum = 0;
                    for (int id = d0; id < d1; id++) {
                        for (int ih = h0; ih < h1; ih++) {
                            int row = base + (id * in1 + ih) * in2;
                            if (xd != null) for (int iw = w0; iw < w1; iw++) sum += xd[row + iw];
                            else for (int iw = w0; iw < w1; iw++) sum += xf[row + iw];
                        }
                    }
                    // an int count, as the division by an int array length was
                    y[o++] = sum / ((d1 - d0) * (h1 - h0) * (w1 - w0));
                }
            }
        }
    }

    // gx[pl, i] = Σ_{o: i ∈ cell(o), increasing o} g[pl, o] / |cell(o)|
    /**
     * The gradient of {@link #adaptiveAvg}: every output's share {@code g / |cell|} added to each
     * element of its cell, outputs in increasing order (so an element of overlapping cells gets
     * its shares in increasing output order), accumulated in double into {@code gx}, which must
     * hold zeros.
     */
    public static void adaptiveAvgBackward(double[] g, Cells c, double[] gx) {
        checkCells("adaptiveAvgBackward", gx.length, c, g.length);
        int inSize = c.inSize(), oSize = c.outSize();
        Pool.planes(c.planes(), c.work(), (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) adaptiveBackwardPlane(g, null, pl * oSize, c, gx, pl * inSize);
        });
    }

    /** The float form of {@link #adaptiveAvgBackward(double[], Cells, double[])}: each g widened, its share in double. */
    public static void adaptiveAvgBackward(float[] g, Cells c, double[] gx) {
        checkCells("adaptiveAvgBackward", gx.length, c, g.length);
        int inSize = c.inSize(), oSize = c.outSize();
        Pool.planes(c.planes(), c.work(), (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) adaptiveBackwardPlane(null, g, pl * oSize, c, gx, pl * inSize);
        });
    }

    /** One plane; exactly one of gd and gf is given. */
    private static void adaptiveBackwardPlane(double[] gd, float[] gf, int outBase, Cells c, double[] gx, int base) {
        int in1 = c.in[1], in2 = c.in[2];
        int o = outBase;
        for (int od = 0; od < c.out[0]; od++) {
            int d0 = c.from(0, od), d1 = c.to(0, od);
            for (int oh = 0; oh < c.out[1]; oh++) {
                int h0 = c.from(1, oh), h1 = c.to(1, oh);
                for (int ow = 0; ow < c.out[2]; ow++) {
                    int w0 = c.from(2, ow), w1 = c.to(2, ow);
                    double share = (gd != null ? gd[o] : gf[o]) / ((d1 - d0) * (h1 - h0) * (w1 - w0));
                    o++;
                    for (int id = d0; id < d1; id++) {
                        for (int ih = h0; ih < h1; ih++) {
                            int row = base + (id * in1 + ih) * in2;
                            for (int iw = w0; iw < w1; iw++) gx[row + iw] += share;
                        }
                    }
                }
            }
        }
    }

    private static void checkCells(String op, int inLen, Cells c, int outLen) {
        long in = (long) c.planes() * c.inSize(), out = (long) c.planes() * c.outSize();
        if (inLen != in || outLen != out) {
            throw new IllegalArgumentException("AdaptivePool." + op + ": " + c + " needs an input of " + in + " and an output of " + out + " elements, got "
                    + inLen + " and " + outLen);
        }
    }
}
