package zerotoml.parity.cnn;

import static zerotoml.parity.cnn.ConvCases.CEIL_MODE;
import static zerotoml.parity.cnn.ConvCases.COUNT_INCLUDE_PAD;
import static zerotoml.parity.cnn.ConvCases.DILATION;
import static zerotoml.parity.cnn.ConvCases.KERNEL;
import static zerotoml.parity.cnn.ConvCases.OUT_SIZE;
import static zerotoml.parity.cnn.ConvCases.PADDING;
import static zerotoml.parity.cnn.ConvCases.STRIDE;
import static zerotoml.parity.cnn.ConvCases.arr;
import static zerotoml.parity.cnn.ConvCases.concat;
import static zerotoml.parity.cnn.ConvCases.shape;
import static zerotoml.parity.cnn.ConvCases.spare;
import static zerotoml.parity.cnn.ConvCases.zeros;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gen;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.cnn.ConvolutionArithmetic;
import zerotoml.scratch.cnn.Pooling;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * Pooling ({@code scratch/cnn/Pooling}) against PyTorch (Dumoulin &amp; Visin, arXiv 1603.07285,
 * section 3): max (plain, dilated, with ties, with NaN), average, adaptive average and global
 * average pooling in 1, 2 and 3 spatial dimensions, forward and gradients, finite differences and
 * bad inputs.
 */
class PoolingParityTest {
    /** Pooling: kernel 1..3, stride 1..3 (or the kernel, PyTorch's default), padding up to k/2, ceil mode, dilation when asked. */
    static Gen<Case> poolCases(int dims, Domain values, boolean dilation, boolean nans, boolean avg3d) {
        return s -> {
            int n = s.intBetween(1, 2), ch = s.intBetween(1, 2);
            boolean defaultStride = s.bool(), countPad = s.bool();
            boolean ceil = s.bool();
            int[] k = new int[dims], st = new int[dims], p = new int[dims], d = new int[dims], in = new int[dims];
            for (int j = 0; j < dims; j++) {
                k[j] = s.intBetween(1, 3);
                st[j] = defaultStride ? k[j] : s.intBetween(1, 3);
                p[j] = s.intBetween(0, k[j] / 2);
                d[j] = dilation ? s.intBetween(1, 3) : 1;
                int kHat = d[j] * (k[j] - 1) + 1;
                // AvgPool3d also needs the unpadded input to hold the kernel (ATen pool3d_shape_check)
                int least = avg3d ? Math.max(k[j], kHat - 2 * p[j]) : Math.max(1, kHat - 2 * p[j]);
                in[j] = least + s.intBetween(0, spare(dims));
            }
            if (!everyWindowSeesInput(in, k, st, p, d, ceil)) {
                // a dilated window whose taps all land in padding gives −∞ in PyTorch and scratch alike,
                // with no gradient to check; such layouts get no padding and floor mode instead
                p = new int[dims];
                ceil = false;
                for (int j = 0; j < dims; j++) in[j] = Math.max(in[j], d[j] * (k[j] - 1) + 1);
            }
            Arr x = Cases.arr(s, concat(new int[] {n, ch}, in), values);
            if (dilation) x = distinct(x);
            if (nans) {
                double[] v = x.data().clone();
                for (int i = 0; i < v.length; i++) if (s.intBetween(0, 4) == 0) v[i] = Double.NaN;
                x = new Arr(x.shape(), v);
            }
            return new Case(List.of(x), Cases.cotangentSeed(s))
                    .with(KERNEL, k)
                    .with(STRIDE, st)
                    .with(PADDING, p)
                    .with(DILATION, d)
                    .with(CEIL_MODE, ceil)
                    .with(COUNT_INCLUDE_PAD, countPad);
        };
    }

    /**
     * The composed reference of a dilated max pool (torch.maximum of slices) splits ties where
     * PyTorch's max pool picks the first, so dilated cases get distinct values; ties are tested
     * without dilation.
     */
    static Arr distinct(Arr x) {
        double[] v = x.data().clone();
        for (int i = 0; i < v.length; i++) v[i] += i * Math.sqrt(2) * 1e-2;
        return new Arr(x.shape(), v);
    }

