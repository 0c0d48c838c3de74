package zerotoml.scratch.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * {@link Pointwise}'s kernels against their naive twins, bit for bit (NaNs compared as NaN), in
 * float and double, for every op with a loop of its own and for a generic function, on every
 * layout (same shape, scalar on either side, a repeated trailing block on either side) and on
 * edge sizes: 0, 1, odd sizes, the edges of a thread chunk, and sizes above the parallel threshold.
 * The values mix ordinary numbers with ±0, ±∞, NaN, subnormals and floats drawn from random bits,
 * where rounding a double result to float is most likely to go wrong.
 */
class PointwiseTest {
    private static final DoubleBinaryOperator ATAN2 = Math::atan2;
    private static final DoubleBinaryOperator[] BINARY = {Pointwise.Op.ADD, Pointwise.Op.SUB, Pointwise.Op.MUL, Pointwise.Op.DIV, ATAN2};
    /** Every op with a loop of its own, and three functions through the generic loop. */
    private static final DoubleUnaryOperator[] UNARY = unary();

    private static DoubleUnaryOperator[] unary() {
        java.util.List<DoubleUnaryOperator> fs = new java.util.ArrayList<>(java.util.List.of(Unary.values()));
        fs.add(Math::exp);
        fs.add(v -> -v);
        fs.add(Math::tanh);
        return fs.toArray(new DoubleUnaryOperator[0]);
    }

