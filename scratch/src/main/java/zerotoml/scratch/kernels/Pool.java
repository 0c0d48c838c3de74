package zerotoml.scratch.kernels;

import java.util.Arrays;

/**
 * Max and average pooling over planes of up to three spatial axes, on flat row-major arrays
 * x[planes, in...] → y[planes, out...]: the window's input positions are computed from the
 * output position, the stride, padding and dilation as the loops run (no index tables).
 * in_j = o_j·s_j − p_j + t_j·d_j on each axis j; a tap outside [0, in_j) reads padding, which
 * never wins a maximum and adds nothing to a sum. Adaptive average pooling is {@link AdaptivePool}.
 *
 * <p>Each fast function has a naive twin that walks ConvKernels' im2col table of the same window
 * in the order the fast loop must keep: the window's taps in row-major order for each output (the
 * maximum's ties and NaNs, and the sum's rounding, depend on it), and for the average's gradient
 * the taps in the outer loop, so that an input element receives its shares in increasing tap
 * order. Large work splits over whole planes ({@link Parallel}), so the bits do not depend on the
 * thread count. The naive twins are in {@link PoolOracles}.
 */
public final class Pool {
    private Pool() {}

    /**
     * One pooling geometry over {@code planes} independent planes (batch × channels). Fewer than
     * three spatial axes are given as they are; {@link #of} puts size-1 axes in front.
     */
    public record Window(int planes, int[] in, int[] out, int[] kernel, int[] stride, int[] pad, int[] dilation) {
        public Window {
            in = in.clone();
            out = out.clone();
            kernel = kernel.clone();
            stride = stride.clone();
            pad = pad.clone();
            dilation = dilation.clone();
        }

        /** A window of 1 to 3 spatial axes, stored as 3 with leading axes of size, kernel, stride and dilation 1. */
        public static Window of(int planes, int[] in, int[] out, int[] kernel, int[] stride, int[] pad, int[] dilation) {
            int dims = in.length;
            if (dims < 1 || dims > 3 || out.length != dims || kernel.length != dims || stride.length != dims || pad.length != dims
                    || dilation.length != dims) {
                throw new IllegalArgumentException("Pool.Window: 1 to 3 spatial axes, one entry each for in, out, kernel, stride, padding and dilation; got in "
                        + Arrays.toString(in) + ", out " + Arrays.toString(out) + ", kernel " + Arrays.toString(kernel) + ", stride "
                        + Arrays.toString(stride) + ", padding " + Arrays.toString(pad) + ", dilation " + Arrays.toString(dilation));
            }
            if (planes < 0) throw new IllegalArgumentException("Pool.Window: planes must be at least 0, got " + planes);
            return new Window(planes, lead(in, 1), lead(out, 1), lead(kernel, 1), lead(stride, 1), lead(pad, 0), lead(dilation, 1));
        }

        static int[] lead(int[] a, int fill) {
            int[] r = new int[3];
            Arrays.fill(r, 0, 3 - a.length, fill);
            System.arraycopy(a, 0, r, 3 - a.length, a.length);
            return r;
        }

        @Override
        public String toString() {
            return planes + " planes of " + Arrays.toString(in) + " → " + Arrays.toString(out) + ", kernel " + Arrays.toString(kernel)
                    + ", stride " + Arrays.toString(stride) + ", padding " + Arrays.toString(pad) + ", dilation " + Arrays.toString(dilation);
        }

        public int inSize() { return in[0] * in[1] * in[2]; }
        public int outSize() { return out[0] * out[1] * out[2]; }
        public int kernelSize() { return kernel[0] * kernel[1] * kernel[2]; }

        /** Element steps of one pass (each output visits its whole window). */
        long work() {
            return (long) planes * outSize() * kernelSize();
        }

        /** The im2col table of the window (the naive twins' reference layout). */
        int[] table() {
            return ConvKernels.offsets(in, kernel, out, stride, pad, dilation);
        }
    }

    // ------------------------------------------------------------------ max pooling

