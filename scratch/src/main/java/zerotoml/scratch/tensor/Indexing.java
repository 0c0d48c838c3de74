package zerotoml.scratch.tensor;

import java.util.Arrays;
import zerotoml.scratch.kernels.Gather;

/**
 * Picking elements by integer position: index-select (and the embedding lookup built on it),
 * gather with {@code torch.gather} semantics, one-hot, and the triangular masks triu and tril.
 *
 * <p>Every selection is one primitive, {@link #take}: {@code out[i] = x[src[i]]}. Its gradient
 * scatters back, {@code ∂x[src[i]] += g[i]}, so an index that occurs twice (the same token twice
 * in a batch) accumulates both gradients. Integer arguments are plain {@code int[]}: they take no
 * gradient, and every one is checked against its axis before any element moves.
 */
public final class Indexing {
    private Indexing() {}

    // ------------------------------------------------------------------ the shared primitive

    // out[i] = x[src[i]] (0 where src[i] < 0);  ∂x[j] = Σ_{i: src[i] = j} g[i]
    /**
     * The one primitive behind every op that moves elements by position: element i of the result
     * is element {@code src[i]} of x in row-major order, or 0 where {@code src[i]} is negative
     * (padding). Permutations, crops, strided views, windows, zero-insertion and one-per-row picks
     * are all a {@code take} with a computed index map; the gradient scatters back, adding where
     * an element was taken twice. {@code src} is read, not copied: do not change it afterwards.
     */
    public static Tensor take(String op, Tensor x, Shape outShape, int[] src) {
        Args.nonNull("take", "op", op);
        Args.nonNull(op, "x", x);
        Args.nonNull(op, "outShape", outShape);
        Args.nonNull(op, "src", src);
        if (src.length != outShape.size()) {
            throw new IllegalArgumentException(op + ": " + src.length + " source positions do not fill output shape " + outShape + " (x " + x.shape() + ")");
        }
        int n = x.size();
        for (int i = 0; i < src.length; i++) {
            if (src[i] >= n) {
                throw new IllegalArgumentException(op + ": source position " + src[i] + " at output " + i + " is outside x " + x.shape() + " (" + n + " elements)");
            }
        }
        return takeUnchecked(op, x, outShape, src);
    }

    static Tensor takeUnchecked(String op, Tensor x, Shape outShape, int[] src) {
        Storage out;
        if (x.storage instanceof Storage.Floats f) {
            // a pure copy: F32 stays float[]
            float[] o = new float[src.length];
            Gather.take(f.values(), src, o);
            out = new Storage.Floats(o);
        } else {
            double[] o = new double[src.length];
            Gather.take(x.doubles(), src, o);
            out = new Storage.Doubles(o);
        }
        return Tensor.record(op, outShape, out, g -> new Tensor[] {scatterAddUnchecked(op, g, x.shape(), src)}, x);
    }

    /**
     * The gradient of {@link #take}: g's elements added into a zero tensor of {@code shape} at
     * their source positions {@code src} (one per element of g, below {@code shape.size()}; a
     * negative one adds nothing), itself differentiable. For ops whose take runs inside a kernel
     * of their own (max pooling). {@code distinctTargets}: the caller knows that no two sources
     * share a target (max pooling's disjoint windows); a float32 g is then scattered in float,
     * which gives the double sum's bits (one addition onto +0 a target) without its double array.
     */
    public static Tensor scatterAdd(String op, Tensor g, Shape shape, int[] src, boolean distinctTargets) {
        Args.nonNull("scatterAdd", "op", op);
        Args.nonNull(op, "g", g);
        Args.nonNull(op, "shape", shape);
        Args.nonNull(op, "src", src);
        if (src.length != g.size()) throw new IllegalArgumentException(op + ": " + src.length + " source positions for a gradient of shape " + g.shape());
        int n = shape.size();
        for (int i = 0; i < src.length; i++) {
            if (src[i] >= n) throw new IllegalArgumentException(op + ": source position " + src[i] + " at " + i + " is outside shape " + shape + " (" + n + " elements)");
        }
        if (distinctTargets && g.storage instanceof Storage.Floats f) {
            float[] out = new float[n];
            Gather.scatterAddDistinct(f.values(), src, out);
            return Tensor.record(op + " backward", shape, out, h -> new Tensor[] {takeUnchecked(op, h, g.shape(), src)}, g);
        }
        return scatterAddUnchecked(op, g, shape, src);
    }

