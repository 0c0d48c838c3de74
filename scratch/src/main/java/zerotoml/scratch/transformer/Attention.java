package zerotoml.scratch.transformer;

import java.util.List;
import java.util.random.RandomGenerator;
import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Einsum;
import zerotoml.scratch.tensor.Shapes;
import zerotoml.scratch.tensor.Softmax;
import zerotoml.scratch.tensor.Tensor;

/**
 * Scaled dot-product attention and multi-head attention, §3.2 of "Attention Is All You Need"
 * (Vaswani et al., arXiv 1706.03762).
 *
 * <p><b>Mask polarity, the one used everywhere in this package:</b> a boolean {@code true} means
 * "this query MAY attend to this key". (PyTorch's boolean masks mean the opposite; DJL's and
 * HuggingFace's 1 = keep agree with ours.) A {@link Mask} becomes the additive M of Eq. 1: 0 where
 * allowed, −∞ where not. A query row that may attend to no key at all would make softmax 0/0 = NaN,
 * so it is rejected with a message rather than computed.
 *
 * <p>Projection weights use {@code nn.Linear}'s layout [out, in]; heads are contiguous slices of
 * d_model / h output rows, as in {@code nn.MultiheadAttention}.
 */
public final class Attention {
    private Attention() {}

    /** The four projections of one multi-head attention. */
    public record Params(
            Tensor wQ, // [d, d]  (out, in)
            Tensor bQ, // [d]
            Tensor wK, // [d, d]
            Tensor bK, // [d]
            Tensor wV, // [d, d]
            Tensor bV, // [d]
            Tensor wO, // [d, d]
            Tensor bO // [d]
    ) {
        public Params {
            int d = wQ.shape().dim(0);
            for (Tensor w : List.of(wQ, wK, wV, wO)) {
                if (w.rank() != 2 || w.shape().dim(0) != d || w.shape().dim(1) != d) {
                    throw new IllegalArgumentException("attention: every projection must be [" + d + ", " + d + "], got " + w.shape());
                }
            }
            for (Tensor b : List.of(bQ, bK, bV, bO)) {
                if (b.rank() != 1 || b.shape().dim(0) != d) throw new IllegalArgumentException("attention: every bias must be [" + d + "], got " + b.shape());
            }
        }

        public int dModel() {
            return wQ.shape().dim(0);
        }

        /** Weights N(0, std²), the output projection N(0, outStd²), biases 0. */
        public static Params init(DType dtype, int d, double std, double outStd, RandomGenerator rng) {
            return new Params(Init.normal(dtype, rng, std, d, d), Tensor.zeros(dtype, d), Init.normal(dtype, rng, std, d, d), Tensor.zeros(dtype, d),
                    Init.normal(dtype, rng, std, d, d), Tensor.zeros(dtype, d), Init.normal(dtype, rng, outStd, d, d), Tensor.zeros(dtype, d));
        }
    }

    /**
     * Which keys each query may attend to, {@code true} = may attend, laid out
     * {@code allowed[(b · queries + q) · keys + k]}.
     */
    public record Mask(boolean[] allowed, int batch, int queries, int keys) {
        public Mask {
            if (allowed.length != batch * queries * keys) {
                throw new IllegalArgumentException("mask: " + allowed.length + " entries for [batch " + batch + ", queries " + queries + ", keys " + keys + "]");
            }
            allowed = allowed.clone();
        }

        /**
         * The causal mask for {@code queries} new positions at the end of {@code keys} positions:
         * query q sits at position {@code keys − queries + q} and may attend to every key at or before it.
         */
        public static Mask causal(int batch, int queries, int keys) {
            if (queries > keys) throw new IllegalArgumentException("mask: causal mask with more queries (" + queries + ") than keys (" + keys + ")");
            boolean[] a = new boolean[batch * queries * keys];
            int offset = keys - queries;
            for (int b = 0; b < batch; b++) for (int q = 0; q < queries; q++) for (int k = 0; k <= offset + q; k++) a[(b * queries + q) * keys + k] = true;
            return new Mask(a, batch, queries, keys);
        }

        /** Key padding: {@code keyValid[b · keys + k]} says whether key k of sequence b is real (true) or padding. */
        public static Mask keyPadding(boolean[] keyValid, int batch, int queries, int keys) {
            if (keyValid.length != batch * keys) throw new IllegalArgumentException("mask: keyValid has " + keyValid.length + " entries, expected batch " + batch + " × keys " + keys);
            boolean[] a = new boolean[batch * queries * keys];
            for (int b = 0; b < batch; b++) for (int q = 0; q < queries; q++) for (int k = 0; k < keys; k++) a[(b * queries + q) * keys + k] = keyValid[b * keys + k];
            return new Mask(a, batch, queries, keys);
        }