    /**
     * Dilated max pooling with at least one window whose taps all land in padding or past the
     * input (the layouts {@link #poolCases} avoids): PyTorch's maximum there is −∞ (every tap is
     * −∞ padding), and so must scratch's be, with no gradient to the input. With padding at most
     * half the kernel, an axis with one empty window has only empty windows (its single window
     * starts in the left padding and its next tap is past the input; checked exhaustively for
     * kernel ≤ 5, dilation ≤ 7, stride ≤ 4, input < 20, both ceil modes), so every window of these
     * cases is empty. After 20 draws without such a layout, axis 0 gets kernel 2, dilation 3 and
     * padding 1 over 2 elements (taps at −1 and 2).
     */
    static Gen<Case> emptyWindowCases(int dims) {
        return s -> {
            int n = s.intBetween(1, 2), ch = s.intBetween(1, 2);
            boolean ceil = s.bool();
            int[] k = new int[dims], st = new int[dims], p = new int[dims], d = new int[dims], in = new int[dims];
            for (int attempt = 0; ; attempt++) {
                for (int j = 0; j < dims; j++) {
                    k[j] = s.intBetween(2, 3);
                    d[j] = s.intBetween(2, 4);
                    p[j] = s.intBetween(1, k[j] / 2);
                    st[j] = s.intBetween(1, 3);
                    in[j] = Math.max(1, d[j] * (k[j] - 1) + 1 - 2 * p[j]) + s.intBetween(0, 2);
                }
                if (attempt == 20) {
                    k[0] = 2;
                    d[0] = 3;
                    p[0] = 1;
                    st[0] = 1;
                    in[0] = 2;
                }
                if (!everyWindowSeesInput(in, k, st, p, d, ceil)) break;
            }
            return new Case(List.of(distinct(arr(s, concat(new int[] {n, ch}, in)))), Cases.cotangentSeed(s))
                    .with(KERNEL, k)
                    .with(STRIDE, st)
                    .with(PADDING, p)
                    .with(DILATION, d)
                    .with(CEIL_MODE, ceil)
                    .with(COUNT_INCLUDE_PAD, false);
        };
    }

    /** True when every pooling window has at least one tap inside the input. */
    static boolean everyWindowSeesInput(int[] in, int[] k, int[] st, int[] p, int[] d, boolean ceil) {
        for (int j = 0; j < in.length; j++) {
            int o = ConvolutionArithmetic.poolOutputSize(in[j], k[j], st[j], p[j], d[j], ceil);
            for (int w = 0; w < o; w++) {
                boolean seen = false;
                for (int t = 0; t < k[j]; t++) {
                    int pos = w * st[j] - p[j] + t * d[j];
                    seen |= pos >= 0 && pos < in[j];
                }
                if (!seen) return false;
            }
        }
        return true;
    }

    static Pooling.Spec poolSpec(Case c) {
        return Pooling.Spec.of(c.get(KERNEL)).stride(c.get(STRIDE)).padding(c.get(PADDING))
                .dilation(c.get(DILATION)).ceilMode(c.get(CEIL_MODE));
    }

    static Case pool2d(int[] x, int k, int stride, int pad) {
        return new Case(List.of(zeros(x)), 0)
                .with(KERNEL, new int[] {k, k})
                .with(STRIDE, new int[] {stride, stride})
                .with(PADDING, new int[] {pad, pad})
                .with(DILATION, new int[] {1, 1})
                .with(CEIL_MODE, false)
                .with(COUNT_INCLUDE_PAD, true);
    }

    static OpSpec poolRejections(OpSpec spec) {
        return spec
                .rejects("a kernel larger than the padded input", pool2d(shape(1, 1, 2, 2), 3, 1, 0), "kernel", "[1, 1, 2, 2]")
                .rejects("stride 0", pool2d(shape(1, 1, 4, 4), 2, 0, 0), "stride", "[1, 1, 4, 4]")
                .rejects("kernel size 0", pool2d(shape(1, 1, 4, 4), 0, 1, 0), "kernel size must be positive", "[1, 1, 4, 4]")
                .rejects("padding above half the kernel", pool2d(shape(1, 1, 4, 4), 2, 1, 2), "padding", "[1, 1, 4, 4]")
                .rejects("an input of rank 2", pool2d(shape(4, 4), 2, 1, 0), "must have rank 4", "[4, 4]");
    }

