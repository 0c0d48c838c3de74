package zerotoml.parity.harness;

import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.IntStream;
import zerotoml.fixtures.Precision;
import zerotoml.fixtures.Tolerance;
import zerotoml.reference.Torch;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tape;
import zerotoml.scratch.tensor.Tensor;

/**
 * When scratch and the reference disagree on a case, who is wrong? The reference can be: PyTorch's
 * float32 CPU kernels differ by CPU, and some have defects on some CPUs (notes/ReferenceDefects.md).
 * So before a disagreement fails the build, this gathers independent float64 evidence on the same
 * rounded inputs and the same rounded cotangent, and gives one of four verdicts:
 *
 * <ul>
 *   <li>{@code scratch wrong}: scratch disagrees with every float64 oracle. Fails the build.</li>
 *   <li>{@code reference defect}: scratch agrees with <b>two</b> independent float64 oracles within
 *       the row's own tolerance, and the reference disagrees with both. The case passes; the row is
 *       amber and the defect is reported with this evidence.</li>
 *   <li>{@code rounding on both sides}: scratch agrees with <b>two</b> independent float64
 *       oracles within the row's own tolerance, and the float32 reference agrees with them too.
 *       The two float32 results are further apart than the tolerance only because each rounds,
 *       on opposite sides of the truth (the difference of two results within the tolerance of
 *       one value can reach twice the tolerance). Nobody is wrong. The case passes and is counted
 *       in the row's note; the row is amber. It is not a reference defect, and is not listed as
 *       one.</li>
 *   <li>{@code undecided}: anything else. Fails the build.</li>
 * </ul>
 *
 * <p>Why the fourth verdict (sixth session): the first deep run (5,000 cases per property) failed
 * three rows, among them {@code mlp (silu)/f32/forward} on 1 case of 2,774, with scratch at 0.12× of
 * the tolerance from the reference's own float64 result and PyTorch's float32 at 0.90×: as
 * {@code undecided}, a case where scratch is the more accurate side failed the build. The tolerance
 * is not widened by this: scratch is still held to the row's tolerance, against two float64
 * oracles instead of one float32 result.
 *
 * <p>Why scratch need not be the nearer side (sixth session, the deep run's
 * {@code mlp (silu)/f32/grad}: scratch 0.68× of the tolerance from both float64 oracles, PyTorch
 * 0.46×, on opposite sides, 1.1× apart). The verdict first asked scratch to be at least as close
 * to the oracles as the reference. That asks more than the parity contract does: a case that
 * needs no adjudication passes with scratch up to 1× the tolerance from PyTorch's float32 result,
 * which may itself be up to 1× from the truth, so scratch up to about 2× from the truth passes
 * unexamined. This verdict holds scratch to 1× from two float64 oracles, one of them independent
 * of scratch's code: already stricter than an ordinary passing case. Requiring scratch also to
 * beat PyTorch's own rounding would fail the build on a case that shows nothing wrong in scratch,
 * only that PyTorch's rounding fell luckier; and it guards against nothing a passing case would
 * not admit (a scratch that is consistently 0.9× off passes its ordinary cases either way). The
 * evidence still prints both distances, so a scratch that is farther is visible in the log.
 *
 * <p>The oracles. For a float32 <b>gradient</b>: (1) the reference's own gradient, re-run in
 * float64; (2) central finite differences of the reference's float64 forward (gradcheck's step),
 * which shares no code with either side's backward. Scratch's own float64 gradient is shown as
 * evidence but does not vote. For a float32 <b>output</b>: (1) the reference re-run in float64;
 * (2) scratch's own forward in float64, which shares scratch's logic but none of its float32
 * rounding: a logic bug in scratch makes (1) disagree, a float32-only bug makes (2) disagree, so
 * scratch can only pass when it is right. A float64 row has no independent float64 re-run of the
 * reference, so it can never come out {@code reference defect}.
 *
 * <p>Tolerances are the row's own: nothing is loosened to reach a verdict. Finite differences are
 * taken at the elements where scratch and the reference disagree, the worst {@value #MAX_FD_ELEMENTS}
 * of them when there are more (the count checked is part of the evidence); the reference's float64
 * gradient is compared at every element.
 */
final class Adjudication {
    private Adjudication() {}

    static final int MAX_FD_ELEMENTS = 64;

    enum Verdict {
        SCRATCH_WRONG("scratch wrong"), REFERENCE_DEFECT("reference defect"), ROUNDING("rounding on both sides"), UNDECIDED("undecided");

        /** Whether the case passes. */
        boolean cleared() {
            return this == REFERENCE_DEFECT || this == ROUNDING;
        }

        final String label;

        Verdict(String label) {
            this.label = label;
        }
    }

    /** A verdict, the evidence behind it, and scratch's comparison with the first oracle (for the row's statistics). */
    record Decision(Verdict verdict, String evidence, Tolerance.Comparison scratchAgainstOracle) {
        static Decision worst(List<Decision> ds) {
            Comparator<Decision> rank = Comparator.comparingInt(d -> switch (d.verdict) {
                case SCRATCH_WRONG -> 0;
                case UNDECIDED -> 1;
                case ROUNDING -> 2;
                case REFERENCE_DEFECT -> 3;
            });
            return ds.stream().min(rank).orElseThrow();
        }
    }

