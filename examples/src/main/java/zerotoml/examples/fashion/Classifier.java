package zerotoml.examples.fashion;

import zerotoml.scratch.tensor.Tensor;

/**
 * The params record the trainer works with: exactly one of the models is present (the other is
 * null, which params walking and checkpoints skip), so one Adam state and one checkpoint format
 * serve both.
 */
public record Classifier(Mlp mlp, Cnn cnn) {
    public Classifier {
        if ((mlp == null) == (cnn == null)) throw new IllegalArgumentException("Classifier: exactly one of mlp and cnn must be given");
    }

    public Tensor logits(Tensor x) {
        return mlp != null ? mlp.logits(x) : cnn.logits(x);
    }
}
