package zerotoml.scratch.cnn;

import java.util.Arrays;
import zerotoml.scratch.kernels.ConvKernels;
import zerotoml.scratch.tensor.Indexing;
import zerotoml.scratch.tensor.Shape;
import zerotoml.scratch.tensor.Tensor;

/**
 * Transposed convolution over any number of spatial axes, built the way the paper explains it
 * (Relationships 8–14 of Dumoulin &amp; Visin, arXiv 1603.07285): stretch the input with s − 1 zeros
 * between units, pad it with d(k − 1) − p zeros on the low side and d(k − 1) − p + a on the high
 * side (a = output padding; a negative pad is a crop), and convolve at unit stride with the kernel
 * flipped and its two channel axes swapped within each group. The output size is Relationship 14
 * with dilation: o' = s(i' − 1) − 2p + d(k − 1) + a + 1.
 *
 * <p>x[N, C_in, i'...] and w[C_in, C_out/groups, k...] (PyTorch's {@code ConvTranspose} layout).
 * The result equals the gradient of {@link Convolution#conv} with respect to its input; a test
 * checks that identity, since this construction and conv's col2im backward share no code.
 */
public final class TransposedConvolution {
    private TransposedConvolution() {}

    /** Hyper-parameters, one entry per spatial axis. */
    public record Spec(int[] stride, int[] padding, int[] outputPadding, int[] dilation, int groups) {
        public Spec {
            stride = stride.clone();
            padding = padding.clone();
            outputPadding = outputPadding.clone();
            dilation = dilation.clone();
        }

        public static Spec of(int dims) {
            return new Spec(Convolution.fill(dims, 1), new int[dims], new int[dims], Convolution.fill(dims, 1), 1);
        }

        public int dims() { return stride.length; }
        public Spec stride(int... s) { return new Spec(s, padding, outputPadding, dilation, groups); }
        public Spec padding(int... p) { return new Spec(stride, p, outputPadding, dilation, groups); }
        public Spec outputPadding(int... a) { return new Spec(stride, padding, a, dilation, groups); }
        public Spec dilation(int... d) { return new Spec(stride, padding, outputPadding, d, groups); }
        public Spec groups(int g) { return new Spec(stride, padding, outputPadding, dilation, g); }
    }

    /** The transposed convolution; {@code bias} may be null. */
    public static Tensor convTranspose(Tensor x, Tensor w, Tensor bias, Spec spec) {
        int dims = spec.dims();
        String op = "convTranspose" + dims + "d";
        String shapes = " (input " + x.shape() + ", weight " + w.shape() + (bias != null ? ", bias " + bias.shape() : "") + ")";
        if (spec.padding().length != dims || spec.outputPadding().length != dims || spec.dilation().length != dims) {
            throw new IllegalArgumentException(op + ": stride, padding, output padding and dilation need one entry per spatial axis (" + dims + ")" + shapes);
        }
        if (x.rank() != dims + 2) throw new IllegalArgumentException(op + ": input must have rank " + (dims + 2) + " [N, C_in, spatial x" + dims + "], got rank " + x.rank() + shapes);
        if (w.rank() != dims + 2) throw new IllegalArgumentException(op + ": weight must have rank " + (dims + 2) + " [C_in, C_out/groups, kernel x" + dims + "], got rank " + w.rank() + shapes);
        Convolution.positive(op, "stride", spec.stride(), shapes);
        Convolution.positive(op, "dilation", spec.dilation(), shapes);
        int g = spec.groups();
        if (g <= 0) throw new IllegalArgumentException(op + ": groups must be positive, got " + g + shapes);
        int cIn = x.shape().dim(1);
        if (w.shape().dim(0) != cIn) throw new IllegalArgumentException(op + ": input has " + cIn + " channels but weight expects " + w.shape().dim(0) + shapes);
        if (cIn % g != 0) throw new IllegalArgumentException(op + ": input channels " + cIn + " are not divisible by groups " + g + shapes);
        int cOut = w.shape().dim(1) * g;
        if (bias != null && (bias.rank() != 1 || bias.shape().dim(0) != cOut)) {
            throw new IllegalArgumentException(op + ": bias must have shape [" + cOut + "], got " + bias.shape() + shapes);
        }
        int[] k = Convolution.spatial(w.shape()), in = Convolution.spatial(x.shape());
        int[] lo = new int[dims], hi = new int[dims];
        for (int j = 0; j < dims; j++) {
            int s = spec.stride()[j], d = spec.dilation()[j], p = spec.padding()[j], a = spec.outputPadding()[j];
            if (p < 0) throw new IllegalArgumentException(op + ": padding must be non-negative, got " + Arrays.toString(spec.padding()) + shapes);
            if (a < 0 || a >= Math.max(s, d)) {
                throw new IllegalArgumentException(op + ": output padding must be smaller than either stride or dilation, got output padding "
                        + Arrays.toString(spec.outputPadding()) + ", stride " + Arrays.toString(spec.stride()) + ", dilation " + Arrays.toString(spec.dilation()) + shapes);
            }
            int o = ConvolutionArithmetic.transposedOutputSize(in[j], k[j], s, p, a, d);
            if (o < 1) throw new IllegalArgumentException(op + ": output size " + o + " on spatial axis " + j + " is not positive" + shapes);
            // Relationship 14: p' = d(k − 1) − p on the low side, plus a on the high side
            lo[j] = d * (k[j] - 1) - p;
            hi[j] = lo[j] + a;
        }
        // stretched input: s − 1 zeros between units (Relationships 12–14)
        Tensor z = stretch(x, spec.stride());
        Tensor wT = transposedKernel(w, g);
        return Convolution.convUnchecked(op, z, wT, bias, Convolution.fill(dims, 1), lo, hi, spec.dilation(), g);
    }

