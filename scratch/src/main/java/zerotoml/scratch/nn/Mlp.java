package zerotoml.scratch.nn;

import java.util.ArrayList;
import java.util.List;
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/** A multi-layer perceptron: Linear layers with an activation between them (none after the last). */
public final class Mlp {
    private Mlp() {}

    /** The layers, first to last; each one's {@code in} is the previous one's {@code out}. */
    public record Params(List<Linear.Params> layers) {
        public Params {
            if (layers == null || layers.isEmpty()) throw new IllegalArgumentException("mlp: needs at least one layer");
            layers = List.copyOf(layers);
            for (int i = 1; i < layers.size(); i++) {
                if (layers.get(i).in() != layers.get(i - 1).out()) {
                    throw new IllegalArgumentException("mlp: layer " + i + " takes " + layers.get(i).in() + " inputs but layer " + (i - 1)
                            + " gives " + layers.get(i - 1).out() + " (weights " + layers.get(i - 1).weight().shape() + ", " + layers.get(i).weight().shape() + ")");
                }
            }
        }

        /** Layers of widths sizes[0] → sizes[1] → … with biases and nn.Linear's default init; layer i uses key rng.split(i). */
        public static Params init(Rng rng, DType dtype, int... sizes) {
            if (sizes == null || sizes.length < 2) throw new IllegalArgumentException("mlp: needs at least an input and an output width, got " + java.util.Arrays.toString(sizes));
            List<Linear.Params> ls = new ArrayList<>();
            for (int i = 0; i + 1 < sizes.length; i++) ls.add(Linear.Params.init(rng.split(i), dtype, sizes[i], sizes[i + 1], true));
            return new Params(ls);
        }
    }

    // h₀ = x;  hᵢ = act(hᵢ₋₁ Wᵢᵀ + bᵢ) for i < L;  y = h_{L−1} W_Lᵀ + b_L
    /** The MLP applied to x [..., in]. */
    public static Tensor mlp(Tensor x, Params p, Activation activation) {
        if (activation == null) throw new IllegalArgumentException("mlp: activation is null");
        Tensor h = x;
        for (int i = 0; i < p.layers().size(); i++) {
            h = Linear.linear(h, p.layers().get(i));
            if (i + 1 < p.layers().size()) h = activation.apply(h);
        }
        return h;
    }
}
