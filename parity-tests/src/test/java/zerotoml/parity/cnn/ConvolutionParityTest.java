package zerotoml.parity.cnn;

import static zerotoml.parity.cnn.ConvCases.CONV_CASES;
import static zerotoml.parity.cnn.ConvCases.DILATION;
import static zerotoml.parity.cnn.ConvCases.GROUPS;
import static zerotoml.parity.cnn.ConvCases.MODE;
import static zerotoml.parity.cnn.ConvCases.PAD_HI;
import static zerotoml.parity.cnn.ConvCases.PAD_LO;
import static zerotoml.parity.cnn.ConvCases.STRIDE;
import static zerotoml.parity.cnn.ConvCases.arr;
import static zerotoml.parity.cnn.ConvCases.close;
import static zerotoml.parity.cnn.ConvCases.concat;
import static zerotoml.parity.cnn.ConvCases.maxKernel;
import static zerotoml.parity.cnn.ConvCases.randomLike;
import static zerotoml.parity.cnn.ConvCases.shape;
import static zerotoml.parity.cnn.ConvCases.spare;
import static zerotoml.parity.cnn.ConvCases.zeros;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Property;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.cnn.Convolution;
import zerotoml.scratch.cnn.TransposedConvolution;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.Shape;
import zerotoml.scratch.tensor.Tensor;

/**
 * Convolution ({@code scratch/cnn/Convolution}) in 1, 2 and 3 spatial dimensions against PyTorch
 * (Dumoulin &amp; Visin, "A guide to convolution arithmetic for deep learning", arXiv 1603.07285):
 * forward and gradients in f32 and f64, finite differences, bad inputs; and, in scratch alone,
 * dilation as a zero-dilated kernel.
 */
class ConvolutionParityTest {
    /** conv: groups 1..3 (depthwise when 1 channel per group), kernel up to the padded input, stride above kernel, dilation 1..3, padding explicit (asymmetric too), valid, same or full. */
    static Gen<Case> convCases(int dims) {
        return s -> {
            int n = s.intBetween(1, 2), g = s.pick(1, 2, 3), cInG = s.intBetween(1, 2), cOutG = s.intBetween(1, 2);
            String mode = s.pick("explicit", "valid", "same", "full");
            int[] k = new int[dims], st = new int[dims], d = new int[dims], lo = new int[dims], hi = new int[dims], in = new int[dims];
            boolean symmetric = s.bool();
            for (int j = 0; j < dims; j++) {
                k[j] = s.intBetween(1, maxKernel(dims));
                d[j] = s.intBetween(1, 3);
                st[j] = mode.equals("same") ? 1 : s.intBetween(1, 4);
                int[] p = switch (mode) {
                    case "valid" -> new int[] {0, 0};
                    case "same" -> new int[] {d[j] * (k[j] - 1) / 2, d[j] * (k[j] - 1) - d[j] * (k[j] - 1) / 2};
                    case "full" -> new int[] {d[j] * (k[j] - 1), d[j] * (k[j] - 1)};
                    default -> {
                        int a = s.intBetween(0, 2);
                        yield new int[] {a, symmetric ? a : s.intBetween(0, 2)};
                    }
                };
                lo[j] = p[0];
                hi[j] = p[1];
                int kHat = d[j] * (k[j] - 1) + 1;
                in[j] = Math.max(1, kHat - lo[j] - hi[j]) + s.intBetween(0, spare(dims));
            }
            boolean bias = s.bool();
            List<Arr> xs = new ArrayList<>();
            xs.add(arr(s, concat(new int[] {n, g * cInG}, in)));
            xs.add(arr(s, concat(new int[] {g * cOutG, cInG}, k)));
            if (bias) xs.add(arr(s, new int[] {g * cOutG}));
            return new Case(xs, Cases.cotangentSeed(s))
                    .with(MODE, mode)
                    .with(STRIDE, st)
                    .with(PAD_LO, lo)
                    .with(PAD_HI, hi)
                    .with(DILATION, d)
                    .with(GROUPS, g);
        };
    }

