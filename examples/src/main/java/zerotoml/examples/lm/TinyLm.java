package zerotoml.examples.lm;

import zerotoml.scratch.nn.Dropout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import zerotoml.examples.kit.Loop;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.optim.AdamW;
import zerotoml.scratch.optim.Clipping;
import zerotoml.scratch.optim.Schedule;
import zerotoml.scratch.optim.Step;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;
import zerotoml.scratch.transformer.Bpe;
import zerotoml.scratch.transformer.CharTokenizer;
import zerotoml.scratch.transformer.Embeddings;
import zerotoml.scratch.transformer.Generation;
import zerotoml.scratch.transformer.Transformer;
import zerotoml.scratch.transformer.Transformer.DecoderOnly;

/**
 * Training a decoder-only language model as pure functions: {@link #step} maps params and AdamW's
 * state to those one step later. Step t's batch and dropout masks depend only on (seed, t), so a
 * run resumed from a checkpoint (the kit's {@link Loop}) continues bit for bit as if it had never
 * stopped.
 */
public final class TinyLm {
    private TinyLm() {}

    /** A tokenizer as the trainer sees it: ids, text, and how many UTF-8 bytes each id stands for. */
    public interface Tokenizer {
        int[] encode(String text);

        String decode(int[] ids);

        int vocabSize();

        /** UTF-8 bytes of token id (for bits per byte). */
        int bytes(int id);

        /** Character level: the vocabulary is the corpus's code points, sorted. */
        static Tokenizer chars(String corpus) {
            CharTokenizer t = CharTokenizer.fit(corpus);
            int[] cps = t.vocabulary();
            int[] bytes = new int[cps.length];
            for (int i = 0; i < cps.length; i++) bytes[i] = new String(Character.toChars(cps[i])).getBytes(StandardCharsets.UTF_8).length;
            return new Tokenizer() {
                public int[] encode(String s) { return t.encode(s); }
                public String decode(int[] ids) { return t.decode(ids); }
                public int vocabSize() { return cps.length; }
                public int bytes(int id) { return bytes[id]; }
            };
        }

        /** Byte-level BPE (Sennrich et al., arXiv 1508.07909) trained on {@code corpus} up to {@code vocab} ids. */
        static Tokenizer bpe(String corpus, int vocab) {
            Bpe t = Bpe.train(corpus, vocab);
            int[] bytes = new int[t.vocabSize()];
            for (int i = 0; i < bytes.length; i++) bytes[i] = t.tokenBytes(i).length;
            return new Tokenizer() {
                public int[] encode(String s) { return t.encode(s); }
                public String decode(int[] ids) { return t.decode(ids); }
                public int vocabSize() { return bytes.length; }
                public int bytes(int id) { return bytes[id]; }
            };
        }
    }

    /** The text's first 90% of code points (training) and the rest (validation). */
    public static String[] split(String corpus) {
        // split at 90% of the code points: train = the first 90%, validation = the rest
        int cps = corpus.codePointCount(0, corpus.length());
        int cut = corpus.offsetByCodePoints(0, (int) (0.9 * cps));
        return new String[] {corpus.substring(0, cut), corpus.substring(cut)};
    }

    /** Everything that decides a run's numbers. */
    public record Config(Transformer.Config model, int batchSize, int steps, double lr, boolean cosine, int warmup, double weightDecay,
                         double gradClip, double dropout, int evalBatches, long seed) {
        public Config {
            if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be ≥ 1, got " + batchSize);
            if (steps < 1) throw new IllegalArgumentException("--steps must be ≥ 1, got " + steps);
            if (!(lr > 0)) throw new IllegalArgumentException("--lr must be > 0, got " + lr);
            if (warmup < 0) throw new IllegalArgumentException("--warmup must be ≥ 0, got " + warmup);
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("--weight-decay must be ≥ 0, got " + weightDecay);
            if (!(gradClip >= 0)) throw new IllegalArgumentException("--grad-clip must be ≥ 0 (0 = off), got " + gradClip);
            if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("--dropout must be in [0, 1), got " + dropout);
            if (evalBatches < 1) throw new IllegalArgumentException("--eval-batches must be ≥ 1, got " + evalBatches);
        }

        /** Tokens per training window (the model's learned positions). */
        public int context() {
            return model.maxLen();
        }

        /** Linear warm-up to lr over --warmup steps, then constant, or cosine down to lr/10 at the last step (scratch's schedules). */
        // γₜ = γ (t+1)/W during warm-up; then constant γ, or cosine from γ down to γ/10 at the last step
        public Schedule schedule() {
            return new Schedule.Warmup(lr, warmup, cosine ? new Schedule.Cosine(lr, Math.max(1, steps - warmup), lr / 10) : new Schedule.Constant(lr));
        }

        String describe() {
            Transformer.Config m = model;
            return String.format(Locale.ROOT, "vocab=%d layers=%d heads=%d dModel=%d dFf=%d context=%d batchSize=%d lr=%s schedule=%s warmup=%d"
                            + " weightDecay=%s gradClip=%s dropout=%s evalBatches=%d seed=%d", m.vocab(), m.layers(), m.heads(), m.dModel(), m.dFf(),
                    m.maxLen(), batchSize, lr, cosine ? "cosine(" + steps + " steps)" : "constant", warmup, weightDecay, gradClip, dropout, evalBatches, seed);
        }
    }

