package zerotoml.scratch.kernels;

import java.util.Arrays;

/**
 * The pooling window, and average pooling over planes of up to three spatial axes, on flat row-major arrays
 * x[planes, in...] → y[planes, out...]: the window's input positions are computed from the output position, the
 * stride, padding and dilation as the loops run (no index tables). in_j = o_j·s_j − p_j + t_j·d_j on each axis j;
 * a tap outside [0, in_j) reads padding, which never wins a maximum and adds nothing to a sum. Max pooling is
 * {@link MaxPool}, adaptive average pooling {@link AdaptivePool}; both split their planes through {@link #planes}.
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
    static void planes(Window w, Planes body) {
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

    static void check(String op, int inLen, Window w, int outLen) {
        long in = (long) w.planes * w.inSize(), out = (long) w.planes * w.outSize();
        if (inLen != in || outLen != out) {
            throw new IllegalArgumentException("Pool." + op + ": " + w.planes + " planes of " + Arrays.toString(w.in) + " → "
                    + Arrays.toString(w.out) + " need an input of " + in + " and an output of " + out + " elements, got " + inLen + " and " + outLen);
        }
    }
}
