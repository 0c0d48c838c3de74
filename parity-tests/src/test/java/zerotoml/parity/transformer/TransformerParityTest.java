package zerotoml.parity.transformer;

import static zerotoml.parity.transformer.TransformerCases.*;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Precision;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Case.Arg;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.parity.tensor.IntegerArgs;
import zerotoml.scratch.nn.Dropout;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;
import zerotoml.scratch.transformer.Transformer;
import zerotoml.scratch.transformer.Transformer.Activation;
import zerotoml.scratch.transformer.Transformer.Config;

/**
 * "Attention Is All You Need" (arXiv 1706.03762), {@code scratch/transformer/Transformer}, block by
 * block and model by model against PyTorch: the FFN, post-LN and pre-LN layers and cross layers, and
 * the encoder, decoder-only and encoder-decoder models (logits and cross-entropy loss). The gradient
 * checks cover every parameter: each parameter tensor is one input of the spec. Its parts have their
 * own tests: {@code AttentionParityTest}, {@code EmbeddingsParityTest}, and in {@code nn}
 * {@code LayerNormParityTest}, {@code DropoutParityTest}, {@code SinusoidalParityTest}.
 */
class TransformerParityTest {
    static final Arg<Config> CONFIG = Arg.of("config", Config.class);

    static final Domain STD = Domain.standard();

    static final String NO_FD_COMPOSITE = "a composition of the layer specs above, which carry the finite-difference oracle; "
            + "central differences over its 10³–10⁴ parameters would cost minutes per case";

    // ------------------------------------------------------------------ feed-forward

