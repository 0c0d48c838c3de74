package zerotoml.parity.nn;

import static zerotoml.parity.harness.Cases.zeros;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Case.Arg;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.nn.Sinusoidal;

/**
 * The sinusoidal embeddings ({@code scratch/nn/Sinusoidal}): the transformer's positional encoding
 * ("Attention Is All You Need", arXiv 1706.03762, §3.5) and diffusion's timestep embedding
 * (diffusers' {@code get_timestep_embedding}), both written in PyTorch in the reference.
 */
class SinusoidalParityTest {
    static final Arg<Integer> DIM = Arg.integer("dim");
    static final Arg<Boolean> FLIP = Arg.bool("flip");
    static final Arg<Double> SHIFT = Arg.real("shift");

    static final Domain STD = Domain.standard();

    /**
     * t [N] of whole diffusion steps in [0, 1000], dim 2..9 (odd dims get the zero column),
     * flip and shift as diffusers' two common settings. t is data, but the embedding is smooth in
     * it, so its gradient is checked too.
     */
    static OpSpec timestep() {
        return OpSpec.op("timestep")
                .cases(s -> {
                    int n = s.intBetween(1, 4);
                    Arr t = Cases.arr(s, new int[] {n}, Domain.integers(0, 1000));
                    int shift = s.intBetween(0, 1);
                    // with shift 1, dim 2 or 3 would divide by half − shift = 0
                    int dim = s.intBetween(2 + 2 * shift, 9);
                    boolean flip = s.bool();
                    return new Case(List.of(t), Cases.cotangentSeed(s)).with(DIM, dim).with(FLIP, flip).with(SHIFT, (double) shift);
                })
                .scratch((c, x) -> Sinusoidal.timestep(x.get(0), c.get(DIM), c.get(FLIP), c.get(SHIFT), 10000))
                .reference((c, x) -> Ref.timestep(x.get(0), c.get(DIM), c.get(FLIP), c.get(SHIFT), 10000))
                .rejectsWhereTorchAccepts("dim 2 with shift 1: diffusers divides 0 by half − shift = 0 and returns NaN", zeros(new int[] {2}).with(DIM, 2).with(FLIP, false).with(SHIFT, 1.0), "shift", "0")
                .rejectsWhereTorchAccepts("dim 1, which has no sin/cos pair: get_timestep_embedding returns a zero column; scratch asks for dim ≥ 2", zeros(new int[] {2}).with(DIM, 1).with(FLIP, false).with(SHIFT, 0.0), "dim", "1");
    }

    /** x [T, d] plus the transformer's sinusoidal positional encoding of T positions. */
    static OpSpec positional() {
        return OpSpec.op("positionalEncoding (sinusoidal)")
                .cases(s -> {
                    int t = s.intBetween(1, 16), d = s.intBetween(1, 32);
                    return new Case(List.of(Cases.arr(s, new int[] {t, d}, STD)), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> x.get(0).add(Sinusoidal.positional(x.get(0).dtype(), 0, x.get(0).shape().dim(0), x.get(0).shape().dim(1))))
                .reference((c, x) -> x.get(0).add(Ref.positional(x.get(0).getManager(), x.get(0).getDataType(), x.get(0).getShape().get(0), x.get(0).getShape().get(1))));
    }

    @TestFactory
    Stream<DynamicTest> agreesWithPyTorch() {
        return Parity.tests(positional(), timestep());
    }
}
