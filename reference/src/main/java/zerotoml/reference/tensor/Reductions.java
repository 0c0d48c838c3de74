package zerotoml.reference.tensor;

import ai.djl.ndarray.NDArray;

/** Reductions on PyTorch. DJL's mean takes one axis only (DJL.md §1.2), so mean is sum / count. */
public final class Reductions {
    private Reductions() {}

    public static NDArray sum(NDArray x, int[] axes, boolean keepDims) {
        return x.sum(axes, keepDims);
    }

    public static NDArray mean(NDArray x, int[] axes, boolean keepDims) {
        long n = 1;
        for (int a : axes) n *= x.getShape().get(a < 0 ? a + x.getShape().dimension() : a);
        return x.sum(axes, keepDims).div(x.getDataType() == ai.djl.ndarray.types.DataType.FLOAT32 ? (Number) (float) n : (Number) (double) n);
    }
}
