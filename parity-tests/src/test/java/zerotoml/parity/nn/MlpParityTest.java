package zerotoml.parity.nn;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.nn.Activation;
import zerotoml.scratch.nn.Linear;
import zerotoml.scratch.nn.Mlp;

/**
 * The multi-layer perceptron ({@code scratch/nn/Mlp}: linear layers with an activation between them)
 * against the same composition in PyTorch, with SiLU and tanh.
 * Every parameter is an input of the case, so the gradient rows cover the output and every
 * parameter's gradient.
 */
class MlpParityTest {
    static final Domain STD = Domain.standard();

    /** x [B, in] and three layers in → h₁ → h₂ → out, as [W₁, b₁, W₂, b₂, W₃, b₃]. */
    static OpSpec mlp(Activation act, UnaryOperator<NDArray> ref) {
        return OpSpec.op("mlp (" + act.name().toLowerCase() + ")")
                .cases(s -> {
                    int[] widths = {s.intBetween(1, 4), s.intBetween(1, 5), s.intBetween(1, 5), s.intBetween(1, 3)};
                    List<Arr> a = new ArrayList<>(List.of(Cases.arr(s, new int[] {s.intBetween(1, 3), widths[0]}, STD)));
                    for (int i = 0; i < 3; i++) {
                        a.add(Cases.arr(s, new int[] {widths[i + 1], widths[i]}, STD));
                        a.add(Cases.arr(s, new int[] {widths[i + 1]}, STD));
                    }
                    return new Case(a, Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> {
                    List<Linear.Params> ls = new ArrayList<>();
                    for (int i = 0; i < 3; i++) ls.add(new Linear.Params(x.get(1 + 2 * i), x.get(2 + 2 * i)));
                    return Mlp.mlp(x.get(0), new Mlp.Params(ls), act);
                })
                .reference((c, x) -> Ref.mlp(x.get(0), x.subList(1, 7), ref));
    }

    @TestFactory
    Stream<DynamicTest> agreesWithPyTorch() {
        return Parity.tests(mlp(Activation.SILU, Ref::silu), mlp(Activation.TANH, Ref::tanh));
    }
}