    static Tensor scratchConv(Case c, List<Tensor> x) {
        int[] st = c.get(STRIDE);
        Convolution.Spec spec = Convolution.Spec.of(st.length).stride(st).dilation(c.get(DILATION)).groups(c.get(GROUPS));
        spec = switch (c.get(MODE)) {
            case "valid" -> spec.padding(Convolution.Padding.VALID);
            case "same" -> spec.padding(Convolution.Padding.SAME);
            case "full" -> spec.padding(Convolution.Padding.FULL);
            default -> spec.padding(c.get(PAD_LO), c.get(PAD_HI));
        };
        return Convolution.conv(x.get(0), x.get(1), x.size() > 2 ? x.get(2) : null, spec);
    }

    /** The reference chooses its own padding: PyTorch's 'same' rule, d(k − 1) for 'full', 0 for 'valid'. */
    static NDArray referenceConv(Case c, List<NDArray> x) {
        int[] st = c.get(STRIDE), d = c.get(DILATION), lo = c.get(PAD_LO), hi = c.get(PAD_HI);
        int dims = st.length;
        long[] ws = x.get(1).getShape().getShape();
        int[] k = new int[dims];
        for (int j = 0; j < dims; j++) k[j] = (int) ws[2 + j];
        switch (c.get(MODE)) {
            case "valid" -> {
                lo = new int[dims];
                hi = new int[dims];
            }
            case "same" -> {
                int[][] p = Ref.samePadding(k, d);
                lo = p[0];
                hi = p[1];
            }
            case "full" -> {
                lo = new int[dims];
                for (int j = 0; j < dims; j++) lo[j] = d[j] * (k[j] - 1);
                hi = lo;
            }
            default -> { }
        }
        return Ref.conv(x.get(0), x.get(1), x.size() > 2 ? x.get(2) : null, st, lo, hi, d, c.get(GROUPS));
    }

    /** A conv2d case with explicit symmetric arguments, for rejections. */
    static Case conv2d(int[] x, int[] w, int stride, int pad, int dilation, int groups) {
        return new Case(List.of(zeros(x), zeros(w)), 0)
                .with(MODE, "explicit")
                .with(STRIDE, new int[] {stride, stride})
                .with(PAD_LO, new int[] {pad, pad})
                .with(PAD_HI, new int[] {pad, pad})
                .with(DILATION, new int[] {dilation, dilation})
                .with(GROUPS, groups);
    }

    static OpSpec conv(int dims) {
        OpSpec spec = OpSpec.op("conv" + dims + "d").cases(convCases(dims))
                .scratch(ConvolutionParityTest::scratchConv)
                .reference(ConvolutionParityTest::referenceConv);
        if (dims != 2) return spec;
        return spec
                .rejects("a kernel larger than the padded input", conv2d(shape(1, 1, 2, 2), shape(1, 1, 3, 3), 1, 0, 1, 1), "kernel", "[1, 1, 2, 2]", "[1, 1, 3, 3]")
                .rejects("a dilated kernel larger than the padded input", conv2d(shape(1, 1, 4, 4), shape(1, 1, 3, 3), 1, 0, 2, 1), "kernel", "[1, 1, 4, 4]")
                .rejects("stride 0", conv2d(shape(1, 1, 4, 4), shape(1, 1, 3, 3), 0, 0, 1, 1), "stride")
                .rejects("dilation 0", conv2d(shape(1, 1, 4, 4), shape(1, 1, 3, 3), 1, 0, 0, 1), "dilation")
                .rejects("negative padding", conv2d(shape(1, 1, 4, 4), shape(1, 1, 3, 3), 1, -1, 1, 1), "padding")
                .rejects("input channels not divisible by groups", conv2d(shape(1, 3, 4, 4), shape(2, 1, 3, 3), 1, 0, 1, 2), "groups", "[1, 3, 4, 4]")
                .rejects("output channels not divisible by groups", conv2d(shape(1, 4, 4, 4), shape(3, 2, 3, 3), 1, 0, 1, 2), "groups", "[3, 2, 3, 3]")
                .rejects("input channels that do not match the weight", conv2d(shape(1, 3, 4, 4), shape(2, 4, 3, 3), 1, 0, 1, 1), "channels", "[1, 3, 4, 4]", "[2, 4, 3, 3]")
                .rejects("input channels that do not match the weight's channels per group times the groups",
                        conv2d(shape(1, 4, 4, 4), shape(2, 1, 3, 3), 1, 0, 1, 2), "input has 4 channels but weight expects 2 (1 per group x 2 groups)")
                .rejects("groups 0", conv2d(shape(1, 1, 4, 4), shape(1, 1, 3, 3), 1, 0, 1, 0), "groups must be positive, got 0", "[1, 1, 4, 4]")
                // padded input 1 + 1 + 1 = 3 against the kernel 5
                .rejects("a kernel larger than the input padded on both sides", conv2d(shape(1, 1, 1, 1), shape(1, 1, 5, 5), 1, 1, 1, 1),
                        "dilated size 5", "padded input (3)", "[1, 1, 1, 1]")
                .rejectsWhereTorchAccepts("one padding entry for two spatial axes (PyTorch repeats a one-entry list on every axis; scratch asks for one entry per axis)",
                        conv2d(shape(1, 1, 4, 4), shape(1, 1, 3, 3), 1, 0, 1, 1).with(PAD_LO, new int[] {0}).with(PAD_HI, new int[] {0}),
                        "one entry per spatial axis (2)")
                .rejects("an input of rank 2", conv2d(shape(4, 4), shape(1, 1, 3, 3), 1, 0, 1, 1), "input must have rank 4", "[4, 4]")
                .rejects("a weight of rank 3", conv2d(shape(1, 1, 4, 4), shape(1, 1, 3), 1, 0, 1, 1), "weight must have rank 4", "[1, 1, 3]");
    }

