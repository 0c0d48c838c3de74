package zerotoml.parity.harness;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import org.opentest4j.TestAbortedException;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.ParityLedger;
import zerotoml.fixtures.Precision;
import zerotoml.fixtures.Property;
import zerotoml.fixtures.Tolerance;

/**
 * The harness for sequences, beside {@link Parity} for ops: a property whose every case yields a
 * trajectory from scratch and from the reference (one array per step: an optimiser's parameters, a
 * schedule's learning rates, a model's losses over training steps), compared step by step with one
 * tolerance and recorded as one ledger row.
 *
 * <p>A disagreement is not a failure until it has a verdict (DESIGN.md, "Adjudication"). The caller
 * says how a disagreeing case is adjudicated:
 * <ul>
 *   <li>{@link #reproduction}: PyTorch runs twice more on identical inputs. Scratch is cleared only
 *       when the two re-runs agree with each other bit for bit, contradict the first run, and agree
 *       with scratch within the tolerance: {@code Parity.reproducible}'s rule, for sequences
 *       (a rare first run of garbage is PyTorch's: ReferenceDefects.md, defect 2).</li>
 *   <li>{@link #closerToFloat64}: for a float32 trajectory whose reference is not reproducible, the
 *       float64 trajectory from the same float32-rounded inputs decides.</li>
 *   <li>{@link #float64}: for a float32 trajectory, {@code Adjudication}'s rules with two float64
 *       oracles, the reference's and scratch's float64 trajectories from the same float32-rounded
 *       case (see {@link #againstFloat64}).</li>
 *   <li>{@link #firstCleared}: one rule, then another where the first does not clear the case.</li>
 *   <li>{@link #NONE}: every disagreement fails.</li>
 * </ul>
 * A cleared case passes and is counted: the row is amber and its note says how many. Tolerances are
 * never widened. {@code mustMove} asks that most cases' trajectories change between the first and
 * the last step, so that a check cannot pass by comparing sequences that never move; the cases that
 * do not move are counted in the row's note either way.
 */
public final class TrajectoryParity {
    private TrajectoryParity() {}

    /** Produces a trajectory (one array per step) for a case in a precision. */
    @FunctionalInterface
    public interface Side<C> {
        double[][] run(C c, Precision p);
    }

    /** What adjudication found for one disagreeing case: cleared or not, and the evidence either way. */
    public record Verdict(boolean cleared, String evidence) {}

    /**
     * How a step's allowance scales. {@link #VALUE}: rtol times the reference's value at that step,
     * assert_close's rule. {@link #PATH}: rtol times the largest magnitude the element has had on
     * either side up to and including that step. Why PATH exists: a float32 trajectory rounds each
     * step at the magnitude it has then, and an absolute error committed at magnitude M stays when
     * the value later shrinks (the deep run's {@code Sgd (DJL built-in)} case: one parameter went
     * from 3.7 up to 28.8 and back to 0.45 over 19 steps of momentum 0.93; the half-ulp of 28.8 is
     * 9.5e-7, and scratch's 1.3e-5 at 0.45 is 7 ulps of 28.8 after 19 steps, over VALUE's 1.06e-5
     * there). The default rtol (1.3e-6, about 22 float32 roundings) is kept, applied to the path's
     * magnitude: the bound comes from the case's own trajectory, never from the error seen. A
     * trajectory that never shrinks gets exactly VALUE's allowance.
     */
    public enum Scale {
        VALUE, PATH;

        /** The reason a PATH row's tolerance carries in the report. */
        static final String PATH_REASON = "per step, rtol × the largest magnitude each element has had so far on either side: float32 "
                + "roundings committed at a larger magnitude stay when a value shrinks";
    }

    /** Decides a case where scratch's and the reference's trajectories disagree. */
    @FunctionalInterface
    public interface Adjudicator<C> {
        Verdict decide(C c, Precision p, double[][] mine, double[][] ref, Tolerance tol);
    }

    /** No adjudication: every disagreement fails the case. */
    public static <C> Adjudicator<C> none() {
        return (c, p, mine, ref, tol) -> new Verdict(false, "No adjudication for this check. Verdict: scratch wrong");
    }

    /** The reproduction rule: the reference re-runs twice on identical inputs (see {@link #reproduced}). */
    public static <C> Adjudicator<C> reproduction(Side<C> reference) {
        return (c, p, mine, ref, tol) -> reproduced(flat(mine), flat(ref), flat(reference.run(c, p)), flat(reference.run(c, p)), tol);
    }

