package zerotoml.parity.tensor;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.function.BinaryOperator;
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
import zerotoml.scratch.tensor.Selection;
import zerotoml.scratch.tensor.Tensor;

/**
 * Element-wise selection against PyTorch: clamp, maximum, minimum, where. The tie rules (clamp's
 * gradient at its bounds, half the gradient to each side of a tie in maximum and minimum) are
 * forced by integer-valued cases, which check forward and gradient but not finite differences,
 * since these ops have kinks exactly there.
 */
class SelectionParityTest {
    static final Arg<Double> MIN = Arg.real("min");
    static final Arg<Double> MAX = Arg.real("max");

    static Arr zeros(int... shape) {
        return new Arr(shape, new double[Gens.size(shape)]);
    }

    /** Two inputs whose shapes cannot broadcast: [2, 3] and [4]. */
    static Case clash() {
        return new Case(List.of(zeros(2, 3), zeros(4)), 0);
    }

    /**
     * clamp's bounds: mostly lo ≤ hi, sometimes one side open (±∞), sometimes lo > hi (PyTorch
     * documents that every element then becomes hi). With {@code integers} the bounds are small
     * integers so that x lands on them; otherwise x keeps 1e-3 away from each finite bound.
     */
    static Gen<Case> clampCases(boolean integers) {
        return s -> {
            int[] shape = Gens.shape(0, Cases.MAX_RANK, Cases.MAX_DIM).draw(s);
            double lo = integers ? s.intBetween(-2, 1) : s.doubleBetween(-2.5, 1);
            double hi = lo + (integers ? s.intBetween(0, 2) : s.doubleBetween(0, 3));
            switch (s.intBetween(0, 7)) {
                case 1 -> lo = Double.NEGATIVE_INFINITY;
                case 2 -> hi = Double.POSITIVE_INFINITY;
                case 3 -> {
                    double t = lo;
                    lo = hi + 1;
                    hi = t;
                }
                default -> { }
            }
            Domain d = integers ? Domain.integers(-3, 3) : Domain.standard().avoiding(1e-3, finite(lo), finite(hi));
            return new Case(List.of(Cases.arr(s, shape, d)), Cases.cotangentSeed(s)).with(MIN, lo).with(MAX, hi);
        };
    }

    /** An infinite bound has no kink to avoid; map it far outside the value range. */
    private static double finite(double v) {
        return Double.isInfinite(v) ? 1e9 : v;
    }

    /** cond, a, b with shapes that broadcast together; cond holds -1, 0 and 1 (non-zero = true). */
    static Gen<Case> whereCases(Domain values) {
        return s -> {
            int[] full = Gens.shape(0, Cases.MAX_RANK, Cases.MAX_DIM).draw(s);
            int[] c = Gens.thin(s, full), a = Gens.thin(s, full), b = Gens.thin(s, full);
            return new Case(List.of(Cases.arr(s, c, Domain.integers(-1, 1)), Cases.arr(s, a, values), Cases.arr(s, b, values)), Cases.cotangentSeed(s));
        };
    }

    static OpSpec binary(String name, Domain d, BinaryOperator<Tensor> mine, BinaryOperator<NDArray> ref) {
        return OpSpec.op(name).cases(Cases.binary(d, d))
                .scratch((c, x) -> mine.apply(x.get(0), x.get(1)))
                .reference((c, x) -> ref.apply(x.get(0), x.get(1)));
    }

    @TestFactory
    Stream<DynamicTest> selection() {
        String tiesNoFd = "integer cases put values exactly on the kink, where the gradient is PyTorch's convention, not a derivative";
        Domain ints = Domain.integers(-2, 2);
        return Parity.tests(
                OpSpec.op("clamp").cases(clampCases(false))
                        .scratch((c, x) -> Selection.clamp(x.get(0), c.get(MIN), c.get(MAX)))
                        .reference((c, x) -> Ref.clamp(x.get(0), c.get(MIN), c.get(MAX))),
                OpSpec.op("clamp (integers, on the bounds)").cases(clampCases(true))
                        .scratch((c, x) -> Selection.clamp(x.get(0), c.get(MIN), c.get(MAX)))
                        .reference((c, x) -> Ref.clamp(x.get(0), c.get(MIN), c.get(MAX)))
                        .noFiniteDifferences(tiesNoFd),
                binary("maximum", Domain.standard(), Selection::maximum, Ref::maximum)
                        .rejects("shapes that do not broadcast", clash(), "[2, 3]", "[4]"),
                binary("maximum (integers, ties split the gradient)", ints, Selection::maximum, Ref::maximum)
                        .noFiniteDifferences(tiesNoFd),
                binary("minimum", Domain.standard(), Selection::minimum, Ref::minimum)
                        .rejects("shapes that do not broadcast", clash(), "[2, 3]", "[4]"),
                binary("minimum (integers, ties split the gradient)", ints, Selection::minimum, Ref::minimum)
                        .noFiniteDifferences(tiesNoFd),
                OpSpec.op("where").cases(whereCases(Domain.standard()))
                        .scratch((c, x) -> Selection.where(x.get(0), x.get(1), x.get(2)))
                        .reference((c, x) -> Ref.where(x.get(0), x.get(1), x.get(2)))
                        .constantInputs(0)
                        .rejects("a condition that does not broadcast with a",
                                new Case(List.of(zeros(2, 3), zeros(4), zeros()), 0), "cond [2, 3]", "a [4]", "b []")
                        .rejects("a and b that do not broadcast",
                                new Case(List.of(zeros(1), zeros(2, 3), zeros(2)), 0), "cond [1]", "a [2, 3]", "b [2]"));
    }
}
