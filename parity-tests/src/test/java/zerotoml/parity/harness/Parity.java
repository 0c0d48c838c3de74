package zerotoml.parity.harness;

import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.opentest4j.TestAbortedException;
import zerotoml.fixtures.ParityLedger;
import zerotoml.fixtures.Precision;
import zerotoml.fixtures.Property;
import zerotoml.fixtures.Tolerance;
import zerotoml.parity.harness.OpSpec.Check;
import zerotoml.reference.Torch;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tape;
import zerotoml.scratch.tensor.Tensor;

/**
 * Turns op specs into JUnit dynamic tests, one per op x dtype x check, each a property over
 * generated cases. Every check feeds the parity report, pass or fail.
 */
public final class Parity {
    private Parity() {}

    static {
        // where the verdicts were made: the engine's versions and threads join the report's environment
        ParityLedger.environment("PyTorch", Torch.engine().getVersion());
        ParityLedger.environment("DJL", Engine.getDjlVersion());
        ParityLedger.environment("torch threads", "intra-op " + JniUtils.getNumThreads()
                + ", inter-op " + JniUtils.getNumInteropThreads());
    }

    /** The dynamic tests for these specs: forward and grad in f32 and f64, fd in f64, and errors. */
    public static Stream<DynamicTest> tests(OpSpec... specs) {
        List<DynamicTest> out = new ArrayList<>();
        for (OpSpec s : specs) {
            for (Precision p : s.precisions) {
                out.add(DynamicTest.dynamicTest(s.name + " " + p.label() + " forward matches PyTorch", () -> forward(s, p)));
                if (s.noGradient == null) {
                    out.add(DynamicTest.dynamicTest(s.name + " " + p.label() + " gradient matches PyTorch", () -> gradient(s, p)));
                }
            }
            if (s.noGradient == null && s.noFiniteDifferences == null && s.precisions.contains(Precision.F64)) {
                out.add(DynamicTest.dynamicTest(s.name + " f64 gradient matches finite differences", () -> finiteDifferences(s)));
            }
            if (!s.rejections.isEmpty()) {
                out.add(DynamicTest.dynamicTest(s.name + " rejects bad input with a clear message", () -> errors(s)));
            }
        }
        return out.stream();
    }

    /** Worst errors over the cases of one check, and the cases adjudicated as reference defects. */
    private static final class Stats {
        double abs, rel, share;
        int unreproduced;
        String firstUnreproduced;
        int referenceDefects;
        /** Cases cleared as rounding on both sides (Adjudication): passed, counted, not defects. */
        int rounding;
        String firstRounding;
        Long firstDefectSeed;
        /** The last case's reference-defect evidence, kept while shrinking too: the shrinker's probe reads it. */
        String lastDefect;
        /** What the current case's evidence must also say (the reference did not reproduce itself). */
        String caseNote;

        void referenceDefect(Adjudication.Decision d) {
            lastDefect = caseNote == null ? d.evidence() : caseNote + ".\n" + d.evidence();
            if (Property.shrinking()) return;
            if (referenceDefects++ == 0) firstDefectSeed = Property.currentSeed();
            if (d.scratchAgainstOracle() != null) add(d.scratchAgainstOracle());
        }

        void rounding(Case c, Adjudication.Decision d) {
            if (Property.shrinking()) return;
            if (rounding++ == 0) firstRounding = c + ":\n" + d.evidence();
            if (d.scratchAgainstOracle() != null) add(d.scratchAgainstOracle());
        }

        void add(Tolerance.Comparison c) {
            if (Property.shrinking()) return;
            abs = Math.max(abs, c.worstAbs());
            rel = Math.max(rel, c.worstRel());
            share = Math.max(share, c.share());
        }

        void unreproduced(Case c, String what) {
            if (Property.shrinking()) return;
            if (unreproduced++ == 0) firstUnreproduced = what + " on " + c;
        }