    /**
     * The reproduction verdict from PyTorch's three runs on identical inputs and scratch's
     * trajectory: cleared only when the two re-runs agree with each other bit for bit, contradict
     * the first run, and agree with scratch within {@code tol}; a reproduced first run stands
     * (scratch wrong); three different answers are undecided.
     */
    public static Verdict reproduced(double[] mine, double[] ref, double[] ref2, double[] ref3, Tolerance tol) {
        boolean reproduced = Arrays.equals(ref2, ref3), contradicted = !Arrays.equals(ref, ref2);
        boolean cleared = reproduced && contradicted && tol.compare(mine, ref2).ok();
        String evidence = String.format(Locale.ROOT, "Reproduction: PyTorch runs on identical inputs %s, %s, %s; %s. Verdict: %s",
                Arrays.toString(ref), Arrays.toString(ref2), Arrays.toString(ref3),
                !contradicted ? "the first run is reproduced" : reproduced ? "the two re-runs agree with each other, not with the first" : "three different answers",
                cleared ? "reference defect (a first run the re-runs contradict; scratch agrees with the re-runs)" : reproduced ? "scratch wrong" : "undecided");
        return new Verdict(cleared, evidence);
    }

    /**
     * The float32 verdict when PyTorch's float32 trajectory is no oracle: scratch (run twice) must be
     * bit-identical to itself, PyTorch's float32 runs on identical inputs must differ among
     * themselves, and scratch must be at least as close as every PyTorch run to {@code truth}, the
     * float64 trajectory from the same float32-rounded inputs. A reproducible PyTorch stands
     * (scratch wrong); anything else is undecided.
     */
    public static Verdict closerToFloat64(double[] mine, double[] mineAgain, List<double[]> refs, double[] truth) {
        double[] ref = refs.get(0);
        boolean scratchSame = Arrays.equals(mine, mineAgain);
        boolean refSame = refs.stream().allMatch(x -> Arrays.equals(ref, x));
        double dMine = farthest(mine, truth), dRef = refs.stream().mapToDouble(x -> farthest(x, truth)).max().orElseThrow();
        boolean cleared = scratchSame && !refSame && dMine <= dRef;
        StringBuilder runs = new StringBuilder();
        for (double[] r : refs) runs.append(runs.length() == 0 ? "" : ", ").append(Arrays.toString(r));
        String evidence = String.format(Locale.ROOT, "Adjudication: scratch %s on a second run; PyTorch float32 %s on identical inputs (runs %s);"
                        + " float64 trajectory from the same float32 inputs %s: scratch is %.3g from it, PyTorch's runs up to %.3g. Verdict: %s",
                scratchSame ? "is bit-identical" : "DIFFERS", refSame ? "is reproducible" : "is NOT reproducible", runs, Arrays.toString(truth),
                dMine, dRef, cleared ? "reference defect (not reproducible; scratch at least as close to float64)" : refSame ? "scratch wrong" : "undecided");
        return new Verdict(cleared, evidence);
    }

    /**
     * {@code Adjudication}'s rules for a float32 trajectory (the optimisers' momentum carries float32
     * rounding from step to step, so two correct float32 trajectories can drift apart by more than
     * the tolerance by the last step while each stays within it of the truth): the case is rounded
     * to float32 ({@code roundedTo32}: every input value both sides read), and the reference and
     * scratch each run it in float64. Those two trajectories are the oracles; the verdict is
     * {@link #againstFloat64}'s. Scratch's float64 run shares scratch's logic but none of its
     * float32 rounding, the reference's shares none of scratch's code: a logic bug in scratch makes
     * the first disagree, a float32-only bug the second. Nothing is loosened: scratch's float32
     * trajectory is held to the row's tolerance against both at every step.
     */
    public static <C> Adjudicator<C> float64(Side<C> scratch, Side<C> reference, UnaryOperator<C> roundedTo32) {
        return float64(scratch, reference, roundedTo32, Scale.VALUE);
    }

    /** {@link #float64} with the check's {@link Scale}: under PATH, the magnitudes are the two float32 trajectories' (as the check's). */
    public static <C> Adjudicator<C> float64(Side<C> scratch, Side<C> reference, UnaryOperator<C> roundedTo32, Scale scale) {
        return (c, p, mine, ref, tol) -> {
            if (p != Precision.F32) return new Verdict(false, "The float64 rule applies to float32 trajectories only. Verdict: undecided");
            C r = roundedTo32.apply(c);
            return againstFloat64(flat(mine), flat(ref), flat(reference.run(r, Precision.F64)), flat(scratch.run(r, Precision.F64)), tol,
                    scale == Scale.PATH ? flat(pathMagnitudes(mine, ref)) : null);
        };
    }

