package zerotoml.scratch.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link SoftmaxKernel}'s fused loops against their oracles (the separate ops they replace, each
 * over the whole array, rounded after every op), bit for bit, forward and backward, in float and
 * double, on views [outer, len, inner] with every extent 0, 1 and odd, lanes around the 512-element
 * widening block, strided lanes (inner &gt; 1) and sizes above the parallel threshold; the values
 * include lanes of −∞ only, lanes holding +∞ or NaN, ±0 and subnormals; a row's maximum against torch.max's
 * rule on NaNs of several payloads and zeros of both signs.
 */
class SoftmaxKernelTest {

    private static final int[][] VIEWS = {
        {0, 3, 4}, {3, 0, 4}, {3, 4, 0}, {1, 1, 1}, {5, 1, 3}, {1, 7, 1}, {3, 5, 1}, {2, 33, 17}, {1, 511, 1}, {2, 512, 1}, {3, 513, 1},
        {4, 1025, 1}, {1, 513, 3}, {256, 1000, 1}, {3, (int) Parallel.THRESHOLD / 3 + 7, 1}, {1, 301, (int) Parallel.THRESHOLD / 300 + 3},
        {(int) Parallel.THRESHOLD / 7 + 5, 7, 1}
    };

    @Test
    void softmaxAndLogSoftmaxEqualTheComposedOpsBitForBitForwardAndBackward() {
        SplittableRandom r = new SplittableRandom(41);
        for (int[] v : VIEWS) {
            int n = v[0] * v[1] * v[2], lanes = v[0] * v[2];
            double[] x = logits(r, v), g = gradients(r, n);
            float[] xf = new float[n], gf = new float[n];
            for (int i = 0; i < n; i++) {
                xf[i] = (float) x[i];
                gf[i] = (float) g[i];
            }
            for (boolean log : new boolean[] {false, true}) {
                String what = (log ? "logSoftmax " : "softmax ") + Arrays.toString(v);
                // float
                float[] y = new float[n], e = new float[n], s = new float[lanes], y0 = new float[n], e0 = new float[n], s0 = new float[lanes];
                float[] yNoExps = new float[n], sNoExps = new float[lanes];
                if (log) {
                    SoftmaxKernel.logSoftmax(xf, v[0], v[1], v[2], y, e, s);
                    SoftmaxKernel.logSoftmax(xf, v[0], v[1], v[2], yNoExps, null, sNoExps);
                    SoftmaxOracles.naiveLogSoftmax(xf, v[0], v[1], v[2], y0, e0, s0);
                } else {
                    SoftmaxKernel.softmax(xf, v[0], v[1], v[2], y, e, s);
                    SoftmaxKernel.softmax(xf, v[0], v[1], v[2], yNoExps, null, sNoExps);
                    SoftmaxOracles.naiveSoftmax(xf, v[0], v[1], v[2], y0, e0, s0);
                }
                same(y0, y, "float " + what);
                same(y0, yNoExps, "float, no exps kept, " + what);
                same(e0, e, "float exps " + what);
                same(s0, s, "float sums " + what);
                float[] gx = new float[n], gx0 = new float[n];
                if (log) {
                    SoftmaxKernel.logSoftmaxBackward(gf, e, s, v[0], v[1], v[2], gx);
                    SoftmaxOracles.naiveLogSoftmaxBackward(gf, e0, s0, v[0], v[1], v[2], gx0);
                } else {
                    SoftmaxKernel.softmaxBackward(gf, y, e, s, v[0], v[1], v[2], gx);
                    SoftmaxOracles.naiveSoftmaxBackward(gf, y0, e0, s0, v[0], v[1], v[2], gx0);
                }
                same(gx0, gx, "float backward " + what);
                // double
                double[] yd = new double[n], ed = new double[n], sd = new double[lanes], yd0 = new double[n], ed0 = new double[n], sd0 = new double[lanes];
                if (log) {
                    SoftmaxKernel.logSoftmax(x, v[0], v[1], v[2], yd, ed, sd);
                    SoftmaxOracles.naiveLogSoftmax(x, v[0], v[1], v[2], yd0, ed0, sd0);
                } else {
                    SoftmaxKernel.softmax(x, v[0], v[1], v[2], yd, ed, sd);
                    SoftmaxOracles.naiveSoftmax(x, v[0], v[1], v[2], yd0, ed0, sd0);
                }
                same(yd0, yd, "double " + what);
                same(ed0, ed, "double exps " + what);
                same(sd0, sd, "double sums " + what);
                double[] gxd = new double[n], gxd0 = new double[n];
                if (log) {
                    SoftmaxKernel.logSoftmaxBackward(g, ed, sd, v[0], v[1], v[2], gxd);
                    SoftmaxOracles.naiveLogSoftmaxBackward(g, ed0, sd0, v[0], v[1], v[2], gxd0);
                } else {
                    SoftmaxKernel.softmaxBackward(g, yd, ed, sd, v[0], v[1], v[2], gxd);
                    SoftmaxOracles.naiveSoftmaxBackward(g, yd0, ed0, sd0, v[0], v[1], v[2], gxd0);
                }
                same(gxd0, gxd, "double backward " + what);
            }
        }
    }

    /** torch.max's rule, written out: the first NaN wins, else the first element no other exceeds; −∞ (or nothing) gives 0. */
    private static float ruleMax(float[] x, int a, int len) {
        if (len == 0) return 0f;
        float m = x[a];
        for (int i = a + 1; i < a + len && m == m; i++) if (x[i] != x[i] || x[i] > m) m = x[i];
        return m == Float.NEGATIVE_INFINITY ? 0f : m;
    }

