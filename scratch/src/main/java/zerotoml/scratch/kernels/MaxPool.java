package zerotoml.scratch.kernels;

/**
 * Max pooling's argmax and maximum over planes of up to three spatial axes ({@link Pool.Window}), ATen's rule: a
 * window's in-bounds elements scanned in row-major order, an element replacing the best so far when it is greater or
 * NaN. The window's positions come from the output position as the loops run (no index tables); windows wholly
 * inside the input skip the per-output tap ranges, and a 2 × 2 one takes {@link #maxOfFour} without branches, or
 * {@link VectorPool} a vector of windows a step. Whole planes per task ({@link Pool#planes}), so the bits do not
 * depend on the thread count. The naive twin is {@code PoolOracles.naiveMaxArg}.
 */
public final class MaxPool {
    private MaxPool() {}

    // arg[pl, o] = the window's first maximum (a NaN replaces it; so the last NaN wins), as a flat index of x, or −1 for an empty window
    /**
     * The argmax of every window, ATen's rule: the window's in-bounds elements are scanned in
     * row-major order and an element replaces the best so far when it is greater or NaN; so ties
     * keep the first maximum and a NaN the last NaN; a window of −∞ only gives its first element.
     * {@code arg[pl·outSize + o]} is the flat index into x ({@code pl·inSize + offset}), or −1
     * when the window holds no element of the input (possible only with dilation).
     */
    public static void maxArg(double[] x, Pool.Window w, int[] arg) {
        Pool.check("maxArg", x.length, w, arg.length);
        int inSize = w.inSize(), oSize = w.outSize();
        Pool.planes(w, (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) maxPlane(x, pl * inSize, w, arg, pl * oSize);
        });
    }

    /** The float form of {@link #maxArg(double[], Pool.Window, int[])}: the same comparisons on the float values. */
    public static void maxArg(float[] x, Pool.Window w, int[] arg) {
        max(x, w, arg, null);
    }

    /**
     * {@link #maxArg(float[], Pool.Window, int[])} and the maxima in one pass: {@code y[i] = x[arg[i]]},
     * or −∞ for an empty window (ATen's value there); {@code y} may be null. Max pooling's forward
     * without a second pass (a take) over the argmax.
     */
    public static void max(float[] x, Pool.Window w, int[] arg, float[] y) {
        max(x, w, arg, y, Backend.VECTOR);
    }

    /** {@link #max(float[], Pool.Window, int[], float[])} with the Vector API's 2 × 2 blocks on or off (tests run both). */
    static void max(float[] x, Pool.Window w, int[] arg, float[] y, boolean vector) {
        Pool.check("maxArg", x.length, w, arg.length);
        if (y != null && y.length != arg.length) throw new IllegalArgumentException("MaxPool.max: " + arg.length + " outputs, but y holds " + y.length);
        if (vector) Backend.requireVector("MaxPool.max");
        int inSize = w.inSize(), oSize = w.outSize();
        // the halving 2 × 2 window with adjacent taps along the row, L windows a step (VectorPool)
        boolean blocks = vector && y != null && w.kernel()[0] == 1 && w.kernel()[1] == 2 && w.kernel()[2] == 2 && w.stride()[2] == 2 && w.dilation()[2] == 1;
        Pool.planes(w, (p0, p1) -> {
            for (int pl = p0; pl < p1; pl++) maxPlane(x, pl * inSize, w, arg, y, pl * oSize, blocks);
        });
    }

    private static void maxPlane(double[] x, int base, Pool.Window w, int[] arg, int outBase) {
        int in0 = w.in()[0], in1 = w.in()[1], in2 = w.in()[2], out0 = w.out()[0], out1 = w.out()[1], out2 = w.out()[2];
        int k0 = w.kernel()[0], k1 = w.kernel()[1], k2 = w.kernel()[2], s0 = w.stride()[0], s1 = w.stride()[1], s2 = w.stride()[2];
        int p0 = w.pad()[0], p1 = w.pad()[1], p2 = w.pad()[2], d0 = w.dilation()[0], d1 = w.dilation()[1], d2 = w.dilation()[2];
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
    private static void maxPlane(float[] x, int base, Pool.Window w, int[] arg, float[] y, int outBase, boolean blocks) {
        int in0 = w.in()[0], in1 = w.in()[1], in2 = w.in()[2], out0 = w.out()[0], out1 = w.out()[1], out2 = w.out()[2];
        int k0 = w.kernel()[0], k1 = w.kernel()[1], k2 = w.kernel()[2], s0 = w.stride()[0], s1 = w.stride()[1], s2 = w.stride()[2];
        int p0 = w.pad()[0], p1 = w.pad()[1], p2 = w.pad()[2], d0 = w.dilation()[0], d1 = w.dilation()[1], d2 = w.dilation()[2];
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
    private static void maxBorder(float[] x, int base, Pool.Window w, int[] arg, float[] y, int o, int a0, int a1, int a2) {
        int in0 = w.in()[0], in1 = w.in()[1], in2 = w.in()[2], d0 = w.dilation()[0], d1 = w.dilation()[1], d2 = w.dilation()[2];
        int kd0 = tapFrom(a0, d0), kd1 = tapTo(a0, d0, w.kernel()[0], in0), kh0 = tapFrom(a1, d1), kh1 = tapTo(a1, d1, w.kernel()[1], in1);
        int kw0 = tapFrom(a2, d2), kw1 = tapTo(a2, d2, w.kernel()[2], in2);
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
}