    /** Per step and element, the largest finite magnitude either trajectory has had up to that step (a step of another length starts afresh). */
    public static double[][] pathMagnitudes(double[][] a, double[][] b) {
        double[][] out = new double[a.length][];
        double[] m = new double[0];
        for (int t = 0; t < a.length; t++) {
            if (m.length != a[t].length) m = new double[a[t].length];
            for (int j = 0; j < m.length; j++) {
                for (double v : new double[] {a[t][j], t < b.length && j < b[t].length ? b[t][j] : 0}) {
                    if (Double.isFinite(v)) m[j] = Math.max(m[j], Math.abs(v));
                }
            }
            out[t] = m.clone();
        }
        return out;
    }

    /**
     * The float64 verdict on flattened trajectories: {@code ref64} (the reference in float64) and
     * {@code mine64} (scratch in float64), both from the float32-rounded case, are the oracles.
     * Scratch within {@code tol} of both, the reference within it of neither: reference defect;
     * scratch and the reference both within it of both: rounding on both sides (the two float32
     * runs round on opposite sides of the truth); scratch within it of neither: scratch wrong;
     * anything else: undecided. Only the first two clear the case.
     */
    public static Verdict againstFloat64(double[] mine, double[] ref, double[] ref64, double[] mine64, Tolerance tol) {
        return againstFloat64(mine, ref, ref64, mine64, tol, null);
    }

    /** {@link #againstFloat64} with rtol applied to {@code magnitude} where it exceeds the oracle's value (a PATH check's). */
    public static Verdict againstFloat64(double[] mine, double[] ref, double[] ref64, double[] mine64, Tolerance tol, double[] magnitude) {
        Tolerance.Comparison s1 = tol.compare(mine, ref64, magnitude), s2 = tol.compare(mine, mine64, magnitude);
        Tolerance.Comparison r1 = tol.compare(ref, ref64, magnitude), r2 = tol.compare(ref, mine64, magnitude);
        Adjudication.Verdict v = Adjudication.verdict(2, s1.ok() && s2.ok(), !s1.ok() && !s2.ok(), r1.ok() && r2.ok(), !r1.ok() && !r2.ok());
        int w = s1.worstIndex() >= 0 ? s1.worstIndex() : 0;
        String evidence = String.format(Locale.ROOT, "Float64 oracles from the same float32-rounded case, at scratch's worst value (flat index %d):"
                        + " scratch f32 %.9g, reference f32 %.9g, reference f64 %.9g, scratch f64 %.9g;"
                        + " scratch f32 %s the reference f64 (%.3g× of the tolerance) and %s scratch f64 (%.3g×);"
                        + " reference f32 %s the reference f64 (%.3g×) and %s scratch f64 (%.3g×). Verdict: %s",
                w, at(mine, w), at(ref, w), at(ref64, w), at(mine64, w), agrees(s1), s1.share(), agrees(s2), s2.share(),
                agrees(r1), r1.share(), agrees(r2), r2.share(), v.label);
        return new Verdict(v.cleared(), evidence);
    }

    private static double at(double[] a, int i) {
        return i < a.length ? a[i] : Double.NaN;
    }

    private static String agrees(Tolerance.Comparison c) {
        return c.ok() ? "agrees with" : "DISAGREES with";
    }

    /** {@code first}'s verdict when it clears the case, else {@code then}'s, with both evidences. */
    public static <C> Adjudicator<C> firstCleared(Adjudicator<C> first, Adjudicator<C> then) {
        return (c, p, mine, ref, tol) -> {
            Verdict a = first.decide(c, p, mine, ref, tol);
            if (a.cleared()) return a;
            Verdict b = then.decide(c, p, mine, ref, tol);
            return new Verdict(b.cleared(), a.evidence() + "\n" + b.evidence());
        };
    }

    /** The largest element-wise distance between two arrays of one length. */
    public static double farthest(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }

    /** The steps of a trajectory, one after the other. */
    public static double[] flat(double[][] steps) {
        int n = 0;
        for (double[] s : steps) n += s.length;
        double[] out = new double[n];
        int o = 0;
        for (double[] s : steps) {
            System.arraycopy(s, 0, out, o, s.length);
            o += s.length;
        }
        return out;
    }

    /** What a check found: the outcome of the property, and its counts. */
    public record Result(Property.Outcome<?> outcome, ParityLedger.Row row) {}

    /** {@link #run}, record the row in the ledger, and throw when it failed. */
    public static <C> void check(String op, String check, Precision p, Gen<C> gen, Side<C> scratch, Side<C> reference,
                                 Tolerance tol, Adjudicator<C> adjudicator, boolean mustMove, int cases) {
        check(op, check, p, gen, scratch, reference, tol, Scale.VALUE, adjudicator, mustMove, cases);
    }

