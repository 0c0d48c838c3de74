package zerotoml.reference.nn;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.function.UnaryOperator;

/** An nn.Sequential of nn.Linear layers with an activation between them, none after the last. */
public final class Mlp {
    private Mlp() {}

    /** {@code weightsAndBiases} = [W₁, b₁, W₂, b₂, …]. */
    public static NDArray mlp(NDArray x, List<NDArray> weightsAndBiases, UnaryOperator<NDArray> activation) {
        NDArray h = x;
        int layers = weightsAndBiases.size() / 2;
        for (int i = 0; i < layers; i++) {
            h = Linear.linear(h, weightsAndBiases.get(2 * i), weightsAndBiases.get(2 * i + 1));
            if (i + 1 < layers) h = activation.apply(h);
        }
        return h;
    }
}
