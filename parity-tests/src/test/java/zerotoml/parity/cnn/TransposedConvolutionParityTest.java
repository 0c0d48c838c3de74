package zerotoml.parity.cnn;

import static zerotoml.parity.cnn.ConvCases.CONV_CASES;
import static zerotoml.parity.cnn.ConvCases.DILATION;
import static zerotoml.parity.cnn.ConvCases.GROUPS;
import static zerotoml.parity.cnn.ConvCases.OUTPUT_PADDING;
import static zerotoml.parity.cnn.ConvCases.PADDING;
import static zerotoml.parity.cnn.ConvCases.STRIDE;
import static zerotoml.parity.cnn.ConvCases.arr;
import static zerotoml.parity.cnn.ConvCases.close;
import static zerotoml.parity.cnn.ConvCases.concat;
import static zerotoml.parity.cnn.ConvCases.maxKernel;
import static zerotoml.parity.cnn.ConvCases.randomLike;
import static zerotoml.parity.cnn.ConvCases.shape;
import static zerotoml.parity.cnn.ConvCases.zeros;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
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
import zerotoml.reference.Torch;
import zerotoml.scratch.cnn.Convolution;
import zerotoml.scratch.cnn.TransposedConvolution;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Shape;
import zerotoml.scratch.tensor.Tensor;

/**
 * Transposed convolution ({@code scratch/cnn/TransposedConvolution}) in 1, 2 and 3 spatial
 * dimensions against PyTorch (Dumoulin &amp; Visin, arXiv 1603.07285, section 4): forward and gradients,
 * finite differences, bad inputs; and its identities: it is the gradient of convolution with
 * respect to the input and convolution's adjoint (in scratch), and the reference's zero-insertion
 * form equals PyTorch autograd's gradient of conv.
 */
class TransposedConvolutionParityTest {
    /** convTranspose: stride 1..3, padding up to 3 (beyond d(k − 1) it crops), output padding below max(s, d), dilation 1..3, groups. */
    static Gen<Case> transposedCases(int dims) {
        return s -> {
            int n = s.intBetween(1, 2), g = s.pick(1, 2, 3), cInG = s.intBetween(1, 2), cOutG = s.intBetween(1, 2);
            int[] k = new int[dims], st = new int[dims], d = new int[dims], p = new int[dims], a = new int[dims], in = new int[dims];
            for (int j = 0; j < dims; j++) {
                k[j] = s.intBetween(1, maxKernel(dims));
                st[j] = s.intBetween(1, 3);
                d[j] = s.intBetween(1, dims == 3 ? 2 : 3);
                a[j] = s.intBetween(0, Math.max(st[j], d[j]) - 1);
                in[j] = s.intBetween(1, dims == 3 ? 2 : 3);
                int room = st[j] * (in[j] - 1) + d[j] * (k[j] - 1) + a[j];
                p[j] = s.intBetween(0, Math.min(3, room / 2));
            }
            List<Arr> xs = new ArrayList<>();
            xs.add(arr(s, concat(new int[] {n, g * cInG}, in)));
            xs.add(arr(s, concat(new int[] {g * cInG, cOutG}, k)));
            if (s.bool()) xs.add(arr(s, new int[] {g * cOutG}));
            return new Case(xs, Cases.cotangentSeed(s))
                    .with(STRIDE, st)
                    .with(PADDING, p)
                    .with(OUTPUT_PADDING, a)
                    .with(DILATION, d)
                    .with(GROUPS, g);
        };
    }

    static Case convT2d(int[] x, int[] w, int stride, int pad, int outPad, int dilation, int groups) {
        return new Case(List.of(zeros(x), zeros(w)), 0)
                .with(STRIDE, new int[] {stride, stride})
                .with(PADDING, new int[] {pad, pad})
                .with(OUTPUT_PADDING, new int[] {outPad, outPad})
                .with(DILATION, new int[] {dilation, dilation})
                .with(GROUPS, groups);
    }

    static OpSpec convTranspose(int dims) {
        OpSpec spec = OpSpec.op("convTranspose" + dims + "d").cases(transposedCases(dims))
                .scratch((c, x) -> TransposedConvolution.convTranspose(x.get(0), x.get(1), x.size() > 2 ? x.get(2) : null,
                        TransposedConvolution.Spec.of(dims).stride(c.get(STRIDE)).padding(c.get(PADDING))
                                .outputPadding(c.get(OUTPUT_PADDING)).dilation(c.get(DILATION)).groups(c.get(GROUPS))))
                .reference((c, x) -> Ref.convTranspose(x.get(0), x.get(1), x.size() > 2 ? x.get(2) : null,
                        c.get(STRIDE), c.get(PADDING), c.get(OUTPUT_PADDING), c.get(DILATION), c.get(GROUPS)));
        if (dims != 2) return spec;
        String unreachable = " (PyTorch's conv_transpose rejects it, but DJL cannot call conv_transpose, and the composed reference does not check it)";
        return spec
                .rejectsWhereTorchAccepts("output padding equal to stride and dilation" + unreachable, convT2d(shape(1, 1, 3, 3), shape(1, 1, 3, 3), 2, 0, 2, 1, 1), "output padding", "[1, 1, 3, 3]")
                .rejectsWhereTorchAccepts("output padding above stride and dilation" + unreachable, convT2d(shape(1, 1, 3, 3), shape(1, 1, 3, 3), 1, 0, 1, 1, 1), "output padding")
                .rejectsWhereTorchAccepts("stride 0" + unreachable, convT2d(shape(1, 1, 3, 3), shape(1, 1, 3, 3), 0, 0, 0, 1, 1), "stride")
                .rejects("dilation 0", convT2d(shape(1, 1, 3, 3), shape(1, 1, 3, 3), 1, 0, 0, 0, 1), "dilation")
                .rejects("input channels not divisible by groups", convT2d(shape(1, 3, 3, 3), shape(3, 1, 3, 3), 1, 0, 0, 1, 2), "groups", "[1, 3, 3, 3]")
                .rejectsWhereTorchAccepts("padding that leaves no output" + unreachable, convT2d(shape(1, 1, 1, 1), shape(1, 1, 1, 1), 1, 1, 0, 1, 1), "output size")
                .rejects("groups 0", convT2d(shape(1, 1, 3, 3), shape(1, 1, 3, 3), 1, 0, 0, 1, 0), "groups must be positive, got 0", "[1, 1, 3, 3]")
                .rejects("an input of rank 2", convT2d(shape(3, 3), shape(1, 1, 3, 3), 1, 0, 0, 1, 1), "input must have rank 4", "[3, 3]")
                .rejects("a weight of rank 3", convT2d(shape(1, 1, 3, 3), shape(1, 1, 3), 1, 0, 0, 1, 1), "weight must have rank 4", "[1, 1, 3]");
    }

