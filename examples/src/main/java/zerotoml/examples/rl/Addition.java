package zerotoml.examples.rl;

import java.util.Arrays;
import zerotoml.scratch.nn.Dropout;
import zerotoml.scratch.random.Distributions;
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.rl.Grpo;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Shapes;
import zerotoml.scratch.tensor.Tensor;
import zerotoml.scratch.transformer.Embeddings;
import zerotoml.scratch.transformer.Transformer;
import zerotoml.scratch.transformer.Transformer.DecoderOnly;

/**
 * Two-digit addition as a task with a verifiable reward, for the project's decoder-only
 * Transformer: the prompt "ab+cd=" (six tokens) and a completion of the sum's three digits, least
 * significant first (so each digit depends only on digits already seen and a carry). The reward is
 * the fraction of the three digits that are right. All 8,100 pairs are split once by a fixed seed:
 * the first {@link #HELD_OUT} are held out, never trained on.
 */
final class Addition {
    private Addition() {}

    static final int PLUS = 10, EQUALS = 11, VOCAB = 12, PROMPT = 6, ANSWER = 3, HELD_OUT = 500;
    /** Pre-LN, 2 layers, d_model 64, 4 heads, d_ff 256, GELU, learned positions. */
    static final Transformer.Config MODEL = new Transformer.Config(VOCAB, 64, 4, 256, 2, PROMPT + ANSWER, Transformer.Norm.PRE,
            Transformer.Activation.GELU, Embeddings.Positional.LEARNED);

    /** The prompt tokens of a + b: a₁ a₀ + b₁ b₀ =. */
    static int[] prompt(int a, int b) {
        return new int[] {a / 10, a % 10, PLUS, b / 10, b % 10, EQUALS};
    }

    /** The answer tokens: the digits of a + b, least significant first, three of them. */
    static int[] answer(int a, int b) {
        int s = a + b;
        return new int[] {s % 10, (s / 10) % 10, s / 100};
    }

    /** Every pair (a, b) of two-digit numbers in a fixed order: the first {@link #HELD_OUT} are the held-out set. */
    static int[][] pairs() {
        int[] order = Rng.seed(2402_03300L).permutation(90 * 90);
        int[][] out = new int[order.length][];
        for (int i = 0; i < order.length; i++) out[i] = new int[] {10 + order[i] / 90, 10 + order[i] % 90};
        return out;
    }

    static int[][] heldOut(int n) {
        return Arrays.copyOfRange(pairs(), 0, Math.min(HELD_OUT, n));
    }

    static int[][] training() {
        int[][] all = pairs();
        return Arrays.copyOfRange(all, HELD_OUT, all.length);
    }

    /** Prompt and answer of each pair, as full sequences [9]. */
    static int[][] solved(int[][] pairs) {
        int[][] seqs = new int[pairs.length][];
        for (int i = 0; i < pairs.length; i++) {
            seqs[i] = Arrays.copyOf(prompt(pairs[i][0], pairs[i][1]), PROMPT + ANSWER);
            System.arraycopy(answer(pairs[i][0], pairs[i][1]), 0, seqs[i], PROMPT, ANSWER);
        }
        return seqs;
    }

    /** log π(answer tokens) [B, 3] for full sequences [B, 9]: the logits at positions 5..7 scored against tokens 6..8. */
    static Tensor answerLogProbs(DecoderOnly p, int[][] seqs) {
        int b = seqs.length, t = PROMPT + ANSWER - 1;
        int[] ids = new int[b * t], targets = new int[b * ANSWER];
        for (int i = 0; i < b; i++) {
            System.arraycopy(seqs[i], 0, ids, i * t, t);
            System.arraycopy(seqs[i], PROMPT, targets, i * ANSWER, ANSWER);
        }
        Tensor l = Shapes.slice(Transformer.decoderOnly(MODEL, p, ids, b, t, Dropout.OFF), 1, PROMPT - 1, t);
        return Distributions.categoricalLogProb(l, targets).reshape(b, ANSWER);
    }

