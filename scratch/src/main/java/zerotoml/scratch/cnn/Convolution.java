package zerotoml.scratch.cnn;

import java.util.Arrays;
import zerotoml.scratch.kernels.ConvKernels;
import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Shape;
import zerotoml.scratch.tensor.Shapes;
import zerotoml.scratch.tensor.Tensor;

/**
 * Discrete convolution over 1, 2 or 3 (or any number of) spatial axes, as deep-learning libraries
 * define it (cross-correlation): x[N, C_in, i...] · w[C_out, C_in/groups, k...] (+ bias[C_out]) →
 * y[N, C_out, o...], with stride, per-side zero padding ({@code valid}, {@code same}, {@code full}
 * helpers), dilation and groups. Output sizes follow {@link ConvolutionArithmetic#outputSize}
 * (Relationship 15; Relationship 6 when d = 1). One N-d implementation serves every rank.
 */
public final class Convolution {
    private Convolution() {}

    /** How padding is chosen: explicit per-side numbers, or one of the paper's named cases. */
    public enum Padding { EXPLICIT, VALID, SAME, FULL }

    /** Hyper-parameters, one entry per spatial axis. */
    public record Spec(int[] stride, int[] padLo, int[] padHi, int[] dilation, int groups, Padding mode) {
        public Spec {
            stride = stride.clone();
            padLo = padLo.clone();
            padHi = padHi.clone();
            dilation = dilation.clone();
        }

        /** Unit stride, no padding, no dilation, one group, over {@code dims} spatial axes. */
        public static Spec of(int dims) {
            int[] ones = new int[dims], zeros = new int[dims];
            Arrays.fill(ones, 1);
            return new Spec(ones, zeros, zeros, ones, 1, Padding.EXPLICIT);
        }

        public int dims() { return stride.length; }
        public Spec stride(int... s) { return new Spec(s, padLo, padHi, dilation, groups, mode); }
        /** The same padding on both sides of each axis. */
        public Spec padding(int... p) { return new Spec(stride, p, p, dilation, groups, Padding.EXPLICIT); }
        public Spec padding(int[] lo, int[] hi) { return new Spec(stride, lo, hi, dilation, groups, Padding.EXPLICIT); }
        public Spec dilation(int... d) { return new Spec(stride, padLo, padHi, d, groups, mode); }
        public Spec groups(int g) { return new Spec(stride, padLo, padHi, dilation, g, mode); }
        public Spec padding(Padding m) { return new Spec(stride, padLo, padHi, dilation, groups, m); }
    }

    /** conv with stride, symmetric padding, dilation and groups given as one number for every axis. */
    public static Tensor conv(Tensor x, Tensor w, Tensor bias, int stride, int padding, int dilation, int groups) {
        int dims = Math.max(1, w.rank() - 2);
        return conv(x, w, bias, Spec.of(dims).stride(fill(dims, stride)).padding(fill(dims, padding)).dilation(fill(dims, dilation)).groups(groups));
    }

    static int[] fill(int n, int v) {
        int[] a = new int[n];
        Arrays.fill(a, v);
        return a;
    }

    static String opName(int dims) {
        return "conv" + dims + "d";
    }

    /** The convolution; {@code bias} may be null. */
    public static Tensor conv(Tensor x, Tensor w, Tensor bias, Spec spec) {
        int dims = spec.dims();
        String op = opName(dims);
        String shapes = " (input " + x.shape() + ", weight " + w.shape() + (bias != null ? ", bias " + bias.shape() : "") + ")";
        requireLengths(op, dims, spec);
        if (x.rank() != dims + 2) throw new IllegalArgumentException(op + ": input must have rank " + (dims + 2) + " [N, C, spatial x" + dims + "], got rank " + x.rank() + shapes);
        if (w.rank() != dims + 2) throw new IllegalArgumentException(op + ": weight must have rank " + (dims + 2) + " [C_out, C_in/groups, kernel x" + dims + "], got rank " + w.rank() + shapes);
        positive(op, "stride", spec.stride(), shapes);
        positive(op, "dilation", spec.dilation(), shapes);
        if (spec.groups() <= 0) throw new IllegalArgumentException(op + ": groups must be positive, got " + spec.groups() + shapes);
        int g = spec.groups(), cIn = x.shape().dim(1), cOut = w.shape().dim(0);
        if (cIn % g != 0) throw new IllegalArgumentException(op + ": input channels " + cIn + " are not divisible by groups " + g + shapes);
        if (cOut % g != 0) throw new IllegalArgumentException(op + ": weight's output channels " + cOut + " are not divisible by groups " + g + shapes);
        if (w.shape().dim(1) * g != cIn) {
            throw new IllegalArgumentException(op + ": input has " + cIn + " channels but weight expects " + w.shape().dim(1) * g
                    + " (" + w.shape().dim(1) + " per group x " + g + " groups)" + shapes);
        }
        if (bias != null && (bias.rank() != 1 || bias.shape().dim(0) != cOut)) {
            throw new IllegalArgumentException(op + ": bias must have shape [" + cOut + "], got " + bias.shape() + shapes);
        }
        int[] k = spatial(w.shape()), in = spatial(x.shape());
        int[] lo = spec.padLo().clone(), hi = spec.padHi().clone();
        for (int j = 0; j < dims; j++) {
            int[] p = switch (spec.mode()) {
                case EXPLICIT -> new int[] {lo[j], hi[j]};
                case VALID -> ConvolutionArithmetic.validPadding(k[j], spec.dilation()[j]);
                case SAME -> ConvolutionArithmetic.samePadding(k[j], spec.dilation()[j]);
                case FULL -> ConvolutionArithmetic.fullPadding(k[j], spec.dilation()[j]);
            };
            lo[j] = p[0];
            hi[j] = p[1];
            if (lo[j] < 0 || hi[j] < 0) throw new IllegalArgumentException(op + ": padding must be non-negative, got " + Arrays.toString(spec.padLo()) + "/" + Arrays.toString(spec.padHi()) + shapes);
            if (spec.mode() == Padding.SAME && spec.stride()[j] != 1) {
                throw new IllegalArgumentException(op + ": padding 'same' needs stride 1, got stride " + Arrays.toString(spec.stride()) + shapes);
            }
            int kHat = ConvolutionArithmetic.effectiveKernel(k[j], spec.dilation()[j]);
            if (in[j] + lo[j] + hi[j] < kHat) {
                throw new IllegalArgumentException(op + ": kernel (dilated size " + kHat + ") is larger than the padded input (" + (in[j] + lo[j] + hi[j])
                        + ") on spatial axis " + j + shapes);
            }
        }
        return convUnchecked(op, x, w, bias, spec.stride(), lo, hi, spec.dilation(), g);
    }

