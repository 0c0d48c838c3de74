package zerotoml.parity.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import zerotoml.reference.tensor.Activations;
import zerotoml.reference.tensor.Arithmetic;
import zerotoml.reference.tensor.Cumulative;
import zerotoml.reference.tensor.Einsum;
import zerotoml.reference.tensor.Indexing;
import zerotoml.reference.tensor.LinearAlgebra;
import zerotoml.reference.tensor.Losses;
import zerotoml.reference.tensor.Reductions;
import zerotoml.reference.tensor.Selection;
import zerotoml.reference.tensor.Shapes;
import zerotoml.reference.tensor.Softmax;

/**
 * The reference's tensor functions (PyTorch through DJL) under one short name, so that the parity
 * tests name scratch's classes simply ({@code Arithmetic::add} is scratch, {@code Ref::add} is
 * PyTorch). The two sides share class names on purpose (DESIGN.md: the packages mirror each other);
 * this is where they meet.
 */
final class Ref {
    private Ref() {}

    // Activations
    static NDArray erf(NDArray x) { return Activations.erf(x); }
    static NDArray gelu(NDArray x) { return Activations.gelu(x); }
    static NDArray geluTanh(NDArray x) { return Activations.geluTanh(x); }
    static NDArray mish(NDArray x) { return Activations.mish(x); }
    static NDArray relu(NDArray x) { return Activations.relu(x); }
    static NDArray sigmoid(NDArray x) { return Activations.sigmoid(x); }
    static NDArray silu(NDArray x) { return Activations.silu(x); }
    static NDArray softplus(NDArray x) { return Activations.softplus(x); }
    static NDArray tanh(NDArray x) { return Activations.tanh(x); }

    // Arithmetic
    static NDArray abs(NDArray x) { return Arithmetic.abs(x); }
    static NDArray add(NDArray a, NDArray b) { return Arithmetic.add(a, b); }
    static NDArray cos(NDArray x) { return Arithmetic.cos(x); }
    static NDArray div(NDArray a, NDArray b) { return Arithmetic.div(a, b); }
    static NDArray exp(NDArray x) { return Arithmetic.exp(x); }
    static NDArray log(NDArray x) { return Arithmetic.log(x); }
    static NDArray mul(NDArray a, NDArray b) { return Arithmetic.mul(a, b); }
    static NDArray neg(NDArray x) { return Arithmetic.neg(x); }
    static NDArray pow(NDArray a, NDArray b) { return Arithmetic.pow(a, b); }
    static NDArray pow(NDArray x, double p) { return Arithmetic.pow(x, p); }
    static NDArray sin(NDArray x) { return Arithmetic.sin(x); }
    static NDArray sqrt(NDArray x) { return Arithmetic.sqrt(x); }
    static NDArray sub(NDArray a, NDArray b) { return Arithmetic.sub(a, b); }

    // Cumulative
    static NDArray cumprod(NDArray x, int axis) { return Cumulative.cumprod(x, axis); }
    static NDArray cumsum(NDArray x, int axis) { return Cumulative.cumsum(x, axis); }

    // Einsum
    static NDArray diagonal(NDArray x, int axis1, int axis2) { return Einsum.diagonal(x, axis1, axis2); }
    static NDArray einsum(String formula, NDArray... xs) { return Einsum.einsum(formula, xs); }

    // Indexing
    static NDArray embedding(NDArray table, NDArray ids) { return Indexing.embedding(table, ids); }
    static NDArray gather(NDArray x, int axis, NDArray index) { return Indexing.gather(x, axis, index); }
    static NDArray indexSelect(NDArray x, int axis, NDArray indices) { return Indexing.indexSelect(x, axis, indices); }
    static NDArray oneHot(NDArray indices, int depth, DataType dtype) { return Indexing.oneHot(indices, depth, dtype); }
    static NDArray takeAlongDim(NDArray x, NDArray index, int axis) { return Indexing.takeAlongDim(x, index, axis); }
    static NDArray tril(NDArray x, int k) { return Indexing.tril(x, k); }
    static NDArray triu(NDArray x, int k) { return Indexing.triu(x, k); }

    // LinearAlgebra
    static NDArray matmul(NDArray a, NDArray b) { return LinearAlgebra.matmul(a, b); }

    // Losses
    static NDArray crossEntropy(NDArray logits, NDArray targets, boolean mean) { return Losses.crossEntropy(logits, targets, mean); }
    static NDArray huber(NDArray a, NDArray b, double delta, boolean mean) { return Losses.huber(a, b, delta, mean); }
    static NDArray l1(NDArray a, NDArray b, boolean mean) { return Losses.l1(a, b, mean); }
    static NDArray mse(NDArray a, NDArray b, boolean mean) { return Losses.mse(a, b, mean); }
    static NDArray smoothL1(NDArray a, NDArray b, double beta, boolean mean) { return Losses.smoothL1(a, b, beta, mean); }

    // Reductions
    static NDArray logsumexp(NDArray x, int[] axes, boolean keepDims) { return Reductions.logsumexp(x, axes, keepDims); }
    static NDArray max(NDArray x, int[] axes, boolean keepDims) { return Reductions.max(x, axes, keepDims); }
    static NDArray maxAlong(NDArray x, int axis, boolean keepDims) { return Reductions.maxAlong(x, axis, keepDims); }
    static NDArray mean(NDArray x, int[] axes, boolean keepDims) { return Reductions.mean(x, axes, keepDims); }
    static NDArray sum(NDArray x, int[] axes, boolean keepDims) { return Reductions.sum(x, axes, keepDims); }
    static NDArray var(NDArray x, int[] axes, int correction, boolean keepDims) { return Reductions.var(x, axes, correction, keepDims); }

    // Selection
    static NDArray clamp(NDArray x, double min, double max) { return Selection.clamp(x, min, max); }
    static NDArray maximum(NDArray a, NDArray b) { return Selection.maximum(a, b); }
    static NDArray minimum(NDArray a, NDArray b) { return Selection.minimum(a, b); }
    static NDArray where(NDArray cond, NDArray a, NDArray b) { return Selection.where(cond, a, b); }

    // Shapes
    static NDArray broadcastTo(NDArray x, int... dims) { return Shapes.broadcastTo(x, dims); }
    static NDArray concat(List<NDArray> xs, int axis) { return Shapes.concat(xs, axis); }
    static NDArray permute(NDArray x, int... perm) { return Shapes.permute(x, perm); }
    static NDArray reshape(NDArray x, int... dims) { return Shapes.reshape(x, dims); }
    static NDArray slice(NDArray x, int axis, int start, int end, int step) { return Shapes.slice(x, axis, start, end, step); }
    static NDArray squeeze(NDArray x) { return Shapes.squeeze(x); }
    static NDArray squeeze(NDArray x, int axis) { return Shapes.squeeze(x, axis); }
    static NDArray stack(List<NDArray> xs, int axis) { return Shapes.stack(xs, axis); }
    static NDArray transpose(NDArray x, int a, int b) { return Shapes.transpose(x, a, b); }
    static NDArray unsqueeze(NDArray x, int axis) { return Shapes.unsqueeze(x, axis); }

    // Softmax
    static NDArray logSoftmax(NDArray x, int axis) { return Softmax.logSoftmax(x, axis); }
    static NDArray softmax(NDArray x, int axis) { return Softmax.softmax(x, axis); }
}