    /** One oracle's values at {@code at} (null: every element). */
    private record Oracle(String name, double[] values, int[] at) {
        double[] pick(double[] full) {
            if (at == null) return full;
            double[] out = new double[at.length];
            for (int k = 0; k < at.length; k++) out[k] = full[at[k]];
            return out;
        }
    }

    // ------------------------------------------------------------------ the two checks

    /** A disagreement of outputs. */
    static Decision forward(OpSpec s, Precision p, Case c, double[] mine, double[] ref, Tolerance tol) {
        Case r = rounded(c, p);
        List<Oracle> oracles = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        if (p == Precision.F32) {
            try {
                oracles.add(new Oracle("reference f64", referenceForward(s, r), null));
            } catch (RuntimeException e) {
                missing.add("reference f64 could not run: " + e.getMessage());
            }
            oracles.add(new Oracle("scratch f64", s.scratch.apply(r, Parity.tensors(r, Precision.F64)).toArray(), null));
        } else {
            missing.add("a float64 row has no independent float64 re-run of the reference");
        }
        return decide("output", mine, ref, oracles, missing, tol, null);
    }

    /** A disagreement of the gradient of input {@code i}. */
    static Decision gradient(OpSpec s, Precision p, Case c, int i, double[] mine, double[] ref, Tolerance tol) {
        Case r = rounded(c, p);
        Function<int[], double[]> cot = shape -> p.round(c.cotangent(shape));
        List<Oracle> oracles = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        if (p == Precision.F32) {
            try {
                double[] g = Torch.run(DataType.FLOAT64, Parity.inputs(s, r, Precision.F64, true), xs -> s.reference.apply(r, xs), cot)
                        .grads().get(i);
                if (g == null) missing.add("the reference in f64 returned no gradient");
                else oracles.add(new Oracle("reference f64", g, null));
            } catch (RuntimeException e) {
                missing.add("reference f64 could not run: " + e.getMessage());
            }
        } else {
            missing.add("a float64 row has no independent float64 re-run of the reference");
        }
        int[] at = disagreeing(mine, ref, tol);
        try {
            oracles.add(new Oracle("reference finite differences f64", referenceFiniteDifferences(s, r, i, at, cot), at));
        } catch (RuntimeException e) {
            missing.add("finite differences of the reference could not run: " + e.getMessage());
        }
        double[] scratch64 = scratchGradient(s, r, i, cot);
        return decide("gradient of input " + i, mine, ref, oracles, missing, tol, scratch64);
    }

    // ------------------------------------------------------------------ the verdict

    private static Decision decide(String what, double[] mine, double[] ref, List<Oracle> oracles, List<String> missing,
                                   Tolerance tol, double[] scratch64) {
        int worst = tol.compare(mine, ref).worstIndex();
        StringBuilder ev = new StringBuilder(what).append(", worst element ").append(worst).append(": scratch ").append(v(mine, worst))
                .append(", reference ").append(v(ref, worst));
        boolean scratchAgreesWithAll = !oracles.isEmpty(), scratchAgreesWithNone = !oracles.isEmpty(), referenceAgreesWithNone = true;
        boolean referenceAgreesWithAll = !oracles.isEmpty();
        Tolerance.Comparison first = null;
        StringBuilder votes = new StringBuilder();
        for (Oracle o : oracles) {
            double[] m = o.pick(mine), rf = o.pick(ref);
            Tolerance.Comparison sc = tol.compare(m, o.values()), rc = tol.compare(rf, o.values());
            if (first == null) first = sc;
            scratchAgreesWithAll &= sc.ok();
            scratchAgreesWithNone &= !sc.ok();
            referenceAgreesWithNone &= !rc.ok();
            referenceAgreesWithAll &= rc.ok();
            int k = o.at() == null ? worst : indexOf(o.at(), worst);
            ev.append(", ").append(o.name()).append(' ').append(k < 0 ? "(not taken there)" : v(o.values(), k));
            votes.append("\n").append(o.name()).append(o.at() == null ? " (every element)" : " (" + o.at().length + " element(s) where the two sides disagree)")
                    .append(": scratch ").append(sc.ok() ? "agrees" : "DISAGREES").append(" (").append(share(sc)).append(" of the tolerance)")
                    .append(", reference ").append(rc.ok() ? "agrees" : "disagrees").append(" (").append(share(rc)).append(')');
        }
        if (scratch64 != null) ev.append(", scratch f64 (evidence, no vote) ").append(v(scratch64, worst));
        ev.append(votes);
        for (String m : missing) ev.append("\nno oracle: ").append(m);
        Verdict verdict = verdict(oracles.size(), scratchAgreesWithAll, scratchAgreesWithNone, referenceAgreesWithAll, referenceAgreesWithNone);
        ev.append("\ntolerance ").append(tol).append(". Verdict: ").append(verdict.label);
        return new Decision(verdict, ev.toString(), first);
    }

