package zerotoml.examples.seq2seq;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Indexing;
import zerotoml.scratch.tensor.Reductions;
import zerotoml.scratch.tensor.Shape;
import zerotoml.scratch.tensor.Softmax;
import zerotoml.scratch.tensor.Tensor;
import zerotoml.scratch.transformer.Generation;
import zerotoml.scratch.transformer.Transformer;
import zerotoml.scratch.nn.Dropout;
import zerotoml.scratch.transformer.Transformer.EncoderDecoder;

/**
 * The encoder-decoder of "Attention Is All You Need" (Vaswani et al., arXiv 1706.03762) on a
 * {@link Task}: the teacher-forced loss with padding masked out, and greedy decoding.
 */
public final class Seq2Seq {
    private Seq2Seq() {}

    /**
     * Mean cross-entropy over the target positions that count (digits and EOS), padding excluded:
     * scratch's crossEntropy has no ignore_index, so the per-position losses are masked by hand.
     */
    // L = Σ_i valid_i · ℓ_i / Σ_i valid_i,  ℓ_i = −log softmax(logits_i)[target_i]
    public static Tensor loss(Transformer.Config c, EncoderDecoder p, Task.Batch b, Dropout dropout) {
        Tensor logits = Transformer.encoderDecoder(c, p, b.source(), b.sourceValid(), b.size(), b.sourceTime(), b.decoderInput(), b.targetTime(), dropout);
        // lp = log softmax(logits);  picked[b, t] = lp[b, t, target_bt]
        Tensor picked = Indexing.gather(Softmax.logSoftmax(logits, -1), -1, b.decoderTarget(), Shape.of(b.size(), b.targetTime(), 1));
        double[] w = new double[b.targetValid().length];
        int count = 0;
        for (int i = 0; i < w.length; i++) if (b.targetValid()[i]) {
            w[i] = 1;
            count++;
        }
        Tensor mask = Tensor.of(logits.dtype(), w, b.size(), b.targetTime(), 1);
        return Arithmetic.mul(Reductions.sum(Arithmetic.mul(picked, mask)), -1.0 / count);
    }

    /**
     * Greedy decoding: encode once, then feed BOS and append the argmax token until every sequence
     * has emitted EOS or maxLength + 1 tokens are out. Each step runs the decoder on the newest
     * token only, with the KV cache ({@link Generation#step(Transformer.Config, EncoderDecoder,
     * Generation.CrossCache, int[], int, int)}, equal to recomputing the whole prefix bit for bit);
     * padded source keys are masked in cross-attention.
     * Returns, per example, the tokens before EOS as digits, or null if a non-digit came first or no EOS came.
     */
    public static List<int[]> greedy(Transformer.Config c, EncoderDecoder p, Task.Batch b) {
        Tensor memory = Transformer.encode(c, p.encoder(), b.source(), b.size(), b.sourceTime(), b.sourceValid(), Dropout.OFF);
        int n = b.size(), steps = b.targetTime();
        int[][] out = new int[n][steps + 1];
        boolean[] done = new boolean[n];
        for (int i = 0; i < n; i++) out[i][0] = Task.BOS;
        Generation.CrossCache cache = Generation.start(c, p, memory, b.sourceValid());
        for (int t = 1; t <= steps; t++) {
            int[] newest = new int[n];
            for (int i = 0; i < n; i++) newest[i] = out[i][t - 1];
            Generation.CrossStep st = Generation.step(c, p, cache, newest, n, 1);
            cache = st.cache();
            double[] logits = st.logits().toArray();
            int v = c.vocab();
            boolean all = true;
            for (int i = 0; i < n; i++) {
                // next = argmax_v logits[i, t − 1, v]: the one new position of sequence i
                out[i][t] = done[i] ? Task.PAD : Generation.greedy(Arrays.copyOfRange(logits, i * v, (i + 1) * v));
                if (out[i][t] == Task.EOS) done[i] = true;
                all &= done[i];
            }
            if (all) break;
        }
        List<int[]> result = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] digits = new int[steps];
            int k = 0;
            boolean ok = false;
            for (int t = 1; t <= steps; t++) {
                int tok = out[i][t];
                if (tok == Task.EOS) {
                    ok = true;
                    break;
                }
                if (tok < Task.DIGIT0) break;
                digits[k++] = tok - Task.DIGIT0;
            }
            result.add(ok ? Arrays.copyOf(digits, k) : null);
        }
        return result;
    }

    /** The fraction of held-out sources whose greedy output equals the target exactly (EOS included). */
    public static double exactMatch(Transformer.Config c, EncoderDecoder p, Task.Kind kind, List<int[]> sources, int maxLength, int batchSize) {
        int right = 0;
        for (int start = 0; start < sources.size(); start += batchSize) {
            Task.Batch b = Task.batch(kind, sources.subList(start, Math.min(sources.size(), start + batchSize)), maxLength);
            List<int[]> got = greedy(c, p, b);
            for (int i = 0; i < got.size(); i++) if (got.get(i) != null && Arrays.equals(got.get(i), b.targets().get(i))) right++;
        }
        return sources.isEmpty() ? 0 : (double) right / sources.size();
    }

    static DType dtype() {
        return DType.F32;
    }
}
