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
import org.junit.jupiter.api.extension.ExtendWith;
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
@ExtendWith(OutsideTheRun.class)
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

    static final Tolerance F32 = Tolerance.of(Precision.F32);

    /** The running sums, in float32 moved off the truth by {@code share} of the float32 allowance at each value; exact in float64. */
    static Side<Walk> roundedOff(double share) {
        return (w, p) -> {
            double[][] out = sums(w, 1);
            if (p == Precision.F32) for (double[] step : out) step[0] += share * (F32.atol() + F32.rtol() * Math.abs(step[0]));
            return out;
        };
    }

    static Result runFloat64(Side<Walk> scratch, Side<Walk> reference) {
        TrajectoryParity.Adjudicator<Walk> a = TrajectoryParity.float64(scratch, reference, w -> new Walk(Precision.F32.round(w.steps())));
        return TrajectoryParity.run("walk", "trajectory", Precision.F32, WALKS, scratch, reference, F32, a, true, CASES);
    }

    @Test
    void twoFloat32TrajectoriesRoundedApartAreClearedByTheFloat64RuleAndTheRowTurnsAmber() {
        // scratch 0.6 of the allowance below the truth at every step, the reference 0.6 above: 1.2 apart
        Result r = runFloat64(roundedOff(-0.6), roundedOff(0.6));
        assertTrue(r.row().ok(), r.row().toString());
        assertEquals(CASES, r.row().adjudicated());
        assertTrue(r.row().note().contains(CASES + " case(s)"), r.row().note());
    }

    @Test
    void aFloat32ScratchTrajectoryBeyondTheToleranceOfTheFloat64OnesFailsWhateverTheReferenceDoes() {
        // scratch 1.1 of the allowance below, the reference 0.2 above: scratch wrong by a hair
        Result r = runFloat64(roundedOff(-1.1), roundedOff(0.2));
        assertFalse(r.row().ok(), "scratch beyond the tolerance of the float64 trajectories must fail");
        assertTrue(r.row().failure().contains("Verdict: scratch wrong"), r.row().failure());
        assertNotNull(r.row().replay());
    }

    @Test
    void aScratchLogicBugThatItsOwnFloat64RunSharesIsCaughtByTheReferencesFloat64Run() {
        // scratch 1% off after the first step in both precisions: its own float64 run agrees with it, the reference's does not
        Side<Walk> bug = (w, p) -> sums(w, 1.01);
        Result r = runFloat64(bug, roundedOff(0.6));
        assertFalse(r.row().ok(), "one float64 oracle sharing scratch's bug must not clear it");
        assertTrue(r.row().failure().contains("Verdict: undecided"), r.row().failure());
    }

    @Test
    void theFloat64RuleGivesAdjudicationsVerdictsOnHandMadeEvidence() {
        double allowance = F32.atol() + F32.rtol();
        double[] truth = {1.0}, below = {1 - 0.6 * allowance}, above = {1 + 0.6 * allowance}, far = {1 + 5 * allowance}, off = {1 - 1.5 * allowance};
        Verdict rounding = TrajectoryParity.againstFloat64(below, above, truth, truth, F32);
        assertTrue(rounding.cleared());
        assertTrue(rounding.evidence().endsWith("rounding on both sides"), rounding.evidence());
        Verdict defect = TrajectoryParity.againstFloat64(below, far, truth, truth, F32);
        assertTrue(defect.cleared());
        assertTrue(defect.evidence().endsWith("reference defect"), defect.evidence());
        Verdict wrong = TrajectoryParity.againstFloat64(off, above, truth, truth, F32);
        assertFalse(wrong.cleared());
        assertTrue(wrong.evidence().endsWith("scratch wrong"), wrong.evidence());
        // scratch backed by one oracle only (its own float64 run is off): undecided, never cleared
        Verdict one = TrajectoryParity.againstFloat64(below, above, truth, off, F32);
        assertFalse(one.cleared());
        assertTrue(one.evidence().endsWith("undecided"), one.evidence());
        // the reference within the tolerance of one oracle only: neither a defect nor rounding
        assertFalse(TrajectoryParity.againstFloat64(below, above, truth, new double[] {1 + 1.2 * allowance}, F32).cleared());
    }

    @Test
    void firstClearedTakesTheSecondRuleOnlyWhereTheFirstDoesNotClear() {
        TrajectoryParity.Adjudicator<Walk> yes = (c, p, m, r, t) -> new Verdict(true, "yes"), no = (c, p, m, r, t) -> new Verdict(false, "no");
        Walk w = new Walk(new double[] {1});
        assertEquals("yes", TrajectoryParity.firstCleared(yes, no).decide(w, Precision.F32, null, null, F32).evidence());
        assertEquals("no\nyes", TrajectoryParity.firstCleared(no, yes).decide(w, Precision.F32, null, null, F32).evidence());
        assertFalse(TrajectoryParity.firstCleared(no, no).decide(w, Precision.F32, null, null, F32).cleared());
    }

    /** A walk that climbs by 100 and comes back: its last value is near 1, reached through 101. */
    static final Gen<Walk> UP_AND_BACK = s -> new Walk(new double[] {s.doubleBetween(0.5, 1.5), 100, -100});

    /** The running sums with {@code off} added to the last value (an absolute error committed on the way). */
    static Side<Walk> lastOffBy(double off) {
        return (w, p) -> {
            double[][] out = sums(w, 1);
            out[out.length - 1][0] += off;
            return out;
        };
    }

    static Result runScaled(Side<Walk> scratch, TrajectoryParity.Scale scale) {
        return TrajectoryParity.run("walk", "trajectory", Precision.F32, UP_AND_BACK, scratch, SCRATCH, F32, scale, TrajectoryParity.none(), true, CASES);
    }

    @Test
    void anErrorCommittedAtTheLargestMagnitudePassesThePathScaleAndFailsTheValueScale() {
        // half of rtol × 101 at a last value near 1: 5 times VALUE's allowance there, half of PATH's
        double off = 0.5 * F32.rtol() * 101;
        assertFalse(runScaled(lastOffBy(off), TrajectoryParity.Scale.VALUE).row().ok());
        Result path = runScaled(lastOffBy(off), TrajectoryParity.Scale.PATH);
        assertTrue(path.row().ok(), path.row().toString());
        assertTrue(path.row().tolerance().reason().contains("largest magnitude"), "a PATH row says why in the report");
    }

    @Test
    void aPlantedBugStillFailsThePathScale() {
        // 1.5 × rtol × 101 off: beyond even the path's allowance; and a 1% bug from the second step on
        assertFalse(runScaled(lastOffBy(1.5 * F32.rtol() * 101 + F32.atol()), TrajectoryParity.Scale.PATH).row().ok());
        assertFalse(runScaled((w, p) -> sums(w, 1.01), TrajectoryParity.Scale.PATH).row().ok());
    }

    @Test
    void pathMagnitudesAreTheRunningLargestOfEitherSideAndStartAfreshOnAnotherLength() {
        double[][] a = {{1, -5}, {3, 2}, {0.5, 1}, {7}}, b = {{2, 1}, {-4, 1}, {1, 1}, {-8}};
        double[][] m = TrajectoryParity.pathMagnitudes(a, b);
        assertEquals(List.of(2.0, 5.0), List.of(m[0][0], m[0][1]));
        assertEquals(List.of(4.0, 5.0), List.of(m[1][0], m[1][1]));
        assertEquals(List.of(4.0, 5.0), List.of(m[2][0], m[2][1]));
        assertEquals(8.0, m[3][0]);
    }
}
