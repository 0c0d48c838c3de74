package zerotoml.scratch.kernels;

/**
 * The exponential of float32 values computed in float, as PyTorch's CPU kernel computes it (an exp
 * polynomial over {@code Vectorized<float>} lanes): sixteen lanes at 512 bits where {@link FloatExp}'s
 * double lanes take eight and a polynomial of twice the degree. It is the float32 {@code exp} op's
 * kernel; softmax and tanh keep {@link FloatExp} and its bits.
 *
 * <p>Per element, all in float, {@link FloatSigmoid}'s steps and constants on the whole line: x clamped to
 * [−104, 89] (e^−104 is below half the smallest subnormal, e^88.73 above the largest float, so the
 * clamp changes no result); k = the integer nearest x / ln 2; r = x − k·ln 2 in two fused steps;
 * e^r by its Taylor series to r⁷ in Horner's form with fused multiply-adds; then y = (e^r · 2^k1) · 2^k2
 * with k1 = ⌊k / 2⌋ and k2 = k − k1, both powers normal floats for every k in [−150, 128]: the first
 * product is exact, the second rounds once (where y is subnormal or overflows to +∞). A NaN is returned
 * as it came.
 *
 * <p>The polynomial is the sigmoid's with its coefficients unscaled: that one's are 2⁻⁶⁴ times these, and
 * every rounding of its Horner steps is exactly 2⁻⁶⁴ times this one's, so e^r here is 2⁶⁴ times the
 * sigmoid's, bit for bit.
 *
 * <p>{@link #exp(float)} is the scalar path and the oracle of {@code VectorExpf}, which does the same
 * operations in the same order lane by lane, so both give the same bits: {@code ExpfTest} on edge values
 * and sizes, {@code FloatExpExhaustive} over all 2³² floats. The error against {@code (float) Math.exp(x)}
 * ({@link #naive}, the float32 exp's bits until the sixteenth session) is measured over all 2³² floats by
 * the same main: at most {@link #MAX_ULPS} float ulps, well inside the float32 parity tolerance (rtol
 * 1.3e-6: 5 to 11 ulps, by where in its binade a value lies).
 */
public final class Expf {
    private Expf() {}

    /** The largest distance from {@link #naive}, in float ulps, over all 2³² floats (FloatExpExhaustive). */
    public static final int MAX_ULPS = 1;

    /** e^x for x above this is +∞ in float. */
    static final float HIGHEST = 89f;
    /** 1/i! for i = 0..7 as floats: the sigmoid's scaled coefficients times 2⁶⁴ (exact). */
    static final float C0 = FloatSigmoid.C0 * 0x1p64f, C1 = FloatSigmoid.C1 * 0x1p64f, C2 = FloatSigmoid.C2 * 0x1p64f,
            C3 = FloatSigmoid.C3 * 0x1p64f, C4 = FloatSigmoid.C4 * 0x1p64f, C5 = FloatSigmoid.C5 * 0x1p64f,
            C6 = FloatSigmoid.C6 * 0x1p64f, C7 = FloatSigmoid.C7 * 0x1p64f;
    /** Subtracted from t's bits to give k (t = 1.5·2²³ + k). */
    static final int SHIFTER_BITS = FloatSigmoid.SHIFTER_BITS;

    // y = (e^r · 2^k1) · 2^k2,  k1 = floor(k / 2),  k2 = k − k1,  k = round(x / ln 2),  r = x − k·ln 2,  x clamped to [−104, 89]
    /** e^x in float: the scalar path, and the oracle of the vector path. */
    public static float exp(float x) {
        // x clamped to [−104, 89] (a NaN stays a NaN and is put back at the end)
        float u = Math.min(Math.max(x, FloatSigmoid.LOWEST), HIGHEST);
        // k = round(u / ln 2): t = u·(1/ln 2) + 1.5·2²³ rounded once, its last bits hold k
        float t = Math.fma(u, FloatSigmoid.INV_LN2, FloatSigmoid.SHIFTER);
        float k = t - FloatSigmoid.SHIFTER;
        // r = u − k·ln 2, ln 2 in two parts (the first step exact)
        float r = Math.fma(k, FloatSigmoid.NEG_LN2_HI, u);
        r = Math.fma(k, FloatSigmoid.NEG_LN2_LO, r);
        // e^r = 1 + r(1 + r(1/2 + … + r/7!))
        float p = Math.fma(C7, r, C6);
        p = Math.fma(p, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r, C1);
        p = Math.fma(p, r, C0);
        // y = (e^r · 2^k1) · 2^k2: the powers written into the exponent bits; the first product exact, the second rounded once
        int ki = Float.floatToRawIntBits(t) - SHIFTER_BITS, k1 = ki >> 1, k2 = ki - k1;
        float y = p * Float.intBitsToFloat((k1 + 127) << 23) * Float.intBitsToFloat((k2 + 127) << 23);
        return x != x ? x : y;
    }

    /** e^x in double, rounded to float once: the accuracy reference (the float32 exp's bits before this kernel). */
    public static float naive(float x) {
        return (float) Math.exp(x);
    }

    // out_{o+t} = e^{x_{xo+t}}
    /** {@link #exp(float)} over an array: the Vector API path when it is in use, else the scalar one. x and out may be the same array. */
    public static void exp(float[] x, int xo, float[] out, int o, int n) {
        if (Backend.VECTOR) VectorExpf.exp(x, xo, out, o, n);
        else scalar(x, xo, out, o, n);
    }

    /** The scalar path over an array. */
    public static void scalar(float[] x, int xo, float[] out, int o, int n) {
        for (int t = 0; t < n; t++) out[o + t] = exp(x[xo + t]);
    }

    /** The Vector API path over an array; only when {@link Backend#VECTOR} is true (else the module is missing). */
    public static void vector(float[] x, int xo, float[] out, int o, int n) {
        Backend.requireVector("Expf.vector");
        VectorExpf.exp(x, xo, out, o, n);
    }
}