        /** Attend only where both masks allow it; {@code null} is "no mask". */
        public Mask and(Mask o) {
            if (o == null) return this;
            if (o.batch != batch || o.queries != queries || o.keys != keys) {
                throw new IllegalArgumentException("mask: cannot combine [" + batch + ", " + queries + ", " + keys + "] with [" + o.batch + ", " + o.queries + ", " + o.keys + "]");
            }
            boolean[] a = new boolean[allowed.length];
            for (int i = 0; i < a.length; i++) a[i] = allowed[i] && o.allowed[i];
            return new Mask(a, batch, queries, keys);
        }

        /** M of Eq. 1, shaped [batch, 1, queries, keys] to broadcast over heads: 0 where allowed, −∞ elsewhere. */
        public Tensor additive(DType dtype) {
            double[] m = new double[allowed.length];
            for (int r = 0; r < batch * queries; r++) {
                boolean any = false;
                for (int k = 0; k < keys; k++) {
                    boolean ok = allowed[r * keys + k];
                    any |= ok;
                    m[r * keys + k] = ok ? 0 : Double.NEGATIVE_INFINITY;
                }
                if (!any && keys > 0) {
                    throw new IllegalArgumentException("attention: query " + (r % queries) + " of sequence " + (r / queries)
                            + " may attend to no key (mask [" + batch + ", " + queries + ", " + keys + "]); softmax would be 0/0");
                }
            }
            return Tensor.of(dtype, m, batch, 1, queries, keys);
        }
    }

    // A = softmax(Q Kᵀ / √d_k + M)  (Eq. 1, before multiplying by V); rows of A sum to 1
    public static Tensor weights(Tensor q, Tensor k, Mask mask) {
        if (q.rank() != 4 || k.rank() != 4 || q.shape().dim(-1) != k.shape().dim(-1)) {
            throw new IllegalArgumentException("attention: q and k must be [batch, heads, time, d_k] with one d_k (q " + q.shape() + ", k " + k.shape() + ")");
        }
        int dk = q.shape().dim(-1);
        // S = Q Kᵀ / √d_k
        Tensor scores = Arithmetic.mul(Einsum.einsum("bhqd,bhkd->bhqk", q, k), 1.0 / Math.sqrt(dk));
        if (mask != null) {
            if (mask.batch() != q.shape().dim(0) || mask.queries() != q.shape().dim(2) || mask.keys() != k.shape().dim(2)) {
                throw new IllegalArgumentException("attention: mask [" + mask.batch() + ", " + mask.queries() + ", " + mask.keys()
                        + "] does not fit q " + q.shape() + " and k " + k.shape());
            }
            // S + M: −∞ removes a key from the softmax
            scores = Arithmetic.add(scores, mask.additive(q.dtype()));
        }
        return Softmax.softmax(scores, -1);
    }

    // Attention(Q, K, V) = softmax(Q Kᵀ / √d_k + M) V  (Eq. 1)
    public static Tensor scaledDotProduct(Tensor q, Tensor k, Tensor v, Mask mask) {
        if (v.rank() != 4 || v.shape().dim(2) != k.shape().dim(2)) {
            throw new IllegalArgumentException("attention: v must be [batch, heads, keys, d_v] with k's key count (k " + k.shape() + ", v " + v.shape() + ")");
        }
        return Einsum.einsum("bhqk,bhkd->bhqd", weights(q, k, mask), v);
    }

    // X W_iᵀ + b_i for every head i at once: [B, T, d] → [B, h, T, d_k]  (heads are contiguous row slices of W)
    public static Tensor project(Tensor x, Tensor w, Tensor b, int heads) {
        int d = w.shape().dim(0), dk = d / heads;
        if (x.rank() != 3 || x.shape().dim(2) != w.shape().dim(1)) {
            throw new IllegalArgumentException("attention: x must be [batch, time, " + w.shape().dim(1) + "] (x " + x.shape() + ", weight " + w.shape() + ")");
        }
        Tensor perHead = Einsum.einsum("bti,hei->bhte", x, Shapes.reshape(w, heads, dk, d));
        return Arithmetic.add(perHead, Shapes.reshape(b, heads, 1, dk));
    }

    // MultiHead = Concat(head_1, …, head_h) W_Oᵀ + b_O: the concat is the (h, e) index pair of W_O's input axis
    public static Tensor mergeHeads(Tensor heads, Tensor wO, Tensor bO) {
        int h = heads.shape().dim(1), dk = heads.shape().dim(3), d = wO.shape().dim(0);
        return Arithmetic.add(Einsum.einsum("bhte,ohe->bto", heads, Shapes.reshape(wO, d, h, dk)), bO);
    }

