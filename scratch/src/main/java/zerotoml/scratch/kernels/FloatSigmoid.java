package zerotoml.scratch.kernels;

import java.math.BigDecimal;

/**
 * The logistic σ of float32 values computed in float, as PyTorch's CPU kernel computes it
 * ({@code Vectorized<float>} lanes, an exp polynomial in float): sixteen lanes at 512 bits where
 * {@link FloatExp}'s double lanes take eight and a polynomial of twice the degree.
 *
 * <p>Per element, all in float: u = −|x| clamped to [−104, 0] (e^−104 is below half the smallest
 * subnormal, so the clamp changes no result); k = the integer nearest u / ln 2 (by adding and
 * removing 1.5·2²³ in one fused step); r = u − k·ln 2 in two fused steps (ln 2 split into a float and
 * the rest; the first is exact, |r| ≤ ln 2 / 2 + 2⁻²⁴); e^r by its Taylor series to r⁷ (truncation
 * below 2⁻²⁷ relative) in Horner's form with fused multiply-adds, every coefficient scaled by 2⁻⁶⁴ (which
 * changes no rounding); e = that times 2^(k+64), a normal float down to k = −150, so a subnormal e is
 * rounded once and no other product rounds; then σ = (x ≥ 0 ? 1 : e) / (1 + e), one exp and one
 * division per element without overflow. A NaN is returned as it came.
 *
 * <p>{@link #sigmoid(float)} is the scalar path and the oracle of {@code VectorSigmoid}, which does
 * the same operations in the same order lane by lane (the Vector API's fma is {@link Math#fma} per
 * lane, its conversions and bit moves exact), so both give the same bits: {@code FloatSigmoidTest}
 * on edge values and sizes, {@code FloatExpExhaustive} over all 2³² floats. The error against σ
 * computed in double and rounded ({@link #naive}, within half an ulp of σ) is measured over all 2³²
 * floats by the same main: at most {@link #MAX_ULPS} float ulps (notes/Performance.md), well inside
 * the float32 parity tolerance (rtol 1.3e-6: 5 to 11 ulps, by where in its binade a value lies).
 *
 * <p>Until the fourteenth session the float32 sigmoid had the bits of that double formula ({@link
 * FloatExp} in double lanes with a rounding check): the same answer to within {@link #MAX_ULPS} ulps at
 * three to four times the cost (notes/Performance.md, section "The float sigmoid").
 */
public final class FloatSigmoid {
    private FloatSigmoid() {}

    /** The largest distance from {@link #naive}, in float ulps, over all 2³² floats (FloatExpExhaustive). */
    public static final int MAX_ULPS = 2;

    /** e^u for u below this rounds to +0 in float; clamping there keeps 2^(k+64) a normal float. */
    static final float LOWEST = -104f;
    /** 1.5·2²³: adding and removing it rounds a float below 2²² in magnitude to an integer. */
    static final float SHIFTER = 0x1.8p23f;
    /** SHIFTER's bits: t − SHIFTER_BITS, on the bits, is the integer k that t = SHIFTER + k holds. */
    static final int SHIFTER_BITS = Float.floatToRawIntBits(SHIFTER);
    /** Added to t's bits: 64 + 127 − SHIFTER_BITS, so that shifted left 23 they are the bits of 2^(k+64). */
    static final int BIAS = 64 + 127 - SHIFTER_BITS;
    /** The float sign bit, LOWEST's bits, and 1's. */
    static final int SIGN = 0x80000000, LOWEST_BITS = Float.floatToRawIntBits(LOWEST), ONE_BITS = Float.floatToRawIntBits(1f);
    /** ln 2 as a float, the rest of ln 2 beyond it, and 1 / ln 2. */
    static final float LN2_HI = (float) Math.log(2),
            LN2_LO = new BigDecimal("0.693147180559945309417232121458176568075500134360255254120680009")
                    .subtract(new BigDecimal(LN2_HI)).floatValue(),
            INV_LN2 = (float) (1 / Math.log(2));
    /** −ln 2 in the same two parts (the product k·(−c) is (−k)·c exactly). */
    static final float NEG_LN2_HI = -LN2_HI, NEG_LN2_LO = -LN2_LO;
    /** 2⁻⁶⁴/i! for i = 0..7: the float nearest 1/i!, times 2⁻⁶⁴ (exact, all stay normal). */
    static final float C0 = 0x1p-64f, C1 = 0x1p-64f, C2 = 0x1p-64f / 2, C3 = (float) (1.0 / 6) * 0x1p-64f,
            C4 = (float) (1.0 / 24) * 0x1p-64f, C5 = (float) (1.0 / 120) * 0x1p-64f, C6 = (float) (1.0 / 720) * 0x1p-64f,
            C7 = (float) (1.0 / 5040) * 0x1p-64f;

