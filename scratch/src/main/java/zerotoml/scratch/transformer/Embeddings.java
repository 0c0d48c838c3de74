package zerotoml.scratch.transformer;

import java.util.random.RandomGenerator;
import zerotoml.scratch.nn.Sinusoidal;
import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Indexing;
import zerotoml.scratch.tensor.Shapes;
import zerotoml.scratch.tensor.Tensor;

/**
 * Token embeddings and positional encodings, §3.4 and §3.5 of "Attention Is All You Need"
 * (Vaswani et al., arXiv 1706.03762).
 *
 * <p>Sinusoidal encoding interleaves as the paper writes it: even feature 2i holds
 * sin(pos / 10000^{2i/d}) and odd feature 2i+1 holds cos of the same angle (not the
 * [sin…, cos…] halves of diffusers' timestep embedding). With sinusoidal encoding the token
 * embedding is multiplied by √d_model first (§3.4); with a learned table (GPT) it is not.
 */
public final class Embeddings {
    private Embeddings() {}

    /** Where positions come from. */
    public enum Positional {
        /** Fixed sin/cos table (the paper); embeddings scaled by √d_model. */
        SINUSOIDAL,
        /** A learned [maxLen, d] table (GPT); no scaling. */
        LEARNED,
        /** No positional information (the encoder is then permutation-equivariant); no scaling. */
        NONE
    }

    /** The token table and, for {@link Positional#LEARNED}, the position table (otherwise null). */
    public record Params(
            Tensor tokens, // [vocab, d]
            Tensor positions // [maxLen, d], or null unless LEARNED
    ) {
        public Params {
            if (tokens.rank() != 2) throw new IllegalArgumentException("embedding: tokens must be [vocab, d], got " + tokens.shape());
            if (positions != null && (positions.rank() != 2 || positions.shape().dim(1) != tokens.shape().dim(1))) {
                throw new IllegalArgumentException("embedding: positions must be [maxLen, " + tokens.shape().dim(1) + "], got " + positions.shape());
            }
        }

        public static Params init(DType dtype, int vocab, int d, int maxLen, Positional pos, RandomGenerator rng) {
            Tensor tok = Init.normal(dtype, rng, 0.02, vocab, d);
            return new Params(tok, pos == Positional.LEARNED ? Init.normal(dtype, rng, 0.02, maxLen, d) : null);
        }
    }

    // x = E[ids] · (√d if sinusoidal) + PE[start..start+T]  → [B, T, d]
    public static Tensor embed(Params p, Positional pos, int[] ids, int batch, int time, int start) {
        int d = p.tokens().shape().dim(1);
        Tensor x = Indexing.embedding(p.tokens(), ids, batch, time);
        switch (pos) {
            case SINUSOIDAL:
                return Arithmetic.add(Arithmetic.mul(x, Math.sqrt(d)), Sinusoidal.positional(x.dtype(), start, time, d));
            case LEARNED:
                if (p.positions() == null) throw new IllegalArgumentException("embedding: LEARNED positions need a position table");
                int maxLen = p.positions().shape().dim(0);
                if (start + time > maxLen) {
                    throw new IllegalArgumentException("embedding: positions " + start + ".." + (start + time - 1) + " exceed the learned table [" + maxLen + ", " + d + "]");
                }
                return Arithmetic.add(x, Shapes.slice(p.positions(), 0, start, start + time));
            default:
                return x;
        }
    }
}
