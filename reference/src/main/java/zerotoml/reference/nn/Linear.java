package zerotoml.reference.nn;

import ai.djl.ndarray.NDArray;

/** F.linear(x, W, b) = x Wᵀ + b, W [out, in], through DJL's functional {@code Linear.linear} (DJL.md §1.4). */
public final class Linear {
    private Linear() {}

    public static NDArray linear(NDArray x, NDArray w, NDArray b) {
        return b == null ? ai.djl.nn.core.Linear.linear(x, w).singletonOrThrow() : ai.djl.nn.core.Linear.linear(x, w, b).singletonOrThrow();
    }
}
