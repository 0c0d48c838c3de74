package zerotoml.parity.tensor;

import static zerotoml.parity.harness.Cases.AXES;
import static zerotoml.parity.harness.Cases.AXIS;
import static zerotoml.parity.harness.Cases.KEEP_DIMS;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
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
import zerotoml.reference.Torch;
import zerotoml.scratch.tensor.Reductions;
import zerotoml.scratch.tensor.Tensor;

/**
 * Reductions over any axes, with keepDims, against PyTorch: sum, mean, max (torch.amax's tie rule),
 * maxAlong (torch.max(dim)'s tie rule), var (biased and unbiased) and logsumexp (stable for
 * float32 logits near ±1e4). Tie rules are forced by integer-valued cases (forward and gradient,
 * no finite differences: the maximum has a kink wherever two elements tie). One value in twenty of
 * the cases against PyTorch is special: NaN, ±∞, ±0 or subnormal for the accumulating reductions
 * (huge values of both signs make a sum's result depend on its order: {@link
 * Domain#ACCUMULATION_SPECIALS}), and every special value, huge ones included, for max and
 * maxAlong. Finite differences draw none.
 */
class ReductionsParityTest {
    static final Arg<Integer> CORRECTION = Arg.integer("correction");

    /**
     * One input of rank 0..4 with values from a domain shifted by {@code offset}, then the axes:
     * a fifth of the time none (which means every axis), else a random non-empty set of distinct
     * axes (some negative; for a 0-d input, 0 or -1, which PyTorch accepts); then keepDims and,
     * for var, the correction.
     */
    static Gen<Case> reduction(Domain d, boolean correction, boolean shifted) {
        return s -> {
            int[] shape = Gens.shape(0, Cases.MAX_RANK, Cases.MAX_DIM).draw(s);
            double offset = shifted ? s.doubleBetween(-1e4, 1e4) : 0;
            double[] v = Gens.values(s, Gens.size(shape), d);
            for (int i = 0; i < v.length; i++) v[i] += offset;
            int[] axes = s.intBetween(0, 4) == 0 ? new int[0] : shape.length == 0 ? new int[] {s.bool() ? -1 : 0} : Cases.axes(s, shape.length);
            boolean keepDims = s.bool();
            int corr = correction ? s.pick(0, 1) : 0;
            Case c = new Case(List.of(new Arr(shape, v)), Cases.cotangentSeed(s)).with(AXES, axes).with(KEEP_DIMS, keepDims);
            return correction ? c.with(CORRECTION, corr) : c;
        };
    }

    /** One input of rank 0..4 and a single axis (negative half the time; 0 or -1 for a 0-d input), with keepDims. */
    static Gen<Case> along(Domain d) {
        return s -> {
            int[] shape = Gens.shape(0, Cases.MAX_RANK, Cases.MAX_DIM).draw(s);
            int rank = Math.max(1, shape.length);
            int axis = s.intBetween(0, rank - 1) - (s.bool() ? rank : 0);
            boolean keep = s.bool();
            return new Case(List.of(Cases.arr(s, shape, d)), Cases.cotangentSeed(s)).with(AXIS, axis).with(KEEP_DIMS, keep);
        };
    }

    static Case bad(int[] axes, boolean withCorrection) {
        Case c = new Case(List.of(new Arr(new int[] {2, 3}, new double[6])), 0).with(AXES, axes).with(KEEP_DIMS, false);
        return withCorrection ? c.with(CORRECTION, 1) : c;
    }

    static Case scalar(int[] axes, boolean withCorrection) {
        Case c = new Case(List.of(new Arr(new int[0], new double[] {1})), 0).with(AXES, axes).with(KEEP_DIMS, false);
        return withCorrection ? c.with(CORRECTION, 1) : c;
    }

    /** The two bad axes every multi-axis reduction rejects: out of range, and the same axis twice. */
    static OpSpec badAxes(OpSpec spec, boolean withCorrection) {
        return spec
                .rejects("an axis out of range", bad(new int[] {2}, withCorrection), "axis 2", "[2, 3]")
                .rejects("the same axis twice", bad(new int[] {0, -2}, withCorrection), "[0, -2]", "[2, 3]")
                .rejects("axis 1 of a 0-d tensor (only 0 and -1 exist)", scalar(new int[] {1}, withCorrection), "axis 1", "[]")
                .rejects("axes 0 and -1 of a 0-d tensor, the same axis twice", scalar(new int[] {0, -1}, withCorrection), "[0, -1]", "[]");
    }

    static OpSpec over(String name, Gen<Case> cases, Reducer mine, RefReducer ref) {
        return OpSpec.op(name).cases(cases)
                .scratch((c, x) -> mine.apply(x.get(0), c.get(AXES), c.get(KEEP_DIMS)))
                .reference((c, x) -> ref.apply(x.get(0), c.get(AXES), c.get(KEEP_DIMS)));
    }

    interface Reducer {
        Tensor apply(Tensor x, int[] axes, boolean keepDims);
    }

    interface RefReducer {
        NDArray apply(NDArray x, int[] axes, boolean keepDims);
    }

