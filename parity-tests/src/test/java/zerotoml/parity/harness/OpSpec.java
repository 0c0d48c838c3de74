package zerotoml.parity.harness;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.IntSupplier;
import java.util.function.ToDoubleFunction;
import java.util.function.UnaryOperator;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Precision;
import zerotoml.fixtures.Property;
import zerotoml.fixtures.Source;
import zerotoml.fixtures.Tolerance;
import zerotoml.scratch.tensor.Tensor;

/**
 * Everything the harness needs to prove one op: how to draw a case, the scratch function, the
 * reference function, and which tolerance applies. Adding an op is writing one of these.
 *
 * <pre>{@code
 * OpSpec.op("add")
 *     .cases(Cases.binary(Domain.standard(), Domain.standard()))
 *     .scratch((c, x) -> Arithmetic.add(x.get(0), x.get(1)))
 *     .reference((c, x) -> x.get(0).add(x.get(1)));
 * }</pre>
 */
public final class OpSpec {
    /** The checks every op gets: outputs, gradients against PyTorch, gradients against finite differences. */
    public enum Check {
        FORWARD("forward"), GRADIENT("grad"), FINITE_DIFFERENCES("fd"), ERRORS("errors");

        public final String label;

        Check(String label) {
            this.label = label;
        }
    }

    /** An input that must be rejected by scratch (with a message naming these words) and, unless noted, by PyTorch. */
    public record Rejection(String what, Case badCase, List<String> mentions, boolean torchAccepts) {}

    final String name;
    Gen<Case> cases;
    BiFunction<Case, List<Tensor>, Tensor> scratch;
    BiFunction<Case, List<NDArray>, NDArray> reference;
    final Set<Integer> constants = new HashSet<>();
    final Map<String, Tolerance> tolerances = new HashMap<>();
    final Map<String, ToDoubleFunction<Case>> conditioning = new HashMap<>();
    boolean signedZeros, signedZeroGradients;
    Gen<Case> fdCases;
    String noGradient;
    String noFiniteDifferences;
    int casesDivisor = 1;
    String fewerCasesReason;
    final List<Rejection> rejections = new ArrayList<>();
    final List<Precision> precisions = new ArrayList<>(List.of(Precision.F32, Precision.F64));

    private OpSpec(String name) {
        this.name = name;
    }

    public static OpSpec op(String name) {
        return new OpSpec(name);
    }

    /** An element-wise op of one input: any shape of rank 0..4 with values from {@code d}. */
    public static OpSpec unary(String name, Domain d,
                               UnaryOperator<Tensor> scratch, UnaryOperator<NDArray> reference) {
        return op(name).cases(Cases.unary(d)).scratch((c, x) -> scratch.apply(x.get(0))).reference((c, x) -> reference.apply(x.get(0)));
    }

    /** An element-wise op of two inputs whose shapes broadcast, with values from {@code a} and {@code b}. */
    public static OpSpec binary(String name, Domain a, Domain b,
                                BinaryOperator<Tensor> scratch, BinaryOperator<NDArray> reference) {
        return op(name).cases(Cases.binary(a, b)).scratch((c, x) -> scratch.apply(x.get(0), x.get(1)))
                .reference((c, x) -> reference.apply(x.get(0), x.get(1)));
    }

    public String name() {
        return name;
    }

    /**
     * The cases for finite differences, when they must differ from the cases against PyTorch:
     * cases that hold special values (NaN, ±∞, huge) have no finite differences.
     */
    public OpSpec finiteDifferenceCases(Gen<Case> g) {
        this.fdCases = g;
        return this;
    }

    Gen<Case> fdCases() {
        return fdCases != null ? fdCases : cases;
    }

    public OpSpec cases(Gen<Case> g) {
        this.cases = g;
        return this;
    }

    public OpSpec scratch(BiFunction<Case, List<Tensor>, Tensor> f) {
        this.scratch = f;
        return this;
    }

    public OpSpec reference(BiFunction<Case, List<NDArray>, NDArray> f) {
        this.reference = f;
        return this;
    }

    /** Inputs that take no gradient (masks, indices stored as values). */
    public OpSpec constantInputs(int... idx) {
        for (int i : idx) constants.add(i);
        return this;
    }

