package zerotoml.parity.tensor;

import static zerotoml.parity.harness.Cases.AXIS;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gens;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Case.Arg;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.tensor.Indexing;

/**
 * Index-select, embedding, gather, take-along-dim, one-hot, triu and tril against PyTorch. Index inputs are
 * whole numbers drawn inside their axis, so repeats are common and their gradients must add up.
 */
class IndexingParityTest {
    static final Arg<Integer> DEPTH = Arg.integer("depth");
    static final Arg<Integer> K = Arg.integer("k");

    static final Domain STD = Domain.standard();

    /** Data x of this shape (zeros) plus an integer input. */
    static Case bad(int[] xShape, Arr ints) {
        return new Case(List.of(new Arr(xShape, new double[Gens.size(xShape)]), ints), 0);
    }

    static OpSpec indexSelect() {
        return OpSpec.op("indexSelect")
                .cases(s -> {
                    int[] shape = Gens.shape(1, 4, 5).draw(s);
                    int axis = IntegerArgs.axis(s, shape.length);
                    int n = shape[axis < 0 ? axis + shape.length : axis];
                    Arr x = Cases.arr(s, shape, STD);
                    Arr idx = IntegerArgs.draw(s, new int[] {s.intBetween(1, 6)}, 0, n - 1);
                    return new Case(List.of(x, idx), Cases.cotangentSeed(s)).with(AXIS, axis);
                })
                .scratch((c, x) -> Indexing.indexSelect(x.get(0), c.get(AXIS), IntegerArgs.ints(x.get(1))))
                .reference((c, x) -> Ref.indexSelect(x.get(0), c.get(AXIS), x.get(1)))
                .constantInputs(1)
                .rejects("an index equal to the axis size", bad(new int[] {2, 3}, IntegerArgs.of(new int[] {2}, 0, 3)).with(AXIS, 1), "3", "[2, 3]", "indices")
                .rejects("an axis out of range", bad(new int[] {2, 3}, IntegerArgs.of(new int[] {1}, 0)).with(AXIS, 2), "axis 2", "[2, 3]")
                .rejectsWhereTorchAccepts("a 0-d x: torch.index_select accepts it with a one-element index (only our reference's rank check rejected it); scratch asks for a dimension",
                        bad(new int[] {}, IntegerArgs.of(new int[] {1}, 0)).with(AXIS, 0), "[]")
                .rejectsWhereTorchAccepts("a negative index: x[:, idx] wraps it, torch.index_select rejects it, and so does scratch",
                        bad(new int[] {2, 3}, IntegerArgs.of(new int[] {1}, -1)).with(AXIS, 1), "-1", "[2, 3]");
    }