    /** One evaluation: at step, the mean training loss since the last one, validation loss and bits per byte. */
    public record Eval(int step, double trainLoss, double valLoss, double valBitsPerByte, double seconds) {}

    /** The initial params: GPT-2's N(0, 0.02²) initialisation from the seed. */
    public static DecoderOnly init(Config c) {
        return Transformer.initDecoderOnly(c.model(), DType.F32, c.seed());
    }

    /** The seed of step t's random stream {@code salt} (1 = batch, 2 = dropout, 3 = validation windows, 4 and 5 = samples). */
    public static long mix(long seed, long salt, int t) {
        return seed ^ (0x9E3779B97F4A7C15L * (t + 1L)) ^ (salt * 0xBF58476D1CE4E5B9L);
    }

    /** B random windows of context + 1 tokens: ids [B·T] and next-token targets [B·T]. */
    public static int[][] batch(int[] data, int batch, int context, SplittableRandom r) {
        int[] x = new int[batch * context], y = new int[batch * context];
        for (int b = 0; b < batch; b++) {
            int start = r.nextInt(data.length - context);
            System.arraycopy(data, start, x, b * context, context);
            System.arraycopy(data, start + 1, y, b * context, context);
        }
        return new int[][] {x, y};
    }

    /** AdamW step t (0-based) on the batch of step t: the new params and optimiser state, and the batch's loss. */
    public static Loop.Stepped<DecoderOnly, Adam.State<DecoderOnly>> step(Config c, DecoderOnly params, Adam.State<DecoderOnly> opt, int t, int[] data) {
        int[][] xy = batch(data, c.batchSize(), c.context(), new SplittableRandom(mix(c.seed(), 1, t)));
        Dropout drop = c.dropout() == 0 ? Dropout.OFF : new Dropout(c.dropout(), mix(c.seed(), 2, t));
        // L(θ) = CE(decoder(θ, x), y)
        Autodiff.ValueAndGrad<DecoderOnly> vg = Autodiff.valueAndGrad(
                p -> Transformer.loss(Transformer.decoderOnly(c.model(), p, xy[0], c.batchSize(), c.context(), drop), xy[1]), params);
        // g ← g · min(1, clip / ‖g‖₂)
        DecoderOnly g = c.gradClip() > 0 ? Clipping.clipGradNorm(vg.grad(), c.gradClip()).grads() : vg.grad();
        AdamW.Hyper h = new AdamW.Hyper(c.schedule().lr(t), 0.9, 0.99, 1e-8, c.weightDecay(), false);
        Step<DecoderOnly, Adam.State<DecoderOnly>> st = AdamW.step(h, params, g, opt);
        return Loop.Stepped.of(st.params(), st.state(), vg.value().item());
    }

    /** Mean cross-entropy (nats/token) and bits per byte over a fixed set of validation windows. */
    public static double[] evaluate(Config c, DecoderOnly p, int[] val, Tokenizer tok) {
        SplittableRandom r = new SplittableRandom(mix(c.seed(), 3, 0));
        double nats = 0;
        long tokens = 0, bytes = 0;
        for (int i = 0; i < c.evalBatches(); i++) {
            int[][] xy = batch(val, c.batchSize(), c.context(), r);
            double l = Transformer.loss(Transformer.decoderOnly(c.model(), p, xy[0], c.batchSize(), c.context(), Dropout.OFF), xy[1]).item();
            nats += l * xy[1].length;
            tokens += xy[1].length;
            for (int id : xy[1]) bytes += tok.bytes(id);
        }
        // bpb = Σ loss / (ln 2 · Σ bytes)
        return new double[] {nats / tokens, nats / bytes / Math.log(2)};
    }

    /**
     * {@code length} sampled tokens after {@code prompt}: generated with the KV cache in chunks, each
     * restarting from the last context/2 tokens, since learned positions stop at the context.
     */
    public static int[] sample(Config c, DecoderOnly p, int[] prompt, int length, Generation.Sampler sampler, long seed) {
        int ctx = c.context();
        int[] out = Arrays.copyOf(prompt, prompt.length + length);
        int have = prompt.length, chunk = 0;
        while (have < out.length) {
            int keep = Math.min(have, have == prompt.length ? ctx - 1 : Math.max(1, ctx / 2));
            int n = Math.min(ctx - keep, out.length - have);
            int[] pr = Arrays.copyOfRange(out, have - keep, have);
            int[] g = Generation.generate(c.model(), p, pr, 1, n, sampler, mix(seed, 4, chunk++));
            System.arraycopy(g, keep, out, have, n);
            have += n;
        }
        return Arrays.copyOfRange(out, prompt.length, out.length);
    }

    /** The default model at nanoGPT's CPU scale, with learned positions, pre-LN and GELU (GPT-2). */
    public static Transformer.Config model(int vocab, int layers, int heads, int dModel, int context) {
        return new Transformer.Config(vocab, dModel, heads, 4 * dModel, layers, context, Transformer.Norm.PRE, Transformer.Activation.GELU,
                Embeddings.Positional.LEARNED);
    }
}
