package zerotoml.reference.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.Iterator;

/**
 * Token embeddings ({@code weight[ids]}, what F.embedding computes) and positional
 * encodings ("Attention Is All You Need", Vaswani et al., arXiv 1706.03762, §3.4–3.5). The
 * sinusoidal table is built the way labml's {@code positional_encoding.py} builds it, with
 * frequencies exp(−2i·ln 10000 / d) and sin/cos interleaved as the paper writes them.
 */
public final class Embeddings {
    private Embeddings() {}

    public enum Positional { SINUSOIDAL, LEARNED, NONE }

    public record Params(
            NDArray tokens, // [vocab, d]
            NDArray positions // [maxLen, d], or null unless LEARNED
    ) {
        public static Params from(Iterator<NDArray> it, Positional pos) {
            return new Params(it.next(), pos == Positional.LEARNED ? it.next() : null);
        }
    }

    // pe[pos, 2i] = sin(pos · ω_i), pe[pos, 2i+1] = cos(pos · ω_i), ω_i = exp(−2i · ln 10000 / d)
    public static NDArray sinusoidal(NDManager m, DataType dt, long len, long d) {
        NDArray pos = m.arange(0f, (float) len, 1f).toType(DataType.FLOAT64, false).reshape(len, 1);
        NDArray twoI = m.arange(0f, (float) d, 2f).toType(DataType.FLOAT64, false);
        NDArray omega = twoI.mul(-Math.log(10000.0) / d).exp();
        NDArray angle = pos.mul(omega.reshape(1, -1));
        // stack (sin, cos) on a new last axis and flatten it: sin, cos, sin, cos, …
        NDArray pe = NDArrays.stack(new ai.djl.ndarray.NDList(angle.sin(), angle.cos()), 2).reshape(len, -1);
        return pe.get(new NDIndex(":, 0:{}", d)).toType(dt, false);
    }

    // x = E[ids] · (√d if sinusoidal) + PE
    public static NDArray embed(Params p, Positional positional, NDArray ids) {
        long d = p.tokens().getShape().get(1);
        long time = ids.getShape().get(1);
        // weight[ids], what F.embedding computes, by advanced indexing (backward: index_put with accumulation).
        // DJL's functional Embedding.embedding was used first; with it, 3 of ~2,000 whole-model gradient cases in one
        // JVM returned a wrong token-table gradient (once 1.95e9) that never reproduced alone; with indexing, 0 of 1,000.
        NDArray x = zerotoml.reference.tensor.Indexing.embedding(p.tokens(), ids);
        switch (positional) {
            case SINUSOIDAL:
                return x.mul(Attention.num(x, Math.sqrt(d))).add(sinusoidal(x.getManager(), x.getDataType(), time, d));
            case LEARNED:
                return x.add(p.positions().get(new NDIndex("0:{}", time)));
            default:
                return x;
        }
    }
}
