package zerotoml.parity.nn;

import static zerotoml.parity.harness.Cases.zeros;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Gens;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.nn.Linear;

/**
 * The linear layer ({@code scratch/nn/Linear}, weight [out, in] as PyTorch) against
 * {@code torch.nn.functional.linear}, with and without bias.
 * Every parameter is an input of the case, so the gradient rows cover the output and every
 * parameter's gradient.
 */
class LinearParityTest {
    static final Domain STD = Domain.standard();

    /** x [lead…, in] (0 to 2 leading axes), W [out, in] and, when asked, b [out]. */
    static Gen<Case> linearCases(boolean bias) {
        return s -> {
            int[] lead = Gens.shape(0, 2, 4).draw(s);
            int in = s.intBetween(1, 5), out = s.intBetween(1, 5);
            int[] xs = Arrays.copyOf(lead, lead.length + 1);
            xs[lead.length] = in;
            List<Arr> a = new ArrayList<>(List.of(Cases.arr(s, xs, STD), Cases.arr(s, new int[] {out, in}, STD)));
            if (bias) a.add(Cases.arr(s, new int[] {out}, STD));
            return new Case(a, Cases.cotangentSeed(s));
        };
    }

    static OpSpec linear(boolean bias) {
        return OpSpec.op(bias ? "linear (layer)" : "linear (layer, no bias)").cases(linearCases(bias))
                .scratch((c, x) -> Linear.linear(x.get(0), new Linear.Params(x.get(1), bias ? x.get(2) : null)))
                .reference((c, x) -> Ref.linear(x.get(0), x.get(1), bias ? x.get(2) : null))
                .rejects("x's last axis unlike the weight's in", zeros(new int[] {2, 3}, new int[] {4, 2}, new int[] {4}), "[2, 3]", "[4, 2]");
    }

    @TestFactory
    Stream<DynamicTest> agreesWithPyTorch() {
        return Parity.tests(linear(true), linear(false));
    }
}
