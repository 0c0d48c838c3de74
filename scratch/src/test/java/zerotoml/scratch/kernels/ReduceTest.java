package zerotoml.scratch.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Reduce}'s kernels against their naive twins, bit for bit (NaNs compared as NaN), in float
 * and double, on views [outer, len, inner] with every extent 0, 1, odd, the four-row interleave's
 * edges (3, 4, 5 rows), and sizes above the parallel threshold split by rows and by columns. The
 * values mix ordinary numbers of many magnitudes (where the order of addition shows in the bits)
 * with ±0, ±∞, NaN and subnormals.
 */
class ReduceTest {

    /** [outer, len, inner] views: empty, single, odd, interleave edges, above the parallel threshold. */
    private static final int[][] VIEWS = {
        {0, 3, 4}, {3, 0, 4}, {3, 4, 0}, {2, 0, 1}, {1, 1, 1}, {1, 7, 1}, {3, 5, 1}, {4, 5, 1}, {5, 5, 1}, {7, 33, 1},
        {1, 5, 3}, {3, 1, 7}, {2, 33, 17}, {5, 2, 1}, {1, 1000, 1}, {256, 1000, 1}, {1, 256, 1000},
        {3, (int) Parallel.THRESHOLD / 3 + 7, 1}, {1, 301, (int) Parallel.THRESHOLD / 300 + 3}, {9, 61, (int) Parallel.THRESHOLD / 500 + 1},
        {(int) Parallel.THRESHOLD / 7 + 5, 7, 1}
    };

    @Test
    void theSumsEqualTheirOraclesBitForBitOnEveryView() {
        SplittableRandom r = new SplittableRandom(11);
        for (int[] v : VIEWS) {
            int n = v[0] * v[1] * v[2], outs = v[0] * v[2];
            double[] xd = doubles(r, n, v[1]);
            float[] xf = floats(r, n, v[1]);
            double[] fast = new double[outs], slow = new double[outs];
            Reduce.sum(xd, v[0], v[1], v[2], fast);
            ReduceOracles.naiveSum(xd, v[0], v[1], v[2], slow);
            assertSame(slow, fast, "double sum " + java.util.Arrays.toString(v));
            fast = new double[outs];
            slow = new double[outs];
            Reduce.sum(xf, v[0], v[1], v[2], fast);
            ReduceOracles.naiveSum(xf, v[0], v[1], v[2], slow);
            assertSame(slow, fast, "float sum " + java.util.Arrays.toString(v));
        }
    }

    @Test
    void theMaximaAndTheirIndicesEqualTheirOraclesOnEveryView() {
        SplittableRandom r = new SplittableRandom(12);
        for (int[] v : VIEWS) {
            if (v[1] == 0) continue; // no maximum: rejected (below)
            int n = v[0] * v[1] * v[2], outs = v[0] * v[2];
            double[] xd = tied(r, n);
            float[] xf = new float[n];
            for (int i = 0; i < n; i++) xf[i] = (float) xd[i];
            double[] fast = new double[outs], slow = new double[outs];
            int[] fastArg = new int[outs], slowArg = new int[outs];
            Reduce.max(xd, v[0], v[1], v[2], fast, fastArg);
            ReduceOracles.naiveMax(xd, v[0], v[1], v[2], slow, slowArg);
            assertSame(slow, fast, "double max " + java.util.Arrays.toString(v));
            assertArrayEquals(slowArg, fastArg, "double argmax " + java.util.Arrays.toString(v));
            fast = new double[outs];
            slow = new double[outs];
            Reduce.max(xf, v[0], v[1], v[2], fast, fastArg);
            ReduceOracles.naiveMax(xf, v[0], v[1], v[2], slow, slowArg);
            assertSame(slow, fast, "float max " + java.util.Arrays.toString(v));
            assertArrayEquals(slowArg, fastArg, "float argmax " + java.util.Arrays.toString(v));
        }
    }