    // arg[pl, o] = the window's first maximum (a NaN replaces it; so the last NaN wins), as a flat index of x, or −1 for an empty window
    /**
     * The argmax of every window, ATen's rule: the window's in-bounds elements are scanned in
     * row-major order and an element replaces the best so far when it is greater or NaN; so ties
     * keep the first maximum and a NaN the last NaN; a window of −∞ only gives its first element.
     * {@code arg[pl·outSize + o]} is the flat index into x ({@code pl·inSize + offset}), or −1
     * when the window holds no element of the input (possible only with dilation).
     */
    public static void maxArg(double[] x, Window w, int[] arg) {
        check("maxArg", x.length, w, arg.length);
        int inSize = w.inSize(), oSize = w.outSize();
        planes(w, (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) maxPlane(x, pl * inSize, w, arg, pl * oSize);
        });
    }

    /** The float form of {@link #maxArg(double[], Window, int[])}: the same comparisons on the float values. */
    public static void maxArg(float[] x, Window w, int[] arg) {
        max(x, w, arg, null);
    }

    /**
     * {@link #maxArg(float[], Window, int[])} and the maxima in one pass: {@code y[i] = x[arg[i]]},
     * or −∞ for an empty window (ATen's value there); {@code y} may be null. Max pooling's forward
     * without a second pass (a take) over the argmax.
     */
    public static void max(float[] x, Window w, int[] arg, float[] y) {
        max(x, w, arg, y, Backend.VECTOR);
    }

    /** {@link #max(float[], Window, int[], float[])} with the Vector API's 2 × 2 blocks on or off (tests run both). */
    static void max(float[] x, Window w, int[] arg, float[] y, boolean vector) {
        check("maxArg", x.length, w, arg.length);
        if (y != null && y.length != arg.length) throw new IllegalArgumentException("Pool.max: " + arg.length + " outputs, but y holds " + y.length);
        if (vector) Backend.requireVector("Pool.max");
        int inSize = w.inSize(), oSize = w.outSize();
        // the halving 2 × 2 window with adjacent taps along the row, L windows a step (VectorPool)
        boolean blocks = vector && y != null && w.kernel[0] == 1 && w.kernel[1] == 2 && w.kernel[2] == 2 && w.stride[2] == 2 && w.dilation[2] == 1;
        planes(w, (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) maxPlane(x, pl * inSize, w, arg, y, pl * oSize, blocks);
        });
    }

    private static void maxPlane(double[] x, int base, Window w, int[] arg, int outBase) {
        int in0 = w.in[0], in1 = w.in[1], in2 = w.in[2], out0 = w.out[0], out1 = w.out[1], out2 = w.out[2];
        int k0 = w.kernel[0], k1 = w.kernel[1], k2 = w.kernel[2], s0 = w.stride[0], s1 = w.stride[1], s2 = w.stride[2];
        int p0 = w.pad[0], p1 = w.pad[1], p2 = w.pad[2], d0 = w.dilation[0], d1 = w.dilation[1], d2 = w.dilation[2];
        boolean twoByTwo = k0 == 1 && k1 == 2 && k2 == 2;
        int o = outBase;
        for (int od = 0; od < out0; od++) {
            int a0 = od * s0 - p0, kd0 = tapFrom(a0, d0), kd1 = tapTo(a0, d0, k0, in0);
            for (int oh = 0; oh < out1; oh++) {
                int a1 = oh * s1 - p1, kh0 = tapFrom(a1, d1), kh1 = tapTo(a1, d1, k1, in1);
                for (int ow = 0; ow < out2; ow++) {
                    int a2 = ow * s2 - p2, kw0 = tapFrom(a2, d2), kw1 = tapTo(a2, d2, k2, in2);
                    if (kd0 >= kd1 || kh0 >= kh1 || kw0 >= kw1) {
                        arg[o++] = -1; // no tap inside the input
                        continue;
                    }
                    if (twoByTwo && kh0 == 0 && kh1 == 2 && kw0 == 0 && kw1 == 2) {
                        // a 2 × 2 window wholly inside: without branches
                        arg[o++] = maxOfFour(x, base + (a0 * in1 + a1) * in2 + a2, d2, d1 * in2);
                        continue;
                    }
                    // the in-bounds taps in row-major order: the first is the start, greater or NaN replaces
                    int at = base + ((a0 + kd0 * d0) * in1 + a1 + kh0 * d1) * in2 + a2 + kw0 * d2;
                    double best = Double.NEGATIVE_INFINITY;
                    for (int kd = kd0; kd < kd1; kd++) {
                        for (int kh = kh0; kh < kh1; kh++) {
                            int row = base + ((a0 + kd * d0) * in1 + a1 + kh * d1) * in2 + a2;
                            for (int kw = kw0; kw < kw1; kw++) {
                                double v = x[row + kw * d2];
                                if (v > best || v != v) {
                                    best = v;
                                    at = row + kw * d2;
                                }
                            }
                        }
                    }
                    arg[o++] = at;
                }
            }
        }
    }

    /**
     * One plane in float. A window wholly inside the input (the interior of a row whose depth and
     * height taps are all inside) skips the per-output tap ranges and starts from its first tap
     * (the same as starting from −∞: the first tap replaces −∞ unless it is −∞ itself); a 2 × 2
     * window takes {@link #maxOfFour}, without branches. Border windows take the general loop, {@link #maxBorder}.
     */
    private static void maxPlane(float[] x, int base, Window w, int[] arg, float[] y, int outBase, boolean blocks) {
        int in0 = w.in[0], in1 = w.in[1], in2 = w.in[2], out0 = w.out[0], out1 = w.out[1], out2 = w.out[2];
        int k0 = w.kernel[0], k1 = w.kernel[1], k2 = w.kernel[2], s0 = w.stride[0], s1 = w.stride[1], s2 = w.stride[2];
        int p0 = w.pad[0], p1 = w.pad[1], p2 = w.pad[2], d0 = w.dilation[0], d1 = w.dilation[1], d2 = w.dilation[2];
        // ow in [wLo, wHi): every width tap inside, 0 ≤ ow·s2 − p2 and ow·s2 − p2 + (k2 − 1)·d2 < in2
        int last = in2 - 1 - (k2 - 1) * d2 + p2;
        int wLo = Math.min(out2, p2 <= 0 ? 0 : (p2 + s2 - 1) / s2), wHi = last < 0 ? wLo : Math.max(wLo, Math.min(out2, last / s2 + 1));
        boolean twoByTwo = k0 == 1 && k1 == 2 && k2 == 2;
        int o = outBase;
        for (int od = 0; od < out0; od++) {
            int a0 = od * s0 - p0;
            boolean fullDepth = tapFrom(a0, d0) == 0 && tapTo(a0, d0, k0, in0) == k0;
            for (int oh = 0; oh < out1; oh++) {
                int a1 = oh * s1 - p1;
                int lo = fullDepth && tapFrom(a1, d1) == 0 && tapTo(a1, d1, k1, in1) == k1 ? wLo : out2, hi = lo == wLo ? wHi : out2;
                for (int ow = 0; ow < lo; ow++) maxBorder(x, base, w, arg, y, o++, a0, a1, ow * s2 - p2);
                int rowStart = base + (a0 * in1 + a1) * in2 - p2, ow = lo;
                if (blocks) {
                    int bl = VectorPool.L, rowStep = d1 * in2;
                    for (; ow + bl <= hi; ow += bl, o += bl) {
                        if (VectorPool.maxTwoByTwo(x, rowStart + 2 * ow, rowStep, arg, y, o)) continue;
                        // a NaN in the block: its windows one by one
                        for (int j = 0; j < bl; j++) {
                            arg[o + j] = maxOfFour(x, rowStart + 2 * (ow + j), 1, rowStep);
                            y[o + j] = x[arg[o + j]];
                        }
                    }
                }
                for (; ow < hi; ow++) {
                    int first = rowStart + ow * s2, at = first;
                    float best = x[first];
                    if (twoByTwo) {
                        at = maxOfFour(x, first, d2, d1 * in2);
                        best = x[at];
                    } else {
                        for (int kd = 0; kd < k0; kd++) {
                            for (int kh = 0; kh < k1; kh++) {
                                int row = first + (kd * d0 * in1 + kh * d1) * in2;
                                for (int kw = 0; kw < k2; kw++) {
                                    float v = x[row + kw * d2];
                                    if (v > best || v != v) {
                                        best = v;
                                        at = row + kw * d2;
                                    }
                                }
                            }
                        }
                    }
                    arg[o] = at;
                    if (y != null) y[o] = best;
                    o++;
                }
                for (ow = Math.max(lo, hi); ow < out2; ow++) maxBorder(x, base, w, arg, y, o++, a0, a1, ow * s2 - p2);
            }
        }
    }

    /**
     * The argmax of the 2 × 2 window at {@code first} (taps {@code first + r·rowStep + c·colStep}, row-major), by
     * the rule of the running loop without its branches, which random data mispredicts about once a window
     * (1.1 ms for 65,536 windows against 0.3 ms this way, one thread, Zen 5): m = max of the four (NaN if any
     * is NaN); a NaN window takes the last NaN, any other the first tap equal to m. Equality is on the bits of
     * v + 0, so that −0 and +0 are equal, as {@code ==} has them; the first such tap is the loop's, since a tap
     * replaces the best only when greater.
     */
    private static int maxOfFour(float[] x, int first, int colStep, int rowStep) {
        int i2 = first + rowStep;
        float x0 = x[first], x1 = x[first + colStep], x2 = x[i2], x3 = x[i2 + colStep];
        // m = max(x0, x1, x2, x3), NaN when one is
        float m = Math.max(Math.max(x0, x1), Math.max(x2, x3));
        if (m != m) return x3 != x3 ? i2 + colStep : x2 != x2 ? i2 : x1 != x1 ? first + colStep : first;
        // not_t = 1 when tap t differs from m; the first equal tap is at offset not0·(1 + not1·(1 + not2))
        int km = Float.floatToRawIntBits(m + 0f);
        int d0 = Float.floatToRawIntBits(x0 + 0f) ^ km, d1 = Float.floatToRawIntBits(x1 + 0f) ^ km, d2 = Float.floatToRawIntBits(x2 + 0f) ^ km;
        int off = ((d0 | -d0) >>> 31) * (1 + ((d1 | -d1) >>> 31) * (1 + ((d2 | -d2) >>> 31)));
        return first + (off & 1) * colStep + (off >> 1) * rowStep;
    }

    /** {@link #maxOfFour(float[], int, int, int)} in double: equality on the bits of v + 0.0. */
    private static int maxOfFour(double[] x, int first, int colStep, int rowStep) {
        int i2 = first + rowStep;
        double x0 = x[first], x1 = x[first + colStep], x2 = x[i2], x3 = x[i2 + colStep];
        // m = max(x0, x1, x2, x3), NaN when one is
        double m = Math.max(Math.max(x0, x1), Math.max(x2, x3));
        if (m != m) return x3 != x3 ? i2 + colStep : x2 != x2 ? i2 : x1 != x1 ? first + colStep : first;
        // not_t = 1 when tap t differs from m; the first equal tap is at offset not0·(1 + not1·(1 + not2))
        long km = Double.doubleToRawLongBits(m + 0.0);
        long d0 = Double.doubleToRawLongBits(x0 + 0.0) ^ km, d1 = Double.doubleToRawLongBits(x1 + 0.0) ^ km, d2 = Double.doubleToRawLongBits(x2 + 0.0) ^ km;
        int off = (int) (((d0 | -d0) >>> 63) * (1 + ((d1 | -d1) >>> 63) * (1 + ((d2 | -d2) >>> 63))));
        return first + (off & 1) * colStep + (off >> 1) * rowStep;
    }

    /** One window of a float plane with the taps clipped to the input, the first in-bounds tap the start (−1 and −∞ when none). */
    private static void maxBorder(float[] x, int base, Window w, int[] arg, float[] y, int o, int a0, int a1, int a2) {
        int in0 = w.in[0], in1 = w.in[1], in2 = w.in[2], d0 = w.dilation[0], d1 = w.dilation[1], d2 = w.dilation[2];
        int kd0 = tapFrom(a0, d0), kd1 = tapTo(a0, d0, w.kernel[0], in0), kh0 = tapFrom(a1, d1), kh1 = tapTo(a1, d1, w.kernel[1], in1);
        int kw0 = tapFrom(a2, d2), kw1 = tapTo(a2, d2, w.kernel[2], in2);
        if (kd0 >= kd1 || kh0 >= kh1 || kw0 >= kw1) {
            arg[o] = -1; // no tap inside the input
            if (y != null) y[o] = Float.NEGATIVE_INFINITY;
            return;
        }
        // the in-bounds taps in row-major order: the first is the start, greater or NaN replaces
        int at = base + ((a0 + kd0 * d0) * in1 + a1 + kh0 * d1) * in2 + a2 + kw0 * d2;
        float best = Float.NEGATIVE_INFINITY;
        for (int kd = kd0; kd < kd1; kd++) {
            for (int kh = kh0; kh < kh1; kh++) {
                int row = base + ((a0 + kd * d0) * in1 + a1 + kh * d1) * in2 + a2;
                for (int kw = kw0; kw < kw1; kw++) {
                    float v = x[row + kw * d2];
                    if (v > best || v != v) {
                        best = v;
                        at = row + kw * d2;
                    }
                }
            }
        }
        arg[o] = at;
        if (y != null) y[o] = x[at];
    }

    /** The first tap t with a + t·d ≥ 0. */
    private static int tapFrom(int a, int d) {
        return a >= 0 ? 0 : (-a + d - 1) / d;
    }

    /** One past the last tap t below k with a + t·d < in (at most tapFrom when none). */
    private static int tapTo(int a, int d, int k, int in) {
        if (a >= in) return 0;
        return Math.min(k, (in - a + d - 1) / d);
    }

    // ------------------------------------------------------------------ average pooling

    // y[pl, o] = (Σ_{in-bounds taps, row-major} x) / divisor(o),  summed in double from +0
    /**
     * Average pooling: each window's in-bounds elements summed in double in row-major tap order
     * from +0, divided by the window's size clipped to the padded input ({@code countIncludePad})
     * or by its count of input elements. Dilation must be 1 (the caller checks).
     */
    public static void avg(double[] x, Window w, boolean countIncludePad, double[] y) {
        check("avg", x.length, w, y.length);
        undilated("avg", w);
        double[] div = divisors(w, countIncludePad);
        int inSize = w.inSize(), oSize = w.outSize();
        planes(w, (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) avgPlane(x, null, pl * inSize, w, div, y, pl * oSize);
        });
    }

    /** The float form of {@link #avg(double[], Window, boolean, double[])}: each value widened, summed in double. */
    public static void avg(float[] x, Window w, boolean countIncludePad, double[] y) {
        check("avg", x.length, w, y.length);
        undilated("avg", w);
        double[] div = divisors(w, countIncludePad);
        int inSize = w.inSize(), oSize = w.outSize();
        planes(w, (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) avgPlane(null, x, pl * inSize, w, div, y, pl * oSize);
        });
    }

    /** One plane; exactly one of xd and xf is given (the read is hoisted out of the hot loop by the JIT's unswitching). */
    private static void avgPlane(double[] xd, float[] xf, int base, Window w, double[] div, double[] y, int outBase) {
        int[] in = w.in, out = w.out, k = w.kernel, s = w.stride, p = w.pad;
        int o = 0;
        for (int od = 0; od < out[0]; od++) {
            int d0 = Math.max(0, od * s[0] - p[0]), d1 = Math.min(in[0], od * s[0] - p[0] + k[0]);
            for (int oh = 0; oh < out[1]; oh++) {
                int h0 = Math.max(0, oh * s[1] - p[1]), h1 = Math.min(in[1], oh * s[1] - p[1] + k[1]);
                for (int ow = 0; ow < out[2]; ow++) {
                    int w0 = Math.max(0, ow * s[2] - p[2]), w1 = Math.min(in[2], ow * s[2] - p[2] + k[2]);
                    double sum = 0;
                    for (int id = d0; id < d1; id++) {
                        for (int ih = h0; ih < h1; ih++) {
                            int row = base + (id * in[1] + ih) * in[2];
                            if (xd != null) for (int iw = w0; iw < w1; iw++) sum += xd[row + iw];
                            else for (int iw = w0; iw < w1; iw++) sum += xf[row + iw];
                        }
                    }
                    y[outBase + o] = sum / div[o];
                    o++;
                }
            }
        }
    }

    // gx[pl, i] = Σ_{taps t in row-major order} Σ_{o: window o reads i at tap t} g[pl, o] / divisor(o)
    /**
     * The gradient of {@link #avg}: every output's share {@code g / divisor} added to each input
     * element of its window, tap by tap in the outer loop (an element gets its shares in increasing
     * tap order, at most one per tap), accumulated in double into {@code gx}, which must hold zeros.
     */
    public static void avgBackward(double[] g, Window w, boolean countIncludePad, double[] gx) {
        check("avgBackward", gx.length, w, g.length);
        undilated("avgBackward", w);
        double[] div = divisors(w, countIncludePad);
        int inSize = w.inSize(), oSize = w.outSize();
        planes(w, (p0, p1) -> {
            double[] share = new double[oSize];
            for (int pl = p0; pl < p1; pl++) {
                for (int o = 0; o < oSize; o++) share[o] = g[pl * oSize + o] / div[o];
                avgBackwardPlane(share, w, gx, pl * inSize);
            }
        });
    }

    private static void avgBackwardPlane(double[] share, Window w, double[] gx, int base) {
        int[] in = w.in, out = w.out, k = w.kernel, s = w.stride, p = w.pad;
        for (int kd = 0; kd < k[0]; kd++) {
            for (int kh = 0; kh < k[1]; kh++) {
                for (int kw = 0; kw < k[2]; kw++) {
                    // the outputs whose tap (kd, kh, kw) falls inside the input: o·s − p + t in [0, in)
                    int od0 = first(kd, s[0], p[0]), od1 = end(kd, s[0], p[0], in[0], out[0]);
                    int oh0 = first(kh, s[1], p[1]), oh1 = end(kh, s[1], p[1], in[1], out[1]);
                    int ow0 = first(kw, s[2], p[2]), ow1 = end(kw, s[2], p[2], in[2], out[2]);
                    for (int od = od0; od < od1; od++) {
                        int id = od * s[0] - p[0] + kd;
                        for (int oh = oh0; oh < oh1; oh++) {
                            int row = base + (id * in[1] + oh * s[1] - p[1] + kh) * in[2] - p[2] + kw;
                            int orow = (od * out[1] + oh) * out[2];
                            for (int ow = ow0; ow < ow1; ow++) gx[row + ow * s[2]] += share[orow + ow];
                        }
                    }
                }
            }
        }
    }

    /** The first output o with o·s − p + t ≥ 0. */
    private static int first(int t, int s, int p) {
        int need = p - t; // o·s ≥ need
        return need <= 0 ? 0 : (need + s - 1) / s;
    }

    /** One past the last output o (below out) with o·s − p + t < in. */
    private static int end(int t, int s, int p, int in, int out) {
        int lim = in + p - t; // o·s < lim
        if (lim <= 0) return 0;
        return Math.min(out, (lim - 1) / s + 1);
    }

    // divisor(o) = Π_j (min(start_j + k_j, in_j + p_j) − start_j)  (count_include_pad)  or  Π_j (min(end_j, in_j) − max(start_j, 0))
    private static double[] divisors(Window w, boolean countIncludePad) {
        int[] in = w.in, out = w.out, k = w.kernel, s = w.stride, p = w.pad;
        double[] div = new double[w.outSize()];
        int o = 0;
        for (int od = 0; od < out[0]; od++) {
            for (int oh = 0; oh < out[1]; oh++) {
                for (int ow = 0; ow < out[2]; ow++) {
                    long padded = 1, real = 1;
                    int[] at = {od, oh, ow};
                    for (int j = 0; j < 3; j++) {
                        int start = at[j] * s[j] - p[j], end = Math.min(start + k[j], in[j] + p[j]);
                        padded *= end - start;
                        real *= Math.min(end, in[j]) - Math.max(start, 0);
                    }
                    div[o++] = countIncludePad ? padded : real;
                }
            }
        }
        return div;
    }

    // ------------------------------------------------------------------ the split and the checks

    interface Planes {
        void accept(int p0, int p1);
    }

    /** Whole planes per task, so that no output or input element is shared between tasks. */
    private static void planes(Window w, Planes body) {
        planes(w.planes, w.work(), body);
    }

    /** {@code n} planes of {@code work} element steps in all, whole planes per task (one task below the threshold). */
    static void planes(int n, long work, Planes body) {
        if (n == 0) return;
        int tasks = Parallel.tasks(n, work), per = (n + tasks - 1) / tasks;
        Parallel.forEach(tasks, work, t -> {
            int p0 = Math.min(n, t * per), p1 = Math.min(n, (t + 1) * per);
            if (p0 < p1) body.accept(p0, p1);
        });
    }

    private static void undilated(String op, Window w) {
        if (w.dilation[0] != 1 || w.dilation[1] != 1 || w.dilation[2] != 1) {
            throw new IllegalArgumentException("Pool." + op + ": average pooling has no dilation, got " + Arrays.toString(w.dilation));
        }
    }

    private static void check(String op, int inLen, Window w, int outLen) {
        long in = (long) w.planes * w.inSize(), out = (long) w.planes * w.outSize();
        if (inLen != in || outLen != out) {
            throw new IllegalArgumentException("Pool." + op + ": " + w.planes + " planes of " + Arrays.toString(w.in) + " → "
                    + Arrays.toString(w.out) + " need an input of " + in + " and an output of " + out + " elements, got " + inLen + " and " + outLen);
        }
    }
}
