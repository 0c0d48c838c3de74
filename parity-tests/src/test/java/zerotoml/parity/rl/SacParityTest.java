package zerotoml.parity.rl;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gen;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.rl.Sac;

/** SAC's pieces against CleanRL's and SpinningUp's PyTorch lines: log-probs of the squashed Gaussian, each loss with its gradients, Polyak. */
class SacParityTest {
    /** u, mean, log-std [B, A] (log-std in CleanRL's [−5, 2]), ε [B, A], scale [A] and bias [A]. */
    static Gen<Case> gaussianCases() {
        return s -> {
            int b = s.intBetween(1, 5), a = s.intBetween(1, 3);
            int[] shape = {b, a};
            return new Case(List.of(Cases.arr(s, shape, Domain.range(-4, 4)), Cases.arr(s, shape, Domain.standard()),
                    Cases.arr(s, shape, Domain.range(-3, 1)), Cases.arr(s, shape, Domain.standard()),
                    RlCases.vector(s, a, Domain.range(0.5, 3)), RlCases.vector(s, a, Domain.range(-1, 1))), Map.of(), Cases.cotangentSeed(s));
        };
    }

    /** Vectors [B]: Q₁, Q₂ (kept 0.01 apart, off min's kink), log π, rewards, terminated flags, and a target. */
    static Gen<Case> vectorCases() {
        return s -> {
            int b = s.intBetween(1, 8);
            Arr q1 = RlCases.vector(s, b, Domain.standard());
            Arr q2 = RlCases.plus(q1, RlCases.vector(s, b, Domain.range(-2, 2).avoiding(0.01, 0)));
            return new Case(List.of(q1, q2, RlCases.vector(s, b, Domain.range(-4, 2)), RlCases.vector(s, b, Domain.standard()),
                    RlCases.flags(s, new int[] {b}, 0.3), RlCases.vector(s, b, Domain.standard()), new Arr(new int[] {}, new double[] {s.doubleBetween(-3, 1)})),
                    Map.of("alpha", s.doubleBetween(0.01, 1), "gamma", s.doubleBetween(0.5, 1), "targetEntropy", -(double) s.intBetween(1, 3)),
                    Cases.cotangentSeed(s));
        };
    }

    static OpSpec boundLogStd() {
        return OpSpec.op("Sac.boundLogStd")
                .cases(gaussianCases())
                .scratch((c, x) -> Sac.boundLogStd(x.get(0), -5, 2))
                .reference((c, x) -> zerotoml.reference.rl.Sac.boundLogStd(x.get(0), -5, 2))
                .constantInputs(1, 2, 3, 4, 5);
    }

    static OpSpec logOneMinusTanhSquared() {
        return OpSpec.op("Sac.logOneMinusTanhSquared")
                .cases(s -> new Case(List.of(Cases.arr(s, new int[] {s.intBetween(1, 6)}, Domain.range(-15, 15))), Map.of(), Cases.cotangentSeed(s)))
                .scratch((c, x) -> Sac.logOneMinusTanhSquared(x.get(0)))
                .reference((c, x) -> zerotoml.reference.rl.Sac.logOneMinusTanhSquared(x.get(0)));
    }

    static OpSpec squashedLogProb() {
        return OpSpec.op("Sac.squashedLogProb")
                .cases(gaussianCases())
                .scratch((c, x) -> Sac.squashedLogProb(x.get(0), x.get(1), x.get(2), x.get(4)))
                .reference((c, x) -> zerotoml.reference.rl.Sac.squashedLogProb(x.get(0), x.get(1), x.get(2), x.get(4)))
                .constantInputs(3, 5);
    }

    static OpSpec squashedSample(boolean logProb) {
        return OpSpec.op("Sac.squashedSample (" + (logProb ? "log-prob" : "action") + ")")
                .cases(gaussianCases())
                .scratch((c, x) -> {
                    var r = Sac.squashedSample(x.get(1), x.get(2), x.get(3), x.get(4), x.get(5));
                    return logProb ? r.logProb() : r.action();
                })
                .reference((c, x) -> zerotoml.reference.rl.Sac.squashedSample(x.get(1), x.get(2), x.get(3), x.get(4), x.get(5)).get(logProb ? 1 : 0))
                .constantInputs(0, 3, 4, 5);
    }

    static OpSpec softTarget() {
        return OpSpec.op("Sac.softTarget")
                .cases(vectorCases())
                .scratch((c, x) -> Sac.softTarget(x.get(3), x.get(4), x.get(0), x.get(1), x.get(2), c.doubleArg("alpha"), c.doubleArg("gamma")))
                .reference((c, x) -> zerotoml.reference.rl.Sac.softTarget(x.get(3), x.get(4), x.get(0), x.get(1), x.get(2), c.doubleArg("alpha"), c.doubleArg("gamma")))
                .noGradient("the soft target is computed under torch.no_grad(): the critics regress onto it");
    }

    static OpSpec criticLoss() {
        return OpSpec.op("Sac.criticLoss")
                .cases(vectorCases())
                .scratch((c, x) -> Sac.criticLoss(x.get(0), x.get(1), x.get(5)))
                .reference((c, x) -> zerotoml.reference.rl.Sac.criticLoss(x.get(0), x.get(1), x.get(5)))
                .constantInputs(2, 3, 4, 5, 6);
    }

    static OpSpec actorLoss() {
        return OpSpec.op("Sac.actorLoss")
                .cases(vectorCases())
                .scratch((c, x) -> Sac.actorLoss(x.get(2), x.get(0), x.get(1), c.doubleArg("alpha")))
                .reference((c, x) -> zerotoml.reference.rl.Sac.actorLoss(x.get(2), x.get(0), x.get(1), c.doubleArg("alpha")))
                .constantInputs(3, 4, 5, 6);
    }

    static OpSpec alphaLoss() {
        return OpSpec.op("Sac.alphaLoss")
                .cases(vectorCases())
                .scratch((c, x) -> Sac.alphaLoss(x.get(6), x.get(2), c.doubleArg("targetEntropy")))
                .reference((c, x) -> zerotoml.reference.rl.Sac.alphaLoss(x.get(6), x.get(2), c.doubleArg("targetEntropy")))
                .constantInputs(0, 1, 2, 3, 4, 5);
    }

    record Pair(zerotoml.scratch.tensor.Tensor w) {}

    static OpSpec polyak() {
        return OpSpec.op("Sac.polyak")
                .cases(s -> {
                    int[] shape = {s.intBetween(1, 4), s.intBetween(1, 4)};
                    return new Case(List.of(Cases.arr(s, shape, Domain.standard()), Cases.arr(s, shape, Domain.standard())),
                            Map.of("tau", s.bool() ? 1.0 : s.doubleBetween(0, 1)), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> Sac.polyak(new Pair(x.get(0)), new Pair(x.get(1)), c.doubleArg("tau")).w())
                .reference((c, x) -> zerotoml.reference.rl.Sac.polyak(x.get(0), x.get(1), c.doubleArg("tau")))
                .noGradient("target networks are updated in place under no_grad");
    }

    @TestFactory
    Stream<DynamicTest> sacMatchesCleanRlAndSpinningUp() {
        return Parity.tests(boundLogStd(), logOneMinusTanhSquared(), squashedLogProb(), squashedSample(true), squashedSample(false),
                softTarget(), criticLoss(), actorLoss(), alphaLoss(), polyak());
    }
}