    static OpSpec maxPool(String name, int dims, Domain values, boolean dilation, boolean nans) {
        OpSpec spec = OpSpec.op(name).cases(poolCases(dims, values, dilation, nans, false))
                .scratch((c, x) -> Pooling.maxPool(x.get(0), poolSpec(c)))
                .reference((c, x) -> Ref.maxPool(x.get(0), c.get(KERNEL), c.get(STRIDE),
                        c.get(PADDING), c.get(DILATION), c.get(CEIL_MODE)));
        if (!name.equals("maxPool2d")) return spec;
        String unchecked = " (PyTorch rejects it, but DJL's max pool has no dilation, and the composed reference does not check it)";
        return poolRejections(spec)
                // padded input 2 + 2·1 = 4 against the dilated kernel 2·(3 − 1) + 1 = 5
                .rejects("a dilated kernel larger than the input padded on both sides",
                        pool2d(shape(1, 1, 2, 2), 3, 1, 1).with(DILATION, new int[] {2, 2}), "dilated size 5", "padded input (4)", "[1, 1, 2, 2]")
                .rejectsWhereTorchAccepts("dilation 0" + unchecked, pool2d(shape(1, 1, 4, 4), 2, 1, 0).with(DILATION, new int[] {0, 0}),
                        "dilation must be positive", "[1, 1, 4, 4]");
    }

    static OpSpec emptyWindows(int dims) {
        return OpSpec.op("maxPool" + dims + "d (dilated, empty windows)").cases(emptyWindowCases(dims))
                .scratch((c, x) -> Pooling.maxPool(x.get(0), poolSpec(c)))
                .reference((c, x) -> Ref.maxPool(x.get(0), c.get(KERNEL), c.get(STRIDE),
                        c.get(PADDING), c.get(DILATION), c.get(CEIL_MODE)))
                .noFiniteDifferences("an empty window's output is −∞ on both sides of a difference, so the quotient is NaN; "
                        + "the windows with taps inside the input have finite differences in the dilated specs");
    }

    static OpSpec avgPool(int dims) {
        OpSpec spec = OpSpec.op("avgPool" + dims + "d").cases(poolCases(dims, Domain.standard(), false, false, dims == 3))
                .scratch((c, x) -> Pooling.avgPool(x.get(0), poolSpec(c), c.get(COUNT_INCLUDE_PAD)))
                .reference((c, x) -> Ref.avgPool(x.get(0), c.get(KERNEL), c.get(STRIDE),
                        c.get(PADDING), c.get(CEIL_MODE), c.get(COUNT_INCLUDE_PAD)));
        if (dims == 3) {
            Case small = pool2d(shape(1, 1, 1, 1), 2, 1, 1).withInputs(List.of(zeros(shape(1, 1, 1, 1, 1))))
                    .with(KERNEL, new int[] {1, 1, 2})
                    .with(STRIDE, new int[] {1, 1, 1})
                    .with(PADDING, new int[] {0, 0, 1})
                    .with(DILATION, new int[] {1, 1, 1});
            spec.rejects("an input smaller than the kernel before padding (3-d only)", small, "smaller than kernel", "[1, 1, 1, 1, 1]");
        }
        return dims == 2 ? poolRejections(spec) : spec;
    }

    static OpSpec adaptiveAvgPool(int dims) {
        OpSpec spec = OpSpec.op("adaptiveAvgPool" + dims + "d")
                .cases(s -> {
                    int[] in = new int[dims], out = new int[dims];
                    for (int j = 0; j < dims; j++) {
                        in[j] = s.intBetween(1, dims == 3 ? 4 : 7);
                        out[j] = s.intBetween(1, dims == 3 ? 3 : 4);
                    }
                    Arr x = arr(s, concat(new int[] {s.intBetween(1, 2), s.intBetween(1, 3)}, in));
                    return new Case(List.of(x), Cases.cotangentSeed(s)).with(OUT_SIZE, out);
                })
                .scratch((c, x) -> Pooling.adaptiveAvgPool(x.get(0), c.get(OUT_SIZE)))
                .reference((c, x) -> Ref.adaptiveAvgPool(x.get(0), c.get(OUT_SIZE)));
        if (dims != 2) return spec;
        return spec
                .rejects("an input of rank 2", new Case(List.of(zeros(shape(4, 4))), 0).with(OUT_SIZE, new int[] {2, 2}), "must have rank 4", "[4, 4]")
                .rejectsWhereTorchAccepts("output size 0 (PyTorch returns an empty tensor, as pytorch/pytorch#70232 shows; scratch asks for a positive size)", new Case(List.of(zeros(shape(1, 1, 4, 4))), 0).with(OUT_SIZE, new int[] {2, 0}), "output size must be positive", "[2, 0]");
    }

