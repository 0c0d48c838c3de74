package zerotoml.parity.nn;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gens;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Case.Arg;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.nn.Dropout;

/**
 * Dropout ({@code scratch/nn/Dropout}; Srivastava et al., JMLR 2014) against the reference's
 * {@code x · keep / (1 − p)}, given the same keep-mask: the mask is a constant input, so the rows
 * check the scaling and its gradient, not the random draw.
 */
class DropoutParityTest {
    static final Arg<Double> P = Arg.real("p");

    static final Domain STD = Domain.standard();

    /** x and a 0/1 keep-mask (constant) of one shape, p in [0, 0.9]. */
    static OpSpec dropout() {
        return OpSpec.op("dropout")
                .cases(s -> {
                    int[] shape = Gens.shape(1, 3, 6).draw(s);
                    double p = s.doubleBetween(0, 0.9);
                    double[] keep = new double[Gens.size(shape)];
                    for (int i = 0; i < keep.length; i++) keep[i] = s.doubleBetween(0, 1) >= p ? 1 : 0;
                    return new Case(List.of(Cases.arr(s, shape, STD), new Arr(shape, keep)), Cases.cotangentSeed(s)).with(P, p);
                })
                .scratch((c, x) -> Dropout.dropout(x.get(0), x.get(1), c.get(P)))
                .reference((c, x) -> Ref.dropout(x.get(0), x.get(1), c.get(P)))
                .constantInputs(1)
                .rejectsWhereTorchAccepts("a keep-mask of another shape: x * mask would broadcast [2, 3] with [3]",
                        new Case(List.of(new Arr(new int[] {2, 3}, new double[6]), new Arr(new int[] {3}, new double[3])), 0).with(P, 0.5), "[3]", "[2, 3]");
    }

    @TestFactory
    Stream<DynamicTest> agreesWithPyTorch() {
        return Parity.tests(dropout());
    }
}