    @TestFactory
    Stream<DynamicTest> convolution() {
        return Parity.tests(conv(1), conv(2), conv(3));
    }

    @Test
    void theOverloadWithOneNumberPerHyperParameterIsTheSpecWithThatNumberOnEveryAxis() {
        for (int dims = 1; dims <= 3; dims++) {
            int[] in = new int[dims], two = new int[dims], one = new int[dims];
            Arrays.fill(in, 5);
            Arrays.fill(two, 2);
            Arrays.fill(one, 1);
            Tensor x = randomLike(Shape.of(concat(new int[] {2, 4}, in)), dims), w = randomLike(Shape.of(concat(new int[] {6, 2}, two)), 10 + dims);
            Tensor b = randomLike(Shape.of(6), 20 + dims);
            Convolution.Spec spec = Convolution.Spec.of(dims).stride(two).padding(one).dilation(two).groups(2);
            Tensor expected = Convolution.conv(x, w, b, spec);
            close("conv(x, w, b, 2, 1, 2, 2) in " + dims + "-d", expected, Convolution.conv(x, w, b, 2, 1, 2, 2), spec);
        }
    }

    @Test
    void dilatedConvolutionEqualsConvolutionWithAZeroDilatedKernel() {
        Property.check("dilated conv == conv with stretched kernel", CONV_CASES, c -> {
            Convolution.Spec plain = Convolution.Spec.of(c.dims()).stride(c.stride()).padding(c.pad()).groups(c.groups());
            Tensor dilated = Convolution.conv(c.x(), c.w(), null, c.spec());
            Tensor stretched = Convolution.conv(c.x(), TransposedConvolution.stretch(c.w(), c.dilation()), null, plain);
            close("conv with the zero-dilated kernel", dilated, stretched, c);
            Tensor g = randomLike(dilated.shape(), 5);
            List<Tensor> a = Autodiff.vjp(xs -> Convolution.conv(xs.get(0), xs.get(1), null, c.spec()), List.of(c.x(), c.w()), g);
            List<Tensor> b = Autodiff.vjp(xs -> Convolution.conv(xs.get(0), TransposedConvolution.stretch(xs.get(1), c.dilation()), null, plain), List.of(c.x(), c.w()), g);
            close("input gradient", a.get(0), b.get(0), c);
            close("weight gradient", a.get(1), b.get(1), c);
        });
    }
}