    static OpSpec feedForward(Activation act) {
        return OpSpec.op("feedForward (" + act.name().toLowerCase() + ")")
                .cases(s -> {
                    // d ≤ 16, d_ff ≤ 32 here for the cost of finite differences; the block and model specs cover d_model 32, d_ff 64
                    int d = s.intBetween(1, 16), f = s.intBetween(1, 32), b = s.intBetween(1, 3), t = s.intBetween(1, 16);
                    return new Case(List.of(Cases.arr(s, new int[] {b, t, d}, STD), param(s, new int[] {f, d}), param(s, new int[] {f}),
                            param(s, new int[] {d, f}), param(s, new int[] {d})), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> Transformer.feedForward(
                        new Transformer.FeedForward(x.get(1), x.get(2), x.get(3), x.get(4)), act, x.get(0)))
                .reference((c, x) -> Ref.feedForward(x.get(1), x.get(2), x.get(3), x.get(4), act, x.get(0)));
    }

    // ------------------------------------------------------------------ blocks

    static Config withNorm(Config c, Transformer.Norm norm) {
        return new Config(c.vocab(), c.dModel(), c.heads(), c.dFf(), c.layers(), c.maxLen(), norm, c.activation(), c.positional());
    }

    // ------------------------------------------------------------------ blocks (constant inputs first, then x, then every parameter)

    static SplittableRandom zero() {
        return new SplittableRandom(0);
    }

    /** One encoder / decoder-only layer: inputs mask [B, T, T], x [B, T, d], then the layer's params. */
    static OpSpec layer(Transformer.Norm norm) {
        return OpSpec.op("transformer layer (" + norm.name().toLowerCase() + "-LN)")
                .cases(s -> {
                    Config c = withNorm(config(s, 1, 16), norm);
                    int b = s.intBetween(1, 3), t = s.intBetween(1, 16);
                    List<Arr> in = new ArrayList<>();
                    in.add(s.bool() ? mask(s, b, t, t) : causal(b, t, t));
                    in.add(Cases.arr(s, new int[] {b, t, c.dModel()}, STD));
                    in.addAll(params(s, Transformer.initLayer(c, DType.F64, zero())));
                    return new Case(in, Cases.cotangentSeed(s)).with(CONFIG, c);
                })
                .scratch((c, x) -> {
                    Config cfg = c.get(CONFIG);
                    var p = rebuild(Transformer.initLayer(cfg, DType.F64, zero()), x, 2);
                    return Transformer.layer(cfg, p, x.get(1), scratchMask(x.get(0)),
                            Dropout.OFF, 0);
                })
                .reference((c, x) -> Ref.layer(c.get(CONFIG), refParams(x, 2), x.get(1), Ref.mask(x.get(0))))
                .constantInputs(0)
                .perturbationConditioned(Precision.F32, OpSpec.Check.GRADIENT, LAYER_CANCELS)
                .fewerCases(4, FEWER_CASES)
                .noFiniteDifferences(NO_FD_COMPOSITE);
    }

    /** Why the layer's float32 gradient row has a bound measured per case, with the numbers. */
    static final String LAYER_CANCELS = "attention, two layer norms and the FFN in one chain, whose products now accumulate in float32 on both sides "
            + "(scratch's since issue 10); a layer norm over a near-constant row keeps |x|/|x − μ| fewer digits (see layerNorm's own bound); "
            + "in the deep run of 5,000 cases (post-LN, seed 8235827155455006819) scratch was 2.00× and PyTorch 2.65× of the tolerance "
            + "from float64, scratch within it of the finite differences";

    /** One decoder layer of the encoder-decoder: inputs self mask [B, T, T], memory mask [B, T, S], x, memory, then params. */
    static OpSpec crossLayer(Transformer.Norm norm) {
        return OpSpec.op("transformer cross layer (" + norm.name().toLowerCase() + "-LN)")
                .cases(s -> {
                    Config c = withNorm(config(s, 1, 16), norm);
                    int b = s.intBetween(1, 3), t = s.intBetween(1, 16), src = s.intBetween(1, 16);
                    List<Arr> in = new ArrayList<>();
                    in.add(causal(b, t, t));
                    in.add(mask(s, b, t, src));
                    in.add(Cases.arr(s, new int[] {b, t, c.dModel()}, STD));
                    in.add(Cases.arr(s, new int[] {b, src, c.dModel()}, STD));
                    in.addAll(params(s, Transformer.initCrossLayer(c, DType.F64, zero())));
                    return new Case(in, Cases.cotangentSeed(s)).with(CONFIG, c);
                })
                .scratch((c, x) -> {
                    Config cfg = c.get(CONFIG);
                    var p = rebuild(Transformer.initCrossLayer(cfg, DType.F64, zero()), x, 4);
                    return Transformer.crossLayer(cfg, p, x.get(2), x.get(3), scratchMask(x.get(0)), scratchMask(x.get(1)),
                            Dropout.OFF, 0);
                })
                .reference((c, x) -> Ref.crossLayer(c.get(CONFIG), refParams(x, 4),
                        x.get(2), x.get(3), Ref.mask(x.get(0)), Ref.mask(x.get(1))))
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
            return new Case(in, Cases.cotangentSeed(s)).with(CONFIG, c);
        };
    }

    static final int MODEL_PARAMS_AT = 4;

    static Record template(String model, Config c) {
        switch (model) {
            case "encoder": return Transformer.initEncoder(c, DType.F64, 0);
            case "decoder-only": return Transformer.initDecoderOnly(c, DType.F64, 0);
            default: return Transformer.initEncoderDecoder(c, DType.F64, 0);
        }
    }

    /** The model's output: the encoder's memory, or logits, or (loss = true) the mean cross-entropy against the targets. */
    static Tensor scratchModel(String model, boolean loss, Case cs, List<Tensor> x) {
        Config c = cs.get(CONFIG);
        var off = Dropout.OFF;
        int[] src = IntegerArgs.ints(x.get(0)), tgt = IntegerArgs.ints(x.get(2));
        int b = x.get(0).shape().dim(0), s = x.get(0).shape().dim(1), t = x.get(2).shape().dim(1);
        boolean[] valid = toBools(x.get(1));
        Tensor out;
        switch (model) {
            case "encoder":
                return Transformer.encode(c, rebuild(Transformer.initEncoder(c, DType.F64, 0), x, MODEL_PARAMS_AT),
                        src, b, s, valid, off);
            case "decoder-only":
                out = Transformer.decoderOnly(c, rebuild(Transformer.initDecoderOnly(c, DType.F64, 0), x, MODEL_PARAMS_AT),
                        tgt, b, t, off);
                break;
            default:
                out = Transformer.encoderDecoder(c, rebuild(Transformer.initEncoderDecoder(c, DType.F64, 0), x, MODEL_PARAMS_AT),
                        src, valid, b, s, tgt, t, off);
        }
        return loss ? Transformer.loss(out, IntegerArgs.ints(x.get(3))) : out;
    }

    static NDArray refModel(String model, boolean loss, Case cs, List<NDArray> x) {
        Config c = cs.get(CONFIG);
        NDArray valid = Ref.mask(x.get(1));
        NDArray out;
        switch (model) {
            case "encoder":
                return Ref.encode(c, refParams(x, MODEL_PARAMS_AT), x.get(0), valid);
            case "decoder-only":
                out = Ref.decoderOnly(c, refParams(x, MODEL_PARAMS_AT), x.get(2));
                break;
            default:
                out = Ref.encoderDecoder(c, refParams(x, MODEL_PARAMS_AT), x.get(0), valid, x.get(2));
        }
        return loss ? Ref.loss(out, x.get(3)) : out;
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
    Stream<DynamicTest> feedForwardAgreesWithPyTorch() {
        return Parity.tests(feedForward(Activation.RELU), feedForward(Activation.GELU), feedForward(Activation.GELU_TANH));
    }

    @TestFactory
    Stream<DynamicTest> blocks() {
        return Parity.tests(layer(Transformer.Norm.POST), layer(Transformer.Norm.PRE),
                crossLayer(Transformer.Norm.POST), crossLayer(Transformer.Norm.PRE));
    }

    @TestFactory
    Stream<DynamicTest> models() {
        return Parity.tests(model("encoder", false), model("decoder-only", false), model("decoder-only", true),
                model("encoder-decoder", false), model("encoder-decoder", true));
    }
}
