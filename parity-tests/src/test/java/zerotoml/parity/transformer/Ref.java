package zerotoml.parity.transformer;

import ai.djl.ndarray.NDArray;
import java.util.Iterator;
import zerotoml.reference.transformer.Attention;
import zerotoml.reference.transformer.Embeddings;
import zerotoml.reference.transformer.Transformer;
import zerotoml.scratch.transformer.Embeddings.Positional;
import zerotoml.scratch.transformer.Transformer.Activation;
import zerotoml.scratch.transformer.Transformer.Config;

/**
 * The reference's transformer (PyTorch through DJL) under one short name, so that the parity tests
 * name scratch's classes simply ({@code Attention.multiHead} is scratch, {@code Ref.multiHead} is
 * PyTorch). The two sides share class names on purpose (DESIGN.md: the packages mirror each
 * other); this is where they meet. The functions take scratch's config and enums and the
 * parameters as the case's arrays in {@code Autodiff.Params#tensors} order, and build the
 * reference's twin records from them.
 */
final class Ref {
    private Ref() {}

    /** The reference's twin of a scratch config. */
    static Transformer.Config config(Config c) {
        return new Transformer.Config(c.vocab(), c.dModel(), c.heads(), c.dFf(), c.layers(), c.maxLen(),
                Transformer.Norm.valueOf(c.norm().name()), Transformer.Activation.valueOf(c.activation().name()),
                Embeddings.Positional.valueOf(c.positional().name()));
    }

    // Embeddings
    static NDArray embed(NDArray tokens, NDArray positions, Positional positional, NDArray ids) {
        return Embeddings.embed(new Embeddings.Params(tokens, positions), Embeddings.Positional.valueOf(positional.name()), ids);
    }

    // Attention
    static NDArray mask(NDArray zeroOne) { return Attention.mask(zeroOne); }
    static NDArray weights(NDArray q, NDArray k, NDArray allowed) { return Attention.weights(q, k, allowed); }
    static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, NDArray allowed) { return Attention.scaledDotProduct(q, k, v, allowed); }

    static NDArray multiHead(Iterator<NDArray> params, int heads, NDArray xq, NDArray xkv, NDArray allowed) {
        return Attention.multiHead(Attention.Params.from(params), heads, xq, xkv, allowed);
    }

    // Transformer
    static NDArray feedForward(NDArray w1, NDArray b1, NDArray w2, NDArray b2, Activation activation, NDArray x) {
        return Transformer.feedForward(new Transformer.FeedForward(w1, b1, w2, b2), Transformer.Activation.valueOf(activation.name()), x);
    }

    static NDArray layer(Config c, Iterator<NDArray> params, NDArray x, NDArray allowed) {
        return Transformer.layer(config(c), Transformer.Layer.from(params), x, allowed);
    }

    static NDArray crossLayer(Config c, Iterator<NDArray> params, NDArray x, NDArray memory, NDArray selfAllowed, NDArray memoryAllowed) {
        return Transformer.crossLayer(config(c), Transformer.CrossLayer.from(params), x, memory, selfAllowed, memoryAllowed);
    }

    static NDArray encode(Config c, Iterator<NDArray> params, NDArray ids, NDArray sourceValid) {
        Transformer.Config rc = config(c);
        return Transformer.encode(rc, Transformer.Encoder.from(params, rc), ids, sourceValid);
    }

    static NDArray decoderOnly(Config c, Iterator<NDArray> params, NDArray ids) {
        Transformer.Config rc = config(c);
        return Transformer.decoderOnly(rc, Transformer.DecoderOnly.from(params, rc), ids);
    }

    static NDArray encoderDecoder(Config c, Iterator<NDArray> params, NDArray source, NDArray sourceValid, NDArray target) {
        Transformer.Config rc = config(c);
        return Transformer.encoderDecoder(rc, Transformer.EncoderDecoder.from(params, rc), source, sourceValid, target);
    }

    static NDArray loss(NDArray logits, NDArray targets) { return Transformer.loss(logits, targets); }
}
