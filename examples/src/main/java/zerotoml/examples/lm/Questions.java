package zerotoml.examples.lm;

import zerotoml.scratch.nn.Dropout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import zerotoml.examples.kit.Failure;
import zerotoml.examples.kit.Loop;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.optim.AdamW;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.transformer.Transformer;
import zerotoml.scratch.transformer.Transformer.DecoderOnly;

/**
 * The roadmap's two research questions about <i>Attention Is All You Need</i> (Vaswani et al.,
 * arXiv 1706.03762), as experiments on small decoder-only language models trained by {@link TinyLm}:
 *
 * <ol>
 *   <li><b>Tokenizer.</b> Character level against byte-level BPE (Sennrich et al., arXiv 1508.07909)
 *       at several vocabulary sizes, at equal parameter count (each BPE model's width is chosen so
 *       its total parameters match the character model's) and equal training compute (the same
 *       steps × batch × context tokens, so C ≈ 6·N·D is equal too). Metric: held-out bits per byte.
 *   <li><b>Heads.</b> 1, 2, 4, 8 heads at a fixed d_model (so the same parameters), character level.
 *       Metric: held-out loss.
 * </ol>
 *
 * <p>Held-out text: the first {@code heldOutChars} code points of the validation split, the same
 * bytes for every tokenizer. It is cut into non-overlapping windows of {@code context} predictions;
 * bits per byte = Σ −log₂ p(token) / Σ UTF-8 bytes of the predicted tokens, which compares
 * tokenizers fairly because both sums run over the same text.
 */
public final class Questions {
    private Questions() {}

    /** Everything shared by every arm of both questions. */
    public record Settings(int layers, int context, int batchSize, int steps, double lr, int warmup, double weightDecay, double gradClip,
                           int heldOutChars, int evalPoints) {
        public Settings {
            if (layers < 1 || context < 2 || batchSize < 1 || steps < 1 || heldOutChars < 2 || evalPoints < 1 || warmup < 0) {
                throw new IllegalArgumentException("questions: layers, batch size, steps and eval points must be ≥ 1, context and held-out"
                        + " characters ≥ 2, warm-up ≥ 0; got layers " + layers + ", context " + context + ", batch " + batchSize + ", steps "
                        + steps + ", held-out " + heldOutChars + ", eval points " + evalPoints + ", warm-up " + warmup);
            }
        }

        String describe() {
            return String.format(Locale.ROOT, "layers=%d context=%d batch=%d steps=%d lr=%s warmup=%d wd=%s clip=%s heldOut=%d evals=%d", layers, context,
                    batchSize, steps, lr, warmup, weightDecay, gradClip, heldOutChars, evalPoints);
        }
    }

    /** One model to train: a tokenizer ("char" or "bpe" with its vocabulary), heads, width and seed. */
    public record Arm(String tokenizer, int vocab, int heads, int dModel, long seed) {
        /** The tokenizer's name in tables: char, or bpe-V. */
        public String tokenizerLabel() {
            return tokenizer.equals("char") ? "char" : "bpe-" + vocab;
        }

        /** A file name that says everything that decides the arm's numbers (with the settings). */
        String key(Settings s) {
            return String.format(Locale.ROOT, "%s_h%d_d%d_seed%d_%08x", tokenizerLabel(), heads, dModel, seed, s.describe().hashCode());
        }
    }

    /** Held-out loss after {@code step} AdamW steps. */
    public record Point(int step, double nats, double bitsPerByte) {}

    /** A finished arm: its size, its held-out curve, and how fast it trained. */
    public record Result(Arm arm, int vocabSize, long params, double bytesPerToken, List<Point> curve, double trainSeconds, long trainTokens) {
        public Point last() {
            return curve.get(curve.size() - 1);
        }

        public double tokensPerSecond() {
            return trainTokens / trainSeconds;
        }
    }

    /** The corpus split once, and each tokenizer's encodings of it. */
    public record Data(TinyLm.Tokenizer tokenizer, int[] train, int[] heldOut, double bytesPerToken) {
        /** Encodes train and the first heldOutChars code points of validation. */
        public static Data of(TinyLm.Tokenizer tok, String trainText, String valText, int heldOutChars) {
            int n = Math.min(heldOutChars, valText.codePointCount(0, valText.length()));
            String held = valText.substring(0, valText.offsetByCodePoints(0, n));
            int[] train = tok.encode(trainText);
            return new Data(tok, train, tok.encode(held), (double) trainText.getBytes(StandardCharsets.UTF_8).length / train.length);
        }
    }

    /** Parameters of the tiny-lm model with this vocabulary, heads and width (counted from a real initialisation). */
    public static long params(Settings s, int vocab, int heads, int dModel) {
        DecoderOnly p = Transformer.initDecoderOnly(TinyLm.model(vocab, s.layers(), heads, dModel, s.context()), DType.F32, 0);
        return Autodiff.Params.tensors(p).stream().mapToLong(t -> t.size()).sum();
    }

