package zerotoml.scratch.kernels;

import java.math.BigDecimal;

/**
 * The exponential of float32 values with the bits of {@code (float) Math.exp((double) x)}, by a
 * polynomial in double lanes and a rounding check: the core of the float32 tanh ({@link #tanh(float)},
 * vectorised in {@code VectorExp}). The float32 exp op, softmax and log-softmax computed their exps
 * so until the sixteenth session; they now run {@link Expf}, in float lanes, within an ulp of these
 * bits at well under half the cost (0.37 against 0.86 ns an element on the Zen 5, JDK 25).
 * {@link #exp(float)} stays as the scalar exp of this polynomial and check, which the exhaustive main
 * (benchmarks' FloatExpExhaustive) holds to {@code Math.exp}'s bits.
 *
 * <p>Per element, in double: clamp x to [−110, 89] (beyond, the float result is 0 or +∞ either
 * way), k = the integer nearest x / ln 2 (by adding and removing 1.5·2⁵²), r = x − k·ln 2 in two
 * fused steps (ln 2 split into a double and the rest, so |r| ≤ ln 2 / 2 to about 1e-17), e^r by
 * its Taylor series to r¹³ (the truncation is below 5e-18 relative) in Horner's form with fused
 * multiply-adds, and y = e^r · 2^k, the power of two written into the exponent bits. y is within
 * a few double ulps of eˣ (the exhaustive check of notes/Performance.md measures it).
 *
 * <p>Rounding y to float could still differ from rounding {@code Math.exp}'s double near the
 * midpoint between two floats. So each element rounds both y·(1 − 2⁻⁴⁶) and y·(1 + 2⁻⁴⁶): when
 * they give the same float, every double in between rounds to that float (rounding is monotone),
 * and that interval holds both eˣ and {@code Math.exp(x)} (within 1 ulp of eˣ by its contract),
 * so the float is exactly {@code (float) Math.exp(x)}'s. When they differ (about one float in
 * 2²⁰, and every NaN, for which the comparison fails), the element takes
 * {@code (float) Math.exp(x)} itself. The result is therefore the oracle's, bit for bit, by
 * construction; the exhaustive check over all 2³² floats confirms it.
 *
 * <p>{@link #naiveExp} is the oracle of {@link #exp(float)}. {@code VectorExp} does tanh's operations lane
 * by lane (the Vector API's fma is {@link Math#fma} per lane, its conversions round to nearest as a Java cast).
 *
 * <p>The tanh of float32 goes through the same polynomial and the same check,
 * against its own oracle {@link #naiveTanh} (the float tanh as it was computed). The float32 sigmoid
 * had too, until it moved to {@link FloatSigmoid}, computed in float.
 */
public final class FloatExp {
    private FloatExp() {}

    /** Inputs below this give +0 and above it +∞ in float; clamping there keeps 2^k a normal double. */
    public static final double LOWEST = -110, HIGHEST = 89;
    /** 1.5·2⁵²: adding and removing it rounds a double below 2⁵¹ in magnitude to an integer. */
    static final double SHIFTER = 0x1.8p52;
    /** ln 2 as a double, and the rest of ln 2 beyond it. */
    static final double LN2_HI = Math.log(2), LN2_LO = new BigDecimal("0.693147180559945309417232121458176568075500134360255254120680009")
            .subtract(new BigDecimal(LN2_HI)).doubleValue();
    static final double INV_LN2 = 1 / LN2_HI;
    /** The relative half-width of the interval around y that must round to one float. */
    public static final double DOWN = 1 - 0x1p-46, UP = 1 + 0x1p-46;
    /** 1/i! for i = 0..13, each the double nearest (i! is exact in double). */
    static final double[] C = taylor(13);

    private static double[] taylor(int degree) {
        double[] c = new double[degree + 1];
        double f = 1;
        for (int i = 0; i <= degree; i++) {
            if (i > 0) f *= i;
            c[i] = 1 / f;
        }
        return c;
    }

    private static final double C0 = C[0], C1 = C[1], C2 = C[2], C3 = C[3], C4 = C[4], C5 = C[5], C6 = C[6],
            C7 = C[7], C8 = C[8], C9 = C[9], C10 = C[10], C11 = C[11], C12 = C[12], C13 = C[13];

    // y = e^r · 2^k,  k = round(x / ln 2),  r = x − k·ln 2,  e^r = Σ_{i≤13} rⁱ / i!
    /**
     * The double y ≈ eˣ the kernel rounds (for the exhaustive check's error figure): a few ulps from
     * {@code Math.exp(x)}, or NaN for a NaN; x is clamped to [−110, 89] first.
     */
    public static double approx(float x) {
        return approx((double) x);
    }