    /**
     * The rule itself, from how scratch and the reference fared against the oracles (the trajectory
     * harness uses it too): scratch backed by at least two oracles is cleared when the reference
     * agrees with none (a defect) or with all (rounding); scratch backed by none is wrong.
     */
    static Verdict verdict(int oracles, boolean scratchAll, boolean scratchNone, boolean referenceAll, boolean referenceNone) {
        boolean twoBackScratch = oracles >= 2 && scratchAll;
        return twoBackScratch && referenceNone ? Verdict.REFERENCE_DEFECT
                : twoBackScratch && referenceAll ? Verdict.ROUNDING
                : scratchNone ? Verdict.SCRATCH_WRONG : Verdict.UNDECIDED;
    }

    private static int indexOf(int[] at, int j) {
        for (int k = 0; k < at.length; k++) if (at[k] == j) return k;
        return -1;
    }

    private static String v(double[] a, int i) {
        return i < 0 || i >= a.length ? "-" : String.format(Locale.ROOT, "%.9g", a[i]);
    }

    private static String share(Tolerance.Comparison c) {
        return Double.isFinite(c.share()) ? String.format(Locale.ROOT, "%.3g×", c.share()) : String.valueOf(c.share());
    }

    /** Elements where scratch and the reference disagree, the worst first, at most {@value #MAX_FD_ELEMENTS}. */
    static int[] disagreeing(double[] mine, double[] ref, Tolerance tol) {
        double[] share = new double[mine.length];
        for (int j = 0; j < mine.length; j++) share[j] = tol.compare(new double[] {mine[j]}, new double[] {ref[j]}).share();
        return IntStream.range(0, mine.length).filter(j -> !(share[j] <= 1))
                .boxed().sorted(Comparator.comparingDouble((Integer j) -> Double.isNaN(share[j]) ? Double.POSITIVE_INFINITY : share[j]).reversed()
                        .thenComparingInt(j -> j))
                .limit(MAX_FD_ELEMENTS).mapToInt(Integer::intValue).sorted().toArray();
    }

    // ------------------------------------------------------------------ the evidence

    /** The case with every input rounded to {@code p}: what both sides actually computed on. */
    static Case rounded(Case c, Precision p) {
        List<Arr> in = new ArrayList<>();
        for (Arr a : c.inputs()) in.add(new Arr(a.shape(), p.round(a.data())));
        return c.withInputs(in);
    }

    private static double[] referenceForward(OpSpec s, Case r) {
        return Torch.run(DataType.FLOAT64, Parity.inputs(s, r, Precision.F64, false), xs -> s.reference.apply(r, xs), null).output();
    }

    /** Central differences of {@code sum(reference(x) * cotangent)} in float64 at the given elements of input {@code i}. */
    private static double[] referenceFiniteDifferences(OpSpec s, Case r, int i, int[] at, Function<int[], double[]> cot) {
        double[] g = new double[at.length];
        for (int k = 0; k < at.length; k++) {
            // relative above |x| = 1: at 1e30 an absolute 1e-6 step vanishes (x + h == x) and every difference is 0
            double h = Tolerance.fdStep(r.input(i).data()[at[k]]);
            g[k] = (referenceDot(s, r, i, at[k], h, cot) - referenceDot(s, r, i, at[k], -h, cot)) / (2 * h);
        }
        return g;
    }

    private static double referenceDot(OpSpec s, Case r, int i, int j, double h, Function<int[], double[]> cot) {
        List<Arr> in = new ArrayList<>(r.inputs());
        double[] d = r.input(i).data().clone();
        d[j] += h;
        in.set(i, new Arr(r.input(i).shape(), d));
        Case moved = r.withInputs(in);
        Torch.Result out = Torch.run(DataType.FLOAT64, Parity.inputs(s, moved, Precision.F64, false), xs -> s.reference.apply(moved, xs), null);
        double[] o = out.output(), w = cot.apply(out.shape());
        double acc = 0;
        for (int k = 0; k < o.length; k++) acc += o[k] * w[k];
        return acc;
    }

    /** Scratch's float64 vector-Jacobian product for input {@code i}, with the rounded cotangent. */
    private static double[] scratchGradient(OpSpec s, Case r, int i, Function<int[], double[]> cot) {
        List<Tensor> xs = Parity.tensors(r, Precision.F64);
        try (Tape tape = Tape.open()) {
            Tensor[] w = xs.toArray(new Tensor[0]);
            tape.watch(w);
            Tensor out = s.scratch.apply(r, xs);
            int[] shape = out.shape().dims();
            return tape.vjp(out, Tensor.of(DType.F64, cot.apply(shape), shape), w).get(i).toArray();
        } catch (RuntimeException e) {
            double[] nan = new double[r.input(i).data().length];
            Arrays.fill(nan, Double.NaN);
            return nan;
        }
    }
}
