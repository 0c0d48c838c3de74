package zerotoml.parity.cnn;

import ai.djl.ndarray.NDArray;
import zerotoml.reference.cnn.Convolution;
import zerotoml.reference.cnn.Pooling;
import zerotoml.reference.cnn.TransposedConvolution;

/**
 * The reference's cnn functions under one short name, so that the parity tests can call scratch's
 * classes by their simple names ({@code Convolution.conv} is scratch, {@code Ref.conv} is PyTorch).
 * The two sides share class names on purpose (DESIGN.md: the packages mirror each other); this is
 * where they meet.
 */
final class Ref {
    private Ref() {}

    static NDArray conv(NDArray x, NDArray w, NDArray bias, int[] stride, int[] padLo, int[] padHi, int[] dilation, int groups) {
        return Convolution.conv(x, w, bias, stride, padLo, padHi, dilation, groups);
    }

    static int[][] samePadding(int[] kernel, int[] dilation) {
        return Convolution.samePadding(kernel, dilation);
    }

    static NDArray convTranspose(NDArray x, NDArray w, NDArray bias, int[] stride, int[] padding, int[] outputPadding, int[] dilation, int groups) {
        return TransposedConvolution.convTranspose(x, w, bias, stride, padding, outputPadding, dilation, groups);
    }

    static NDArray maxPool(NDArray x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        return Pooling.maxPool(x, kernel, stride, padding, dilation, ceilMode);
    }

    static NDArray avgPool(NDArray x, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        return Pooling.avgPool(x, kernel, stride, padding, ceilMode, countIncludePad);
    }

    static NDArray adaptiveAvgPool(NDArray x, int[] outSize) {
        return Pooling.adaptiveAvgPool(x, outSize);
    }

    static NDArray globalAvgPool(NDArray x) {
        return Pooling.globalAvgPool(x);
    }
}