        /** The row's note: cases decided by adjudication, cases where PyTorch did not reproduce its own first answer. */
        String note() {
            String adjudicated = referenceDefects == 0 ? null : referenceDefects + " case(s) where scratch and the reference disagreed were"
                    + " adjudicated as reference defects: scratch agreed with two independent float64 oracles and the reference with neither"
                    + " (see \"Reference defects found on this machine\"); the worst errors above are scratch against the first oracle on those cases.";
            if (rounding > 0) {
                String r = rounding + " case(s) where the two float32 results were further apart than the tolerance were adjudicated as rounding on"
                        + " both sides: scratch agreed with two independent float64 oracles within the tolerance, and the reference"
                        + " agreed with them too (no defect; the worst errors above are scratch against the first oracle on those cases). First: "
                        + firstRounding;
                adjudicated = adjudicated == null ? r : adjudicated + " " + r;
            }
            if (unreproduced == 0) return adjudicated;
            return (adjudicated == null ? "" : adjudicated + " ") + unreproduced + " case(s) where the reference's first result was not reproduced by two re-runs on the same inputs"
                    + " (the two re-runs agreed bit for bit); those cases were compared against the reproduced result. First: "
                    + firstUnreproduced;
        }
    }

    static DType dtype(Precision p) {
        return p == Precision.F32 ? DType.F32 : DType.F64;
    }

    static List<Tensor> tensors(Case c, Precision p) {
        List<Tensor> ts = new ArrayList<>();
        for (Arr a : c.inputs()) ts.add(Tensor.of(dtype(p), a.data(), a.shape()));
        return ts;
    }

    static List<Torch.Input> inputs(OpSpec s, Case c, Precision p, boolean grads) {
        List<Torch.Input> in = new ArrayList<>();
        for (int i = 0; i < c.inputs().size(); i++) {
            Arr a = c.inputs().get(i);
            in.add(new Torch.Input(p.round(a.data()), a.shape(), grads && !s.constants.contains(i)));
        }
        return in;
    }

    /**
     * Runs one check of one op over {@link Property#cases()} generated cases and returns what
     * happened, without touching the parity report and without throwing: the engine's own tests
     * (planted bugs) use this; {@link #tests} records the same outcome and fails on it.
     */
    public static Property.Outcome<Case> outcome(OpSpec s, Precision p, Check check) {
        return outcome(s, p, check, Property.cases());
    }

    /** The same with an explicit number of cases. */
    public static Property.Outcome<Case> outcome(OpSpec s, Precision p, Check check, int cases) {
        return evaluate(s, p, check, cases, new Stats());
    }

    /** An outcome together with what adjudication decided: the cases passed as reference defects, and the first one's evidence. */
    public record Adjudicated(Property.Outcome<Case> outcome, int referenceDefects, String evidence, int rounding, String roundingEvidence) {}

    /** Like {@link #outcome(OpSpec, Precision, Check, int)}, and says how many cases passed as reference defects, and as rounding on both sides. */
    public static Adjudicated adjudicated(OpSpec s, Precision p, Check check, int cases) {
        Stats st = new Stats();
        Property.Outcome<Case> o = evaluate(s, p, check, cases, st);
        return new Adjudicated(o, st.referenceDefects, st.lastDefect, st.rounding, st.firstRounding);
    }

    /** The name a check runs under, as the replay line spells it: {@code op/f32/forward}. */
    public static String propertyName(OpSpec s, Precision p, Check check) {
        return s.name + "/" + p.label() + "/" + check.label;
    }

    private static Property.Outcome<Case> evaluate(OpSpec s, Precision p, Check check, int cases, Stats st) {
        Tolerance tol = s.tolerance(p, check);
        String name = propertyName(s, p, check);
        return switch (check) {
            case FORWARD, GRADIENT -> Property.run(name, s.cases, c -> oneCase(s, p, check, c, s.tolerance(p, check, c), st), cases);
            case FINITE_DIFFERENCES -> {
                if (p != Precision.F64) throw new IllegalArgumentException("Parity.outcome: finite differences run in f64 only, not " + p.label());
                yield Property.run(name, s.fdCases(), c -> finiteDifferencesCase(s, c, tol, st), cases);
            }
            case ERRORS -> throw new IllegalArgumentException("Parity.outcome: error inputs are fixed cases, not a property; see tests()");
        };
    }

    /** Runs a check, records its row in the parity report, and fails the test if it failed. */
    static void check(OpSpec s, Precision p, Check check) {
        Stats st = new Stats();
        run(s, p, check, s.tolerance(p, check), st, evaluate(s, p, check, s.caseCount(), st));
    }

    static void forward(OpSpec s, Precision p) {
        check(s, p, Check.FORWARD);
    }

