package zerotoml.reference.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** A Java scalar in the array's dtype: DJL makes a Double argument a float64 tensor (DJL.md §11.3). */
public final class Num {
    private Num() {}

    public static Number of(NDArray like, double v) {
        return like.getDataType() == DataType.FLOAT32 ? (Number) (float) v : (Number) v;
    }
}