    static OpSpec embedding() {
        return OpSpec.op("embedding")
                .cases(s -> {
                    int vocab = s.intBetween(1, 6), dim = s.intBetween(1, 5);
                    int[] idsShape = Gens.shape(0, 2, 4).draw(s);
                    Arr table = Cases.arr(s, new int[] {vocab, dim}, STD);
                    Arr ids = IntegerArgs.draw(s, idsShape, 0, vocab - 1);
                    return new Case(List.of(table, ids), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> Indexing.embedding(x.get(0), IntegerArgs.ints(x.get(1)), x.get(1).shape().dims()))
                .reference((c, x) -> Ref.embedding(x.get(0), x.get(1)))
                .constantInputs(1)
                .rejects("an id outside the vocabulary", bad(new int[] {4, 2}, IntegerArgs.of(new int[] {2, 2}, 0, 1, 4, 2)), "4", "[4, 2]", "ids");
    }

    static OpSpec gather() {
        return OpSpec.op("gather")
                .cases(s -> {
                    int[] shape = Gens.shape(1, 4, 4).draw(s);
                    int axis = IntegerArgs.axis(s, shape.length);
                    int a = axis < 0 ? axis + shape.length : axis;
                    int[] idxShape = new int[shape.length];
                    for (int d = 0; d < shape.length; d++) idxShape[d] = d == a ? s.intBetween(1, 5) : s.intBetween(1, shape[d]);
                    Arr x = Cases.arr(s, shape, STD);
                    Arr idx = IntegerArgs.draw(s, idxShape, 0, shape[a] - 1);
                    return new Case(List.of(x, idx), Cases.cotangentSeed(s)).with(AXIS, axis);
                })
                .scratch((c, x) -> Indexing.gather(x.get(0), c.get(AXIS), x.get(1)))
                .reference((c, x) -> Ref.gather(x.get(0), c.get(AXIS), x.get(1)))
                .constantInputs(1)
                .rejects("an index equal to the axis size", bad(new int[] {2, 3}, IntegerArgs.of(new int[] {2, 1}, 0, 3)).with(AXIS, 1), "3", "[2, 3]", "index")
                .rejects("a negative index", bad(new int[] {2, 3}, IntegerArgs.of(new int[] {1, 1}, -1)).with(AXIS, 1), "-1", "[2, 3]")
                .rejects("an index of another rank", bad(new int[] {2, 3}, IntegerArgs.of(new int[] {2}, 0, 1)).with(AXIS, 1), "rank", "[2, 3]")
                .rejects("an index larger than x on another axis", bad(new int[] {2, 3}, IntegerArgs.of(new int[] {3, 1}, 0, 1, 2)).with(AXIS, 1), "[3, 1]", "[2, 3]")
                .rejects("an axis out of range", bad(new int[] {2, 3}, IntegerArgs.of(new int[] {1, 1}, 0)).with(AXIS, -3), "axis -3", "[2, 3]");
    }

    /**
     * take_along_dim: on every axis but the gathered one, x and the index either agree or one of
     * them is 1 (and then the other may be larger), so both directions of broadcasting occur.
     */
    static OpSpec takeAlongDim() {
        return OpSpec.op("takeAlongDim")
                .cases(s -> {
                    int r = s.intBetween(1, 4);
                    int axis = IntegerArgs.axis(s, r);
                    int a = axis < 0 ? axis + r : axis;
                    int[] xs = new int[r], is = new int[r];
                    for (int d = 0; d < r; d++) {
                        if (d == a) {
                            xs[d] = s.intBetween(1, 4);
                            is[d] = s.intBetween(1, 4);
                            continue;
                        }
                        int n = s.intBetween(1, 3);
                        switch (s.intBetween(0, 2)) {
                            case 0 -> { xs[d] = n; is[d] = n; }
                            case 1 -> { xs[d] = 1; is[d] = n; }
                            default -> { xs[d] = n; is[d] = 1; }
                        }
                    }
                    Arr x = Cases.arr(s, xs, STD);
                    Arr idx = IntegerArgs.draw(s, is, 0, xs[a] - 1);
                    return new Case(List.of(x, idx), Cases.cotangentSeed(s)).with(AXIS, axis);
                })
                .scratch((c, x) -> Indexing.takeAlongDim(x.get(0), IntegerArgs.ints(x.get(1)), x.get(1).shape(), c.get(AXIS)))
                .reference((c, x) -> Ref.takeAlongDim(x.get(0), x.get(1), c.get(AXIS)))
                .constantInputs(1)
                .rejects("an index equal to the axis size", bad(new int[] {2, 3}, IntegerArgs.of(new int[] {1, 1}, 3)).with(AXIS, 1), "3", "[2, 3]", "index")
                .rejects("an index of another rank", bad(new int[] {2, 3}, IntegerArgs.of(new int[] {2}, 0, 1)).with(AXIS, 1), "rank", "[2, 3]")
                .rejects("shapes that do not broadcast on the other axis", bad(new int[] {2, 3}, IntegerArgs.of(new int[] {3, 1}, 0, 1, 2)).with(AXIS, 1), "[3, 1]", "[2, 3]")
                .rejects("an axis out of range", bad(new int[] {2, 3}, IntegerArgs.of(new int[] {1, 1}, 0)).with(AXIS, 2), "axis 2", "[2, 3]");
    }

    static OpSpec oneHot() {
        return OpSpec.op("oneHot")
                .cases(s -> {
                    int depth = s.intBetween(1, 6);
                    int[] shape = Gens.shape(0, 3, 4).draw(s);
                    return new Case(List.of(IntegerArgs.draw(s, shape, 0, depth - 1)), Cases.cotangentSeed(s)).with(DEPTH, depth);
                })
                .scratch((c, x) -> Indexing.oneHot(IntegerArgs.ints(x.get(0)), x.get(0).shape(), c.get(DEPTH), x.get(0).dtype()))
                .reference((c, x) -> Ref.oneHot(x.get(0), c.get(DEPTH), x.get(0).getDataType()))
                .constantInputs(0)
                .noGradient("integers in, a 0/1 pattern out: nothing to differentiate")
                .rejects("a class equal to the depth", new Case(List.of(IntegerArgs.of(new int[] {2}, 1, 3)), 0).with(DEPTH, 3), "3", "depth 3", "[2]")
                .rejects("a negative class", new Case(List.of(IntegerArgs.of(new int[] {2}, 0, -1)), 0).with(DEPTH, 3), "-1", "[2]")
                .rejects("depth 0", new Case(List.of(IntegerArgs.of(new int[] {1}, 0)), 0).with(DEPTH, 0), "depth", "0");
    }

    static OpSpec triangle(String name, boolean upper) {
        return OpSpec.op(name)
                .cases(s -> {
                    int[] shape = Gens.shape(2, 4, 5).draw(s);
                    int k = s.intBetween(-5, 5);
                    return new Case(List.of(Cases.arr(s, shape, STD)), Cases.cotangentSeed(s)).with(K, k);
                })
                .scratch((c, x) -> upper ? Indexing.triu(x.get(0), c.get(K)) : Indexing.tril(x.get(0), c.get(K)))
                .reference((c, x) -> upper ? Ref.triu(x.get(0), c.get(K)) : Ref.tril(x.get(0), c.get(K)))
                .rejects("a vector, which has no matrix axes", new Case(List.of(new Arr(new int[] {3}, new double[3])), 0).with(K, 0), "2 dimensions", "[3]");
    }

    @TestFactory
    Stream<DynamicTest> indexing() {
        return Parity.tests(indexSelect(), embedding(), gather(), takeAlongDim(), oneHot(), triangle("triu", true), triangle("tril", false));
    }

}
