package zerotoml.reference.tensor;

import ai.djl.ndarray.NDArray;

/** torch.cumsum and torch.cumprod, through DJL's {@code cumSum(axis)} and {@code cumProd(axis)} (DJL.md §1.2). */
public final class Cumulative {
    private Cumulative() {}

    public static NDArray cumsum(NDArray x, int axis) {
        return x.cumSum(axis);
    }

    public static NDArray cumprod(NDArray x, int axis) {
        return x.cumProd(axis);
    }
}
