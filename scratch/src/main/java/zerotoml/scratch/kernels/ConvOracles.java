package zerotoml.scratch.kernels;

import static zerotoml.scratch.kernels.ConvKernels.offsets;
import static zerotoml.scratch.kernels.ConvKernels.unravel;
import static zerotoml.scratch.kernels.ConvKernels.work;

import zerotoml.scratch.kernels.ConvKernels.Geometry;

/**
 * The oracles of {@link ConvKernels}, {@link DirectConv} and {@link DepthwiseConv}: the float im2col
 * path through the offset table (the fast float kernels must give its bits; it also runs for more
 * than three spatial axes), and the naive loops straight from the definition, in double and float.
 */
public final class ConvOracles {
    private ConvOracles() {}

    // ------------------------------------------------------------------ float, through the im2col table (the bit oracle)

    // cols[(ci·K + t)·O + o] = x[b, g·cInG + ci, offset(t, o)]  (0 where the tap reads padding)
    private static void im2col(float[] x, Geometry g, int[] table, int b, int grp, float[] cols) {
        int cInG = g.cInG(), kSize = g.kernelSize(), oSize = g.outSize(), inSize = g.inSize();
        for (int ci = 0; ci < cInG; ci++) {
            int xOff = (b * g.cIn() + grp * cInG + ci) * inSize;
            for (int tk = 0; tk < kSize; tk++) {
                int row = (ci * kSize + tk) * oSize, tRow = tk * oSize;
                for (int o = 0; o < oSize; o++) {
                    int off = table[tRow + o];
                    cols[row + o] = off < 0 ? 0 : x[xOff + off];
                }
            }
        }
    }

    /**
     * {@link ConvKernels#forward(double[], double[], Geometry)} in float through the im2col table, one (batch, group) at a time: the
     * fast float kernels must give exactly these bits ({@code ConvKernelsTest}), and it runs in their place for more than three axes.
     */
    static float[] tableForward(float[] x, float[] w, Geometry g) {
        int[] table = offsets(g);
        int rows = g.cInG() * g.kernelSize(), oSize = g.outSize(), cOutG = g.cOutG();
        float[] y = new float[g.batch() * g.cOut() * oSize];
        Parallel.forEach(g.batch() * g.groups(), work(g), bg -> {
            int b = bg / g.groups(), grp = bg % g.groups();
            float[] cols = new float[rows * oSize];
            im2col(x, g, table, b, grp, cols);
            Matmul.fast(w, grp * cOutG * rows, cols, 0, y, (b * g.cOut() + grp * cOutG) * oSize, cOutG, rows, oSize);
        });
        return y;
    }

    /** {@link ConvKernels#backwardInput(double[], double[], Geometry)} in float through the table: dcols = W_gᵀ · G_bg, then col2im (the bit oracle). */
    static float[] tableBackwardInput(float[] gy, float[] w, Geometry g) {
        int[] table = offsets(g);
        int kSize = g.kernelSize(), rows = g.cInG() * kSize, oSize = g.outSize(), cOutG = g.cOutG(), inSize = g.inSize();
        float[] gx = new float[g.batch() * g.cIn() * inSize];
        Parallel.forEach(g.batch() * g.groups(), work(g), bg -> {
            int b = bg / g.groups(), grp = bg % g.groups();
            float[] dcols = new float[rows * oSize];
            Matmul.fast(w, grp * cOutG * rows, true, gy, (b * g.cOut() + grp * cOutG) * oSize, false, dcols, 0, rows, cOutG, oSize);
            for (int ci = 0; ci < g.cInG(); ci++) {
                int xOff = (b * g.cIn() + grp * g.cInG() + ci) * inSize;
                for (int tk = 0; tk < kSize; tk++) {
                    int row = (ci * kSize + tk) * oSize, tRow = tk * oSize;
                    for (int o = 0; o < oSize; o++) {
                        int off = table[tRow + o];
                        if (off >= 0) gx[xOff + off] += dcols[row + o];
                    }
                }
            }
        });
        return gx;
    }

    /** {@link ConvKernels#backwardWeight(double[], double[], Geometry)} in float through the table: per (batch, group) G · colsᵀ, summed in batch order (the bit oracle). */
    static float[] tableBackwardWeight(float[] x, float[] gy, Geometry g) {
        int[] table = offsets(g);
        int rows = g.cInG() * g.kernelSize(), oSize = g.outSize(), cOutG = g.cOutG();
        float[][] parts = new float[g.batch() * g.groups()][];
        Parallel.forEach(g.batch() * g.groups(), work(g), bg -> {
            int b = bg / g.groups(), grp = bg % g.groups();
            float[] cols = new float[rows * oSize], part = new float[cOutG * rows];
            im2col(x, g, table, b, grp, cols);
            Matmul.fast(gy, (b * g.cOut() + grp * cOutG) * oSize, false, cols, 0, true, part, 0, cOutG, oSize, rows);
            parts[bg] = part;
        });
        float[] gw = new float[g.cOut() * rows];
        for (int bg = 0; bg < parts.length; bg++) {
            int base = (bg % g.groups()) * cOutG * rows;
            float[] part = parts[bg];
            for (int i = 0; i < part.length; i++) gw[base + i] += part[i];
        }
        return gw;
    }

    // ------------------------------------------------------------------ naive oracles