    @Test
    void theMaximumKeepsTheFirstOfTiesAndTheFirstNaN() {
        double[] x = {-0.0, 0.0, 2, 2, Double.NaN, 5, Double.NaN};
        double[] out = new double[1];
        int[] arg = new int[1];
        Reduce.max(x, 1, 2, 1, out, arg);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(out[0]), "of −0 and +0 the first stays");
        assertEquals(0, arg[0]);
        Reduce.max(x, 1, 4, 1, out, arg);
        assertEquals(2.0, out[0]);
        assertEquals(2, arg[0], "the first of two equal maxima");
        Reduce.max(x, 1, 7, 1, out, arg);
        assertTrue(Double.isNaN(out[0]));
        assertEquals(4, arg[0], "the first NaN wins over a later larger value and a later NaN");
    }

    @Test
    void theSumAddsInIncreasingIndexFromPositiveZero() {
        // in index order 1e16 + 1 + 1 loses both ones (the spacing of doubles at 1e16 is 2); the ones first would give 2
        double[] x = {1e16, 1, 1, -1e16};
        double[] out = new double[1];
        Reduce.sum(x, 1, 4, 1, out);
        assertEquals(0.0, out[0]);
        Reduce.sum(new double[] {-0.0, -0.0}, 1, 2, 1, out);
        assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(out[0]), "0.0 + −0 + −0 is +0");
    }

    /**
     * Shapes with reduced axes apart, together, none and all; dims 0, 1, odd; and two above the
     * parallel threshold (split by rows and by columns). Each is tried with every subset of its axes.
     */
    private static final int[][] SHAPES = {
        {}, {0}, {1}, {7}, {3, 0, 4}, {2, 1, 3}, {3, 5, 2}, {4, 1, 5, 3}, {2, 3, 1, 1, 5}, {5, 2, 7, 3}, {1, 33, 1, 17},
        {3, 301, 5, 61}, {64, 3, 1400}
    };

    @Test
    void everyPlanKernelEqualsTheRowMajorWalkOnEverySubsetOfAxes() {
        SplittableRandom r = new SplittableRandom(13);
        int plans = 0;
        for (int[] dims : SHAPES) {
            int size = 1;
            for (int d : dims) size *= d;
            for (int mask = 0; mask < 1 << dims.length; mask++) {
                boolean[] red = new boolean[dims.length];
                int outs = 1, len = 1;
                for (int a = 0; a < dims.length; a++) {
                    red[a] = (mask >> a & 1) != 0;
                    if (red[a]) len *= dims[a];
                    else outs *= dims[a];
                }
                if (size > 100_000 && Integer.bitCount(mask) != 2) continue; // the big shapes: pairs of axes only, to keep the test short
                ReduceAxes.Plan plan = ReduceAxes.Plan.of(dims, red);
                String what = java.util.Arrays.toString(dims) + " reducing " + java.util.Arrays.toString(red);
                assertEquals(outs, plan.outputs(), what);
                assertEquals(size == 0 ? 0 : len, plan.count(), what);
                double[] xd = doubles(r, size, Math.max(len, 1)), tiedD = tied(r, size);
                float[] xf = floats(r, size, Math.max(len, 1)), tiedF = new float[size];
                for (int i = 0; i < size; i++) tiedF[i] = (float) tiedD[i];
                double[] wideF = new double[size];
                for (int i = 0; i < size; i++) wideF[i] = xf[i];
                // sum
                double[] fast = new double[outs], slow = new double[outs];
                ReduceAxes.sum(xd, plan, fast);
                ReduceOracles.naiveSum(xd, dims, red, slow);
                assertSame(slow, fast, "double sum " + what);
                ReduceAxes.sum(xf, plan, fast);
                ReduceOracles.naiveSum(wideF, dims, red, slow);
                assertSame(slow, fast, "float sum " + what);
                // amax, its ties and its gradient (len 0 gives −∞ and no ties)
                double[] g = doubles(r, outs, 1);
                int[] fastTies = new int[outs], slowTies = new int[outs];
                for (int pass = 0; pass < 2; pass++) {
                    double[] x = pass == 0 ? tiedD : new double[size];
                    if (pass == 1) for (int i = 0; i < size; i++) x[i] = tiedF[i];
                    if (pass == 0) ReduceAxes.amax(tiedD, plan, fast, fastTies);
                    else ReduceAxes.amax(tiedF, plan, fast, fastTies);
                    ReduceOracles.naiveAmax(x, dims, red, slow, slowTies);
                    assertSame(slow, fast, (pass == 0 ? "double" : "float") + " amax " + what);
                    assertArrayEquals(slowTies, fastTies, "ties " + what);
                    double[] gxFast = new double[size], gxSlow = new double[size];
                    if (pass == 0) ReduceAxes.amaxBackward(tiedD, plan, fast, fastTies, g, gxFast);
                    else ReduceAxes.amaxBackward(tiedF, plan, fast, fastTies, g, gxFast);
                    int[] target = ReduceOracles.naiveTargets(dims, red);
                    for (int i = 0; i < size; i++) {
                        int t = target[i];
                        gxSlow[i] = Double.isNaN(slow[t]) ? Double.NaN : x[i] == slow[t] ? g[t] / slowTies[t] : 0.0;
                    }
                    assertSame(gxSlow, gxFast, "amax gradient " + what);
                }
                // logsumexp's shift and sum, and its gradient
                double[] m = new double[outs], s = new double[outs], m0 = new double[outs], s0 = new double[outs];
                ReduceAxes.logSumExp(xd, plan, m, s);
                ReduceOracles.naiveLogSumExp(xd, dims, red, m0, s0);
                assertSame(m0, m, "double logsumexp shift " + what);
                assertSame(s0, s, "double logsumexp sum " + what);
                double[] gxFast = new double[size], gxSlow = new double[size];
                ReduceAxes.logSumExpBackward(xd, plan, m, s, g, gxFast);
                int[] target = ReduceOracles.naiveTargets(dims, red);
                for (int i = 0; i < size; i++) gxSlow[i] = g[target[i]] * (Math.exp(xd[i] - m0[target[i]]) / s0[target[i]]);
                assertSame(gxSlow, gxFast, "double logsumexp gradient " + what);
                ReduceAxes.logSumExp(xf, plan, m, s);
                ReduceOracles.naiveLogSumExp(wideF, dims, red, m0, s0);
                assertSame(s0, s, "float logsumexp sum " + what);
                ReduceAxes.logSumExpBackward(xf, plan, m, s, g, gxFast);
                for (int i = 0; i < size; i++) gxSlow[i] = g[target[i]] * (Math.exp(wideF[i] - m0[target[i]]) / s0[target[i]]);
                assertSame(gxSlow, gxFast, "float logsumexp gradient " + what);
                plans++;
            }
        }
        assertTrue(plans > 100, "plans tried: " + plans);
    }

    /**
     * Plans whose kept innermost axis is longer than 1 (inner &gt; 1: the lane-wise amax), and two
     * that are not, as controls: [7, 33] over axis 0; [3, 5, 17] over {0, 2} (its innermost axis
     * reduced: inner 1) and over {0, 1}; [4, 3, 5, 17] over {0, 2}; inner at the 512-lane block's
     * edges; sizes 0 and 1; and above the parallel threshold, split by columns ([600, 1000],
     * [5, 3, 20000]) and by rows ([64, 4, 1200]).
     */
    private static final Object[][] LANE_PLANS = {
        {new int[] {7, 33}, new int[] {0}}, {new int[] {3, 5, 17}, new int[] {0, 2}}, {new int[] {3, 5, 17}, new int[] {0, 1}},
        {new int[] {4, 3, 5, 17}, new int[] {0, 2}}, {new int[] {3, 5, 17}, new int[] {1}}, {new int[] {2, 511}, new int[] {0}},
        {new int[] {3, 512}, new int[] {0}}, {new int[] {2, 513}, new int[] {0}}, {new int[] {5, 1025}, new int[] {0}},
        {new int[] {1, 2}, new int[] {0}}, {new int[] {0, 5}, new int[] {0}}, {new int[] {1, 1, 9}, new int[] {0, 1}},
        {new int[] {600, 1000}, new int[] {0}}, {new int[] {5, 3, 20000}, new int[] {0, 1}}, {new int[] {64, 4, 1200}, new int[] {1}}
    };

    @Test
    void theLaneWiseAmaxAlongAKeptInnerAxisEqualsThePerOutputWalkBitForBit() {
        SplittableRandom r = new SplittableRandom(14);
        int laneWise = 0;
        for (Object[] c : LANE_PLANS) {
            int[] dims = (int[]) c[0];
            boolean[] red = new boolean[dims.length];
            for (int a : (int[]) c[1]) red[a] = true;
            ReduceAxes.Plan plan = ReduceAxes.Plan.of(dims, red);
            if (plan.inner() > 1) laneWise++;
            int size = plan.size(), outs = plan.outputs();
            String what = java.util.Arrays.toString(dims) + " reducing " + java.util.Arrays.toString((int[]) c[1]) + " (inner " + plan.inner() + ")";
            double[] xd = specialLanes(tied(r, size), dims, red);
            float[] xf = new float[size];
            for (int i = 0; i < size; i++) xf[i] = (float) xd[i];
            double[] g = doubles(r, outs, 1);
            for (int pass = 0; pass < 2; pass++) {
                double[] x = xd;
                if (pass == 1) {
                    x = new double[size];
                    for (int i = 0; i < size; i++) x[i] = xf[i];
                }
                String kind = (pass == 0 ? "double " : "float ") + what;
                double[] fast = new double[outs], slow = new double[outs];
                int[] fastTies = new int[outs], slowTies = new int[outs];
                if (pass == 0) ReduceAxes.amax(xd, plan, fast, fastTies);
                else ReduceAxes.amax(xf, plan, fast, fastTies);
                ReduceOracles.naiveAmax(x, dims, red, slow, slowTies);
                RawBits.assertSameBits(slow, fast, "amax " + kind);
                assertArrayEquals(slowTies, fastTies, "ties " + kind);
                // without ties (logsumexp's call) the maxima are the same
                double[] noTies = new double[outs];
                if (pass == 0) ReduceAxes.amax(xd, plan, noTies, null);
                else ReduceAxes.amax(xf, plan, noTies, null);
                RawBits.assertSameBits(slow, noTies, "amax without ties " + kind);
                double[] gxFast = new double[size], gxSlow = new double[size];
                if (pass == 0) ReduceAxes.amaxBackward(xd, plan, fast, fastTies, g, gxFast);
                else ReduceAxes.amaxBackward(xf, plan, fast, fastTies, g, gxFast);
                int[] target = ReduceOracles.naiveTargets(dims, red);
                for (int i = 0; i < size; i++) {
                    int t = target[i];
                    gxSlow[i] = Double.isNaN(slow[t]) ? Double.NaN : x[i] == slow[t] ? g[t] / slowTies[t] : 0.0;
                }
                RawBits.assertSameBits(gxSlow, gxFast, "amax gradient " + kind);
            }
        }
        assertTrue(laneWise >= 12, "plans with inner > 1: " + laneWise);
    }

    /**
     * x with its first output lanes made special, in the order the rule must keep: lane 0 all −∞,
     * lane 1 −0 then +0 (a tie, the first kept), lane 2 two NaNs of different payloads (the first
     * stays, raw bits show which), lane 3 a NaN after the maximum.
     */
    private static double[] specialLanes(double[] x, int[] dims, boolean[] red) {
        int[] target = ReduceOracles.naiveTargets(dims, red);
        int[] seen = new int[4];
        double nanA = Double.longBitsToDouble(0x7ff8000000000123L), nanB = Double.longBitsToDouble(0x7ff8000000000456L);
        for (int i = 0; i < x.length; i++) {
            int t = target[i], k = t < 4 ? seen[t]++ : -1;
            if (t == 0) x[i] = Double.NEGATIVE_INFINITY;
            else if (t == 1) x[i] = k == 0 ? -0.0 : k == 1 ? 0.0 : -1.0;
            else if (t == 2 && k < 2) x[i] = k == 0 ? nanA : nanB;
            else if (t == 3) x[i] = k == 1 ? Double.NaN : 7.0;
        }
        return x;
    }

    @Test
    void aPlanDropsSizeOneAxesAndMergesNeighboursOfTheSameKind() {
        // [2, 1, 3, 4, 5] reducing axes 1, 2 and 4: the size-1 axis vanishes, leaving kept 2, reduced 3, kept 4, reduced 5
        ReduceAxes.Plan p = ReduceAxes.Plan.of(new int[] {2, 1, 3, 4, 5}, new boolean[] {false, true, true, false, true});
        assertEquals(5, p.run(), "the innermost reduced group is one contiguous run");
        assertEquals(1, p.inner());
        assertArrayEquals(new int[] {0, 5, 10, 15, 60, 65, 70, 75}, p.base(), "one entry per output row, kept axes 2 and 4");
        assertArrayEquals(new int[] {0, 20, 40}, p.offsets(), "one entry per run, the reduced axis of 3");
        // [6, 4] reducing axis 0: columns, an inner block of 4
        p = ReduceAxes.Plan.of(new int[] {6, 4}, new boolean[] {true, false});
        assertEquals(4, p.inner());
        assertArrayEquals(new int[] {0}, p.base());
        assertArrayEquals(new int[] {0, 4, 8, 12, 16, 20}, p.offsets());
    }

    @Test
    void badPlansAreRejectedWithTheirSizes() {
        var e = assertThrows(IllegalArgumentException.class, () -> ReduceAxes.Plan.of(new int[] {2, 3}, new boolean[] {true}));
        assertTrue(e.getMessage().contains("2 dims but 1"), e.getMessage());
        ReduceAxes.Plan p = ReduceAxes.Plan.of(new int[] {2, 3}, new boolean[] {true, false});
        e = assertThrows(IllegalArgumentException.class, () -> ReduceAxes.sum(new double[5], p, new double[3]));
        assertTrue(e.getMessage().contains("input of 6"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ReduceAxes.amax(new float[6], p, new double[2], null));
        assertTrue(e.getMessage().contains("output of 3"), e.getMessage());
    }

    @Test
    void badViewsAreRejectedWithTheirExtents() {
        var e = assertThrows(IllegalArgumentException.class, () -> Reduce.sum(new double[5], 2, 3, 1, new double[2]));
        assertTrue(e.getMessage().contains("needs an input of 6"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Reduce.sum(new float[6], 2, 3, 1, new double[1]));
        assertTrue(e.getMessage().contains("output of 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Reduce.max(new double[0], 2, 0, 1, new double[2], null));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Reduce.sum(new double[6], -2, 3, 1, new double[2]));
        assertTrue(e.getMessage().contains("negative"), e.getMessage());
    }

    /** Values with many ties (a few distinct values), and the special ones. */
    private static double[] tied(SplittableRandom r, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(40);
            out[i] = c == 0 ? Double.NaN : c == 1 ? -0.0 : c == 2 ? 0.0 : c == 3 ? Double.NEGATIVE_INFINITY : c < 20 ? r.nextInt(5) : r.nextGaussian();
        }
        return out;
    }

    /** n values; specials about once per two lanes of len, so that most sums stay finite. */
    private static double[] doubles(SplittableRandom r, int n, int len) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = value(r, len);
        return out;
    }

    private static float[] floats(SplittableRandom r, int n, int len) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) value(r, len);
        return out;
    }

    private static double value(SplittableRandom r, int len) {
        if (r.nextInt(2 * len + 2) != 0) return r.nextGaussian() * Math.pow(10, r.nextInt(17) - 8);
        switch (r.nextInt(5)) {
            case 0: return Double.NaN;
            case 1: return r.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            case 2: return -0.0;
            case 3: return Float.MIN_VALUE * (1 + r.nextInt(100));
            default: return r.nextGaussian() * Math.pow(10, r.nextInt(17) - 8);
        }
    }

    private static void assertSame(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToLongBits(expected[i]) != Double.doubleToLongBits(actual[i])) {
                throw new AssertionError(what + ": output " + i + " is " + actual[i] + ", its oracle " + expected[i]);
            }
        }
    }
}
