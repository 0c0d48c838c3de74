package zerotoml.scratch.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Tensors: creation, float32 rounding, access, and the messages of bad calls. */
class TensorTest {
    static void assertRejects(String message, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(message, e.getMessage());
    }

    static boolean isFloat(double v) {
        return Double.isNaN(v) || v == (double) (float) v;
    }

    @Test
    void f32TensorsHoldOnlyExactlyRepresentableFloats() {
        Tensor x = Tensor.of(DType.F32, new double[] {0.1, 1.0 / 3, Math.PI}, 3);
        assertArrayEquals(new double[] {(float) 0.1, (float) (1.0 / 3), (float) Math.PI}, x.toArray(), 0.0);
        assertEquals(0.1, Tensor.of(DType.F64, new double[] {0.1}, 1).item(), 0.0, "f64 keeps every bit");
        SplittableRandom r = new SplittableRandom(11);
        for (int trial = 0; trial < 200; trial++) {
            double[] a = new double[6], b = new double[6];
            for (int i = 0; i < 6; i++) {
                a[i] = 4 * r.nextDouble() - 2;
                b[i] = 0.25 + 3 * r.nextDouble();
            }
            Tensor ta = Tensor.of(DType.F32, a, 2, 3), tb = Tensor.of(DType.F32, b, 2, 3);
            Tensor[] results = {ta.add(tb), ta.mul(tb), ta.div(tb), tb.log(), ta.exp(), tb.pow(0.5), ta.matmul(tb.transpose(0, 1)),
                Reductions.sum(ta, new int[] {1}, false), Reductions.mean(ta), ta.add(0.1), ta.mul(1.0 / 3)};
            for (Tensor t : results) {
                assertEquals(DType.F32, t.dtype());
                for (double v : t.toArray()) assertTrue(isFloat(v), v + " is not a float, from " + t);
            }
            // the result is the float nearest to the exact double result of each element
            double[] sum = ta.add(tb).toArray();
            for (int i = 0; i < 6; i++) assertEquals((double) (float) ((double) (float) a[i] + (double) (float) b[i]), sum[i], 0.0);
        }
    }

    @Test
    void f32KeepsFloatRangeSoExpOverflowsAsInPyTorch() {
        assertEquals(Double.POSITIVE_INFINITY, Tensor.of(DType.F32, new double[] {100}, 1).exp().item());
        assertTrue(Double.isFinite(Tensor.of(DType.F64, new double[] {100}, 1).exp().item()));
        assertEquals(Double.POSITIVE_INFINITY, Tensor.of(DType.F32, new double[] {1e39}, 1).item(), "1e39 is beyond float's range");
    }

    @Test
    void creationCopiesItsInputAndToArrayCopiesItsOutput() {
        double[] d = {1, 2, 3, 4, 5, 6};
        Tensor t = Tensor.of(d, 2, 3);
        d[0] = 99;
        assertEquals(1.0, t.get(0, 0));
        double[] out = t.toArray();
        out[1] = 99;
        assertEquals(2.0, t.get(0, 1));
        assertNotSame(t.toArray(), t.toArray());
        assertEquals(6.0, t.get(1, 2));
        assertEquals(2, t.rank());
        assertEquals(6, t.size());
        assertEquals(DType.F64, t.dtype());
        assertEquals(Shape.of(2, 3), t.shape());
    }

    @Test
    void factoriesFillAndScalarsHaveRankZero() {
        assertArrayEquals(new double[] {0, 0}, Tensor.zeros(DType.F64, 2).toArray());
        assertArrayEquals(new double[] {1, 1, 1}, Tensor.ones(DType.F32, 3).toArray());
        assertArrayEquals(new double[] {(float) 0.1}, Tensor.full(DType.F32, 0.1, 1).toArray());
        assertEquals(0, Tensor.scalar(5).rank());
        assertEquals(5.0, Tensor.scalar(5).item());
        assertEquals(Shape.of(2, 2), Tensor.of(DType.F64, new double[4], Shape.of(2, 2)).shape());
        assertEquals("Tensor(F64 [2] [1.0, 2.0])", Tensor.of(new double[] {1, 2}, 2).toString());
        assertEquals("Tensor(F64 [10] [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, ...])", Tensor.zeros(DType.F64, 10).toString());
    }

