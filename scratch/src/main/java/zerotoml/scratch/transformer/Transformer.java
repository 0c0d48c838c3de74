package zerotoml.scratch.transformer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;
import zerotoml.scratch.nn.Dropout;
import zerotoml.scratch.nn.LayerNorm;
import zerotoml.scratch.nn.Linear;
import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Losses;
import zerotoml.scratch.tensor.Tensor;

/**
 * Attention Is All You Need (Vaswani et al., arXiv 1706.03762): an encoder stack, a decoder-only
 * (GPT) stack and the encoder-decoder, as pure static functions over params records.
 *
 * <p>A layer is a sequence of residual sublayers. Post-LN (the paper, §3.1) computes
 * {@code x ← LN(x + Dropout(Sublayer(x)))} and has no final LayerNorm (unlike
 * {@code nn.Transformer}, which always adds one). Pre-LN (GPT-2, minGPT) computes
 * {@code x ← x + Dropout(Sublayer(LN(x)))} and adds one final LayerNorm after the last layer.
 * Masks follow {@link Attention}'s polarity: {@code true} = may attend. The parts live in
 * {@link Attention}, {@link Embeddings} and {@link Generation}, over the shared layers of
 * {@code zerotoml.scratch.nn} ({@link Linear}, {@link LayerNorm}, {@link Dropout}, the sinusoidal encoding);
 * {@code notes/Transformer.md} maps every equation to its line.
 */
public final class Transformer {
    private Transformer() {}

    /** Residual arrangement. */
    public enum Norm { POST, PRE }

    /** The FFN's non-linearity: the paper's ReLU, exact GELU, or GPT's tanh-approximated GELU. */
    public enum Activation { RELU, GELU, GELU_TANH }

    /** Hyper-parameters, validated on construction. */
    public record Config(int vocab, int dModel, int heads, int dFf, int layers, int maxLen, Norm norm, Activation activation,
                         Embeddings.Positional positional) {
        public Config {
            if (vocab < 1 || dModel < 1 || heads < 1 || dFf < 1 || layers < 1 || maxLen < 1) {
                throw new IllegalArgumentException("transformer: vocab, dModel, heads, dFf, layers and maxLen must all be ≥ 1, got vocab " + vocab
                        + ", dModel " + dModel + ", heads " + heads + ", dFf " + dFf + ", layers " + layers + ", maxLen " + maxLen);
            }
            if (dModel % heads != 0) throw new IllegalArgumentException("transformer: dModel " + dModel + " is not divisible by heads " + heads);
            if (norm == null || activation == null || positional == null) throw new IllegalArgumentException("transformer: norm, activation and positional are required");
        }
    }

    // ------------------------------------------------------------------ feed-forward (Eq. 2)

    /** Position-wise feed-forward weights, in nn.Linear's [out, in] layout. */
    public record FeedForward(
            Tensor w1, // [dFf, d]
            Tensor b1, // [dFf]
            Tensor w2, // [d, dFf]
            Tensor b2 // [d]
    ) {
        static FeedForward init(DType dt, int d, int dFf, double std, double outStd, RandomGenerator rng) {
            return new FeedForward(Init.normal(dt, rng, std, dFf, d), Tensor.zeros(dt, dFf), Init.normal(dt, rng, outStd, d, dFf), Tensor.zeros(dt, d));
        }
    }

    /** The FFN's non-linearity: an exhaustive switch, so a new {@link Activation} without its function does not compile. */
    public static Tensor activate(Activation a, Tensor x) {
        if (a == null) throw new IllegalArgumentException("transformer: activation is null");
        return switch (a) {
            case RELU -> zerotoml.scratch.nn.Activation.RELU.apply(x);
            case GELU -> zerotoml.scratch.nn.Activation.GELU.apply(x);
            case GELU_TANH -> zerotoml.scratch.nn.Activation.GELU_TANH.apply(x);
        };
    }

    // FFN(x) = act(x W₁ᵀ + b₁) W₂ᵀ + b₂  (Eq. 2, with max(0, ·) = ReLU in the paper)
    public static Tensor feedForward(FeedForward p, Activation a, Tensor x) {
        return Linear.linear(activate(a, Linear.linear(x, p.w1(), p.b1())), p.w2(), p.b2());
    }

    // ------------------------------------------------------------------ layers

    /** An encoder layer, also the decoder-only (GPT) layer: self-attention, then FFN. */
    public record Layer(Attention.Params attention, LayerNorm.Params norm1, FeedForward ffn, LayerNorm.Params norm2) {}

    /** A decoder layer of the encoder-decoder: causal self-attention, cross-attention to the memory, FFN. */
    public record CrossLayer(Attention.Params selfAttention, LayerNorm.Params norm1, Attention.Params crossAttention, LayerNorm.Params norm2,
                             FeedForward ffn, LayerNorm.Params norm3) {}

