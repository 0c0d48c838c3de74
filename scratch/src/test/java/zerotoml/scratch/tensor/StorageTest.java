package zerotoml.scratch.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Float32 is stored as {@code float[]} and float64 as {@code double[]}; reshapes and permutes that
 * keep the elements' order share their input's storage instead of copying it, and the others copy.
 */
class StorageTest {

    private static Tensor counting(DType dtype, int... dims) {
        int n = 1;
        for (int d : dims) n *= d;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = i * 0.5 - 3;
        return Tensor.of(dtype, v, dims);
    }

    @Test
    void f32TensorsHoldFloatsAndF64TensorsHoldDoubles() {
        assertInstanceOf(Storage.Floats.class, counting(DType.F32, 2, 3).storage);
        assertInstanceOf(Storage.Doubles.class, counting(DType.F64, 2, 3).storage);
        // and an op's result keeps its dtype's array type
        assertInstanceOf(Storage.Floats.class, Arithmetic.add(counting(DType.F32, 2, 3), counting(DType.F32, 2, 3)).storage);
        assertInstanceOf(Storage.Doubles.class, Arithmetic.exp(counting(DType.F64, 2, 3)).storage);
    }

    @Test
    void aReshapeSharesItsInputsStorage() {
        Tensor x = counting(DType.F32, 2, 3, 4);
        assertSame(x.storage, Shapes.reshape(x, 6, 4).storage);
        assertSame(x.storage, Shapes.reshape(x, -1).storage);
    }

    @Test
    void aPermuteThatKeepsTheOrderOfAxesLongerThanOneSharesTheStorage() {
        Tensor x = counting(DType.F32, 2, 1, 3, 1);
        for (int[] perm : new int[][] {{0, 1, 2, 3}, {1, 0, 2, 3}, {0, 2, 1, 3}, {3, 0, 1, 2}, {1, 3, 0, 2}}) {
            Tensor y = Shapes.permute(x, perm);
            assertSame(x.storage, y.storage, "permute " + java.util.Arrays.toString(perm));
            assertArrayEquals(x.toArray(), y.toArray(), "the same elements in the same order");
        }
        // a transpose with an axis of size 1 is such a permute
        Tensor row = counting(DType.F64, 1, 5);
        assertSame(row.storage, Shapes.transpose(row, 0, 1).storage);
    }

    @Test
    void aPermuteThatReordersElementsCopiesThemToTheirNewPlaces() {
        Tensor x = counting(DType.F32, 2, 1, 3);
        Tensor y = Shapes.permute(x, 2, 1, 0);
        assertNotSame(x.storage, y.storage);
        // y[k, 0, i] = x[i, 0, k]
        assertArrayEquals(new double[] {-3, -1.5, -2.5, -1, -2, -0.5}, y.toArray());
    }

    @Test
    void theGradientThroughAViewPermuteIsTheCotangentInTheInputsShape() {
        Tensor x = counting(DType.F32, 3, 1, 2);
        Tensor g = counting(DType.F32, 1, 3, 2);
        try (Tape tape = Tape.open()) {
            tape.watch(x);
            Tensor y = Shapes.permute(x, 1, 0, 2);
            List<Tensor> grads = tape.vjp(y, g, x);
            assertArrayEquals(new int[] {3, 1, 2}, grads.get(0).shape().dims());
            assertArrayEquals(g.toArray(), grads.get(0).toArray());
        }
    }
}