    /**
     * The width, a multiple of 8 and of heads, whose model with this vocabulary has the parameter
     * count closest to {@code target}: how a bigger vocabulary pays for its embedding rows.
     */
    public static int matchedWidth(Settings s, int vocab, int heads, long target) {
        int step = lcm(8, heads), best = step;
        long bestGap = Long.MAX_VALUE;
        for (int d = step; d <= 1024; d += step) {
            long n = params(s, vocab, heads, d);
            if (Math.abs(n - target) < bestGap) {
                bestGap = Math.abs(n - target);
                best = d;
            }
            if (n > target) break;
        }
        return best;
    }

    static int lcm(int a, int b) {
        int x = a, y = b;
        while (y != 0) {
            int r = x % y;
            x = y;
            y = r;
        }
        return a / x * b;
    }

    /** Trains one arm from its seed and measures it on the held-out text {@code evalPoints} times (and at step 0). */
    public static Result run(Settings s, Arm a, Data data) {
        TinyLm.Config c = new TinyLm.Config(TinyLm.model(data.tokenizer().vocabSize(), s.layers(), a.heads(), a.dModel(), s.context()), s.batchSize(),
                s.steps(), s.lr(), true, s.warmup(), s.weightDecay(), s.gradClip(), 0.0, 1, a.seed());
        DecoderOnly p = TinyLm.init(c);
        Adam.State<DecoderOnly> opt = AdamW.init(p);
        List<Point> curve = new ArrayList<>();
        curve.add(heldOut(c, p, data, 0));
        double seconds = 0;
        for (int t = 1; t <= s.steps(); t++) {
            long t0 = System.nanoTime();
            Loop.Stepped<DecoderOnly, Adam.State<DecoderOnly>> st = TinyLm.step(c, p, opt, t - 1, data.train());
            if (!Double.isFinite(st.loss())) {
                throw new Failure(Failure.DIVERGED, String.format(Locale.ROOT, "arm %s, %d heads, d %d, seed %d: the loss became %s at step %d; lower --lr",
                        a.tokenizerLabel(), a.heads(), a.dModel(), a.seed(), st.loss(), t));
            }
            p = st.params();
            opt = st.opt();
            seconds += (System.nanoTime() - t0) / 1e9;
            if (t == s.steps() || t % Math.max(1, s.steps() / s.evalPoints()) == 0) curve.add(heldOut(c, p, data, t));
        }
        long params = Autodiff.Params.tensors(p).stream().mapToLong(x -> x.size()).sum();
        return new Result(a, data.tokenizer().vocabSize(), params, data.bytesPerToken(), List.copyOf(curve), seconds,
                (long) s.steps() * s.batchSize() * s.context());
    }

    /** Held-out nats per token and bits per byte: every window of context tokens predicts its next tokens. */
    public static Point heldOut(TinyLm.Config c, DecoderOnly p, Data data, int step) {
        int[] ids = data.heldOut();
        int t = c.context(), windows = (ids.length - 1) / t;
        if (windows < 1) throw new IllegalArgumentException("questions: the held-out text has " + ids.length + " tokens, fewer than context + 1 = " + (t + 1));
        double nats = 0;
        long tokens = 0, bytes = 0;
        for (int w0 = 0; w0 < windows; w0 += c.batchSize()) {
            int b = Math.min(c.batchSize(), windows - w0);
            int[] x = new int[b * t], y = new int[b * t];
            for (int i = 0; i < b; i++) {
                System.arraycopy(ids, (w0 + i) * t, x, i * t, t);
                System.arraycopy(ids, (w0 + i) * t + 1, y, i * t, t);
            }
            double mean = Transformer.loss(Transformer.decoderOnly(c.model(), p, x, b, t, Dropout.OFF), y).item();
            nats += mean * y.length;
            tokens += y.length;
            for (int id : y) bytes += data.tokenizer().bytes(id);
        }
        // nats/token = Σ loss / #tokens;  bits/byte = Σ loss / (ln 2 · Σ bytes)
        return new Point(step, nats / tokens, nats / bytes / Math.log(2));
    }

    // ------------------------------------------------------------------ statistics over seeds

    /** Mean, sample standard deviation, min and max of one arm's final values over its seeds. */
    public record Spread(double mean, double sd, double min, double max, int n) {
        public static Spread of(double[] v) {
            double m = 0, lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (double x : v) {
                m += x / v.length;
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
            double ss = 0;
            for (double x : v) ss += (x - m) * (x - m);
            return new Spread(m, v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : Double.NaN, lo, hi, v.length);
        }

        /** (mean − other.mean) / standard error of the difference (Welch): how many standard errors apart. */
        public double separation(Spread other) {
            double se = Math.sqrt(sd * sd / n + other.sd * other.sd / other.n);
            return (mean - other.mean) / se;
        }
    }

    /**
     * Plain words for how sure a difference is, from its separation in standard errors: more than 3
     * is "clear", 1 to 3 "suggestive", under 1 "within seed noise". With 3 seeds the standard
     * deviations themselves are rough, hence words rather than p-values.
     */
    public static String confidence(double separation) {
        double z = Math.abs(separation);
        if (Double.isNaN(z)) return "unknown (one seed)";
        return z > 3 ? "clear" : z >= 1 ? "suggestive" : "within seed noise";
    }
}