    // POST: x ← LN(x + Dropout(F(x)));  PRE: x ← x + Dropout(F(LN(x)))
    public static Tensor residual(Norm norm, LayerNorm.Params ln, Tensor x, UnaryOperator<Tensor> f, Dropout dropout, int site) {
        if (norm == Norm.POST) return LayerNorm.layerNorm(Arithmetic.add(x, dropout.apply(f.apply(x), site)), ln);
        return Arithmetic.add(x, dropout.apply(f.apply(LayerNorm.layerNorm(x, ln)), site));
    }

    // x ← Residual(SelfAttention(·, mask));  x ← Residual(FFN)
    public static Tensor layer(Config c, Layer p, Tensor x, Attention.Mask mask, Dropout dropout, int site) {
        Tensor h = residual(c.norm(), p.norm1(), x, y -> Attention.selfAttention(p.attention(), c.heads(), y, mask), dropout, site);
        return residual(c.norm(), p.norm2(), h, y -> feedForward(p.ffn(), c.activation(), y), dropout, site + 1);
    }

    // x ← Residual(CausalSelfAttention);  x ← Residual(CrossAttention(·, memory));  x ← Residual(FFN)
    public static Tensor crossLayer(Config c, CrossLayer p, Tensor x, Tensor memory, Attention.Mask selfMask, Attention.Mask memoryMask,
                                    Dropout dropout, int site) {
        Tensor h = residual(c.norm(), p.norm1(), x, y -> Attention.selfAttention(p.selfAttention(), c.heads(), y, selfMask), dropout, site);
        h = residual(c.norm(), p.norm2(), h, y -> Attention.crossAttention(p.crossAttention(), c.heads(), y, memory, memoryMask), dropout, site + 1);
        return residual(c.norm(), p.norm3(), h, y -> feedForward(p.ffn(), c.activation(), y), dropout, site + 2);
    }

    /** The final LayerNorm of a pre-LN stack; post-LN stacks have none (finalNorm is null). */
    static Tensor finish(Config c, LayerNorm.Params finalNorm, Tensor x) {
        return c.norm() == Norm.PRE ? LayerNorm.layerNorm(x, finalNorm) : x;
    }

    // ------------------------------------------------------------------ models

    /** The encoder: embeddings, layers, and (pre-LN only) a final LayerNorm, else null. */
    public record Encoder(Embeddings.Params embedding, List<Layer> layers, LayerNorm.Params finalNorm) {}

    /** Decoder-only (GPT): embeddings, causal layers, final LayerNorm (pre-LN only), and the output projection. */
    public record DecoderOnly(Embeddings.Params embedding, List<Layer> layers, LayerNorm.Params finalNorm,
                              Tensor head // [vocab, d]
    ) {}

    /** Encoder-decoder: the encoder, the target embeddings, decoder layers, final LayerNorm (pre-LN only), output projection. */
    public record EncoderDecoder(Encoder encoder, Embeddings.Params targetEmbedding, List<CrossLayer> layers, LayerNorm.Params finalNorm,
                                 Tensor head // [vocab, d]
    ) {}

    /**
     * The encoder's output [B, S, d] for source ids [B·S]; {@code sourceValid} [B·S] marks real
     * tokens (true) against padding (false), or is null when nothing is padded.
     */
    public static Tensor encode(Config c, Encoder p, int[] ids, int batch, int time, boolean[] sourceValid, Dropout dropout) {
        Attention.Mask mask = sourceValid == null ? null : Attention.Mask.keyPadding(sourceValid, batch, time, time);
        // x₀ = Dropout(E[ids]·(√d) + PE)
        Tensor x = dropout.apply(Embeddings.embed(p.embedding(), c.positional(), ids, batch, time, 0), 0);
        for (int l = 0; l < p.layers().size(); l++) x = layer(c, p.layers().get(l), x, mask, dropout, 1 + 2 * l);
        return finish(c, p.finalNorm(), x);
    }

    /** Logits [B, T, vocab] of a decoder-only model for ids [B·T]; position t sees positions ≤ t only. */
    public static Tensor decoderOnly(Config c, DecoderOnly p, int[] ids, int batch, int time, Dropout dropout) {
        Attention.Mask causal = Attention.Mask.causal(batch, time, time);
        Tensor x = dropout.apply(Embeddings.embed(p.embedding(), c.positional(), ids, batch, time, 0), 0);
        for (int l = 0; l < p.layers().size(); l++) x = layer(c, p.layers().get(l), x, causal, dropout, 1 + 2 * l);
        // logits = LN_f(x) W_headᵀ
        return Linear.linear(finish(c, p.finalNorm(), x), p.head(), null);
    }