    static void gradient(OpSpec s, Precision p) {
        check(s, p, Check.GRADIENT);
    }

    static void finiteDifferences(OpSpec s) {
        check(s, Precision.F64, Check.FINITE_DIFFERENCES);
    }

    static final String NOT_REPRODUCIBLE = "the reference is not reproducible on this case: three runs on identical inputs gave different results";

    private static void oneCase(OpSpec s, Precision p, Check check, Case c, Tolerance tol, Stats st) {
        st.caseNote = null;
        if (check == Check.FORWARD) forwardCase(s, p, c, tol, st);
        else gradientCase(s, p, c, tol, st);
    }

    /**
     * The smallest case that still shows the row's reference defect, found by the same shrinker a
     * failure gets, with its evidence and the replay line of the first affected case.
     */
    private static ParityLedger.ReferenceDefect shrinkDefect(OpSpec s, Precision p, Check check, Tolerance tol, Stats st, int casesRun) {
        String name = propertyName(s, p, check);
        Property.Failure<Case> f = Property.minimal(name, s.cases, st.firstDefectSeed, c -> {
            Stats probe = new Stats();
            oneCase(s, p, check, c, s.tolerance(p, check, c), probe);
            if (probe.lastDefect != null) throw new ReferenceDefectShown(probe.lastDefect);
        });
        String shrunk = f == null ? "(the first affected case no longer shows it on a re-run)" : f.shrunk().toString();
        String evidence = f != null && f.error() instanceof ReferenceDefectShown r ? r.getMessage() : st.lastDefect;
        String replay = f == null ? null : f.replay();
        return new ParityLedger.ReferenceDefect(s.name, p.label(), check.label, st.referenceDefects, casesRun, shrunk, evidence, replay);
    }

    /** Thrown by the shrinker's probe while a candidate case still shows the reference defect. */
    private static final class ReferenceDefectShown extends RuntimeException {
        ReferenceDefectShown(String evidence) {
            super(evidence, null, false, false);
        }
    }

    private static void forwardCase(OpSpec s, Precision p, Case c, Tolerance tol, Stats st) {
        Tensor mine = s.scratch.apply(c, tensors(c, p));
        Supplier<Torch.Result> reference =
                () -> Torch.run(Torch.dtype(p == Precision.F32), inputs(s, c, p, false), xs -> s.reference.apply(c, xs), null);
        Torch.Result ref = reproducible(c, reference.get(), reference,
                r -> Arrays.equals(mine.shape().dims(), r.shape()) && tol.compare(mine.toArray(), r.output()).ok(), st);
        assertSameShape("output", mine.shape().dims(), ref.shape());
        // every input is in this precision, so PyTorch's result is too; an F64 result from F32 inputs
        // would compare more precisely than PyTorch computes and hide float32 rounding
        if (mine.dtype() != dtype(p)) {
            throw new AssertionError("output dtype differs: scratch " + mine.dtype() + " from " + p.label() + " inputs, PyTorch " + p.label());
        }
        double[] out = mine.toArray();
        if (out.length != ref.output().length) assertClose("output", out, ref.output(), tol, st); // throws, naming both lengths
        Tolerance.Comparison cmp = tol.compare(out, ref.output());
        if (cmp.ok()) {
            st.add(cmp);
            return;
        }
        Adjudication.Decision d = Adjudication.forward(s, p, c, out, ref.output(), tol);
        if (d.verdict() == Adjudication.Verdict.REFERENCE_DEFECT) st.referenceDefect(d);
        else if (d.verdict() == Adjudication.Verdict.ROUNDING) st.rounding(c, d);
        else failWithVerdict("output", out, ref.output(), tol, st, d);
    }

