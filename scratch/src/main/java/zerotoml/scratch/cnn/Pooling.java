package zerotoml.scratch.cnn;

import java.util.Arrays;
import zerotoml.scratch.kernels.AdaptivePool;
import zerotoml.scratch.kernels.MaxPool;
import zerotoml.scratch.kernels.Pool;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Indexing;
import zerotoml.scratch.tensor.Selection;
import zerotoml.scratch.tensor.Shape;
import zerotoml.scratch.tensor.Tensor;

/**
 * Pooling over any number of spatial axes of x[N, C, i...]: max pooling (padding, dilation, ceil
 * mode; the gradient goes to the argmax with PyTorch's tie and NaN rules), average pooling
 * (padding, ceil mode, count_include_pad), adaptive and global average pooling. Output sizes are
 * Relationship 7 generalised ({@link ConvolutionArithmetic#poolOutputSize}).
 */
public final class Pooling {
    private Pooling() {}

    /** Hyper-parameters, one entry per spatial axis. {@code of(k)} sets the stride to the kernel, as PyTorch does. */
    public record Spec(int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        public Spec {
            kernel = kernel.clone();
            stride = stride.clone();
            padding = padding.clone();
            dilation = dilation.clone();
        }

        public static Spec of(int... kernel) {
            return new Spec(kernel, kernel, new int[kernel.length], Convolution.fill(kernel.length, 1), false);
        }

        public int dims() { return kernel.length; }
        public Spec stride(int... s) { return new Spec(kernel, s, padding, dilation, ceilMode); }
        public Spec padding(int... p) { return new Spec(kernel, stride, p, dilation, ceilMode); }
        public Spec dilation(int... d) { return new Spec(kernel, stride, padding, d, ceilMode); }
        public Spec ceilMode(boolean c) { return new Spec(kernel, stride, padding, dilation, c); }
    }

    /** Validates and returns the output's spatial sizes. */
    static int[] outSize(String op, Tensor x, Spec spec) {
        int dims = spec.dims();
        String shapes = " (input " + x.shape() + ", kernel " + Arrays.toString(spec.kernel()) + ")";
        if (spec.stride().length != dims || spec.padding().length != dims || spec.dilation().length != dims) {
            throw new IllegalArgumentException(op + ": kernel, stride, padding and dilation need one entry per spatial axis (" + dims + ")" + shapes);
        }
        if (dims < 1 || dims > 3) throw new IllegalArgumentException(op + ": pooling has 1 to 3 spatial axes (as PyTorch's 1d, 2d and 3d pools), got " + dims + shapes);
        if (x.rank() != dims + 2) throw new IllegalArgumentException(op + ": input must have rank " + (dims + 2) + " [N, C, spatial x" + dims + "], got rank " + x.rank() + shapes);
        Convolution.positive(op, "kernel size", spec.kernel(), shapes);
        Convolution.positive(op, "stride", spec.stride(), shapes);
        Convolution.positive(op, "dilation", spec.dilation(), shapes);
        int[] in = Convolution.spatial(x.shape()), out = new int[dims];
        for (int j = 0; j < dims; j++) {
            int k = spec.kernel()[j], p = spec.padding()[j];
            if (p < 0 || p > k / 2) {
                throw new IllegalArgumentException(op + ": padding should be at least 0 and at most half of kernel size, got padding "
                        + Arrays.toString(spec.padding()) + shapes);
            }
            out[j] = ConvolutionArithmetic.poolOutputSize(in[j], k, spec.stride()[j], p, spec.dilation()[j], spec.ceilMode());
            if (out[j] < 1) {
                throw new IllegalArgumentException(op + ": output size " + out[j] + " on spatial axis " + j + " is too small: the kernel (dilated size "
                        + ConvolutionArithmetic.effectiveKernel(k, spec.dilation()[j]) + ") is larger than the padded input (" + (in[j] + 2 * p) + ")" + shapes);
            }
        }
        return out;
    }

    static int[] withSpatial(Shape x, int[] out) {
        int[] d = Arrays.copyOf(x.dims(), out.length + 2);
        System.arraycopy(out, 0, d, 2, out.length);
        return d;
    }

    /**
     * y[n, c, o] = max over the window's in-bounds elements (padding never wins). Scanning in
     * row-major window order, an element replaces the maximum when it is greater or NaN, as ATen
     * does: ties go to the first maximum, and a NaN to the last NaN. ∂x[argmax] += g.
     */
    public static Tensor maxPool(Tensor x, Spec spec) {
        String op = "maxPool" + spec.dims() + "d";
        int[] out = outSize(op, x, spec), in = Convolution.spatial(x.shape());
        Pool.Window w = window(x, in, out, spec);
        int[] arg = new int[w.planes() * w.outSize()];
        Shape yShape = Shape.of(withSpatial(x.shape(), out));
        if (x.dtype() == DType.F32) {
            // y = x[argmax] from the same pass; its gradient is take's, g scattered back to each window's maximum
            float[] y = new float[arg.length];
            MaxPool.max(x.rawFloats(), w, arg, y);
            if (noEmptyWindow(arg)) {
                boolean disjoint = disjointWindows(spec);
                return Tensor.record(op, yShape, y, g -> new Tensor[] {Indexing.scatterAdd(op, g, x.shape(), arg, disjoint)}, x);
            }
        } else {
            MaxPool.maxArg(x.rawData(), w, arg);
        }
        // y = x[argmax]: a take, whose gradient scatters g back to each window's maximum
        Tensor y = Indexing.take(op, x, yShape, arg);
        // a window with no element inside the input (possible only with dilation) has maximum −∞, as in ATen
        if (noEmptyWindow(arg)) return y;
        double[] empty = new double[arg.length];
        for (int i = 0; i < arg.length; i++) empty[i] = arg[i] < 0 ? 1 : 0;
        return Selection.where(Tensor.of(y.dtype(), empty, y.shape()), Tensor.scalar(y.dtype(), Double.NEGATIVE_INFINITY), y);
    }

