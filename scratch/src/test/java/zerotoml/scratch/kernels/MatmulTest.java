package zerotoml.scratch.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Matmul#fast} against its oracle {@link Matmul#naive}, in double and in float. The two sum
 * the k products in different orders (blocks of {@link Matmul#KC}, fused multiply-adds), so they
 * agree up to rounding: in double |fast − naive| ≤ 1e-12 · Σ_p |a[i,p] b[p,j]| per entry, the
 * scale on which a reordered sum's error is bounded (k·2⁻⁵³·Σ|terms|, about 1e-13 for k = 1000);
 * in float both sums are within (k + 1)·2⁻²⁴·Σ|terms| of the exact one, so of each other within
 * twice that. Every path of fast computes an entry the same way, so a row's bits do not depend on
 * the rows around it, and the scalar and Vector API backends give the same bits (checked on every
 * size when the JVM has jdk.incubator.vector, as the build's test runs do).
 */
class MatmulTest {
    private static final double REL = 1e-12;

    @Test
    void fastEqualsNaiveOnManyRandomSizes() {
        SplittableRandom rnd = new SplittableRandom(20261128);
        for (int t = 0; t < 300; t++) {
            int m = 1 + rnd.nextInt(t % 3 == 0 ? 40 : 9);
            int k = rnd.nextInt(t % 5 == 0 ? 300 : 12);
            int n = 1 + rnd.nextInt(t % 4 == 0 ? 150 : 9);
            check(rnd, m, k, n, 0, 0, 0);
        }
    }

    @Test
    void aRowOfTheProductDoesNotDependOnTheRowsThatComeWithIt() {
        // KV-cache decoding multiplies one new row where full recomputation multiplies all of them;
        // the two must agree bit for bit, whichever path (small, blocked, parallel) each size takes
        SplittableRandom r = new SplittableRandom(7);
        int[][] sizes = {{1, 3, 5}, {3, 9, 2}, {6, 40, 7}, {17, 300, 33}, {70, 520, 90}, {130, 64, 130}};
        for (int[] s : sizes) {
            int m = s[0], k = s[1], n = s[2];
            double[] a = withZeros(r, m * k, 0.2), b = withZeros(r, k * n, 0.2);
            double[] all = new double[m * n];
            Matmul.fast(a, 0, b, 0, all, 0, m, k, n);
            for (int lo = 0; lo < m; lo += 1 + r.nextInt(5)) {
                int rows = 1 + r.nextInt(Math.min(5, m - lo));
                double[] part = new double[rows * n];
                Matmul.fast(a, lo * k, b, 0, part, 0, rows, k, n);
                assertArrayEquals(Arrays.copyOfRange(all, lo * n, (lo + rows) * n), part, 0.0,
                        "rows " + lo + ".." + (lo + rows) + " of " + m + "x" + k + "x" + n);
            }
            // the same in float, on the same values rounded to float
            float[] af = toFloat(a), bf = toFloat(b), allF = new float[m * n];
            Matmul.fast(af, 0, bf, 0, allF, 0, m, k, n);
            for (int lo = 0; lo < m; lo += 1 + r.nextInt(5)) {
                int rows = 1 + r.nextInt(Math.min(5, m - lo));
                float[] part = new float[rows * n];
                Matmul.fast(af, lo * k, bf, 0, part, 0, rows, k, n);
                assertArrayEquals(Arrays.copyOfRange(allF, lo * n, (lo + rows) * n), part, 0f,
                        "float rows " + lo + ".." + (lo + rows) + " of " + m + "x" + k + "x" + n);
            }
        }
    }

    @Test
    void emptyDimensionsGiveZerosOrNothing() {
        double[] c = {7, 7, 7, 7};
        Matmul.fast(new double[0], 0, new double[0], 0, c, 0, 2, 0, 2);
        assertArrayEquals(new double[] {0, 0, 0, 0}, c, 0.0, "an empty inner dimension sums nothing");
        double[] d = {7};
        Matmul.fast(new double[4], 0, new double[0], 0, d, 0, 2, 2, 0);
        assertArrayEquals(new double[] {7}, d, 0.0);
        float[] cf = {7, 7, 7, 7};
        Matmul.fast(new float[0], 0, new float[0], 0, cf, 0, 2, 0, 2);
        assertArrayEquals(new float[] {0, 0, 0, 0}, cf, 0f, "an empty inner dimension sums nothing (float)");
        float[] df = {7};
        Matmul.fast(new float[4], 0, new float[0], 0, df, 0, 2, 2, 0);
        assertArrayEquals(new float[] {7}, df, 0f);
    }

    @Test
    void fastEqualsNaiveOnEdgeSizes() {
        SplittableRandom rnd = new SplittableRandom(7);
        int[][] sizes = {
            {1, 0, 1}, {5, 0, 7}, {4, 0, 4}, {1, 1, 1}, {4, 1, 4}, {7, 1, 9}, {64, 1, 64},
            {3, 3, 3}, {4, 4, 4}, {5, 5, 5}, {1, 500, 1}, {1, 64, 200}, {200, 64, 1},
            {17, 255, 13}, {17, 256, 13}, {17, 257, 13}, {9, 100, 127}, {9, 100, 128}, {9, 100, 129},
            {63, 65, 67}, {64, 64, 64}, {33, 517, 31}
        };
        for (int[] s : sizes) check(rnd, s[0], s[1], s[2], 0, 0, 0);
    }

    @Test
    void fastEqualsNaiveAboveTheParallelThreshold() {
        SplittableRandom rnd = new SplittableRandom(11);
        int[][] sizes = {{70, 300, 20}, {131, 67, 97}, {256, 256, 256}, {97, 301, 133}, {333, 41, 29},
            {64, 64, 64}, {80, 70, 60}, {4, 300, 256}, {3, 512, 200}, {130, 129, 17}, {257, 33, 40}};
        for (int[] s : sizes) {
            assertTrue((long) s[0] * s[1] * s[2] >= Matmul.PARALLEL_THRESHOLD, Arrays.toString(s));
            check(rnd, s[0], s[1], s[2], 0, 0, 0);
        }
    }

    @Test
    void fastReadsAndWritesOnlyItsSlicesAtOffsets() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int[] s : new int[][] {{3, 2, 5}, {37, 41, 43}, {80, 90, 70}}) {
            check(rnd, s[0], s[1], s[2], 1 + rnd.nextInt(50), 1 + rnd.nextInt(50), 1 + rnd.nextInt(50));
        }
    }

    @Test
    void packingBuffersLeftFullOfNanByOneProductDoNotReachTheNext() {
        // the packs are kept per thread: a product of NaNs fills them, and the padded tiles of later, smaller products
        // (rows and columns that are not whole tiles, either operand transposed) must read nothing it left
        SplittableRandom rnd = new SplittableRandom(17);
        int[][] sizes = {{7, 5, 9}, {13, 300, 11}, {1, 3, 1}, {95, 257, 250}};
        double[][] before = new double[sizes.length * 4][];
        float[][] beforeF = new float[sizes.length * 4][];
        double[][][] operands = new double[sizes.length][][];
        for (int i = 0; i < sizes.length; i++) {
            int m = sizes[i][0], k = sizes[i][1], n = sizes[i][2];
            operands[i] = new double[][] {random(rnd, m * k), random(rnd, k * n)};
        }
        for (int pass = 0; pass < 2; pass++) {
            if (pass == 1) {
                double[] nan = new double[300 * 300];
                float[] nanF = new float[300 * 300];
                Arrays.fill(nan, Double.NaN);
                Arrays.fill(nanF, Float.NaN);
                Matmul.fast(nan, 0, nan, 0, new double[300 * 300], 0, 300, 300, 300);
                Matmul.fast(nanF, 0, nanF, 0, new float[300 * 300], 0, 300, 300, 300);
            }
            for (int i = 0; i < sizes.length; i++) {
                int m = sizes[i][0], k = sizes[i][1], n = sizes[i][2];
                double[] a = operands[i][0], b = operands[i][1];
                float[] af = toFloat(a), bf = toFloat(b);
                for (int t = 0; t < 4; t++) {
                    boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                    double[] c = new double[m * n];
                    float[] cf = new float[m * n];
                    Matmul.fast(a, 0, ta, b, 0, tb, c, 0, m, k, n);
                    Matmul.fast(af, 0, ta, bf, 0, tb, cf, 0, m, k, n);
                    if (pass == 0) {
                        before[i * 4 + t] = c;
                        beforeF[i * 4 + t] = cf;
                    } else {
                        assertArrayEquals(before[i * 4 + t], c, 0, Arrays.toString(sizes[i]) + " transA " + ta + " transB " + tb);
                        assertArrayEquals(beforeF[i * 4 + t], cf, 0, Arrays.toString(sizes[i]) + " float, transA " + ta + " transB " + tb);
                    }
                }
            }
        }
    }

    private static double[] random(SplittableRandom rnd, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = rnd.nextDouble(-1, 1);
        return x;
    }

    @Test
    void fastOverwritesWhatWasInTheOutput() {
        double[] a = {1, 2, 3, 4, 5, 6};
        double[] b = {1, 0, 0, 1, 1, 1};
        double[] c = {9, 9, 9, 9};
        Matmul.fast(a, 0, b, 0, c, 0, 2, 3, 2);
        // [1 2 3; 4 5 6] · [1 0; 0 1; 1 1] = [4 5; 10 11]
        assertEquals(Arrays.toString(new double[] {4, 5, 10, 11}), Arrays.toString(c));
    }

    @Test
    void fastSpreadsInfinityAndNanExactlyWhereNaiveDoes() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int[] s : new int[][] {{6, 7, 5}, {40, 30, 50}, {90, 60, 70}}) {
            int m = s[0], k = s[1], n = s[2];
            double[] a = values(rnd, m * k);
            double[] b = values(rnd, k * n);
            a[rnd.nextInt(a.length)] = Double.POSITIVE_INFINITY;
            a[rnd.nextInt(a.length)] = 0;
            b[rnd.nextInt(b.length)] = Double.NaN;
            b[rnd.nextInt(b.length)] = 0;
            double[] want = new double[m * n];
            double[] got = new double[m * n];
            Matmul.naive(a, 0, b, 0, want, 0, m, k, n);
            Matmul.fast(a, 0, b, 0, got, 0, m, k, n);
            for (int e = 0; e < want.length; e++) {
                assertEquals(Double.isNaN(want[e]), Double.isNaN(got[e]), "NaN at " + e + " for " + Arrays.toString(s));
                assertEquals(Double.isInfinite(want[e]), Double.isInfinite(got[e]), "infinity at " + e + " for " + Arrays.toString(s));
            }
            float[] af = toFloat(a), bf = toFloat(b), wantF = new float[m * n], gotF = new float[m * n];
            Matmul.naive(af, 0, bf, 0, wantF, 0, m, k, n);
            Matmul.fast(af, 0, bf, 0, gotF, 0, m, k, n);
            for (int e = 0; e < wantF.length; e++) {
                assertEquals(Float.isNaN(wantF[e]), Float.isNaN(gotF[e]), "float NaN at " + e + " for " + Arrays.toString(s));
                assertEquals(Float.isInfinite(wantF[e]), Float.isInfinite(gotF[e]), "float infinity at " + e + " for " + Arrays.toString(s));
            }
        }
    }

    private static double[] withZeros(SplittableRandom r, int size, double zeroShare) {
        double[] a = new double[size];
        for (int i = 0; i < size; i++) a[i] = r.nextDouble() < zeroShare ? 0 : 2 * r.nextDouble() - 1;
        return a;
    }

    private static double[] values(SplittableRandom rnd, int size) {
        double[] v = new double[size];
        // mixed signs and magnitudes, so that cancellation happens
        for (int i = 0; i < size; i++) v[i] = (rnd.nextDouble() * 2 - 1) * Math.pow(10, rnd.nextInt(-2, 3));
        return v;
    }

    private static void check(SplittableRandom rnd, int m, int k, int n, int aOff, int bOff, int cOff) {
        double[] a = values(rnd, aOff + m * k + 3);
        double[] b = values(rnd, bOff + k * n + 3);
        double[] want = new double[m * n];
        double[] scale = new double[m * n];
        Matmul.naive(a, aOff, b, bOff, want, 0, m, k, n);
        double[] absA = new double[a.length];
        double[] absB = new double[b.length];
        for (int i = 0; i < a.length; i++) absA[i] = Math.abs(a[i]);
        for (int i = 0; i < b.length; i++) absB[i] = Math.abs(b[i]);
        Matmul.naive(absA, aOff, absB, bOff, scale, 0, m, k, n);
        double[] c = new double[cOff + m * n + 5];
        Arrays.fill(c, -7.25);
        double[] before = c.clone();
        Matmul.fast(a, aOff, b, bOff, c, cOff, m, k, n);
        String size = "m=" + m + " k=" + k + " n=" + n + " offsets " + aOff + "," + bOff + "," + cOff;
        for (int e = 0; e < m * n; e++) {
            double err = Math.abs(c[cOff + e] - want[e]);
            if (!(err <= REL * scale[e])) {
                throw new AssertionError(size + ": entry " + e + " is " + c[cOff + e] + " but naive gives " + want[e]
                        + " (error " + err + " > " + REL + " · " + scale[e] + ")");
            }
        }
        for (int e = 0; e < cOff; e++) assertEquals(before[e], c[e], size + ": wrote before its slice");
        for (int e = cOff + m * n; e < c.length; e++) assertEquals(before[e], c[e], size + ": wrote after its slice");
        double[] scalar = c.clone();
        Matmul.fast(false, a, aOff, false, b, bOff, false, scalar, cOff, m, k, n);
        assertArrayEquals(c, scalar, 0.0, size + ": scalar backend differs from the default backend");
        if (Backend.VECTOR) {
            double[] vector = before.clone();
            Matmul.fast(true, a, aOff, false, b, bOff, false, vector, cOff, m, k, n);
            assertArrayEquals(c, vector, 0.0, size + ": vector backend differs from the scalar backend");
        }
        checkTransposed(a, aOff, b, bOff, c, cOff, m, k, n, size);
        checkFloat(a, aOff, b, bOff, scale, m, k, n, cOff, size);
    }

    /** Aᵀ and Bᵀ stored as such and read transposed by the kernel give the plain product's bits. */
    private static void checkTransposed(double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int m, int k, int n, String size) {
        double[] aT = new double[2 + m * k], bT = new double[3 + k * n];
        for (int i = 0; i < m; i++) for (int p = 0; p < k; p++) aT[2 + p * m + i] = a[aOff + i * k + p];
        for (int p = 0; p < k; p++) for (int j = 0; j < n; j++) bT[3 + j * k + p] = b[bOff + p * n + j];
        double[] want = Arrays.copyOfRange(c, cOff, cOff + m * n);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                double[] got = new double[m * n];
                Matmul.fast(ta ? aT : a, ta ? 2 : aOff, ta, tb ? bT : b, tb ? 3 : bOff, tb, got, 0, m, k, n);
                assertArrayEquals(want, got, 0.0, size + ": transA " + ta + ", transB " + tb);
            }
        }
    }

    /** The float kernels on the same values rounded to float: fast against naive, and backend against backend. */
    private static void checkFloat(double[] a, int aOff, double[] b, int bOff, double[] scale, int m, int k, int n, int cOff, String size) {
        float[] af = toFloat(a), bf = toFloat(b);
        float[] want = new float[m * n];
        Matmul.naive(af, aOff, bf, bOff, want, 0, m, k, n);
        float[] c = new float[cOff + m * n + 5];
        Arrays.fill(c, -7.25f);
        float[] before = c.clone();
        Matmul.fast(af, aOff, bf, bOff, c, cOff, m, k, n);
        // both within (k+1)·2⁻²⁴·Σ|terms| of the exact sum (the terms of the float inputs, up to 2⁻²³ relative from scale)
        double rel = 2 * (k + 1) * 0x1p-24 + 4 * 0x1p-23;
        for (int e = 0; e < m * n; e++) {
            double err = Math.abs((double) c[cOff + e] - want[e]);
            if (!(err <= rel * scale[e])) {
                throw new AssertionError(size + " (float): entry " + e + " is " + c[cOff + e] + " but naive gives " + want[e]
                        + " (error " + err + " > " + rel + " · " + scale[e] + ")");
            }
        }
        for (int e = 0; e < cOff; e++) assertEquals(before[e], c[e], size + " (float): wrote before its slice");
        for (int e = cOff + m * n; e < c.length; e++) assertEquals(before[e], c[e], size + " (float): wrote after its slice");
        float[] scalar = before.clone();
        Matmul.fast(false, af, aOff, false, bf, bOff, false, scalar, cOff, m, k, n);
        assertArrayEquals(c, scalar, 0f, size + " (float): scalar backend differs from the default backend");
        if (Backend.VECTOR) {
            float[] vector = before.clone();
            Matmul.fast(true, af, aOff, false, bf, bOff, false, vector, cOff, m, k, n);
            assertArrayEquals(c, vector, 0f, size + " (float): vector backend differs from the scalar backend");
        }
        // Aᵀ and Bᵀ stored as such and read transposed give the plain product's bits, on both backends
        float[] aT = new float[2 + m * k], bT = new float[3 + k * n];
        for (int i = 0; i < m; i++) for (int p = 0; p < k; p++) aT[2 + p * m + i] = af[aOff + i * k + p];
        for (int p = 0; p < k; p++) for (int j = 0; j < n; j++) bT[3 + j * k + p] = bf[bOff + p * n + j];
        float[] plain = Arrays.copyOfRange(c, cOff, cOff + m * n);
        for (boolean vector : Backend.VECTOR ? new boolean[] {false, true} : new boolean[] {false}) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    float[] got = new float[m * n];
                    Matmul.fast(vector, ta ? aT : af, ta ? 2 : aOff, ta, tb ? bT : bf, tb ? 3 : bOff, tb, got, 0, m, k, n);
                    assertArrayEquals(plain, got, 0f, size + " (float): transA " + ta + ", transB " + tb + ", vector " + vector);
                }
            }
        }
    }

    private static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
        return f;
    }

    @Test
    void theBuildsTestRunsUseTheVectorBackend() {
        // surefire's argLine adds jdk.incubator.vector, so the bit-for-bit backend comparisons above really run
        assertTrue(Backend.VECTOR, "tests run without --add-modules jdk.incubator.vector: " + Backend.describe());
    }

    @Test
    void batchedProductsEqualOneProductAtATime() {
        SplittableRandom rnd = new SplittableRandom(13);
        for (int[] s : new int[][] {{1, 3, 4, 5}, {7, 9, 13, 11}, {48, 64, 32, 64}, {3, 130, 90, 70}, {0, 4, 4, 4}}) {
            int count = s[0], m = s[1], k = s[2], n = s[3];
            double[] a = values(rnd, count * m * k), b = values(rnd, count * k * n);
            double[] got = new double[count * m * n], want = new double[count * m * n];
            Matmul.batched(a, b, got, count, m, k, n);
            for (int i = 0; i < count; i++) Matmul.fast(a, i * m * k, b, i * k * n, want, i * m * n, m, k, n);
            assertArrayEquals(want, got, 0.0, Arrays.toString(s));
            float[] af = toFloat(a), bf = toFloat(b), gotF = new float[count * m * n], wantF = new float[count * m * n];
            Matmul.batched(af, bf, gotF, count, m, k, n);
            for (int i = 0; i < count; i++) Matmul.fast(af, i * m * k, bf, i * k * n, wantF, i * m * n, m, k, n);
            assertArrayEquals(wantF, gotF, 0f, "float " + Arrays.toString(s));
        }
    }
}
