package zerotoml.parity.harness;

import ai.djl.ndarray.NDArray;
import zerotoml.reference.cnn.Convolution;

/**
 * The reference's functions the harness's own tests use, under one short name, so that those tests
 * name scratch's classes simply ({@code Convolution.conv} is scratch, {@code Ref.conv} is PyTorch).
 */
final class Ref {
    private Ref() {}

    // Convolution
    static NDArray conv(NDArray x, NDArray w, NDArray bias, int[] stride, int[] padLo, int[] padHi, int[] dilation, int groups) {
        return Convolution.conv(x, w, bias, stride, padLo, padHi, dilation, groups);
    }
}
