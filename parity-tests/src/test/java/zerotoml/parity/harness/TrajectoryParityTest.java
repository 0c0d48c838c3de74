package zerotoml.parity.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Precision;
import zerotoml.fixtures.Tolerance;
import zerotoml.parity.harness.TrajectoryParity.Result;
import zerotoml.parity.harness.TrajectoryParity.Side;
import zerotoml.parity.harness.TrajectoryParity.Verdict;

/**
 * The harness's trajectory check judges itself: its verdict rules on hand-made evidence, and planted
 * defects on a toy trajectory (running sums of drawn steps, a momentum-free SGD on a line), where
 * the "reference" is a plain Java twin that glitches on chosen calls.
 */
class TrajectoryParityTest {
    static final int CASES = 25;
    static final Tolerance F64 = Tolerance.of(Precision.F64);

    /** A case: the drawn steps of a walk. */
    record Walk(double[] steps) {
        @Override
        public String toString() {
            return steps.length + " steps";
        }
    }

    static final Gen<Walk> WALKS = s -> {
        double[] d = new double[s.intBetween(2, 6)];
        for (int i = 0; i < d.length; i++) d[i] = s.doubleBetween(0.5, 1.5);
        return new Walk(d);
    };

    /** The running sums, scaled by {@code factor} after the first step (1: right). */
    static double[][] sums(Walk w, double factor) {
        double[][] out = new double[w.steps().length][];
        double x = 0;
        for (int t = 0; t < out.length; t++) {
            x += w.steps()[t];
            out[t] = new double[] {t == 0 ? x : factor * x};
        }
        return out;
    }

    static final Side<Walk> SCRATCH = (w, p) -> sums(w, 1);
    static final Side<Walk> SCRATCH_BUG = (w, p) -> sums(w, 1.01);

    /** A reference that scales its answer by {@code factor(n)} on its n-th call (1: right). */
    static Side<Walk> reference(IntUnaryOperator factor) {
        AtomicInteger calls = new AtomicInteger();
        return (w, p) -> sums(w, factor.applyAsInt(calls.getAndIncrement()));
    }

    static Result run(Side<Walk> scratch, Side<Walk> reference, boolean adjudicate) {
        TrajectoryParity.Adjudicator<Walk> a = adjudicate ? TrajectoryParity.reproduction(reference) : TrajectoryParity.none();
        return TrajectoryParity.run("walk", "trajectory", Precision.F64, WALKS, scratch, reference, F64, a, true, CASES);
    }

    @Test
    void agreeingTrajectoriesGiveAGreenRowWithNoAdjudicatedCase() {
        Result r = run(SCRATCH, reference(n -> 1), true);
        assertTrue(r.row().ok(), r.row().toString());
        assertEquals(0, r.row().adjudicated());
        assertEquals(CASES, r.row().cases());
    }

    @Test
    void aFirstReferenceRunThatTwoReRunsContradictIsClearedAndTheRowTurnsAmber() {
        // every third call glitches: each case's first run, then two clean re-runs
        Result r = run(SCRATCH, reference(n -> n % 3 == 0 ? 1000 : 1), true);
        assertTrue(r.row().ok(), r.row().toString());
        assertTrue(r.row().adjudicatedDefects(), "a cleared case must leave the row amber");
        assertEquals(CASES, r.row().adjudicated());
        assertTrue(r.row().note().contains(CASES + " case(s)"), r.row().note());
    }

    @Test
    void aScratchBugIsCaughtEvenWhenTheReferenceGlitchesOnTheSameCase() {
        Result r = run(SCRATCH_BUG, reference(n -> n % 3 == 0 ? 1000 : 1), true);
        assertFalse(r.row().ok(), "a wrong scratch must fail whatever the reference does");
        assertTrue(r.row().failure().contains("Verdict: scratch wrong"), r.row().failure());
        assertNotNull(r.row().replay());
    }

    @Test
    void aReferenceThatNeverReproducesItselfLeavesTheCaseUndecidedAndFailing() {
        Result r = run(SCRATCH, reference(n -> n + 2), true);
        assertFalse(r.row().ok());
        assertTrue(r.row().failure().contains("Verdict: undecided"), r.row().failure());
    }

