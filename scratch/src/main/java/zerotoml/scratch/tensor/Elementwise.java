package zerotoml.scratch.tensor;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * The public surface for writing an element-wise op with its backward, the same one every
 * built-in element-wise op uses ({@code Arithmetic}, {@code Activations}, {@code Selection},
 * {@code Losses}). An op supplies its scalar function and its backward; this class does the loops,
 * the dtype promotion, the rounding to the dtype, the recording on the tape, and the reduction of a
 * broadcast gradient back to each input's shape ("unbroadcasting").
 *
 * <pre>{@code
 * // softsign(x) = x / (1 + |x|);  ∂x = g / (1 + |x|)²
 * static Tensor softsign(Tensor x) {
 *     return Elementwise.unary("softsign", x, v -> v / (1 + Math.abs(v)),
 *             (g, in, out) -> Arithmetic.mul(g, Elementwise.map(in, v -> 1 / ((1 + Math.abs(v)) * (1 + Math.abs(v))))));
 * }
 * }</pre>
 *
 * <p>For ops that are not element-wise, {@link Tensor#record} is the general form ("record this
 * result with this backward"); {@link Indexing#take} covers every op that moves elements by index
 * (permutations, crops, windows, scatters); reductions compose from {@link Reductions}.
 */
public final class Elementwise {
    private Elementwise() {}

    /**
     * Backward of a unary op: the input's gradient from the output's gradient {@code gOut}, the
     * input {@code x} and the output {@code out} (whichever is cheaper to use). It may call any op;
     * the tape is paused while it runs.
     */
    @FunctionalInterface
    public interface UnaryGrad {
        Tensor apply(Tensor gOut, Tensor x, Tensor out);
    }

    /**
     * Backward of a binary op: the gradients for a and b, in the broadcast output's shape; the
     * caller sums each back to its input's shape. Return null for an input that takes no gradient.
     */
    @FunctionalInterface
    public interface BinaryGrad {
        Tensor[] apply(Tensor gOut, Tensor a, Tensor b, Tensor out);
    }

    // out_i = f(x_i);  ∂x = grad(g, x, out)
    /** A differentiable element-wise op of one input: {@code out[i] = f(x[i])}, in x's shape and dtype. */
    public static Tensor unary(String op, Tensor x, DoubleUnaryOperator f, UnaryGrad grad) {
        Args.nonNull(op, "x", x);
        double[] src = x.doubles();
        double[] out = new double[src.length];
        for (int i = 0; i < src.length; i++) out[i] = f.applyAsDouble(src[i]);
        Tensor[] self = new Tensor[1];
        self[0] = Tensor.record(op, x.shape(), x.dtype(), out, g -> new Tensor[] {grad.apply(g, x, self[0])}, x);
        return self[0];
    }

    // out_i = f(a_i, b_i) over the broadcast shape;  ∂a = sumTo(grad_a, a.shape), ∂b = sumTo(grad_b, b.shape)
    /**
     * A differentiable element-wise op of two inputs with NumPy broadcasting: {@code out = f(a, b)}
     * in the broadcast shape and the promoted dtype; the backward's gradients are summed back to
     * each input's shape.
     */
    public static Tensor binary(String op, Tensor a, Tensor b, DoubleBinaryOperator f, BinaryGrad grad) {
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

    /** A non-differentiable element-wise map (x's shape and dtype), for derivatives inside backward passes and for masks. */
    public static Tensor map(Tensor x, DoubleUnaryOperator f) {
        Args.nonNull("map", "x", x);
        double[] src = x.doubles();
        double[] out = new double[src.length];
        for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(src[i]);
        return new Tensor(x.shape(), x.dtype(), out);
    }

    /** A non-differentiable element-wise combination of two broadcastable tensors, in the promoted dtype. */
    public static Tensor zip(String op, Tensor a, Tensor b, DoubleBinaryOperator f) {
        Args.nonNull(op, "a", a);
        Args.nonNull(op, "b", b);
        Shape s = Shape.broadcast(op, a.shape(), b.shape());
        double[] x = expand(a, s);
        double[] y = expand(b, s);
        double[] out = new double[x.length];
        for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(x[i], y[i]);
        return new Tensor(s, DType.promote(a.dtype(), b.dtype()), out);
    }

    /** The values of t broadcast to shape s, materialised (t's own array when no broadcast is needed). */
    static double[] expand(Tensor t, Shape s) {
        if (t.shape().equals(s)) return t.doubles();
        int r = s.rank();
        int[] dims = s.dims();
        int[] tStr = new int[r];
        int[] own = t.shape().strides();
        int off = r - t.rank();
        for (int i = 0; i < t.rank(); i++) tStr[off + i] = t.shape().dim(i) == 1 ? 0 : own[i];
        if (t.size() == 1) {
            double[] out = new double[s.size()];
            java.util.Arrays.fill(out, t.storage.get(0));
            return out;
        }
        return Strided.gather(t.doubles(), dims, tStr);
    }

    // ∂input = Σ over the axes broadcasting added or stretched from 1
    /**
     * Unbroadcasting: sums a gradient of a broadcast shape back down to {@code target}, the shape of
     * the input it belongs to (differentiable). Use it in a backward whose input was broadcast.
     */
    public static Tensor sumTo(Tensor g, Shape target) {
        Args.nonNull("sumTo", "g", g);
        Args.nonNull("sumTo", "target", target);
        if (g.shape().equals(target)) return g;
        if (!Shape.broadcast("sumTo", g.shape(), target).equals(g.shape())) {
            throw new IllegalArgumentException("sumTo: target " + target + " does not broadcast to the gradient's shape " + g.shape());
        }
        int lead = g.rank() - target.rank();
        java.util.List<Integer> axes = new java.util.ArrayList<>();
        for (int i = 0; i < g.rank(); i++) {
            if (i < lead || (target.dim(i - lead) == 1 && g.shape().dim(i) != 1)) axes.add(i);
        }
        Tensor s = Reductions.sum(g, axes.stream().mapToInt(Integer::intValue).toArray(), true);
        return Shapes.reshape(s, target.dims());
    }
}
