package zerotoml.reference.cnn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Conv3d;

/**
 * Convolution as a PyTorch user writes it: {@code torch.nn.functional.conv{1,2,3}d} through DJL's
 * {@code Conv1d.conv1d}, {@code Conv2d.conv2d}, {@code Conv3d.conv3d}. PyTorch pads symmetrically;
 * asymmetric padding (and {@code padding='same'} with an even effective kernel) is done the way
 * {@code torch.nn.modules.conv._ConvNd} does it: {@code F.pad} first (here {@code NDArray.pad}),
 * then a convolution without padding.
 */
public final class Convolution {
    private Convolution() {}

    /** conv with per-side padding; {@code bias} may be null. */
    public static NDArray conv(NDArray x, NDArray w, NDArray bias, int[] stride, int[] padLo, int[] padHi, int[] dilation, int groups) {
        int dims = stride.length;
        boolean symmetric = java.util.Arrays.equals(padLo, padHi);
        int[] pad = symmetric ? padLo : new int[dims];
        if (!symmetric) x = x.pad(padWidths(padLo, padHi), 0);
        Shape s = shape(stride), p = shape(pad), d = shape(dilation);
        return switch (dims) {
            case 1 -> Conv1d.conv1d(x, w, bias, s, p, d, groups).singletonOrThrow();
            case 2 -> Conv2d.conv2d(x, w, bias, s, p, d, groups).singletonOrThrow();
            case 3 -> Conv3d.conv3d(x, w, bias, s, p, d, groups).singletonOrThrow();
            default -> throw new IllegalArgumentException("conv: PyTorch has 1, 2 and 3-d convolutions, not " + dims + "-d");
        };
    }

    /**
     * PyTorch's {@code padding='same'} ({@code _ConvNd.__init__}): a total of d(k − 1) per axis,
     * total // 2 on the left and the rest on the right. Returns {lo[], hi[]}.
     */
    public static int[][] samePadding(int[] kernel, int[] dilation) {
        int n = kernel.length;
        int[] lo = new int[n], hi = new int[n];
        for (int j = 0; j < n; j++) {
            int total = dilation[j] * (kernel[j] - 1);
            lo[j] = total / 2;
            hi[j] = total - lo[j];
        }
        return new int[][] {lo, hi};
    }

    /** {@code F.pad}'s order: (lo, hi) pairs starting from the LAST axis. */
    static Shape padWidths(int[] lo, int[] hi) {
        int n = lo.length;
        long[] w = new long[2 * n];
        for (int j = 0; j < n; j++) {
            w[2 * j] = lo[n - 1 - j];
            w[2 * j + 1] = hi[n - 1 - j];
        }
        return new Shape(w);
    }

    static Shape shape(int[] v) {
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) l[i] = v[i];
        return new Shape(l);
    }
}
