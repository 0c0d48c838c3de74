package zerotoml.reference.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import zerotoml.reference.Torch;

/** Shape ops on PyTorch, each the ATen op a PyTorch user would call; autograd gives the gradients. */
public final class Shapes {
    private Shapes() {}

    /** x.reshape(dims), one of which may be -1. */
    public static NDArray reshape(NDArray x, int... dims) {
        return x.reshape(new Shape(Torch.toLong(dims)));
    }

    /** x.permute(perm). */
    public static NDArray permute(NDArray x, int... perm) {
        return x.transpose(perm);
    }

    /** x.transpose(a, b). */
    public static NDArray transpose(NDArray x, int a, int b) {
        return x.swapAxes(a, b);
    }

    /** x.expand(dims) (DJL's broadcast). */
    public static NDArray broadcastTo(NDArray x, int... dims) {
        return x.broadcast(new Shape(Torch.toLong(dims)));
    }

    /**
     * Python's {@code x[:, :, start:end:step]} with the slice on {@code axis}: a non-negative axis
     * is preceded by that many {@code :}, a negative one is written after {@code ...} and followed
     * by {@code -axis-1} of them, exactly as one writes it in Python. PyTorch itself clamps the
     * bounds and rejects a step below 1 or an axis the tensor does not have.
     */
    public static NDArray slice(NDArray x, int axis, int start, int end, int step) {
        String s = start + ":" + end + ":" + step;
        String index = axis >= 0 ? ":, ".repeat(axis) + s : "..., " + s + ", :".repeat(-axis - 1);
        return x.get(new NDIndex(index));
    }

    /**
     * torch.cat(xs, axis), called through the engine's JNI binding. Not {@code NDArrays.concat}:
     * for a single array it returns a detached duplicate instead of calling torch.cat (autograd
     * then loses the input), and it rejects 0-d arrays itself before PyTorch can.
     */
    public static NDArray concat(List<NDArray> xs, int axis) {
        // torch.cat's own check; the JNI binding would fail on an empty array before reaching it
        if (xs.isEmpty()) throw new IllegalArgumentException("torch.cat(): expected a non-empty list of Tensors");
        return JniUtils.cat(xs.toArray(new PtNDArray[0]), axis);
    }

    /** torch.stack(xs, axis), called the same way as {@link #concat}. */
    public static NDArray stack(List<NDArray> xs, int axis) {
        // torch.stack's own check, as for concat
        if (xs.isEmpty()) throw new IllegalArgumentException("stack expects a non-empty TensorList");
        return JniUtils.stack(xs.toArray(new PtNDArray[0]), axis);
    }

    /** x.squeeze(): every axis of size 1 removed. */
    public static NDArray squeeze(NDArray x) {
        return x.squeeze();
    }

    /** x.squeeze(axis): a no-op when that axis is not of size 1. */
    public static NDArray squeeze(NDArray x, int axis) {
        return x.squeeze(axis);
    }

    /** x.unsqueeze(axis). */
    public static NDArray unsqueeze(NDArray x, int axis) {
        return x.expandDims(axis);
    }
}