    @TestFactory
    Stream<DynamicTest> reductions() {
        Domain std = Domain.standard(), sp = std.withSpecials(Cases.SPECIAL_SHARE, Domain.ACCUMULATION_SPECIALS),
                spMax = std.withSpecials(Cases.SPECIAL_SHARE);
        String ties = "integer cases make elements tie for the maximum on purpose; the maximum is not differentiable there";
        return Parity.tests(
                badAxes(over("sum", reduction(sp, false, false), Reductions::sum, Ref::sum).finiteDifferenceCases(reduction(std, false, false)), false),
                badAxes(over("mean", reduction(sp, false, false), Reductions::mean, Ref::mean).finiteDifferenceCases(reduction(std, false, false)), false),
                badAxes(over("max", reduction(spMax, false, false), Reductions::max, Ref::max).finiteDifferenceCases(reduction(std, false, false)), false)
                        .rejects("an empty axis, which has no maximum", new Case(List.of(new Arr(new int[] {2, 0}, new double[0])), 0).with(AXES, new int[] {1}).with(KEEP_DIMS, false), "[2, 0]", "empty")
                        .rejects("an empty tensor over every axis", new Case(List.of(new Arr(new int[] {0, 3}, new double[0])), 0).with(AXES, new int[0]).with(KEEP_DIMS, false), "[0, 3]", "empty"),
                over("max (integers, ties share the gradient)", reduction(Domain.integers(-1, 1), false, false),
                        Reductions::max, Ref::max)
                        .noFiniteDifferences(ties),
                OpSpec.op("maxAlong").cases(along(spMax)).finiteDifferenceCases(along(std))
                        .scratch((c, x) -> Reductions.maxAlong(x.get(0), c.get(AXIS), c.get(KEEP_DIMS)))
                        .reference((c, x) -> Ref.maxAlong(x.get(0), c.get(AXIS), c.get(KEEP_DIMS)))
                        .rejects("an axis out of range", new Case(List.of(new Arr(new int[] {2, 3}, new double[6])), 0).with(AXIS, 2).with(KEEP_DIMS, false), "axis 2", "[2, 3]")
                        .rejects("a negative axis out of range", new Case(List.of(new Arr(new int[] {2, 3}, new double[6])), 0).with(AXIS, -3).with(KEEP_DIMS, true), "axis -3", "[2, 3]")
                        .rejects("axis 1 of a 0-d tensor (only 0 and -1 exist)", new Case(List.of(new Arr(new int[0], new double[] {1})), 0).with(AXIS, 1).with(KEEP_DIMS, false), "axis 1", "[]")
                        .rejects("an empty axis, which has no maximum", new Case(List.of(new Arr(new int[] {2, 0}, new double[0])), 0).with(AXIS, 1).with(KEEP_DIMS, false), "[2, 0]", "empty"),
                OpSpec.op("maxAlong (integers, the first maximum takes the gradient)").cases(along(Domain.integers(-1, 1)))
                        .scratch((c, x) -> Reductions.maxAlong(x.get(0), c.get(AXIS), c.get(KEEP_DIMS)))
                        .reference((c, x) -> Ref.maxAlong(x.get(0), c.get(AXIS), c.get(KEEP_DIMS)))
                        .noFiniteDifferences(ties),
                badAxes(OpSpec.op("var").cases(reduction(sp, true, false)).finiteDifferenceCases(reduction(std, true, false))
                        .scratch((c, x) -> Reductions.var(x.get(0), c.get(AXES), c.get(CORRECTION), c.get(KEEP_DIMS)))
                        .reference((c, x) -> Ref.var(x.get(0), c.get(AXES), c.get(CORRECTION), c.get(KEEP_DIMS))), true),
                badAxes(over("logsumexp", reduction(sp, false, false), Reductions::logsumexp, Ref::logsumexp).finiteDifferenceCases(reduction(std, false, false)), false),
                // every element near the same offset in ±1e4: e^x overflows float32 (and float64) there, so only a stable form passes
                over("logsumexp (logits near ±1e4)", reduction(Domain.range(-5, 5), false, true),
                        Reductions::logsumexp, Ref::logsumexp));
    }

    /**
     * The reference's amax over explicit axes is composed from NDArray ops (PyTorch has no amax in
     * DJL). Over every axis it must agree with DJL's max(), which is torch.max() with PyTorch's own
     * evenly_distribute_backward; integer inputs make ties in almost every case.
     */
    @Test
    void referenceAmaxRuleAgreesWithTorchMaxOverEveryAxisOnTies() {
        SplittableRandom r = new SplittableRandom(7);
        int tied = 0;
        for (int k = 0; k < 40; k++) {
            int[] shape = new int[1 + r.nextInt(3)];
            int n = 1;
            for (int i = 0; i < shape.length; i++) n *= shape[i] = 1 + r.nextInt(4);
            double[] x = new double[n];
            for (int i = 0; i < n; i++) x[i] = r.nextInt(3) - 1;
            int[] every = new int[shape.length];
            for (int i = 0; i < every.length; i++) every[i] = i - (r.nextBoolean() ? shape.length : 0);
            boolean keep = r.nextBoolean();
            Case c = new Case(List.of(new Arr(shape, x)), r.nextInt(1 << 20));
            List<Torch.Input> in = List.of(new Torch.Input(x, shape, true));
            Torch.Result composed = Torch.run(Torch.dtype(false), in, xs -> Ref.max(xs.get(0), every, keep), c::cotangent);
            Torch.Result torchMax = Torch.run(Torch.dtype(false), in, xs -> Ref.max(xs.get(0), new int[0], keep), c::cotangent);
            Assertions.assertArrayEquals(torchMax.shape(), composed.shape());
            Assertions.assertArrayEquals(torchMax.output(), composed.output(), 0.0);
            Assertions.assertArrayEquals(torchMax.grads().get(0), composed.grads().get(0), 1e-15, "case " + c);
            double m = Arrays.stream(x).max().getAsDouble();
            if (Arrays.stream(x).filter(v -> v == m).count() > 1) tied++;
        }
        Assertions.assertTrue(tied >= 20, "only " + tied + " of 40 cases had tied maxima");
    }
}
