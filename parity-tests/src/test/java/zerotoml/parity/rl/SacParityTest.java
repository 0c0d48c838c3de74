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
import zerotoml.scratch.rl.Sac;
import zerotoml.scratch.tensor.Tensor;

/** SAC's pieces against CleanRL's and SpinningUp's PyTorch lines: log-probs of the squashed Gaussian, each loss with its gradients, Polyak. */
class SacParityTest {
    static final Arg<Double> ALPHA = Arg.real("alpha");
    static final Arg<Double> GAMMA = Arg.real("gamma");
    static final Arg<Double> TARGET_ENTROPY = Arg.real("targetEntropy");
    static final Arg<Double> TAU = Arg.real("tau");

    /** u, mean, log-std [B, A] (log-std in CleanRL's [−5, 2]), ε [B, A], scale [A] and bias [A]. */
    static Gen<Case> gaussianCases() {
        return s -> {
            int b = s.intBetween(1, 5), a = s.intBetween(1, 3);
            int[] shape = {b, a};
            return new Case(List.of(Cases.arr(s, shape, Domain.range(-4, 4)), Cases.arr(s, shape, Domain.standard()),
                    Cases.arr(s, shape, Domain.range(-3, 1)), Cases.arr(s, shape, Domain.standard()),
                    RlCases.vector(s, a, Domain.range(0.5, 3)), RlCases.vector(s, a, Domain.range(-1, 1))), Cases.cotangentSeed(s));
        };
    }

    /** Vectors [B]: Q₁, Q₂ (kept 0.01 apart, off min's kink), log π, rewards, terminated flags, and a target. */
    static Gen<Case> vectorCases() {
        return s -> {
            int b = s.intBetween(1, 8);
            Arr q1 = RlCases.vector(s, b, Domain.standard());
            Arr q2 = RlCases.plus(q1, RlCases.vector(s, b, Domain.range(-2, 2).avoiding(0.01, 0)));
            var in = List.of(q1, q2, RlCases.vector(s, b, Domain.range(-4, 2)), RlCases.vector(s, b, Domain.standard()),
                    RlCases.flags(s, new int[] {b}, 0.3), RlCases.vector(s, b, Domain.standard()), new Arr(new int[] {}, new double[] {s.doubleBetween(-3, 1)}));
            var alpha = s.doubleBetween(0.01, 1);
            var gamma = s.doubleBetween(0.5, 1);
            var targetEntropy = -(double) s.intBetween(1, 3);
            return new Case(in, Cases.cotangentSeed(s)).with(ALPHA, alpha).with(GAMMA, gamma).with(TARGET_ENTROPY, targetEntropy);
        };
    }

    static OpSpec boundLogStd() {
        return OpSpec.op("Sac.boundLogStd")
                .cases(gaussianCases())
                .scratch((c, x) -> Sac.boundLogStd(x.get(0), -5, 2))
                .reference((c, x) -> Ref.boundLogStd(x.get(0), -5, 2))
                .constantInputs(1, 2, 3, 4, 5);
    }

    static OpSpec logOneMinusTanhSquared() {
        return OpSpec.op("Sac.logOneMinusTanhSquared")
                .cases(s -> new Case(List.of(Cases.arr(s, new int[] {s.intBetween(1, 6)}, Domain.range(-15, 15))), Cases.cotangentSeed(s)))
                .scratch((c, x) -> Sac.logOneMinusTanhSquared(x.get(0)))
                .reference((c, x) -> Ref.logOneMinusTanhSquared(x.get(0)));
    }

    static OpSpec squashedLogProb() {
        return OpSpec.op("Sac.squashedLogProb")
                .cases(gaussianCases())
                .scratch((c, x) -> Sac.squashedLogProb(x.get(0), x.get(1), x.get(2), x.get(4)))
                .reference((c, x) -> Ref.squashedLogProb(x.get(0), x.get(1), x.get(2), x.get(4)))
                .constantInputs(3, 5);
    }

    static OpSpec squashedSample(boolean logProb) {
        return OpSpec.op("Sac.squashedSample (" + (logProb ? "log-prob" : "action") + ")")
                .cases(gaussianCases())
                .scratch((c, x) -> {
                    var r = Sac.squashedSample(x.get(1), x.get(2), x.get(3), x.get(4), x.get(5));
                    return logProb ? r.logProb() : r.action();
                })
                .reference((c, x) -> Ref.squashedSample(x.get(1), x.get(2), x.get(3), x.get(4), x.get(5)).get(logProb ? 1 : 0))
                .constantInputs(0, 3, 4, 5);
    }

    static OpSpec softTarget() {
        return OpSpec.op("Sac.softTarget")
                .cases(vectorCases())
                .scratch((c, x) -> Sac.softTarget(x.get(3), x.get(4), x.get(0), x.get(1), x.get(2), c.get(ALPHA), c.get(GAMMA)))
                .reference((c, x) -> Ref.softTarget(x.get(3), x.get(4), x.get(0), x.get(1), x.get(2), c.get(ALPHA), c.get(GAMMA)))
                .noGradient("the soft target is computed under torch.no_grad(): the critics regress onto it");
    }

    static OpSpec criticLoss() {
        return OpSpec.op("Sac.criticLoss")
                .cases(vectorCases())
                .scratch((c, x) -> Sac.criticLoss(x.get(0), x.get(1), x.get(5)))
                .reference((c, x) -> Ref.criticLoss(x.get(0), x.get(1), x.get(5)))
                .constantInputs(2, 3, 4, 5, 6);
    }

    static OpSpec actorLoss() {
        return OpSpec.op("Sac.actorLoss")
                .cases(vectorCases())
                .scratch((c, x) -> Sac.actorLoss(x.get(2), x.get(0), x.get(1), c.get(ALPHA)))
                .reference((c, x) -> Ref.actorLoss(x.get(2), x.get(0), x.get(1), c.get(ALPHA)))
                .constantInputs(3, 4, 5, 6);
    }

    static OpSpec alphaLoss() {
        return OpSpec.op("Sac.alphaLoss")
                .cases(vectorCases())
                .scratch((c, x) -> Sac.alphaLoss(x.get(6), x.get(2), c.get(TARGET_ENTROPY)))
                .reference((c, x) -> Ref.alphaLoss(x.get(6), x.get(2), c.get(TARGET_ENTROPY)))
                .constantInputs(0, 1, 2, 3, 4, 5);
    }

    record Pair(Tensor w) {}

    static OpSpec polyak() {
        return OpSpec.op("Sac.polyak")
                .cases(s -> {
                    int[] shape = {s.intBetween(1, 4), s.intBetween(1, 4)};
                    var in = List.of(Cases.arr(s, shape, Domain.standard()), Cases.arr(s, shape, Domain.standard()));
                    var tau = s.bool() ? 1.0 : s.doubleBetween(0, 1);
                    return new Case(in, Cases.cotangentSeed(s)).with(TAU, tau);
                })
                .scratch((c, x) -> Sac.polyak(new Pair(x.get(0)), new Pair(x.get(1)), c.get(TAU)).w())
                .reference((c, x) -> Ref.polyak(x.get(0), x.get(1), c.get(TAU)))
                .noGradient("target networks are updated in place under no_grad");
    }

    @TestFactory
    Stream<DynamicTest> sacMatchesCleanRlAndSpinningUp() {
        return Parity.tests(boundLogStd(), logOneMinusTanhSquared(), squashedLogProb(), squashedSample(true), squashedSample(false),
                softTarget(), criticLoss(), actorLoss(), alphaLoss(), polyak());
    }
}
