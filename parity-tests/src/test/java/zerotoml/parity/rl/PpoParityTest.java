package zerotoml.parity.rl;

import java.util.ArrayList;
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
import zerotoml.scratch.rl.Ppo;

/**
 * PPO's named loss terms against CleanRL's {@code ppo.py} lines written with PyTorch ops, with the
 * gradient of each with respect to every input that carries one (the new log-probs, values and
 * entropies, i.e. the network outputs); the full update step is in {@link PpoUpdateParityTest}.
 */
class PpoParityTest {
    static final Arg<Double> CLIP = Arg.real("clip");
    static final Arg<Boolean> CLIP_VALUE = Arg.bool("clipValue");
    static final Arg<Double> ENT_COEF = Arg.real("entCoef");
    static final Arg<Double> VF_COEF = Arg.real("vfCoef");
    static final Arg<Boolean> NORM_ADVANTAGES = Arg.bool("normAdvantages");

    /** Log-ratios kept 0.02 away from the clip edges log(1 ± ε), where the surrogate has a kink. */
    static Gen<Case> policyCases() {
        return s -> {
            int m = s.intBetween(1, 8);
            double eps = s.doubleBetween(0.1, 0.3);
            Arr old = RlCases.vector(s, m, Domain.range(-3, 0));
            Arr logRatio = RlCases.vector(s, m, Domain.range(-0.7, 0.7).avoiding(0.02, Math.log(1 - eps), Math.log(1 + eps)));
            Arr adv = RlCases.vector(s, m, Domain.standard());
            return new Case(List.of(RlCases.plus(old, logRatio), old, adv), Cases.cotangentSeed(s)).with(CLIP, eps);
        };
    }

    /** New values 0.02 away from the value-clip edges V_old ± ε. */
    static Gen<Case> valueCases() {
        return s -> {
            int m = s.intBetween(1, 8);
            double eps = s.doubleBetween(0.1, 0.3);
            Arr old = RlCases.vector(s, m, Domain.standard());
            Arr diff = RlCases.vector(s, m, Domain.range(-1, 1).avoiding(0.02, -eps, eps));
            Arr ret = RlCases.vector(s, m, Domain.standard());
            return new Case(List.of(RlCases.plus(old, diff), old, ret), Cases.cotangentSeed(s)).with(CLIP, eps);
        };
    }

    /** A whole minibatch: new log-probs, entropies, new values, then the rollout's old log-probs, old values, advantages, returns. */
    static Gen<Case> lossCases() {
        return s -> {
            int m = s.intBetween(2, 8);
            double eps = s.doubleBetween(0.1, 0.3);
            Arr oldLp = RlCases.vector(s, m, Domain.range(-3, 0));
            Arr newLp = RlCases.plus(oldLp, RlCases.vector(s, m, Domain.range(-0.7, 0.7).avoiding(0.02, Math.log(1 - eps), Math.log(1 + eps))));
            Arr ent = RlCases.vector(s, m, Domain.range(0, 2));
            Arr oldV = RlCases.vector(s, m, Domain.standard());
            Arr newV = RlCases.plus(oldV, RlCases.vector(s, m, Domain.range(-1, 1).avoiding(0.02, -eps, eps)));
            Arr adv = RlCases.vector(s, m, Domain.standard());
            Arr ret = RlCases.vector(s, m, Domain.standard());
            var clipValue = s.bool();
            var entCoef = s.doubleBetween(0, 0.1);
            var vfCoef = s.doubleBetween(0.1, 1);
            var normAdvantages = s.bool();
            return new Case(List.of(newLp, ent, newV, oldLp, oldV, adv, ret), Cases.cotangentSeed(s)).with(CLIP, eps).with(CLIP_VALUE, clipValue).with(ENT_COEF, entCoef).with(VF_COEF, vfCoef).with(NORM_ADVANTAGES, normAdvantages);
        };
    }

    static Case vectors(int... lengths) {
        List<Arr> xs = new ArrayList<>();
        for (int n : lengths) xs.add(new Arr(new int[] {n}, new double[n]));
        return new Case(xs, 0).with(CLIP, 0.2);
    }

    static OpSpec policyLoss() {
        return OpSpec.op("Ppo.policyLoss")
                .cases(policyCases())
                .scratch((c, x) -> Ppo.policyLoss(x.get(0), x.get(1), x.get(2), c.get(CLIP)))
                .reference((c, x) -> Ref.policyLoss(x.get(0), x.get(1), x.get(2), c.get(CLIP)))
                .constantInputs(1, 2)
                .rejectsWhereTorchAccepts("log-probs [3] with advantages [2]: torch broadcasting fails only for some lengths",
                        vectors(3, 3, 2), "Ppo.policyLoss", "[3]", "[2]");
    }

    static OpSpec valueLoss(boolean clip) {
        return OpSpec.op("Ppo.valueLoss (" + (clip ? "clipped" : "unclipped") + ")")
                .cases(valueCases())
                .scratch((c, x) -> Ppo.valueLoss(x.get(0), x.get(1), x.get(2), c.get(CLIP), clip))
                .reference((c, x) -> Ref.valueLoss(x.get(0), x.get(1), x.get(2), c.get(CLIP), clip))
                .constantInputs(1, 2);
    }

    static OpSpec normalizeAdvantages() {
        return OpSpec.op("Ppo.normalizeAdvantages")
                .cases(s -> new Case(List.of(RlCases.vector(s, s.intBetween(2, 8), Domain.standard())), Cases.cotangentSeed(s)))
                .scratch((c, x) -> Ppo.normalizeAdvantages(x.get(0)))
                .reference((c, x) -> Ref.normalizeAdvantages(x.get(0)))
                .rejectsWhereTorchAccepts("a minibatch of one, whose N-1 std torch returns as NaN (every advantage becomes NaN)",
                        vectors(1), "at least 2", "[1]");
    }

    static OpSpec approxKl() {
        return OpSpec.op("Ppo.approxKl")
                .cases(policyCases())
                .scratch((c, x) -> Ppo.approxKl(x.get(0), x.get(1)))
                .reference((c, x) -> Ref.approxKl(x.get(0), x.get(1)))
                .noGradient("approx_kl is a diagnostic computed under torch.no_grad(), as in CleanRL");
    }

    static OpSpec loss() {
        return OpSpec.op("Ppo.losses (loss)")
                .cases(lossCases())
                .scratch((c, x) -> Ppo.losses(hyper(c), new Ppo.Evaluation(x.get(0), x.get(1), x.get(2)),
                        new Ppo.Batch(x.get(3), x.get(4), x.get(5), x.get(6))).loss())
                .reference((c, x) -> Ref.loss(x.get(0), x.get(1), x.get(2), x.get(3), x.get(4), x.get(5), x.get(6),
                        c.get(CLIP), c.get(CLIP_VALUE), c.get(ENT_COEF), c.get(VF_COEF), c.get(NORM_ADVANTAGES)))
                .constantInputs(3, 4, 5, 6);
    }

    static Ppo.Hyper hyper(Case c) {
        return new Ppo.Hyper(c.get(CLIP), c.get(CLIP_VALUE), c.get(ENT_COEF), c.get(VF_COEF), 0.5,
                c.get(NORM_ADVANTAGES), Double.NaN, 1, 1);
    }

    @TestFactory
    Stream<DynamicTest> ppoLossTermsMatchCleanRl() {
        return Parity.tests(policyLoss(), valueLoss(true), valueLoss(false), normalizeAdvantages(), approxKl(), loss());
    }
}
