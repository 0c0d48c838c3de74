package zerotoml.parity.harness;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Precision;
import zerotoml.parity.harness.OpSpec.Check;
import zerotoml.scratch.tensor.Arithmetic;

/**
 * The harness's rule for a reference that does not reproduce its own answer (Parity.reproducible):
 * a first result that two identical re-runs contradict is replaced by the reproduced one, and
 * nothing else is forgiven. Scratch is never re-run.
 */
class ReproducibleReferenceTest {
    static final int CASES = 30;

    /** add, whose reference scales its answer (and so its gradients) by {@code factor(n)} on its n-th call; 1 is right. */
    static OpSpec add(boolean scratchBug, IntUnaryOperator factor) {
        AtomicInteger calls = new AtomicInteger();
        return OpSpec.op("add (reference reproducibility)")
                .cases(Cases.binary(Domain.standard(), Domain.standard()))
                .scratch((c, x) -> scratchBug ? Arithmetic.sub(x.get(0), x.get(1)) : Arithmetic.add(x.get(0), x.get(1)))
                .reference((c, x) -> {
                    int n = calls.getAndIncrement();
                    int f = factor.applyAsInt(n);
                    return f == 1 ? x.get(0).add(x.get(1)) : x.get(0).add(x.get(1)).mul((float) f);
                });
    }

    @Test
    void aFirstResultThatTwoReRunsContradictIsReplacedByTheReproducedOne() {
        for (Check check : new Check[] {Check.FORWARD, Check.GRADIENT}) {
            // garbage on the very first call only, the way the DJL glitch showed up
            var o = Parity.outcome(add(false, n -> n == 0 ? 1000 : 1), Precision.F32, check, CASES);
            assertTrue(o.failure().isEmpty(), () -> check + ": " + o.report());
        }
    }

    @Test
    void aScratchBugStillFailsWhenTheReferenceAlsoGlitches() {
        var o = Parity.outcome(add(true, n -> n == 0 ? 1000 : 1), Precision.F64, Check.FORWARD, CASES);
        assertTrue(o.failure().isPresent(), "a wrong scratch must fail whatever the reference does");
    }

    @Test
    void aReferenceThatNeverReproducesItselfFailsTheCase() {
        var o = Parity.outcome(add(false, n -> n + 2), Precision.F64, Check.FORWARD, CASES);
        assertTrue(o.failure().isPresent(), "three different answers cannot pass");
        assertTrue(o.failure().get().error().getMessage().contains("not reproducible"), o.report());
    }

    @Test
    void aReferenceThatIsConsistentlyWrongFailsTheCase() {
        // garbage on the first call, then the same wrong answer on every call: the re-runs reproduce it
        var o = Parity.outcome(add(false, n -> n == 0 ? 1000 : 3), Precision.F64, Check.FORWARD, CASES);
        assertTrue(o.failure().isPresent(), "a reproducible disagreement is a real one");
    }
}