    /** Completes prompts [B, 6] token by token: greedy when rng is null, else sampled from softmax(logits) (temperature 1). */
    static int[][] complete(DecoderOnly p, int[][] prompts, Rng rng) {
        int b = prompts.length;
        int[][] seqs = new int[b][];
        for (int i = 0; i < b; i++) seqs[i] = Arrays.copyOf(prompts[i], PROMPT + ANSWER);
        for (int k = 0; k < ANSWER; k++) {
            int t = PROMPT + k;
            int[] ids = new int[b * t];
            for (int i = 0; i < b; i++) System.arraycopy(seqs[i], 0, ids, i * t, t);
            Tensor last = Shapes.slice(Transformer.decoderOnly(MODEL, p, ids, b, t, Dropout.OFF), 1, t - 1, t).reshape(b, VOCAB);
            int[] next = rng == null ? argmax(last) : Distributions.categoricalSample(last, rng.split(k));
            for (int i = 0; i < b; i++) seqs[i][t] = next[i];
        }
        return seqs;
    }

    private static int[] argmax(Tensor logits) {
        double[] z = logits.toArray();
        int n = logits.shape().dim(0), v = logits.shape().dim(1);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 1; j < v; j++) if (z[i * v + j] > z[i * v + out[i]]) out[i] = j;
        }
        return out;
    }

    /** r = (digits of the completion equal to the sum's) / 3. */
    static double reward(int[] seq, int[] pair) {
        int[] ans = answer(pair[0], pair[1]);
        double r = 0;
        for (int k = 0; k < ANSWER; k++) if (seq[PROMPT + k] == ans[k]) r += 1.0 / ANSWER;
        return r;
    }

    /** The share of pairs whose greedy completion is the whole sum. */
    static double exactMatch(DecoderOnly p, int[][] pairs) {
        int[][] seqs = complete(p, prompts(pairs), null);
        int right = 0;
        for (int i = 0; i < pairs.length; i++) if (reward(seqs[i], pairs[i]) > 0.999) right++;
        return (double) right / pairs.length;
    }

    static int[][] prompts(int[][] pairs) {
        int[][] out = new int[pairs.length][];
        for (int i = 0; i < pairs.length; i++) out[i] = prompt(pairs[i][0], pairs[i][1]);
        return out;
    }

    /** The mean reward of one sampled completion per pair, and the mean per-token k3 of those completions to {@code ref}. */
    record Sampled(double reward, double klToRef) {}

    static Sampled sampled(DecoderOnly p, DecoderOnly ref, int[][] pairs, Rng rng) {
        int[][] seqs = complete(p, prompts(pairs), rng);
        double r = 0;
        for (int i = 0; i < pairs.length; i++) r += reward(seqs[i], pairs[i]) / pairs.length;
        // D = π_ref/π_θ − log(π_ref/π_θ) − 1 per token, averaged over every token
        double kl = Grpo.k3(answerLogProbs(p, seqs), answerLogProbs(ref, seqs)).mean().item();
        return new Sampled(r, kl);
    }

    /** 1 for each right digit, 0 for each wrong one: [B·3], completion by completion. */
    static Tensor digitRewards(int[][] seqs, int[][] pairs) {
        double[] r = new double[seqs.length * ANSWER];
        for (int i = 0; i < seqs.length; i++) {
            int[] ans = answer(pairs[i][0], pairs[i][1]);
            for (int k = 0; k < ANSWER; k++) r[i * ANSWER + k] = seqs[i][PROMPT + k] == ans[k] ? 1 : 0;
        }
        return Tensor.of(DType.F32, r, r.length);
    }

    static Tensor rewards(int[][] seqs, int[][] pairs) {
        double[] r = new double[seqs.length];
        for (int i = 0; i < r.length; i++) r[i] = reward(seqs[i], pairs[i]);
        return Tensor.of(DType.F32, r, r.length);
    }
}
