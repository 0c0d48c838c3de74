package zerotoml.parity.tensor;

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
import zerotoml.parity.harness.Case.Arg;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.tensor.Losses;
import zerotoml.scratch.tensor.Losses.Reduction;

/**
 * Cross-entropy with integer targets, MSE, L1, Huber and smooth L1, each with mean and sum reduction,
 * against the definitions of F.cross_entropy, F.mse_loss, F.l1_loss, F.huber_loss and
 * F.smooth_l1_loss written with PyTorch ops.
 */
class LossesParityTest {
    static final Arg<Double> DELTA = Arg.real("delta");
    static final Arg<Double> BETA = Arg.real("beta");

    static final Domain STD = Domain.standard();

    /**
     * The domain of the checks against PyTorch: one value in twenty is NaN, ±∞, ±0 or subnormal
     * ({@link Domain#ACCUMULATION_SPECIALS}: a loss is a sum, and huge values of both signs would
     * make it depend on the order of summation). Finite differences draw from {@link #STD}.
     */
    static final Domain SPECIAL = STD.withSpecials(Cases.SPECIAL_SHARE, Domain.ACCUMULATION_SPECIALS);

    /** Logits [C], [N, C] or [B, T, V], and one target class per leading position. */
    static Gen<Case> crossEntropyCases(Domain d) {
        return s -> {
            int[] lead = Gens.shape(0, 2, 4).draw(s);
            int c = s.intBetween(1, 6);
            int[] shape = Arrays.copyOf(lead, lead.length + 1);
            shape[lead.length] = c;
            Arr logits = Cases.arr(s, shape, d);
            Arr targets = IntegerArgs.draw(s, lead, 0, c - 1);
            return new Case(List.of(logits, targets), Cases.cotangentSeed(s));
        };
    }

    static Case logitsAndTargets(int[] logitShape, int[] targetShape, int... targets) {
        return new Case(List.of(new Arr(logitShape, new double[Gens.size(logitShape)]), IntegerArgs.of(targetShape, targets)), 0);
    }

    static OpSpec crossEntropy(Reduction r) {
        boolean mean = r == Reduction.MEAN;
        return OpSpec.op("crossEntropy (" + r.name().toLowerCase() + ")")
                .cases(crossEntropyCases(SPECIAL)).finiteDifferenceCases(crossEntropyCases(STD))
                .scratch((c, x) -> Losses.crossEntropy(x.get(0), IntegerArgs.ints(x.get(1)), r))
                .reference((c, x) -> Ref.crossEntropy(x.get(0), x.get(1), mean))
                .constantInputs(1)
                .rejects("a target equal to the number of classes", logitsAndTargets(new int[] {2, 3}, new int[] {2}, 0, 3), "3", "[2, 3]", "targets")
                .rejects("a negative target", logitsAndTargets(new int[] {2, 3}, new int[] {2}, -1, 0), "-1", "[2, 3]")
                .rejects("fewer targets than positions", logitsAndTargets(new int[] {4, 3}, new int[] {3}, 0, 1, 2), "3 targets", "[4, 3]")
                .rejects("0-d logits, which have no class axis", logitsAndTargets(new int[] {}, new int[] {}, 0), "logits", "[]")
                .rejectsWhereTorchAccepts("target -100, which F.cross_entropy skips as its default ignore_index; scratch has no ignore_index",
                        logitsAndTargets(new int[] {2, 3}, new int[] {2}, -100, 0), "-100", "[2, 3]");
    }

    /** Two inputs of one shape; for L1 the second differs from the first by at least 1e-3, off the kink. */
    static Gen<Case> pairs(boolean awayFromKink, Domain first) {
        return s -> {
            int[] shape = Gens.shape(0, 4, 5).draw(s);
            Arr a = Cases.arr(s, shape, first);
            Arr d = Cases.arr(s, shape, awayFromKink ? STD.avoiding(1e-3, 0) : STD);
            double[] b = new double[a.data().length];
            for (int i = 0; i < b.length; i++) b[i] = a.data()[i] - d.data()[i];
            return new Case(List.of(a, new Arr(shape, b)), Cases.cotangentSeed(s));
        };
    }

    static Case mismatched() {
        return new Case(List.of(new Arr(new int[] {3}, new double[3]), new Arr(new int[] {3, 1}, new double[3])), 0);
    }

    /** The same mismatched shapes, with a value for the loss's threshold argument. */
    static Case mismatched(Arg<Double> arg, double value) {
        return new Case(List.of(new Arr(new int[] {3}, new double[3]), new Arr(new int[] {3, 1}, new double[3])), 0).with(arg, value);
    }