    @Test
    void stretchRejectsAFactorOfZeroAndATensorWhoseRankDoesNotFitTheFactors() {
        Tensor t = Tensor.zeros(DType.F64, 1, 1, 3, 3);
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> TransposedConvolution.stretch(t, 2, 0));
        assertTrue(zero.getMessage().startsWith("stretch: factor must be positive, got [2, 0]"), zero.getMessage());
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class, () -> TransposedConvolution.stretch(t, 2));
        assertTrue(rank.getMessage().contains("needs rank 3 for 1 factors"), rank.getMessage());
        // factor 1 on every axis is the identity, 2 puts one zero between neighbours
        assertEquals(t, TransposedConvolution.stretch(t, 1, 1));
        Tensor row = Tensor.of(DType.F64, new double[] {1, 2, 3}, 1, 1, 3);
        assertArrayEquals(new double[] {1, 0, 2, 0, 3}, TransposedConvolution.stretch(row, 2).toArray());
    }

    @TestFactory
    Stream<DynamicTest> transposedConvolution() {
        return Parity.tests(convTranspose(1), convTranspose(2), convTranspose(3));
    }

    @Test
    void transposedConvolutionEqualsTheGradientOfConvolutionWithRespectToItsInput() {
        Property.check("convT == d conv / dx", CONV_CASES, c -> {
            Tensor y = Convolution.conv(c.x(), c.w(), null, c.spec());
            Tensor g = randomLike(y.shape(), 7);
            Tensor gx = Autodiff.vjp(xs -> Convolution.conv(xs.get(0), c.w(), null, c.spec()), List.of(c.x()), g).get(0);
            Tensor t = TransposedConvolution.convTranspose(g, c.w(), null, c.transposed());
            close("convTranspose(g, w)", gx, t, c);
        });
    }

    @Test
    void convolutionAndTransposedConvolutionAreAdjoint() {
        Property.check("<conv x, y> == <x, convT y>", CONV_CASES, c -> {
            Tensor cx = Convolution.conv(c.x(), c.w(), null, c.spec());
            Tensor y = randomLike(cx.shape(), 11);
            Tensor ty = TransposedConvolution.convTranspose(y, c.w(), null, c.transposed());
            double left = cx.mul(y).sum().item(), right = c.x().mul(ty).sum().item();
            if (Math.abs(left - right) > 1e-10 * (1 + Math.abs(left))) {
                throw new AssertionError("<conv(x), y> = " + left + " but <x, convT(y)> = " + right + " for " + c);
            }
        });
    }

    /**
     * The reference's zero-insertion transposed convolution against PyTorch's own definition of
     * it: autograd's gradient of conv with respect to its input, for the same geometry.
     */
    @Test
    void referenceTransposedConvolutionEqualsPyTorchsGradientOfConvolution() {
        Property.check("reference convT == PyTorch d conv / dx", CONV_CASES, c -> {
            int dims = c.dims();
            int[] pad = c.pad(), a = c.transposed().outputPadding();
            int[] oShape = Convolution.conv(c.x(), c.w(), null, c.spec()).shape().dims();
            double[] g = randomLike(Shape.of(oShape), 3).toArray();
            Torch.Input x = new Torch.Input(c.x().toArray(), c.x().shape().dims(), true);
            Torch.Input w = new Torch.Input(c.w().toArray(), c.w().shape().dims(), false);
            double[] autograd = Torch.run(DataType.FLOAT64, List.of(x, w), xs -> Ref.conv(xs.get(0), xs.get(1), null,
                    c.stride(), pad, pad, c.dilation(), c.groups()), shape -> g).grads().get(0);
            Torch.Result t = Torch.run(DataType.FLOAT64, List.of(new Torch.Input(g, oShape, false), w), xs -> Ref.convTranspose(
                    xs.get(0), xs.get(1), null, c.stride(), pad, a, c.dilation(), c.groups()), null);
            if (!Arrays.equals(t.shape(), c.x().shape().dims())) throw new AssertionError("shape " + Arrays.toString(t.shape()) + " for " + c);
            for (int i = 0; i < autograd.length; i++) {
                if (Math.abs(autograd[i] - t.output()[i]) > 1e-12 * (1 + Math.abs(autograd[i]))) {
                    throw new AssertionError("element " + i + ": composed " + t.output()[i] + ", autograd " + autograd[i] + " for " + c + " (" + dims + "-d)");
                }
            }
        });
    }
}
