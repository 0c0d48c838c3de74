package zerotoml.reference.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;

/**
 * Activations on PyTorch. Each is one ATen op through DJL's {@link Activation} (so PyTorch's own
 * backward applies), except the tanh approximation of GELU, which DJL lacks: it is composed from
 * NDArray ops exactly as torch.nn.functional.gelu documents {@code approximate='tanh'}.
 */
public final class Activations {
    private Activations() {}

    public static NDArray tanh(NDArray x) { return Activation.tanh(x); }
    public static NDArray sigmoid(NDArray x) { return Activation.sigmoid(x); }
    public static NDArray relu(NDArray x) { return Activation.relu(x); }

    /** torch.nn.functional.gelu(x), the exact erf form (DJL.md §1.1). */
    public static NDArray gelu(NDArray x) { return Activation.gelu(x); }

    /**
     * torch.nn.functional.gelu(x, approximate='tanh'), written as its documentation states it:
     * GELU(x) = 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))).
     */
    public static NDArray geluTanh(NDArray x) {
        NDArray inner = x.add(x.pow(num(x, 3)).mul(num(x, 0.044715))).mul(num(x, Math.sqrt(2 / Math.PI)));
        return x.mul(num(x, 0.5)).mul(inner.tanh().add(num(x, 1)));
    }

    /** torch.nn.functional.softplus(x) with its defaults beta 1, threshold 20 (DJL's torchNNSoftPlus). */
    public static NDArray softplus(NDArray x) { return Activation.softPlus(x); }

    /** F.silu(x) = x · σ(x): DJL's swish with β = 1 (composed from PyTorch ops, DJL.md §1.1). */
    public static NDArray silu(NDArray x) { return Activation.swish(x, 1f); }

    /**
     * F.mish(x) = x · tanh(softplus(x)), composed with PyTorch's softplus. Not DJL's
     * {@link Activation#mish}: DJL 0.36 computes {@code x · tanh(log2(1 + eˣ))}, a base-2 logarithm
     * where Mish has the natural one (mish(−1) comes out −0.4235 instead of −0.3034); the parity test
     * found it.
     */
    public static NDArray mish(NDArray x) { return x.mul(Activation.softPlus(x).tanh()); }

    /** torch.erf. */
    public static NDArray erf(NDArray x) { return x.erf(); }

    /** A scalar in x's dtype: a float for FLOAT32 arrays, so that nothing promotes to float64 (DJL.md §1.1). */
    static Number num(NDArray x, double v) {
        return x.getDataType() == DataType.FLOAT32 ? (Number) (float) v : (Number) v;
    }
}
