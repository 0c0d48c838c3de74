package zerotoml.reference.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.UnaryOperator;
import zerotoml.reference.nn.LayerNorm;
import zerotoml.reference.tensor.Activations;
import zerotoml.reference.tensor.Losses;

/**
 * Attention Is All You Need (Vaswani et al., arXiv 1706.03762) on PyTorch through DJL, composed
 * from NDArray ops, DJL's functional Linear and LayerNorm, and the lookup weight[ids], with the same params
 * layout as the scratch twin (every weight [out, in] as in nn.Linear). Post-LN:
 * {@code x ← LN(x + F(x))}, no final LN; pre-LN: {@code x ← x + F(LN(x))} plus a final LN.
 * Dropout is not modelled: parity runs with dropout off. Masks are BOOLEAN, {@code true} = may attend.
 */
public final class Transformer {
    private Transformer() {}

    public enum Norm { POST, PRE }

    public enum Activation { RELU, GELU, GELU_TANH }

    public record Config(int vocab, int dModel, int heads, int dFf, int layers, int maxLen, Norm norm, Activation activation,
                         Embeddings.Positional positional) {}

    public record FeedForward(NDArray w1, NDArray b1, NDArray w2, NDArray b2) {
        public static FeedForward from(Iterator<NDArray> it) {
            return new FeedForward(it.next(), it.next(), it.next(), it.next());
        }
    }

    public record Layer(Attention.Params attention, LayerNorm.Params norm1, FeedForward ffn, LayerNorm.Params norm2) {
        public static Layer from(Iterator<NDArray> it) {
            return new Layer(Attention.Params.from(it), LayerNorm.Params.from(it), FeedForward.from(it), LayerNorm.Params.from(it));
        }
    }

    public record CrossLayer(Attention.Params selfAttention, LayerNorm.Params norm1, Attention.Params crossAttention, LayerNorm.Params norm2,
                             FeedForward ffn, LayerNorm.Params norm3) {
        public static CrossLayer from(Iterator<NDArray> it) {
            return new CrossLayer(Attention.Params.from(it), LayerNorm.Params.from(it), Attention.Params.from(it), LayerNorm.Params.from(it),
                    FeedForward.from(it), LayerNorm.Params.from(it));
        }
    }

    public record Encoder(Embeddings.Params embedding, List<Layer> layers, LayerNorm.Params finalNorm) {
        /** Reads the parameters in the scratch record's component order. */
        public static Encoder from(Iterator<NDArray> it, Config c) {
            Embeddings.Params e = Embeddings.Params.from(it, c.positional());
            List<Layer> ls = new ArrayList<>();
            for (int l = 0; l < c.layers(); l++) ls.add(Layer.from(it));
            return new Encoder(e, ls, c.norm() == Norm.PRE ? LayerNorm.Params.from(it) : null);
        }
    }

    public record DecoderOnly(Embeddings.Params embedding, List<Layer> layers, LayerNorm.Params finalNorm, NDArray head) {
        public static DecoderOnly from(Iterator<NDArray> it, Config c) {
            Encoder body = Encoder.from(it, c);
            return new DecoderOnly(body.embedding(), body.layers(), body.finalNorm(), it.next());
        }
    }

    public record EncoderDecoder(Encoder encoder, Embeddings.Params targetEmbedding, List<CrossLayer> layers, LayerNorm.Params finalNorm, NDArray head) {
        public static EncoderDecoder from(Iterator<NDArray> it, Config c) {
            Encoder enc = Encoder.from(it, c);
            Embeddings.Params e = Embeddings.Params.from(it, c.positional());
            List<CrossLayer> ls = new ArrayList<>();
            for (int l = 0; l < c.layers(); l++) ls.add(CrossLayer.from(it));
            LayerNorm.Params fin = c.norm() == Norm.PRE ? LayerNorm.Params.from(it) : null;
            return new EncoderDecoder(enc, e, ls, fin, it.next());
        }
    }

    /** x · keep / (1 − p) with a given 0/1 keep-mask: F.dropout's training-mode value for that mask (DJL's dropout takes no mask). */
    public static NDArray dropout(NDArray x, NDArray keep, double p) {
        return x.mul(keep).mul(Attention.num(x, 1 / (1 - p)));
    }

    public static NDArray linear(NDArray x, NDArray w, NDArray b) {
        return (b == null ? Linear.linear(x, w) : Linear.linear(x, w, b)).singletonOrThrow();
    }

