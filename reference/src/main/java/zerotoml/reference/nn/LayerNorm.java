package zerotoml.reference.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Iterator;

/**
 * Layer Normalization (Ba, Kiros and Hinton, arXiv 1607.06450) through DJL's functional
 * {@code LayerNorm.layerNorm}, which calls ATen's layer_norm: biased variance, ε = 1e-5.
 */
public final class LayerNorm {
    private LayerNorm() {}

    public static final float EPS = 1e-5f;

    public record Params(
            NDArray gamma, // [d]
            NDArray beta // [d]
    ) {
        public static Params from(Iterator<NDArray> it) {
            return new Params(it.next(), it.next());
        }
    }

    // F.layer_norm(x, [d], γ, β, 1e-5)
    public static NDArray layerNorm(NDArray x, Params p) {
        Shape normalized = new Shape(p.gamma().getShape().get(0));
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, normalized, p.gamma(), p.beta(), EPS).singletonOrThrow();
    }
}
