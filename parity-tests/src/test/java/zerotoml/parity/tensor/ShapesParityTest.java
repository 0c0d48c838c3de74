package zerotoml.parity.tensor;

import static zerotoml.parity.harness.Cases.AXIS;
import static zerotoml.parity.harness.Cases.zeros;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gens;
import zerotoml.fixtures.Source;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Case.Arg;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.tensor.Shapes;

/** Shape ops against PyTorch: reshape, permute, transpose, broadcastTo, slice, concat, stack, squeeze, unsqueeze. */
class ShapesParityTest {
    static final Arg<int[]> DIMS = Arg.ints("dims");
    static final Arg<int[]> PERM = Arg.ints("perm");
    static final Arg<Integer> A = Arg.integer("a");
    static final Arg<Integer> B = Arg.integer("b");
    static final Arg<Integer> START = Arg.integer("start");
    static final Arg<Integer> END = Arg.integer("end");
    static final Arg<Integer> STEP = Arg.integer("step");

    static final Domain STD = Domain.standard();

    /** A target for reshape: x's dims with adjacent pairs merged, 1s inserted, and maybe one -1. */
    static int[] reshapeTarget(Source s, int[] dims) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < dims.length; i++) {
            if (i + 1 < dims.length && s.bool()) {
                out.add(dims[i] * dims[i + 1]);
                i++;
            } else {
                out.add(dims[i]);
            }
            if (s.intBetween(0, 3) == 0) out.add(1);
        }
        if (s.bool()) Collections.reverse(out);
        if (!out.isEmpty() && s.bool()) out.set(s.intBetween(0, out.size() - 1), -1);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    static OpSpec reshape() {
        return OpSpec.op("reshape")
                .cases(s -> {
                    int[] shape = Gens.shape(0, 4, 5).draw(s);
                    int[] target = reshapeTarget(s, shape);
                    return new Case(List.of(Cases.arr(s, shape, STD)), Cases.cotangentSeed(s)).with(DIMS, target);
                })
                .scratch((c, x) -> Shapes.reshape(x.get(0), c.get(DIMS)))
                .reference((c, x) -> Ref.reshape(x.get(0), c.get(DIMS)))
                .rejects("a target with another number of elements", zeros(new int[] {2, 3}).with(DIMS, new int[] {4, 2}), "[2, 3]", "[4, 2]")
                .rejects("two -1s", zeros(new int[] {2, 3}).with(DIMS, new int[] {-1, -1}), "-1", "[2, 3]")
                .rejects("a -1 that cannot be inferred", zeros(new int[] {2, 3}).with(DIMS, new int[] {4, -1}), "-1", "[2, 3]");
    }

    static OpSpec permute() {
        return OpSpec.op("permute")
                .cases(s -> {
                    int[] shape = Gens.shape(1, 4, 5).draw(s);
                    List<Integer> axes = new ArrayList<>();
                    for (int i = 0; i < shape.length; i++) axes.add(i);
                    int[] perm = new int[shape.length];
                    for (int i = 0; i < perm.length; i++) {
                        int a = axes.remove(s.intBetween(0, axes.size() - 1));
                        perm[i] = s.bool() ? a - shape.length : a;
                    }
                    return new Case(List.of(Cases.arr(s, shape, STD)), Cases.cotangentSeed(s)).with(PERM, perm);
                })
                .scratch((c, x) -> Shapes.permute(x.get(0), c.get(PERM)))
                .reference((c, x) -> Ref.permute(x.get(0), c.get(PERM)))
                .rejects("a permutation of the wrong length", zeros(new int[] {2, 3, 4}).with(PERM, new int[] {1, 0}), "[1, 0]", "[2, 3, 4]")
                .rejects("a repeated axis", zeros(new int[] {2, 3, 4}).with(PERM, new int[] {0, 2, -1}), "repeats", "[2, 3, 4]")
                .rejects("an axis out of range", zeros(new int[] {2, 3}).with(PERM, new int[] {0, 3}), "axis 3", "[2, 3]");
    }

    static OpSpec transpose() {
        return OpSpec.op("transpose")
                .cases(s -> {
                    int[] shape = Gens.shape(0, 4, 5).draw(s);
                    int rank = Math.max(1, shape.length); // a 0-d tensor takes axis 0 or -1, as in PyTorch
                    int a = IntegerArgs.axis(s, rank), b = IntegerArgs.axis(s, rank);
                    return new Case(List.of(Cases.arr(s, shape, STD)), Cases.cotangentSeed(s)).with(A, a).with(B, b);
                })
                .scratch((c, x) -> Shapes.transpose(x.get(0), c.get(A), c.get(B)))
                .reference((c, x) -> Ref.transpose(x.get(0), c.get(A), c.get(B)))
                .rejects("an axis out of range", zeros(new int[] {2, 3}).with(A, 0).with(B, 2), "axis 2", "[2, 3]")
                .rejects("axis 1 of a 0-d tensor", zeros(new int[] {}).with(A, 0).with(B, 1), "axis 1", "0-d");
    }

    static OpSpec broadcastTo() {
        return OpSpec.op("broadcastTo")
                .cases(s -> {
                    int[] full = Gens.shape(0, 4, 5).draw(s);
                    int[] shape = Gens.thin(s, full);
                    return new Case(List.of(Cases.arr(s, shape, STD)), Cases.cotangentSeed(s)).with(DIMS, full);
                })
                .scratch((c, x) -> Shapes.broadcastTo(x.get(0), c.get(DIMS)))
                .reference((c, x) -> Ref.broadcastTo(x.get(0), c.get(DIMS)))
                .rejects("a dimension that is neither equal nor 1", zeros(new int[] {2, 3}).with(DIMS, new int[] {2, 4}), "[2, 3]", "[2, 4]")
                .rejects("a target of lower rank", zeros(new int[] {2, 3}).with(DIMS, new int[] {3}), "[2, 3]", "[3]");
    }

    static OpSpec slice() {
        return OpSpec.op("slice")
                .cases(s -> {
                    int[] shape = Gens.shape(1, 4, 5).draw(s);
                    int axis = IntegerArgs.axis(s, shape.length);
                    int n = shape[axis < 0 ? axis + shape.length : axis];
                    // bounds from -n-2 to n+2 exercise negative, clamped and empty slices
                    int start = s.intBetween(0, n + 2) * (s.bool() ? -1 : 1);
                    int end = s.bool() ? n : s.intBetween(0, n + 2) * (s.bool() ? -1 : 1);
                    int step = s.pick(1, 2, 3);
                    return new Case(List.of(Cases.arr(s, shape, STD)), Cases.cotangentSeed(s)).with(AXIS, axis).with(START, start).with(END, end).with(STEP, step);
                })
                .scratch((c, x) -> Shapes.slice(x.get(0), c.get(AXIS), c.get(START), c.get(END), c.get(STEP)))
                .reference((c, x) -> Ref.slice(x.get(0), c.get(AXIS), c.get(START), c.get(END), c.get(STEP)))
                .rejects("step 0", zeros(new int[] {2, 3}).with(AXIS, 1).with(START, 0).with(END, 2).with(STEP, 0), "step", "[2, 3]")
                .rejects("a negative step", zeros(new int[] {2, 3}).with(AXIS, 0).with(START, 1).with(END, 0).with(STEP, -1), "step", "[2, 3]")
                .rejects("an axis out of range", zeros(new int[] {2, 3}).with(AXIS, 2).with(START, 0).with(END, 1).with(STEP, 1), "axis 2", "[2, 3]")
                .rejects("a negative axis out of range", zeros(new int[] {2, 3}).with(AXIS, -3).with(START, 0).with(END, 1).with(STEP, 1), "axis -3", "[2, 3]")
                .rejects("a 0-d tensor", zeros(new int[] {}).with(AXIS, 0).with(START, 0).with(END, 1).with(STEP, 1), "0-d", "[]");
    }

    /** 1 to 4 inputs that agree on every axis but {@code axis}, which varies per input. */
    static OpSpec concat() {
        return OpSpec.op("concat")
                .cases(s -> {
                    int[] shape = Gens.shape(1, 4, 4).draw(s);
                    int axis = IntegerArgs.axis(s, shape.length);
                    int k = s.intBetween(1, 4);
                    List<Arr> in = new ArrayList<>();
                    for (int i = 0; i < k; i++) {
                        int[] si = shape.clone();
                        si[axis < 0 ? axis + si.length : axis] = s.intBetween(1, 4);
                        in.add(Cases.arr(s, si, STD));
                    }
                    return new Case(in, Cases.cotangentSeed(s)).with(AXIS, axis);
                })
                .scratch((c, x) -> Shapes.concat(x, c.get(AXIS)))
                .reference((c, x) -> Ref.concat(x, c.get(AXIS)))
                .rejects("another size on a non-concatenated axis", zeros(new int[] {2, 3, 4}, new int[] {2, 3, 5}).with(AXIS, 1), "[2, 3, 4]", "[2, 3, 5]")
                .rejects("another rank", zeros(new int[] {2, 3}, new int[] {3}).with(AXIS, 0), "[2, 3]", "[3]")
                .rejects("0-d tensors", zeros(new int[] {}, new int[] {}).with(AXIS, 0), "0-d", "[]")
                .rejects("an axis out of range", zeros(new int[] {2, 3}, new int[] {2, 3}).with(AXIS, 2), "axis 2", "[2, 3]")
                .rejects("no tensors at all", zeros().with(AXIS, 0), "empty");
    }

    static OpSpec stack() {
        return OpSpec.op("stack")
                .cases(s -> {
                    int[] shape = Gens.shape(0, 3, 4).draw(s);
                    int r = shape.length + 1;
                    int axis = s.intBetween(0, r - 1) - (s.bool() ? r : 0);
                    int k = s.intBetween(1, 4);
                    List<Arr> in = new ArrayList<>();
                    for (int i = 0; i < k; i++) in.add(Cases.arr(s, shape, STD));
                    return new Case(in, Cases.cotangentSeed(s)).with(AXIS, axis);
                })
                .scratch((c, x) -> Shapes.stack(x, c.get(AXIS)))
                .reference((c, x) -> Ref.stack(x, c.get(AXIS)))
                .rejects("inputs of different shapes", zeros(new int[] {2, 3}, new int[] {3, 2}).with(AXIS, 0), "[2, 3]", "[3, 2]")
                .rejects("an axis beyond the new rank", zeros(new int[] {2, 3}, new int[] {2, 3}).with(AXIS, 3), "axis 3", "[2, 3]")
                .rejects("no tensors at all", zeros().with(AXIS, 0), "empty");
    }

    /** A shape whose dimensions are 1 about half the time. */
    static int[] withOnes(Source s, int minRank) {
        int[] shape = Gens.shape(minRank, 4, 4).draw(s);
        for (int i = 0; i < shape.length; i++) if (s.bool()) shape[i] = 1;
        return shape;
    }

    static OpSpec squeeze() {
        return OpSpec.op("squeeze")
                .cases(s -> {
                    int[] shape = withOnes(s, 0);
                    int axis = IntegerArgs.axis(s, Math.max(1, shape.length));
                    return new Case(List.of(Cases.arr(s, shape, STD)), Cases.cotangentSeed(s)).with(AXIS, axis);
                })
                .scratch((c, x) -> Shapes.squeeze(x.get(0), c.get(AXIS)))
                .reference((c, x) -> Ref.squeeze(x.get(0), c.get(AXIS)))
                .rejects("an axis out of range", zeros(new int[] {2, 1}).with(AXIS, 2), "axis 2", "[2, 1]")
                .rejects("axis 1 of a 0-d tensor", zeros(new int[] {}).with(AXIS, 1), "axis 1", "0-d");
    }

    static OpSpec squeezeAll() {
        return OpSpec.op("squeeze (all axes)")
                .cases(s -> new Case(List.of(Cases.arr(s, withOnes(s, 0), STD)), Cases.cotangentSeed(s)))
                .scratch((c, x) -> Shapes.squeeze(x.get(0)))
                .reference((c, x) -> Ref.squeeze(x.get(0)));
    }

    static OpSpec unsqueeze() {
        return OpSpec.op("unsqueeze")
                .cases(s -> {
                    int[] shape = Gens.shape(0, 3, 5).draw(s);
                    int r = shape.length + 1;
                    int axis = s.intBetween(0, r - 1) - (s.bool() ? r : 0);
                    return new Case(List.of(Cases.arr(s, shape, STD)), Cases.cotangentSeed(s)).with(AXIS, axis);
                })
                .scratch((c, x) -> Shapes.unsqueeze(x.get(0), c.get(AXIS)))
                .reference((c, x) -> Ref.unsqueeze(x.get(0), c.get(AXIS)))
                .rejects("an axis beyond the new rank", zeros(new int[] {2, 3}).with(AXIS, 3), "axis 3", "[2, 3]")
                .rejects("a negative axis beyond the new rank", zeros(new int[] {2, 3}).with(AXIS, -4), "axis -4", "[2, 3]");
    }

    @TestFactory
    Stream<DynamicTest> shapes() {
        return Parity.tests(reshape(), permute(), transpose(), broadcastTo(), slice(), concat(), stack(), squeeze(), squeezeAll(), unsqueeze());
    }
}
