package zerotoml.parity.rl;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gen;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Case.Arg;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.rl.Gae;
import zerotoml.scratch.tensor.Shapes;

/** GAE over a [T, N] rollout with terminations and truncations, against CleanRL's loop written with PyTorch rows. */
class GaeParityTest {
    static final Arg<Double> GAMMA = Arg.real("gamma");
    static final Arg<Double> LAMBDA = Arg.real("lambda");

    static Gen<Case> rollouts() {
        return s -> {
            int steps = s.intBetween(1, 12), envs = s.intBetween(1, 4);
            int[] shape = {steps, envs};
            Arr ended = RlCases.flags(s, shape, 0.3);
            Arr term = RlCases.flags(s, shape, 0.5);
            double[] t = term.data().clone();
            for (int i = 0; i < t.length; i++) t[i] *= ended.data()[i]; // terminated implies ended
            double gamma = s.doubleBetween(0.5, 1), lambda = s.doubleBetween(0, 1);
            return new Case(List.of(Cases.arr(s, shape, Domain.standard()), Cases.arr(s, shape, Domain.standard()),
                    Cases.arr(s, shape, Domain.standard()), new Arr(shape, t), ended), Cases.cotangentSeed(s)).with(GAMMA, gamma).with(LAMBDA, lambda);
        };
    }

    static OpSpec gae() {
        return OpSpec.op("Gae.estimate")
                .cases(rollouts())
                .scratch((c, x) -> {
                    var e = Gae.estimate(x.get(0), x.get(1), x.get(2), x.get(3), x.get(4), c.get(GAMMA), c.get(LAMBDA));
                    return Shapes.stack(List.of(e.advantages(), e.returns()), 0);
                })
                .reference((c, x) -> Ref.estimate(x.get(0), x.get(1), x.get(2), x.get(3), x.get(4),
                        c.get(GAMMA), c.get(LAMBDA)))
                .noGradient("advantages are computed from detached rewards and values: PPO never differentiates through them")
                .rejects("values one row longer than rewards",
                        new Case(List.of(new Arr(new int[] {2, 1}, new double[2]), new Arr(new int[] {3, 1}, new double[3]),
                                new Arr(new int[] {2, 1}, new double[2]), new Arr(new int[] {2, 1}, new double[2]), new Arr(new int[] {2, 1}, new double[2])), 0).with(GAMMA, 0.9).with(LAMBDA, 0.9), "values", "[3, 1]");
    }

    @TestFactory
    Stream<DynamicTest> gaeMatchesCleanRlsLoop() {
        return Parity.tests(gae());
    }
}
