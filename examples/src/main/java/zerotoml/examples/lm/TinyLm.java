package zerotoml.examples.lm;

import zerotoml.scratch.nn.Dropout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import zerotoml.scratch.io.Safetensors;
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
 * Training a decoder-only language model as pure functions: {@link #train} maps a {@link State}
 * to the state one AdamW step later. Step t's batch and dropout masks depend only on (seed, t),
 * and the state holds everything else (params, AdamW's moments and step, the running loss), so a
 * run resumed from a checkpoint continues bit for bit as if it had never stopped.
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

        /** The learning rate of step t (0-based). */
        // γₜ = γ (t+1)/W during warm-up; then constant γ, or cosine from γ down to γ/10 at the last step
        public double lrAt(int t) {
            if (t < warmup) return lr * (t + 1) / warmup;
            if (!cosine) return lr;
            int span = Math.max(1, steps - warmup);
            return new Schedule.Cosine(lr, span, lr / 10).lr(Math.min(t - warmup, span));
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

    /** Everything a checkpoint holds. */
    public record State(DecoderOnly params, Adam.State<DecoderOnly> opt, double lossSum, int lossCount, List<Eval> history, double seconds) {
        int step() {
            return opt.step();
        }
    }

    public static State fresh(Config c) {
        DecoderOnly p = Transformer.initDecoderOnly(c.model(), DType.F32, c.seed());
        return new State(p, AdamW.init(p), 0, 0, List.of(), 0);
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

    /** One AdamW step on the batch of step t. */
    public static State train(Config c, State s, int[] data) {
        int t = s.step();
        int[][] xy = batch(data, c.batchSize(), c.context(), new SplittableRandom(mix(c.seed(), 1, t)));
        Dropout drop = c.dropout() == 0 ? Dropout.OFF : new Dropout(c.dropout(), mix(c.seed(), 2, t));
        // L(θ) = CE(decoder(θ, x), y)
        Autodiff.ValueAndGrad<DecoderOnly> vg = Autodiff.valueAndGrad(
                p -> Transformer.loss(Transformer.decoderOnly(c.model(), p, xy[0], c.batchSize(), c.context(), drop), xy[1]), s.params());
        // g ← g · min(1, clip / ‖g‖₂)
        DecoderOnly g = c.gradClip() > 0 ? Clipping.clipGradNorm(vg.grad(), c.gradClip()).grads() : vg.grad();
        AdamW.Hyper h = new AdamW.Hyper(c.lrAt(t), 0.9, 0.99, 1e-8, c.weightDecay(), false);
        Step<DecoderOnly, Adam.State<DecoderOnly>> st = AdamW.step(h, s.params(), g, s.opt());
        return new State(st.params(), st.state(), s.lossSum() + vg.value().item(), s.lossCount() + 1, s.history(), s.seconds());
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

    /** Appends an evaluation to the history and resets the running training loss. */
    public static State evaluated(Config c, State s, int[] val, Tokenizer tok, double seconds) {
        double[] e = evaluate(c, s.params(), val, tok);
        List<Eval> h = new ArrayList<>(s.history());
        double train = s.lossCount() == 0 ? Double.NaN : s.lossSum() / s.lossCount();
        h.add(new Eval(s.step(), train, e[0], e[1], seconds));
        return new State(s.params(), s.opt(), 0, 0, List.copyOf(h), seconds);
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

    // ------------------------------------------------------------------ checkpoint

    record Tensors(DecoderOnly params, DecoderOnly m, DecoderOnly v, DecoderOnly vMax) {}

    public static void save(Path file, Config c, State s) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("config", c.describe());
        meta.put("step", Integer.toString(s.step()));
        meta.put("lossSum", Double.toString(s.lossSum()));
        meta.put("lossCount", Integer.toString(s.lossCount()));
        meta.put("seconds", Double.toString(s.seconds()));
        StringBuilder h = new StringBuilder();
        for (Eval e : s.history()) h.append(e.step()).append(',').append(e.trainLoss()).append(',').append(e.valLoss()).append(',')
                .append(e.valBitsPerByte()).append(',').append(e.seconds()).append(';');
        meta.put("history", h.toString());
        Safetensors.save(file, new Tensors(s.params(), s.opt().m(), s.opt().v(), s.opt().vMax()), meta);
    }

    public static State load(Path file, Config c) throws IOException {
        Safetensors.Contents contents = Safetensors.read(file);
        String saved = contents.metadata().get("config");
        if (!c.describe().equals(saved)) {
            throw new IOException("checkpoint " + file + " was made by another configuration (" + saved + "), not this run's (" + c.describe()
                    + "); resume with the same options or choose another --out");
        }
        DecoderOnly p = fresh(c).params();
        Tensors t = Safetensors.load(contents, file, new Tensors(p, p, p, p));
        Map<String, String> m = contents.metadata();
        List<Eval> history = new ArrayList<>();
        for (String row : m.getOrDefault("history", "").split(";")) {
            if (row.isBlank()) continue;
            String[] f = row.split(",");
            history.add(new Eval(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4])));
        }
        return new State(t.params(), new Adam.State<>(Integer.parseInt(m.get("step")), t.m(), t.v(), t.vMax()), Double.parseDouble(m.get("lossSum")),
                Integer.parseInt(m.get("lossCount")), List.copyOf(history), Double.parseDouble(m.get("seconds")));
    }

    /** The default model at nanoGPT's CPU scale, with learned positions, pre-LN and GELU (GPT-2). */
    public static Transformer.Config model(int vocab, int layers, int heads, int dModel, int context) {
        return new Transformer.Config(vocab, dModel, heads, 4 * dModel, layers, context, Transformer.Norm.PRE, Transformer.Activation.GELU,
                Embeddings.Positional.LEARNED);
    }
}
