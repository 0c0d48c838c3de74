package zerotoml.scratch.kernels;

/**
 * Gradients that pass g where a condition holds and +0 where it does not: relu's ({@link #reluGrad},
 * g where x &gt; 0 or x is NaN) and a gradient gated by a share ({@link #gate}, g · s where s ≠ 0:
 * clamp's, maximum's and minimum's). PyTorch masks gradients with where and masked_fill, so a
 * blocked gradient is +0 even where g is negative, infinite or NaN (g · 0 would give −0 or NaN).
 * Each replaces ops that went through double arrays (a mask, a product, a where: 14 ms over 1M floats
 * for relu's, 3.95 ms for the gate, AMD EPYC Zen 5, JDK 25) with one select per element: the Vector
 * API's compare and blend when in use ({@link VectorPointwise}, whose tails run the scalar loops
 * here), else the scalar loops. Their twins, {@link PointwiseOracles#naiveReluGrad} and
 * {@link PointwiseOracles#naiveGate}, replay the ops they replace (g · 1 is g; a NaN stays a NaN, its
 * payload not kept). Each element depends on its own inputs only, so the split over threads cannot
 * change a bit.
 */
public final class Gates {
    private Gates() {}

    // out_i = x_i ≤ 0 ? +0 : g_i
    /** relu's gradient: {@code out[i] = x[i] <= 0 ? +0 : g[i]} for i &lt; n (a NaN x passes g on, as PyTorch's threshold_backward). */
    public static void reluGrad(float[] g, float[] x, float[] out, int n) {
        reluGrad(Backend.VECTOR, g, x, out, n);
    }

    /** {@link #reluGrad(float[], float[], float[], int)} on the chosen backend (tests compare the two). */
    static void reluGrad(boolean vector, float[] g, float[] x, float[] out, int n) {
        Pointwise.checkMap("reluGrad", Math.min(g.length, x.length), out.length, n);
        Pointwise.split(n, (lo, hi) -> {
            if (vector) VectorPointwise.reluGrad(g, x, out, lo, hi);
            else reluGrad(g, x, out, lo, hi);
        });
    }

    /** The double form of {@link #reluGrad(float[], float[], float[], int)}. */
    public static void reluGrad(double[] g, double[] x, double[] out, int n) {
        reluGrad(Backend.VECTOR, g, x, out, n);
    }

    static void reluGrad(boolean vector, double[] g, double[] x, double[] out, int n) {
        Pointwise.checkMap("reluGrad", Math.min(g.length, x.length), out.length, n);
        Pointwise.split(n, (lo, hi) -> {
            if (vector) VectorPointwise.reluGrad(g, x, out, lo, hi);
            else reluGrad(g, x, out, lo, hi);
        });
    }

    // out_i = s_i ≠ 0 ? g_i · s_i : +0
    /** A gated gradient: {@code out[i] = s[i] != 0 ? g[i] · s[i] : +0} for i &lt; n (a NaN share lets g · NaN through, as where's condition). */
    public static void gate(float[] g, float[] s, float[] out, int n) {
        gate(Backend.VECTOR, g, s, out, n);
    }

    /** {@link #gate(float[], float[], float[], int)} on the chosen backend (tests compare the two). */
    static void gate(boolean vector, float[] g, float[] s, float[] out, int n) {
        Pointwise.checkMap("gate", Math.min(g.length, s.length), out.length, n);
        Pointwise.split(n, (lo, hi) -> {
            if (vector) VectorPointwise.gate(g, s, out, lo, hi);
            else gate(g, s, out, lo, hi);
        });
    }

    /** The double form of {@link #gate(float[], float[], float[], int)}. */
    public static void gate(double[] g, double[] s, double[] out, int n) {
        gate(Backend.VECTOR, g, s, out, n);
    }

    static void gate(boolean vector, double[] g, double[] s, double[] out, int n) {
        Pointwise.checkMap("gate", Math.min(g.length, s.length), out.length, n);
        Pointwise.split(n, (lo, hi) -> {
            if (vector) VectorPointwise.gate(g, s, out, lo, hi);
            else gate(g, s, out, lo, hi);
        });
    }

    // ------------------------------------------------------------------ the scalar loops over [lo, hi)

    static void reluGrad(float[] g, float[] x, float[] out, int lo, int hi) {
        for (int i = lo; i < hi; i++) out[i] = x[i] <= 0 ? 0f : g[i];
    }

    static void reluGrad(double[] g, double[] x, double[] out, int lo, int hi) {
        for (int i = lo; i < hi; i++) out[i] = x[i] <= 0 ? 0.0 : g[i];
    }

    static void gate(float[] g, float[] s, float[] out, int lo, int hi) {
        for (int i = lo; i < hi; i++) out[i] = s[i] != 0 ? g[i] * s[i] : 0f;
    }

    static void gate(double[] g, double[] s, double[] out, int lo, int hi) {
        for (int i = lo; i < hi; i++) out[i] = s[i] != 0 ? g[i] * s[i] : 0.0;
    }
}
