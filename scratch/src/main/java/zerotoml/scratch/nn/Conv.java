package zerotoml.scratch.nn;

import zerotoml.scratch.cnn.Convolution;
import zerotoml.scratch.cnn.TransposedConvolution;
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * N-d convolution and transposed-convolution layers, {@code nn.ConvNd} and {@code nn.ConvTransposeNd}:
 * a params record with PyTorch's weight layout and default init over the ops in
 * {@code zerotoml.scratch.cnn} (which hold the arithmetic: stride, padding, dilation, groups).
 */
public final class Conv {
    private Conv() {}

    /** Weight and (optional) bias of a convolution or a transposed convolution. */
    public record Params(
            Tensor weight, // conv: [C_out, C_in/groups, k…];  transposed: [C_in, C_out/groups, k…]
            Tensor bias // [C_out], or null
    ) {
        public Params {
            if (weight == null || weight.rank() < 3) {
                throw new IllegalArgumentException("conv: weight must have rank ≥ 3 [channels, channels/groups, kernel…], got " + (weight == null ? "null" : weight.shape()));
            }
            if (bias != null && bias.rank() != 1) throw new IllegalArgumentException("conv: bias must be [C_out], got " + bias.shape() + " (weight " + weight.shape() + ")");
        }

        /**
         * nn.ConvNd's default init: W [C_out, C_in/groups, k…] and b [C_out] ~ U(±1/√fan_in),
         * fan_in = C_in/groups · Πk (Kaiming-uniform with a = √5); keys split 0 and 1.
         */
        public static Params init(Rng rng, DType dtype, int cIn, int cOut, int groups, boolean bias, int... kernel) {
            int[] shape = shape("conv", cOut, cIn, groups, kernel);
            return new Params(Init.pytorchDefault(rng.split(0), dtype, shape),
                    bias ? Init.pytorchDefaultBias(rng.split(1), dtype, Init.fanIn(shape), cOut) : null);
        }

        /**
         * nn.ConvTransposeNd's default init: W [C_in, C_out/groups, k…] and b [C_out] ~ U(±1/√fan_in),
         * where PyTorch's fan_in is computed from that weight's shape, C_out/groups · Πk.
         */
        public static Params initTransposed(Rng rng, DType dtype, int cIn, int cOut, int groups, boolean bias, int... kernel) {
            int[] shape = shape("convTranspose", cIn, cOut, groups, kernel);
            return new Params(Init.pytorchDefault(rng.split(0), dtype, shape),
                    bias ? Init.pytorchDefaultBias(rng.split(1), dtype, Init.fanIn(shape), cOut) : null);
        }

        private static int[] shape(String op, int first, int perGroup, int groups, int[] kernel) {
            if (groups < 1 || perGroup % groups != 0 || first % groups != 0) {
                throw new IllegalArgumentException(op + ": channels " + first + " and " + perGroup + " must both be divisible by groups " + groups);
            }
            if (kernel == null || kernel.length == 0) throw new IllegalArgumentException(op + ": needs a kernel size per spatial axis");
            int[] s = new int[kernel.length + 2];
            s[0] = first;
            s[1] = perGroup / groups;
            System.arraycopy(kernel, 0, s, 2, kernel.length);
            return s;
        }
    }

    // y = W ⋆ x + b
    /** The convolution layer: x [N, C_in, i…] → [N, C_out, o…]. */
    public static Tensor conv(Tensor x, Params p, Convolution.Spec spec) {
        return Convolution.conv(x, p.weight(), p.bias(), spec);
    }

    // y = Wᵀ ⋆ x + b  (the gradient of a convolution with respect to its input)
    /** The transposed-convolution layer: x [N, C_in, i…] → [N, C_out, o…]. */
    public static Tensor convTranspose(Tensor x, Params p, TransposedConvolution.Spec spec) {
        return TransposedConvolution.convTranspose(x, p.weight(), p.bias(), spec);
    }
}
