package zerotoml.parity.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gens;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.reference.tensor.Shapes;

/** Shape ops against PyTorch: reshape, permute, transpose, broadcastTo, slice, concat, stack, squeeze, unsqueeze. */
class ShapesParityTest {
    static final Domain STD = Domain.standard();

    /** A case of one input of this shape with zeros, for error inputs. */
    static Case zeros(Map<String, Object> args, int[]... shapes) {
        List<Arr> in = new ArrayList<>();
        for (int[] s : shapes) in.add(new Arr(s, new double[Gens.size(s)]));
        return new Case(in, args, 0);
    }

    /** A target for reshape: x's dims with adjacent pairs merged, 1s inserted, and maybe one -1. */
    static int[] reshapeTarget(zerotoml.fixtures.Source s, int[] dims) {
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
        if (s.bool()) java.util.Collections.reverse(out);
        if (!out.isEmpty() && s.bool()) out.set(s.intBetween(0, out.size() - 1), -1);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    static OpSpec reshape() {
        return OpSpec.op("reshape")
                .cases(s -> {
                    int[] shape = Gens.shape(0, 4, 5).draw(s);
                    int[] target = reshapeTarget(s, shape);
                    return new Case(List.of(Cases.arr(s, shape, STD)), Map.of("dims", target), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> zerotoml.scratch.tensor.Shapes.reshape(x.get(0), c.intsArg("dims")))
                .reference((c, x) -> Shapes.reshape(x.get(0), c.intsArg("dims")))
                .rejects("a target with another number of elements", zeros(Map.of("dims", new int[] {4, 2}), new int[] {2, 3}), "[2, 3]", "[4, 2]")
                .rejects("two -1s", zeros(Map.of("dims", new int[] {-1, -1}), new int[] {2, 3}), "-1", "[2, 3]")
                .rejects("a -1 that cannot be inferred", zeros(Map.of("dims", new int[] {4, -1}), new int[] {2, 3}), "-1", "[2, 3]");
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
                    return new Case(List.of(Cases.arr(s, shape, STD)), Map.of("perm", perm), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> zerotoml.scratch.tensor.Shapes.permute(x.get(0), c.intsArg("perm")))
                .reference((c, x) -> Shapes.permute(x.get(0), c.intsArg("perm")))
                .rejects("a permutation of the wrong length", zeros(Map.of("perm", new int[] {1, 0}), new int[] {2, 3, 4}), "[1, 0]", "[2, 3, 4]")
                .rejects("a repeated axis", zeros(Map.of("perm", new int[] {0, 2, -1}), new int[] {2, 3, 4}), "repeats", "[2, 3, 4]")
                .rejects("an axis out of range", zeros(Map.of("perm", new int[] {0, 3}), new int[] {2, 3}), "axis 3", "[2, 3]");
    }

    static OpSpec transpose() {
        return OpSpec.op("transpose")
                .cases(s -> {
                    int[] shape = Gens.shape(0, 4, 5).draw(s);
                    int rank = Math.max(1, shape.length); // a 0-d tensor takes axis 0 or -1, as in PyTorch
                    int a = IntegerArgs.axis(s, rank), b = IntegerArgs.axis(s, rank);
                    return new Case(List.of(Cases.arr(s, shape, STD)), Map.of("a", a, "b", b), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> zerotoml.scratch.tensor.Shapes.transpose(x.get(0), c.intArg("a"), c.intArg("b")))
                .reference((c, x) -> Shapes.transpose(x.get(0), c.intArg("a"), c.intArg("b")))
                .rejects("an axis out of range", zeros(Map.of("a", 0, "b", 2), new int[] {2, 3}), "axis 2", "[2, 3]")
                .rejects("axis 1 of a 0-d tensor", zeros(Map.of("a", 0, "b", 1), new int[] {}), "axis 1", "0-d");
    }

    static OpSpec broadcastTo() {
        return OpSpec.op("broadcastTo")
                .cases(s -> {
                    int[] full = Gens.shape(0, 4, 5).draw(s);
                    int[] shape = Gens.thin(s, full);
                    return new Case(List.of(Cases.arr(s, shape, STD)), Map.of("dims", full), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> zerotoml.scratch.tensor.Shapes.broadcastTo(x.get(0), c.intsArg("dims")))
                .reference((c, x) -> Shapes.broadcastTo(x.get(0), c.intsArg("dims")))
                .rejects("a dimension that is neither equal nor 1", zeros(Map.of("dims", new int[] {2, 4}), new int[] {2, 3}), "[2, 3]", "[2, 4]")
                .rejects("a target of lower rank", zeros(Map.of("dims", new int[] {3}), new int[] {2, 3}), "[2, 3]", "[3]");
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
                    return new Case(List.of(Cases.arr(s, shape, STD)), Map.of("axis", axis, "start", start, "end", end, "step", step), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> zerotoml.scratch.tensor.Shapes.slice(x.get(0), c.intArg("axis"), c.intArg("start"), c.intArg("end"), c.intArg("step")))
                .reference((c, x) -> Shapes.slice(x.get(0), c.intArg("axis"), c.intArg("start"), c.intArg("end"), c.intArg("step")))
                .rejects("step 0", zeros(Map.of("axis", 1, "start", 0, "end", 2, "step", 0), new int[] {2, 3}), "step", "[2, 3]")
                .rejects("a negative step", zeros(Map.of("axis", 0, "start", 1, "end", 0, "step", -1), new int[] {2, 3}), "step", "[2, 3]")
                .rejects("an axis out of range", zeros(Map.of("axis", 2, "start", 0, "end", 1, "step", 1), new int[] {2, 3}), "axis 2", "[2, 3]")
                .rejects("a negative axis out of range", zeros(Map.of("axis", -3, "start", 0, "end", 1, "step", 1), new int[] {2, 3}), "axis -3", "[2, 3]")
                .rejects("a 0-d tensor", zeros(Map.of("axis", 0, "start", 0, "end", 1, "step", 1), new int[] {}), "0-d", "[]");
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
                    return new Case(in, Map.of("axis", axis), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> zerotoml.scratch.tensor.Shapes.concat(x, c.intArg("axis")))
                .reference((c, x) -> Shapes.concat(x, c.intArg("axis")))
                .rejects("another size on a non-concatenated axis", zeros(Map.of("axis", 1), new int[] {2, 3, 4}, new int[] {2, 3, 5}), "[2, 3, 4]", "[2, 3, 5]")
                .rejects("another rank", zeros(Map.of("axis", 0), new int[] {2, 3}, new int[] {3}), "[2, 3]", "[3]")
                .rejects("0-d tensors", zeros(Map.of("axis", 0), new int[] {}, new int[] {}), "0-d", "[]")
                .rejects("an axis out of range", zeros(Map.of("axis", 2), new int[] {2, 3}, new int[] {2, 3}), "axis 2", "[2, 3]")
                .rejects("no tensors at all", zeros(Map.of("axis", 0)), "empty");
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
                    return new Case(in, Map.of("axis", axis), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> zerotoml.scratch.tensor.Shapes.stack(x, c.intArg("axis")))
                .reference((c, x) -> Shapes.stack(x, c.intArg("axis")))
                .rejects("inputs of different shapes", zeros(Map.of("axis", 0), new int[] {2, 3}, new int[] {3, 2}), "[2, 3]", "[3, 2]")
                .rejects("an axis beyond the new rank", zeros(Map.of("axis", 3), new int[] {2, 3}, new int[] {2, 3}), "axis 3", "[2, 3]")
                .rejects("no tensors at all", zeros(Map.of("axis", 0)), "empty");
    }

    /** A shape whose dimensions are 1 about half the time. */
    static int[] withOnes(zerotoml.fixtures.Source s, int minRank) {
        int[] shape = Gens.shape(minRank, 4, 4).draw(s);
        for (int i = 0; i < shape.length; i++) if (s.bool()) shape[i] = 1;
        return shape;
    }

    static OpSpec squeeze() {
        return OpSpec.op("squeeze")
                .cases(s -> {
                    int[] shape = withOnes(s, 0);
                    int axis = IntegerArgs.axis(s, Math.max(1, shape.length));
                    return new Case(List.of(Cases.arr(s, shape, STD)), Map.of("axis", axis), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> zerotoml.scratch.tensor.Shapes.squeeze(x.get(0), c.intArg("axis")))
                .reference((c, x) -> Shapes.squeeze(x.get(0), c.intArg("axis")))
                .rejects("an axis out of range", zeros(Map.of("axis", 2), new int[] {2, 1}), "axis 2", "[2, 1]")
                .rejects("axis 1 of a 0-d tensor", zeros(Map.of("axis", 1), new int[] {}), "axis 1", "0-d");
    }

    static OpSpec squeezeAll() {
        return OpSpec.op("squeeze (all axes)")
                .cases(s -> new Case(List.of(Cases.arr(s, withOnes(s, 0), STD)), Map.of(), Cases.cotangentSeed(s)))
                .scratch((c, x) -> zerotoml.scratch.tensor.Shapes.squeeze(x.get(0)))
                .reference((c, x) -> Shapes.squeeze(x.get(0)));
    }

    static OpSpec unsqueeze() {
        return OpSpec.op("unsqueeze")
                .cases(s -> {
                    int[] shape = Gens.shape(0, 3, 5).draw(s);
                    int r = shape.length + 1;
                    int axis = s.intBetween(0, r - 1) - (s.bool() ? r : 0);
                    return new Case(List.of(Cases.arr(s, shape, STD)), Map.of("axis", axis), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> zerotoml.scratch.tensor.Shapes.unsqueeze(x.get(0), c.intArg("axis")))
                .reference((c, x) -> Shapes.unsqueeze(x.get(0), c.intArg("axis")))
                .rejects("an axis beyond the new rank", zeros(Map.of("axis", 3), new int[] {2, 3}), "axis 3", "[2, 3]")
                .rejects("a negative axis beyond the new rank", zeros(Map.of("axis", -4), new int[] {2, 3}), "axis -4", "[2, 3]");
    }

    @TestFactory
    Stream<DynamicTest> shapes() {
        return Parity.tests(reshape(), permute(), transpose(), broadcastTo(), slice(), concat(), stack(), squeeze(), squeezeAll(), unsqueeze());
    }
}