    // MultiHead(Xq, Xkv) with head_i = Attention(Xq W_iQ, Xkv W_iK, Xkv W_iV)
    public static Tensor multiHead(Params p, int heads, Tensor xq, Tensor xkv, Mask mask) {
        checkHeads(p, heads);
        Tensor q = project(xq, p.wQ(), p.bQ(), heads);
        Tensor k = project(xkv, p.wK(), p.bK(), heads);
        Tensor v = project(xkv, p.wV(), p.bV(), heads);
        return mergeHeads(scaledDotProduct(q, k, v, mask), p.wO(), p.bO());
    }

    /** Self-attention: queries, keys and values all from x [B, T, d]. */
    public static Tensor selfAttention(Params p, int heads, Tensor x, Mask mask) {
        return multiHead(p, heads, x, x, mask);
    }

    /** Cross-attention: queries from the decoder x [B, T, d], keys and values from the encoder memory [B, S, d]. */
    public static Tensor crossAttention(Params p, int heads, Tensor x, Tensor memory, Mask mask) {
        if (memory.rank() != 3 || memory.shape().dim(0) != x.shape().dim(0)) {
            throw new IllegalArgumentException("attention: memory must be [batch, source, d] with x's batch (x " + x.shape() + ", memory " + memory.shape() + ")");
        }
        return multiHead(p, heads, x, memory, mask);
    }

    // ------------------------------------------------------------------ incremental decoding

    /** The keys and values of every position seen so far, per head. */
    public record KeyValue(
            Tensor keys, // [B, h, T_past, d_k]
            Tensor values // [B, h, T_past, d_k]
    ) {
        public int length() {
            return keys.shape().dim(2);
        }
    }

    /** The output for the new positions and the cache extended by them. */
    public record Step(Tensor out, KeyValue cache) {}

    /**
     * Causal self-attention for x [B, T_new, d], the positions right after those in {@code past}
     * (null when there are none). Keys and values of the past are read from the cache, not
     * recomputed; the result equals running {@link #selfAttention} with a causal mask over the whole
     * sequence, bit for bit (a property test holds it to that).
     */
    public static Step selfAttentionCached(Params p, int heads, Tensor x, KeyValue past) {
        checkHeads(p, heads);
        Tensor q = project(x, p.wQ(), p.bQ(), heads);
        Tensor k = project(x, p.wK(), p.bK(), heads);
        Tensor v = project(x, p.wV(), p.bV(), heads);
        if (past != null) {
            k = Shapes.concat(List.of(past.keys(), k), 2);
            v = Shapes.concat(List.of(past.values(), v), 2);
        }
        Mask causal = Mask.causal(x.shape().dim(0), x.shape().dim(1), k.shape().dim(2));
        Tensor out = mergeHeads(scaledDotProduct(q, k, v, causal), p.wO(), p.bO());
        return new Step(out, new KeyValue(k, v));
    }

    /**
     * The encoder memory's keys and values for cross-attention, projected once per decoded
     * sequence: they do not change while the decoder adds tokens.
     */
    public static KeyValue memoryKeyValue(Params p, int heads, Tensor memory) {
        checkHeads(p, heads);
        if (memory.rank() != 3) throw new IllegalArgumentException("attention: memory must be [batch, source, d] (memory " + memory.shape() + ")");
        return new KeyValue(project(memory, p.wK(), p.bK(), heads), project(memory, p.wV(), p.bV(), heads));
    }

    /**
     * Cross-attention of the new decoder positions x [B, T_new, d] to memory keys and values from
     * {@link #memoryKeyValue}; equals {@link #crossAttention} on the memory bit for bit (the same
     * projections, computed once instead of at every step).
     */
    public static Tensor crossAttentionCached(Params p, int heads, Tensor x, KeyValue memory, Mask mask) {
        checkHeads(p, heads);
        if (memory.keys().shape().dim(0) != x.shape().dim(0)) {
            throw new IllegalArgumentException("attention: memory keys " + memory.keys().shape() + " do not have x's batch (x " + x.shape() + ")");
        }
        Tensor q = project(x, p.wQ(), p.bQ(), heads);
        return mergeHeads(scaledDotProduct(q, memory.keys(), memory.values(), mask), p.wO(), p.bO());
    }

    private static void checkHeads(Params p, int heads) {
        if (heads < 1 || p.dModel() % heads != 0) {
            throw new IllegalArgumentException("attention: d_model " + p.dModel() + " is not divisible by heads " + heads);
        }
    }
}
