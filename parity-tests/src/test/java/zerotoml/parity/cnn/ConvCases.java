package zerotoml.parity.cnn;

import java.util.Arrays;
import java.util.SplittableRandom;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Gens;
import zerotoml.fixtures.Source;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case.Arg;
import zerotoml.parity.harness.Cases;
import zerotoml.scratch.cnn.Convolution;
import zerotoml.scratch.cnn.ConvolutionArithmetic;
import zerotoml.scratch.cnn.TransposedConvolution;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Shape;
import zerotoml.scratch.tensor.Tensor;

/** What the cnn parity tests share: size limits, arrays, and random conv geometries with their tensors for the identities. */
final class ConvCases {
    // The case arguments of the cnn specs.
    static final Arg<String> MODE = Arg.text("mode");
    static final Arg<int[]> KERNEL = Arg.ints("kernel");
    static final Arg<int[]> STRIDE = Arg.ints("stride");
    static final Arg<int[]> PADDING = Arg.ints("padding");
    static final Arg<int[]> PAD_LO = Arg.ints("padLo");
    static final Arg<int[]> PAD_HI = Arg.ints("padHi");
    static final Arg<int[]> OUTPUT_PADDING = Arg.ints("outputPadding");
    static final Arg<int[]> DILATION = Arg.ints("dilation");
    static final Arg<Integer> GROUPS = Arg.integer("groups");
    static final Arg<Boolean> CEIL_MODE = Arg.bool("ceilMode");
    static final Arg<Boolean> COUNT_INCLUDE_PAD = Arg.bool("countIncludePad");
    static final Arg<int[]> OUT_SIZE = Arg.ints("outSize");

    private ConvCases() {}

    /** Per-axis size limits: 3-d cases stay tiny so finite differences stay fast. */
    static int maxKernel(int dims) { return dims == 3 ? 2 : 3; }
    static int spare(int dims) { return dims == 3 ? 1 : 3; }

    static Arr arr(Source s, int[] shape) {
        return Cases.arr(s, shape, Domain.standard());
    }

    static int[] shape(int... d) {
        return d;
    }

    static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static Arr zeros(int[] shape) {
        int n = 1;
        for (int v : shape) n *= v;
        return new Arr(shape, new double[n]);
    }

    /** A conv geometry with symmetric padding (what a transposed convolution can undo), its x and w. */
    record ConvCase(int dims, int groups, int[] stride, int[] pad, int[] dilation, Tensor x, Tensor w) {
        Convolution.Spec spec() {
            return Convolution.Spec.of(dims).stride(stride).padding(pad).dilation(dilation).groups(groups);
        }

        /** Output padding a = (i + 2p − k̂) mod s per axis, so that the transposed convolution returns to x's size. */
        TransposedConvolution.Spec transposed() {
            int[] a = new int[dims];
            for (int j = 0; j < dims; j++) {
                int kHat = ConvolutionArithmetic.effectiveKernel(w.shape().dim(2 + j), dilation[j]);
                a[j] = ConvolutionArithmetic.outputPaddingFor(x.shape().dim(2 + j), kHat, stride[j], pad[j]);
            }
            return TransposedConvolution.Spec.of(dims).stride(stride).padding(pad).outputPadding(a).dilation(dilation).groups(groups);
        }

        @Override
        public String toString() {
            return dims + "-d, groups " + groups + ", stride " + Arrays.toString(stride) + ", padding " + Arrays.toString(pad)
                    + ", dilation " + Arrays.toString(dilation) + ", x " + x.shape() + ", w " + w.shape();
        }
    }

    static final Gen<ConvCase> CONV_CASES = s -> {
        int dims = s.intBetween(1, 3), g = s.pick(1, 2, 3), cInG = s.intBetween(1, 2), cOutG = s.intBetween(1, 2);
        int[] k = new int[dims], st = new int[dims], p = new int[dims], d = new int[dims], in = new int[dims];
        for (int j = 0; j < dims; j++) {
            k[j] = s.intBetween(1, 3);
            st[j] = s.intBetween(1, 3);
            d[j] = s.intBetween(1, 3);
            p[j] = s.intBetween(0, 2);
            in[j] = Math.max(1, d[j] * (k[j] - 1) + 1 - 2 * p[j]) + s.intBetween(0, 3);
        }
        Tensor x = Tensor.of(DType.F64, Gens.values(s, Gens.size(concat(new int[] {2, g * cInG}, in)), Domain.standard()), concat(new int[] {2, g * cInG}, in));
        Tensor w = Tensor.of(DType.F64, Gens.values(s, Gens.size(concat(new int[] {g * cOutG, cInG}, k)), Domain.standard()), concat(new int[] {g * cOutG, cInG}, k));
        return new ConvCase(dims, g, st, p, d, x, w);
    };

    static Tensor randomLike(Shape shape, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[shape.size()];
        for (int i = 0; i < v.length; i++) v[i] = 2 * r.nextDouble() - 1;
        return Tensor.of(DType.F64, v, shape);
    }

    static void close(String what, Tensor expected, Tensor actual, Object c) {
        if (!expected.shape().equals(actual.shape())) throw new AssertionError(what + ": shape " + actual.shape() + " instead of " + expected.shape() + " for " + c);
        double[] e = expected.toArray(), a = actual.toArray();
        for (int i = 0; i < e.length; i++) {
            if (Math.abs(e[i] - a[i]) > 1e-12 * (1 + Math.abs(e[i]))) {
                throw new AssertionError(what + ": element " + i + " is " + a[i] + " instead of " + e[i] + " for " + c);
            }
        }
    }
}
