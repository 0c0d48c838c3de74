package zerotoml.scratch.kernels;

import static zerotoml.scratch.kernels.ConvPlanes.from;

import java.util.Arrays;

import zerotoml.scratch.kernels.ConvPlanes.Axes;

/**
 * N-dimensional grouped convolution (cross-correlation, as in every deep-learning library) on
 * row-major double or float arrays: x[n, cIn, in...], w[cOut, cIn/groups, k...], y[n, cOut, out...].
 * The float versions are the double ones line for line, with float arithmetic throughout (the
 * float {@link Matmul}, col2im and the sum over the batch in float), as PyTorch's float32 CPU
 * convolution accumulates in float.
 *
 * <p>The fast path is im2col plus the one matrix product ({@link Matmul#fast}): every receptive field is unrolled into a
 * column, so the convolution becomes one matrix product per (batch, group). Each fast function
 * has a {@code naive} twin in {@link ConvOracles} written as direct loops over every index, which tests hold equal to it
 * (llm.c keeps {@code matmul_forward_naive} beside its fast matmul for the same reason).
 *
 * <p>With the Vector API ({@link Backend#VECTOR}) and one to three spatial axes, the float kernels
 * skip the columns altogether: the forward product and ∂w read each column entry where it lies in
 * a zero-padded copy of the input, and ∂x sums each input pixel's taps directly from the output
 * gradient; every float entry keeps the operations, and their order, of the im2col path, which
 * stays as the table oracle ({@link ConvOracles#tableForward} and its twins) that {@code ConvKernelsTest}
 * holds them to bit for bit.
 *
 * <p>This file holds the public entry points, the double path and the float im2col path by runs.
 * The direct float kernels (no columns) are in {@link DirectConv}, the depthwise ones in
 * {@link DepthwiseConv}, their shared plane geometry in {@link ConvPlanes}; their oracles, the
 * table path and the naive loops, are in {@link ConvOracles}.
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

    /** The first output position o ≥ 0 whose tap reads inside the input, o·s + a ≥ 0 (a = t·d − p), at most out. */
    private static int firstInside(int a, int s, int out) {
        return a >= 0 ? 0 : Math.min(out, (-a + s - 1) / s);
    }

    /** One past the last output position whose tap reads inside the input, o·s + a < in; at least first. */
    private static int endInside(int a, int s, int in, int out, int first) {
        int end = in - a <= 0 ? 0 : Math.min(out, (in - a + s - 1) / s);
        return Math.max(first, end);
    }

    // cols[colOff + t·O + o] = x[xOff + in(o, t)], 0 where the tap reads padding: per tap and output row one copy between two zero runs
    private static void im2colPlane(float[] x, int xOff, Axes a, float[] cols, int colOff) {
        int o0 = a.out[0], o1 = a.out[1], o2 = a.out[2], oSize = o0 * o1 * o2, s2 = a.s[2];
        int tk = 0;
        for (int t0 = 0; t0 < a.k[0]; t0++) {
            for (int t1 = 0; t1 < a.k[1]; t1++) {
                for (int t2 = 0; t2 < a.k[2]; t2++) {
                    int row = colOff + tk++ * oSize, a2 = t2 * a.d[2] - a.p[2];
                    int lo = firstInside(a2, s2, o2), hi = endInside(a2, s2, a.in[2], o2, lo);
                    for (int z = 0; z < o0; z++) {
                        int iz = z * a.s[0] + t0 * a.d[0] - a.p[0];
                        for (int y = 0; y < o1; y++) {
                            int iy = y * a.s[1] + t1 * a.d[1] - a.p[1], dst = row + (z * o1 + y) * o2;
                            if (iz < 0 || iz >= a.in[0] || iy < 0 || iy >= a.in[1]) {
                                Arrays.fill(cols, dst, dst + o2, 0f);
                                continue;
                            }
                            int src = xOff + (iz * a.in[1] + iy) * a.in[2] + a2; // + ox·s2
                            // the zero runs are a tap or two long: plain loops, not fill calls
                            for (int ox = 0; ox < lo; ox++) cols[dst + ox] = 0f;
                            if (s2 != 1) for (int ox = lo; ox < hi; ox++) cols[dst + ox] = x[src + ox * s2];
                            else if (hi > lo) System.arraycopy(x, src + lo, cols, dst + lo, hi - lo);
                            for (int ox = hi; ox < o2; ox++) cols[dst + ox] = 0f;
                        }
                    }
                }
            }
        }
    }

    // gx[xOff + in(o, t)] += dcols[colOff + t·O + o] where the tap reads inside the input, taps in order (the table loop's order)
    private static void col2imPlane(float[] dcols, int colOff, Axes a, float[] gx, int xOff) {
        int o0 = a.out[0], o1 = a.out[1], o2 = a.out[2], oSize = o0 * o1 * o2, s2 = a.s[2];
        int tk = 0;
        for (int t0 = 0; t0 < a.k[0]; t0++) {
            for (int t1 = 0; t1 < a.k[1]; t1++) {
                for (int t2 = 0; t2 < a.k[2]; t2++) {
                    int row = colOff + tk++ * oSize, a2 = t2 * a.d[2] - a.p[2];
                    int lo = firstInside(a2, s2, o2), hi = endInside(a2, s2, a.in[2], o2, lo);
                    for (int z = 0; z < o0; z++) {
                        int iz = z * a.s[0] + t0 * a.d[0] - a.p[0];
                        if (iz < 0 || iz >= a.in[0]) continue;
                        for (int y = 0; y < o1; y++) {
                            int iy = y * a.s[1] + t1 * a.d[1] - a.p[1], src = row + (z * o1 + y) * o2;
                            if (iy < 0 || iy >= a.in[1]) continue;
                            int dst = xOff + (iz * a.in[1] + iy) * a.in[2] + a2; // + ox·s2
                            if (s2 == 1 && Backend.VECTOR) VectorConv.addRow(dcols, src + lo, gx, dst + lo, hi - lo);
                            else if (s2 == 1) for (int ox = lo; ox < hi; ox++) gx[dst + ox] += dcols[src + ox];
                            else for (int ox = lo; ox < hi; ox++) gx[dst + ox * s2] += dcols[src + ox];
                        }
                    }
                }
            }
        }
    }

    /**
     * {@link #forward(double[], double[], Geometry)} in float: y = W_g · cols per (batch, group),
     * im2col by runs (no table), one column buffer per task. A depthwise convolution (one input and
     * one output channel per group) runs {@link DepthwiseConv#forward} instead: a product of one row
     * per group is no matrix product. Bit for bit {@link ConvOracles#tableForward}.
     */
    public static float[] forward(float[] x, float[] w, Geometry g) {
        Axes a = Axes.of(g);
        if (a == null) return ConvOracles.tableForward(x, w, g);
        if (DepthwiseConv.applies(g)) return DepthwiseConv.forward(x, w, g, a);
        if (Backend.VECTOR) return DirectConv.forward(x, w, g, a);
        int kSize = g.kernelSize(), rows = g.cInG() * kSize, oSize = g.outSize(), cOutG = g.cOutG(), inSize = g.inSize();
        int units = g.batch() * g.groups(), tasks = Parallel.tasks(units, work(g));
        float[] y = new float[g.batch() * g.cOut() * oSize];
        Parallel.forEach(tasks, work(g), t -> {
            float[] cols = new float[rows * oSize];
            for (int bg = from(units, tasks, t); bg < from(units, tasks, t + 1); bg++) {
                int b = bg / g.groups(), grp = bg % g.groups();
                for (int ci = 0; ci < g.cInG(); ci++) im2colPlane(x, (b * g.cIn() + grp * g.cInG() + ci) * inSize, a, cols, ci * kSize * oSize);
                Matmul.fast(w, grp * cOutG * rows, cols, 0, y, (b * g.cOut() + grp * cOutG) * oSize, cOutG, rows, oSize);
            }
        });
        return y;
    }

    /** {@link #backwardInput(double[], double[], Geometry)} in float: dcols = W_gᵀ · G_bg, then col2im by runs. Bit for bit {@link ConvOracles#tableBackwardInput}. */
    public static float[] backwardInput(float[] gy, float[] w, Geometry g) {
        Axes a = Axes.of(g);
        if (a == null) return ConvOracles.tableBackwardInput(gy, w, g);
        if (DepthwiseConv.applies(g)) return DepthwiseConv.backwardInput(gy, w, g, a);
        if (Backend.VECTOR && g.cOutG() <= Matmul.KC) return DirectConv.backwardInput(gy, w, g, a);
        int kSize = g.kernelSize(), rows = g.cInG() * kSize, oSize = g.outSize(), cOutG = g.cOutG(), inSize = g.inSize();
        int units = g.batch() * g.groups(), tasks = Parallel.tasks(units, work(g));
        float[] gx = new float[g.batch() * g.cIn() * inSize];
        Parallel.forEach(tasks, work(g), t -> {
            float[] dcols = new float[rows * oSize];
            for (int bg = from(units, tasks, t); bg < from(units, tasks, t + 1); bg++) {
                int b = bg / g.groups(), grp = bg % g.groups();
                Matmul.fast(w, grp * cOutG * rows, true, gy, (b * g.cOut() + grp * cOutG) * oSize, false, dcols, 0, rows, cOutG, oSize);
                for (int ci = 0; ci < g.cInG(); ci++) col2imPlane(dcols, ci * kSize * oSize, a, gx, (b * g.cIn() + grp * g.cInG() + ci) * inSize);
            }
        });
        return gx;
    }

    /**
     * {@link #backwardWeight(double[], double[], Geometry)} in float: per (batch, group) the transposed
     * part, cols · Gᵀ ([rows, cOutG]: the long operand read as rows and the short one transposed,
     * which packs and tiles better than G · colsᵀ; an entry is the same fma chain, a·b = b·a),
     * added into ∂w transposed back, in batch order. Bit for bit {@link ConvOracles#tableBackwardWeight}.
     */
    public static float[] backwardWeight(float[] x, float[] gy, Geometry g) {
        Axes a = Axes.of(g);
        if (a == null) return ConvOracles.tableBackwardWeight(x, gy, g);
        if (DepthwiseConv.applies(g)) return DepthwiseConv.backwardWeight(x, gy, g, a);
        int kSize = g.kernelSize(), rows = g.cInG() * kSize, oSize = g.outSize(), cOutG = g.cOutG(), inSize = g.inSize();
        int units = g.batch() * g.groups(), tasks = Parallel.tasks(units, work(g));
        float[][] parts = new float[units][];
        if (Backend.VECTOR) DirectConv.weightParts(x, gy, g, a, parts);
        else Parallel.forEach(tasks, work(g), t -> {
            float[] cols = new float[rows * oSize];
            for (int bg = from(units, tasks, t); bg < from(units, tasks, t + 1); bg++) {
                int b = bg / g.groups(), grp = bg % g.groups();
                float[] partT = new float[rows * cOutG];
                for (int ci = 0; ci < g.cInG(); ci++) im2colPlane(x, (b * g.cIn() + grp * g.cInG() + ci) * inSize, a, cols, ci * kSize * oSize);
                // partT[r, co] = Σ_o cols[r, o] · G[co, o]
                Matmul.fast(cols, 0, false, gy, (b * g.cOut() + grp * cOutG) * oSize, true, partT, 0, rows, oSize, cOutG);
                parts[bg] = partT;
            }
        });
        float[] gw = new float[g.cOut() * rows];
        for (int bg = 0; bg < units; bg++) {
            int base = (bg % g.groups()) * cOutG * rows;
            float[] partT = parts[bg];
            for (int co = 0; co < cOutG; co++) {
                for (int r = 0; r < rows; r++) gw[base + co * rows + r] += partT[r * cOutG + co];
            }
        }
        return gw;
    }
}