    /** Logits [B, T, vocab] of the encoder-decoder for source ids [B·S] (with optional padding) and target ids [B·T]. */
    public static Tensor encoderDecoder(Config c, EncoderDecoder p, int[] source, boolean[] sourceValid, int batch, int sourceTime,
                                        int[] target, int targetTime, Dropout dropout) {
        Tensor memory = encode(c, p.encoder(), source, batch, sourceTime, sourceValid, dropout);
        return decode(c, p, memory, sourceValid, target, batch, targetTime, dropout);
    }

    /** The decoder half of {@link #encoderDecoder}, given the encoder's memory [B, S, d]. */
    public static Tensor decode(Config c, EncoderDecoder p, Tensor memory, boolean[] sourceValid, int[] target, int batch, int targetTime, Dropout dropout) {
        int sourceTime = memory.shape().dim(1);
        Attention.Mask causal = Attention.Mask.causal(batch, targetTime, targetTime);
        Attention.Mask memoryMask = sourceValid == null ? null : Attention.Mask.keyPadding(sourceValid, batch, targetTime, sourceTime);
        int base = 1 + 2 * p.encoder().layers().size();
        Tensor x = dropout.apply(Embeddings.embed(p.targetEmbedding(), c.positional(), target, batch, targetTime, 0), base);
        for (int l = 0; l < p.layers().size(); l++) x = crossLayer(c, p.layers().get(l), x, memory, causal, memoryMask, dropout, base + 1 + 3 * l);
        return Linear.linear(finish(c, p.finalNorm(), x), p.head(), null);
    }

    // L = −mean_i log softmax(logitsᵢ)[targetᵢ]
    public static Tensor loss(Tensor logits, int[] targets) {
        return Losses.crossEntropy(logits, targets, Losses.Reduction.MEAN);
    }

    // ------------------------------------------------------------------ initialisation (minGPT's scheme)

    /**
     * minGPT's initialisation: every weight N(0, 0.02²), the residual output projections (W_O and
     * W₂) N(0, (0.02/√(2·layers))²), biases 0, LayerNorm γ = 1, β = 0.
     */
    public static Layer initLayer(Config c, DType dt, RandomGenerator rng) {
        double out = 0.02 / Math.sqrt(2.0 * c.layers());
        return new Layer(Attention.Params.init(dt, c.dModel(), 0.02, out, rng), LayerNorm.Params.init(dt, c.dModel()),
                FeedForward.init(dt, c.dModel(), c.dFf(), 0.02, out, rng), LayerNorm.Params.init(dt, c.dModel()));
    }

    public static CrossLayer initCrossLayer(Config c, DType dt, RandomGenerator rng) {
        double out = 0.02 / Math.sqrt(3.0 * c.layers());
        return new CrossLayer(Attention.Params.init(dt, c.dModel(), 0.02, out, rng), LayerNorm.Params.init(dt, c.dModel()),
                Attention.Params.init(dt, c.dModel(), 0.02, out, rng), LayerNorm.Params.init(dt, c.dModel()),
                FeedForward.init(dt, c.dModel(), c.dFf(), 0.02, out, rng), LayerNorm.Params.init(dt, c.dModel()));
    }

    private static LayerNorm.Params finalNorm(Config c, DType dt) {
        return c.norm() == Norm.PRE ? LayerNorm.Params.init(dt, c.dModel()) : null;
    }

    public static Encoder initEncoder(Config c, DType dt, long seed) {
        return initEncoder(c, dt, new SplittableRandom(seed));
    }

    static Encoder initEncoder(Config c, DType dt, RandomGenerator rng) {
        Embeddings.Params e = Embeddings.Params.init(dt, c.vocab(), c.dModel(), c.maxLen(), c.positional(), rng);
        List<Layer> ls = new ArrayList<>();
        for (int l = 0; l < c.layers(); l++) ls.add(initLayer(c, dt, rng));
        return new Encoder(e, List.copyOf(ls), finalNorm(c, dt));
    }

    public static DecoderOnly initDecoderOnly(Config c, DType dt, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Encoder body = initEncoder(c, dt, rng);
        return new DecoderOnly(body.embedding(), body.layers(), body.finalNorm(), Init.normal(dt, rng, 0.02, c.vocab(), c.dModel()));
    }

    public static EncoderDecoder initEncoderDecoder(Config c, DType dt, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Encoder enc = initEncoder(c, dt, rng);
        Embeddings.Params e = Embeddings.Params.init(dt, c.vocab(), c.dModel(), c.maxLen(), c.positional(), rng);
        List<CrossLayer> ls = new ArrayList<>();
        for (int l = 0; l < c.layers(); l++) ls.add(initCrossLayer(c, dt, rng));
        return new EncoderDecoder(enc, e, List.copyOf(ls), finalNorm(c, dt), Init.normal(dt, rng, 0.02, c.vocab(), c.dModel()));
    }
}