    /**
     * The op itself, after validation; padding may be negative (a crop), which the transposed
     * convolution needs. y = W ⋆ x + b;  ∂x = Wᵀ ⋆ g (col2im), ∂W = g ⋆ x, ∂b = Σ_{n, o} g.
     */
    static Tensor convUnchecked(String op, Tensor x, Tensor w, Tensor bias, int[] stride, int[] lo, int[] hi, int[] dilation, int groups) {
        int dims = stride.length;
        int[] k = spatial(w.shape()), in = spatial(x.shape()), out = new int[dims];
        for (int j = 0; j < dims; j++) {
            out[j] = ConvolutionArithmetic.outputSize(in[j], k[j], stride[j], lo[j], hi[j], dilation[j]);
            if (out[j] < 1) throw new IllegalArgumentException(op + ": output size " + out[j] + " on spatial axis " + j + " is not positive (input " + x.shape() + ", weight " + w.shape() + ")");
        }
        int n = x.shape().dim(0), cIn = x.shape().dim(1), cOut = w.shape().dim(0);
        ConvKernels.Geometry geo = new ConvKernels.Geometry(n, cIn, cOut, groups, in, k, out, stride.clone(), lo.clone(), dilation.clone());
        int[] yDims = new int[dims + 2];
        yDims[0] = n;
        yDims[1] = cOut;
        System.arraycopy(out, 0, yDims, 2, dims);
        // ∂x = Wᵀ ⋆ g (col2im), ∂W = g ⋆ x: the float kernels when every operand is F32, else the double ones
        Tensor.Backward backward = g -> {
            if (g.dtype() == DType.F32 && x.dtype() == DType.F32 && w.dtype() == DType.F32) {
                float[] gy = g.rawFloats();
                return new Tensor[] {
                    Tensor.record(op + " input gradient", x.shape(), ConvKernels.backwardInput(gy, w.rawFloats(), geo), null),
                    Tensor.record(op + " weight gradient", w.shape(), ConvKernels.backwardWeight(x.rawFloats(), gy, geo), null)
                };
            }
            double[] gy = g.rawData();
            return new Tensor[] {
                Tensor.of(x.dtype(), ConvKernels.backwardInput(gy, w.rawData(), geo), x.shape()),
                Tensor.of(w.dtype(), ConvKernels.backwardWeight(x.rawData(), gy, geo), w.shape())
            };
        };
        // y = W ⋆ x (im2col and a matmul) on the storage itself: both F32 in float (accumulating in float, as
        // PyTorch's float32 convolution), else in double (F32 operands widened) rounded once to the result's dtype
        Tensor conv = x.dtype() == DType.F32 && w.dtype() == DType.F32
                ? Tensor.record(op, Shape.of(yDims), ConvKernels.forward(x.rawFloats(), w.rawFloats(), geo), backward, x, w)
                : Tensor.record(op, Shape.of(yDims), DType.promote(x.dtype(), w.dtype()), ConvKernels.forward(x.rawData(), w.rawData(), geo), backward, x, w);
        if (bias == null) return conv;
        // y[n, co, o] += b[co]: b broadcast as [C_out, 1, …, 1], so ∂b = Σ_{n, o} g comes from un-broadcasting
        int[] bDims = new int[dims + 1];
        Arrays.fill(bDims, 1);
        bDims[0] = cOut;
        return Arithmetic.add(conv, Shapes.reshape(bias, bDims));
    }

    /** The spatial dimensions of an [N, C, spatial...] shape. */
    static int[] spatial(Shape s) {
        return Arrays.copyOfRange(s.dims(), 2, s.rank());
    }

    static void requireLengths(String op, int dims, Spec spec) {
        if (spec.padLo().length != dims || spec.padHi().length != dims || spec.dilation().length != dims) {
            throw new IllegalArgumentException(op + ": stride, padding and dilation need one entry per spatial axis (" + dims + "), got stride "
                    + Arrays.toString(spec.stride()) + ", padding " + Arrays.toString(spec.padLo()) + "/" + Arrays.toString(spec.padHi())
                    + ", dilation " + Arrays.toString(spec.dilation()));
        }
    }

    static void positive(String op, String what, int[] v, String shapes) {
        for (int a : v) {
            if (a <= 0) throw new IllegalArgumentException(op + ": " + what + " must be positive, got " + Arrays.toString(v) + shapes);
        }
    }
}
