package zerotoml.scratch.kernels;

/**
 * Exact GELU, x · Φ(x) (Hendrycks and Gimpel, arXiv 1606.08415), over arrays: the forward through
 * {@link Erf#erf} (the erfs kept for the backward), and the backward fused into one loop where it
 * was a map and a product. Each has a naive twin, the loops it replaced, and {@code GeluTest} holds
 * them equal bit for bit.
 */
public final class Gelu {
    private Gelu() {}

    /** 1/√2. */
    static final double SQRT_HALF = 0.7071067811865476;
    /** 1/√(2π), the peak of the standard normal density. */
    static final double INV_SQRT_2PI = 0.3989422804014327;

    // erfᵢ = erf(xᵢ/√2);  outᵢ = xᵢ/2 · (1 + erfᵢ)
    /** out[i] = x[i] · Φ(x[i]) in double and erfs[i] = erf(x[i]/√2), for i in [0, n). */
    public static void forward(double[] x, double[] erfs, double[] out, int n) {
        // s = x/√2 (as x · SQRT_HALF), then erf of every s at once
        for (int i = 0; i < n; i++) erfs[i] = x[i] * SQRT_HALF;
        Erf.erf(erfs, erfs, n);
        for (int i = 0; i < n; i++) out[i] = 0.5 * x[i] * (1 + erfs[i]);
    }

    // erfᵢ = erf(xᵢ/√2);  outᵢ = float(xᵢ/2 · (1 + erfᵢ)), all in double from the float xᵢ
    /** The float32 forward on the tensor's own floats: {@link #forward(double[], double[], double[], int)} of the widened x, rounded to float. */
    public static void forward(float[] x, double[] erfs, float[] out, int n) {
        for (int i = 0; i < n; i++) erfs[i] = x[i] * SQRT_HALF;
        Erf.erf(erfs, erfs, n);
        for (int i = 0; i < n; i++) out[i] = (float) (0.5 * x[i] * (1 + erfs[i]));
    }

    /** The twin of both forwards: the loop the op ran, erf one element at a time (round out to float for float32). */
    public static void naiveForward(double[] x, double[] erfs, double[] out, int n) {
        for (int i = 0; i < n; i++) {
            erfs[i] = Erf.naive(x[i] * SQRT_HALF);
            out[i] = 0.5 * x[i] * (1 + erfs[i]);
        }
    }

    // Φ(x) + x φ(x) = ½(1 + erf) + x · e^{−x²/2}/√(2π), in double
    static double slope(double x, double erf) {
        return 0.5 * (1 + erf) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    }

    // ∂xᵢ = gᵢ · float(Φ(xᵢ) + xᵢ φ(xᵢ)), the product rounded to float
    /** The float32 backward: out[i] = g[i] · (float) slope(x[i]), in one pass, from the tensor's own floats. */
    public static void backward(float[] g, float[] x, double[] erfs, float[] out, int n) {
        for (int i = 0; i < n; i++) out[i] = (float) ((double) g[i] * (double) (float) slope(x[i], erfs[i]));
    }

    // ∂xᵢ = gᵢ · (Φ(xᵢ) + xᵢ φ(xᵢ))
    /** The float64 backward: out[i] = g[i] · slope(x[i]), in one pass. */
    public static void backward(double[] g, double[] x, double[] erfs, double[] out, int n) {
        for (int i = 0; i < n; i++) out[i] = g[i] * slope(x[i], erfs[i]);
    }

    /**
     * The twin of both backwards: the slopes into an array rounded to float when asked (the tensor
     * the op made), then the product of each pair in double rounded to float when asked (the
     * multiply op's element).
     */
    public static double[] naiveBackward(double[] g, double[] x, double[] erfs, int n, boolean f32) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = 0.5 * (1 + erfs[i]) + x[i] * INV_SQRT_2PI * Math.exp(-0.5 * x[i] * x[i]);
        if (f32) for (int i = 0; i < n; i++) d[i] = (float) d[i];
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = f32 ? (float) (g[i] * d[i]) : g[i] * d[i];
        return out;
    }
}