    static OpSpec mse(Reduction r) {
        boolean mean = r == Reduction.MEAN;
        return OpSpec.op("mse (" + r.name().toLowerCase() + ")")
                .cases(pairs(false, SPECIAL)).finiteDifferenceCases(pairs(false, STD))
                .scratch((c, x) -> Losses.mse(x.get(0), x.get(1), r))
                .reference((c, x) -> Ref.mse(x.get(0), x.get(1), mean))
                .rejectsWhereTorchAccepts("shapes [3] and [3, 1]: F.mse_loss broadcasts them to [3, 3] with only a warning", mismatched(), "[3]", "[3, 1]");
    }

    static OpSpec l1(Reduction r) {
        boolean mean = r == Reduction.MEAN;
        return OpSpec.op("l1 (" + r.name().toLowerCase() + ")")
                .cases(pairs(true, SPECIAL)).finiteDifferenceCases(pairs(true, STD))
                .scratch((c, x) -> Losses.l1(x.get(0), x.get(1), r))
                .reference((c, x) -> Ref.l1(x.get(0), x.get(1), mean))
                .rejectsWhereTorchAccepts("shapes [3] and [3, 1]: F.l1_loss broadcasts them to [3, 3] with only a warning", mismatched(), "[3]", "[3, 1]");
    }

    /** Two inputs of one shape whose differences keep 1e-3 away from ±δ, where the loss switches from quadratic to linear. */
    static Gen<Case> pairsAwayFrom(Arg<Double> name, double delta, Domain first) {
        return s -> {
            int[] shape = Gens.shape(0, 4, 5).draw(s);
            Arr a = Cases.arr(s, shape, first);
            Arr d = Cases.arr(s, shape, STD.avoiding(1e-3, -delta, delta));
            double[] b = new double[a.data().length];
            for (int i = 0; i < b.length; i++) b[i] = a.data()[i] - d.data()[i];
            return new Case(List.of(a, new Arr(shape, b)), Cases.cotangentSeed(s)).with(name, delta);
        };
    }

    /** Two zero vectors of length 2 with this value of the loss's threshold argument. */
    static Case threshold(Arg<Double> name, double value) {
        return new Case(List.of(new Arr(new int[] {2}, new double[2]), new Arr(new int[] {2}, new double[2])), 0).with(name, value);
    }

    static OpSpec huber(Reduction r, double delta) {
        boolean mean = r == Reduction.MEAN;
        return OpSpec.op("huber (" + r.name().toLowerCase() + ", delta " + delta + ")")
                .cases(pairsAwayFrom(DELTA, delta, SPECIAL)).finiteDifferenceCases(pairsAwayFrom(DELTA, delta, STD))
                .scratch((c, x) -> Losses.huber(x.get(0), x.get(1), c.get(DELTA), r))
                .reference((c, x) -> Ref.huber(x.get(0), x.get(1), c.get(DELTA), mean))
                .rejects("delta 0", threshold(DELTA, 0.0), "delta", "0")
                .rejects("a negative delta", threshold(DELTA, -1.0), "delta", "-1")
                .rejectsWhereTorchAccepts("shapes [3] and [3, 1]: F.huber_loss broadcasts them to [3, 3] with only a warning", mismatched(DELTA, delta), "[3]", "[3, 1]");
    }

    static OpSpec smoothL1(Reduction r, double beta) {
        boolean mean = r == Reduction.MEAN;
        OpSpec spec = OpSpec.op("smoothL1 (" + r.name().toLowerCase() + ", beta " + beta + ")")
                .cases(pairsAwayFrom(BETA, beta, SPECIAL)).finiteDifferenceCases(pairsAwayFrom(BETA, beta, STD))
                .scratch((c, x) -> Losses.smoothL1(x.get(0), x.get(1), c.get(BETA), r))
                .reference((c, x) -> Ref.smoothL1(x.get(0), x.get(1), c.get(BETA), mean));
        if (beta > 0) {
            spec.rejects("a negative beta", threshold(BETA, -1.0), "beta", "-1")
                    .rejectsWhereTorchAccepts("shapes [3] and [3, 1]: F.smooth_l1_loss broadcasts them to [3, 3] with only a warning", mismatched(BETA, beta), "[3]", "[3, 1]");
        }
        return spec;
    }

    @TestFactory
    Stream<DynamicTest> losses() {
        return Parity.tests(crossEntropy(Reduction.MEAN), crossEntropy(Reduction.SUM),
                mse(Reduction.MEAN), mse(Reduction.SUM), l1(Reduction.MEAN), l1(Reduction.SUM),
                huber(Reduction.MEAN, 1), huber(Reduction.SUM, 0.5), smoothL1(Reduction.MEAN, 1), smoothL1(Reduction.SUM, 0.5), smoothL1(Reduction.MEAN, 0));
    }
}
