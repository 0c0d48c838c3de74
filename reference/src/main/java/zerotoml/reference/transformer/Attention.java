package zerotoml.reference.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.util.Iterator;

/**
 * Scaled dot-product and multi-head attention ("Attention Is All You Need", Vaswani et al., arXiv
 * 1706.03762, §3.2), written as {@code nn.MultiheadAttention} computes it with separate q/k/v
 * weights: F.linear projections, a head split by reshape and transpose, {@code q @ kᵀ / √d_k},
 * masked_fill(−∞), softmax, {@code @ v}, heads merged by transpose and reshape, F.linear out.
 * DJL has no functional MHA (DJL.md §1.5); its {@code TransformerEncoderBlock} is not a Vaswani
 * layer and is not used.
 *
 * <p>Masks are BOOLEAN [B, T_q, T_k] with {@code true} = may attend (PyTorch's own masks use
 * true = masked; this reference follows the scratch polarity on purpose).
 */
public final class Attention {
    private Attention() {}

    public record Params(
            NDArray wQ, // [d, d]  (out, in)
            NDArray bQ, // [d]
            NDArray wK, // [d, d]
            NDArray bK, // [d]
            NDArray wV, // [d, d]
            NDArray bV, // [d]
            NDArray wO, // [d, d]
            NDArray bO // [d]
    ) {
        public static Params from(Iterator<NDArray> it) {
            return new Params(it.next(), it.next(), it.next(), it.next(), it.next(), it.next(), it.next(), it.next());
        }
    }

    /** A float 0/1 array [B, T_q, T_k] (1 = may attend) as the BOOLEAN mask used here. */
    public static NDArray mask(NDArray zeroOne) {
        return zeroOne.gt(zeroOne.getDataType() == DataType.FLOAT32 ? (Number) 0.5f : (Number) 0.5);
    }

    /** The causal mask [B, T_q, T_k]: query q (at position T_k − T_q + q) may attend to keys at or before it. */
    public static NDArray causal(NDManager m, long batch, long queries, long keys) {
        NDArray k = m.arange((int) keys).reshape(1, keys);
        NDArray q = m.arange((int) queries).add((int) (keys - queries)).reshape(queries, 1);
        return k.lte(q).expandDims(0).broadcast(new Shape(batch, queries, keys));
    }

    // softmax(q kᵀ / √d_k, masked_fill(¬allowed, −∞))
    public static NDArray weights(NDArray q, NDArray k, NDArray allowed) {
        long dk = q.getShape().get(3);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(num(q, 1.0 / Math.sqrt(dk)));
        if (allowed != null) {
            NDArray cond = allowed.expandDims(1).broadcast(scores.getShape());
            NDArray minusInf = q.getManager().create(Double.NEGATIVE_INFINITY).toType(q.getDataType(), false);
            scores = NDArrays.where(cond, scores, minusInf);
        }
        return scores.softmax(-1);
    }

    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, NDArray allowed) {
        return weights(q, k, allowed).matMul(v);
    }

    /** F.linear(x, w, b) viewed as [B, T, h, d_k] and transposed to [B, h, T, d_k]. */
    public static NDArray project(NDArray x, NDArray w, NDArray b, int heads) {
        Shape s = x.getShape();
        long d = w.getShape().get(0);
        return Linear.linear(x, w, b).singletonOrThrow().reshape(s.get(0), s.get(1), heads, d / heads).transpose(0, 2, 1, 3);
    }

    /** Heads [B, h, T, d_k] transposed back, reshaped to [B, T, d], then F.linear(·, W_O, b_O). */
    public static NDArray mergeHeads(NDArray heads, NDArray wO, NDArray bO) {
        Shape s = heads.getShape();
        NDArray concat = heads.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
        return Linear.linear(concat, wO, bO).singletonOrThrow();
    }

    public static NDArray multiHead(Params p, int heads, NDArray xq, NDArray xkv, NDArray allowed) {
        NDArray q = project(xq, p.wQ(), p.bQ(), heads);
        NDArray k = project(xkv, p.wK(), p.bK(), heads);
        NDArray v = project(xkv, p.wV(), p.bV(), heads);
        return mergeHeads(scaledDotProduct(q, k, v, allowed), p.wO(), p.bO());
    }

    static Number num(NDArray x, double v) {
        return x.getDataType() == DataType.FLOAT32 ? (Number) (float) v : (Number) v;
    }
}
