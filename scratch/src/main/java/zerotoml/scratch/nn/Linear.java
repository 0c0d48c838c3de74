package zerotoml.scratch.nn;

import zerotoml.scratch.random.Rng;
import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.LinearAlgebra;
import zerotoml.scratch.tensor.Tensor;

/** A fully connected layer, {@code nn.Linear}: y = x Wᵀ + b over any leading axes, W in PyTorch's [out, in] layout. */
public final class Linear {
    private Linear() {}

    /** The weight and the (optional) bias. */
    public record Params(
            Tensor weight, // [out, in]
            Tensor bias // [out], or null
    ) {
        public Params {
            if (weight == null || weight.rank() != 2) {
                throw new IllegalArgumentException("linear: weight must be [out, in], got " + (weight == null ? "null" : weight.shape()));
            }
            if (bias != null && (bias.rank() != 1 || bias.shape().dim(0) != weight.shape().dim(0))) {
                throw new IllegalArgumentException("linear: bias must be [" + weight.shape().dim(0) + "], got " + bias.shape() + " (weight " + weight.shape() + ")");
            }
        }

        public int in() { return weight.shape().dim(1); }
        public int out() { return weight.shape().dim(0); }

        /** nn.Linear's default init: W and b ~ U(±1/√in) (Kaiming-uniform with a = √5); keys split 0 (weight) and 1 (bias). */
        public static Params init(Rng rng, DType dtype, int in, int out, boolean bias) {
            return new Params(Init.pytorchDefault(rng.split(0), dtype, out, in), bias ? Init.pytorchDefaultBias(rng.split(1), dtype, in, out) : null);
        }
    }

    // y = x Wᵀ + b
    /** y = x Wᵀ + b; x [..., in] → [..., out]. */
    public static Tensor linear(Tensor x, Params p) {
        return linear(x, p.weight(), p.bias());
    }

    /** y = x Wᵀ + b with the weight [out, in] and bias [out] (or null) given directly. */
    public static Tensor linear(Tensor x, Tensor w, Tensor b) {
        if (x == null || w == null) throw new IllegalArgumentException("linear: x and weight are required");
        if (x.rank() == 0 || w.rank() != 2 || x.shape().dim(-1) != w.shape().dim(1)) {
            throw new IllegalArgumentException("linear: x's last axis must match weight [out, in] (x " + x.shape() + ", weight " + w.shape() + ")");
        }
        if (b != null && (b.rank() != 1 || b.shape().dim(0) != w.shape().dim(0))) {
            throw new IllegalArgumentException("linear: bias must be [" + w.shape().dim(0) + "] (bias " + b.shape() + ", weight " + w.shape() + ")");
        }
        // y = einsum("...i,oi->...o", x, W): the fused kernel reads W transposed in place, no copies
        Tensor y = LinearAlgebra.linear(x, w);
        return b == null ? y : Arithmetic.add(y, b);
    }
}
