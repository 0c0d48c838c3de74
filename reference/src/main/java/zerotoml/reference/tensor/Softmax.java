package zerotoml.reference.tensor;

import ai.djl.ndarray.NDArray;

/** torch.softmax and torch.log_softmax, each one ATen kernel (stable: they subtract the maximum). */
public final class Softmax {
    private Softmax() {}

    public static NDArray softmax(NDArray x, int axis) {
        return x.softmax(axis);
    }

    public static NDArray logSoftmax(NDArray x, int axis) {
        return x.logSoftmax(axis);
    }
}
