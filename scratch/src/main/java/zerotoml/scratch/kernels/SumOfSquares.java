package zerotoml.scratch.kernels;

/**
 * Σᵢ xᵢ² in double, added in index order from +0.0, read from the tensor's own array: gradient
 * clipping's per-tensor norm, which widened a float tensor into a new double[] first. A float's square
 * is exact in double, so reading the float directly gives each term, and the order of the additions is
 * kept, so the bits are those of {@link #naive} (the loop over the widened copy); {@code
 * SumOfSquaresTest} holds them equal.
 */
public final class SumOfSquares {
    private SumOfSquares() {}

    // s = Σᵢ xᵢ², in order, in double
    /** The sum of squares of a float array, in double, in index order. */
    public static double of(float[] x) {
        double s = 0;
        for (float v : x) s += (double) v * v;
        return s;
    }

    /** The sum of squares of a double array, in index order. */
    public static double of(double[] x) {
        double s = 0;
        for (double v : x) s += v * v;
        return s;
    }

    /** The twin: the floats widened into a new array, then the double loop. */
    public static double naive(float[] x) {
        double[] w = new double[x.length];
        for (int i = 0; i < w.length; i++) w[i] = x[i];
        double s = 0;
        for (double v : w) s += v * v;
        return s;
    }
}
