package zerotoml.scratch.transformer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import zerotoml.scratch.tensor.Tensor;
import zerotoml.scratch.transformer.Transformer.Config;
import zerotoml.scratch.transformer.Transformer.CrossLayer;
import zerotoml.scratch.transformer.Transformer.DecoderOnly;
import zerotoml.scratch.transformer.Transformer.EncoderDecoder;
import zerotoml.scratch.nn.Dropout;
import zerotoml.scratch.nn.LayerNorm;
import zerotoml.scratch.nn.Linear;
import zerotoml.scratch.transformer.Transformer.Layer;

/**
 * Autoregressive generation from a decoder-only {@link Transformer}, and decoding with the
 * encoder-decoder ("Attention Is All You Need",
 * Vaswani et al., arXiv 1706.03762, §3.1: "auto-regressive, consuming the previously generated
 * symbols as additional input when generating the next"), with a key-value cache.
 *
 * <p>The cache keeps every layer's keys and values, so each new token costs one position's
 * projections instead of the whole prefix's. Because every op computes each output row in the
 * same order whatever the number of rows, and masked keys contribute exact zeros, cached decoding
 * equals full recomputation bit for bit; a property test holds it to that.
 *
 * <p>Sampling: greedy (argmax, the first index on ties), or a draw from softmax(logits / T)
 * restricted to the k largest logits (k ≤ 0: all), from a seeded generator.
 */
public final class Generation {
    private Generation() {}

    /** One {@link Attention.KeyValue} per layer; empty before the first token. */
    public record Cache(List<Attention.KeyValue> layers) {
        public static final Cache EMPTY = new Cache(List.of());

        public Cache {
            layers = List.copyOf(layers);
        }

        /** How many positions are cached. */
        public int length() {
            return layers.isEmpty() ? 0 : layers.get(0).length();
        }
    }

    /** Logits for the new positions [B, T_new, vocab] and the extended cache. */
    public record Step(Tensor logits, Cache cache) {}

    /**
     * Runs ids [B·T_new] at positions {@code cache.length()} onwards through the decoder-only
     * model, reading earlier positions from the cache (no dropout: this is inference).
     */
    public static Step step(Config c, DecoderOnly p, Cache cache, int[] ids, int batch, int time) {
        int start = cache.length();
        Tensor x = Embeddings.embed(p.embedding(), c.positional(), ids, batch, time, start);
        List<Attention.KeyValue> next = new ArrayList<>();
        for (int l = 0; l < p.layers().size(); l++) {
            Layer layer = p.layers().get(l);
            // the same residual sublayers as Transformer.layer, with attention reading the cache
            Attention.Step self = cachedSelfAttention(c, layer.norm1(), layer.attention(), x, cache.layers().isEmpty() ? null : cache.layers().get(l));
            x = Transformer.residual(c.norm(), layer.norm2(), self.out(), y -> Transformer.feedForward(layer.ffn(), c.activation(), y), Dropout.OFF, 0);
            next.add(self.cache());
        }
        Tensor logits = Linear.linear(Transformer.finish(c, p.finalNorm(), x), p.head(), null);
        return new Step(logits, new Cache(next));
    }

    /**
     * The encoder-decoder's decoding state: per decoder layer, the self-attention keys and values of
     * the target positions so far, and the cross-attention keys and values of the encoder memory
     * (projected once); plus which source positions are real (null: none padded).
     */
    public record CrossCache(List<Attention.KeyValue> self, List<Attention.KeyValue> memory, boolean[] sourceValid, int batch) {
        public CrossCache {
            self = List.copyOf(self);
            memory = List.copyOf(memory);
        }

        /** How many target positions are cached. */
        public int length() {
            return self.isEmpty() ? 0 : self.get(0).length();
        }
    }

    /** Logits for the new target positions [B, T_new, vocab] and the extended cache. */
    public record CrossStep(Tensor logits, CrossCache cache) {}

    /** The cache before the first target token, for the encoder's memory [B, S, d] (from {@link Transformer#encode}). */
    public static CrossCache start(Config c, EncoderDecoder p, Tensor memory, boolean[] sourceValid) {
        int batch = memory.shape().dim(0), source = memory.shape().dim(1);
        if (sourceValid != null && sourceValid.length != batch * source) {
            throw new IllegalArgumentException("generation: sourceValid has " + sourceValid.length + " entries, memory " + memory.shape() + " needs " + batch * source);
        }
        List<Attention.KeyValue> mem = new ArrayList<>();
        for (CrossLayer layer : p.layers()) mem.add(Attention.memoryKeyValue(layer.crossAttention(), c.heads(), memory));
        return new CrossCache(List.of(), mem, sourceValid == null ? null : sourceValid.clone(), batch);
    }

