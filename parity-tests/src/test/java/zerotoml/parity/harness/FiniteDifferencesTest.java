package zerotoml.parity.harness;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Precision;
import zerotoml.fixtures.Source;
import zerotoml.fixtures.Tolerance;
import zerotoml.parity.harness.OpSpec.Check;
import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.Tensor;

/**
 * The finite-difference check's floor ({@link Parity#numericGradient}): a scalar output of 1e8
 * leaves rounding noise above the tolerance in the difference of a small term beside it; the
 * floor admits that noise and not much more, so a planted gradient bug on the small term still
 * fails.
 *
 * <p>The op: 1e7·a² + b², a in [1, 3], b in [0.5, 1.5]. ∂/∂b = 2b·w, 1 to 3 times the cotangent
 * w; the two evaluations of the output (up to 9e7, ulp 1.5e-8) round by up to 1.5e-8 between
 * them, 7.5e-3·|w| over 2h = 2e-6, against the tolerance's 1e-5 + 1e-3·2b·|w|. The floor there is
 * 2^-52·1.8e8·|w|/2e-6 = 0.02·|w|.
 */
@ExtendWith(OutsideTheRun.class)
class FiniteDifferencesTest {
    static final int CASES = 50;

    static final Gen<Case> CASES_GEN = s -> new Case(List.of(Cases.arr(s, new int[] {1}, Domain.range(1, 3)),
            Cases.arr(s, new int[] {1}, Domain.range(0.5, 1.5))), Cases.cotangentSeed(s));

    /** 1e7·a² + b², with ∂b scaled by {@code bFactor} in the backward only (1: right). */
    static OpSpec bigBesideSmall(double bFactor) {
        return OpSpec.op("1e7·a² + b² (planted ∂b × " + bFactor + ")").cases(CASES_GEN)
                .scratch((c, x) -> {
                    Tensor a = x.get(0), b = x.get(1);
                    Tensor out = Arithmetic.add(a.detach().mul(a.detach()).mul(1e7), b.detach().mul(b.detach()));
                    return Tensor.record("bigBesideSmall", out.shape(), out.dtype(), out.toArray(),
                            g -> new Tensor[] {Arithmetic.mul(g, a.detach().mul(2e7)), Arithmetic.mul(g, b.detach().mul(2 * bFactor))}, a, b);
                })
                .reference((c, x) -> x.get(0).mul(x.get(0)).mul(1e7).add(x.get(1).mul(x.get(1))));
    }

    @Test
    void theRoundingOfALargeOutputIsAboveAtolOnSomeCaseAndWithinTheFloorOnEvery() {
        OpSpec s = bigBesideSmall(1);
        Tolerance fd = Tolerance.finiteDifferences();
        int aboveAtol = 0;
        for (int k = 0; k < CASES; k++) {
            Case c = CASES_GEN.draw(Source.random(k));
            Parity.Numeric n = Parity.numericGradient(s, c, 1);
            double b = c.input(1).data()[0], w = c.cotangent(new int[] {1})[0], exact = 2 * b * w;
            double err = Math.abs(n.values()[0] - exact);
            if (err > fd.atol() + fd.rtol() * Math.abs(exact)) aboveAtol++;
            assertTrue(err <= n.floor() + fd.atol() + fd.rtol() * Math.abs(exact), "case " + k + ": error " + err + ", floor " + n.floor());
        }
        assertTrue(aboveAtol > 0, "no case showed the noise the floor is for: the test no longer tests it");
    }

    @Test
    void theCheckPassesWithTheFloor() {
        assertTrue(Parity.outcome(bigBesideSmall(1), Precision.F64, Check.FINITE_DIFFERENCES, CASES).failure().isEmpty());
    }

    @Test
    void aPlantedGradientBugBesideTheLargeOutputStillFails() {
        // ∂b 10% off: 0.1 to 0.3·|w|, five to fifteen times the floor
        assertTrue(Parity.outcome(bigBesideSmall(1.1), Precision.F64, Check.FINITE_DIFFERENCES, CASES).failure().isPresent());
    }
}