    // out[j] = Σ_{i: src[i] = j} g[i];  ∂g[i] = h[src[i]]  (the adjoint of take; repeats add in increasing i, in double)
    static Tensor scatterAddUnchecked(String op, Tensor g, Shape shape, int[] src) {
        double[] out = new double[shape.size()];
        if (g.storage instanceof Storage.Floats f) Gather.scatterAdd(f.values(), src, out);
        else Gather.scatterAdd(g.doubles(), src, out);
        return Tensor.record(op + " backward", shape, g.dtype(), out, h -> new Tensor[] {takeUnchecked(op, h, g.shape(), src)}, g);
    }

    // out[o, j, t] = x[o, positions[j], t];  ∂x[o, p, t] = Σ_{j: positions[j] = p} g[o, j, t]
    /** x with the positions along one axis replaced by {@code positions} (already validated): whole slices copied. */
    static Tensor alongAxis(String op, Tensor x, int axis, int[] positions) {
        int[] d = x.shape().dims();
        int n = d[axis], len = positions.length, outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= d[i];
        for (int i = axis + 1; i < d.length; i++) inner *= d[i];
        d[axis] = len;
        int o = outer, in = inner;
        Storage out;
        if (x.storage instanceof Storage.Floats f) {
            float[] v = new float[outer * len * inner];
            Gather.rows(f.values(), outer, n, inner, positions, v);
            out = new Storage.Floats(v);
        } else {
            double[] v = new double[outer * len * inner];
            Gather.rows(x.doubles(), outer, n, inner, positions, v);
            out = new Storage.Doubles(v);
        }
        return Tensor.record(op, Shape.of(d), out, g -> new Tensor[] {scatterAlongAxis(op, g, x.shape(), axis, o, n, in, positions)}, x);
    }

    /** The adjoint of alongAxis: each slice of g added back at its position, repeats accumulating in double. */
    private static Tensor scatterAlongAxis(String op, Tensor g, Shape shape, int axis, int outer, int n, int inner, int[] positions) {
        double[] out = new double[shape.size()];
        if (g.storage instanceof Storage.Floats f) Gather.scatterRows(f.values(), outer, n, inner, positions, out);
        else Gather.scatterRows(g.doubles(), outer, n, inner, positions, out);
        return Tensor.record(op + " backward", shape, g.dtype(), out, h -> new Tensor[] {alongAxis(op, h, axis, positions)}, g);
    }

    // ------------------------------------------------------------------ index-select and embedding

    // out[..., j, ...] = x[..., indices[j], ...] along axis;  ∂x = g scatter-added back (repeats accumulate)
    /** The slices of x at {@code indices} along one axis (torch.index_select); repeated indices add their gradients. */
    public static Tensor indexSelect(Tensor x, int axis, int[] indices) {
        Args.nonNull("indexSelect", "x", x);
        Args.nonNull("indexSelect", "indices", indices);
        if (x.rank() == 0) throw new IllegalArgumentException("indexSelect: x must have at least 1 dimension, got shape " + x.shape());
        int a = x.shape().axis("indexSelect", axis);
        checkIndices("indexSelect", "indices", indices, x.shape().dim(a), a, x.shape());
        return alongAxis("indexSelect", x, a, indices.clone());
    }

    /**
     * The embedding lookup: row {@code ids[i]} of {@code table} [vocab, dim] for every id, shaped
     * {@code idsShape + [dim]}. It is {@link #indexSelect} on axis 0, reshaped.
     */
    public static Tensor embedding(Tensor table, int[] ids, int... idsShape) {
        Args.nonNull("embedding", "table", table);
        Args.nonNull("embedding", "ids", ids);
        if (table.rank() != 2) throw new IllegalArgumentException("embedding: table must be [vocab, dim], got shape " + table.shape());
        Shape s = Shape.of(idsShape);
        if (s.size() != ids.length) {
            throw new IllegalArgumentException("embedding: " + ids.length + " ids do not fill ids shape " + s + " (table " + table.shape() + ")");
        }
        int[] out = Arrays.copyOf(idsShape, idsShape.length + 1);
        out[idsShape.length] = table.shape().dim(1);
        checkIndices("embedding", "ids", ids, table.shape().dim(0), 0, table.shape());
        return Shapes.reshape(alongAxis("embedding", table, 0, ids.clone()), out);
    }

    // ------------------------------------------------------------------ gather

