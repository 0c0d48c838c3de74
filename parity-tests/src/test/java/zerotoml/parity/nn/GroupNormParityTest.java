package zerotoml.parity.nn;

import static zerotoml.parity.harness.Cases.zeros;

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
import zerotoml.scratch.nn.GroupNorm;

/**
 * GroupNorm ({@code scratch/nn/GroupNorm}; Wu &amp; He, "Group Normalization", arXiv 1803.08494)
 * against {@code torch.nn.functional.group_norm}.
 * Every parameter is an input of the case, so the gradient rows cover the output and every
 * parameter's gradient.
 */
class GroupNormParityTest {
    static final Arg<Integer> GROUPS = Arg.integer("groups");

    static final Domain STD = Domain.standard();

    /** x [N, C, spatial…] with 0 to 2 spatial axes, groups dividing C, γ and β [C]. */
    static OpSpec groupNorm() {
        return OpSpec.op("groupNorm")
                .cases(s -> {
                    int groups = s.intBetween(1, 3);
                    int c = groups * s.intBetween(1, 2);
                    int[] spatial = Gens.shape(0, 2, 4).draw(s);
                    int[] xs = new int[spatial.length + 2];
                    xs[0] = s.intBetween(1, 3);
                    xs[1] = c;
                    System.arraycopy(spatial, 0, xs, 2, spatial.length);
                    List<Arr> a = List.of(Cases.arr(s, xs, STD), Cases.arr(s, new int[] {c}, STD), Cases.arr(s, new int[] {c}, STD));
                    return new Case(a, Cases.cotangentSeed(s)).with(GROUPS, groups);
                })
                .scratch((c, x) -> GroupNorm.groupNorm(x.get(0), c.get(GROUPS), new GroupNorm.Params(x.get(1), x.get(2))))
                .reference((c, x) -> Ref.groupNorm(x.get(0), c.get(GROUPS), x.get(1), x.get(2)))
                .rejects("channels not divisible by the groups", zeros(new int[] {1, 3, 2}, new int[] {3}, new int[] {3}).with(GROUPS, 2), "groups 2", "[1, 3, 2]")
                .rejects("x without the channel count of gamma", zeros(new int[] {1, 4, 2}, new int[] {3}, new int[] {3}).with(GROUPS, 1), "[1, 4, 2]", "[3]");
    }

    @TestFactory
    Stream<DynamicTest> agreesWithPyTorch() {
        return Parity.tests(groupNorm());
    }
}