    private interface RowMax {
        float of(float[] x, int a, int len);
    }

    /** The first row on which f's bits differ from the rule's, or null: rows of 0 to 70 with NaNs of several payloads, ±0, ±∞. */
    private static String firstMismatch(RowMax f) {
        SplittableRandom r = new SplittableRandom(43);
        float[] specials = {Float.NaN, Float.intBitsToFloat(0x7fc01234), Float.intBitsToFloat(0xffc00077), Float.intBitsToFloat(0x7f800001),
            0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE};
        for (int len = 0; len <= 70; len++) {
            for (int trial = 0; trial < 40; trial++) {
                int a = r.nextInt(3);
                float[] x = new float[a + len + 2];
                int mode = trial % 4; // plain, a few specials, all zeros of mixed sign, all −∞ with specials
                for (int i = 0; i < x.length; i++) {
                    x[i] = switch (mode) {
                        case 2 -> r.nextBoolean() ? 0f : -0f;
                        case 3 -> Float.NEGATIVE_INFINITY;
                        default -> (float) r.nextGaussian() * 4;
                    };
                }
                if (mode != 0) for (int k = r.nextInt(3); k > 0 && len > 0; k--) x[a + r.nextInt(len)] = specials[r.nextInt(specials.length)];
                if (mode == 2 && len > 0 && r.nextBoolean()) x[a + r.nextInt(len)] = -1f;
                float want = ruleMax(x, a, len), got = f.of(x, a, len);
                if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got)) {
                    return "len " + len + " from " + a + ": " + Arrays.toString(Arrays.copyOfRange(x, a, a + len)) + " gives " + got + " ["
                            + Integer.toHexString(Float.floatToRawIntBits(got)) + "], the rule " + want + " [" + Integer.toHexString(Float.floatToRawIntBits(want)) + "]";
                }
            }
        }
        return null;
    }

    @Test
    void aRowsMaximumHasTheRulesBitsWithNaNsOfSeveralPayloadsAndZerosOfBothSigns() {
        assertEquals(null, firstMismatch(SoftmaxKernel::rowMax));
        // planted: Math.max's fold alone, without the rule's loop for NaNs and zeros, is caught
        assertNotNull(firstMismatch((x, a, len) -> {
            float m = Float.NEGATIVE_INFINITY;
            for (int i = a; i < a + len; i++) m = Math.max(m, x[i]);
            return m == Float.NEGATIVE_INFINITY ? 0f : m;
        }));
    }

    @Test
    void aLaneOfMinusInfinityIsShiftedByZeroAndALaneHoldingPlusInfinityIsNaN() {
        float inf = Float.POSITIVE_INFINITY;
        float[] x = {-inf, -inf, 1, inf}, y = new float[4], s = new float[2];
        SoftmaxKernel.softmax(x, 2, 2, 1, y, null, s);
        assertTrue(Float.isNaN(y[0]) && Float.isNaN(y[1]), "−∞ − 0 gives e = 0, S = 0, 0/0 = NaN, as PyTorch: " + Arrays.toString(y));
        assertTrue(Float.isNaN(y[2]) && Float.isNaN(y[3]), "∞ − ∞ = NaN: " + Arrays.toString(y));
        SoftmaxKernel.logSoftmax(new float[] {0, (float) Math.log(3)}, 1, 2, 1, y = new float[2], null, s = new float[1]);
        assertArrayEquals(new float[] {(float) -Math.log(4), (float) (Math.log(3) - Math.log(4))}, y, 1e-6f, "log(1/4), log(3/4)");
    }

    @Test
    void badViewsAreRejectedWithTheirExtents() {
        var e = assertThrows(IllegalArgumentException.class, () -> SoftmaxKernel.softmax(new float[5], 2, 3, 1, new float[6], null, new float[2]));
        assertTrue(e.getMessage().contains("needs arrays of 6 elements and 2 sums"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SoftmaxKernel.logSoftmaxBackward(new double[6], null, new double[2], 2, 3, 1, new double[6]));
        assertTrue(e.getMessage().contains("exps"), e.getMessage());
    }

    /** Logits of many scales; one lane in about eight special: all −∞, holding +∞, NaN, ±0 or subnormals. */
    private static double[] logits(SplittableRandom r, int[] v) {
        int n = v[0] * v[1] * v[2];
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = r.nextGaussian() * Math.pow(10, r.nextInt(5) - 2);
        for (int o = 0; o < v[0]; o++) {
            for (int j = 0; j < v[2]; j++) {
                int kind = r.nextInt(16);
                for (int k = 0; k < v[1]; k++) {
                    int i = (o * v[1] + k) * v[2] + j;
                    if (kind == 0) x[i] = Double.NEGATIVE_INFINITY;
                    else if (kind == 1 && r.nextInt(3) == 0) x[i] = r.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
                    else if (kind == 2 && r.nextInt(5) == 0) x[i] = Double.NaN;
                    else if (kind == 3) x[i] = r.nextBoolean() ? -0.0 : 0.0;
                    else if (kind == 4) x[i] = Float.MIN_VALUE * r.nextInt(-50, 50);
                    else if (kind == 5) x[i] = r.nextGaussian() * 1e4;
                }
            }
        }
        return x;
    }

    private static double[] gradients(SplittableRandom r, int n) {
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(20);
            g[i] = c == 0 ? -0.0 : c == 1 ? 0.0 : r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3);
        }
        return g;
    }

    private static void same(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", its oracle " + expected[i]);
            }
        }
    }

    private static void same(double[] expected, double[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToLongBits(expected[i]) != Double.doubleToLongBits(actual[i])) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", its oracle " + expected[i]);
            }
        }
    }
}
