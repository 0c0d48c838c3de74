package zerotoml.parity.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.function.UnaryOperator;
import zerotoml.reference.cnn.Convolution;
import zerotoml.reference.cnn.TransposedConvolution;
import zerotoml.reference.nn.GroupNorm;
import zerotoml.reference.nn.LayerNorm;
import zerotoml.reference.nn.Linear;
import zerotoml.reference.nn.Mlp;
import zerotoml.reference.nn.Sinusoidal;
import zerotoml.reference.tensor.Activations;
import zerotoml.reference.transformer.Embeddings;
import zerotoml.reference.transformer.Transformer;

/**
 * The reference's layers (PyTorch through DJL) under one short name, so that the parity tests name
 * scratch's classes simply ({@code Linear.linear} is scratch, {@code Ref.linear} is PyTorch). The
 * two sides share class names on purpose (DESIGN.md: the packages mirror each other); this is where
 * they meet.
 */
final class Ref {
    private Ref() {}

    // Convolution
    static NDArray conv(NDArray x, NDArray w, NDArray bias, int[] stride, int[] padLo, int[] padHi, int[] dilation, int groups) {
        return Convolution.conv(x, w, bias, stride, padLo, padHi, dilation, groups);
    }

    // TransposedConvolution
    static NDArray convTranspose(NDArray x, NDArray w, NDArray bias, int[] stride, int[] padding, int[] outputPadding, int[] dilation, int groups) {
        return TransposedConvolution.convTranspose(x, w, bias, stride, padding, outputPadding, dilation, groups);
    }

    // GroupNorm
    static NDArray groupNorm(NDArray x, int groups, NDArray gamma, NDArray beta) { return GroupNorm.groupNorm(x, groups, gamma, beta); }

    // LayerNorm
    static NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta) { return LayerNorm.layerNorm(x, new LayerNorm.Params(gamma, beta)); }

    // Dropout (the reference's is the transformer's: x · keep / (1 − p))
    static NDArray dropout(NDArray x, NDArray keep, double p) { return Transformer.dropout(x, keep, p); }

    // Linear
    static NDArray linear(NDArray x, NDArray w, NDArray b) { return Linear.linear(x, w, b); }

    // Mlp
    static NDArray mlp(NDArray x, List<NDArray> weightsAndBiases, UnaryOperator<NDArray> activation) {
        return Mlp.mlp(x, weightsAndBiases, activation);
    }

    // Sinusoidal
    static NDArray timestep(NDArray t, int dim, boolean flipSinToCos, double downscaleFreqShift, double maxPeriod) {
        return Sinusoidal.timestep(t, dim, flipSinToCos, downscaleFreqShift, maxPeriod);
    }

    /** The transformer's sinusoidal positional encoding [len, d] (the reference keeps it with the embeddings). */
    static NDArray positional(NDManager m, DataType dt, long len, long d) { return Embeddings.sinusoidal(m, dt, len, d); }

    // Activations
    static NDArray silu(NDArray x) { return Activations.silu(x); }
    static NDArray tanh(NDArray x) { return Activations.tanh(x); }
}
