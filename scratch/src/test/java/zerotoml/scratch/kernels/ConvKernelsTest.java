package zerotoml.scratch.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The im2col kernels against their naive twins, over random geometries, negative (cropping) padding included. */
class ConvKernelsTest {
    static double[] random(SplittableRandom r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = 2 * r.nextDouble() - 1;
        return v;
    }

    static void assertClose(String what, double[] expected, double[] actual, ConvKernels.Geometry g) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-12 * (1 + Math.abs(expected[i])), what + " element " + i + " for " + g);
        }
    }

    @Test
    void fastKernelsMatchTheNaiveLoopsOnRandomGeometries() {
        SplittableRandom r = new SplittableRandom(20261128);
        for (int trial = 0; trial < 300; trial++) {
            int dims = 1 + r.nextInt(3), groups = 1 + r.nextInt(3);
            int cIn = groups * (1 + r.nextInt(2)), cOut = groups * (1 + r.nextInt(2)), batch = 1 + r.nextInt(2);
            int[] in = new int[dims], k = new int[dims], s = new int[dims], lo = new int[dims], d = new int[dims], out = new int[dims];
            for (int j = 0; j < dims; j++) {
                k[j] = 1 + r.nextInt(3);
                s[j] = 1 + r.nextInt(3);
                d[j] = 1 + r.nextInt(3);
                lo[j] = r.nextInt(5) - 2;
                int hi = r.nextInt(5) - 2;
                int kHat = d[j] * (k[j] - 1) + 1;
                in[j] = Math.max(1, kHat - lo[j] - hi) + r.nextInt(4);
                out[j] = Math.floorDiv(in[j] + lo[j] + hi - kHat, s[j]) + 1;
            }
            ConvKernels.Geometry g = new ConvKernels.Geometry(batch, cIn, cOut, groups, in, k, out, s, lo, d);
            double[] x = random(r, batch * cIn * g.inSize()), w = random(r, cOut * g.cInG() * g.kernelSize()), gy = random(r, batch * cOut * g.outSize());
            assertClose("forward", ConvKernels.naiveForward(x, w, g), ConvKernels.forward(x, w, g), g);
            double[][] naive = ConvKernels.naiveBackward(x, w, gy, g);
            assertClose("input gradient", naive[0], ConvKernels.backwardInput(gy, w, g), g);
            assertClose("weight gradient", naive[1], ConvKernels.backwardWeight(x, gy, g), g);
        }
    }

    @Test
    void oneLargeImageSplitsTheProductAcrossThreadsAndStillMatchesTheNaiveLoops() {
        SplittableRandom r = new SplittableRandom(7);
        ConvKernels.Geometry g = new ConvKernels.Geometry(1, 8, 16, 1, new int[] {40, 40}, new int[] {3, 3}, new int[] {40, 40},
                new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1});
        double[] x = random(r, 8 * 1600), w = random(r, 16 * 8 * 9), gy = random(r, 16 * 1600);
        assertClose("forward", ConvKernels.naiveForward(x, w, g), ConvKernels.forward(x, w, g), g);
        double[][] naive = ConvKernels.naiveBackward(x, w, gy, g);
        assertClose("input gradient", naive[0], ConvKernels.backwardInput(gy, w, g), g);
        assertClose("weight gradient", naive[1], ConvKernels.backwardWeight(x, gy, g), g);
    }
}