    /** What each op with a loop of its own stands for, written independently of the kernel. */
    private static final java.util.Map<Unary, DoubleUnaryOperator> DEFINITION = java.util.Map.of(
            Unary.NEG, v -> -v,
            Unary.ABS, Math::abs,
            Unary.RELU, v -> v < 0 ? 0.0 : v,
            Unary.EXP, Math::exp,
            Unary.LOG, Math::log,
            Unary.SQRT, Math::sqrt,
            Unary.TANH, Math::tanh,
            // the two-branch σ of Activations
            Unary.SIGMOID, v -> v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

    /** The scalar loops, and the Vector API's when the JVM has the module (surefire adds it: FloatExpTest checks). */
    private static final boolean[] BACKENDS = Backend.VECTOR ? new boolean[] {false, true} : new boolean[] {false};

    private static final int[] SIZES = {
        0, 1, 2, 3, 7, 33, Pointwise.BLOCK - 1, Pointwise.BLOCK, Pointwise.BLOCK + 1, 1000, 2 * Pointwise.BLOCK + 1, Pointwise.CHUNK - 1, Pointwise.CHUNK, Pointwise.CHUNK + 1,
        (int) Parallel.THRESHOLD - 1, (int) Parallel.THRESHOLD + 3 * 5 * 7
    };

    @Test
    void theFloatZipEqualsItsOracleOnEveryLayoutAndEdgeSize() {
        SplittableRandom r = new SplittableRandom(1);
        for (int n : SIZES) {
            for (int[] p : layouts(n, r)) {
                float[] a = floats(r, n == 0 ? 0 : p[0]), b = floats(r, n == 0 ? 0 : p[1]);
                for (DoubleBinaryOperator f : BINARY) {
                    float[] slow = new float[n];
                    PointwiseOracles.naiveZip(f, a, p[0], b, p[1], slow, n);
                    for (boolean vector : BACKENDS) {
                        float[] fast = new float[n];
                        Pointwise.zip(vector, f, a, p[0], 1, b, p[1], 1, fast, n);
                        assertSameFloats(slow, fast, f + " n=" + n + " periods " + p[0] + "," + p[1] + " vector " + vector);
                    }
                }
            }
        }
    }

    @Test
    void theDoubleZipEqualsItsOracleOnEveryLayoutAndEdgeSize() {
        SplittableRandom r = new SplittableRandom(2);
        for (int n : SIZES) {
            for (int[] p : layouts(n, r)) {
                double[] a = doubles(r, n == 0 ? 0 : p[0]), b = doubles(r, n == 0 ? 0 : p[1]);
                for (DoubleBinaryOperator f : BINARY) {
                    double[] slow = new double[n];
                    PointwiseOracles.naiveZip(f, a, p[0], b, p[1], slow, n);
                    for (boolean vector : BACKENDS) {
                        double[] fast = new double[n];
                        Pointwise.zip(vector, f, a, p[0], 1, b, p[1], 1, fast, n);
                        assertSameDoubles(slow, fast, f + " n=" + n + " periods " + p[0] + "," + p[1] + " vector " + vector);
                    }
                }
            }
        }
    }

    @Test
    void theZipsWithARepeatedOperandEqualTheirOraclesOnEdgeSizes() {
        // [rows, 1] against [rows, cols] (period rows, repeat cols) and a stretched block over leading axes
        SplittableRandom r = new SplittableRandom(6);
        int[][] shapes = {{1, 1, 1}, {1, 3, 1}, {3, 1, 1}, {1, 1, 7}, {2, 3, 5}, {3, 7, 33}, {1, 600, 500}, {4, 5, Pointwise.CHUNK + 3}};
        for (int[] sh : shapes) {
            int lead = sh[0], period = sh[1], repeat = sh[2], n = lead * period * repeat;
            float[] full = floats(r, n), part = floats(r, period);
            double[] fullD = doubles(r, n), partD = doubles(r, period);
            for (DoubleBinaryOperator f : BINARY) {
                for (boolean partFirst : new boolean[] {true, false}) {
                    for (boolean vector : BACKENDS) {
                        float[] fast = new float[n], slow = new float[n];
                        double[] fastD = new double[n], slowD = new double[n];
                        if (partFirst) {
                            Pointwise.zip(vector, f, part, period, repeat, full, n, 1, fast, n);
                            PointwiseOracles.naiveZip(f, part, period, repeat, full, n, 1, slow, n);
                            Pointwise.zip(vector, f, partD, period, repeat, fullD, n, 1, fastD, n);
                            PointwiseOracles.naiveZip(f, partD, period, repeat, fullD, n, 1, slowD, n);
                        } else {
                            Pointwise.zip(vector, f, full, n, 1, part, period, repeat, fast, n);
                            PointwiseOracles.naiveZip(f, full, n, 1, part, period, repeat, slow, n);
                            Pointwise.zip(vector, f, fullD, n, 1, partD, period, repeat, fastD, n);
                            PointwiseOracles.naiveZip(f, fullD, n, 1, partD, period, repeat, slowD, n);
                        }
                        String what = f + " " + java.util.Arrays.toString(sh) + (partFirst ? " repeated a" : " repeated b") + " vector " + vector;
                        assertSameFloats(slow, fast, "float " + what);
                        assertSameDoubles(slowD, fastD, "double " + what);
                    }
                }
            }
        }
        var e = assertThrows(IllegalArgumentException.class, () -> Pointwise.zip(Pointwise.Op.ADD, new float[3], 3, 4, new float[6], 6, 2, new float[12], 12));
        assertTrue(e.getMessage().contains("neither period"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pointwise.zip(Pointwise.Op.ADD, new float[3], 3, 5, new float[12], 12, 1, new float[12], 12));
        assertTrue(e.getMessage().contains("a's period 3 (repeat 5)"), e.getMessage());
    }

    @Test
    void theMapsEqualTheirOraclesOnEdgeSizes() {
        SplittableRandom r = new SplittableRandom(3);
        for (int n : SIZES) {
            float[] xf = floats(r, n);
            double[] xd = doubles(r, n);
            for (DoubleUnaryOperator f : UNARY) {
                float[] sf = new float[n];
                PointwiseOracles.naiveMap(f, xf, sf, n);
                double[] sd = new double[n];
                PointwiseOracles.naiveMap(f, xd, sd, n);
                float[] ff = new float[n];
                Pointwise.map(f, xf, ff, n);
                assertSameFloats(sf, ff, "float map " + f + " n=" + n);
                double[] fd = new double[n];
                Pointwise.map(f, xd, fd, n);
                assertSameDoubles(sd, fd, "double map " + f + " n=" + n);
            }
        }
    }

    @Test
    void everyUnaryOpWithALoopOfItsOwnGivesTheBitsOfItsDefinition() {
        // the ops' results did not change when they moved from a lambda to a loop of their own
        SplittableRandom r = new SplittableRandom(5);
        int n = 100_003;
        float[] xf = floats(r, n);
        double[] xd = doubles(r, n);
        assertEquals(Unary.values().length, DEFINITION.size(), "every Unary has a definition here");
        for (Unary u : Unary.values()) {
            DoubleUnaryOperator def = DEFINITION.get(u);
            float[] ff = new float[n], sf = new float[n];
            Pointwise.map(u, xf, ff, n);
            PointwiseOracles.naiveMap(def, xf, sf, n);
            // float tanh is its own function, held to Math.tanh within an ulp in the next test; the float sigmoid and
            // exp are computed in float (FloatSigmoid, Expf), held here to its definition within its stated ulps
            if (u == Unary.SIGMOID || u == Unary.EXP) {
                int max = u == Unary.EXP ? Expf.MAX_ULPS : FloatSigmoid.MAX_ULPS;
                for (int i = 0; i < n; i++) {
                    long d = FloatSigmoid.ulpsApart(ff[i], sf[i]);
                    assertTrue(d >= 0 && d <= max, "float " + u + ": element " + i + " is " + ff[i] + ", its definition " + sf[i]);
                }
            } else if (u != Unary.TANH) {
                assertSameFloats(sf, ff, "float " + u);
            }
            double[] fd = new double[n], sd = new double[n];
            Pointwise.map(u, xd, fd, n);
            PointwiseOracles.naiveMap(def, xd, sd, n);
            assertSameDoubles(sd, fd, "double " + u);
        }
    }

    @Test
    void theFusedGradientsFromTheOutputEqualTheMapAndMultiplyTheyReplace() {
        SplittableRandom r = new SplittableRandom(7);
        for (int n : SIZES) {
            float[] gf = floats(r, n), of = floats(r, n);
            double[] gd = doubles(r, n), od = doubles(r, n);
            // outputs in the ops' own ranges too (tanh in [−1, 1], σ in [0, 1]), where the products are ordinary numbers
            for (int i = 0; i < n; i += 2) {
                of[i] = (float) Math.tanh(gd[i]);
                od[i] = 1 / (1 + Math.exp(-gd[i]));
            }
            for (Pointwise.Slope f : Pointwise.Slope.values()) {
                float[] fast = new float[n], slow = new float[n];
                Pointwise.gradFromOutput(f, gf, of, fast, n);
                PointwiseOracles.naiveGradFromOutput(f, gf, of, slow, n);
                assertSameFloats(slow, fast, "float " + f + " n=" + n);
                double[] fastD = new double[n], slowD = new double[n];
                Pointwise.gradFromOutput(f, gd, od, fastD, n);
                PointwiseOracles.naiveGradFromOutput(f, gd, od, slowD, n);
                assertSameDoubles(slowD, fastD, "double " + f + " n=" + n);
            }
        }
    }

    @Test
    void theReluGradientEqualsTheMaskProductAndWhereItFusesOnBothBackends() {
        // g and x both draw ±0, ±∞, NaN and subnormals: a blocked NaN or infinite g must give +0, a NaN x passes g
        SplittableRandom r = new SplittableRandom(7);
        for (int n : SIZES) {
            float[] g = floats(r, n), x = floats(r, n), want = new float[n];
            double[] gd = doubles(r, n), xd = doubles(r, n), wantD = new double[n];
            PointwiseOracles.naiveReluGrad(g, x, want, n);
            PointwiseOracles.naiveReluGrad(gd, xd, wantD, n);
            for (boolean vector : BACKENDS) {
                float[] got = new float[n];
                Gates.reluGrad(vector, g, x, got, n);
                assertSameFloats(want, got, "float reluGrad n=" + n + " vector " + vector);
                double[] gotD = new double[n];
                Gates.reluGrad(vector, gd, xd, gotD, n);
                assertSameDoubles(wantD, gotD, "double reluGrad n=" + n + " vector " + vector);
            }
        }
    }

    @Test
    void theGatedGradientEqualsTheProductAndWhereItFusesOnBothBackends() {
        // shares of ±0 block (+0 out, whatever g is), a NaN share lets g · NaN through, halves and ones scale g
        SplittableRandom r = new SplittableRandom(8);
        double[] shares = {0, -0.0, 0.5, 1, Double.NaN};
        for (int n : SIZES) {
            float[] g = floats(r, n), s = new float[n], want = new float[n];
            double[] gd = doubles(r, n), sd = new double[n], wantD = new double[n];
            for (int i = 0; i < n; i++) {
                sd[i] = r.nextInt(4) == 0 ? value(r) : shares[r.nextInt(shares.length)];
                s[i] = (float) sd[i];
            }
            PointwiseOracles.naiveGate(g, s, want, n);
            PointwiseOracles.naiveGate(gd, sd, wantD, n);
            for (boolean vector : BACKENDS) {
                float[] got = new float[n];
                Gates.gate(vector, g, s, got, n);
                assertSameFloats(want, got, "float gate n=" + n + " vector " + vector);
                double[] gotD = new double[n];
                Gates.gate(vector, gd, sd, gotD, n);
                assertSameDoubles(wantD, gotD, "double gate n=" + n + " vector " + vector);
            }
        }
    }

    @Test
    void floatTanhIsWithinOneUlpOfMathTanhAndExactAtTheSpecialValues() {
        // every float in [2⁻⁸, 32) at a stride, both signs (the series below 2⁻⁵, the quotient, 1 from 20 on),
        // then random floats of every exponent
        SplittableRandom r = new SplittableRandom(6);
        int n = 1 << 20, differ = 0;
        float[] x = new float[n];
        int lo = Float.floatToIntBits(0x1p-8f), hi = Float.floatToIntBits(32f);
        for (int i = 0; i < n / 2; i++) x[i] = (i % 2 == 0 ? 1 : -1) * Float.intBitsToFloat(lo + (int) ((long) (hi - lo) * i / (n / 2)));
        for (int i = n / 2; i < n; i++) x[i] = Float.intBitsToFloat(r.nextInt());
        float[] fast = new float[n];
        Pointwise.map(Unary.TANH, x, fast, n);
        for (int i = 0; i < n; i++) {
            float want = (float) Math.tanh(x[i]);
            if (Float.isNaN(want)) {
                assertTrue(Float.isNaN(fast[i]), "tanh(" + x[i] + ") is " + fast[i]);
                continue;
            }
            int ulps = Math.abs(Float.floatToIntBits(fast[i]) - Float.floatToIntBits(want));
            assertTrue(ulps <= 1 && Math.signum(fast[i]) == Math.signum(want), "tanh(" + x[i] + ") = " + fast[i] + ", Math.tanh rounds to " + want);
            if (ulps != 0) differ++;
        }
        assertTrue(differ < n / 1000, differ + " of " + n + " differ by an ulp");
        float[] special = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MIN_VALUE, -Float.MIN_VALUE, 0x1p-5f, 20f, -20f, Float.MAX_VALUE};
        float[] out = new float[special.length];
        Pointwise.map(Unary.TANH, special, out, special.length);
        for (int i = 0; i < special.length; i++) {
            assertEquals(Float.floatToIntBits((float) Math.tanh(special[i])), Float.floatToIntBits(out[i]), "tanh(" + special[i] + ")");
        }
    }

    @Test
    void floatArithmeticGivesTheBitsOfDoubleArithmeticRoundedOnce() {
        // the claim that lets the float loops compute in float: checked on a million pairs of
        // random bit patterns (every exponent, subnormals, NaNs, infinities)
        SplittableRandom r = new SplittableRandom(4);
        int n = 1 << 20;
        float[] a = new float[n], b = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = Float.intBitsToFloat(r.nextInt());
            b[i] = i % 3 == 0 ? Float.intBitsToFloat(r.nextInt()) : a[i] * (float) (0.5 + r.nextDouble());
        }
        for (Pointwise.Op f : Pointwise.Op.values()) {
            float[] fast = new float[n], slow = new float[n];
            Pointwise.zip(f, a, n, b, n, fast, n);
            PointwiseOracles.naiveZip(f, a, n, b, n, slow, n);
            assertSameFloats(slow, fast, f.toString());
        }
    }

