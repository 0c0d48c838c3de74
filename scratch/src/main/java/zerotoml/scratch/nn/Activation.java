package zerotoml.scratch.nn;

import zerotoml.scratch.tensor.Activations;
import zerotoml.scratch.tensor.Tensor;

/**
 * The element-wise non-linearities a layer can name. {@link #apply} is an exhaustive switch, so a
 * constant added here without its function does not compile, and nothing silently falls back to
 * another activation.
 */
public enum Activation {
    RELU, GELU, GELU_TANH, SILU, MISH, TANH, SIGMOID;

    /** The activation applied element-wise. */
    public Tensor apply(Tensor x) {
        return switch (this) {
            case RELU -> Activations.relu(x);
            case GELU -> Activations.gelu(x);
            case GELU_TANH -> Activations.geluTanh(x);
            case SILU -> Activations.silu(x);
            case MISH -> Activations.mish(x);
            case TANH -> Activations.tanh(x);
            case SIGMOID -> Activations.sigmoid(x);
        };
    }
}
