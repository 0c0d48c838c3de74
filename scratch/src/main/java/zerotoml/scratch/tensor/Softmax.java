package zerotoml.scratch.tensor;

import zerotoml.scratch.kernels.Reduce;

/**
 * softmax and log-softmax along one axis, composed from exp, log, sum, sub and div so that they
 * differentiate for free.
 *
 * <p>Stability: both subtract the lane's maximum m first. Softmax is unchanged by a shift,
 * {@code softmax(x - c) = softmax(x)} for any c, so m is held as a constant (no gradient flows
 * through it, and none needs to). After the shift every exponent is at most 0, so {@code exp}
 * cannot overflow even for float32 logits of ±1e4, and the sum is at least 1, so the log and
 * the division are safe.
 */
public final class Softmax {
    private Softmax() {}

    // out = exp(x - m) / Σ_axis exp(x - m),  m = max_axis x held constant
    /** softmax along one axis, stable for large logits. */
    public static Tensor softmax(Tensor x, int axis) {
        Args.nonNull("softmax", "x", x);
        if (x.rank() == 0) return Shapes.reshape(softmax(Shapes.reshape(x, 1), scalarAxis("softmax", x, axis)));
        int a = x.shape().axis("softmax", axis);
        // e = exp(x - m)
        Tensor e = Arithmetic.exp(Arithmetic.sub(x, laneMax(x, a)));
        // out = e / Σ_axis e
        return Arithmetic.div(e, Reductions.sum(e, new int[] {a}, true));
    }

    // out = (x - m) - log Σ_axis exp(x - m),  m = max_axis x held constant
    /** log-softmax along one axis, stable for large logits. */
    public static Tensor logSoftmax(Tensor x, int axis) {
        Args.nonNull("logSoftmax", "x", x);
        if (x.rank() == 0) return Shapes.reshape(logSoftmax(Shapes.reshape(x, 1), scalarAxis("logSoftmax", x, axis)));
        int a = x.shape().axis("logSoftmax", axis);
        // z = x - m
        Tensor z = Arithmetic.sub(x, laneMax(x, a));
        // out = z - log Σ_axis exp z
        return Arithmetic.sub(z, Arithmetic.log(Reductions.sum(Arithmetic.exp(z), new int[] {a}, true)));
    }

    /** As in PyTorch, a 0-d tensor is one lane of one element, reached by axis 0 or -1. */
    private static int scalarAxis(String op, Tensor x, int axis) {
        if (axis != 0 && axis != -1) {
            throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for a 0-d tensor (x " + x.shape() + ", valid axes -1..0)");
        }
        return 0;
    }

    /** The maximum of each lane along axis a, with a kept as size 1: a constant, cut off from the tape. */
    static Tensor laneMax(Tensor x, int a) {
        boolean[] red = new boolean[x.rank()];
        red[a] = true;
        Shape kept = Reductions.keptShape(x.shape(), red, true);
        int[] run = Reductions.axisRun(x.shape(), red);
        double[] m = new double[kept.size()];
        // Reduce.max keeps the first of −0 and +0 where Math.max would keep +0; the outputs do not
        // change: exp(x − (±0)) is 1 for x = ±0, and a lane holding both zeros has Σ e ≥ 2, so
        // log-softmax's (x − m) − log Σ e has the same bits for either zero
        if (run[1] > 0) {
            if (x.storage instanceof Storage.Floats f) Reduce.max(f.values(), run[0], run[1], run[2], m, null);
            else Reduce.max(x.doubles(), run[0], run[1], run[2], m, null);
        }
        // a lane of -∞ only (or an empty one) would give -∞ - -∞ = NaN; shift it by 0 instead. A +∞
        // maximum stays: ∞ - ∞ is NaN, and PyTorch's softmax of a lane holding +∞ is NaN throughout
        for (int i = 0; i < m.length; i++) if (m[i] == Double.NEGATIVE_INFINITY) m[i] = 0;
        return Tensor.of(x.dtype(), m, kept);
    }
}
