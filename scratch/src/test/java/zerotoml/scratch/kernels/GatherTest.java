package zerotoml.scratch.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Gather}'s kernels against their oracles, bit for bit, in float and double: take against
 * the plain loop, and index-select's rows and scatterRows against take and scatterAdd over the
 * flat source table the op used to build, on views [outer, n, inner] picked at len positions
 * with every extent 0, 1 and odd, repeated positions (whose gradients must add in increasing
 * output order, here with values of many magnitudes so that the order shows), and sizes above the
 * parallel threshold split by blocks and by columns.
 */
class GatherTest {

    /** {outer, n, inner, len}. */
    private static final int[][] VIEWS = {
        {0, 3, 4, 2}, {3, 0, 4, 0}, {3, 4, 0, 5}, {2, 3, 4, 0}, {1, 1, 1, 1}, {1, 5, 1, 9}, {3, 7, 5, 11}, {1, 65, 128, 768},
        {2, 50, 1000, 300}, {1, 30, 3, (int) Parallel.THRESHOLD / 3 + 7}, {(int) Parallel.THRESHOLD / 20 + 3, 4, 1, 20}, {1, 9, 30001, 9}
    };

    @Test
    void indexSelectRowsAndTheirScatterEqualTheTableBasedTakeAndScatterAdd() {
        SplittableRandom r = new SplittableRandom(61);
        for (int[] v : VIEWS) {
            int outer = v[0], n = v[1], inner = v[2], len = v[3];
            int[] positions = new int[len];
            for (int j = 0; j < len; j++) positions[j] = n == 0 ? 0 : r.nextInt(n);
            for (int j = 0; j < len; j++) if (n > 0 && r.nextInt(3) == 0) positions[j] = positions[r.nextInt(len)]; // repeats
            if (n == 0 && len > 0) continue; // no position to pick
            int[] table = Gather.naiveRowsTable(outer, n, inner, positions);
            double[] x = spread(r, outer * n * inner), g = spread(r, outer * len * inner);
            float[] xf = floats(x), gf = floats(g);
            String what = Arrays.toString(v);

            double[] fast = new double[table.length], slow = new double[table.length];
            Gather.rows(x, outer, n, inner, positions, fast);
            Gather.naiveTake(x, table, slow);
            assertArrayEquals(slow, fast, "double rows " + what);
            float[] fastF = new float[table.length];
            Gather.rows(xf, outer, n, inner, positions, fastF);
            assertArrayEquals(floats(slow), fastF, "float rows " + what);

            double[] gx = new double[x.length], gx0 = new double[x.length];
            Gather.scatterRows(g, outer, n, inner, positions, gx);
            Gather.scatterAdd(g, table, gx0);
            same(gx0, gx, "double scatterRows " + what);
            gx = new double[x.length];
            gx0 = new double[x.length];
            Gather.scatterRows(gf, outer, n, inner, positions, gx);
            Gather.scatterAdd(gf, table, gx0);
            same(gx0, gx, "float scatterRows " + what);
        }
    }

    @Test
    void takeEqualsThePlainLoopWithPaddingAsZero() {
        SplittableRandom r = new SplittableRandom(62);
        for (int size : new int[] {0, 1, 7, 1000, (int) Parallel.THRESHOLD + 13}) {
            double[] x = spread(r, 101);
            int[] src = new int[size];
            for (int i = 0; i < size; i++) src[i] = r.nextInt(-10, 101);
            double[] fast = new double[size], slow = new double[size];
            Gather.take(x, src, fast);
            Gather.naiveTake(x, src, slow);
            assertArrayEquals(slow, fast, "double take " + size);
            float[] fastF = new float[size];
            Gather.take(floats(x), src, fastF);
            assertArrayEquals(floats(slow), fastF, "float take " + size);
        }
    }

    @Test
    void repeatedPositionsAddTheirGradientsInOutputOrder() {
        // 1e16 + 1 + 1 in that order loses both ones; the slices picked at position 0 three times
        double[] g = {1e16, 1, 1, -1e16};
        double[] gx = new double[2];
        Gather.scatterRows(g, 1, 2, 1, new int[] {0, 0, 0, 0}, gx);
        assertArrayEquals(new double[] {0, 0}, gx);
        Gather.scatterRows(new double[] {1, 1, 1e16, -1e16}, 1, 2, 1, new int[] {0, 0, 0, 0}, gx = new double[2]);
        assertArrayEquals(new double[] {2, 0}, gx, "the ones first keep their sum");
    }

    @Test
    void badViewsAreRejectedWithTheirExtents() {
        var e = assertThrows(IllegalArgumentException.class, () -> Gather.rows(new double[5], 2, 3, 1, new int[] {0}, new double[2]));
        assertTrue(e.getMessage().contains("needs arrays of 6 and 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Gather.take(new float[3], new int[2], new float[3]));
        assertTrue(e.getMessage().contains("2 source positions for 3"), e.getMessage());
    }

    @Test
    void theScatterOntoDistinctTargetsHasTheDoubleScatterAddsBitsAtEverySize() {
        SplittableRandom r = new SplittableRandom(63);
        for (int size : new int[] {0, 1, 7, 1000, (int) Parallel.THRESHOLD + 13}) {
            // each source a distinct target of 2·size + 1 (a shuffled prefix), some −1 (no target); g holds −0s
            int n = 2 * size + 1;
            int[] perm = new int[n];
            for (int i = 0; i < n; i++) perm[i] = i;
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1), t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            int[] src = new int[size];
            for (int i = 0; i < size; i++) src[i] = r.nextInt(10) == 0 ? -1 : perm[i];
            float[] g = floats(spread(r, size));
            double[] slow = new double[n];
            Gather.scatterAdd(g, src, slow);
            float[] fast = new float[n];
            Gather.scatterAddDistinct(g, src, fast);
            for (int i = 0; i < n; i++) {
                // +0 where g was −0 (+0 + −0), as the double sum rounded gives
                if (Float.floatToRawIntBits((float) slow[i]) != Float.floatToRawIntBits(fast[i])) {
                    throw new AssertionError("size " + size + ": element " + i + " is " + fast[i] + ", the double scatter-add's " + slow[i]);
                }
            }
        }
    }

    private static double[] spread(SplittableRandom r, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = r.nextInt(20) == 0 ? -0.0 : r.nextGaussian() * Math.pow(10, r.nextInt(13) - 6);
        return out;
    }

    private static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    private static void same(double[] expected, double[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToLongBits(expected[i]) != Double.doubleToLongBits(actual[i])) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", its oracle " + expected[i]);
            }
        }
    }
}
