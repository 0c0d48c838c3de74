package zerotoml.scratch.kernels;

/**
 * N-dimensional grouped convolution (cross-correlation, as in every deep-learning library) on
 * row-major double or float arrays: x[n, cIn, in...], w[cOut, cIn/groups, k...], y[n, cOut, out...].
 * The float versions are the double ones line for line, with float arithmetic throughout (the
 * float {@link Matmul}, col2im and the sum over the batch in float), as PyTorch's float32 CPU
 * convolution accumulates in float.
 *
 * <p>The fast path is im2col plus the one matrix product ({@link Matmul#fast}): every receptive field is unrolled into a
 * column, so the convolution becomes one matrix product per (batch, group). Each fast function
 * has a {@code naive} twin written as direct loops over every index, which tests hold equal to it
 * (llm.c keeps {@code matmul_forward_naive} beside its fast matmul for the same reason).
 *
 * <p>Padding is given per side and may be negative here (a crop): the transposed convolution of
 * Relationship 14 needs that when p &gt; d(k − 1). The public ops reject negative padding.
 */
public final class ConvKernels {
    private ConvKernels() {}

    /**
     * The shape of one convolution. {@code out} must already follow Relationship 15 with the given
     * padding: out = ⌊(in + padLo + padHi − d(k − 1) − 1)/s⌋ + 1.
     */
    public record Geometry(int batch, int cIn, int cOut, int groups, int[] in, int[] kernel, int[] out,
                           int[] stride, int[] padLo, int[] dilation) {
        public int dims() { return in.length; }
        public int inSize() { return prod(in); }
        public int kernelSize() { return prod(kernel); }
        public int outSize() { return prod(out); }
        public int cInG() { return cIn / groups; }
        public int cOutG() { return cOut / groups; }
    }

    /** Multiply-adds of one pass over the geometry. */
    static long work(Geometry g) {
        return (long) g.batch() * g.cOut() * g.outSize() * g.cInG() * g.kernelSize();
    }

    public static int prod(int[] a) {
        int p = 1;
        for (int v : a) p *= v;
        return p;
    }

    /**
     * The im2col table: for kernel tap t and output position o, the flat spatial offset of the
     * input element it reads, or −1 where it reads padding.
     * in_j = o_j·s_j − padLo_j + t_j·d_j  (per axis j)
     */
    static int[] offsets(Geometry g) {
        return offsets(g.in(), g.kernel(), g.out(), g.stride(), g.padLo(), g.dilation());
    }

    /** The same table for any sliding window (pooling uses it too). */
    public static int[] offsets(int[] in, int[] kernel, int[] out, int[] stride, int[] padLo, int[] dilation) {
        int dims = in.length, kSize = prod(kernel), oSize = prod(out);
        int[] table = new int[kSize * oSize];
        int[] t = new int[dims], o = new int[dims];
        for (int tk = 0; tk < kSize; tk++) {
            unravel(tk, kernel, t);
            for (int oi = 0; oi < oSize; oi++) {
                unravel(oi, out, o);
                int off = 0;
                for (int j = 0; j < dims; j++) {
                    int p = o[j] * stride[j] - padLo[j] + t[j] * dilation[j];
                    if (p < 0 || p >= in[j]) {
                        off = -1;
                        break;
                    }
                    off = off * in[j] + p;
                }
                table[tk * oSize + oi] = off;
            }
        }
        return table;
    }

    public static void unravel(int flat, int[] dims, int[] idx) {
        for (int j = dims.length - 1; j >= 0; j--) {
            idx[j] = flat % dims[j];
            flat /= dims[j];
        }
    }

    // cols[(ci·K + t)·O + o] = x[b, g·cInG + ci, offset(t, o)]  (0 where the tap reads padding)
    private static void im2col(double[] x, Geometry g, int[] table, int b, int grp, double[] cols) {
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

    /** y[b, co, o] = Σ_{ci,t} w[co, ci, t] · x[b, g·cInG + ci, in(o, t)]  (im2col, then W_g · cols). */
    public static double[] forward(double[] x, double[] w, Geometry g) {
        int[] table = offsets(g);
        int rows = g.cInG() * g.kernelSize(), oSize = g.outSize(), cOutG = g.cOutG();
        double[] y = new double[g.batch() * g.cOut() * oSize];
        Parallel.forEach(g.batch() * g.groups(), work(g), bg -> {
            int b = bg / g.groups(), grp = bg % g.groups();
            double[] cols = new double[rows * oSize];
            im2col(x, g, table, b, grp, cols);
            Matmul.fast(w, grp * cOutG * rows, cols, 0, y, (b * g.cOut() + grp * cOutG) * oSize, cOutG, rows, oSize);
        });
        return y;
    }

    /** ∂x: dcols = W_gᵀ · G_bg, then col2im adds every column entry back to the input element it came from. */
    public static double[] backwardInput(double[] gy, double[] w, Geometry g) {
        int[] table = offsets(g);
        int kSize = g.kernelSize(), rows = g.cInG() * kSize, oSize = g.outSize(), cOutG = g.cOutG(), inSize = g.inSize();
        double[] gx = new double[g.batch() * g.cIn() * inSize];
        Parallel.forEach(g.batch() * g.groups(), work(g), bg -> {
            int b = bg / g.groups(), grp = bg % g.groups();
            double[] dcols = new double[rows * oSize];
            // W_g is stored [cOutG, rows]: the kernel reads it transposed in place
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

    /**
     * ∂w_g = Σ_b G_bg · cols_bgᵀ: the cross-correlation of the input with the output gradient.
     * Each (batch, group) product runs in parallel into its own buffer; the buffers are then summed
     * in batch order, so the result does not depend on thread timing.
     */
    public static double[] backwardWeight(double[] x, double[] gy, Geometry g) {
        int[] table = offsets(g);
        int rows = g.cInG() * g.kernelSize(), oSize = g.outSize(), cOutG = g.cOutG();
        double[][] parts = new double[g.batch() * g.groups()][];
        Parallel.forEach(g.batch() * g.groups(), work(g), bg -> {
            int b = bg / g.groups(), grp = bg % g.groups();
            double[] cols = new double[rows * oSize], part = new double[cOutG * rows];
            im2col(x, g, table, b, grp, cols);
            // cols is stored [rows, oSize]: the kernel reads it transposed in place
            Matmul.fast(gy, (b * g.cOut() + grp * cOutG) * oSize, false, cols, 0, true, part, 0, cOutG, oSize, rows);
            parts[bg] = part;
        });
        double[] gw = new double[g.cOut() * rows];
        for (int bg = 0; bg < parts.length; bg++) {
            int base = (bg % g.groups()) * cOutG * rows;
            double[] part = parts[bg];
            for (int i = 0; i < part.length; i++) gw[base + i] += part[i];
        }
        return gw;
    }

    // ------------------------------------------------------------------ float

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

    /** {@link #forward(double[], double[], Geometry)} in float: y = W_g · cols per (batch, group). */
    public static float[] forward(float[] x, float[] w, Geometry g) {
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

    /** {@link #backwardInput(double[], double[], Geometry)} in float: dcols = W_gᵀ · G_bg, then col2im. */
    public static float[] backwardInput(float[] gy, float[] w, Geometry g) {
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

    /** {@link #backwardWeight(double[], double[], Geometry)} in float: per (batch, group) G · colsᵀ, summed in batch order. */
    public static float[] backwardWeight(float[] x, float[] gy, Geometry g) {
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
