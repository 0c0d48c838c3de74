package zerotoml.reference.cnn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;

/**
 * {@code torch.nn.functional.{max,avg,adaptive_avg}_pool{1,2,3}d} through DJL's {@code Pool}.
 * Where DJL falls short the workaround is written out: {@code avgPool} ignores
 * {@code countIncludePad} (so count_include_pad=false is the padded average divided by the padded
 * average of ones), {@code maxPool} has no dilation (so a dilated max pool is the element-wise
 * maximum of strided slices of the −∞-padded input), and there is no adaptive pool (so each
 * output cell is the mean of its slice, with PyTorch's [⌊o·i/O⌋, ⌈(o+1)·i/O⌉) windows).
 */
public final class Pooling {
    private Pooling() {}

    public static NDArray maxPool(NDArray x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        boolean dilated = false;
        for (int d : dilation) dilated |= d != 1;
        if (dilated) return dilatedMaxPool(x, kernel, stride, padding, dilation, ceilMode);
        Shape k = Convolution.shape(kernel), s = Convolution.shape(stride), p = Convolution.shape(padding);
        return switch (kernel.length) {
            case 1 -> Pool.maxPool1d(x, k, s, p, ceilMode);
            case 2 -> Pool.maxPool2d(x, k, s, p, ceilMode);
            case 3 -> Pool.maxPool3d(x, k, s, p, ceilMode);
            default -> throw new IllegalArgumentException("maxPool: PyTorch has 1, 2 and 3-d pooling, not " + kernel.length + "-d");
        };
    }

    /** ATen's pooling_output_shape_pad_lr (symmetric padding). */
    static int poolOut(int i, int k, int s, int p, int d, boolean ceil) {
        int o = Math.floorDiv(i + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0), s) + 1;
        if (ceil && (o - 1) * s >= i + p) o--;
        return o;
    }

    static NDArray dilatedMaxPool(NDArray x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        int dims = kernel.length;
        long[] xs = x.getShape().getShape();
        int[] out = new int[dims], lo = new int[dims], hi = new int[dims];
        for (int j = 0; j < dims; j++) {
            int i = (int) xs[2 + j];
            out[j] = poolOut(i, kernel[j], stride[j], padding[j], dilation[j], ceilMode);
            if (out[j] < 1) throw new IllegalArgumentException("maxPool: output size " + out[j] + " is too small");
            lo[j] = padding[j];
            hi[j] = Math.max(padding[j], (out[j] - 1) * stride[j] + (kernel[j] - 1) * dilation[j] + 1 - i - padding[j]);
        }
        NDArray padded = x.pad(Convolution.padWidths(lo, hi), Double.NEGATIVE_INFINITY);
        int taps = 1;
        for (int k : kernel) taps *= k;
        NDArray best = null;
        int[] t = new int[dims];
        for (int tap = 0; tap < taps; tap++) {
            for (int j = dims - 1, r = tap; j >= 0; j--) {
                t[j] = r % kernel[j];
                r /= kernel[j];
            }
            StringBuilder idx = new StringBuilder(":, :");
            for (int j = 0; j < dims; j++) {
                int start = t[j] * dilation[j];
                idx.append(", ").append(start).append(':').append(start + (out[j] - 1) * stride[j] + 1).append(':').append(stride[j]);
            }
            NDArray slice = padded.get(new NDIndex(idx.toString()));
            best = best == null ? slice : NDArrays.maximum(best, slice);
        }
        return best;
    }

    public static NDArray avgPool(NDArray x, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        NDArray sumOverPadded = avgPoolCountingPad(x, kernel, stride, padding, ceilMode);
        if (countIncludePad) return sumOverPadded;
        // DJL drops countIncludePad (always true): divide by the same average of ones, which is realCount / paddedCount
        return sumOverPadded.div(avgPoolCountingPad(x.onesLike(), kernel, stride, padding, ceilMode));
    }

    private static NDArray avgPoolCountingPad(NDArray x, int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        Shape k = Convolution.shape(kernel), s = Convolution.shape(stride), p = Convolution.shape(padding);
        return switch (kernel.length) {
            case 1 -> Pool.avgPool1d(x, k, s, p, ceilMode, true);
            case 2 -> Pool.avgPool2d(x, k, s, p, ceilMode, true);
            case 3 -> Pool.avgPool3d(x, k, s, p, ceilMode, true);
            default -> throw new IllegalArgumentException("avgPool: PyTorch has 1, 2 and 3-d pooling, not " + kernel.length + "-d");
        };
    }

    /** {@code F.adaptive_avg_pool{1,2,3}d}, composed from slices and sums. */
    public static NDArray adaptiveAvgPool(NDArray x, int[] outSize) {
        int dims = outSize.length;
        long[] xs = x.getShape().getShape();
        int cells = 1;
        for (int o : outSize) cells *= o;
        int[] axes = new int[dims];
        for (int j = 0; j < dims; j++) axes[j] = 2 + j;
        NDList parts = new NDList();
        int[] o = new int[dims];
        for (int c = 0; c < cells; c++) {
            for (int j = dims - 1, r = c; j >= 0; j--) {
                o[j] = r % outSize[j];
                r /= outSize[j];
            }
            StringBuilder idx = new StringBuilder(":, :");
            long count = 1;
            for (int j = 0; j < dims; j++) {
                long i = xs[2 + j];
                long start = Math.floorDiv(o[j] * i, outSize[j]);
                long end = -Math.floorDiv(-(o[j] + 1) * i, outSize[j]);
                idx.append(", ").append(start).append(':').append(end);
                count *= end - start;
            }
            NDArray cell = x.get(new NDIndex(idx.toString())).sum(axes);
            parts.add(x.getDataType() == ai.djl.ndarray.types.DataType.FLOAT32 ? cell.div((float) count) : cell.div((double) count));
        }
        long[] shape = new long[dims + 2];
        shape[0] = xs[0];
        shape[1] = xs[1];
        for (int j = 0; j < dims; j++) shape[2 + j] = outSize[j];
        return NDArrays.stack(parts, 2).reshape(new Shape(shape));
    }

    public static NDArray globalAvgPool(NDArray x) {
        return switch (x.getShape().dimension() - 2) {
            case 1 -> Pool.globalAvgPool1d(x);
            case 2 -> Pool.globalAvgPool2d(x);
            case 3 -> Pool.globalAvgPool3d(x);
            default -> throw new IllegalArgumentException("globalAvgPool: PyTorch has 1, 2 and 3-d pooling");
        };
    }
}