    private static void gradientCase(OpSpec s, Precision p, Case c, Tolerance tol, Stats st) {
        List<Tensor> mine = scratchGrads(s, c, p);
        Supplier<Torch.Result> reference =
                () -> Torch.run(Torch.dtype(p == Precision.F32), inputs(s, c, p, true), xs -> s.reference.apply(c, xs), c::cotangent);
        Torch.Result ref = reproducible(c, reference.get(), reference, r -> {
            for (int i = 0; i < mine.size(); i++) {
                if (s.constants.contains(i)) continue;
                double[] g = r.grads().get(i);
                if (g == null || !tol.compare(mine.get(i).toArray(), g).ok()) return false;
            }
            return true;
        }, st);
        // each input compared once: agreeing ones feed the statistics, disagreeing ones go to adjudication
        List<Adjudication.Decision> decisions = new ArrayList<>();
        List<Integer> disputed = new ArrayList<>();
        for (int i = 0; i < mine.size(); i++) {
            if (s.constants.contains(i)) continue;
            double[] r = ref.grads().get(i);
            if (r == null) throw new AssertionError("PyTorch returned no gradient for input " + i);
            double[] m = mine.get(i).toArray();
            if (m.length != r.length) assertClose("gradient of input " + i, m, r, tol, st); // throws, naming both lengths
            Tolerance.Comparison cmp = tol.compare(m, r);
            if (cmp.ok()) {
                st.add(cmp);
            } else {
                decisions.add(Adjudication.gradient(s, p, c, i, m, r, tol));
                disputed.add(i);
            }
        }
        if (decisions.isEmpty()) return;
        Adjudication.Decision d = Adjudication.Decision.worst(decisions);
        if (d.verdict() == Adjudication.Verdict.REFERENCE_DEFECT) {
            StringBuilder all = new StringBuilder();
            for (Adjudication.Decision each : decisions) all.append(all.length() > 0 ? "\n" : "").append(each.evidence());
            st.referenceDefect(new Adjudication.Decision(d.verdict(), all.toString(), d.scratchAgainstOracle()));
            return;
        }
        if (d.verdict() == Adjudication.Verdict.ROUNDING) { // the worst is rounding, so every disputed input is rounding or a defect
            StringBuilder defects = new StringBuilder();
            for (Adjudication.Decision each : decisions) {
                if (each.verdict() == Adjudication.Verdict.REFERENCE_DEFECT) defects.append(defects.length() > 0 ? "\n" : "").append(each.evidence());
            }
            if (defects.length() > 0) st.referenceDefect(new Adjudication.Decision(Adjudication.Verdict.REFERENCE_DEFECT, defects.toString(), null));
            st.rounding(c, d);
            return;
        }
        int i = disputed.get(decisions.indexOf(d));
        failWithVerdict("gradient of input " + i, mine.get(i).toArray(), ref.grads().get(i), tol, st, d);
    }

    /** The usual disagreement message, followed by the adjudication's verdict and evidence. */
    private static void failWithVerdict(String what, double[] mine, double[] ref, Tolerance tol, Stats st, Adjudication.Decision d) {
        try {
            assertClose(what, mine, ref, tol, st);
        } catch (AssertionError e) {
            throw new AssertionError((st.caseNote == null ? "" : st.caseNote + ".\n") + e.getMessage()
                    + "\nAdjudication (verdict: " + d.verdict().label + "):\n" + d.evidence());
        }
        throw new AssertionError(what + ": disagreement expected but not found (verdict " + d.verdict().label + ")");
    }

    /**
     * The reference's result for a case, checked for reproducibility when it disagrees with scratch.
     *
     * <p>Why: in long JVMs, PyTorch through DJL has (rarely: 4 of about 3,000 transformer model
     * cases) returned garbage such as 1.95e9 for one gradient, a result it never gave again on the
     * same inputs (see notes/Transformer.md, "non-reproducible reference gradients"). So when scratch
     * and the reference disagree, the reference runs twice more on identical inputs. If those two
     * re-runs agree bit for bit with each other but not with the first result, the first was not
     * reproducible: the case is compared, at the same tolerance, against the reproduced result, and
     * the row's note counts it. If the first result is reproduced, the disagreement is real and goes
     * to {@link Adjudication}; if the re-runs disagree with each other too, no answer of the
     * reference can be trusted, and the first one goes to adjudication with that fact in its
     * evidence (the float32 conv gradients of notes/ReferenceDefects.md change from run to run).
     * Scratch is never re-run: it is deterministic, and a scratch bug cannot hide behind this rule,
     * because adjudication only forgives a case where scratch agrees with two float64 oracles.
     */
    private static Torch.Result reproducible(Case c, Torch.Result first, Supplier<Torch.Result> again,
                                             Predicate<Torch.Result> agreesWithScratch, Stats st) {
        if (agreesWithScratch.test(first)) return first;
        Torch.Result second = again.get();
        if (sameBits(first, second)) return first;
        Torch.Result third = again.get();
        if (!sameBits(second, third)) {
            // Three different answers: none of them can be trusted, so the first (which disagreed
            // with scratch) stands and the disagreement goes to adjudication, which needs scratch to
            // agree with two float64 oracles before it forgives anything.
            st.caseNote = NOT_REPRODUCIBLE;
            return first;
        }
        st.unreproduced(c, "the reference first gave a result that two re-runs did not reproduce");
        return second;
    }

