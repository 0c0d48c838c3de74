package zerotoml.parity.harness;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Precision;
import zerotoml.fixtures.Source;
import zerotoml.parity.harness.OpSpec.Check;
import zerotoml.scratch.tensor.Tensor;

/**
 * Per-case tolerances ({@link OpSpec#conditioned}, {@link OpSpec#perturbationConditioned}) admit
 * the float32 error a case's own cancellation explains, and nothing more: a planted bug still
 * fails, on ill-conditioned and on well-conditioned cases.
 *
 * <p>The op: a·c − b·c on the scratch side (two roundings, then a difference that cancels when
 * a ≈ b), (a − b)·c on the reference side (exact difference, one rounding). With b = a(1 + δ) the
 * scratch result is off by up to 2^-24·|a|/|a − b| = 2^-24/δ relative: 6e-4 at δ = 1e-4.
 */
@ExtendWith(OutsideTheRun.class)
class ConditioningTest {
    static final int CASES = 50;

    /** a in [1000, 2000] (so the error is above atol), b = a(1 + δ) with δ in [lo, hi], c in [1, 2]; float32 values. */
    static Gen<Case> closePairs(double lo, double hi) {
        return triples(lo, hi, (a, delta) -> a * (1 + delta));
    }

    /** a in [1000, 2000], {@code second(a, δ)} with δ in [lo, hi], c in [1, 2]; float32 values. */
    static Gen<Case> triples(double lo, double hi, DoubleBinaryOperator second) {
        return s -> {
            int n = s.intBetween(1, 4);
            double[] a = new double[n], b = new double[n], c = new double[n];
            for (int i = 0; i < n; i++) {
                a[i] = (float) s.doubleBetween(1000, 2000);
                b[i] = (float) second.applyAsDouble(a[i], s.doubleBetween(lo, hi));
                c[i] = (float) s.doubleBetween(1, 2);
            }
            int[] shape = {n};
            return new Case(List.of(new Arr(shape, a), new Arr(shape, b), new Arr(shape, c)), Cases.cotangentSeed(s));
        };
    }

    static OpSpec differenceOfProducts(Gen<Case> cases, double plantedFactor) {
        return OpSpec.op("a·c − b·c against (a − b)·c").cases(cases)
                .scratch((c, x) -> x.get(0).mul(x.get(2)).sub(x.get(1).mul(x.get(2))).mul(plantedFactor))
                .reference((c, x) -> x.get(0).sub(x.get(1)).mul(x.get(2)));
    }

    static boolean passes(OpSpec s) {
        return Parity.outcome(s, Precision.F32, Check.FORWARD, CASES).failure().isEmpty();
    }

    @Test
    void cancellationFailsTheDefaultToleranceAndPassesWithItsMeasuredBound() {
        assertFalse(passes(differenceOfProducts(closePairs(1e-4, 1e-3), 1)), "2^-24/δ relative is far above rtol 1.3e-6");
        assertTrue(passes(differenceOfProducts(closePairs(1e-4, 1e-3), 1).perturbationConditioned(Precision.F32, Check.FORWARD, "test")));
    }

    @Test
    void aClosedFormBoundDoesTheSame() {
        // per case: 2·2^-23·max |a|/|a − b|
        OpSpec s = differenceOfProducts(closePairs(1e-4, 1e-3), 1).conditioned(Precision.F32, Check.FORWARD, c -> {
            double k = 0;
            for (int i = 0; i < c.input(0).data().length; i++) {
                double a = c.input(0).data()[i], b = c.input(1).data()[i];
                k = Math.max(k, Math.abs(a) / Math.abs(a - b));
            }
            return 2 * 0x1p-23 * k;
        }, "test");
        assertTrue(passes(s));
    }

    @Test
    void aPlantedBugStillFailsOnIllConditionedCases() {
        // 5% off: the measured bound on these cases is at most 4·2·2^-24/1e-4 ≈ 0.5%
        assertFalse(passes(differenceOfProducts(closePairs(1e-4, 1e-3), 1.05).perturbationConditioned(Precision.F32, Check.FORWARD, "test")));
    }

    @Test
    void aPlantedBugStillFailsOnWellConditionedCases() {
        // 1e-4 off where nothing cancels (δ ≥ 0.5): the bound stays near 4·2^-24·6 ≈ 1.4e-6
        assertFalse(passes(differenceOfProducts(closePairs(0.5, 1), 1 + 1e-4).perturbationConditioned(Precision.F32, Check.FORWARD, "test")));
    }

    /** a in [1000, 2000], d = aδ with δ in [lo, hi], c in [1, 2]; float32 values. */
    static Gen<Case> smallBeside(double lo, double hi) {
        return triples(lo, hi, (a, delta) -> a * delta);
    }

    /**
     * u = a + d rounded inside the op, then (u − a)·c, against d·c: with d = aδ the rounding of u
     * is 2^-24/δ relative in the result, while moving a, d and c by one rounding each moves the
     * float64 result by about 2^-24 only, so only a probe of u itself sees it.
     */
    static OpSpec roundedInside(double plantedFactor) {
        return OpSpec.op("(a + d) − a against d").cases(smallBeside(1e-4, 1e-3))
                .scratch((c, x) -> sumThenDifference(x, null).mul(plantedFactor))
                .reference((c, x) -> x.get(1).mul(x.get(2)));
    }

    /** (a + d − a)·c, with u = a + d moved by sign × 2^-24|u| when a sign is given. */
    static Tensor sumThenDifference(List<Tensor> x, IntSupplier sign) {
        Tensor u = x.get(0).add(x.get(1));
        if (sign != null) {
            double[] v = u.toArray();
            for (int i = 0; i < v.length; i++) v[i] += sign.getAsInt() * 0x1p-24 * Math.abs(v[i]);
            u = Tensor.of(u.dtype(), v, u.shape().dims());
        }
        return u.sub(x.get(0)).mul(x.get(2));
    }

    static OpSpec probedInside(OpSpec s, double plantedFactor) {
        return s.perturbationConditioned(Precision.F32, Check.FORWARD, (c, x, sign) -> sumThenDifference(x, sign).mul(plantedFactor), "test");
    }

    @Test
    void aRoundingInsideTheOpIsMissedByTheInputProbeAndCaughtByTheInnerOne() {
        assertFalse(passes(roundedInside(1).perturbationConditioned(Precision.F32, Check.FORWARD, "test")), "the inputs' rounding does not reach u's");
        assertTrue(passes(probedInside(roundedInside(1), 1)));
    }

    @Test
    void aPlantedBugStillFailsWithTheInnerProbe() {
        // 5% off: the inner probe's bound is at most 4·2^-24/1e-4 ≈ 0.25%
        assertFalse(passes(probedInside(roundedInside(1.05), 1.05)));
    }

    @Test
    void theInnerProbeIsForwardOnly() {
        assertThrows(IllegalArgumentException.class,
                () -> roundedInside(1).perturbationConditioned(Precision.F32, Check.GRADIENT, (c, x, sign) -> sumThenDifference(x, sign), "test"));
    }

    @Test
    void theBoundIsZeroOrTinyWhereNothingCancels() {
        OpSpec s = differenceOfProducts(closePairs(0.5, 1), 1).perturbationConditioned(Precision.F32, Check.FORWARD, "test");
        Case c = closePairs(0.5, 1).draw(Source.random(7));
        double extra = s.tolerance(Precision.F32, Check.FORWARD, c).rtol() - s.tolerance(Precision.F32, Check.FORWARD).rtol();
        assertTrue(extra < 1e-5, "extra rtol " + extra);
        assertTrue(passes(s));
    }
}
