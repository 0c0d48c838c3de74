package zerotoml.scratch.kernels;

import java.util.Arrays;

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
 * <p>With the Vector API ({@link Backend#VECTOR}) and one to three spatial axes, the float kernels
 * skip the columns altogether: the forward product and ∂w read each column entry where it lies in
 * a zero-padded copy of the input, and ∂x sums each input pixel's taps directly from the output
 * gradient; every float entry keeps the operations, and their order, of the im2col path, which
 * stays as the table oracle ({@code tableForward} and its twins) that {@code ConvKernelsTest}
 * holds them to bit for bit.
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

    /**
     * One to three spatial axes as three, leading axes of size 1 (kernel 1, stride 1, padding 0,
     * dilation 1): the form the float loops below walk. Null above three axes (the table path runs).
     */
    private record Axes(int[] in, int[] k, int[] out, int[] s, int[] p, int[] d) {
        static Axes of(Geometry g) {
            if (g.dims() > 3) return null;
            return new Axes(lead(g.in(), 1), lead(g.kernel(), 1), lead(g.out(), 1), lead(g.stride(), 1), lead(g.padLo(), 0), lead(g.dilation(), 1));
        }

        private static int[] lead(int[] v, int fill) {
            int[] r = {fill, fill, fill};
            System.arraycopy(v, 0, r, 3 - v.length, v.length);
            return r;
        }
    }

    /** The first output position o ≥ 0 whose tap reads inside the input, o·s + a ≥ 0 (a = t·d − p), at most out. */
    private static int firstInside(int a, int s, int out) {
        return a >= 0 ? 0 : Math.min(out, (-a + s - 1) / s);
    }

    /** One past the last output position whose tap reads inside the input, o·s + a < in; at least first. */
    private static int endInside(int a, int s, int in, int out, int first) {
        int end = in - a <= 0 ? 0 : Math.min(out, (in - a + s - 1) / s);
        return Math.max(first, end);
    }

    /** Task t's share [from(t), from(t + 1)) of {@code units} units cut into {@code tasks} runs. */
    private static int from(int units, int tasks, int t) {
        return (int) ((long) units * t / tasks);
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
                            if (s2 == 1 && Backend.VECTOR) VectorMatmul.addRow(dcols, src + lo, gx, dst + lo, hi - lo);
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
     * one output channel per group) runs {@link #depthwiseForward} instead: a product of one row
     * per group is no matrix product. Bit for bit {@link #tableForward}.
     */
    public static float[] forward(float[] x, float[] w, Geometry g) {
        Axes a = Axes.of(g);
        if (a == null) return tableForward(x, w, g);
        if (depthwise(g)) return depthwiseForward(x, w, g, a);
        if (Backend.VECTOR) return forwardFromPaddedInput(x, w, g, a);
        int kSize = g.kernelSize(), rows = g.cInG() * kSize, oSize = g.outSize(), cOutG = g.cOutG(), inSize = g.inSize();
        int units = g.batch() * g.groups(), tasks = Parallel.tasks(units);
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

    /** {@link #backwardInput(double[], double[], Geometry)} in float: dcols = W_gᵀ · G_bg, then col2im by runs. Bit for bit {@link #tableBackwardInput}. */
    public static float[] backwardInput(float[] gy, float[] w, Geometry g) {
        Axes a = Axes.of(g);
        if (a == null) return tableBackwardInput(gy, w, g);
        if (depthwise(g)) return depthwiseBackwardInput(gy, w, g, a);
        if (Backend.VECTOR && g.cOutG() <= Matmul.KC) return inputGradDirect(gy, w, g, a);
        int kSize = g.kernelSize(), rows = g.cInG() * kSize, oSize = g.outSize(), cOutG = g.cOutG(), inSize = g.inSize();
        int units = g.batch() * g.groups(), tasks = Parallel.tasks(units);
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
     * added into ∂w transposed back, in batch order. Bit for bit {@link #tableBackwardWeight}.
     */
    public static float[] backwardWeight(float[] x, float[] gy, Geometry g) {
        Axes a = Axes.of(g);
        if (a == null) return tableBackwardWeight(x, gy, g);
        if (depthwise(g)) return depthwiseBackwardWeight(x, gy, g, a);
        int kSize = g.kernelSize(), rows = g.cInG() * kSize, oSize = g.outSize(), cOutG = g.cOutG(), inSize = g.inSize();
        int units = g.batch() * g.groups(), tasks = Parallel.tasks(units);
        float[][] parts = new float[units][];
        if (Backend.VECTOR) weightPartsFromPaddedInput(x, gy, g, a, parts);
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

    /**
     * parts[bg] = cols · Gᵀ of (batch, group) bg, the product of {@link #backwardWeight} with no
     * columns and no packed copy of them: the tile reads each column entry where it lies in the
     * zero-padded input, cols[(ci, t), o] = xpad[ci·E + tapOff[t] + pos[o]]
     * ({@link VectorMatmul#paddedTile}). Per block of {@link Matmul#KC} outputs an fma chain from 0,
     * the blocks added to a zeroed part in order, the tiles six rows by two vectors, Gᵀ packed per
     * block as {@link Matmul} packs B: each entry the operations of {@link Matmul#fast} in its order.
     */
    private static void weightPartsFromPaddedInput(float[] x, float[] gy, Geometry g, Axes a, float[][] parts) {
        int[] e = extent(a), tapOff = tapOffsets(a, e), pos = positions(a, e);
        int kSize = g.kernelSize(), cInG = g.cInG(), rows = cInG * kSize, oSize = g.outSize(), cOutG = g.cOutG(), inSize = g.inSize();
        int ePlane = e[0] * e[1] * e[2], nr = VectorMatmul.NR_F, mr = VectorMatmul.MR, nPad = (cOutG + nr - 1) / nr * nr;
        int units = g.batch() * g.groups(), tasks = Parallel.tasks(units);
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
     * {@link #forward(float[], float[], Geometry)}'s product W_g · cols with no columns: its
     * transpose colsᵀ · W_gᵀ, whose A is read where it lies in the zero-padded input,
     * colsᵀ[o, (ci, t)] = xpad[pos[o] + ci·E + tapOff[t]] ({@link VectorMatmul#paddedTile}), into
     * an [outputs, cOutG] buffer, then copied into y transposed. An entry is the same fma chains
     * (a·b = b·a in an fma) from 0 per block of {@link Matmul#KC} taps, added to a zeroed entry in
     * order, as {@link Matmul#fast} computes W_g · cols.
     */
    private static float[] forwardFromPaddedInput(float[] x, float[] w, Geometry g, Axes a) {
        int[] e = extent(a), tapOff = tapOffsets(a, e), pos = positions(a, e);
        int kSize = g.kernelSize(), cInG = g.cInG(), rows = cInG * kSize, oSize = g.outSize(), cOutG = g.cOutG(), inSize = g.inSize();
        int ePlane = e[0] * e[1] * e[2], nr = VectorMatmul.NR_F, mr = VectorMatmul.MR, nPad = (cOutG + nr - 1) / nr * nr;
        int units = g.batch() * g.groups(), tasks = Parallel.tasks(units);
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
     * {@link #backwardInput(float[], float[], Geometry)} with no column buffer, for at most
     * {@link Matmul#KC} output channels per group (one block of the product's chain): per input
     * pixel, its taps in order, each column entry the product's
     * 0 + (fma chain over the output channels from 0), added where col2im adds it
     * ({@link VectorMatmul#inputGradTile}, six input channels by two vectors of pixels). The
     * gradient's rows are copied interleaved by channel and padded along the row (gpad), so that
     * every lane reads inside the buffer; a lane whose output lies outside adds nothing. With a
     * stride s along the row, the row's pixels go in s phases φ + s·m, each reading g contiguously.
     */
    private static float[] inputGradDirect(float[] gy, float[] w, Geometry g, Axes a) {
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
        int units = g.batch() * g.groups(), tasks = Parallel.tasks(units);
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
                                        if (VectorMatmul.IN_REGISTERS) VectorMatmul.inputGradTileInRegisters(w, wBase, rows, wr, cOutG, gpad, rowW, tapRow, sh, l, h, mask, m0, gx, gxRow, m0);
                                        else VectorMatmul.inputGradTile(w, wBase, rows, wr, cOutG, gpad, rowW, tapRow, sh, l, h, mask, m0, gx, gxRow, m0);
                                        continue;
                                    }
                                    // an edge (fewer channels or pixels) or a stride: in a zeroed buffer, then its rows and pixels copied out
                                    Arrays.fill(buf, 0f);
                                    if (VectorMatmul.IN_REGISTERS) VectorMatmul.inputGradTileInRegisters(w, wBase, rows, wr, cOutG, gpad, rowW, tapRow, sh, l, h, mask, m0, buf, bufRow, 0);
                                    else VectorMatmul.inputGradTile(w, wBase, rows, wr, cOutG, gpad, rowW, tapRow, sh, l, h, mask, m0, buf, bufRow, 0);
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

    // ------------------------------------------------------------------ float, depthwise

    /**
     * One input and one output channel per group (groups = channels), at most {@link Matmul#KC}
     * taps: then each product of the im2col path is a single row (forward, ∂W) or a single depth
     * (∂x), and the loops below compute its entries directly, with the same operations in the same
     * order, so the bits are those of {@link #tableForward} and its twins.
     */
    static boolean depthwise(Geometry g) {
        return g.cInG() == 1 && g.cOutG() == 1 && g.kernelSize() <= Matmul.KC;
    }

    /** The extent of the zero-padded input the outputs read on each axis: (out − 1)·s + (k − 1)·d + 1. */
    private static int[] extent(Axes a) {
        int[] e = new int[3];
        for (int j = 0; j < 3; j++) e[j] = Math.max(0, (a.out[j] - 1) * a.s[j] + (a.k[j] - 1) * a.d[j] + 1);
        return e;
    }

    /** Each tap's offset in the padded plane: (t0·d0·e1 + t1·d1)·e2 + t2·d2, taps in row-major order. */
    private static int[] tapOffsets(Axes a, int[] e) {
        int[] off = new int[a.k[0] * a.k[1] * a.k[2]];
        int tk = 0;
        for (int t0 = 0; t0 < a.k[0]; t0++) {
            for (int t1 = 0; t1 < a.k[1]; t1++) {
                for (int t2 = 0; t2 < a.k[2]; t2++) off[tk++] = (t0 * a.d[0] * e[1] + t1 * a.d[1]) * e[2] + t2 * a.d[2];
            }
        }
        return off;
    }

    /** pos[o]: where output o's window starts in the padded plane, (o0·s0·e1 + o1·s1)·e2 + o2·s2. */
    private static int[] positions(Axes a, int[] e) {
        int[] pos = new int[a.out[0] * a.out[1] * a.out[2]];
        int n = 0;
        for (int z = 0; z < a.out[0]; z++) {
            for (int r = 0; r < a.out[1]; r++) {
                for (int ox = 0; ox < a.out[2]; ox++) pos[n++] = (z * a.s[0] * e[1] + r * a.s[1]) * e[2] + ox * a.s[2];
            }
        }
        return pos;
    }

    // pad[(e0·E1 + e1)·E2 + e2] = x[xOff + ((e0 − p0)·in1 + e1 − p1)·in2 + e2 − p2], 0 outside the input (the padding)
    private static void padPlane(float[] x, int xOff, Axes a, int[] e, float[] pad) {
        padPlane(x, xOff, a, e, pad, 0);
    }

    // the same into pad[padOff ..], one plane of e0·e1·e2
    private static void padPlane(float[] x, int xOff, Axes a, int[] e, float[] pad, int padOff) {
        Arrays.fill(pad, padOff, padOff + e[0] * e[1] * e[2], 0f);
        int lo = Math.max(0, a.p[2]), hi = Math.min(e[2], a.in[2] + a.p[2]);
        if (hi <= lo) return;
        for (int e0 = Math.max(0, a.p[0]); e0 < Math.min(e[0], a.in[0] + a.p[0]); e0++) {
            for (int e1 = Math.max(0, a.p[1]); e1 < Math.min(e[1], a.in[1] + a.p[1]); e1++) {
                System.arraycopy(x, xOff + ((e0 - a.p[0]) * a.in[1] + e1 - a.p[1]) * a.in[2] + lo - a.p[2], pad, padOff + (e0 * e[1] + e1) * e[2] + lo, hi - lo);
            }
        }
    }

    // gx[xOff + in] = gpad[pad position of in] for the input's elements inside the extent (the padding's share is dropped, as col2im skips it)
    private static void unpadPlane(float[] gpad, Axes a, int[] e, float[] gx, int xOff) {
        int lo = Math.max(0, a.p[2]), hi = Math.min(e[2], a.in[2] + a.p[2]);
        if (hi <= lo) return;
        for (int e0 = Math.max(0, a.p[0]); e0 < Math.min(e[0], a.in[0] + a.p[0]); e0++) {
            for (int e1 = Math.max(0, a.p[1]); e1 < Math.min(e[1], a.in[1] + a.p[1]); e1++) {
                System.arraycopy(gpad, (e0 * e[1] + e1) * e[2] + lo, gx, xOff + ((e0 - a.p[0]) * a.in[1] + e1 - a.p[1]) * a.in[2] + lo - a.p[2], hi - lo);
            }
        }
    }

    /**
     * y[b, c, o] = 0 + Σ_t w[c, t] · xpad[o·s + t·d]: an fma chain over the taps from 0 (padding
     * read as 0, as the columns hold it), then added to a zero, as the product adds its one block
     * to a zeroed C. Taps in the outer loop, so the inner loop runs along an output row; with the
     * Vector API and stride 1 along the row, each row's chains in registers instead
     * ({@link VectorMatmul#depthwiseRow}).
     */
    private static float[] depthwiseForward(float[] x, float[] w, Geometry g, Axes a) {
        int[] e = extent(a), tapOff = tapOffsets(a, e);
        int planes = g.batch() * g.cIn(), c = g.cIn(), kSize = g.kernelSize(), oSize = g.outSize(), inSize = g.inSize();
        int o0 = a.out[0], o1 = a.out[1], o2 = a.out[2], s2 = a.s[2], tasks = Parallel.tasks(planes);
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
                            VectorMatmul.depthwiseRow(w, wo, tapOff, pad, (z * a.s[0] * e[1] + r * a.s[1]) * e[2], y, yo + (z * o1 + r) * o2, o2);
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
    private static float[] depthwiseBackwardInput(float[] gy, float[] w, Geometry g, Axes a) {
        int[] e = extent(a), tapOff = tapOffsets(a, e);
        int planes = g.batch() * g.cIn(), c = g.cIn(), kSize = g.kernelSize(), oSize = g.outSize(), inSize = g.inSize();
        int o0 = a.out[0], o1 = a.out[1], o2 = a.out[2], s2 = a.s[2], tasks = Parallel.tasks(planes);
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
                            if (s2 == 1 && Backend.VECTOR) VectorMatmul.addProductRow(wt, gy, gr, gpad, pr, o2);
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
    private static float[] depthwiseBackwardWeight(float[] x, float[] gy, Geometry g, Axes a) {
        int[] e = extent(a), tapOff = tapOffsets(a, e);
        int c = g.cIn(), kSize = g.kernelSize(), oSize = g.outSize(), inSize = g.inSize(), tasks = Parallel.tasks(c);
        // pos[o]: where output o's window starts in the padded plane
        int[] pos = positions(a, e);
        int lanes = (kSize + 7) / 8 * 8;
        int[] off = new int[lanes];
        for (int q = 0; q < lanes; q++) off[q] = tapOff[q < kSize ? q : 0];
        float[] gw = new float[c * kSize];
        if (Backend.VECTOR && g.batch() > 1) {
            depthwiseWeightAcrossBatch(x, gy, g, a, e, pos, tapOff, gw);
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
     * {@link #depthwiseBackwardWeight}'s chains with the batch across vector lanes
     * ({@link VectorMatmul#depthwiseWeight}): per channel and run of L = {@link VectorMatmul#BATCH_LANES}
     * batches, the padded planes and the gradients interleaved (padI[i·L + l], gI[o·L + l]; lanes
     * past the batch read zeros and are dropped), the per-batch parts summed lane by lane, then added
     * to ∂w in batch order: every entry the same operations in the same order as the scalar loop.
     */
    private static void depthwiseWeightAcrossBatch(float[] x, float[] gy, Geometry g, Axes a, int[] e, int[] pos, int[] off, float[] gw) {
        int c = g.cIn(), kSize = g.kernelSize(), oSize = g.outSize(), inSize = g.inSize(), batch = g.batch(), lanes = VectorMatmul.BATCH_LANES;
        int ePlane = e[0] * e[1] * e[2], tasks = Parallel.tasks(c);
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
                    VectorMatmul.depthwiseWeight(gI, padI, pos, off, oSize, Matmul.KC, part);
                    for (int l = 0; l < nb; l++) {
                        for (int tk = 0; tk < kSize; tk++) gw[ch * kSize + tk] += part[tk * lanes + l];
                    }
                }
            }
        });
    }

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
     * {@link #forward(double[], double[], Geometry)} in float through the im2col table, one (batch, group) at a time: the
     * float kernels below must give exactly these bits ({@code ConvKernelsTest}), and take over for more than three axes.
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

    /** {@link #backwardInput(double[], double[], Geometry)} in float through the table: dcols = W_gᵀ · G_bg, then col2im (the bit oracle). */
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

    /** {@link #backwardWeight(double[], double[], Geometry)} in float through the table: per (batch, group) G · colsᵀ, summed in batch order (the bit oracle). */
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
