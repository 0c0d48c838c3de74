package zerotoml.scratch.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the parity tests cannot reach: argument checks that only exist on the scratch side (counts
 * that cannot disagree once shapes travel as arrays), and the invariants of the selection ops.
 */
class IndexingTest {
    static Tensor iota(int... shape) {
        double[] v = new double[Shape.of(shape).size()];
        for (int i = 0; i < v.length; i++) v[i] = i;
        return Tensor.of(v, shape);
    }

    @Test
    void repeatedIndicesAccumulateTheirGradient() {
        Tensor table = iota(3, 2);
        Tensor g = Autodiff.grad(t -> Indexing.embedding(t, new int[] {2, 0, 2, 2}, 2, 2).sum(), table);
        assertArrayEquals(new double[] {1, 1, 0, 0, 3, 3}, g.toArray());
    }

    @Test
    void gatherRejectsAnIndexTensorHoldingFractions() {
        Tensor index = Tensor.of(new double[] {0, 0.5}, 1, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> Indexing.gather(iota(2, 3), 1, index));
        assertTrue(e.getMessage().startsWith("gather:") && e.getMessage().contains("0.5") && e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    @Test
    void gatherWithAWholeNumberIndexTensorMatchesTheIntArrayForm() {
        Tensor x = iota(2, 3);
        Tensor a = Indexing.gather(x, 1, Tensor.of(new double[] {2, 0, 1, 1}, 2, 2));
        Tensor b = Indexing.gather(x, 1, new int[] {2, 0, 1, 1}, Shape.of(2, 2));
        assertArrayEquals(new double[] {2, 0, 4, 4}, a.toArray());
        assertArrayEquals(a.toArray(), b.toArray());
    }

    @Test
    void countsThatDoNotFillTheirShapeAreRejected() {
        var e1 = assertThrows(IllegalArgumentException.class, () -> Indexing.embedding(iota(4, 2), new int[] {0, 1, 2}, 2, 2));
        assertTrue(e1.getMessage().startsWith("embedding:") && e1.getMessage().contains("[2, 2]"), e1.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> Indexing.oneHot(new int[] {0, 1}, Shape.of(3), 2, DType.F32));
        assertTrue(e2.getMessage().startsWith("oneHot:") && e2.getMessage().contains("[3]"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> Indexing.gather(iota(2, 3), 0, new int[] {0}, Shape.of(1, 2)));
        assertTrue(e3.getMessage().startsWith("gather:") && e3.getMessage().contains("[1, 2]"), e3.getMessage());
        var e4 = assertThrows(IllegalArgumentException.class, () -> Indexing.embedding(iota(4), new int[] {0}, 1));
        assertTrue(e4.getMessage().startsWith("embedding:") && e4.getMessage().contains("[4]"), e4.getMessage());
    }

    @Test
    void triuAtKPlusTrilAtKMinusOneRebuildTheMatrixExactly() {
        Tensor x = iota(2, 3, 4);
        for (int k = -3; k <= 4; k++) {
            double[] u = Indexing.triu(x, k).toArray(), l = Indexing.tril(x, k - 1).toArray();
            for (int i = 0; i < u.length; i++) assertEquals(x.toArray()[i], u[i] + l[i], "k " + k + ", element " + i);
        }
    }

    @Test
    void concatPromotesMixedDtypesAndStackOfOneAddsAnAxis() {
        Tensor a = Tensor.of(DType.F32, new double[] {1, 2}, 2), b = Tensor.of(DType.F64, new double[] {3}, 1);
        Tensor c = Shapes.concat(List.of(a, b), 0);
        assertEquals(DType.F64, c.dtype());
        assertArrayEquals(new double[] {1, 2, 3}, c.toArray());
        assertEquals(Shape.of(1, 2), Shapes.stack(List.of(a), 0).shape());
    }

    @Test
    void sliceFollowsPythonBounds() {
        Tensor x = iota(6);
        assertArrayEquals(new double[] {4, 5}, Shapes.slice(x, 0, -2, 100).toArray());
        assertArrayEquals(new double[] {0, 3}, Shapes.slice(x, 0, -100, 5, 3).toArray());
        assertEquals(0, Shapes.slice(x, 0, 4, 2).size());
    }

    @Test
    void softmaxOfAScalarIsOneAndLogSoftmaxZero() {
        assertEquals(1.0, Softmax.softmax(Tensor.scalar(7), -1).item());
        assertEquals(0.0, Softmax.logSoftmax(Tensor.scalar(7), 0).item());
    }

    // ---- written for the sixth session's PIT survivors (notes/MutationTesting.md)

    @Test
    void takeCopiesTheNamedPositionsFillsNegativeOnesWithZeroAndRoutesTheGradientBack() {
        Tensor x = Tensor.of(new double[] {10, 20, 30}, 3);
        int[] src = {2, -1, 0, 2};
        Tensor y = Indexing.take("pick", x, Shape.of(2, 2), src);
        assertArrayEquals(new double[] {30, 0, 10, 30}, y.toArray(), 0);
        Tensor g = Autodiff.grad(t -> Reductions.sum(Indexing.take("pick", t, Shape.of(2, 2), src)), x);
        assertArrayEquals(new double[] {1, 0, 2}, g.toArray(), 0);
    }

    @Test
    void takeRejectsPositionsThatDoNotFillTheOutputOrFallOutsideX() {
        Tensor x = Tensor.of(new double[] {10, 20, 30}, 3);
        IllegalArgumentException few = assertThrows(IllegalArgumentException.class, () -> Indexing.take("pick", x, Shape.of(2), new int[] {0}));
        assertTrue(few.getMessage().startsWith("pick: 1 source positions do not fill output shape [2]"), few.getMessage());
        IllegalArgumentException past = assertThrows(IllegalArgumentException.class, () -> Indexing.take("pick", x, Shape.of(1), new int[] {3}));
        assertTrue(past.getMessage().startsWith("pick: source position 3 at output 0 is outside x [3]"), past.getMessage());
        assertArrayEquals(new double[] {30}, Indexing.take("pick", x, Shape.of(1), new int[] {2}).toArray(), 0);
    }

    @Test
    void anIndexEqualToTheAxisSizeIsRejectedByName() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Indexing.indexSelect(x, 1, new int[] {3}));
        assertTrue(e.getMessage().contains("out of range [0, 3)"), e.getMessage());
        assertArrayEquals(new double[] {3, 6}, Indexing.indexSelect(x, 1, new int[] {2}).toArray(), 0);
    }

    @Test
    void aGatherIndexOfTheLargestIntIsOutOfRangeNotAFraction() {
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 3);
        Tensor index = Tensor.of(new double[] {Integer.MAX_VALUE}, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Indexing.gather(x, 0, index));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
    }
}
