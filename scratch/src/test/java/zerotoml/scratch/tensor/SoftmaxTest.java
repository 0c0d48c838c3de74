package zerotoml.scratch.tensor;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import zerotoml.scratch.kernels.Reduce;

/**
 * The fused {@link Softmax} ops give the bits of the composition they replaced (x − m, exp, sum,
 * div, log as separate ops with their own backward rules on the tape), values and gradients, in
 * float32 and float64, along every axis, on lanes of 0, 1 and many elements and with −∞, +∞ and
 * NaN lanes.
 */
class SoftmaxTest {

    private static final int[][] SHAPES = {{}, {1}, {5}, {3, 1}, {1, 4}, {4, 7}, {2, 0, 3}, {3, 4, 5}, {2, 3, 1, 600}};

    @Test
    void theFusedOpsGiveTheComposedOpsBitsValuesAndGradients() {
        SplittableRandom r = new SplittableRandom(51);
        for (int[] dims : SHAPES) {
            Shape shape = Shape.of(dims);
            for (DType dt : DType.values()) {
                for (int axis = -1; axis < Math.max(1, dims.length); axis++) {
                    if (dims.length == 0 && axis > 0) continue;
                    double[] xs = new double[shape.size()], ws = new double[shape.size()];
                    for (int i = 0; i < xs.length; i++) {
                        int c = r.nextInt(40);
                        xs[i] = c == 0 ? Double.NEGATIVE_INFINITY : c == 1 ? Double.POSITIVE_INFINITY : c == 2 ? Double.NaN : r.nextGaussian() * 3;
                        ws[i] = r.nextInt(10) == 0 ? -0.0 : r.nextGaussian();
                    }
                    Tensor x = Tensor.of(dt, xs, shape), w = Tensor.of(dt, ws, shape);
                    for (boolean log : new boolean[] {false, true}) {
                        int a = axis;
                        String what = (log ? "logSoftmax " : "softmax ") + dt + " " + shape + " axis " + a;
                        java.util.function.Function<Tensor, Tensor> fused = t -> log ? Softmax.logSoftmax(t, a) : Softmax.softmax(t, a);
                        java.util.function.Function<Tensor, Tensor> composed = t -> log ? composedLogSoftmax(t, a) : composedSoftmax(t, a);
                        same(composed.apply(x), fused.apply(x), what);
                        Tensor gFused = Autodiff.grad(t -> Reductions.sum(Arithmetic.mul(fused.apply(t), w)), x);
                        Tensor gComposed = Autodiff.grad(t -> Reductions.sum(Arithmetic.mul(composed.apply(t), w)), x);
                        same(gComposed, gFused, what + " gradient");
                    }
                }
            }
        }
    }

    /** The softmax this package had before the fused kernel, op for op. */
    private static Tensor composedSoftmax(Tensor x, int axis) {
        if (x.rank() == 0) return Shapes.reshape(composedSoftmax(Shapes.reshape(x, 1), 0));
        int a = x.shape().axis("softmax", axis);
        Tensor e = Arithmetic.exp(Arithmetic.sub(x, laneMax(x, a)));
        return Arithmetic.div(e, Reductions.sum(e, new int[] {a}, true));
    }

    private static Tensor composedLogSoftmax(Tensor x, int axis) {
        if (x.rank() == 0) return Shapes.reshape(composedLogSoftmax(Shapes.reshape(x, 1), 0));
        int a = x.shape().axis("logSoftmax", axis);
        Tensor z = Arithmetic.sub(x, laneMax(x, a));
        return Arithmetic.sub(z, Arithmetic.log(Reductions.sum(Arithmetic.exp(z), new int[] {a}, true)));
    }

    /** The lane maximum as a constant (torch.max's rule), −∞ replaced by 0. */
    private static Tensor laneMax(Tensor x, int a) {
        boolean[] red = new boolean[x.rank()];
        red[a] = true;
        Shape kept = Reductions.keptShape(x.shape(), red, true);
        int[] run = Reductions.axisRun(x.shape(), red);
        double[] m = new double[kept.size()];
        if (run[1] > 0) Reduce.max(x.toArray(), run[0], run[1], run[2], m, null);
        for (int i = 0; i < m.length; i++) if (m[i] == Double.NEGATIVE_INFINITY) m[i] = 0;
        return Tensor.of(x.dtype(), m, kept);
    }

    private static void same(Tensor expected, Tensor actual, String what) {
        if (!expected.shape().equals(actual.shape()) || expected.dtype() != actual.dtype()) {
            throw new AssertionError(what + ": " + actual.shape() + " " + actual.dtype() + ", expected " + expected.shape() + " " + expected.dtype());
        }
        double[] e = expected.toArray(), v = actual.toArray();
        for (int i = 0; i < e.length; i++) {
            if (Double.doubleToLongBits(e[i]) != Double.doubleToLongBits(v[i])) {
                throw new AssertionError(what + ": element " + i + " is " + v[i] + ", the composition gives " + e[i]);
            }
        }
    }
}