    // σ = (x ≥ 0 ? 1 : e) / (1 + e),  e = e^r · 2^k,  u = max(−|x|, −104),  k = round(u / ln 2),  r = u − k·ln 2
    /** σ(x) = 1 / (1 + e^−x) in float: the scalar path, and the oracle of the vector path. */
    public static float sigmoid(float x) {
        // u = −|x| (the sign bit set), clamped below at −104 on the bits: for floats with the sign bit set, the more
        // negative one has the larger bits as a signed int (−∞ and a NaN, too, become −104; a NaN is put back at the end)
        int xb = Float.floatToRawIntBits(x);
        float u = Float.intBitsToFloat(Math.min(xb | SIGN, LOWEST_BITS));
        // k = round(u / ln 2): t = u·(1/ln 2) + 1.5·2²³ rounded once, its last bits hold k
        float t = Math.fma(u, INV_LN2, SHIFTER);
        float k = t - SHIFTER;
        // r = u − k·ln 2, ln 2 in two parts (the first step exact)
        float r = Math.fma(k, NEG_LN2_HI, u);
        r = Math.fma(k, NEG_LN2_LO, r);
        // e^r · 2⁻⁶⁴ = 2⁻⁶⁴ + r(2⁻⁶⁴ + r(2⁻⁶⁴/2 + … + r·2⁻⁶⁴/7!)): every coefficient scaled by 2⁻⁶⁴, so every
        // rounding is the unscaled one's, exactly 2⁻⁶⁴ times it
        float p = Math.fma(C7, r, C6);
        p = Math.fma(p, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r, C1);
        p = Math.fma(p, r, C0);
        // e = (e^r · 2⁻⁶⁴) · 2^(k+64): k + 64 + 127 in the exponent bits (t's bits − SHIFTER's are k), a normal float
        // for k ≥ −150; one rounding, where e is subnormal
        float e = p * Float.intBitsToFloat((Float.floatToRawIntBits(t) + BIAS) << 23);
        // σ = (x ≥ 0 ? 1 : e) / (1 + e), by x's sign bit (x = −0 gives e = 1, the same numerator); a NaN x as it came
        float s = (xb < 0 ? e : 1f) / (1f + e);
        return x != x ? x : s;
    }

    /** σ in double, rounded to float once: the accuracy reference (the float32 sigmoid's bits before this kernel). */
    public static float naive(float x) {
        return (float) Unary.SIGMOID.applyAsDouble(x);
    }

    // out_{o+t} = σ(x_{xo+t})
    /** {@link #sigmoid(float)} over an array: the Vector API path when it is in use, else the scalar one. x and out may be the same array. */
    public static void sigmoid(float[] x, int xo, float[] out, int o, int n) {
        if (Backend.VECTOR) VectorSigmoid.sigmoid(x, xo, out, o, n);
        else scalar(x, xo, out, o, n);
    }

    /** The scalar path over an array. */
    public static void scalar(float[] x, int xo, float[] out, int o, int n) {
        for (int t = 0; t < n; t++) out[o + t] = sigmoid(x[xo + t]);
    }

    /** The Vector API path over an array; only when {@link Backend#VECTOR} is true (else the module is missing). */
    public static void vector(float[] x, int xo, float[] out, int o, int n) {
        Backend.requireVector("FloatSigmoid.vector");
        VectorSigmoid.sigmoid(x, xo, out, o, n);
    }

    /**
     * The distance in which {@link #MAX_ULPS} is measured: how many floats lie between a and b, −0 taken as +0;
     * 0 when both are NaN, −1 (never within any bound) when only one is, or when either is negative (σ never is).
     */
    public static long ulpsApart(float a, float b) {
        if (a != a || b != b) return (a != a && b != b) ? 0 : -1;
        if (a < 0 || b < 0) return -1;
        return Math.abs((long) Float.floatToIntBits(a + 0f) - Float.floatToIntBits(b + 0f));
    }
}
