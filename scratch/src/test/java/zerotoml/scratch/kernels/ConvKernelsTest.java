package zerotoml.scratch.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The im2col kernels against their naive twins, over random geometries, negative (cropping) padding
 * included: in double to 1e-12, and in float within the bound of two float sums of the same N terms
 * summed in different orders, 2·(N + 1)·2⁻²⁴·Σ|terms| per entry (N the terms of the longest sum).
 */
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

    /** A random geometry: 1 to 3 spatial axes, up to 3 groups, padding from −2 (a crop) to 2. */
    static ConvKernels.Geometry randomGeometry(SplittableRandom r) {
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
        return new ConvKernels.Geometry(batch, cIn, cOut, groups, in, k, out, s, lo, d);
    }

    @Test
    void fastKernelsMatchTheNaiveLoopsOnRandomGeometries() {
        SplittableRandom r = new SplittableRandom(20261128);
        for (int trial = 0; trial < 300; trial++) {
            ConvKernels.Geometry g = randomGeometry(r);
            double[] x = random(r, g.batch() * g.cIn() * g.inSize()), w = random(r, g.cOut() * g.cInG() * g.kernelSize());
            double[] gy = random(r, g.batch() * g.cOut() * g.outSize());
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

    @Test
    void floatKernelsMatchTheFloatNaiveLoopsOnRandomGeometriesAndAboveTheParallelThreshold() {
        SplittableRandom r = new SplittableRandom(20261205);
        for (int trial = 0; trial < 300; trial++) {
            ConvKernels.Geometry g = randomGeometry(r);
            checkFloat(r, g);
        }
        // one large image (the product split over threads), and a batch of groups above the threshold
        checkFloat(r, new ConvKernels.Geometry(1, 8, 16, 1, new int[] {40, 40}, new int[] {3, 3}, new int[] {40, 40},
                new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}));
        checkFloat(r, new ConvKernels.Geometry(3, 6, 6, 3, new int[] {33, 35}, new int[] {3, 2}, new int[] {16, 34},
                new int[] {2, 1}, new int[] {0, 0}, new int[] {1, 1}));
    }

    private static void checkFloat(SplittableRandom r, ConvKernels.Geometry g) {
        float[] x = toFloat(random(r, g.batch() * g.cIn() * g.inSize())), w = toFloat(random(r, g.cOut() * g.cInG() * g.kernelSize()));
        float[] gy = toFloat(random(r, g.batch() * g.cOut() * g.outSize()));
        // Σ|terms| per entry, exactly enough in double
        double[] ax = abs(x), aw = abs(w), agy = abs(gy);
        double[] yScale = ConvKernels.naiveForward(ax, aw, g);
        double[][] gScale = ConvKernels.naiveBackward(ax, aw, agy, g);
        float[][] naive = ConvKernels.naiveBackward(x, w, gy, g);
        assertWithin("forward (float)", ConvKernels.naiveForward(x, w, g), ConvKernels.forward(x, w, g), yScale, g.cInG() * g.kernelSize(), g);
        assertWithin("input gradient (float)", naive[0], ConvKernels.backwardInput(gy, w, g), gScale[0], g.cOutG() * g.kernelSize(), g);
        assertWithin("weight gradient (float)", naive[1], ConvKernels.backwardWeight(x, gy, g), gScale[1], g.batch() * g.outSize(), g);
    }

    private static void assertWithin(String what, float[] naive, float[] fast, double[] scale, int terms, ConvKernels.Geometry g) {
        assertEquals(naive.length, fast.length, what + " length");
        double rel = 2 * (terms + 1) * 0x1p-24;
        for (int i = 0; i < naive.length; i++) {
            double err = Math.abs((double) fast[i] - naive[i]);
            if (!(err <= rel * scale[i])) {
                throw new AssertionError(what + " element " + i + " for " + g + ": fast " + fast[i] + ", naive " + naive[i]
                        + " (error " + err + " > " + rel + " · " + scale[i] + ")");
            }
        }
    }

    static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    private static double[] abs(float[] v) {
        double[] a = new double[v.length];
        for (int i = 0; i < v.length; i++) a[i] = Math.abs(v[i]);
        return a;
    }
}