    @Test
    void badCallsSayWhatWasWrongWithTheShapes() {
        assertRejects("Tensor: 5 values do not fill shape [2, 3] (6 elements)", () -> Tensor.of(new double[5], 2, 3));
        assertRejects("item: tensor of shape [2] has 2 elements, not 1", () -> Tensor.of(new double[2], 2).item());
        assertRejects("get: index [0] has rank 1 but shape [2, 3] has rank 2", () -> Tensor.zeros(DType.F64, 2, 3).get(0));
        assertRejects("get: index [0, 3] is outside shape [2, 3]", () -> Tensor.zeros(DType.F64, 2, 3).get(0, 3));
        assertRejects("get: index [-1, 0] is outside shape [2, 3]", () -> Tensor.zeros(DType.F64, 2, 3).get(-1, 0));
        assertRejects("add: shapes [2, 3] and [4] do not broadcast (dimension -1: 3 vs 4)",
                () -> Tensor.zeros(DType.F64, 2, 3).add(Tensor.zeros(DType.F64, 4)));
        assertRejects("matmul: inner dimensions differ (3 vs 2) for shapes [2, 3] and [2, 2]",
                () -> Tensor.zeros(DType.F64, 2, 3).matmul(Tensor.zeros(DType.F64, 2, 2)));
        assertRejects("matmul: both arguments need at least 1 dimension, got shapes [] and [2]",
                () -> Tensor.scalar(1).matmul(Tensor.zeros(DType.F64, 2)));
        assertRejects("reshape: shape [2, 3] (6 elements) cannot become [4] (4 elements)", () -> Tensor.zeros(DType.F64, 2, 3).reshape(4));
        assertRejects("reshape: more than one -1 in [-1, -1] for shape [2, 3]", () -> Tensor.zeros(DType.F64, 2, 3).reshape(-1, -1));
        assertRejects("reshape: cannot infer -1 in [-1, 4] for shape [2, 3] (6 elements)", () -> Tensor.zeros(DType.F64, 2, 3).reshape(-1, 4));
        assertRejects("sum: axis 2 is out of range for shape [2, 3] (rank 2, valid axes -2..1)",
                () -> Tensor.zeros(DType.F64, 2, 3).sum(new int[] {2}, false));
        assertRejects("sum: axis -1 appears twice in axes [1, -1] for shape [2, 3]",
                () -> Tensor.zeros(DType.F64, 2, 3).sum(new int[] {1, -1}, false));
        assertRejects("transpose: axis 5 is out of range for shape [2, 3] (rank 2, valid axes -2..1)",
                () -> Tensor.zeros(DType.F64, 2, 3).transpose(0, 5));
        assertRejects("permute: axis 0 repeats in [0, 0] for shape [2, 3]", () -> Shapes.permute(Tensor.zeros(DType.F64, 2, 3), 0, 0));
        assertRejects("permute: permutation [0] has 1 axes but shape [2, 3] has rank 2", () -> Shapes.permute(Tensor.zeros(DType.F64, 2, 3), 0));
        assertRejects("broadcastTo: shape [2, 3] cannot be broadcast to [3]", () -> Shapes.broadcastTo(Tensor.zeros(DType.F64, 2, 3), 3));
    }

    // ---- written for the sixth session's PIT survivors (notes/MutationTesting.md)

    @Test
    void theFluentFormsAreTheOpsTheyName() {
        Tensor a = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2), b = Tensor.of(new double[] {4, 3, 2, 1}, 2, 2);
        assertArrayEquals(new double[] {-3, -1, 1, 3}, a.sub(b).toArray(), 0);
        assertArrayEquals(new double[] {-1, -2, -3, -4}, a.neg().toArray(), 0);
        assertEquals(10, a.sum().item(), 0);
        assertEquals(2.5, a.mean().item(), 0);
        assertArrayEquals(new int[] {4}, a.reshape(4).shape().dims());
        assertArrayEquals(new double[] {1, 2, 3, 4}, a.rawData(), 0);
        assertArrayEquals(new double[] {1, 2, 3, 4}, Tensor.of(DType.F32, new double[] {1, 2, 3, 4}, 4).rawData(), 0);
    }
}
