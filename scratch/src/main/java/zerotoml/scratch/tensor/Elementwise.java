package zerotoml.scratch.tensor;

import java.util.function.Consumer;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import zerotoml.scratch.kernels.Gates;
import zerotoml.scratch.kernels.Pointwise;

/**
 * The public surface for writing an element-wise op with its backward, the same one every
 * built-in element-wise op uses ({@code Arithmetic}, {@code Activations}, {@code Selection},
 * {@code Losses}). An op supplies its scalar function and its backward; this class does the loops,
 * the dtype promotion, the rounding to the dtype, the recording on the tape, and the reduction of a
 * broadcast gradient back to each input's shape ("unbroadcasting").
 *
 * <p>The loops are the {@code kernels.Pointwise} kernels, on the tensors' own {@code float[]} or
 * {@code double[]}: a same-shape pair, a scalar and a broadcast row (or any trailing block) are read
 * in place; other broadcasts are materialised first. Each element is computed in double and rounded
 * once to the dtype. Large tensors are split over threads, so the scalar functions must be pure.
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
        Tensor[] self = new Tensor[1];
        self[0] = Tensor.record(op, x.shape(), mapStorage(x, f), g -> new Tensor[] {grad.apply(g, x, self[0])}, x);
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
        Tensor[] self = new Tensor[1];
        self[0] = Tensor.record(op, s, zipStorage(a, b, s, f), g -> {
            Tensor[] gs = grad.apply(g, a, b, self[0]);
            return new Tensor[] {
                gs[0] == null ? null : sumTo(gs[0], a.shape()),
                gs[1] == null ? null : sumTo(gs[1], b.shape())
            };
        }, a, b);
        return self[0];
    }

    // ∂x = g · f′(out), f′ written in terms of the output
    /**
     * The gradient of an op whose derivative is a function of its output (tanh, sigmoid):
     * {@code mul(g, map(out, f′))}, fused into one kernel when g and out have the same shape and
     * dtype (the usual case), with the same bits; else those two ops. Not differentiable itself,
     * as the map it fuses is not (the tape has no higher-order gradients).
     */
    public static Tensor gradFromOutput(Tensor g, Tensor out, Pointwise.Slope f) {
        if (!g.shape().equals(out.shape()) || g.dtype() != out.dtype()) return Arithmetic.mul(g, map(out, f));
        int n = out.size();
        return new Tensor(out.shape(), filled(out.dtype(), n,
                r -> Pointwise.gradFromOutput(f, g.floats(), out.floats(), r, n),
                r -> Pointwise.gradFromOutput(f, g.doubles(), out.doubles(), r, n)));
    }

    // ∂x = x ≤ 0 ? +0 : g
    /**
     * relu's gradient: g where x is above 0 (or NaN), +0 where x ≤ 0, through {@link Gates#reluGrad}
     * when g and x have the same shape and dtype (the usual case), else as the three ops it fuses (a mask,
     * a product, a where), with the same values. Not differentiable itself, as {@link #gradFromOutput}.
     */
    public static Tensor reluGrad(Tensor g, Tensor x) {
        if (!g.shape().equals(x.shape()) || g.dtype() != x.dtype()) return Selection.gated(g, map(x, v -> v <= 0 ? 0 : 1));
        int n = x.size();
        return new Tensor(x.shape(), filled(x.dtype(), n, r -> Gates.reluGrad(g.floats(), x.floats(), r, n), r -> Gates.reluGrad(g.doubles(), x.doubles(), r, n)));
    }

    /** A non-differentiable element-wise map (x's shape and dtype), for derivatives inside backward passes and for masks. */
    public static Tensor map(Tensor x, DoubleUnaryOperator f) {
        Args.nonNull("map", "x", x);
        return new Tensor(x.shape(), mapStorage(x, f));
    }

    /** A non-differentiable element-wise combination of two broadcastable tensors, in the promoted dtype. */
    public static Tensor zip(String op, Tensor a, Tensor b, DoubleBinaryOperator f) {
        Args.nonNull(op, "a", a);
        Args.nonNull(op, "b", b);
        Shape s = Shape.broadcast(op, a.shape(), b.shape());
        return new Tensor(s, zipStorage(a, b, s, f));
    }

    // out_i = f(x_i), in double, rounded once for F32
    /** f over every element of x, by the {@link Pointwise} kernel in x's array type. */
    private static Storage mapStorage(Tensor x, DoubleUnaryOperator f) {
        int n = x.size();
        return filled(x.dtype(), n, out -> Pointwise.map(f, x.floats(), out, n), out -> Pointwise.map(f, x.doubles(), out, n));
    }

    /**
     * A fresh result of n elements in dtype's array type, written by the float or the double form of
     * one kernel (F32 results are float[], F64 double[]).
     */
    static Storage filled(DType dtype, int n, Consumer<float[]> inFloat, Consumer<double[]> inDouble) {
        if (dtype == DType.F32) {
            float[] out = new float[n];
            inFloat.accept(out);
            return new Storage.Floats(out);
        }
        double[] out = new double[n];
        inDouble.accept(out);
        return new Storage.Doubles(out);
    }

    // out_i = f(a_i, b_i) over the broadcast shape s, in double, rounded once for F32
    /**
     * f over the broadcast pair, in the promoted dtype. An operand that is s itself, a scalar, a
     * trailing block of s repeated over its leading axes (a row, a bias), or such a block with
     * trailing axes of size 1 stretched over s's (a column, a lane's maximum kept as size 1) is
     * read in place by the {@link Pointwise} kernel, F32 pairs in float[]; any other broadcast is
     * materialised first (F32 pairs in float[], an F32-F64 mix in double). Each element gets the
     * same inputs either way, so the bits do not depend on the path.
     */
    private static Storage zipStorage(Tensor a, Tensor b, Shape s, DoubleBinaryOperator f) {
        int n = s.size();
        int[] la = layout(a.shape(), s), lb = layout(b.shape(), s);
        boolean fast = la != null && lb != null && (isFull(la, n) || isFull(lb, n));
        if (a.dtype() == DType.F32 && b.dtype() == DType.F32) {
            float[] out = new float[n];
            if (fast) Pointwise.zip(f, a.floats(), la[0], la[1], b.floats(), lb[0], lb[1], out, n);
            // any other broadcast (attention's mask over the heads): each operand stretched to s in float, s itself read in place
            else Pointwise.zip(f, ((Storage.Floats) expandStorage(a, s)).values(), n, ((Storage.Floats) expandStorage(b, s)).values(), n, out, n);
            return new Storage.Floats(out);
        }
        double[] out = new double[n];
        if (fast) Pointwise.zip(f, a.doubles(), la[0], la[1], b.doubles(), lb[0], lb[1], out, n);
        else Pointwise.zip(f, expand(a, s), n, expand(b, s), n, out, n);
        return Storage.of(DType.promote(a.dtype(), b.dtype()), out);
    }

    /** Whether an operand's {period, repeat} covers all n outputs one to one. */
    private static boolean isFull(int[] layout, int n) {
        return layout[0] == n && layout[1] == 1;
    }

    /**
     * How an operand of shape t repeats over the broadcast shape s, as {period, repeat}: element i
     * of the result reads element (i / repeat) mod period. That holds when, leading 1s aside, t is
     * a part of s whose trailing axes may be 1 where s's are not (s itself, a scalar, a row, a
     * bias; a column: [rows, 1] against [rows, cols] is {rows, cols}); period is t's size and
     * repeat the product of s's axes under t's trailing 1s. Null for any other broadcast (or an
     * empty s).
     */
    static int[] layout(Shape t, Shape s) {
        if (s.size() == 0) return null;
        int[] td = t.dims(), sd = s.dims();
        int lead = 0;
        while (lead < td.length && td[lead] == 1) lead++;
        int r = td.length - lead;
        if (r > sd.length) return null;
        int end = r, repeat = 1;
        // t's trailing 1s stretch each of its values over the matching axes of s
        while (end > 0 && td[lead + end - 1] == 1) {
            repeat *= sd[sd.length - r + end - 1];
            end--;
        }
        for (int i = 0; i < end; i++) {
            if (td[lead + i] != sd[sd.length - r + i]) return null;
        }
        return new int[] {t.size(), repeat};
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

    /** {@link #expand} in t's own array type (an F32 tensor stays float[]); t's own storage when no broadcast is needed. */
    static Storage expandStorage(Tensor t, Shape s) {
        if (t.shape().equals(s)) return t.storage;
        int r = s.rank();
        int[] tStr = new int[r];
        int[] own = t.shape().strides();
        int off = r - t.rank();
        for (int i = 0; i < t.rank(); i++) tStr[off + i] = t.shape().dim(i) == 1 ? 0 : own[i];
        return Strided.gather(t.storage, s.dims(), tStr);
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
