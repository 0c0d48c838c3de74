package zerotoml.parity.cnn;

import ai.djl.ndarray.types.DataType;
import java.util.List;
import org.junit.jupiter.api.Test;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Property;
import zerotoml.reference.Torch;
import zerotoml.scratch.cnn.ConvolutionArithmetic;
import zerotoml.scratch.cnn.TransposedConvolution;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * The output-size relationships 1-15 of Dumoulin &amp; Visin, "A guide to convolution arithmetic
 * for deep learning" (arXiv 1603.07285), as {@code scratch/cnn/ConvolutionArithmetic} computes
 * them, against the formulas, against scratch's ops and against the sizes PyTorch produces.
 */
class ConvolutionArithmeticParityTest {
    /**
     * One random (i, k, s, p, d) per axis, with sizes where the kernel does not fit as well. Half of
     * the cases are the paper's special arrangements, unit stride and dilation with no, half (k odd)
     * or full padding, so that Relationships 1–4 and 8–11 are checked at any case count (at 20
     * cases, mutation testing found them never reached: notes/MutationTesting.md).
     */
    record Sizes(int i, int k, int s, int p, int d) {}

    static final Gen<Sizes> SIZES = g -> {
        int i = g.intBetween(1, 12), k = g.intBetween(1, 6), s = g.intBetween(1, 4), p = g.intBetween(0, 3), d = g.intBetween(1, 3);
        return switch (g.intBetween(0, 5)) {
            case 0 -> new Sizes(i, k, 1, 0, 1);
            case 1 -> new Sizes(i, 2 * (k / 2) + 1, 1, k / 2, 1);
            case 2 -> new Sizes(i, k, 1, k - 1, 1);
            default -> new Sizes(i, k, s, p, d);
        };
    };

    static void same(String what, int expected, int actual, Sizes z) {
        if (expected != actual) throw new AssertionError(what + ": expected " + expected + " but got " + actual + " for " + z);
    }

    @Test
    void outputSizesFollowThePapersRelationshipsAndPyTorch() {
        Property.check("conv output sizes", SIZES, z -> {
            int i = z.i(), k = z.k(), s = z.s(), p = z.p(), d = z.d();
            int o = ConvolutionArithmetic.outputSize(i, k, s, p, p, d);
            same("Relationship 15", ConvolutionArithmetic.relationship15(i, k, s, p, d), o, z);
            if (d == 1) {
                same("Relationship 6", ConvolutionArithmetic.relationship6(i, k, s, p), o, z);
                if (p == 0) {
                    same("Relationship 5", ConvolutionArithmetic.relationship5(i, k, s), o, z);
                    same("Relationship 7 (pooling)", ConvolutionArithmetic.relationship7(i, k, s), o, z);
                }
                if (s == 1) same("Relationship 2", ConvolutionArithmetic.relationship2(i, k, p), o, z);
                if (s == 1 && p == 0) same("Relationship 1", ConvolutionArithmetic.relationship1(i, k), o, z);
                if (s == 1 && k % 2 == 1 && p == k / 2) same("Relationship 3", ConvolutionArithmetic.relationship3(i, k), o, z);
                if (s == 1 && p == k - 1) same("Relationship 4", ConvolutionArithmetic.relationship4(i, k), o, z);
            }
            // PyTorch's own answer: the shape of a real conv1d, or a rejection when the kernel does not fit
            Torch.Input x = new Torch.Input(new double[i], new int[] {1, 1, i}, false), w = new Torch.Input(new double[k], new int[] {1, 1, k}, false);
            int[] torchShape;
            try {
                torchShape = Torch.run(DataType.FLOAT64, List.of(x, w), xs -> Ref.conv(xs.get(0), xs.get(1), null,
                        new int[] {s}, new int[] {p}, new int[] {p}, new int[] {d}, 1), null).shape();
            } catch (RuntimeException e) {
                torchShape = null;
            }
            if (o >= 1) {
                if (torchShape == null) throw new AssertionError("PyTorch rejected a convolution with output size " + o + " for " + z);
                same("PyTorch's conv1d output size", torchShape[2], o, z);
            } else if (torchShape != null) {
                throw new AssertionError("PyTorch accepted a convolution whose output size is " + o + " for " + z);
            }
        });
    }

