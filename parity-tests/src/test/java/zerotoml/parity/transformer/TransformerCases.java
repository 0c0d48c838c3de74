package zerotoml.parity.transformer;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Source;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Cases;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;
import zerotoml.scratch.transformer.Attention;
import zerotoml.scratch.transformer.Embeddings;
import zerotoml.scratch.transformer.Transformer;
import zerotoml.scratch.transformer.Transformer.Config;

/**
 * Drawing transformer cases and carrying them across: a params record travels as one {@link Arr}
 * per tensor, in {@link Autodiff.Params#tensors} order (depth first, component order), and each
 * side rebuilds its own record from that list. Integer inputs (ids, targets) and 0/1 masks travel
 * as constant arrays of whole numbers.
 */
final class TransformerCases {
    private TransformerCases() {}

    /**
     * Layers 1–3 (at most maxLayers), heads 1–4, d_model a multiple of heads in [4, 32], d_ff up to 64.
     *
     * <p>d_model ≥ 4 on purpose: LayerNorm over 1–3 features is ill-conditioned in float32. Over
     * one feature it outputs β exactly, with a zero Jacobian, yet PyTorch's float32 kernel returns
     * ~1.5e-5 of rounding noise there (x·rstd − μ·rstd with rstd = 1/√ε ≈ 316). Over two or three
     * nearly equal features it divides by ≈ √ε. Measured against the float64 gradient on the worst
     * of 100 cases per check: encoder (d_model 2) PyTorch f32 1.7e-5 off, scratch f32 1.6e-6;
     * pre-LN layer (d_model 2) PyTorch 7.9e-5, scratch 2.9e-6; post-LN cross layer (d_model 3,
     * |g| ≈ 5) scratch 2.1e-5, PyTorch 8.9e-6. Those exceed the float32 default by up to 8×
     * although both sides are right to float32 precision. The layerNorm spec keeps d = 1..32.
     */
    static Config config(Source s, int maxLayers, int maxTime) {
        int heads = s.intBetween(1, 4);
        int dModel = heads * s.intBetween((4 + heads - 1) / heads, 32 / heads);
        int vocab = s.intBetween(2, 12);
        int dFf = s.intBetween(1, 64);
        int layers = s.intBetween(1, maxLayers);
        int maxLen = maxTime + s.intBetween(0, 3);
        Transformer.Norm norm = s.pick(Transformer.Norm.values());
        Transformer.Activation act = s.pick(Transformer.Activation.values());
        Embeddings.Positional pos = s.pick(Embeddings.Positional.values());
        return new Config(vocab, dModel, heads, dFf, layers, maxLen, norm, act, pos);
    }

    /**
     * Values for a parameter of this shape: matrices [out, in] uniform in ±1/√in (nn.Linear's
     * default range, which keeps activations of order 1 through a stack), vectors in [−1, 1].
     */
    static Arr param(Source s, int[] shape) {
        double a = shape.length == 2 ? 1 / Math.sqrt(shape[1]) : 1;
        return Cases.arr(s, shape, Domain.range(-a, a));
    }

    /** One drawn array per tensor of the template record, in its tensors order. */
    static List<Arr> params(Source s, Record template) {
        List<Arr> out = new ArrayList<>();
        for (Tensor t : Autodiff.Params.tensors(template)) out.add(param(s, t.shape().dims()));
        return out;
    }

    static int count(Record template) {
        return Autodiff.Params.tensors(template).size();
    }

    /** The scratch record with its tensors replaced by the inputs from index {@code from} on. */
    static <P extends Record> P rebuild(P template, List<Tensor> xs, int from) {
        return Autodiff.Params.rebuild(template, xs.subList(from, from + count(template)));
    }

    /** The reference reads its params from the inputs at index {@code from} on, in the same order. */
    static Iterator<NDArray> refParams(List<NDArray> xs, int from) {
        return xs.subList(from, xs.size()).iterator();
    }

    /** A shape-only template of a model, for counting and rebuilding. */
    static Transformer.Encoder encoderTemplate(Config c) {
        return Transformer.initEncoder(c, DType.F64, 0);
    }

    /** Whole numbers in [0, hi) of the given shape. */
    static Arr ints(Source s, int[] shape, int hi) {
        int n = 1;
        for (int d : shape) n *= d;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = s.intBetween(0, hi - 1);
        return new Arr(shape, v);
    }

    /** A 0/1 key-validity array [B, S] with at least one valid key per sequence (random positions, not only a tail). */
    static Arr valid(Source s, int batch, int keys) {
        double[] v = new double[batch * keys];
        for (int b = 0; b < batch; b++) {
            boolean any = false;
            for (int k = 0; k < keys; k++) {
                boolean ok = s.intBetween(0, 3) > 0;
                v[b * keys + k] = ok ? 1 : 0;
                any |= ok;
            }
            if (!any) v[b * keys + s.intBetween(0, keys - 1)] = 1;
        }
        return new Arr(new int[] {batch, keys}, v);
    }

    /** A 0/1 attention mask [B, T_q, T_k] that allows at least one key per query row. */
    static Arr mask(Source s, int batch, int queries, int keys) {
        double[] v = new double[batch * queries * keys];
        for (int r = 0; r < batch * queries; r++) {
            boolean any = false;
            for (int k = 0; k < keys; k++) {
                boolean ok = s.intBetween(0, 3) > 0;
                v[r * keys + k] = ok ? 1 : 0;
                any |= ok;
            }
            if (!any) v[r * keys + s.intBetween(0, keys - 1)] = 1;
        }
        return new Arr(new int[] {batch, queries, keys}, v);
    }

    /** The causal 0/1 mask [B, T_q, T_k] (query i sees keys up to i + T_k − T_q), from scratch's own. */
    static Arr causal(int b, int tq, int tk) {
        var m = Attention.Mask.causal(b, tq, tk);
        double[] v = new double[b * tq * tk];
        for (int i = 0; i < v.length; i++) v[i] = m.allowed()[i] ? 1 : 0;
        return new Arr(new int[] {b, tq, tk}, v);
    }

    /** The all-ones mask [B, T_q, T_k]. */
    static Arr ones(int b, int tq, int tk) {
        double[] v = new double[b * tq * tk];
        Arrays.fill(v, 1);
        return new Arr(new int[] {b, tq, tk}, v);
    }

    /** Scratch's mask from a 0/1 mask input [B, T_q, T_k]. */
    static Attention.Mask scratchMask(Tensor m) {
        int[] d = m.shape().dims();
        return new Attention.Mask(toBools(m), d[0], d[1], d[2]);
    }

    static boolean[] toBools(Tensor t) {
        double[] v = t.toArray();
        boolean[] out = new boolean[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i] > 0.5;
        return out;
    }
}
