package zerotoml.parity.transformer;

import zerotoml.parity.tensor.IntegerArgs;
import static zerotoml.parity.transformer.TransformerCases.*;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Gens;
import zerotoml.fixtures.Source;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.reference.transformer.Attention;
import zerotoml.reference.transformer.Embeddings;
import zerotoml.reference.nn.LayerNorm;
import zerotoml.reference.transformer.Transformer;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;
import zerotoml.scratch.transformer.Transformer.Config;

/**
 * "Attention Is All You Need" layer by layer and model by model against PyTorch: LayerNorm,
 * positional encodings and embeddings, scaled dot-product attention with random masks,
 * multi-head self- and cross-attention, the FFN, post-LN and pre-LN layers, and the encoder,
 * decoder-only and encoder-decoder models (logits and cross-entropy loss). The gradient checks
 * cover every parameter: each parameter tensor is one input of the spec.
 */
class TransformerParityTest {
    static final Domain STD = Domain.standard();

    static final String NO_FD_COMPOSITE = "a composition of the layer specs above, which carry the finite-difference oracle; "
            + "central differences over its 10³–10⁴ parameters would cost minutes per case";

    // ------------------------------------------------------------------ LayerNorm

    static OpSpec layerNorm() {
        return OpSpec.op("layerNorm")
                .cases(s -> {
                    int[] lead = Gens.shape(0, 2, 4).draw(s);
                    int d = s.intBetween(1, 32);
                    int[] shape = java.util.Arrays.copyOf(lead, lead.length + 1);
                    shape[lead.length] = d;
                    return new Case(List.of(Cases.arr(s, shape, STD), Cases.arr(s, new int[] {d}, STD), Cases.arr(s, new int[] {d}, STD)),
                            Map.of(), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> zerotoml.scratch.nn.LayerNorm.layerNorm(x.get(0), new zerotoml.scratch.nn.LayerNorm.Params(x.get(1), x.get(2))))
                .reference((c, x) -> LayerNorm.layerNorm(x.get(0), new LayerNorm.Params(x.get(1), x.get(2))))
                .rejects("x whose last axis is not d", new Case(List.of(new Arr(new int[] {2, 3}, new double[6]), new Arr(new int[] {4}, new double[4]),
                        new Arr(new int[] {4}, new double[4])), Map.of(), 0), "[2, 3]", "[4]");
    }

    // ------------------------------------------------------------------ positions and embeddings

    static OpSpec sinusoidal() {
        return OpSpec.op("positionalEncoding (sinusoidal)")
                .cases(s -> {
                    int t = s.intBetween(1, 16), d = s.intBetween(1, 32);
                    return new Case(List.of(Cases.arr(s, new int[] {t, d}, STD)), Map.of(), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> x.get(0).add(zerotoml.scratch.nn.Sinusoidal.positional(x.get(0).dtype(), 0, x.get(0).shape().dim(0), x.get(0).shape().dim(1))))
                .reference((c, x) -> x.get(0).add(Embeddings.sinusoidal(x.get(0).getManager(), x.get(0).getDataType(), x.get(0).getShape().get(0), x.get(0).getShape().get(1))));
    }

    /** Token embedding plus positions, for each positional kind: inputs tokens [V, d], (positions [maxLen, d]), ids [B, T]. */
    static OpSpec embedding(zerotoml.scratch.transformer.Embeddings.Positional pos) {
        boolean learned = pos == zerotoml.scratch.transformer.Embeddings.Positional.LEARNED;
        int idsAt = learned ? 2 : 1;
        return OpSpec.op("embedding (" + pos.name().toLowerCase() + " positions)")
                .cases(s -> {
                    int v = s.intBetween(1, 12), d = s.intBetween(1, 32), b = s.intBetween(1, 3), t = s.intBetween(1, 16);
                    List<Arr> in = new ArrayList<>(List.of(Cases.arr(s, new int[] {v, d}, STD)));
                    if (learned) in.add(Cases.arr(s, new int[] {t + s.intBetween(0, 3), d}, STD));
                    in.add(ints(s, new int[] {b, t}, v));
                    return new Case(in, Map.of(), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> {
                    Tensor ids = x.get(idsAt);
                    var p = new zerotoml.scratch.transformer.Embeddings.Params(x.get(0), learned ? x.get(1) : null);
                    return zerotoml.scratch.transformer.Embeddings.embed(p, pos, IntegerArgs.ints(ids), ids.shape().dim(0), ids.shape().dim(1), 0);
                })
                .reference((c, x) -> Embeddings.embed(new Embeddings.Params(x.get(0), learned ? x.get(1) : null), Embeddings.Positional.valueOf(pos.name()), x.get(idsAt)))
                .constantInputs(idsAt);
    }

    // ------------------------------------------------------------------ attention

    /** q [B, H, Tq, dk], k [B, H, Tk, dk], v [B, H, Tk, dv], mask [B, Tq, Tk] (random, causal or all-ones). */
    static Gen<Case> attentionCases() {
        return s -> {
            int b = s.intBetween(1, 3), h = s.intBetween(1, 4), tq = s.intBetween(1, 16), dk = s.intBetween(1, 8), dv = s.intBetween(1, 8);
            String kind = s.pick("random", "causal", "none");
            int tk = kind.equals("causal") ? tq + s.intBetween(0, 3) : s.intBetween(1, 16);
            Arr mask = kind.equals("random") ? mask(s, b, tq, tk) : kind.equals("causal") ? causal(b, tq, tk) : ones(b, tq, tk);
            return new Case(List.of(Cases.arr(s, new int[] {b, h, tq, dk}, STD), Cases.arr(s, new int[] {b, h, tk, dk}, STD),
                    Cases.arr(s, new int[] {b, h, tk, dv}, STD), mask), Map.of("mask", kind), Cases.cotangentSeed(s));
        };
    }

    static Arr causal(int b, int tq, int tk) {
        var m = zerotoml.scratch.transformer.Attention.Mask.causal(b, tq, tk);
        double[] v = new double[b * tq * tk];
        for (int i = 0; i < v.length; i++) v[i] = m.allowed()[i] ? 1 : 0;
        return new Arr(new int[] {b, tq, tk}, v);
    }

    static Arr ones(int b, int tq, int tk) {
        double[] v = new double[b * tq * tk];
        java.util.Arrays.fill(v, 1);
        return new Arr(new int[] {b, tq, tk}, v);
    }

    static zerotoml.scratch.transformer.Attention.Mask scratchMask(Tensor m) {
        int[] d = m.shape().dims();
        return new zerotoml.scratch.transformer.Attention.Mask(toBools(m), d[0], d[1], d[2]);
    }

    static OpSpec attention(boolean weightsOnly) {
        OpSpec spec = OpSpec.op(weightsOnly ? "attention (weights)" : "attention (scaled dot-product)")
                .cases(attentionCases())
                .scratch((c, x) -> weightsOnly
                        ? zerotoml.scratch.transformer.Attention.weights(x.get(0), x.get(1), scratchMask(x.get(3)))
                        : zerotoml.scratch.transformer.Attention.scaledDotProduct(x.get(0), x.get(1), x.get(2), scratchMask(x.get(3))))
                .reference((c, x) -> weightsOnly
                        ? Attention.weights(x.get(0), x.get(1), Attention.mask(x.get(3)))
                        : Attention.scaledDotProduct(x.get(0), x.get(1), x.get(2), Attention.mask(x.get(3))))
                .constantInputs(3);
        double[] q = new double[4], k = new double[4];
        Arr noKey = new Arr(new int[] {1, 2, 2}, new double[] {1, 1, 0, 0});
        return spec.rejectsWhereTorchAccepts("a query row that may attend to no key: PyTorch returns NaN for it, scratch refuses",
                new Case(List.of(new Arr(new int[] {1, 1, 2, 2}, q), new Arr(new int[] {1, 1, 2, 2}, k), new Arr(new int[] {1, 1, 2, 2}, new double[4]), noKey),
                        Map.of(), 0), "query 1", "no key");
    }

    static Attention.Params refAttention(List<NDArray> x, int from) {
        return Attention.Params.from(x.subList(from, from + 8).iterator());
    }

    static zerotoml.scratch.transformer.Attention.Params scratchAttention(List<Tensor> x, int from) {
        return new zerotoml.scratch.transformer.Attention.Params(x.get(from), x.get(from + 1), x.get(from + 2), x.get(from + 3),
                x.get(from + 4), x.get(from + 5), x.get(from + 6), x.get(from + 7));
    }

    static List<Arr> attentionParams(Source s, int d) {
        List<Arr> p = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            p.add(param(s, new int[] {d, d}));
            p.add(param(s, new int[] {d}));
        }
        return p;
    }

    /** Inputs: 8 params, x [B, T, d], (memory [B, S, d]), mask [B, T, T or S]. */
    static OpSpec multiHead(boolean cross) {
        int xAt = 8, maskAt = cross ? 10 : 9;
        return OpSpec.op(cross ? "attention (multi-head cross)" : "attention (multi-head self)")
                .cases(s -> {
                    // d_model ≤ 16 here: finite differences over 4·d² weights cost d⁴; the block and model specs cover d_model up to 32
                    int h = s.intBetween(1, 4), d = h * s.intBetween(1, 16 / h), b = s.intBetween(1, 3), t = s.intBetween(1, 16);
                    int keys = cross ? s.intBetween(1, 16) : t;
                    List<Arr> in = new ArrayList<>(attentionParams(s, d));
                    in.add(Cases.arr(s, new int[] {b, t, d}, STD));
                    if (cross) in.add(Cases.arr(s, new int[] {b, keys, d}, STD));
                    in.add(s.bool() ? mask(s, b, t, keys) : cross ? ones(b, t, keys) : causal(b, t, keys));
                    return new Case(in, Map.of("heads", h), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> zerotoml.scratch.transformer.Attention.multiHead(scratchAttention(x, 0), c.intArg("heads"), x.get(xAt),
                        x.get(cross ? 9 : xAt), scratchMask(x.get(maskAt))))
                .reference((c, x) -> Attention.multiHead(refAttention(x, 0), c.intArg("heads"), x.get(xAt), x.get(cross ? 9 : xAt), Attention.mask(x.get(maskAt))))
                .constantInputs(maskAt)
                .rejects("d_model 6 with 4 heads", badHeads(cross), "6", "heads 4");
    }

    static Case badHeads(boolean cross) {
        List<Arr> in = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            in.add(new Arr(new int[] {6, 6}, new double[36]));
            in.add(new Arr(new int[] {6}, new double[6]));
        }
        in.add(new Arr(new int[] {1, 2, 6}, new double[12]));
        if (cross) in.add(new Arr(new int[] {1, 2, 6}, new double[12]));
        in.add(ones(1, 2, 2));
        return new Case(in, Map.of("heads", 4), 0);
    }

    // ------------------------------------------------------------------ dropout

    /** x and a 0/1 keep-mask (constant) of one shape, p in [0, 0.9]. */
    static OpSpec dropout() {
        return OpSpec.op("dropout")
                .cases(s -> {
                    int[] shape = Gens.shape(1, 3, 6).draw(s);
                    double p = s.doubleBetween(0, 0.9);
                    double[] keep = new double[Gens.size(shape)];
                    for (int i = 0; i < keep.length; i++) keep[i] = s.doubleBetween(0, 1) >= p ? 1 : 0;
                    return new Case(List.of(Cases.arr(s, shape, STD), new Arr(shape, keep)), Map.of("p", p), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> zerotoml.scratch.nn.Dropout.dropout(x.get(0), x.get(1), c.doubleArg("p")))
                .reference((c, x) -> Transformer.dropout(x.get(0), x.get(1), c.doubleArg("p")))
                .constantInputs(1)
                .rejectsWhereTorchAccepts("a keep-mask of another shape: x * mask would broadcast [2, 3] with [3]",
                        new Case(List.of(new Arr(new int[] {2, 3}, new double[6]), new Arr(new int[] {3}, new double[3])), Map.of("p", 0.5), 0), "[3]", "[2, 3]");
    }

    // ------------------------------------------------------------------ feed-forward

    static OpSpec feedForward(zerotoml.scratch.transformer.Transformer.Activation act) {
        return OpSpec.op("feedForward (" + act.name().toLowerCase() + ")")
                .cases(s -> {
                    // d ≤ 16, d_ff ≤ 32 here for the cost of finite differences; the block and model specs cover d_model 32, d_ff 64
                    int d = s.intBetween(1, 16), f = s.intBetween(1, 32), b = s.intBetween(1, 3), t = s.intBetween(1, 16);
                    return new Case(List.of(Cases.arr(s, new int[] {b, t, d}, STD), param(s, new int[] {f, d}), param(s, new int[] {f}),
                            param(s, new int[] {d, f}), param(s, new int[] {d})), Map.of(), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> zerotoml.scratch.transformer.Transformer.feedForward(
                        new zerotoml.scratch.transformer.Transformer.FeedForward(x.get(1), x.get(2), x.get(3), x.get(4)), act, x.get(0)))
                .reference((c, x) -> Transformer.feedForward(new Transformer.FeedForward(x.get(1), x.get(2), x.get(3), x.get(4)),
                        Transformer.Activation.valueOf(act.name()), x.get(0)));
    }

    // ------------------------------------------------------------------ blocks

    static Config withNorm(Config c, zerotoml.scratch.transformer.Transformer.Norm norm) {
        return new Config(c.vocab(), c.dModel(), c.heads(), c.dFf(), c.layers(), c.maxLen(), norm, c.activation(), c.positional());
    }

    @TestFactory
    Stream<DynamicTest> layers() {
        return Parity.tests(layerNorm(), sinusoidal(),
                embedding(zerotoml.scratch.transformer.Embeddings.Positional.SINUSOIDAL),
                embedding(zerotoml.scratch.transformer.Embeddings.Positional.LEARNED),
                embedding(zerotoml.scratch.transformer.Embeddings.Positional.NONE),
                attention(true), attention(false), multiHead(false), multiHead(true), dropout(),
                feedForward(zerotoml.scratch.transformer.Transformer.Activation.RELU),
                feedForward(zerotoml.scratch.transformer.Transformer.Activation.GELU),
                feedForward(zerotoml.scratch.transformer.Transformer.Activation.GELU_TANH));
    }

    // ------------------------------------------------------------------ blocks (constant inputs first, then x, then every parameter)

    static java.util.SplittableRandom zero() {
        return new java.util.SplittableRandom(0);
    }

    /** One encoder / decoder-only layer: inputs mask [B, T, T], x [B, T, d], then the layer's params. */
    static OpSpec layer(zerotoml.scratch.transformer.Transformer.Norm norm) {
        return OpSpec.op("transformer layer (" + norm.name().toLowerCase() + "-LN)")
                .cases(s -> {
                    Config c = withNorm(config(s, 1, 16), norm);
                    int b = s.intBetween(1, 3), t = s.intBetween(1, 16);
                    List<Arr> in = new ArrayList<>();
                    in.add(s.bool() ? mask(s, b, t, t) : causal(b, t, t));
                    in.add(Cases.arr(s, new int[] {b, t, c.dModel()}, STD));
                    in.addAll(params(s, zerotoml.scratch.transformer.Transformer.initLayer(c, DType.F64, zero())));
                    return new Case(in, Map.of("config", c), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> {
                    Config cfg = (Config) c.arg("config");
                    var p = rebuild(zerotoml.scratch.transformer.Transformer.initLayer(cfg, DType.F64, zero()), x, 2);
                    return zerotoml.scratch.transformer.Transformer.layer(cfg, p, x.get(1), scratchMask(x.get(0)),
                            zerotoml.scratch.nn.Dropout.OFF, 0);
                })
                .reference((c, x) -> Transformer.layer(ref((Config) c.arg("config")), Transformer.Layer.from(refParams(x, 2)), x.get(1), Attention.mask(x.get(0))))
                .constantInputs(0)
                .fewerCases(4, FEWER_CASES)
                .noFiniteDifferences(NO_FD_COMPOSITE);
    }

    /** One decoder layer of the encoder-decoder: inputs self mask [B, T, T], memory mask [B, T, S], x, memory, then params. */
    static OpSpec crossLayer(zerotoml.scratch.transformer.Transformer.Norm norm) {
        return OpSpec.op("transformer cross layer (" + norm.name().toLowerCase() + "-LN)")
                .cases(s -> {
                    Config c = withNorm(config(s, 1, 16), norm);
                    int b = s.intBetween(1, 3), t = s.intBetween(1, 16), src = s.intBetween(1, 16);
                    List<Arr> in = new ArrayList<>();
                    in.add(causal(b, t, t));
                    in.add(mask(s, b, t, src));
                    in.add(Cases.arr(s, new int[] {b, t, c.dModel()}, STD));
                    in.add(Cases.arr(s, new int[] {b, src, c.dModel()}, STD));
                    in.addAll(params(s, zerotoml.scratch.transformer.Transformer.initCrossLayer(c, DType.F64, zero())));
                    return new Case(in, Map.of("config", c), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> {
                    Config cfg = (Config) c.arg("config");
                    var p = rebuild(zerotoml.scratch.transformer.Transformer.initCrossLayer(cfg, DType.F64, zero()), x, 4);
                    return zerotoml.scratch.transformer.Transformer.crossLayer(cfg, p, x.get(2), x.get(3), scratchMask(x.get(0)), scratchMask(x.get(1)),
                            zerotoml.scratch.nn.Dropout.OFF, 0);
                })
                .reference((c, x) -> Transformer.crossLayer(ref((Config) c.arg("config")), Transformer.CrossLayer.from(refParams(x, 4)),
                        x.get(2), x.get(3), Attention.mask(x.get(0)), Attention.mask(x.get(1))))
                .constantInputs(0, 1)
                .fewerCases(4, FEWER_CASES)
                .noFiniteDifferences(NO_FD_COMPOSITE);
    }

    // ------------------------------------------------------------------ whole models

    /** Source ids [B, S], source validity [B, S], target ids [B, T], next-token targets [B, T], then every parameter. */
    static Gen<Case> modelCases(String model) {
        return s -> {
            Config c = config(s, 3, 16);
            int b = s.intBetween(1, 3), t = s.intBetween(1, 16), src = s.intBetween(1, 16);
            List<Arr> in = new ArrayList<>();
            in.add(ints(s, new int[] {b, src}, c.vocab()));
            in.add(valid(s, b, src));
            in.add(ints(s, new int[] {b, t}, c.vocab()));
            in.add(ints(s, new int[] {b, t}, c.vocab()));
            in.addAll(params(s, template(model, c)));
            return new Case(in, Map.of("config", c), Cases.cotangentSeed(s));
        };
    }

    static final int MODEL_PARAMS_AT = 4;

    static Record template(String model, Config c) {
        switch (model) {
            case "encoder": return zerotoml.scratch.transformer.Transformer.initEncoder(c, DType.F64, 0);
            case "decoder-only": return zerotoml.scratch.transformer.Transformer.initDecoderOnly(c, DType.F64, 0);
            default: return zerotoml.scratch.transformer.Transformer.initEncoderDecoder(c, DType.F64, 0);
        }
    }

    /** The model's output: the encoder's memory, or logits, or (loss = true) the mean cross-entropy against the targets. */
    static Tensor scratchModel(String model, boolean loss, Case cs, List<Tensor> x) {
        Config c = (Config) cs.arg("config");
        var off = zerotoml.scratch.nn.Dropout.OFF;
        int[] src = IntegerArgs.ints(x.get(0)), tgt = IntegerArgs.ints(x.get(2));
        int b = x.get(0).shape().dim(0), s = x.get(0).shape().dim(1), t = x.get(2).shape().dim(1);
        boolean[] valid = toBools(x.get(1));
        Tensor out;
        switch (model) {
            case "encoder":
                return zerotoml.scratch.transformer.Transformer.encode(c, rebuild(zerotoml.scratch.transformer.Transformer.initEncoder(c, DType.F64, 0), x, MODEL_PARAMS_AT),
                        src, b, s, valid, off);
            case "decoder-only":
                out = zerotoml.scratch.transformer.Transformer.decoderOnly(c, rebuild(zerotoml.scratch.transformer.Transformer.initDecoderOnly(c, DType.F64, 0), x, MODEL_PARAMS_AT),
                        tgt, b, t, off);
                break;
            default:
                out = zerotoml.scratch.transformer.Transformer.encoderDecoder(c, rebuild(zerotoml.scratch.transformer.Transformer.initEncoderDecoder(c, DType.F64, 0), x, MODEL_PARAMS_AT),
                        src, valid, b, s, tgt, t, off);
        }
        return loss ? zerotoml.scratch.transformer.Transformer.loss(out, IntegerArgs.ints(x.get(3))) : out;
    }

    static NDArray refModel(String model, boolean loss, Case cs, List<NDArray> x) {
        var c = ref((Config) cs.arg("config"));
        NDArray valid = Attention.mask(x.get(1));
        NDArray out;
        switch (model) {
            case "encoder":
                return Transformer.encode(c, Transformer.Encoder.from(refParams(x, MODEL_PARAMS_AT), c), x.get(0), valid);
            case "decoder-only":
                out = Transformer.decoderOnly(c, Transformer.DecoderOnly.from(refParams(x, MODEL_PARAMS_AT), c), x.get(2));
                break;
            default:
                out = Transformer.encoderDecoder(c, Transformer.EncoderDecoder.from(refParams(x, MODEL_PARAMS_AT), c), x.get(0), valid, x.get(2));
        }
        return loss ? Transformer.loss(out, x.get(3)) : out;
    }

    static final String FEWER_CASES = "a whole stack per case, and PyTorch's side takes ~35 ms of DJL calls for it; a quarter of the cases "
            + "(75 per check at the default 300) keeps mvn verify within issue 9's budget of 6 minutes on 2 cores";

    static OpSpec model(String model, boolean loss) {
        return OpSpec.op("transformer " + model + (model.equals("encoder") ? "" : loss ? " loss" : " logits"))
                .cases(modelCases(model))
                .scratch((c, x) -> scratchModel(model, loss, c, x))
                .reference((c, x) -> refModel(model, loss, c, x))
                .constantInputs(0, 1, 2, 3)
                .fewerCases(4, FEWER_CASES)
                .noFiniteDifferences(NO_FD_COMPOSITE);
    }

    @TestFactory
    Stream<DynamicTest> blocks() {
        return Parity.tests(layer(zerotoml.scratch.transformer.Transformer.Norm.POST), layer(zerotoml.scratch.transformer.Transformer.Norm.PRE),
                crossLayer(zerotoml.scratch.transformer.Transformer.Norm.POST), crossLayer(zerotoml.scratch.transformer.Transformer.Norm.PRE));
    }

    @TestFactory
    Stream<DynamicTest> models() {
        return Parity.tests(model("encoder", false), model("decoder-only", false), model("decoder-only", true),
                model("encoder-decoder", false), model("encoder-decoder", true));
    }
}
