package zerotoml.scratch.kernels;

/**
 * The error function over an array of doubles, with the bits of {@link #naive} (the hand-written
 * erf every op computed, moved here from {@code tensor.Activations} unchanged) on every element.
 *
 * <p>{@link #naive} is a loop per element whose length depends on x (a compensated series below
 * |x| = 2, 200 steps of a continued fraction from 2 to 6), each step waiting on a division or on
 * the step before: about 130 ns an element, the largest cost of tiny-lm's training (exact GELU).
 * {@link #erf} runs the same operations, in the same order, on several elements at once: the Vector
 * API's lanes (IEEE add, multiply and divide are rounded per lane as in scalar Java), a lane that
 * has left its series frozen by a mask while the others go on, the elements grouped first by branch
 * and by the binary exponent of |x| so that the lanes of one vector need about as many steps. The
 * exponential and the last rounding stay scalar ({@code Math.exp}, the oracle's own expression).
 * So the result is the oracle's by construction; {@code ErfTest} holds the two equal bit for bit.
 * Without the Vector API the kernel calls the oracle per element.
 */
public final class Erf {
    private Erf() {}

    /** 2/√π. */
    static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    /** √π, the double {@code Math.sqrt(Math.PI)} gives (the oracle computes it per call; sqrt is correctly rounded). */
    static final double SQRT_PI = Math.sqrt(Math.PI);
    /** Most series steps the oracle takes. */
    static final int SERIES_STEPS = 400;
    /** Steps of the continued fraction, from its tail inwards. */
    static final int FRACTION_STEPS = 200;
    /** Below this many elements a task is not worth splitting off. */
    static final int CHUNK = 4096;

    /**
     * The oracle: erf(x) = 2/√π ∫₀ˣ e^{−t²} dt, to about 1e-15 relative.
     *
     * <p>For |x| < 2 it sums the series erf(x) = 2/√π · e^{−x²} · Σₙ (2x²)ⁿ · x / (1·3·…·(2n+1))
     * (Abramowitz and Stegun 7.1.6), whose terms are all positive, so nothing cancels; the sum is
     * compensated (Kahan). Using the same rounded x² in the exponential and in the series makes
     * their rounding errors cancel to first order. For 2 ≤ |x| ≤ 6 it is 1 − erfc(|x|), with erfc
     * from its continued fraction (A&amp;S 7.1.14), erfc(x) = e^{−x²}/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))),
     * which is accurate relative to erfc, so 1 − erfc is within an ulp or so of the true value. Beyond 6,
     * erfc(|x|) is below 2.2e-17, under half an ulp of 1, so erf is ±1.
     */
    public static double naive(double x) {
        if (Double.isNaN(x)) return x;
        double a = Math.abs(x);
        if (a > 6) return Math.copySign(1.0, x);
        double t = a * a;
        if (a >= 2) {
            // K = 1/(x + (1/2)/(x + (2/2)/(x + (3/2)/(x + …)))), evaluated from the tail inwards
            double f = a;
            for (int n = 200; n >= 1; n--) f = a + 0.5 * n / f;
            return Math.copySign(1 - Math.exp(-t) / Math.sqrt(Math.PI) / f, x);
        }
        // Σₙ termₙ,  term₀ = x,  termₙ₊₁ = termₙ · 2x² / (2n + 3);  c holds the bits the sum lost
        double term = a, sum = a, c = 0;
        for (int n = 0; n < 400 && term > sum * 1e-17; n++) {
            term *= 2 * t / (2 * n + 3);
            double y = term - c, next = sum + y;
            c = (next - sum) - y;
            sum = next;
        }
        return Math.copySign(TWO_OVER_SQRT_PI * Math.exp(-t) * sum, x);
    }

    /** out[i] = {@link #naive}(x[i]) for i in [0, n); x and out may be the same array. */
    public static void erf(double[] x, double[] out, int n) {
        if (n <= 0) return;
        int tasks = Parallel.tasks(Math.max(1, n / CHUNK), 64L * n);
        Parallel.forEach(tasks, 64L * n, t -> {
            int lo = (int) ((long) n * t / tasks), hi = (int) ((long) n * (t + 1) / tasks);
            if (Backend.VECTOR) vector(x, out, lo, hi);
            else scalar(x, out, lo, hi);
        });
    }

    /** The oracle per element over [lo, hi): the path without the Vector API. */
    static void scalar(double[] x, double[] out, int lo, int hi) {
        for (int i = lo; i < hi; i++) out[i] = naive(x[i]);
    }

    /** The Vector API path over [lo, hi); only when {@link Backend#VECTOR} is true (else the module is missing). */
    static void vector(double[] x, double[] out, int lo, int hi) {
        VectorErf.erf(x, out, lo, hi);
    }

    // erf(x) = sign(x) · 2/√π · e^{−a²} · Σ, from the compensated series' sum Σ at a = |x| < 2 (the oracle's last line)
    static double fromSeries(double x, double a, double sum) {
        double t = a * a;
        return Math.copySign(TWO_OVER_SQRT_PI * Math.exp(-t) * sum, x);
    }

    // erf(x) = sign(x) · (1 − e^{−a²}/√π / K), from the continued fraction's K at 2 ≤ a ≤ 6 (the oracle's)
    static double fromFraction(double x, double a, double f) {
        double t = a * a;
        return Math.copySign(1 - Math.exp(-t) / SQRT_PI / f, x);
    }
}