    /** {@link #check} with a {@link Scale} for the allowance. */
    public static <C> void check(String op, String check, Precision p, Gen<C> gen, Side<C> scratch, Side<C> reference,
                                 Tolerance tol, Scale scale, Adjudicator<C> adjudicator, boolean mustMove, int cases) {
        Result r = run(op, check, p, gen, scratch, reference, tol, scale, adjudicator, mustMove, cases);
        ParityLedger.record(r.row());
        if (r.row().failure() != null) throw new AssertionError(r.row().failure(), r.outcome().failure().map(Property.Failure::error).orElse(null));
    }

    /**
     * Runs the property: for every case, scratch's and the reference's trajectories must agree at
     * every step within {@code tol}, or be cleared by {@code adjudicator}. Returns the row, not yet
     * recorded (a failed row has its failure, shrunk case and replay line).
     */
    public static <C> Result run(String op, String check, Precision p, Gen<C> gen, Side<C> scratch, Side<C> reference,
                                 Tolerance tol, Adjudicator<C> adjudicator, boolean mustMove, int cases) {
        return run(op, check, p, gen, scratch, reference, tol, Scale.VALUE, adjudicator, mustMove, cases);
    }

    /** {@link #run} with a {@link Scale} for the allowance; a PATH row's tolerance carries the reason in the report. */
    public static <C> Result run(String op, String check, Precision p, Gen<C> gen, Side<C> scratch, Side<C> reference,
                                 Tolerance rowTol, Scale scale, Adjudicator<C> adjudicator, boolean mustMove, int cases) {
        Tolerance tol = scale == Scale.PATH ? rowTol.loosen(rowTol.rtol(), rowTol.atol(),
                rowTol.loosened() ? rowTol.reason() + "; " + Scale.PATH_REASON : Scale.PATH_REASON) : rowTol;
        double[] worst = new double[3];
        int[] adjudicated = new int[1], still = new int[1];
        String name = op + "/" + p.label() + "/" + check;
        Property.Outcome<C> o = Property.run(name, gen, c -> {
            double[][] a = scratch.run(c, p);
            double[][] b = reference.run(c, p);
            if (a.length != b.length) throw new AssertionError("scratch made " + a.length + " steps, the reference " + b.length);
            if (!Property.shrinking() && a.length > 1 && Arrays.equals(a[0], a[a.length - 1])) still[0]++;
            for (int t = 0; t < a.length; t++) {
                if (a[t].length != b[t].length) throw new AssertionError("step " + (t + 1) + ": " + a[t].length + " vs " + b[t].length + " values");
            }
            double[][] magnitude = scale == Scale.PATH ? pathMagnitudes(a, b) : null;
            for (int t = 0; t < a.length; t++) {
                Tolerance.Comparison cmp = tol.compare(a[t], b[t], magnitude == null ? null : magnitude[t]);
                if (!Property.shrinking()) {
                    worst[0] = Math.max(worst[0], cmp.worstAbs());
                    worst[1] = Math.max(worst[1], cmp.worstRel());
                    worst[2] = Math.max(worst[2], cmp.share());
                }
                if (cmp.ok()) continue;
                String differ = String.format(Locale.ROOT,
                        "step %d, element %d: scratch %.17g, reference %.17g (abs error %.3e, rel error %.3e, %s, %.1fx the allowance)",
                        t + 1, cmp.worstIndex(), cmp.actualAtWorst(), cmp.expectedAtWorst(), cmp.worstAbs(), cmp.worstRel(), tol, cmp.share());
                Verdict v = adjudicator.decide(c, p, a, b, tol);
                if (!v.cleared()) throw new AssertionError(differ + "\n" + v.evidence());
                if (!Property.shrinking()) {
                    adjudicated[0]++;
                    System.out.println(name + ", case " + c + ": " + differ + "\n" + v.evidence());
                }
                return; // the whole trajectory was decided by the verdict
            }
        }, cases);
        if (o.skipped()) throw new TestAbortedException("skipped: zerotoml.replay names another property");
        String failure = o.failure().map(f -> o.report()).orElse(null);
        if (failure == null && mustMove && 2 * still[0] > o.casesRun()) {
            failure = name + ": the trajectory did not move in " + still[0] + " of " + o.casesRun() + " cases, so the check compared little";
        }
        String note = null;
        if (still[0] > 0) note = still[0] + " of " + o.casesRun() + " cases had a trajectory that did not move from its first step to its last";
        if (adjudicated[0] > 0) {
            String a = adjudicated[0] + " case(s) where the trajectories disagreed were cleared by adjudication (reference defects, or rounding on both sides; each verdict and its evidence in the log)";
            note = note == null ? a : note + "; " + a;
        }
        return new Result(o, new ParityLedger.Row(op, p.label(), check, o.casesRun(), o.casesPassed(),
                worst[0], worst[1], worst[2], tol, failure, o.failure().map(Property.Failure::replay).orElse(null), note, worst[2], adjudicated[0]));
    }
}
