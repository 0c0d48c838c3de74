package zerotoml.scratch.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.api.Test;
import zerotoml.scratch.kernels.Expf;

/**
 * The element-wise ops through the {@code Pointwise} kernels give, bit for bit, what the plain
 * definition gives: broadcast both operands to the result's shape by index arithmetic, compute each
 * element in double, round once to the result's dtype. Checked on every kind of operand pair: same
 * shape, a scalar, a trailing block (row, bias), a column or stretched block (a repeat), a middle
 * broadcast (the materialised path), both sides broadcast, empty shapes, one pair above the
 * parallel threshold, and F32/F64 mixes.
 */
class ElementwiseTest {
    private static final int[][][] PAIRS = {
        {{2, 3}, {2, 3}}, {{2, 3}, {}}, {{}, {2, 3}}, {{4, 5}, {5}}, {{5}, {4, 5}}, {{2, 3, 4}, {3, 4}},
        {{2, 3, 4}, {1, 1, 4}}, {{1, 4}, {3, 4}}, {{3, 1}, {3, 4}}, {{2, 1, 4}, {2, 3, 4}}, {{3, 1}, {1, 4}},
        {{0, 3}, {3}}, {{0}, {}}, {{1}, {1}}, {{}, {}}, {{3, 1, 1}, {1}}, {{6, 7}, {6, 7}},
        // columns and stretched trailing blocks (read in place with a repeat), and one middle broadcast
        {{2, 3, 4}, {2, 3, 1}}, {{2, 3, 1}, {2, 3, 4}}, {{2, 3, 4}, {3, 1}}, {{5, 1, 1}, {5, 3, 2}}, {{2, 3, 4}, {1, 3, 1}},
        {{4, 1, 3}, {4, 2, 3}}, {{0, 1}, {0, 5}}, {{600, 1}, {600, 500}}
    };

    @Test
    void binaryOpsEqualTheirDefinitionOnEveryKindOfBroadcast() {
        SplittableRandom r = new SplittableRandom(5);
        for (int[][] pair : PAIRS) {
            for (DType da : DType.values()) {
                for (DType db : DType.values()) {
                    Tensor a = random(r, da, pair[0]), b = random(r, db, pair[1]);
                    check("add", Arithmetic.add(a, b), a, b, (x, y) -> x + y);
                    check("sub", Arithmetic.sub(a, b), a, b, (x, y) -> x - y);
                    check("mul", Arithmetic.mul(a, b), a, b, (x, y) -> x * y);
                    check("div", Arithmetic.div(a, b), a, b, (x, y) -> x / y);
                    check("pow", Arithmetic.pow(a, b), a, b, Arithmetic::pow);
                    check("zip", Elementwise.zip("zip", a, b, Math::atan2), a, b, Math::atan2);
                }
            }
        }
    }

    @Test
    void unaryOpsEqualTheirDefinitionInBothDtypes() {
        SplittableRandom r = new SplittableRandom(6);
        for (DType dt : DType.values()) {
            for (int[] dims : new int[][] {{}, {0}, {1}, {7}, {3, 5}, {300, 301}}) {
                Tensor x = random(r, dt, dims);
                double[] v = x.toArray();
                double[] exp = x.exp().toArray(), mapped = Elementwise.map(x, Math::tanh).toArray();
                for (int i = 0; i < v.length; i++) {
                    // float32's exp is computed in float (Expf: within an ulp of Math.exp rounded, ExpfTest)
                    double wantExp = dt == DType.F32 ? Expf.exp((float) v[i]) : Math.exp(v[i]);
                    assertSameBits(wantExp, exp[i], "exp " + dt + " at " + i);
                    assertSameBits(dt.round(Math.tanh(v[i])), mapped[i], "map " + dt + " at " + i);
                }
            }
        }
    }

    /** result[i] = round(f(a[ia], b[ib])) with ia, ib from broadcasting the flat index i by hand. */
    private static void check(String op, Tensor result, Tensor a, Tensor b, DoubleBinaryOperator f) {
        Shape s = Shape.broadcast(op, a.shape(), b.shape());
        DType dt = DType.promote(a.dtype(), b.dtype());
        assertEquals(s, result.shape(), op);
        assertEquals(dt, result.dtype(), op);
        double[] x = a.toArray(), y = b.toArray(), out = result.toArray();
        for (int i = 0; i < s.size(); i++) {
            double want = dt.round(f.applyAsDouble(x[source(i, s, a.shape())], y[source(i, s, b.shape())]));
            assertSameBits(want, out[i], op + " " + a + " with " + b + " at " + i);
        }
    }

    /** The flat index in an operand of shape t that broadcasting sends to flat index i of s. */
    private static int source(int i, Shape s, Shape t) {
        int[] sd = s.dims(), td = t.dims();
        int off = 0, stride = 1;
        for (int k = sd.length - 1, j = td.length - 1; k >= 0; k--, j--) {
            int idx = i % sd[k];
            i /= sd[k];
            if (j >= 0) {
                if (td[j] != 1) off += idx * stride;
                stride *= td[j];
            }
        }
        return off;
    }

    private static Tensor random(SplittableRandom r, DType dt, int[] dims) {
        Shape s = Shape.of(dims);
        double[] v = new double[s.size()];
        for (int i = 0; i < v.length; i++) {
            int k = r.nextInt(10);
            v[i] = k == 0 ? 0.0 : k == 1 ? Double.NaN : k == 2 ? Double.NEGATIVE_INFINITY : 3 * r.nextGaussian();
        }
        return Tensor.of(dt, v, s);
    }

    private static void assertSameBits(double want, double got, String what) {
        if (Double.doubleToLongBits(want) != Double.doubleToLongBits(got)) {
            throw new AssertionError(what + ": got " + got + ", the definition gives " + want);
        }
    }
}
