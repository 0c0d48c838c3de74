package zerotoml.scratch.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Shapes: a value type with strides, axes and broadcasting. */
class ShapeTest {
    @Test
    void isAValueTypeThatCopiesItsDimensions() {
        int[] d = {2, 3};
        Shape s = Shape.of(d);
        d[0] = 9;
        assertEquals(Shape.of(2, 3), s);
        assertEquals(Shape.of(2, 3).hashCode(), s.hashCode());
        assertNotEquals(Shape.of(3, 2), s);
        int[] out = s.dims();
        out[0] = 9;
        assertEquals(2, s.dim(0));
        assertEquals("[2, 3]", s.toString());
        assertEquals("[]", Shape.of().toString());
    }

    @Test
    void sizeStridesAndNegativeAxes() {
        Shape s = Shape.of(2, 3, 4);
        assertEquals(24, s.size());
        assertEquals(1, Shape.of().size());
        assertEquals(0, Shape.of(2, 0).size());
        assertArrayEquals(new int[] {12, 4, 1}, s.strides());
        assertEquals(4, s.dim(-1));
        assertEquals(2, s.dim(-3));
        assertEquals(1, s.axis("op", -2));
        assertEquals(3, s.rank());
    }

    @Test
    void broadcastingFollowsNumPy() {
        assertEquals(Shape.of(2, 3, 4), Shape.broadcast("op", Shape.of(2, 1, 4), Shape.of(3, 1)));
        assertEquals(Shape.of(5), Shape.broadcast("op", Shape.of(), Shape.of(5)));
        assertEquals(Shape.of(), Shape.broadcast("op", Shape.of(), Shape.of()));
        assertEquals(Shape.of(0, 3), Shape.broadcast("op", Shape.of(0, 1), Shape.of(3)));
    }

    @Test
    void badShapesAndAxesNameTheOpAndTheShape() {
        assertEquals("Shape: negative dimension in [2, -1]", assertThrows(IllegalArgumentException.class, () -> Shape.of(2, -1)).getMessage());
        assertEquals("mean: axis -3 is out of range for shape [2, 3] (rank 2, valid axes -2..1)",
                assertThrows(IllegalArgumentException.class, () -> Shape.of(2, 3).axis("mean", -3)).getMessage());
        assertEquals("Shape.dim: axis 0 is out of range for shape [] (a 0-d tensor has no axes here)",
                assertThrows(IllegalArgumentException.class, () -> Shape.of().dim(0)).getMessage());
        assertEquals("mul: shapes [2, 3] and [2] do not broadcast (dimension -1: 3 vs 2)",
                assertThrows(IllegalArgumentException.class, () -> Shape.broadcast("mul", Shape.of(2, 3), Shape.of(2))).getMessage());
        assertEquals("Shape [65536, 65536] has more than 2^31 elements",
                assertThrows(IllegalArgumentException.class, () -> Shape.of(65536, 65536).size()).getMessage());
    }

    // ---- written for the sixth session's PIT survivors (notes/MutationTesting.md)

    @Test
    void aNewAxisOutOfRangeIsRejectedWithTheValidRange() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new int[] {1, 2, 3}, Shapes.unsqueeze(x, -3).shape().dims());
        assertArrayEquals(new int[] {2, 3, 1}, Shapes.unsqueeze(x, 2).shape().dims());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shapes.unsqueeze(x, 3));
        assertTrue(e.getMessage().contains("(valid axes -3..2)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Shapes.unsqueeze(x, -4));
    }

    @Test
    void aZeroDimensionIsAValidReshapeTarget() {
        Tensor empty = Tensor.of(new double[0], 2, 0);
        assertArrayEquals(new int[] {0, 3}, Shapes.reshape(empty, 0, 3).shape().dims());
        assertThrows(IllegalArgumentException.class, () -> Shapes.reshape(empty, -2, 0));
    }

    @Test
    void stackRejectsUnequalShapesListingThemAll() {
        Tensor a = Tensor.of(new double[] {1, 2}, 2), b = Tensor.of(new double[] {1, 2, 3}, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shapes.stack(java.util.List.of(a, a, b), 0));
        assertTrue(e.getMessage().endsWith("(shapes [2], [2], [3])"), e.getMessage());
    }

    @Test
    void equalShapesHashAlikeSoTheyMeetInAHashSet() {
        java.util.Set<Shape> seen = new java.util.HashSet<>(java.util.List.of(Shape.of(2, 3), Shape.of(3, 2)));
        assertTrue(seen.contains(Shape.of(2, 3)));
        assertTrue(seen.contains(Shape.of(3, 2)));
        assertEquals(Shape.of(2, 3).hashCode(), Shape.of(2, 3).hashCode());
        assertNotEquals(Shape.of(2, 3).hashCode(), Shape.of(3, 2).hashCode());
    }

    @Test
    void aShapeOfExactlyTheLargestIntElementsIsAllowedAndOneMoreIsNot() {
        assertEquals(Integer.MAX_VALUE, Shape.of(Integer.MAX_VALUE).size());
        assertThrows(IllegalArgumentException.class, () -> Shape.of(65536, 32768).size());
    }
}