    private static boolean sameBits(Torch.Result a, Torch.Result b) {
        if (!Arrays.equals(a.shape(), b.shape()) || !Arrays.equals(a.output(), b.output()) || a.grads().size() != b.grads().size()) return false;
        for (int i = 0; i < a.grads().size(); i++) if (!Arrays.equals(a.grads().get(i), b.grads().get(i))) return false;
        return true;
    }

    private static void finiteDifferencesCase(OpSpec s, Case c, Tolerance tol, Stats st) {
        List<Tensor> analytic = scratchGrads(s, c, Precision.F64);
        for (int i = 0; i < c.inputs().size(); i++) {
            if (s.constants.contains(i)) continue;
            Numeric numeric = numericGradient(s, c, i);
            Tolerance t = numeric.floor() > 0 ? new Tolerance(tol.rtol(), tol.atol() + numeric.floor(), tol.reason(), tol.zeroSigns()) : tol;
            assertClose("gradient of input " + i + " (finite differences)", analytic.get(i).toArray(), numeric.values(), t, st);
        }
    }

    static final int PROBES = 3;
    static final double PROBE_FACTOR = 4;

    /**
     * How far scratch's float64 result moves when every (non-constant) input of the float32-rounded
     * case moves by one float32 rounding, as {@value #PROBE_FACTOR} × the largest relative change
     * over {@value #PROBES} probes (signs alternating between inputs, then between elements, then random), at the
     * elements where that change exceeds atol; see {@link OpSpec#perturbationConditioned}. Deterministic: the
     * signs come from the case's cotangent seed.
     */
    static double sensitivity(OpSpec s, Check check, Case c, double atol, OpSpec.InnerRoundings inner) {
        Case r = Adjudication.rounded(c, Precision.F32);
        List<double[]> base = scratch64(s, check, r);
        SplittableRandom rnd = new SplittableRandom(c.cotangentSeed() ^ 0x9E3779B97F4A7C15L);
        double worst = 0;
        for (int k = 0; k < PROBES; k++) {
            // the inner roundings take the probe's pattern: all up, alternating, random
            int probe = k;
            int[] count = {0};
            IntSupplier sign = () -> probe == 0 ? 1 : probe == 1 ? (count[0]++ % 2 == 0 ? 1 : -1) : rnd.nextBoolean() ? 1 : -1;
            List<Arr> in = new ArrayList<>();
            for (int i = 0; i < r.inputs().size(); i++) {
                double[] d = r.input(i).data().clone();
                // probe 0: each input one sign, alternating between inputs (a − b across inputs); probe 1: alternating
                // between elements (sums inside one input); then random signs
                if (!s.constants.contains(i)) {
                    for (int j = 0; j < d.length; j++) {
                        boolean up = k == 0 ? i % 2 == 0 : k == 1 ? j % 2 == 0 : rnd.nextBoolean();
                        d[j] *= 1 + (up ? 0x1p-24 : -0x1p-24);
                    }
                }
                in.add(new Arr(r.input(i).shape(), d));
            }
            Case m = new Case(in, r.args(), r.cotangentSeed());
            List<double[]> moved = inner == null ? scratch64(s, check, m) : List.of(inner.apply(m, tensors(m, Precision.F64), sign).toArray());
            for (int i = 0; i < base.size(); i++) {
                for (int j = 0; j < base.get(i).length; j++) {
                    double b = base.get(i)[j], change = Math.abs(moved.get(i)[j] - b);
                    // only where the scaled change is more than atol alone allows: a tiny element's relative change means nothing
                    if (PROBE_FACTOR * change > atol && b != 0 && Double.isFinite(change)) worst = Math.max(worst, change / Math.abs(b));
                }
            }
        }
        return PROBE_FACTOR * worst;
    }