    @Test
    void badSizesAndPeriodsAreRejectedWithTheirValues() {
        float[] x = new float[6];
        var e = assertThrows(IllegalArgumentException.class, () -> Pointwise.zip(Pointwise.Op.ADD, x, 4, x, 6, new float[6], 6));
        assertTrue(e.getMessage().contains("a's period 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pointwise.zip(Pointwise.Op.ADD, x, 3, x, 2, new float[6], 6));
        assertTrue(e.getMessage().contains("neither period"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pointwise.zip(Pointwise.Op.ADD, x, 6, x, 6, new float[5], 6));
        assertTrue(e.getMessage().contains("n = 6"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pointwise.map(Math::exp, new double[3], new double[4], 4));
        assertTrue(e.getMessage().contains("n = 4"), e.getMessage());
    }

    /** Periods {a, b}: same shape, scalar on either side, a block of either side repeated (when n has a divisor). */
    private static int[][] layouts(int n, SplittableRandom r) {
        if (n == 0) return new int[][] {{0, 0}};
        int block = divisor(n, r);
        return new int[][] {{n, n}, {1, n}, {n, 1}, {block, n}, {n, block}};
    }

    /** A proper divisor of n above 1 when there is one (else n): a row length. */
    private static int divisor(int n, SplittableRandom r) {
        for (int tries = 0; tries < 50; tries++) {
            int d = 2 + r.nextInt(Math.max(1, Math.min(n, 4000)));
            if (d < n && n % d == 0) return d;
        }
        for (int d = 2; d < n; d++) if (n % d == 0) return n / d;
        return n;
    }

    private static float[] floats(SplittableRandom r, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) value(r);
        return out;
    }

    private static double[] doubles(SplittableRandom r, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = value(r);
        return out;
    }

    private static double value(SplittableRandom r) {
        switch (r.nextInt(12)) {
            case 0: return 0.0;
            case 1: return -0.0;
            case 2: return r.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            case 3: return Double.NaN;
            case 4: return (r.nextBoolean() ? 1 : -1) * Float.MIN_VALUE * (1 + r.nextInt(1000));
            case 5: return Float.intBitsToFloat(r.nextInt());
            default: return r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3);
        }
    }

    private static void assertSameFloats(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", its oracle " + expected[i]);
            }
        }
    }

    private static void assertSameDoubles(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToLongBits(expected[i]) != Double.doubleToLongBits(actual[i])) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", its oracle " + expected[i]);
            }
        }
    }
}