    /** {@link #gather(Tensor, int, int[], Shape)} with the index given as a tensor of whole numbers. */
    public static Tensor gather(Tensor x, int axis, Tensor index) {
        Args.nonNull("gather", "index", index);
        double[] v = index.doubles();
        int[] ints = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i]) || Math.abs(v[i]) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("gather: index holds " + v[i] + " at position " + i + ", not a whole number (index " + index.shape() + ", x " + x.shape() + ")");
            }
            ints[i] = (int) v[i];
        }
        return gather(x, axis, ints, index.shape());
    }

    /**
     * torch.gather: an output of the index's shape with {@code out[i₀..iₐ..] = x[i₀..index[i₀..iₐ..]..]},
     * the index replacing the coordinate on {@code axis}. The index has x's rank, and on every
     * other axis a size no larger than x's.
     */
    // out[p] = x[p with p_axis := index[p]];  ∂x = g scatter-added to those positions
    public static Tensor gather(Tensor x, int axis, int[] index, Shape indexShape) {
        Args.nonNull("gather", "x", x);
        Args.nonNull("gather", "index", index);
        Args.nonNull("gather", "indexShape", indexShape);
        if (x.rank() == 0) throw new IllegalArgumentException("gather: x must have at least 1 dimension, got shape " + x.shape());
        int a = x.shape().axis("gather", axis);
        if (indexShape.size() != index.length) {
            throw new IllegalArgumentException("gather: " + index.length + " index values do not fill index shape " + indexShape + " (x " + x.shape() + ")");
        }
        if (indexShape.rank() != x.rank()) {
            throw new IllegalArgumentException("gather: index has rank " + indexShape.rank() + " but x has rank " + x.rank()
                    + " (index " + indexShape + ", x " + x.shape() + ")");
        }
        int r = x.rank();
        for (int d = 0; d < r; d++) {
            if (d != a && indexShape.dim(d) > x.shape().dim(d)) {
                throw new IllegalArgumentException("gather: index is larger than x on axis " + d + " (" + indexShape.dim(d) + " > "
                        + x.shape().dim(d) + "; index " + indexShape + ", x " + x.shape() + ", gathering along axis " + axis + ")");
            }
        }
        checkIndices("gather", "index", index, x.shape().dim(a), a, x.shape());
        int[] xStr = x.shape().strides();
        int[] dims = indexShape.dims();
        int[] src = new int[index.length];
        int[] idx = new int[r];
        for (int p = 0; p < index.length; p++) {
            int off = 0;
            for (int d = 0; d < r; d++) off += (d == a ? index[p] : idx[d]) * xStr[d];
            src[p] = off;
            for (int k = r - 1; k >= 0; k--) {
                if (++idx[k] < dims[k]) break;
                idx[k] = 0;
            }
        }
        return takeUnchecked("gather", x, indexShape, src);
    }

    // out[p] = x'[p with p_axis := index'[p]],  x', index' = x and index broadcast on every axis but axis
    /**
     * torch.take_along_dim(x, index, axis): gather along one axis where x and the index broadcast
     * against each other on every other axis (gather requires the index to fit inside x instead).
     * The index has x's rank. The typical use picks one entry per row, e.g. the log-probability of
     * each taken action: {@code takeAlongDim(logp [B, A], actions, Shape.of(B, 1), -1)} → [B, 1].
     */
    public static Tensor takeAlongDim(Tensor x, int[] index, Shape indexShape, int axis) {
        Args.nonNull("takeAlongDim", "x", x);
        Args.nonNull("takeAlongDim", "index", index);
        Args.nonNull("takeAlongDim", "indexShape", indexShape);
        if (x.rank() == 0) throw new IllegalArgumentException("takeAlongDim: x must have at least 1 dimension, got shape " + x.shape());
        int a = x.shape().axis("takeAlongDim", axis);
        if (indexShape.size() != index.length) {
            throw new IllegalArgumentException("takeAlongDim: " + index.length + " index values do not fill index shape " + indexShape + " (x " + x.shape() + ")");
        }
        if (indexShape.rank() != x.rank()) {
            throw new IllegalArgumentException("takeAlongDim: index has rank " + indexShape.rank() + " but x has rank " + x.rank()
                    + " (index " + indexShape + ", x " + x.shape() + ")");
        }
        checkIndices("takeAlongDim", "index", index, x.shape().dim(a), a, x.shape());
        int[] xd = x.shape().dims(), id = indexShape.dims();
        int[] xOne = xd.clone(), iOne = id.clone();
        xOne[a] = 1;
        iOne[a] = 1;
        Shape common;
        try {
            common = Shape.broadcast("takeAlongDim", Shape.of(xOne), Shape.of(iOne));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("takeAlongDim: x and index do not broadcast on the axes other than " + axis
                    + " (x " + x.shape() + ", index " + indexShape + ")", e);
        }
        int[] xTo = common.dims(), iTo = common.dims();
        xTo[a] = xd[a];
        iTo[a] = id[a];
        // the index broadcast to iTo: its own array when it already has that shape
        Tensor idx = Tensor.of(DType.F64, toDoubles(index), indexShape);
        int[] expanded = Shape.of(iTo).equals(indexShape) ? index : ints(Elementwise.expand(idx, Shape.of(iTo)));
        return gather(Shapes.broadcastTo(x, xTo), a, expanded, Shape.of(iTo));
    }

    private static double[] toDoubles(int[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    private static int[] ints(double[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (int) v[i];
        return out;
    }

    // ------------------------------------------------------------------ one-hot

    /**
     * One-hot rows: shape {@code shape + [depth]}, 1 at {@code indices[i]} of row i and 0
     * elsewhere. Integers take no gradient, so neither does the result.
     */
    public static Tensor oneHot(int[] indices, Shape shape, int depth, DType dtype) {
        Args.nonNull("oneHot", "indices", indices);
        Args.nonNull("oneHot", "shape", shape);
        Args.nonNull("oneHot", "dtype", dtype);
        if (depth < 1) throw new IllegalArgumentException("oneHot: depth must be at least 1, got " + depth + " (indices shape " + shape + ")");
        if (shape.size() != indices.length) {
            throw new IllegalArgumentException("oneHot: " + indices.length + " indices do not fill shape " + shape);
        }
        checkIndices("oneHot", "indices", indices, depth, -1, shape);
        int[] dims = Arrays.copyOf(shape.dims(), shape.rank() + 1);
        dims[shape.rank()] = depth;
        // out[i, c] = 1 if c = indices[i] else 0
        double[] out = new double[indices.length * depth];
        for (int i = 0; i < indices.length; i++) out[i * depth + indices[i]] = 1;
        return Tensor.of(dtype, out, Shape.of(dims));
    }

    // ------------------------------------------------------------------ triangles

    // out[..., i, j] = x[..., i, j] if j - i ≥ k else 0;  ∂x = g with the same mask
    /** x with the elements below the k-th diagonal of its last two axes set to 0. */
    public static Tensor triu(Tensor x, int k) {
        Args.nonNull("triu", "x", x);
        return triangle("triu", x, k, true);
    }

    // out[..., i, j] = x[..., i, j] if j - i ≤ k else 0;  ∂x = g with the same mask
    /** x with the elements above the k-th diagonal of its last two axes set to 0. */
    public static Tensor tril(Tensor x, int k) {
        Args.nonNull("tril", "x", x);
        return triangle("tril", x, k, false);
    }

    private static Tensor triangle(String op, Tensor x, int k, boolean upper) {
        if (x.rank() < 2) {
            throw new IllegalArgumentException(op + ": x must have at least 2 dimensions (the matrix axes), got shape " + x.shape());
        }
        int rows = x.shape().dim(-2), cols = x.shape().dim(-1);
        boolean[] keep = new boolean[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) keep[i * cols + j] = upper ? j - i >= k : j - i <= k;
        }
        double[] out = new double[x.size()], xs = x.doubles();
        for (int p = 0; p < out.length; p++) out[p] = keep[p % keep.length] ? xs[p] : 0;
        Shape s = x.shape();
        return Tensor.record(op, s, x.dtype(), out, g -> new Tensor[] {triangle(op, g, k, upper)}, x);
    }

    // ------------------------------------------------------------------ argument checks

    /** Every index in [0, n), or an error naming the op, the argument, the bad value and the shape. */
    static void checkIndices(String op, String what, int[] indices, int n, int axis, Shape s) {
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= n) {
                String where = axis >= 0 ? "axis " + axis + " of size " + n + " (x " + s + ")" : "depth " + n + " (shape " + s + ")";
                throw new IllegalArgumentException(op + ": " + what + " holds " + indices[i] + " at position " + i
                        + ", out of range [0, " + n + ") for " + where);
            }
        }
    }
}
