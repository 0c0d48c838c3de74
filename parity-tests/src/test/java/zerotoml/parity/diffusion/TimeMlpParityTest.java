package zerotoml.parity.diffusion;

import static zerotoml.parity.diffusion.DiffusionCases.TIME_SCALE;
import static zerotoml.parity.diffusion.DiffusionCases.params;
import static zerotoml.parity.diffusion.DiffusionCases.rebuild;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Precision;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Case.Arg;
import zerotoml.parity.harness.Case.Args;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.diffusion.TimeMlp;
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.tensor.DType;

/**
 * The time-conditioned MLP denoiser for 2-D data ({@code scratch/diffusion/TimeMlp}) against
 * PyTorch: the output and the gradient of every parameter (each parameter tensor is one input of
 * the case, in the params record's order), plus x and t.
 */
class TimeMlpParityTest {
    static final Arg<Integer> DIM = Arg.integer("dim");
    static final Arg<Integer> EMBED = Arg.integer("embed");
    static final Arg<Integer> HIDDEN = Arg.integer("hidden");
    static final Arg<Integer> DEPTH = Arg.integer("depth");
    static final Arg<Double> SCALE = Arg.real("scale");

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

    @TestFactory
    Stream<DynamicTest> agreesWithPyTorch() {
        return Parity.tests(timeMlp());
    }
}
