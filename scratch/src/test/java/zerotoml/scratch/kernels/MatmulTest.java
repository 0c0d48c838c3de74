package zerotoml.scratch.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fast kernel against the three-loop oracle. */
class MatmulTest {
    static double[] random(SplittableRandom r, int n, double zeroShare) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = r.nextDouble() < zeroShare ? 0 : 2 * r.nextDouble() - 1;
        return a;
    }

    /** Both kernels on the same operands, placed at offsets inside larger arrays; returns {fast, naive}. */
    static double[][] both(SplittableRandom r, int m, int k, int n, double zeroShare) {
        int aOff = r.nextInt(5), bOff = r.nextInt(5), cOff = r.nextInt(5);
        double[] a = random(r, aOff + m * k + 3, zeroShare), b = random(r, bOff + k * n + 3, zeroShare);
        double[] fast = random(r, cOff + m * n + 3, 0), naive = fast.clone();
        Matmul.fast(a, aOff, b, bOff, fast, cOff, m, k, n);
        Matmul.naive(a, aOff, b, bOff, naive, cOff, m, k, n);
        return new double[][] {fast, naive};
    }

    @Test
    void fastEqualsNaiveBitForBitOnRandomSmallSizes() {
        SplittableRandom r = new SplittableRandom(1);
        for (int trial = 0; trial < 300; trial++) {
            int m = 1 + r.nextInt(9), k = 1 + r.nextInt(9), n = 1 + r.nextInt(9);
            double[][] c = both(r, m, k, n, trial % 3 == 0 ? 0.3 : 0);
            // same summation order (p ascending per element), so the results are identical, including
            // the guard values around the output slice that neither kernel may touch
            assertArrayEquals(c[1], c[0], 0.0, m + "x" + k + "x" + n);
        }
    }

    @Test
    void fastEqualsNaiveAboveTheParallelThresholdAndAcrossKBlocks() {
        SplittableRandom r = new SplittableRandom(2);
        int[][] sizes = {{64, 64, 64}, {80, 70, 60}, {4, 300, 256}, {3, 512, 200}, {130, 129, 17}, {257, 33, 40}};
        for (int[] s : sizes) {
            double[][] c = both(r, s[0], s[1], s[2], 0.1);
            assertArrayEquals(c[1], c[0], 0.0, s[0] + "x" + s[1] + "x" + s[2]);
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
    }
}
