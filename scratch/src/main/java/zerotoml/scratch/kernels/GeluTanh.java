package zerotoml.scratch.kernels;

/**
 * GELU's tanh approximation, ½x(1 + tanh(√(2/π)(x + κx³))) (Hendrycks and Gimpel, "Gaussian Error Linear
 * Units", arXiv 1606.08415, §2), in float32 as PyTorch's CPU kernel computes it: the cube, the inner
 * argument, the tanh and the products each a float operation; the tanh is {@link FloatExp#tanh}, the float
 * tanh's bits, a block of lanes at a time. The backward fuses g · gelu'(x) into one pass. Each has a naive
 * twin, one element at a time through the oracle tanh, and {@code GeluTanhTest} holds them equal bit for bit.
 * Float64 keeps its double loop in the op (PyTorch's float64 kernel computes in double too).
 */
public final class GeluTanh {
    private GeluTanh() {}

    /** √(2/π) and κ in float, as PyTorch's kernel holds them for float32. */
    static final float BETA = (float) 0.7978845608028654, KAPPA = 0.044715f;

    // u = β(x + κx³)
    static float inner(float x) {
        float cube = x * x * x;
        return BETA * (x + KAPPA * cube);
    }

    // y = ½x(1 + t),  t = tanh u
    static float value(float x, float t) {
        return 0.5f * x * (1f + t);
    }

    // gelu'(x) = ½(1 + t) + ½x(1 − t²)·β(1 + 3κx²);  the second term is 0 where 1 − t² is
    static float slope(float x, float t) {
        float left = 0.5f * x, right = 1f + t, tanhSlope = 1f - t * t;
        // where t = ±1 (|x| ≥ 10) the term is 0, also for a finite x whose x² overflows float (|x| > 1.8e19): PyTorch's
        // float32 kernel multiplies 0 by that ∞ and returns NaN for a gradient of exactly 1 or 0 (EdgeValuesParityTest
        // adjudicates it). At x = ±∞ the product stays, and gives PyTorch's NaN, its rule for the infinities.
        if (tanhSlope == 0f && Math.abs(x) < Float.POSITIVE_INFINITY) return 0.5f * right;
        float innerSlope = BETA * (1f + 3f * KAPPA * (x * x));
        return 0.5f * right + left * tanhSlope * innerSlope;
    }

    /** out[i] = gelu_tanh(x[i]) for i &lt; n, in float; x and out may be the same array. */
    public static void forward(float[] x, float[] out, int n) {
        check("forward", n, x.length, out.length);
        withTanh(x, n, (b, len, t) -> {
            for (int i = 0; i < len; i++) out[b + i] = value(x[b + i], t[i]);
        });
    }

    /** out[i] = g[i] · gelu_tanh'(x[i]) for i &lt; n, in float (PyTorch's gelu_backward with approximate='tanh'). */
    public static void backward(float[] g, float[] x, float[] out, int n) {
        check("backward", n, g.length, x.length, out.length);
        withTanh(x, n, (b, len, t) -> {
            for (int i = 0; i < len; i++) out[b + i] = g[b + i] * slope(x[b + i], t[i]);
        });
    }

    /** Writes the outputs [b, b + len) from x and t[i] = tanh u(x[b + i]). */
    private interface Block {
        void write(int b, int len, float[] t);
    }

    // per block of 512 (split over threads above the threshold): t = tanh(u(x)) in a buffer, then the block's outputs
    private static void withTanh(float[] x, int n, Block block) {
        Pointwise.split(n, (lo, hi) -> {
            float[] t = new float[Math.min(Pointwise.BLOCK, hi - lo)];
            for (int b = lo; b < hi; b += Pointwise.BLOCK) {
                int len = Math.min(Pointwise.BLOCK, hi - b);
                for (int i = 0; i < len; i++) t[i] = inner(x[b + i]);
                FloatExp.tanh(t, 0, t, 0, len);
                block.write(b, len, t);
            }
        });
    }

    private static void check(String op, int n, int... lengths) {
        for (int len : lengths) {
            if (n < 0 || len < n) throw new IllegalArgumentException("GeluTanh." + op + ": n = " + n + " does not fit arrays of " + java.util.Arrays.toString(lengths) + " elements");
        }
    }

    /** The twin of {@link #forward}: one element at a time, the tanh by its oracle. */
    public static void naiveForward(float[] x, float[] out, int n) {
        for (int i = 0; i < n; i++) out[i] = value(x[i], FloatExp.naiveTanh(inner(x[i])));
    }

    /** The twin of {@link #backward}: one element at a time, the tanh by its oracle. */
    public static void naiveBackward(float[] g, float[] x, float[] out, int n) {
        for (int i = 0; i < n; i++) out[i] = g[i] * slope(x[i], FloatExp.naiveTanh(inner(x[i])));
    }
}
