package zerotoml.reference.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Indexing on PyTorch. Integer arguments arrive as arrays of whole numbers in the case's float
 * dtype and are cast to INT64 here, which is what PyTorch's index ops require.
 */
public final class Indexing {
    private Indexing() {}

    /** Whole numbers in a float array, as the INT64 indices PyTorch wants. */
    public static NDArray int64(NDArray indices) {
        return indices.toType(DataType.INT64, false);
    }

    /**
     * {@code x[:, :, indices]} with the index array on {@code axis} (advanced indexing, whose
     * backward is index_put with accumulation, so repeated indices add up). A negative index
     * would wrap in Python; torch.index_select rejects it, and so does scratch.
     */
    public static NDArray indexSelect(NDArray x, int axis, NDArray indices) {
        int r = x.getShape().dimension();
        int a = axis < 0 ? axis + r : axis;
        if (a < 0 || a >= r) throw new IllegalArgumentException("index_select: dim " + axis + " out of range for " + x.getShape());
        return x.get(new NDIndex(":, ".repeat(a) + "{}", int64(indices)));
    }

    /** {@code weight[ids]}: what F.embedding computes, shaped ids.shape + [dim]. */
    public static NDArray embedding(NDArray table, NDArray ids) {
        return table.get(new NDIndex("{}", int64(ids)));
    }

    /** torch.gather(x, axis, index). */
    public static NDArray gather(NDArray x, int axis, NDArray index) {
        return x.gather(int64(index), axis);
    }

    /**
     * torch.take_along_dim(x, index, axis). DJL lacks it; ATen's own implementation
     * (aten/src/ATen/native/TensorAdvancedIndexing.cpp, take_along_dim) broadcasts x and the
     * index against each other on every axis but {@code axis}, then calls gather, and so does this.
     * PyTorch requires equal ranks ("torch.take_along_dim(): input and indices should have the same
     * number of dimensions"); DJL's broadcast would pad instead, so that check is written here.
     */
    public static NDArray takeAlongDim(NDArray x, NDArray index, int axis) {
        long[] xs = x.getShape().getShape(), is = index.getShape().getShape();
        if (xs.length != is.length) {
            throw new IllegalArgumentException("take_along_dim: input and indices should have the same number of dimensions, got "
                    + x.getShape() + " and " + index.getShape());
        }
        int a = axis < 0 ? axis + xs.length : axis;
        long[] xTo = new long[xs.length], iTo = new long[xs.length];
        for (int d = 0; d < xs.length; d++) {
            if (d == a) {
                xTo[d] = xs[d];
                iTo[d] = is[d];
            } else {
                if (xs[d] != is[d] && xs[d] != 1 && is[d] != 1) {
                    throw new IllegalArgumentException("take_along_dim: shapes " + x.getShape() + " and " + index.getShape() + " do not broadcast on dim " + d);
                }
                xTo[d] = iTo[d] = Math.max(xs[d], is[d]);
            }
        }
        return x.broadcast(new Shape(xTo)).gather(int64(index).broadcast(new Shape(iTo)), axis);
    }

    /** F.one_hot(indices, depth) in the given dtype; PyTorch rejects classes outside [0, depth). */
    public static NDArray oneHot(NDArray indices, int depth, DataType dtype) {
        return int64(indices).oneHot(depth, dtype);
    }

    /**
     * torch.triu(x, k). DJL has no triu (DJL.md §0), so it is built the way the ATen kernel defines
     * it: keep element (i, j) of the last two axes when j - i ≥ k, from arange, a comparison and where.
     */
    public static NDArray triu(NDArray x, int k) {
        return triangle("triu", x, k, true);
    }

    /** torch.tril(x, k): keep element (i, j) when j - i ≤ k; composed like {@link #triu}. */
    public static NDArray tril(NDArray x, int k) {
        return triangle("tril", x, k, false);
    }

    private static NDArray triangle(String op, NDArray x, int k, boolean upper) {
        Shape s = x.getShape();
        // torch: "triu: input tensor must have at least 2 dimensions"
        if (s.dimension() < 2) throw new IllegalArgumentException(op + ": input tensor must have at least 2 dimensions, got " + s);
        long rows = s.get(s.dimension() - 2), cols = s.get(s.dimension() - 1);
        var m = x.getManager();
        // d[i, j] = j - i
        NDArray d = m.arange((int) cols).reshape(1, cols).sub(m.arange((int) rows).reshape(rows, 1));
        NDArray keep = upper ? d.gte(k) : d.lte(k);
        // where needs a condition of exactly x's shape (DJL.md §1.1)
        return NDArrays.where(keep.broadcast(s), x, m.zeros(new Shape(), x.getDataType()));
    }
}