    /** Loosens one check in one precision; the reason is shown in the report. */
    public OpSpec loosen(Precision p, Check check, double rtol, double atol, String reason) {
        if (conditioning.containsKey(p.label() + "/" + check.label)) {
            throw new IllegalStateException("OpSpec.loosen: " + name + " " + p.label() + "/" + check.label + " is already conditioned; loosen first, then condition");
        }
        Tolerance base = check == Check.FINITE_DIFFERENCES ? Tolerance.finiteDifferences() : Tolerance.of(p);
        tolerances.put(p.label() + "/" + check.label, base.loosen(rtol, atol, reason));
        return this;
    }

    /**
     * For an op whose float32 result is ill-conditioned to a degree the case itself determines
     * (1 − e^x near x = 0, σ_i² − σ_{i−1}² for close σ's): each case's rtol grows by
     * {@code extraRtol(case)}, a bound on how far two correct float32 evaluations can drift apart
     * there, computed from the case (never fitted to an observed error). Cases where it is 0 keep
     * the row's tolerance. The reason says how the bound is derived, with numbers; the row shows it.
     */
    public OpSpec conditioned(Precision p, Check check, ToDoubleFunction<Case> extraRtol, String reason) {
        if (reason == null || reason.isBlank()) throw new IllegalArgumentException("OpSpec.conditioned: " + name + " needs a written reason");
        Tolerance t = tolerance(p, check);
        String why = "per case, rtol + a bound computed from the case: " + reason;
        tolerances.put(p.label() + "/" + check.label, t.loosen(t.rtol(), t.atol(), t.loosened() ? t.reason() + "; " + why : why));
        conditioning.put(p.label() + "/" + check.label, extraRtol);
        return this;
    }

    /**
     * {@link #conditioned} with a bound measured on the case, for chained ops (samplers, ODE
     * trajectories) whose conditioning no closed formula gives: scratch's float64 result is
     * re-computed with every input moved by one float32 rounding (relative 2^-24; signs alternating
     * between inputs, then between elements, then random;
     * {@value Parity#PROBES} probes), and the case's rtol grows by {@value Parity#PROBE_FACTOR}
     * times the largest relative change of an element (of the output, or of each input's gradient)
     * whose scaled change is more than atol. A
     * well-conditioned case moves by about 2^-24 and gains almost nothing; a case that cancels
     * (a score near zero under the Langevin step, x + g²s/N with g² ≈ 4e4) gains what its own
     * sensitivity says. The factor covers the roundings inside the op, which the inputs' one
     * rounding does not: several per step, on both sides. It sees the rounding of the inputs only,
     * not of constants computed inside the op (a schedule's √(1−ᾱ)); where those dominate, a
     * closed-form bound ({@link #conditioned}) is the tool.
     */
    public OpSpec perturbationConditioned(Precision p, Check check, String reason) {
        if (check != Check.FORWARD && check != Check.GRADIENT) throw new IllegalArgumentException("OpSpec.perturbationConditioned: forward or grad, not " + check);
        double atol = tolerance(p, check).atol();
        return conditioned(p, check, c -> Parity.sensitivity(this, check, c, atol, null),
                "rtol + " + Parity.PROBE_FACTOR + " × the case's measured change under one float32 rounding of every input: " + reason);
    }

    /**
     * Scratch's function again, written to also move the op's own dominant internal roundings:
     * at each one it models, it moves the value by one float32 rounding (relative 2^-24) in the
     * direction {@code sign} gives next (+1 or −1). The harness calls it for the moved runs only.
     */
    public interface InnerRoundings {
        Tensor apply(Case c, List<Tensor> x, IntSupplier sign);
    }

    /**
     * {@link #perturbationConditioned} for a chain whose sensitivity comes from a rounding inside it
     * that no input's rounding reaches (a sample u = μ + σε rounded before (u − μ)/σ is taken): the
     * probes also move the roundings {@code inner} models, with the probes' sign patterns. The
     * bound is still measured on the case, from a rounding the reason names; forward only.
     */
    public OpSpec perturbationConditioned(Precision p, Check check, InnerRoundings inner, String reason) {
        if (check != Check.FORWARD) throw new IllegalArgumentException("OpSpec.perturbationConditioned: inner roundings are probed on the forward check only, not " + check);
        if (inner == null) throw new IllegalArgumentException("OpSpec.perturbationConditioned: inner roundings are null; use the form without them");
        double atol = tolerance(p, check).atol();
        return conditioned(p, check, c -> Parity.sensitivity(this, check, c, atol, inner),
                "rtol + " + Parity.PROBE_FACTOR + " × the case's measured change under one float32 rounding of every input and of the roundings inside it: " + reason);
    }