    public static NDArray activate(Activation a, NDArray x) {
        switch (a) {
            case RELU: return Activations.relu(x);
            case GELU: return Activations.gelu(x);
            default: return Activations.geluTanh(x);
        }
    }

    // F.linear(act(F.linear(x, W₁, b₁)), W₂, b₂)
    public static NDArray feedForward(FeedForward p, Activation a, NDArray x) {
        return linear(activate(a, linear(x, p.w1(), p.b1())), p.w2(), p.b2());
    }

    public static NDArray residual(Norm norm, LayerNorm.Params ln, NDArray x, UnaryOperator<NDArray> f) {
        if (norm == Norm.POST) return LayerNorm.layerNorm(x.add(f.apply(x)), ln);
        return x.add(f.apply(LayerNorm.layerNorm(x, ln)));
    }

    public static NDArray layer(Config c, Layer p, NDArray x, NDArray allowed) {
        NDArray h = residual(c.norm(), p.norm1(), x, y -> Attention.multiHead(p.attention(), c.heads(), y, y, allowed));
        return residual(c.norm(), p.norm2(), h, y -> feedForward(p.ffn(), c.activation(), y));
    }

    public static NDArray crossLayer(Config c, CrossLayer p, NDArray x, NDArray memory, NDArray selfAllowed, NDArray memoryAllowed) {
        NDArray h = residual(c.norm(), p.norm1(), x, y -> Attention.multiHead(p.selfAttention(), c.heads(), y, y, selfAllowed));
        h = residual(c.norm(), p.norm2(), h, y -> Attention.multiHead(p.crossAttention(), c.heads(), y, memory, memoryAllowed));
        return residual(c.norm(), p.norm3(), h, y -> feedForward(p.ffn(), c.activation(), y));
    }

    static NDArray finish(Config c, LayerNorm.Params fin, NDArray x) {
        return c.norm() == Norm.PRE ? LayerNorm.layerNorm(x, fin) : x;
    }

    /** Key padding [B, S] (BOOLEAN, true = real token) as a [B, T_q, S] mask. */
    public static NDArray keyPadding(NDArray valid, long queries) {
        long b = valid.getShape().get(0), s = valid.getShape().get(1);
        return valid.expandDims(1).broadcast(new ai.djl.ndarray.types.Shape(b, queries, s));
    }

    /** ids [B, S] (whole numbers), sourceValid [B, S] BOOLEAN or null. */
    public static NDArray encode(Config c, Encoder p, NDArray ids, NDArray sourceValid) {
        NDArray allowed = sourceValid == null ? null : keyPadding(sourceValid, ids.getShape().get(1));
        NDArray x = Embeddings.embed(p.embedding(), c.positional(), ids);
        for (Layer l : p.layers()) x = layer(c, l, x, allowed);
        return finish(c, p.finalNorm(), x);
    }

    public static NDArray decoderOnly(Config c, DecoderOnly p, NDArray ids) {
        long b = ids.getShape().get(0), t = ids.getShape().get(1);
        NDArray causal = Attention.causal(ids.getManager(), b, t, t);
        NDArray x = Embeddings.embed(p.embedding(), c.positional(), ids);
        for (Layer l : p.layers()) x = layer(c, l, x, causal);
        return linear(finish(c, p.finalNorm(), x), p.head(), null);
    }

    public static NDArray encoderDecoder(Config c, EncoderDecoder p, NDArray source, NDArray sourceValid, NDArray target) {
        NDArray memory = encode(c, p.encoder(), source, sourceValid);
        long b = target.getShape().get(0), t = target.getShape().get(1);
        NDArray causal = Attention.causal(target.getManager(), b, t, t);
        NDArray memoryAllowed = sourceValid == null ? null : keyPadding(sourceValid, t);
        NDArray x = Embeddings.embed(p.targetEmbedding(), c.positional(), target);
        for (CrossLayer l : p.layers()) x = crossLayer(c, l, x, memory, causal, memoryAllowed);
        return linear(finish(c, p.finalNorm(), x), p.head(), null);
    }

    /** F.cross_entropy(logits.view(-1, V), targets.view(-1)). */
    public static NDArray loss(NDArray logits, NDArray targets) {
        return Losses.crossEntropy(logits, targets, true);
    }
}