    /** Scratch's float64 output (forward), or its gradient of every non-constant input (grad). */
    private static List<double[]> scratch64(OpSpec s, Check check, Case c) {
        if (check == Check.FORWARD) return List.of(s.scratch.apply(c, tensors(c, Precision.F64)).toArray());
        List<Tensor> g = scratchGrads(s, c, Precision.F64);
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < g.size(); i++) if (!s.constants.contains(i)) out.add(g.get(i).toArray());
        return out;
    }

    /** Scratch's vjp with the case's cotangent. */
    static List<Tensor> scratchGrads(OpSpec s, Case c, Precision p) {
        List<Tensor> xs = tensors(c, p);
        try (Tape tape = Tape.open()) {
            Tensor[] w = xs.toArray(new Tensor[0]);
            tape.watch(w);
            Tensor out = s.scratch.apply(c, xs);
            Tensor cot = Tensor.of(out.dtype(), c.cotangent(out.shape().dims()), out.shape().dims());
            return tape.vjp(out, cot, w);
        }
    }

    /**
     * Central differences and the floor below which they are rounding noise: {@code floor} is the
     * largest, over the elements, of one float64 ulp (2^-52, relative) of each moved output
     * times its cotangent, summed over both evaluations, over 2h: the two evaluations the
     * difference is made of are each rounded at least that much, so no difference is more exact
     * than that, whatever the op. It is far below atol (1e-5) until the outputs reach about 1e5
     * (the deep run's {@code ScoreSde.dsmLoss/f64/fd} case: a loss of 2e5, the mean of a VE row at
     * σ = 50 and a row at t = 1e-5 whose gradient, 3.4e-3, was checked: floor 3.6e-5, the two
     * gradients 1.6e-5 apart). The check adds it to atol for that case.
     */
    record Numeric(double[] values, double floor) {}

    /**
     * Central differences of {@code sum(f(x) * cotangent)} with gradcheck's step, taken output by
     * output ({@code sum((f(x + h) − f(x − h)) * cotangent) / 2h}): the same number, but the outputs
     * that do not move cancel exactly instead of leaving their sum's rounding (up to 2^-53 of
     * {@code sum |f·w|}, divided by 2h = 2e-6) in every element's difference. The deep run's
     * {@code Ddpm.predictX0/f64/fd} case: a row at ᾱ = 1e-10 put outputs of 1e5 in the sum, and
     * the other rows' differences carried 1.4e-5 of its rounding.
     */
    static Numeric numericGradient(OpSpec s, Case c, int which) {
        double[] x = c.input(which).data();
        double[] g = new double[x.length];
        double floor = 0;
        for (int j = 0; j < x.length; j++) {
            Tensor up = moved(s, c, which, j, Tolerance.FD_EPS), down = moved(s, c, which, j, -Tolerance.FD_EPS);
            double[] cot = c.cotangent(up.shape().dims()), a = up.toArray(), b = down.toArray();
            double acc = 0, noise = 0;
            for (int k = 0; k < a.length; k++) {
                double d = a[k] - b[k];
                acc += d * cot[k];
                // a moved output is rounded in both evaluations: one ulp of each
                if (d != 0 && Double.isFinite(d)) noise += 0x1p-52 * (Math.abs(a[k]) + Math.abs(b[k])) * Math.abs(cot[k]);
            }
            g[j] = acc / (2 * Tolerance.FD_EPS);
            floor = Math.max(floor, noise / (2 * Tolerance.FD_EPS));
        }
        return new Numeric(g, floor);
    }

    /** Scratch's float64 output with element j of input {@code which} moved by h. */
    private static Tensor moved(OpSpec s, Case c, int which, int j, double h) {
        List<Tensor> xs = tensors(c, Precision.F64);
        double[] d = c.input(which).data().clone();
        d[j] += h;
        xs.set(which, Tensor.of(DType.F64, d, c.input(which).shape()));
        return s.scratch.apply(c, xs);
    }

    static void errors(OpSpec s) {
        Property.assumeFixedInputsRunHere(s.name + "'s error inputs");
        int passed = 0;
        List<String> problems = new ArrayList<>();
        List<String> sides = new ArrayList<>();
        for (OpSpec.Rejection r : s.rejections) {
            RuntimeException refError = referenceError(s, r.badCase());
            String problem = rejectionProblem(s, r, refError);
            if (problem == null) passed++;
            else problems.add(r.what() + ": " + problem);
            sides.add(r.what() + ": " + (r.torchAccepts() ? "declared as accepted by PyTorch; the reference: " : "") + rejectedBy(refError));
        }
        String failure = problems.isEmpty() ? null : String.join("\n", problems);
        ParityLedger.record(new ParityLedger.Row(s.name, "any", Check.ERRORS.label, s.rejections.size(), passed, 0, 0, 0, null, failure, null)
                .withNote("Rejected on the reference side by: " + String.join("; ", sides) + "."));
        if (failure != null) throw new AssertionError(s.name + " error inputs:\n" + failure);
    }

    /** What the reference threw on a bad case, or null when it accepted it. */
    private static RuntimeException referenceError(OpSpec s, Case bad) {
        try {
            Torch.run(DataType.FLOAT64, inputs(s, bad, Precision.F64, false), xs -> s.reference.apply(bad, xs), null);
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    /**
     * Who rejected a bad input on the reference side: PyTorch itself (an exception from the
     * engine), or our reference code's own argument check, written where DJL cannot express the
     * call; the report says which, so that a reader can judge the claim "PyTorch rejects it too".
     */
    private static String rejectedBy(RuntimeException e) {
        if (e == null) return "nobody";
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EngineException) return "PyTorch";
        }
        StackTraceElement[] at = e.getStackTrace();
        boolean ours = e instanceof IllegalArgumentException && at.length > 0 && at[0].getClassName().startsWith("zerotoml.reference");
        return ours ? "our reference's own check (" + e.getMessage() + ")" : "DJL (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
    }

    private static String rejectionProblem(OpSpec s, OpSpec.Rejection r, RuntimeException refError) {
        try {
            s.scratch.apply(r.badCase(), tensors(r.badCase(), Precision.F64));
            return "scratch accepted " + r.badCase();
        } catch (IllegalArgumentException e) {
            String msg = String.valueOf(e.getMessage());
            if (!msg.startsWith(s.name.split("[ (]")[0]) && !msg.contains(s.name)) return "scratch's message does not name the op: " + msg;
            for (String m : r.mentions()) if (!msg.contains(m)) return "scratch's message does not mention '" + m + "': " + msg;
        } catch (RuntimeException e) {
            return "scratch threw " + e + " instead of IllegalArgumentException";
        }
        if (r.torchAccepts()) return null;
        return refError == null ? "PyTorch accepted it; if that is intended use rejectsWhereTorchAccepts" : null;
    }

    private static void run(OpSpec s, Precision p, Check check, Tolerance tol, Stats st, Property.Outcome<Case> o) {
        if (o.skipped()) throw new TestAbortedException("skipped: zerotoml.replay names another property");
        String failure = o.failure().map(f -> o.report()).orElse(null);
        String replay = o.failure().map(f -> f.replay()).orElse(null);
        ParityLedger.Row row = new ParityLedger.Row(s.name, p.label(), check.label, o.casesRun(), o.casesPassed(),
                st.abs, st.rel, st.share, tol, failure, replay).withAdjudicated(st.referenceDefects + st.rounding);
        ParityLedger.record(st.note() == null ? row : row.withNote(st.note()));
        if (st.referenceDefects > 0 && st.firstDefectSeed != null) ParityLedger.record(shrinkDefect(s, p, check, tol, st, o.casesRun()));
        if (failure != null) throw new AssertionError(failure, o.failure().get().error());
    }

    static void assertSameShape(String what, int[] mine, int[] ref) {
        if (!Arrays.equals(mine, ref)) {
            throw new AssertionError(what + " shape differs: scratch " + Arrays.toString(mine) + ", PyTorch " + Arrays.toString(ref));
        }
    }

    static void assertClose(String what, double[] mine, double[] ref, Tolerance tol, Stats st) {
        if (mine.length != ref.length) {
            throw new AssertionError(what + ": scratch has " + mine.length + " elements, the reference " + ref.length);
        }
        Tolerance.Comparison c = tol.compare(mine, ref);
        st.add(c);
        if (!c.ok()) {
            throw new AssertionError(String.format(Locale.ROOT,
                    "%s differs at element %d: scratch %.17g, reference %.17g (abs error %.3e, rel error %.3e, %s, %.1fx the allowance)",
                    what, c.worstIndex(), c.actualAtWorst(), c.expectedAtWorst(), c.worstAbs(), c.worstRel(), tol, c.share()));
        }
    }
}
