package zerotoml.scratch.kernels;

/**
 * The logistic σ of float32 values computed in float, as PyTorch's CPU kernel computes it
 * ({@code Vectorized<float>} lanes, an exp polynomial in float): sixteen lanes at 512 bits where
 * {@link FloatExp}'s double lanes take eight and a polynomial of twice the degree.
 *
 * <p>Per element, all in float: u = −|x| clamped to [−104, 0], e = e^u by {@link Expf} (u is inside its
 * clamp), then σ = (x ≥ 0 ? 1 : e) / (1 + e), one exp and one division per element without overflow. A
 * NaN is returned as it came.
 *
 * <p>{@link #sigmoid(float)} is the scalar path and the oracle of {@code VectorSigmoid}, which writes
 * Expf's steps out lane by lane with one difference: the polynomial's coefficients are scaled by 2⁻⁶⁴ and e
 * is that times 2^(k+64), one power (a normal float for every k from −150 to 0) instead of Expf's two.
 * The bits are the same: every Horner step's rounding is exactly 2⁻⁶⁴ times the unscaled one's (nothing
 * comes near the subnormals), and either way e is the exact e^r·2^k rounded once. So both paths give the
 * same bits: {@code FloatSigmoidTest} on edge values and sizes, {@code FloatExpExhaustive} over all 2³²
 * floats. The error against σ computed in double and rounded ({@link #naive}, within half an ulp of σ) is
 * measured over all 2³² floats by the same main: at most {@link #MAX_ULPS} float ulps
 * (notes/Performance.md), well inside the float32 parity tolerance (rtol 1.3e-6: 5 to 11 ulps, by where in
 * its binade a value lies).
 *
 * <p>Until the fourteenth session the float32 sigmoid had the bits of that double formula ({@link
 * FloatExp} in double lanes with a rounding check): the same answer to within {@link #MAX_ULPS} ulps at
 * three to four times the cost (notes/Performance.md, section "The float sigmoid").
 */
public final class FloatSigmoid {
    private FloatSigmoid() {}

    /** The largest distance from {@link #naive}, in float ulps, over all 2³² floats (FloatExpExhaustive). */
    public static final int MAX_ULPS = 2;

    /** Added to t's bits (t = 1.5·2²³ + k, {@link Expf}'s shifter): 64 + 127 − its bits, so that shifted left 23 they are the bits of 2^(k+64). */
    static final int BIAS = 64 + 127 - Expf.SHIFTER_BITS;
    /** The float sign bit, the bits of Expf's lowest input (−104), and 1's. */
    static final int SIGN = 0x80000000, LOWEST_BITS = Float.floatToRawIntBits(Expf.LOWEST), ONE_BITS = Float.floatToRawIntBits(1f);
    /** The vector path's polynomial: {@link Expf}'s coefficients 1/i! times 2⁻⁶⁴ (exact, all stay normal). */
    static final float C0 = Expf.C0 * 0x1p-64f, C1 = Expf.C1 * 0x1p-64f, C2 = Expf.C2 * 0x1p-64f, C3 = Expf.C3 * 0x1p-64f,
            C4 = Expf.C4 * 0x1p-64f, C5 = Expf.C5 * 0x1p-64f, C6 = Expf.C6 * 0x1p-64f, C7 = Expf.C7 * 0x1p-64f;

    // σ = (x ≥ 0 ? 1 : e) / (1 + e),  e = e^u,  u = max(−|x|, −104)
    /** σ(x) = 1 / (1 + e^−x) in float: the scalar path, and the oracle of the vector path. */
    public static float sigmoid(float x) {
        // u = −|x| (the sign bit set), clamped below at −104 on the bits: for floats with the sign bit set, the more
        // negative one has the larger bits as a signed int (−∞ and a NaN, too, become −104; a NaN is put back at the end)
        int xb = Float.floatToRawIntBits(x);
        float u = Float.intBitsToFloat(Math.min(xb | SIGN, LOWEST_BITS));
        // e = e^u by the float exp (u is inside its clamp, so it changes nothing)
        float e = Expf.exp(u);
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