    /** The input offset read by tap t at output o, straight from the definition, or −1 in padding. */
    private static int naiveOffset(Geometry g, int[] o, int[] t) {
        int off = 0;
        for (int j = 0; j < g.dims(); j++) {
            int p = o[j] * g.stride()[j] - g.padLo()[j] + t[j] * g.dilation()[j];
            if (p < 0 || p >= g.in()[j]) return -1;
            off = off * g.in()[j] + p;
        }
        return off;
    }

    /** y[b, co, o] = Σ_{ci, t} w[co, ci, t] x[b, g·cInG + ci, o·s − p + t·d], seven plain loops. */
    public static double[] naiveForward(double[] x, double[] w, Geometry g) {
        int dims = g.dims();
        int[] o = new int[dims], t = new int[dims];
        double[] y = new double[g.batch() * g.cOut() * g.outSize()];
        for (int b = 0; b < g.batch(); b++) {
            for (int co = 0; co < g.cOut(); co++) {
                int grp = co / g.cOutG();
                for (int oi = 0; oi < g.outSize(); oi++) {
                    unravel(oi, g.out(), o);
                    double s = 0;
                    for (int ci = 0; ci < g.cInG(); ci++) {
                        for (int tk = 0; tk < g.kernelSize(); tk++) {
                            unravel(tk, g.kernel(), t);
                            int off = naiveOffset(g, o, t);
                            if (off < 0) continue;
                            s += w[(co * g.cInG() + ci) * g.kernelSize() + tk] * x[(b * g.cIn() + grp * g.cInG() + ci) * g.inSize() + off];
                        }
                    }
                    y[(b * g.cOut() + co) * g.outSize() + oi] = s;
                }
            }
        }
        return y;
    }

    /** ∂x and ∂w by scattering every product of {@link #naiveForward} back: returns {∂x, ∂w}. */
    public static double[][] naiveBackward(double[] x, double[] w, double[] gy, Geometry g) {
        int dims = g.dims();
        int[] o = new int[dims], t = new int[dims];
        double[] gx = new double[x.length], gw = new double[w.length];
        for (int b = 0; b < g.batch(); b++) {
            for (int co = 0; co < g.cOut(); co++) {
                int grp = co / g.cOutG();
                for (int oi = 0; oi < g.outSize(); oi++) {
                    unravel(oi, g.out(), o);
                    double go = gy[(b * g.cOut() + co) * g.outSize() + oi];
                    for (int ci = 0; ci < g.cInG(); ci++) {
                        for (int tk = 0; tk < g.kernelSize(); tk++) {
                            unravel(tk, g.kernel(), t);
                            int off = naiveOffset(g, o, t);
                            if (off < 0) continue;
                            int wi = (co * g.cInG() + ci) * g.kernelSize() + tk;
                            int xi = (b * g.cIn() + grp * g.cInG() + ci) * g.inSize() + off;
                            gx[xi] += w[wi] * go;
                            gw[wi] += x[xi] * go;
                        }
                    }
                }
            }
        }
        return new double[][] {gx, gw};
    }

    /** {@link #naiveForward(double[], double[], Geometry)} summed in float: the float oracle. */
    public static float[] naiveForward(float[] x, float[] w, Geometry g) {
        int dims = g.dims();
        int[] o = new int[dims], t = new int[dims];
        float[] y = new float[g.batch() * g.cOut() * g.outSize()];
        for (int b = 0; b < g.batch(); b++) {
            for (int co = 0; co < g.cOut(); co++) {
                int grp = co / g.cOutG();
                for (int oi = 0; oi < g.outSize(); oi++) {
                    unravel(oi, g.out(), o);
                    float s = 0;
                    for (int ci = 0; ci < g.cInG(); ci++) {
                        for (int tk = 0; tk < g.kernelSize(); tk++) {
                            unravel(tk, g.kernel(), t);
                            int off = naiveOffset(g, o, t);
                            if (off < 0) continue;
                            s += w[(co * g.cInG() + ci) * g.kernelSize() + tk] * x[(b * g.cIn() + grp * g.cInG() + ci) * g.inSize() + off];
                        }
                    }
                    y[(b * g.cOut() + co) * g.outSize() + oi] = s;
                }
            }
        }
        return y;
    }

    /** {@link #naiveBackward(double[], double[], double[], Geometry)} summed in float: returns {∂x, ∂w}. */
    public static float[][] naiveBackward(float[] x, float[] w, float[] gy, Geometry g) {
        int dims = g.dims();
        int[] o = new int[dims], t = new int[dims];
        float[] gx = new float[x.length], gw = new float[w.length];
        for (int b = 0; b < g.batch(); b++) {
            for (int co = 0; co < g.cOut(); co++) {
                int grp = co / g.cOutG();
                for (int oi = 0; oi < g.outSize(); oi++) {
                    unravel(oi, g.out(), o);
                    float go = gy[(b * g.cOut() + co) * g.outSize() + oi];
                    for (int ci = 0; ci < g.cInG(); ci++) {
                        for (int tk = 0; tk < g.kernelSize(); tk++) {
                            unravel(tk, g.kernel(), t);
                            int off = naiveOffset(g, o, t);
                            if (off < 0) continue;
                            int wi = (co * g.cInG() + ci) * g.kernelSize() + tk;
                            int xi = (b * g.cIn() + grp * g.cInG() + ci) * g.inSize() + off;
                            gx[xi] += w[wi] * go;
                            gw[wi] += x[xi] * go;
                        }
                    }
                }
            }
        }
        return new float[][] {gx, gw};
    }
}