    /** {@link #approx(float)} on a double argument (tanh's 2|x| of a float x). */
    static double approx(double v) {
        double c = Math.min(Math.max(v, LOWEST), HIGHEST);
        double t = c * INV_LN2 + SHIFTER;
        double k = t - SHIFTER;
        double r = Math.fma(-k, LN2_HI, c);
        r = Math.fma(-k, LN2_LO, r);
        double p = Math.fma(C13, r, C12);
        p = Math.fma(p, r, C11);
        p = Math.fma(p, r, C10);
        p = Math.fma(p, r, C9);
        p = Math.fma(p, r, C8);
        p = Math.fma(p, r, C7);
        p = Math.fma(p, r, C6);
        p = Math.fma(p, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r, C1);
        p = Math.fma(p, r, C0);
        // the low bits of t hold 2⁵¹ + k: adding the bias and shifting left 52 leaves (k + 1023) in the exponent
        double scale = Double.longBitsToDouble((Double.doubleToRawLongBits(t) + 1023) << 52);
        return p * scale;
    }

    // exp x = float(y) when float(y·(1 − δ)) = float(y·(1 + δ)), else float(Math.exp x)
    /** {@code (float) Math.exp((double) x)}, bit for bit, through {@link #approx}: the scalar path. */
    public static float exp(float x) {
        double y = approx(x);
        float lo = (float) (y * DOWN), hi = (float) (y * UP);
        return lo == hi ? lo : (float) Math.exp(x);
    }

    /** The oracle: one {@code Math.exp} in double per element, rounded to float. */
    public static float naiveExp(float x) {
        return (float) Math.exp(x);
    }

    /** The relative half-width of tanh's check: its quotient cancels near |x| = 2⁻⁵ (see {@link #tanh(float)}). */
    public static final double TANH_DOWN = 1 - 0x1p-40, TANH_UP = 1 + 0x1p-40;
    /**
     * Whether the float tanh op runs {@code VectorExp}'s tanh (when the Vector API is in use): yes
     * since the eleventh session. Before, its lanes below |x| = 2⁻⁵ all went through the scalar
     * fallback and its check was a call C2 did not inline (its vectors boxed), so it did not pay;
     * now those lanes run the oracle's series lane by lane and the check is written out: 1.7-2.9
     * against 3.9-9.6 ns an element on JDK 25; on JDK 17 3.6 against 4.1-12 at 1,000 elements but
     * 7.4 against 6.1 at 1M small inputs, and JMH's tanh 1M there went from 2.55 to 1.99-3.45 times
     * PyTorch's (AMD EPYC Zen 5, notes/Performance.md): a gain on JDK 25 and in the MLP on both, not
     * everywhere on JDK 17. The bits are the same either way (FloatExpTest; FloatExpExhaustive).
     */
    public static final boolean TANH_VECTOR = true;
    /** Where {@link Unary#tanhForFloat} leaves its series for the quotient, and where it returns 1. */
    static final double TANH_SERIES = 0x1p-5, TANH_ONE = 20;

    // tanh x = float(y) when float(y·(1 − δ)) = float(y·(1 + δ)),  y = ±(1 − 2 / (approx(2|x|) + 1)),  for 2⁻⁵ ≤ |x| < 20;  else the oracle
    /**
     * tanh with the bits of the float tanh, {@link #naiveTanh} ({@link Unary#tanhForFloat} rounded):
     * on 2⁻⁵ ≤ |x| &lt; 20 its quotient 1 − 2/(e^{2|x|} + 1) on {@link #approx}'s e^{2|x|}, with
     * the two-rounding check at 2⁻⁴⁰ (the subtraction from 1 magnifies e's 2⁻⁵¹ by up to
     * q/(1 − q) ≈ 31 at |x| = 2⁻⁵: about 2⁻⁴⁵, inside 2⁻⁴⁰); elsewhere (the series, the 1, NaN) the
     * oracle's own operations. The scalar path.
     */
    public static float tanh(float x) {
        double v = x, a = Math.abs(v);
        if (a < TANH_SERIES || a >= TANH_ONE) return naiveTanh(x);
        double y = Math.copySign(1 - 2 / (approx(2 * a) + 1), v);
        float lo = (float) (y * TANH_DOWN), hi = (float) (y * TANH_UP);
        return lo == hi ? lo : naiveTanh(x);
    }

    /** The oracle: the float tanh as it was computed, {@code (float) Unary.tanhForFloat(x)}. */
    public static float naiveTanh(float x) {
        return (float) Unary.tanhForFloat(x);
    }

    // out_{o+t} = tanh(x_{xo+t})
    /** {@link #tanh(float)} over an array: the Vector API path when it is in use, else the scalar one. x and out may be the same array. */
    public static void tanh(float[] x, int xo, float[] out, int o, int n) {
        if (Backend.VECTOR) VectorExp.tanh(x, xo, out, o, n);
        else tanhScalar(x, xo, out, o, n);
    }

    /** The scalar path of the array tanh. */
    public static void tanhScalar(float[] x, int xo, float[] out, int o, int n) {
        for (int t = 0; t < n; t++) out[o + t] = tanh(x[xo + t]);
    }

    /** The Vector API path of the array tanh; only when {@link Backend#VECTOR} is true. */
    public static void tanhVector(float[] x, int xo, float[] out, int o, int n) {
        Backend.requireVector("FloatExp.tanhVector");
        VectorExp.tanh(x, xo, out, o, n);
    }
}
