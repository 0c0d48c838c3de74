package zerotoml.parity.random;

import ai.djl.ndarray.NDArray;
import zerotoml.reference.random.Distributions;

/**
 * The reference's distributions (PyTorch through DJL) under one short name, so that the parity tests
 * name scratch's classes simply ({@code Distributions.gaussianLogProb} is scratch,
 * {@code Ref.gaussianLogProb} is PyTorch). The two sides share class names on purpose (DESIGN.md:
 * the packages mirror each other); this is where they meet.
 */
final class Ref {
    private Ref() {}

    // Distributions
    static NDArray categoricalEntropy(NDArray logits) { return Distributions.categoricalEntropy(logits); }
    static NDArray categoricalLogProb(NDArray logits, NDArray actions) { return Distributions.categoricalLogProb(logits, actions); }
    static NDArray gaussianEntropy(NDArray mean, NDArray logStd) { return Distributions.gaussianEntropy(mean, logStd); }
    static NDArray gaussianLogProb(NDArray x, NDArray mean, NDArray logStd) { return Distributions.gaussianLogProb(x, mean, logStd); }
    static NDArray gaussianSample(NDArray mean, NDArray logStd, NDArray eps) { return Distributions.gaussianSample(mean, logStd, eps); }
}
