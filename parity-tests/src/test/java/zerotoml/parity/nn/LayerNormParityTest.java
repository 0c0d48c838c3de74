package zerotoml.parity.nn;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gens;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.nn.LayerNorm;

/**
 * LayerNorm over the last axis ({@code scratch/nn/LayerNorm}; Ba et al., "Layer Normalization",
 * arXiv 1607.06450) against {@code torch.nn.functional.layer_norm}, with γ and β as inputs so the
 * gradient rows cover both.
 */
class LayerNormParityTest {
    static final Domain STD = Domain.standard();

    static OpSpec layerNorm() {
        return OpSpec.op("layerNorm")
                .cases(s -> {
                    int[] lead = Gens.shape(0, 2, 4).draw(s);
                    int d = s.intBetween(1, 32);
                    int[] shape = Arrays.copyOf(lead, lead.length + 1);
                    shape[lead.length] = d;
                    return new Case(List.of(Cases.arr(s, shape, STD), Cases.arr(s, new int[] {d}, STD), Cases.arr(s, new int[] {d}, STD)),
                            Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> LayerNorm.layerNorm(x.get(0), new LayerNorm.Params(x.get(1), x.get(2))))
                .reference((c, x) -> Ref.layerNorm(x.get(0), x.get(1), x.get(2)))
                .rejects("x whose last axis is not d", new Case(List.of(new Arr(new int[] {2, 3}, new double[6]), new Arr(new int[] {4}, new double[4]),
                        new Arr(new int[] {4}, new double[4])), 0), "[2, 3]", "[4]");
    }

    @TestFactory
    Stream<DynamicTest> agreesWithPyTorch() {
        return Parity.tests(layerNorm());
    }
}
