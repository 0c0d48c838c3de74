package zerotoml.reference.tensor;

import ai.djl.ndarray.NDArray;

/** torch.matmul through DJL. */
public final class LinearAlgebra {
    private LinearAlgebra() {}

    public static NDArray matmul(NDArray a, NDArray b) {
        return a.matMul(b);
    }
}
