package zerotoml.scratch.tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Ops that move elements without changing them: reshape, permute, transpose, broadcast, slice,
 * concat, stack, squeeze and unsqueeze. Each one's gradient moves the output's gradient back to
 * where the elements came from.
 */
public final class Shapes {
    private Shapes() {}

    // out = x viewed with new dims (one may be -1);  ∂x = g reshaped back
    /** The same elements in a new shape of equal size; one dimension may be −1 (inferred). */
    public static Tensor reshape(Tensor x, int... dims) {
        Args.nonNull("reshape", "x", x);
        int[] d = Args.nonNull("reshape", "dims", dims).clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < d.length; i++) {
            if (d[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: more than one -1 in " + Arrays.toString(dims) + " for shape " + x.shape());
                infer = i;
            } else if (d[i] < 0) {
                throw new IllegalArgumentException("reshape: negative dimension in " + Arrays.toString(dims) + " for shape " + x.shape());
            } else {
                known *= d[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || x.size() % known != 0) {
                throw new IllegalArgumentException("reshape: cannot infer -1 in " + Arrays.toString(dims) + " for shape " + x.shape() + " (" + x.size() + " elements)");
            }
            d[infer] = (int) (x.size() / known);
        }
        Shape s = Shape.of(d);
        if (s.size() != x.size()) {
            throw new IllegalArgumentException("reshape: shape " + x.shape() + " (" + x.size() + " elements) cannot become " + Arrays.toString(dims) + " (" + s.size() + " elements)");
        }
        if (s.equals(x.shape())) return x;
        // the same storage in another shape: no copy
        return Tensor.recordView("reshape", s, x, g -> new Tensor[] {reshape(g, x.shape().dims())});
    }

    // out[i₀..] = x[i_perm(0)..];  ∂x = g permuted by the inverse permutation
    /** Axis i of the result is axis {@code perm[i]} of x (negative axes allowed). */
    public static Tensor permute(Tensor x, int... perm) {
        Args.nonNull("permute", "x", x);
        Args.nonNull("permute", "perm", perm);
        int r = x.rank();
        if (perm.length != r) throw new IllegalArgumentException("permute: permutation " + Arrays.toString(perm) + " has " + perm.length + " axes but shape " + x.shape() + " has rank " + r);
        int[] p = new int[r];
        boolean[] seen = new boolean[r];
        for (int i = 0; i < r; i++) {
            p[i] = x.shape().axis("permute", perm[i]);
            if (seen[p[i]]) throw new IllegalArgumentException("permute: axis " + perm[i] + " repeats in " + Arrays.toString(perm) + " for shape " + x.shape());
            seen[p[i]] = true;
        }
        int[] inDims = x.shape().dims();
        int[] inStr = x.shape().strides();
        int[] outDims = new int[r];
        int[] srcStr = new int[r];
        for (int i = 0; i < r; i++) {
            outDims[i] = inDims[p[i]];
            srcStr[i] = inStr[p[i]];
        }
        int[] inverse = new int[r];
        for (int i = 0; i < r; i++) inverse[p[i]] = i;
        // axes longer than 1 kept in their order (the identity, or moving axes of size 1): the elements keep their order, a view
        if (keepsOrder(p, inDims)) return Tensor.recordView("permute", Shape.of(outDims), x, g -> new Tensor[] {permute(g, inverse)});
        Storage out = Strided.gather(x.storage, outDims, srcStr);
        return Tensor.record("permute", Shape.of(outDims), out, g -> new Tensor[] {permute(g, inverse)}, x);
    }

    // true when the axes of size > 1 appear in p in increasing order: then element i of the result is element i of x
    static boolean keepsOrder(int[] p, int[] dims) {
        int last = -1;
        for (int axis : p) {
            if (dims[axis] == 1) continue;
            if (axis < last) return false;
            last = axis;
        }
        return true;
    }

    /** Swaps two axes. A 0-d tensor, as in PyTorch, takes axes 0 or -1 and comes back unchanged. */
    public static Tensor transpose(Tensor x, int a, int b) {
        Args.nonNull("transpose", "x", x);
        if (x.rank() == 0) {
            for (int axis : new int[] {a, b}) {
                if (axis != 0 && axis != -1) {
                    throw new IllegalArgumentException("transpose: axis " + axis + " is out of range for a 0-d tensor (x " + x.shape() + ", valid axes -1..0)");
                }
            }
            return permute(x);
        }
        int[] perm = new int[x.rank()];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        int na = x.shape().axis("transpose", a);
        int nb = x.shape().axis("transpose", b);
        perm[na] = nb;
        perm[nb] = na;
        return permute(x, perm);
    }

    // out = x repeated along new leading axes and size-1 axes;  ∂x = g summed back
    /** x repeated along its size-1 and missing leading axes to {@code dims}; the gradient sums back. */
    public static Tensor broadcastTo(Tensor x, int... dims) {
        Args.nonNull("broadcastTo", "x", x);
        Shape target = Shape.of(dims);
        Shape s = Shape.broadcast("broadcastTo", x.shape(), target);
        if (!s.equals(target)) {
            throw new IllegalArgumentException("broadcastTo: shape " + x.shape() + " cannot be broadcast to " + target);
        }
        if (s.equals(x.shape())) return x;
        Storage out = Elementwise.expandStorage(x, s);
        return Tensor.record("broadcastTo", s, out, g -> new Tensor[] {Elementwise.sumTo(g, x.shape())}, x);
    }

    // ------------------------------------------------------------------ slice

    /** {@code x[..., start:end, ...]} along one axis, with Python's rules for negative and out-of-range bounds. */
    public static Tensor slice(Tensor x, int axis, int start, int end) {
        Args.nonNull("slice", "x", x);
        return slice(x, axis, start, end, 1);
    }

    // out = x[..., start:end:step, ...];  ∂x = g scattered back to the taken positions, 0 elsewhere
    /** Elements start, start + step, … before end along one axis, with Python’s clamping of start and end. */
    public static Tensor slice(Tensor x, int axis, int start, int end, int step) {
        Args.nonNull("slice", "x", x);
        if (x.rank() == 0) throw new IllegalArgumentException("slice: cannot slice a 0-d tensor (x " + x.shape() + ")");
        int a = x.shape().axis("slice", axis);
        if (step < 1) {
            throw new IllegalArgumentException("slice: step must be at least 1, got " + step + " (x " + x.shape() + ", axis " + axis + ")");
        }
        int n = x.shape().dim(a);
        // Python: a negative bound counts from the end, then both are clamped to [0, n]
        int from = clampBound(start, n), to = clampBound(end, n);
        // in long: to − from + step − 1 overflows int for a step near Integer.MAX_VALUE
        int len = to <= from ? 0 : (int) (((long) to - from + step - 1) / step);
        int[] positions = new int[len];
        for (int j = 0; j < len; j++) positions[j] = from + j * step;
        return Indexing.alongAxis("slice", x, a, positions);
    }

    private static int clampBound(int b, int n) {
        int v = b < 0 ? b + n : b;
        return Math.max(0, Math.min(n, v));
    }

    // ------------------------------------------------------------------ concat and stack

    // out = [x₀ | x₁ | ...] along axis;  ∂xᵢ = the slice of g that xᵢ filled
    /** The tensors joined along an existing axis; all other dimensions must agree. */
    public static Tensor concat(List<Tensor> xs, int axis) {
        Args.tensors("concat", "xs", xs);
        if (xs.isEmpty()) throw new IllegalArgumentException("concat: needs at least one tensor, got an empty list");
        Tensor first = xs.get(0);
        if (first.rank() == 0) {
            throw new IllegalArgumentException("concat: 0-d tensors cannot be concatenated (input 0 has shape " + first.shape() + "); use stack");
        }
        int a = first.shape().axis("concat", axis);
        int[] dims = first.shape().dims();
        int total = 0;
        DType dt = first.dtype();
        for (int i = 0; i < xs.size(); i++) {
            Shape si = xs.get(i).shape();
            boolean ok = si.rank() == dims.length;
            for (int d = 0; ok && d < dims.length; d++) ok = d == a || si.dim(d) == dims[d];
            if (!ok) {
                throw new IllegalArgumentException("concat: input " + i + " has shape " + si + " but input 0 has shape " + first.shape()
                        + "; all dimensions except axis " + axis + " must match (shapes " + shapes(xs) + ")");
            }
            total += si.dim(a);
            dt = DType.promote(dt, xs.get(i).dtype());
        }
        int outer = 1, inner = 1;
        for (int d = 0; d < a; d++) outer *= dims[d];
        for (int d = a + 1; d < dims.length; d++) inner *= dims[d];
        dims[a] = total;
        double[] out = new double[outer * total * inner];
        double[][] values = new double[xs.size()][];
        for (int i = 0; i < values.length; i++) values[i] = xs.get(i).doubles();
        int pos = 0;
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < values.length; i++) {
                int block = xs.get(i).shape().dim(a) * inner;
                System.arraycopy(values[i], o * block, out, pos, block);
                pos += block;
            }
        }
        Tensor[] inputs = xs.toArray(new Tensor[0]);
        return Tensor.record("concat", Shape.of(dims), dt, out, g -> {
            Tensor[] gs = new Tensor[inputs.length];
            int offset = 0;
            for (int i = 0; i < inputs.length; i++) {
                int len = inputs[i].shape().dim(a);
                gs[i] = slice(g, a, offset, offset + len);
                offset += len;
            }
            return gs;
        }, inputs);
    }

    // out = the xᵢ along a new axis;  ∂xᵢ = g at index i of that axis (through unsqueeze and concat)
    /** Tensors of one shape joined along a new axis. */
    public static Tensor stack(List<Tensor> xs, int axis) {
        Args.tensors("stack", "xs", xs);
        if (xs.isEmpty()) throw new IllegalArgumentException("stack: needs at least one tensor, got an empty list");
        Shape s0 = xs.get(0).shape();
        for (int i = 1; i < xs.size(); i++) {
            if (!xs.get(i).shape().equals(s0)) {
                throw new IllegalArgumentException("stack: input " + i + " has shape " + xs.get(i).shape() + " but input 0 has shape " + s0
                        + "; all must be equal (shapes " + shapes(xs) + ")");
            }
        }
        int a = newAxis("stack", s0, axis);
        Tensor[] parts = new Tensor[xs.size()];
        for (int i = 0; i < parts.length; i++) parts[i] = unsqueeze(xs.get(i), a);
        return concat(List.of(parts), a);
    }

    private static String shapes(List<Tensor> xs) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < xs.size(); i++) b.append(i > 0 ? ", " : "").append(xs.get(i).shape());
        return b.toString();
    }

    // ------------------------------------------------------------------ squeeze and unsqueeze

    /** Removes every axis of size 1. */
    public static Tensor squeeze(Tensor x) {
        Args.nonNull("squeeze", "x", x);
        int[] d = Arrays.stream(x.shape().dims()).filter(v -> v != 1).toArray();
        return reshape(x, d);
    }

    /**
     * Removes one axis if its size is 1; as in PyTorch, an axis of another size is left alone, and
     * a 0-d tensor accepts axis 0 or -1 and stays as it is.
     */
    public static Tensor squeeze(Tensor x, int axis) {
        Args.nonNull("squeeze", "x", x);
        if (x.rank() == 0) {
            if (axis == 0 || axis == -1) return x;
            throw new IllegalArgumentException("squeeze: axis " + axis + " is out of range for a 0-d tensor (x " + x.shape() + ", valid axes -1..0)");
        }
        int a = x.shape().axis("squeeze", axis);
        int[] d = x.shape().dims();
        if (d[a] != 1) return x;
        int[] out = new int[d.length - 1];
        for (int i = 0, k = 0; i < d.length; i++) if (i != a) out[k++] = d[i];
        return reshape(x, out);
    }

    /** Inserts an axis of size 1 at {@code axis}, which may be -rank-1 .. rank. */
    public static Tensor unsqueeze(Tensor x, int axis) {
        Args.nonNull("unsqueeze", "x", x);
        int a = newAxis("unsqueeze", x.shape(), axis);
        int[] d = x.shape().dims();
        int[] out = new int[d.length + 1];
        for (int i = 0, k = 0; i < out.length; i++) out[i] = i == a ? 1 : d[k++];
        return reshape(x, out);
    }

    /** Normalises the position of a new axis in a result of rank {@code s.rank() + 1}. */
    static int newAxis(String op, Shape s, int axis) {
        int r = s.rank() + 1;
        if (axis < -r || axis >= r) {
            throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for a new axis of shape " + s
                    + " (valid axes " + (-r) + ".." + (r - 1) + ")");
        }
        return axis < 0 ? axis + r : axis;
    }
}
