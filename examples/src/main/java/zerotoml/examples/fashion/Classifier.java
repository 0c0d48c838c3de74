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

    /** The penultimate features (the input of the last linear layer) for images x [B, rows·cols]. */
    public Tensor features(Tensor x) {
        return mlp != null ? mlp.features(x) : cnn.features(x);
    }

    /** The logits from penultimate features (the last linear layer alone). */
    public Tensor head(Tensor features) {
        return mlp != null ? features.matmul(mlp.w2()).add(mlp.b2()) : features.matmul(cnn.fw()).add(cnn.fb());
    }
}