    @Test
    void aReferenceThatIsConsistentlyWrongFailsTheCase() {
        Result r = run(SCRATCH, reference(n -> n == 0 ? 1000 : 3), true);
        assertFalse(r.row().ok(), "a reproducible disagreement is a real one");
    }

    @Test
    void withoutAnAdjudicatorEveryDisagreementFails() {
        Result r = run(SCRATCH, reference(n -> n % 3 == 0 ? 1000 : 1), false);
        assertFalse(r.row().ok());
        assertEquals(0, r.row().adjudicated());
    }

    @Test
    void aCheckWhoseTrajectoriesNeverMoveFailsWhenItMustMoveAndCountsThemEitherWay() {
        Side<Walk> still = (w, p) -> {
            double[][] out = new double[w.steps().length][];
            for (int t = 0; t < out.length; t++) out[t] = new double[] {w.steps()[0]};
            return out;
        };
        Result must = TrajectoryParity.run("still", "trajectory", Precision.F64, WALKS, still, still, F64, TrajectoryParity.none(), true, CASES);
        assertFalse(must.row().ok());
        assertTrue(must.row().failure().contains("did not move in " + CASES + " of " + CASES), must.row().failure());
        Result may = TrajectoryParity.run("still", "trajectory", Precision.F64, WALKS, still, still, F64, TrajectoryParity.none(), false, CASES);
        assertTrue(may.row().ok());
        assertTrue(may.row().note().startsWith(CASES + " of " + CASES + " cases had a trajectory that did not move"), may.row().note());
        assertNull(run(SCRATCH, reference(n -> 1), true).row().note(), "moving trajectories need no note");
    }

    @Test
    void theReproductionRuleClearsOnlyAFirstRunThatTwoAgreeingReRunsContradictAndThatAgreeWithScratch() {
        double[] mine = {2.0, 1.5}, same = {2.0, 1.5}, garbage = {2.0, 5.1e24}, other = {2.0, 1.4};
        // the first run is contradicted by two identical re-runs that agree with scratch: PyTorch's defect
        assertTrue(TrajectoryParity.reproduced(mine, garbage, same, same.clone(), F64).cleared());
        // the first run is reproduced: its answer stands, scratch is wrong
        Verdict v = TrajectoryParity.reproduced(other, garbage, garbage.clone(), garbage.clone(), F64);
        assertFalse(v.cleared());
        assertTrue(v.evidence().endsWith("scratch wrong"), v.evidence());
        // the re-runs agree with each other but not with scratch: not cleared
        assertFalse(TrajectoryParity.reproduced(other, garbage, same, same.clone(), F64).cleared());
        // three different answers: undecided, never cleared
        Verdict u = TrajectoryParity.reproduced(mine, garbage, same, other, F64);
        assertFalse(u.cleared());
        assertTrue(u.evidence().endsWith("undecided"), u.evidence());
    }

    @Test
    void theFloat64RuleClearsOnlyAnUnreproducibleReferenceWhenScratchIsAtLeastAsCloseToFloat64() {
        double[] truth = {1.0, 0.9}, mine = {1.0, 0.90001}, near = {1.0, 0.90002}, far = {1.0, 0.90004};
        // PyTorch gives two answers, both farther from float64 than scratch: a reference defect
        assertTrue(TrajectoryParity.closerToFloat64(mine, mine.clone(), List.of(near, far, near), truth).cleared());
        // PyTorch reproducible: its answer stands, scratch is wrong
        Verdict v = TrajectoryParity.closerToFloat64(mine, mine.clone(), List.of(far, far, far), truth);
        assertFalse(v.cleared());
        assertTrue(v.evidence().endsWith("scratch wrong"), v.evidence());
        // PyTorch not reproducible, but scratch farther from float64 than any PyTorch run: undecided
        assertFalse(TrajectoryParity.closerToFloat64(far, far.clone(), List.of(mine, near, mine), truth).cleared());
        // scratch not reproducible: never cleared
        assertFalse(TrajectoryParity.closerToFloat64(mine, near, List.of(near, far, near), truth).cleared());
    }
}
