package zerotoml.scratch.tensor;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * The two shapes every element-wise primitive takes: one input, or two inputs that broadcast.
 * Each op supplies its scalar function and its backward; this class does the loops, the dtype
 * promotion, and the reduction of a broadcast gradient back to each input's shape.
 */
final class Elementwise {
    private Elementwise() {}

    /** Backward of a unary op: the input's gradient from the output's gradient. */
    @FunctionalInterface
    interface UnaryGrad {
        Tensor apply(Tensor gOut, Tensor x, Tensor out);
    }

    /** Backward of a binary op: gradients for a and b, still in the broadcast output's shape. */
    @FunctionalInterface
    interface BinaryGrad {
        Tensor[] apply(Tensor gOut, Tensor a, Tensor b, Tensor out);
    }

    static Tensor unary(String op, Tensor x, DoubleUnaryOperator f, UnaryGrad grad) {
        Args.nonNull(op, "x", x);
        double[] src = x.data;
        double[] out = new double[src.length];
        for (int i = 0; i < src.length; i++) out[i] = f.applyAsDouble(src[i]);
        Tensor[] self = new Tensor[1];
        self[0] = Tensor.record(op, x.shape(), x.dtype(), out, g -> new Tensor[] {grad.apply(g, x, self[0])}, x);
        return self[0];
    }

    static Tensor binary(String op, Tensor a, Tensor b, DoubleBinaryOperator f, BinaryGrad grad) {
        Args.nonNull(op, "a", a);
        Args.nonNull(op, "b", b);
        Shape s = Shape.broadcast(op, a.shape(), b.shape());
        DType dt = DType.promote(a.dtype(), b.dtype());
        double[] x = expand(a, s);
        double[] y = expand(b, s);
        double[] out = new double[x.length];
        for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(x[i], y[i]);
        Tensor[] self = new Tensor[1];
        self[0] = Tensor.record(op, s, dt, out, g -> {
            Tensor[] gs = grad.apply(g, a, b, self[0]);
            return new Tensor[] {
                gs[0] == null ? null : sumTo(gs[0], a.shape()),
                gs[1] == null ? null : sumTo(gs[1], b.shape())
            };
        }, a, b);
        return self[0];
    }

    /** A non-differentiable element-wise map, used inside backward passes and for masks. */
    static Tensor map(Tensor x, DoubleUnaryOperator f) {
        double[] out = new double[x.data.length];
        for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(x.data[i]);
        return new Tensor(x.shape(), x.dtype(), out);
    }

    /** A non-differentiable element-wise combination of two same-shaped or broadcastable tensors. */
    static Tensor zip(String op, Tensor a, Tensor b, DoubleBinaryOperator f) {
        Shape s = Shape.broadcast(op, a.shape(), b.shape());
        double[] x = expand(a, s);
        double[] y = expand(b, s);
        double[] out = new double[x.length];
        for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(x[i], y[i]);
        return new Tensor(s, DType.promote(a.dtype(), b.dtype()), out);
    }

    /** The values of t broadcast to shape s, materialised (t's own array when no broadcast is needed). */
    static double[] expand(Tensor t, Shape s) {
        if (t.shape().equals(s)) return t.data;
        int r = s.rank();
        int[] dims = s.dims();
        int[] tStr = new int[r];
        int[] own = t.shape().strides();
        int off = r - t.rank();
        for (int i = 0; i < t.rank(); i++) tStr[off + i] = t.shape().dim(i) == 1 ? 0 : own[i];
        if (t.size() == 1) {
            double[] out = new double[s.size()];
            java.util.Arrays.fill(out, t.data[0]);
            return out;
        }
        return Strided.gather(t.data, dims, tStr);
    }

    /** Sums a broadcast gradient back down to {@code target}, the shape of the input it belongs to. */
    static Tensor sumTo(Tensor g, Shape target) {
        if (g.shape().equals(target)) return g;
        int lead = g.rank() - target.rank();
        java.util.List<Integer> axes = new java.util.ArrayList<>();
        for (int i = 0; i < g.rank(); i++) {
            if (i < lead || (target.dim(i - lead) == 1 && g.shape().dim(i) != 1)) axes.add(i);
        }
        Tensor s = Reductions.sum(g, axes.stream().mapToInt(Integer::intValue).toArray(), true);
        return Shapes.reshape(s, target.dims());
    }
}
