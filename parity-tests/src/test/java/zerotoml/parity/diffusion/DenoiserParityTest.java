package zerotoml.parity.diffusion;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Precision;
import zerotoml.fixtures.Source;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Case.Arg;
import zerotoml.parity.harness.Case.Args;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.diffusion.TimeMlp;
import zerotoml.scratch.diffusion.UNet;
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * The shared time-conditioned denoisers against PyTorch: the MLP for 2-D data and the small
 * U-Net for images, outputs and the gradient of every parameter (each parameter tensor is one
 * input of the case, in the params record's order), plus x and t.
 */
class DenoiserParityTest {
    static final Arg<Integer> DIM = Arg.integer("dim");
    static final Arg<Integer> EMBED = Arg.integer("embed");
    static final Arg<Integer> HIDDEN = Arg.integer("hidden");
    static final Arg<Integer> DEPTH = Arg.integer("depth");
    static final Arg<Double> SCALE = Arg.real("scale");
    static final Arg<Integer> IN_CHANNELS = Arg.integer("inChannels");
    static final Arg<Integer> CHANNELS = Arg.integer("channels");
    static final Arg<Integer> GROUPS = Arg.integer("groups");

    /** Values for every tensor of a params template: matrices and kernels in ±1/√fan_in, vectors in [−1, 1]. */
    static List<Arr> params(Source s, Record template) {
        List<Arr> out = new ArrayList<>();
        for (Tensor t : Autodiff.Params.tensors(template)) {
            int[] d = t.shape().dims();
            int fan = 1;
            for (int i = 1; i < d.length; i++) fan *= d[i];
            double a = d.length >= 2 ? 1 / Math.sqrt(fan) : 1;
            out.add(Cases.arr(s, d, Domain.range(-a, a)));
        }
        return out;
    }

    static <P extends Record> P rebuild(P template, List<Tensor> xs, int from) {
        return Autodiff.Params.rebuild(template, xs.subList(from, xs.size()));
    }

    static TimeMlp.Config mlpConfig(Case c) {
        return new TimeMlp.Config(c.get(DIM), c.get(EMBED), c.get(HIDDEN), c.get(DEPTH), c.get(SCALE));
    }

    static OpSpec timeMlp() {
        return OpSpec.op("TimeMlp (2-D denoiser, every parameter)")
                .cases(s -> {
                    Args a = Args.NONE;
                    a = a.with(DIM, s.intBetween(1, 3));
                    a = a.with(EMBED, s.intBetween(2, 12));
                    a = a.with(HIDDEN, s.intBetween(1, 16));
                    a = a.with(DEPTH, s.intBetween(1, 3));
                    a = a.with(SCALE, s.pick(1.0, 1000.0));
                    Case proto = new Case(List.of(), a, 0);
                    int b = s.intBetween(1, 4);
                    List<Arr> in = new ArrayList<>(List.of(Cases.arr(s, new int[] {b, a.get(DIM)}, Domain.standard()),
                            Cases.arr(s, new int[] {b}, Domain.range(0, 1))));
                    in.addAll(params(s, TimeMlp.init(mlpConfig(proto), Rng.seed(0), DType.F64)));
                    return new Case(in, a, Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> {
                    var cfg = mlpConfig(c);
                    return TimeMlp.apply(cfg, rebuild(TimeMlp.init(cfg, Rng.seed(0), x.get(0).dtype()), x, 2),
                            x.get(0), x.get(1));
                })
                .reference((c, x) -> Ref.timeMlp(c.get(EMBED), c.get(SCALE), x.subList(2, x.size()), x.get(0), x.get(1)))
                // the forward needs no loosening: its worst error used 0.8% of the loosened tolerance (flagged too loose)
                .loosen(Precision.F32, OpSpec.Check.GRADIENT, 1e-5, 1e-5, TIME_SCALE);
    }

    static final String TIME_SCALE = "the embedding takes sin and cos of 1000·t·ω in float32: an argument of up to 1000 carries an absolute rounding of "
            + "~6e-5 into sin/cos, whichever side rounds it";

    static UNet.Config unetConfig(Case c) {
        return new UNet.Config(c.get(IN_CHANNELS), c.get(CHANNELS), c.get(GROUPS), c.get(EMBED), 1000);
    }

    static OpSpec unet() {
        return OpSpec.op("UNet (image denoiser, every parameter)")
                .cases(s -> {
                    Args a = Args.NONE;
                    a = a.with(IN_CHANNELS, s.intBetween(1, 2));
                    int groups = s.intBetween(1, 2);
                    a = a.with(GROUPS, groups);
                    a = a.with(CHANNELS, 2 * groups);
                    a = a.with(EMBED, s.pick(4, 6));
                    Case proto = new Case(List.of(), a, 0);
                    // H, W ≥ 4 and 2 channels per group: every GroupNorm normalises ≥ 8 values. Over 1–4 nearly equal values
                    // it divides by ≈ √ε and its float32 gradient is ill-conditioned (TransformerCases documents the same for LayerNorm)
                    int b = s.intBetween(1, 2), h = 2 * s.intBetween(2, 3), w = 2 * s.intBetween(2, 3);
                    List<Arr> in = new ArrayList<>(List.of(Cases.arr(s, new int[] {b, a.get(IN_CHANNELS), h, w}, Domain.standard()),
                            Cases.arr(s, new int[] {b}, Domain.range(0, 1))));
                    in.addAll(params(s, UNet.init(unetConfig(proto), Rng.seed(0), DType.F64)));
                    return new Case(in, a, Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> {
                    var cfg = unetConfig(c);
                    return UNet.apply(cfg, rebuild(UNet.init(cfg, Rng.seed(0), x.get(0).dtype()), x, 2),
                            x.get(0), x.get(1));
                })
                .reference((c, x) -> Ref.unet(c.get(GROUPS), c.get(EMBED), 1000, x.subList(2, x.size()).iterator(), x.get(0), x.get(1)))
                .fewerCases(4, "a whole U-Net (12 convolutions, 11 GroupNorms) per case; its layers have their own full-count rows in the kit's parity tests")
                .loosen(Precision.F32, OpSpec.Check.FORWARD, 1e-5, 1e-5, TIME_SCALE + "; then 10 convolutions and GroupNorms deep")
                .loosen(Precision.F32, OpSpec.Check.GRADIENT, 1e-4, 1e-4, TIME_SCALE + "; gradients through 10 convolutions and GroupNorms, "
                        + "where GroupNorm over few elements divides by a small σ")
                .noFiniteDifferences("central differences over ~1e3 parameters of a whole U-Net cost minutes per case; the layers carry the "
                        + "finite-difference oracle in their own rows, and the f64 gradient row here matches PyTorch autograd at 1e-7");
    }

    /**
     * The U-Net runs in float64 here (25 cases: output and every parameter gradient). Its float32 rows
     * also pass, measured on 2026-12-04 (AMD EPYC Zen 5): 11 of 25 gradient cases are the known PyTorch
     * conv defect (notes/ReferenceDefects.md, defect 1) and come out `reference defect`; but adjudicating
     * ~30 parameter tensors costs about 2 minutes per build, and both float32 tolerances were flagged
     * too loose (2.2% and 4.3% used). They stay off until those tolerances are re-measured; see
     * notes/Diffusion.md.
     */
    @TestFactory
    Stream<DynamicTest> denoisersMatchPyTorch() {
        return Parity.tests(timeMlp(), unet().only(Precision.F64));
    }
}