    static OpSpec globalAvgPool(int dims) {
        return OpSpec.op("globalAvgPool" + dims + "d")
                .cases(s -> {
                    int[] in = new int[dims];
                    for (int j = 0; j < dims; j++) in[j] = s.intBetween(1, dims == 3 ? 3 : 5);
                    return new Case(List.of(arr(s, concat(new int[] {s.intBetween(1, 2), s.intBetween(1, 3)}, in))), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> Pooling.globalAvgPool(x.get(0)))
                .reference((c, x) -> Ref.globalAvgPool(x.get(0)));
    }

    @TestFactory
    Stream<DynamicTest> maxPooling() {
        String ties = "integer inputs make ties on purpose; a tie is a kink where finite differences are meaningless";
        return Parity.tests(
                maxPool("maxPool1d", 1, Domain.standard(), false, false),
                maxPool("maxPool2d", 2, Domain.standard(), false, false),
                maxPool("maxPool3d", 3, Domain.standard(), false, false),
                maxPool("maxPool1d (dilated)", 1, Domain.standard(), true, false),
                maxPool("maxPool2d (dilated)", 2, Domain.standard(), true, false),
                maxPool("maxPool3d (dilated)", 3, Domain.standard(), true, false),
                emptyWindows(1), emptyWindows(2), emptyWindows(3),
                maxPool("maxPool2d (ties)", 2, Domain.integers(-2, 2), false, false).noFiniteDifferences(ties),
                maxPool("maxPool1d (ties)", 1, Domain.integers(-2, 2), false, false).noFiniteDifferences(ties),
                maxPool("maxPool3d (ties)", 3, Domain.integers(-1, 1), false, false).noFiniteDifferences(ties),
                maxPool("maxPool1d (NaN)", 1, Domain.standard(), false, true).noFiniteDifferences("NaN inputs have no finite differences"),
                maxPool("maxPool2d (NaN)", 2, Domain.standard(), false, true).noFiniteDifferences("NaN inputs have no finite differences"),
                maxPool("maxPool3d (NaN)", 3, Domain.standard(), false, true).noFiniteDifferences("NaN inputs have no finite differences"));
    }

    @Test
    void maxPoolRoutesTheGradientToTheFirstMaximumOnTiesAndToTheLastNaN() {
        Pooling.Spec whole = Pooling.Spec.of(4);
        Tensor ties = Tensor.of(DType.F64, new double[] {1, 3, 3, 2}, 1, 1, 4);
        Tensor g = Autodiff.grad(t -> Pooling.maxPool(t, whole).sum(), ties);
        if (!Arrays.equals(g.toArray(), new double[] {0, 1, 0, 0})) throw new AssertionError("tie: gradient " + Arrays.toString(g.toArray()));
        Tensor nans = Tensor.of(DType.F64, new double[] {Double.NaN, 5, Double.NaN, 0}, 1, 1, 4);
        if (!Double.isNaN(Pooling.maxPool(nans, whole).item())) throw new AssertionError("NaN must propagate");
        Tensor gn = Autodiff.grad(t -> Pooling.maxPool(t, whole).sum(), nans);
        if (!Arrays.equals(gn.toArray(), new double[] {0, 0, 1, 0})) throw new AssertionError("NaN: gradient " + Arrays.toString(gn.toArray()));
    }

    @TestFactory
    Stream<DynamicTest> averagePooling() {
        return Parity.tests(avgPool(1), avgPool(2), avgPool(3),
                adaptiveAvgPool(1), adaptiveAvgPool(2), adaptiveAvgPool(3),
                globalAvgPool(1), globalAvgPool(2), globalAvgPool(3));
    }
}