    /** The tolerance of one case: the row's, with rtol raised by the case's bound where the op is {@link #conditioned}. */
    public Tolerance tolerance(Precision p, Check check, Case c) {
        Tolerance t = tolerance(p, check);
        ToDoubleFunction<Case> extra = conditioning.get(p.label() + "/" + check.label);
        if (extra == null) return t;
        double e = extra.applyAsDouble(c);
        if (!(e >= 0)) throw new IllegalStateException(name + ": the conditioning bound of a case must be ≥ 0, got " + e + " for " + c);
        return e == 0 ? t : new Tolerance(t.rtol() + e, t.atol(), t.reason(), t.zeroSigns());
    }

    /**
     * How many of the cases drawn from seeds 0 .. n − 1 keep the row's own tolerance exactly (their
     * {@link #conditioned} bound is 0): the measure that a per-case bound is not a blanket loosening.
     */
    public int casesKeepingRowTolerance(Precision p, Check check, int n) {
        Tolerance row = tolerance(p, check);
        int kept = 0;
        for (int k = 0; k < n; k++) if (tolerance(p, check, cases.draw(Source.random(k))).equals(row)) kept++;
        return kept;
    }

    /** Outputs and gradients must match PyTorch in the sign of every zero too ({@link Tolerance#signedZeros}). */
    public OpSpec signedZeros() {
        this.signedZeros = true;
        this.signedZeroGradients = true;
        return this;
    }

    /**
     * Outputs must match PyTorch in the sign of every zero; gradients as assert_close does. For
     * smooth ops whose gradient underflows to a zero whose sign depends on the order of a product.
     */
    public OpSpec signedZeroOutputs() {
        this.signedZeros = true;
        return this;
    }

    /** The op has no gradient (one-hot, comparisons): only forward parity runs. */
    public OpSpec noGradient(String reason) {
        this.noGradient = reason;
        return this;
    }

    /** Finite differences do not apply (a discontinuous op); say why. */
    public OpSpec noFiniteDifferences(String reason) {
        this.noFiniteDifferences = reason;
        return this;
    }

    /** A bad input that both sides must reject; scratch's message must mention each word. */
    public OpSpec rejects(String what, Case badCase, String... mentions) {
        rejections.add(new Rejection(what, badCase, List.of(mentions), false));
        return this;
    }

    /** A bad input scratch rejects although PyTorch accepts it; say so in {@code what}. */
    public OpSpec rejectsWhereTorchAccepts(String what, Case badCase, String... mentions) {
        rejections.add(new Rejection(what, badCase, List.of(mentions), true));
        return this;
    }

    /** Only these precisions (for ops PyTorch supports in one dtype only). */
    public OpSpec only(Precision... ps) {
        precisions.clear();
        precisions.addAll(List.of(ps));
        return this;
    }

    Tolerance tolerance(Precision p, Check check) {
        Tolerance t = tolerances.get(p.label() + "/" + check.label);
        if (t == null) t = check == Check.FINITE_DIFFERENCES ? Tolerance.finiteDifferences() : Tolerance.of(p);
        boolean signs = check == Check.FORWARD ? signedZeros : check == Check.GRADIENT && signedZeroGradients;
        return signs ? t.signedZeros() : t;
    }

    /**
     * For an expensive op (a whole model): run {@code zerotoml.cases / divisor} cases (at least 1)
     * per check instead of {@code zerotoml.cases}, so that {@code mvn verify} stays within budget
     * while a deep run still scales. Say why.
     */
    public OpSpec fewerCases(int divisor, String reason) {
        if (divisor < 1) throw new IllegalArgumentException("fewerCases: divisor must be ≥ 1, got " + divisor);
        this.casesDivisor = divisor;
        this.fewerCasesReason = reason;
        return this;
    }

    /** The number of cases each check of this op runs. */
    int caseCount() {
        return Math.max(1, Property.cases() / casesDivisor);
    }
}