    /**
     * Runs target ids [B·T_new] at positions {@code cache.length()} onwards through the decoder of
     * the encoder-decoder, reading earlier positions and the memory from the cache; equals
     * {@link Transformer#decode} over the whole target bit for bit (a property test holds it to that).
     */
    public static CrossStep step(Config c, EncoderDecoder p, CrossCache cache, int[] ids, int batch, int time) {
        if (batch != cache.batch()) throw new IllegalArgumentException("generation: batch " + batch + " but the cache holds " + cache.batch());
        int start = cache.length(), source = cache.memory().get(0).length();
        Attention.Mask memoryMask = cache.sourceValid() == null ? null : Attention.Mask.keyPadding(cache.sourceValid(), batch, time, source);
        Tensor x = Embeddings.embed(p.targetEmbedding(), c.positional(), ids, batch, time, start);
        List<Attention.KeyValue> next = new ArrayList<>();
        for (int l = 0; l < p.layers().size(); l++) {
            CrossLayer layer = p.layers().get(l);
            Attention.KeyValue mem = cache.memory().get(l);
            // the same residual sublayers as Transformer.crossLayer, with both attentions reading the cache
            Attention.Step self = cachedSelfAttention(c, layer.norm1(), layer.selfAttention(), x, cache.self().isEmpty() ? null : cache.self().get(l));
            Tensor h = Transformer.residual(c.norm(), layer.norm2(), self.out(),
                    y -> Attention.crossAttentionCached(layer.crossAttention(), c.heads(), y, mem, memoryMask), Dropout.OFF, 0);
            x = Transformer.residual(c.norm(), layer.norm3(), h, y -> Transformer.feedForward(layer.ffn(), c.activation(), y), Dropout.OFF, 0);
            next.add(self.cache());
        }
        Tensor logits = Linear.linear(Transformer.finish(c, p.finalNorm(), x), p.head(), null);
        return new CrossStep(logits, new CrossCache(next, cache.memory(), cache.sourceValid(), batch));
    }

    /** The residual sublayer around causal self-attention that reads and extends the cache: its output and the extended cache. */
    private static Attention.Step cachedSelfAttention(Config c, LayerNorm.Params norm, Attention.Params attention, Tensor x, Attention.KeyValue past) {
        Attention.KeyValue[] extended = new Attention.KeyValue[1];
        Tensor out = Transformer.residual(c.norm(), norm, x, y -> {
            Attention.Step s = Attention.selfAttentionCached(attention, c.heads(), y, past);
            extended[0] = s.cache();
            return s.out();
        }, Dropout.OFF, 0);
        return new Attention.Step(out, extended[0]);
    }

    /** How the next token is chosen from a row of logits. */
    public record Sampler(double temperature, int topK) {
        /** Always the most likely token. */
        public static final Sampler GREEDY = new Sampler(0, 0);

        public Sampler {
            // T = +∞ is no limit of softmax(l / T) here: a −∞ logit gives −∞/∞ = NaN weights (PyTorch's multinomial rejects them)
            if (!(temperature >= 0 && temperature < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("sampler: temperature must be finite and ≥ 0, got " + temperature);
            }
        }
    }

    // greedy: argmax_v logits[v] (first on ties)
    public static int greedy(double[] logits) {
        int best = 0;
        for (int v = 1; v < logits.length; v++) if (logits[v] > logits[best]) best = v;
        return best;
    }

    // p(v) ∝ exp(logits[v] / T) for v among the k largest logits, 0 elsewhere; one draw from p
    public static int sample(double[] logits, Sampler s, RandomGenerator rng) {
        if (s.temperature() == 0) return greedy(logits);
        double threshold = Double.NEGATIVE_INFINITY;
        if (s.topK() > 0 && s.topK() < logits.length) {
            double[] sorted = logits.clone();
            Arrays.sort(sorted);
            // keep logits ≥ the k-th largest (ties at the threshold are all kept, as torch.topk + masking would keep k of them)
            threshold = sorted[logits.length - s.topK()];
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) max = Math.max(max, l);
        double[] w = new double[logits.length];
        double total = 0;
        for (int v = 0; v < w.length; v++) {
            w[v] = logits[v] >= threshold ? Math.exp((logits[v] - max) / s.temperature()) : 0;
            total += w[v];
        }
        double u = rng.nextDouble() * total, acc = 0;
        for (int v = 0; v < w.length; v++) {
            acc += w[v];
            if (w[v] > 0 && u < acc) return v;
        }
        for (int v = w.length - 1; v >= 0; v--) if (w[v] > 0) return v;
        return greedy(logits);
    }

    /**
     * Extends each of B prompts [B·T₀] by {@code newTokens} tokens: the prompt in one cached step,
     * then one token per step. Returns [B·(T₀ + newTokens)] ids. Learned positions limit the total
     * length to maxLen; that is checked before any work.
     */
    public static int[] generate(Config c, DecoderOnly p, int[] prompt, int batch, int newTokens, Sampler s, long seed) {
        if (batch < 1 || prompt.length % batch != 0 || prompt.length == 0) {
            throw new IllegalArgumentException("generate: prompt of " + prompt.length + " ids does not split into " + batch + " non-empty sequences");
        }
        int t0 = prompt.length / batch, total = t0 + newTokens;
        if (c.positional() == Embeddings.Positional.LEARNED && total > c.maxLen()) {
            throw new IllegalArgumentException("generate: " + total + " positions exceed maxLen " + c.maxLen() + " of the learned position table");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int[] out = new int[batch * total];
        for (int b = 0; b < batch; b++) System.arraycopy(prompt, b * t0, out, b * total, t0);
        Step st = step(c, p, Cache.EMPTY, prompt, batch, t0);
        for (int t = t0; t < total; t++) {
            int[] next = new int[batch];
            double[] logits = st.logits().toArray();
            int v = c.vocab(), tl = st.logits().shape().dim(1);
            for (int b = 0; b < batch; b++) {
                double[] row = Arrays.copyOfRange(logits, (b * tl + tl - 1) * v, (b * tl + tl) * v);
                next[b] = sample(row, s, rng);
                out[b * total + t] = next[b];
            }
            if (t + 1 < total) st = step(c, p, st.cache(), next, batch, 1);
        }
        return out;
    }
}