    /** No two windows share an input element: on every axis the stride reaches past the window, s ≥ (k − 1)·d + 1. */
    static boolean disjointWindows(Spec spec) {
        for (int j = 0; j < spec.kernel().length; j++) {
            if (spec.stride()[j] < (spec.kernel()[j] - 1) * spec.dilation()[j] + 1) return false;
        }
        return true;
    }

    private static boolean noEmptyWindow(int[] arg) {
        for (int a : arg) if (a < 0) return false;
        return true;
    }

    /**
     * y[n, c, o] = Σ_window x / divisor. The window is clipped to the padded input (its size is
     * the count_include_pad divisor) and then to the input (the count of real elements).
     * ∂x[window] += g / divisor.
     */
    public static Tensor avgPool(Tensor x, Spec spec, boolean countIncludePad) {
        String op = "avgPool" + spec.dims() + "d";
        for (int d : spec.dilation()) {
            if (d != 1) throw new IllegalArgumentException(op + ": average pooling has no dilation, got " + Arrays.toString(spec.dilation()) + " (input " + x.shape() + ")");
        }
        int[] out = outSize(op, x, spec), in = Convolution.spatial(x.shape());
        if (in.length == 3) {
            // ATen's pool3d_shape_check for AvgPool3d asks this of the unpadded input (2-d and 1-d do not)
            for (int j = 0; j < 3; j++) {
                if (in[j] < spec.kernel()[j]) {
                    throw new IllegalArgumentException(op + ": input image " + Arrays.toString(in) + " is smaller than kernel size "
                            + Arrays.toString(spec.kernel()) + " (input " + x.shape() + "; PyTorch checks this before padding for 3-d average pooling)");
                }
            }
        }
        Pool.Window w = window(x, in, out, spec);
        double[] y = new double[w.planes() * w.outSize()];
        if (x.dtype() == DType.F32) Pool.avg(x.rawFloats(), w, countIncludePad, y);
        else Pool.avg(x.rawData(), w, countIncludePad, y);
        return Tensor.record(op, Shape.of(withSpatial(x.shape(), out)), x.dtype(), y, g -> {
            double[] gx = new double[x.size()];
            Pool.avgBackward(g.rawData(), w, countIncludePad, gx);
            return new Tensor[] {Tensor.of(x.dtype(), gx, x.shape())};
        }, x);
    }

    /** The kernel's view of x[N, C, in...] pooled to out: N·C planes. */
    private static Pool.Window window(Tensor x, int[] in, int[] out, Spec spec) {
        return Pool.Window.of(x.shape().dim(0) * x.shape().dim(1), in, out, spec.kernel(), spec.stride(), spec.padding(), spec.dilation());
    }

    /**
     * Adaptive average pooling to the given spatial size: output cell o of an axis of size i
     * averages [⌊o·i/O⌋, ⌈(o + 1)·i/O⌉), as PyTorch does. ∂x[window] += g / |window|.
     */
    public static Tensor adaptiveAvgPool(Tensor x, int... outSize) {
        int dims = outSize.length;
        String op = "adaptiveAvgPool" + dims + "d";
        if (dims < 1 || dims > 3) throw new IllegalArgumentException(op + ": adaptive pooling has 1 to 3 spatial axes (as PyTorch's 1d, 2d and 3d pools), got " + dims + " (input " + x.shape() + ")");
        if (x.rank() != dims + 2) throw new IllegalArgumentException(op + ": input must have rank " + (dims + 2) + " [N, C, spatial x" + dims + "], got shape " + x.shape());
        Convolution.positive(op, "output size", outSize, " (input " + x.shape() + ")");
        // the kernel walks each cell's rows from its bounds on each axis, in increasing offset
        AdaptivePool.Cells cells = AdaptivePool.Cells.of(x.shape().dim(0) * x.shape().dim(1), Convolution.spatial(x.shape()), outSize);
        double[] y = new double[cells.planes() * cells.outSize()];
        if (x.dtype() == DType.F32) AdaptivePool.adaptiveAvg(x.rawFloats(), cells, y);
        else AdaptivePool.adaptiveAvg(x.rawData(), cells, y);
        return Tensor.record(op, Shape.of(withSpatial(x.shape(), outSize)), x.dtype(), y, g -> {
            double[] gx = new double[x.size()];
            if (g.dtype() == DType.F32) AdaptivePool.adaptiveAvgBackward(g.rawFloats(), cells, gx);
            else AdaptivePool.adaptiveAvgBackward(g.rawData(), cells, gx);
            return new Tensor[] {Tensor.of(x.dtype(), gx, x.shape())};
        }, x);
    }

    /**
     * Global average pooling of x[N, C, spatial...] to [N, C]: the adaptive pool to size 1 of the
     * spatial axes flattened into one (the same elements in the same row-major order, so the
     * same sum, for any number of spatial axes).
     */
    public static Tensor globalAvgPool(Tensor x) {
        if (x.rank() < 3) throw new IllegalArgumentException("globalAvgPool: input must have rank 3 or more [N, C, spatial...], got shape " + x.shape());
        int n = x.shape().dim(0), c = x.shape().dim(1);
        return adaptiveAvgPool(x.reshape(n, c, x.size() / Math.max(1, n * c)), 1).reshape(n, c);
    }
}