    /**
     * Zero insertion on the spatial axes of an [N, C, spatial...] tensor: size i becomes
     * f(i − 1) + 1 with f − 1 zeros between neighbours. Used for the stretched input of
     * Relationships 12–14 and for the zero-dilated kernel of Relationship 15.
     * out[..., f·j] = t[..., j];  ∂t[..., j] = g[..., f·j]
     */
    public static Tensor stretch(Tensor t, int... factors) {
        int dims = factors.length;
        if (t.rank() != dims + 2) throw new IllegalArgumentException("stretch: tensor of shape " + t.shape() + " needs rank " + (dims + 2) + " for " + dims + " factors");
        Convolution.positive("stretch", "factor", factors, " (shape " + t.shape() + ")");
        int[] in = Convolution.spatial(t.shape()), out = new int[dims];
        boolean identity = true;
        for (int j = 0; j < dims; j++) {
            out[j] = factors[j] * (in[j] - 1) + 1;
            identity &= factors[j] == 1;
        }
        if (identity) return t;
        int planes = t.shape().dim(0) * t.shape().dim(1), inSize = ConvKernels.prod(in), outSize = ConvKernels.prod(out);
        // src[pl, o] = the input element that lands on output o of plane pl, or −1 (an inserted zero)
        int[] src = new int[planes * outSize], idx = new int[dims];
        java.util.Arrays.fill(src, -1);
        for (int i = 0; i < inSize; i++) {
            ConvKernels.unravel(i, in, idx);
            int off = 0;
            for (int j = 0; j < dims; j++) off = off * out[j] + idx[j] * factors[j];
            for (int pl = 0; pl < planes; pl++) src[pl * outSize + off] = pl * inSize + i;
        }
        int[] outDims = t.shape().dims();
        System.arraycopy(out, 0, outDims, 2, dims);
        return Indexing.take("stretch", t, Shape.of(outDims), src);
    }

    /**
     * w[C_in, C_out/g, k...] → w'[C_out, C_in/g, k...] with every spatial axis flipped:
     * w'[grp·C_outG + co, ci, t] = w[grp·C_inG + ci, co, K − 1 − t]. A permutation, so the
     * gradient is the inverse permutation.
     */
    static Tensor transposedKernel(Tensor w, int groups) {
        int cIn = w.shape().dim(0), cOutG = w.shape().dim(1), cInG = cIn / groups;
        int kSize = ConvKernels.prod(Convolution.spatial(w.shape()));
        int[] perm = new int[w.size()];
        for (int grp = 0; grp < groups; grp++) {
            for (int co = 0; co < cOutG; co++) {
                for (int ci = 0; ci < cInG; ci++) {
                    for (int t = 0; t < kSize; t++) {
                        int dst = ((grp * cOutG + co) * cInG + ci) * kSize + t;
                        perm[dst] = ((grp * cInG + ci) * cOutG + co) * kSize + (kSize - 1 - t);
                    }
                }
            }
        }
        int[] dims = w.shape().dims();
        dims[0] = cOutG * groups;
        dims[1] = cInG;
        return Indexing.take("transposedKernel", w, Shape.of(dims), perm);
    }
}
