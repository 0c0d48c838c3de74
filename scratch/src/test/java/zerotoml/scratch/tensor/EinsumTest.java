package zerotoml.scratch.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** einsum on small cases worked out by hand, and its error messages. Parity with PyTorch lives in parity-tests. */
class EinsumTest {
    static Tensor random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] d = new double[Shape.of(shape).size()];
        for (int i = 0; i < d.length; i++) d[i] = r.nextDouble() * 2 - 1;
        return Tensor.of(d, shape);
    }

    @Test
    void matrixProductEqualsMatmul() {
        Tensor a = random(1, 2, 3), b = random(2, 3, 4);
        assertArrayEquals(LinearAlgebra.matmul(a, b).toArray(), Einsum.einsum("ij,jk->ik", a, b).toArray(), 1e-12);
    }

    @Test
    void traceSumsTheDiagonal() {
        Tensor a = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3);
        assertEquals(15, Einsum.einsum("ii->", a).item(), 0);
        assertArrayEquals(new double[] {1, 5, 9}, Einsum.einsum("ii->i", a).toArray(), 0);
    }

    @Test
    void transposeOuterProductAndSumsReadAsWritten() {
        Tensor a = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, Einsum.einsum("ij->ji", a).toArray(), 0);
        assertArrayEquals(new double[] {5, 7, 9}, Einsum.einsum("ij->j", a).toArray(), 0);
        assertEquals(21, Einsum.einsum("ij->", a).item(), 0);
        Tensor u = Tensor.of(new double[] {1, 2}, 2), v = Tensor.of(new double[] {3, 4, 5}, 3);
        assertArrayEquals(new double[] {3, 4, 5, 6, 8, 10}, Einsum.einsum("i,j->ij", u, v).toArray(), 0);
        assertArrayEquals(new double[] {3, 4, 5, 6, 8, 10}, Einsum.einsum("i,j", u, v).toArray(), 0);
    }

    @Test
    void implicitFormSortsTheLettersUsedOnce() {
        Tensor a = random(3, 2, 3), b = random(4, 3, 4);
        assertArrayEquals(Einsum.einsum("ij,jk->ik", a, b).toArray(), Einsum.einsum("ij,jk", a, b).toArray(), 0);
        assertArrayEquals(Einsum.einsum("ba->ab", a).toArray(), Einsum.einsum("ba", a).toArray(), 0);
    }

    @Test
    void ellipsisBroadcastsBatchDimensionsOfSizeOne() {
        Tensor a = random(5, 2, 1, 3, 4), b = random(6, 5, 4, 2);
        Tensor c = Einsum.einsum("...ij,...jk->...ik", a, b);
        assertArrayEquals(new int[] {2, 5, 3, 2}, c.shape().dims());
        assertArrayEquals(LinearAlgebra.matmul(a, b).toArray(), c.toArray(), 1e-12);
    }

    @Test
    void gradientOfMatrixProductIsTheCotangentTimesTheOtherTransposed() {
        Tensor a = random(7, 2, 3), b = random(8, 3, 4), g = random(9, 2, 4);
        try (Tape tape = Tape.open()) {
            tape.watch(a, b);
            List<Tensor> grads = tape.vjp(Einsum.einsum("ij,jk->ik", a, b), g, a, b);
            // ∂A = G Bᵀ = einsum("ik,jk->ij", G, B);  ∂B = Aᵀ G = einsum("ij,ik->jk", A, G)
            assertArrayEquals(Einsum.einsum("ik,jk->ij", g, b).toArray(), grads.get(0).toArray(), 1e-12);
            assertArrayEquals(Einsum.einsum("ij,ik->jk", a, g).toArray(), grads.get(1).toArray(), 1e-12);
        }
    }

    @Test
    void diagonalGradientLandsOnTheDiagonal() {
        Tensor a = random(10, 3, 3);
        try (Tape tape = Tape.open()) {
            tape.watch(a);
            Tensor g = tape.gradient(Einsum.einsum("ii->", a), a).get(0);
            assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, g.toArray(), 0);
        }
    }

    static String message(String formula, Tensor... xs) {
        return assertThrows(IllegalArgumentException.class, () -> Einsum.einsum(formula, xs)).getMessage();
    }

    @Test
    void malformedFormulasAreRejectedWithAMessageThatPointsAtTheFault() {
        Tensor m23 = random(1, 2, 3), m345 = random(2, 3, 4, 5), m34 = random(3, 3, 4), m44 = random(4, 4, 4);
        assertEquals("einsum: operand 1 has 3 dimensions but its subscripts \"jk\" name 2 (\"ij,jk->ik\" with shapes [2, 3], [3, 4, 5])",
                message("ij,jk->ik", m23, m345));
        assertEquals("einsum: index 'k' in the output does not appear in any input (\"ij->ik\")\n    ij->ik\n         ^",
                message("ij->ik", m23));
        assertTrue(message("ij->ii", m23).contains("'i' appears twice in the output"));
        assertTrue(message("ij,jk->ik", m23).contains("names 2 operands but 1 tensor was given"));
        assertTrue(message("i3->i", m23).contains("invalid character '3'"));
        assertTrue(message("ij,jk->ik", m23, m44).contains("index 'j' has size 3 in operand 0 (dimension 1) but size 4 in operand 1 (dimension 0)"));
        assertTrue(message("...i...->i", m23).contains("more than one \"...\""));
        assertTrue(message("ij->i->j", m23).contains("\"->\" appears twice"));
        assertTrue(message("ii->i", m23).contains("repeated in operand 0 but dimension 0 has size 2 and dimension 1 has size 3"));
        assertTrue(message("i..j->ij", m23).contains("'.' must come as \"...\""));
        assertTrue(message("ij>ij", m23).contains("'>' must be part of \"->\""));
        assertTrue(message("ij,->ij", m23, m34).contains("operand 1 has 2 dimensions but its subscripts \"\" name 0"));
        assertTrue(message("ij->...ij", m23).contains("\"...\" in the output but in no input"));
    }

    // ---- written for the sixth session's PIT survivors (notes/MutationTesting.md)

    @Test
    void theFirstAndLastLettersOfBothCasesAreLabels() {
        Tensor a = random(3, 2, 3), b = random(4, 3, 4);
        double[] want = LinearAlgebra.matmul(a, b).toArray();
        assertArrayEquals(want, Einsum.einsum("az,zZ->aZ", a, b).toArray(), 1e-12);
        assertArrayEquals(want, Einsum.einsum("Ay,yZ->AZ", a, b).toArray(), 1e-12);
    }

    @Test
    void anEllipsisMayMatchNoDimensionAtAll() {
        Tensor a = random(5, 2, 3), b = random(6, 3, 4);
        assertArrayEquals(LinearAlgebra.matmul(a, b).toArray(), Einsum.einsum("...ij,...jk->...ik", a, b).toArray(), 1e-12);
    }

    @Test
    void aFormulaEndingInAHalfArrowIsRejectedWithAMessageNotAnIndexError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Einsum.einsum("ij-", random(7, 2, 2)));
        assertTrue(e.getMessage().startsWith("einsum"), e.getMessage());
    }

    @Test
    void batchDimensionsDoNotCollideWithTheLetterY() {
        // "...y" over [2, 3]: the batch dimension (size 2) and 'y' (size 3) must stay two labels
        Tensor a = random(8, 2, 3), b = random(9, 2, 3);
        assertArrayEquals(Arithmetic.mul(a, b).toArray(), Einsum.einsum("...y,...y->...y", a, b).toArray(), 0);
        assertArrayEquals(Arithmetic.mul(a, b).toArray(), Einsum.einsum("...x,...x->...x", a, b).toArray(), 0);
    }

    @Test
    void aBatchSizeMismatchNamesTheBatchDimensionCountedFromZero() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Einsum.einsum("...i,...i->...i", random(1, 2, 3), random(2, 4, 3)));
        assertTrue(e.getMessage().contains("\"...\" (batch dimension 0)"), e.getMessage());
    }

    @Test
    void anEmptyLabelMeetsOnlyAnEmptyOrBroadcastDimension() {
        Tensor empty = Tensor.of(new double[0], 0), three = random(3, 3), one = Tensor.of(new double[] {2}, 1);
        assertThrows(IllegalArgumentException.class, () -> Einsum.einsum("i,i->i", empty, three));
        assertArrayEquals(new int[] {0}, Einsum.einsum("i,i->i", empty, one).shape().dims());
        assertArrayEquals(new int[] {0}, Einsum.einsum("i,i->i", one, empty).shape().dims());
    }

    // the product of two explicitly permuted copies: the path einsum took for every layout before it read operands in place
    private static Tensor[] copied(String formula, Tensor a, Tensor b, Tensor g) {
        try (Tape tape = Tape.open()) {
            tape.watch(a, b);
            Tensor y = switch (formula) {
                case "bhqd,bhkd->bhqk" -> LinearAlgebra.matmul(a, Shapes.permute(b, 0, 1, 3, 2));
                case "ki,kj->ij" -> LinearAlgebra.matmul(Shapes.permute(a, 1, 0), b);
                case "ki,jk->ij" -> LinearAlgebra.matmul(Shapes.permute(a, 1, 0), Shapes.permute(b, 1, 0));
                case "bti,hei->bhte" -> Shapes.permute(Shapes.reshape(LinearAlgebra.matmul(a,
                        Shapes.reshape(Shapes.permute(b, 2, 0, 1), a.shape().dim(2), -1)), a.shape().dim(0), a.shape().dim(1), b.shape().dim(0), b.shape().dim(1)), 0, 2, 1, 3);
                default -> throw new AssertionError(formula);
            };
            List<Tensor> grads = tape.vjp(y, g, a, b);
            return new Tensor[] {y, grads.get(0), grads.get(1)};
        }
    }

    private static Tensor[] viaEinsum(String formula, Tensor a, Tensor b, Tensor g) {
        try (Tape tape = Tape.open()) {
            tape.watch(a, b);
            Tensor y = Einsum.einsum(formula, a, b);
            List<Tensor> grads = tape.vjp(y, g, a, b);
            return new Tensor[] {y, grads.get(0), grads.get(1)};
        }
    }

    @Test
    void operandsReadInPlaceGiveThePermutedCopiesBitsForTheValueAndBothGradients() {
        Object[][] cases = {
            {"bhqd,bhkd->bhqk", new int[] {2, 3, 5, 7}, new int[] {2, 3, 6, 7}, new int[] {2, 3, 5, 6}},   // B read transposed
            {"ki,kj->ij", new int[] {9, 4}, new int[] {9, 5}, new int[] {4, 5}},                           // A read transposed
            {"ki,jk->ij", new int[] {33, 17}, new int[] {19, 33}, new int[] {17, 19}},                     // both
            {"bti,hei->bhte", new int[] {2, 5, 12}, new int[] {3, 4, 12}, new int[] {2, 3, 5, 4}},         // a weight read transposed
        };
        long seed = 40;
        for (DType dtype : DType.values()) {
            for (Object[] c : cases) {
                String f = (String) c[0];
                Tensor a = random(seed++, (int[]) c[1]).to(dtype), b = random(seed++, (int[]) c[2]).to(dtype), g = random(seed++, (int[]) c[3]).to(dtype);
                Tensor[] want = copied(f, a, b, g), got = viaEinsum(f, a, b, g);
                for (int i = 0; i < 3; i++) {
                    assertArrayEquals(want[i].shape().dims(), got[i].shape().dims(), f + " " + dtype + " result " + i);
                    assertArrayEquals(want[i].toArray(), got[i].toArray(), 0, f + " " + dtype + " result " + i);
                    assertEquals(dtype, got[i].dtype());
                }
            }
        }
    }
}
