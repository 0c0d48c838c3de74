package zerotoml.scratch.tensor;

import zerotoml.scratch.kernels.SoftmaxKernel;

/**
 * softmax and log-softmax along one axis, each one fused kernel ({@link SoftmaxKernel}) with its
 * backward beside it.
 *
 * <p>Stability: both subtract the lane's maximum m first. Softmax is unchanged by a shift,
 * {@code softmax(x - c) = softmax(x)} for any c, so m is held as a constant (no gradient flows
 * through it, and none needs to). After the shift every exponent is at most 0, so {@code exp}
 * cannot overflow even for float32 logits of ±1e4, and the sum is at least 1, so the log and
 * the division are safe. A lane of −∞ only (or an empty one) is shifted by 0 instead (−∞ − −∞
 * would be NaN); a +∞ maximum stays (∞ − ∞ is NaN, and PyTorch's softmax of a lane holding +∞ is
 * NaN throughout).
 *
 * <p>Rounding: the kernel rounds every step as the composition of separate ops (sub, exp, sum,
 * div, log) did before it was fused, so the values and gradients keep their bits: in float32 the
 * exponential and the sum are computed in double and rounded to float, the rest in float.
 */
public final class Softmax {
    private Softmax() {}

    // out = exp(x - m) / Σ_axis exp(x - m),  m = max_axis x held constant;  ∂x = (g / S − Σ g·y / S)·e
    /** softmax along one axis, stable for large logits. */
    public static Tensor softmax(Tensor x, int axis) {
        Args.nonNull("softmax", "x", x);
        if (x.rank() == 0) return Shapes.reshape(softmax(Shapes.reshape(x, 1), scalarAxis("softmax", x, axis)));
        int[] v = view(x, x.shape().axis("softmax", axis));
        int n = x.size(), lanes = v[0] * v[2];
        boolean keep = Tape.isRecording(); // the exps are kept for the backward only while a tape records
        if (x.storage instanceof Storage.Floats f) {
            float[] y = new float[n], e = keep ? new float[n] : null, s = new float[lanes];
            SoftmaxKernel.softmax(f.values(), v[0], v[1], v[2], y, e, s);
            return Tensor.record("softmax", x.shape(), new Storage.Floats(y), g -> {
                float[] gx = new float[n];
                SoftmaxKernel.softmaxBackward(floats(g), y, e, s, v[0], v[1], v[2], gx);
                return new Tensor[] {new Tensor(x.shape(), new Storage.Floats(gx))};
            }, x);
        }
        double[] y = new double[n], e = keep ? new double[n] : null, s = new double[lanes];
        SoftmaxKernel.softmax(x.doubles(), v[0], v[1], v[2], y, e, s);
        return Tensor.record("softmax", x.shape(), new Storage.Doubles(y), g -> {
            double[] gx = new double[n];
            SoftmaxKernel.softmaxBackward(g.doubles(), y, e, s, v[0], v[1], v[2], gx);
            return new Tensor[] {new Tensor(x.shape(), new Storage.Doubles(gx))};
        }, x);
    }

    // out = (x - m) - log Σ_axis exp(x - m),  m = max_axis x held constant;  ∂x = g − (Σ g / S)·e
    /** log-softmax along one axis, stable for large logits. */
    public static Tensor logSoftmax(Tensor x, int axis) {
        Args.nonNull("logSoftmax", "x", x);
        if (x.rank() == 0) return Shapes.reshape(logSoftmax(Shapes.reshape(x, 1), scalarAxis("logSoftmax", x, axis)));
        int[] v = view(x, x.shape().axis("logSoftmax", axis));
        int n = x.size(), lanes = v[0] * v[2];
        boolean keep = Tape.isRecording();
        if (x.storage instanceof Storage.Floats f) {
            float[] y = new float[n], e = keep ? new float[n] : null, s = new float[lanes];
            SoftmaxKernel.logSoftmax(f.values(), v[0], v[1], v[2], y, e, s);
            return Tensor.record("logSoftmax", x.shape(), new Storage.Floats(y), g -> {
                float[] gx = new float[n];
                SoftmaxKernel.logSoftmaxBackward(floats(g), e, s, v[0], v[1], v[2], gx);
                return new Tensor[] {new Tensor(x.shape(), new Storage.Floats(gx))};
            }, x);
        }
        double[] y = new double[n], e = keep ? new double[n] : null, s = new double[lanes];
        SoftmaxKernel.logSoftmax(x.doubles(), v[0], v[1], v[2], y, e, s);
        return Tensor.record("logSoftmax", x.shape(), new Storage.Doubles(y), g -> {
            double[] gx = new double[n];
            SoftmaxKernel.logSoftmaxBackward(g.doubles(), e, s, v[0], v[1], v[2], gx);
            return new Tensor[] {new Tensor(x.shape(), new Storage.Doubles(gx))};
        }, x);
    }

    /** As in PyTorch, a 0-d tensor is one lane of one element, reached by axis 0 or -1. */
    private static int scalarAxis(String op, Tensor x, int axis) {
        if (axis != 0 && axis != -1) {
            throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for a 0-d tensor (x " + x.shape() + ", valid axes -1..0)");
        }
        return 0;
    }

    /** x as [outer, len, inner] around axis a. */
    private static int[] view(Tensor x, int a) {
        boolean[] red = new boolean[x.rank()];
        red[a] = true;
        return Reductions.axisRun(x.shape(), red);
    }

    /** The gradient's float[]: its own when it is F32 (the tape hands each op a gradient in its output's dtype). */
    private static float[] floats(Tensor g) {
        if (g.storage instanceof Storage.Floats f) return f.values();
        double[] d = g.doubles();
        float[] r = new float[d.length];
        for (int i = 0; i < d.length; i++) r[i] = (float) d[i];
        return r;
    }
}
