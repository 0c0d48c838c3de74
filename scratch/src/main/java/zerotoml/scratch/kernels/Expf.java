package zerotoml.scratch.kernels;

import java.math.BigDecimal;

/**
 * The exponential of float32 values computed in float, as PyTorch's CPU kernel computes it (an exp
 * polynomial over {@code Vectorized<float>} lanes): sixteen lanes at 512 bits where {@link FloatExp}'s
 * double lanes take eight and a polynomial of twice the degree. The kernel of the float32 {@code exp} op,
 * softmax and log-softmax, and the e^−|x| of {@link FloatSigmoid}; tanh keeps {@link FloatExp}.
 *
 * <p>Per element, all in float: x clamped to [−104, 89] (e^−104 is below half the smallest subnormal,
 * e^88.73 above the largest float, so the clamp changes no result); k = the integer nearest x / ln 2 (by
 * adding and removing 1.5·2²³ in one fused step); r = x − k·ln 2 in two fused steps (ln 2 split into a
 * float and the rest; the first is exact, |r| ≤ ln 2 / 2 + 2⁻²⁴); e^r by its Taylor series to r⁷
 * (truncation below 2⁻²⁷ relative) in Horner's form with fused multiply-adds; then y = (e^r · 2^k1) · 2^k2
 * with k1 = ⌊k / 2⌋ and k2 = k − k1, both powers normal floats for every k in [−150, 128]: the first
 * product is exact, the second rounds once (where y is subnormal or overflows to +∞). A NaN is returned
 * as it came.
 *
 * <p>{@link #exp(float)} is the scalar path and the oracle of {@code VectorExpf}, which does the same
 * operations in the same order lane by lane (the Vector API's fma is {@link Math#fma} per lane, its bit
 * moves exact), so both give the same bits: {@code ExpfTest} on edge values and sizes,
 * {@code FloatExpExhaustive} over all 2³² floats. The error against {@code (float) Math.exp(x)}
 * ({@link #naive}, the float32 exp's bits until the sixteenth session) is measured over all 2³² floats by
 * the same main: at most {@link #MAX_ULPS} float ulps, well inside the float32 parity tolerance (rtol
 * 1.3e-6: 5 to 11 ulps, by where in its binade a value lies).
 */
public final class Expf {
    private Expf() {}

    /** The largest distance from {@link #naive}, in float ulps, over all 2³² floats (FloatExpExhaustive). */
    public static final int MAX_ULPS = 1;

    /** e^x for x below this rounds to +0 in float, and above HIGHEST is +∞: the clamp changes no result. */
    static final float LOWEST = -104f, HIGHEST = 89f;
    /** 1.5·2²³: adding and removing it rounds a float below 2²² in magnitude to an integer. */
    static final float SHIFTER = 0x1.8p23f;
    /** SHIFTER's bits: t − SHIFTER_BITS, on the bits, is the integer k that t = SHIFTER + k holds. */
    static final int SHIFTER_BITS = Float.floatToRawIntBits(SHIFTER);
    /** ln 2 as a float, the rest of ln 2 beyond it, and 1 / ln 2. */
    static final float LN2_HI = (float) Math.log(2),
            LN2_LO = new BigDecimal("0.693147180559945309417232121458176568075500134360255254120680009")
                    .subtract(new BigDecimal(LN2_HI)).floatValue(),
            INV_LN2 = (float) (1 / Math.log(2));
    /** −ln 2 in the same two parts (the product k·(−c) is (−k)·c exactly). */
    static final float NEG_LN2_HI = -LN2_HI, NEG_LN2_LO = -LN2_LO;
    /** 1/i! for i = 0..7: the float nearest each (i! is exact). */
    static final float C0 = 1f, C1 = 1f, C2 = 0.5f, C3 = (float) (1.0 / 6), C4 = (float) (1.0 / 24), C5 = (float) (1.0 / 120),
            C6 = (float) (1.0 / 720), C7 = (float) (1.0 / 5040);

    // y = (e^r · 2^k1) · 2^k2,  k1 = floor(k / 2),  k2 = k − k1,  k = round(x / ln 2),  r = x − k·ln 2,  x clamped to [−104, 89]
    /** e^x in float: the scalar path, and the oracle of the vector path. */
    public static float exp(float x) {
        // x clamped to [−104, 89] (a NaN stays a NaN and is put back at the end)
        float u = Math.min(Math.max(x, LOWEST), HIGHEST);
        // k = round(u / ln 2): t = u·(1/ln 2) + 1.5·2²³ rounded once, its last bits hold k
        float t = Math.fma(u, INV_LN2, SHIFTER);
        float k = t - SHIFTER;
        // r = u − k·ln 2, ln 2 in two parts (the first step exact)
        float r = Math.fma(k, NEG_LN2_HI, u);
        r = Math.fma(k, NEG_LN2_LO, r);
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