    @Test
    void transposedSizesFollowRelationships8To14AndReturnToTheInputSize() {
        Property.check("transposed output sizes", SIZES, z -> {
            int i = z.i(), k = z.k(), s = z.s(), p = z.p(), d = z.d();
            int o = ConvolutionArithmetic.outputSize(i, k, s, p, p, d);
            if (o < 1) return;
            // Relationship 14: with a = (i + 2p − k̂) mod s, the transposed convolution of an o-sized input returns to i
            int kHat = ConvolutionArithmetic.effectiveKernel(k, d);
            int a = ConvolutionArithmetic.outputPaddingFor(i, kHat, s, p);
            int back = ConvolutionArithmetic.transposedOutputSize(o, k, s, p, a, d);
            same("round trip through Relationship 14", i, back, z);
            if (d == 1) {
                same("Relationship 14", ConvolutionArithmetic.relationship14(o, k, s, p, a), back, z);
                if (a == 0) same("Relationship 13", ConvolutionArithmetic.relationship13(o, k, s, p), back, z);
                if (a == 0 && p == 0) same("Relationship 12", ConvolutionArithmetic.relationship12(o, k, s), back, z);
                if (s == 1) {
                    same("Relationship 9", ConvolutionArithmetic.relationship9(o, k, p), back, z);
                    if (p == 0) same("Relationship 8", ConvolutionArithmetic.relationship8(o, k), back, z);
                    if (k % 2 == 1 && p == k / 2) same("Relationship 10", ConvolutionArithmetic.relationship10(o, k), back, z);
                    if (p == k - 1) same("Relationship 11", ConvolutionArithmetic.relationship11(o, k), back, z);
                }
            }
            // scratch's op and the PyTorch-composed reference produce that size
            Tensor y = TransposedConvolution.convTranspose(Tensor.zeros(DType.F64, 1, 1, o), Tensor.zeros(DType.F64, 1, 1, k), null,
                    TransposedConvolution.Spec.of(1).stride(s).padding(p).outputPadding(a).dilation(d));
            same("scratch convTranspose1d", i, y.shape().dim(2), z);
            int[] ref = Torch.run(DataType.FLOAT64, List.of(new Torch.Input(new double[o], new int[] {1, 1, o}, false), new Torch.Input(new double[k], new int[] {1, 1, k}, false)),
                    xs -> Ref.convTranspose(xs.get(0), xs.get(1), null,
                            new int[] {s}, new int[] {p}, new int[] {a}, new int[] {d}, 1), null).shape();
            same("reference convTranspose1d", i, ref[2], z);
        });
    }

    @Test
    void halfPaddingRelationshipsAcceptEveryOddKernelAndRejectEveryEvenOne() {
        for (int k = 1; k <= 9; k += 2) {
            if (ConvolutionArithmetic.relationship3(7, k) != 7 || ConvolutionArithmetic.relationship10(7, k) != 7) throw new AssertionError("odd k " + k);
        }
        for (int k = 0; k <= 8; k += 2) {
            for (String r : List.of("relationship3", "relationship10")) {
                try {
                    int o = r.equals("relationship3") ? ConvolutionArithmetic.relationship3(7, k) : ConvolutionArithmetic.relationship10(7, k);
                    throw new AssertionError(r + " accepted the even kernel " + k + " (gave " + o + ")");
                } catch (IllegalArgumentException e) {
                    String want = r + ": half padding needs an odd kernel size k = 2n + 1, got k = " + k;
                    if (!want.equals(e.getMessage())) throw new AssertionError("message: " + e.getMessage());
                }
            }
        }
    }

    @Test
    void poolingSizesFollowRelationship7AndPyTorchsCeilMode() {
        Property.check("pool output sizes", s -> new Object[] {SIZES.draw(s), s.bool()}, v -> {
            Sizes z0 = (Sizes) v[0];
            boolean ceil = (Boolean) v[1];
            Sizes z = new Sizes(z0.i(), z0.k(), z0.s(), Math.min(z0.p(), z0.k() / 2), 1);
            int i = z.i(), k = z.k(), s = z.s(), p = z.p();
            int o = ConvolutionArithmetic.poolOutputSize(i, k, s, p, 1, ceil);
            if (!ceil && p == 0) same("Relationship 7", ConvolutionArithmetic.relationship7(i, k, s), o, z);
            int[] torchShape;
            try {
                torchShape = Torch.run(DataType.FLOAT64, List.of(new Torch.Input(new double[i], new int[] {1, 1, i}, false)),
                        xs -> Ref.maxPool(xs.get(0), new int[] {k}, new int[] {s}, new int[] {p}, new int[] {1}, ceil), null).shape();
            } catch (RuntimeException e) {
                torchShape = null;
            }
            if (o >= 1) {
                if (torchShape == null) throw new AssertionError("PyTorch rejected a max pool with output size " + o + " for " + z + ", ceil " + ceil);
                same("PyTorch's max_pool1d output size (ceil " + ceil + ")", torchShape[2], o, z);
            } else if (torchShape != null) {
                throw new AssertionError("PyTorch accepted a max pool whose output size is " + o + " for " + z);
            }
        });
    }
}
