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
        int groups = 1 + r.nextInt(3);
        return randomGeometry(r, groups, groups * (1 + r.nextInt(2)), groups * (1 + r.nextInt(2)));
    }

    /** A random depthwise geometry: 1 to 4 channels, one group each. */
    static ConvKernels.Geometry randomDepthwise(SplittableRandom r) {
        int c = 1 + r.nextInt(4);
        return randomGeometry(r, c, c, c);
    }

    static ConvKernels.Geometry randomGeometry(SplittableRandom r, int groups, int cIn, int cOut) {
        int dims = 1 + r.nextInt(3), batch = 1 + r.nextInt(2);
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
            assertClose("forward", ConvOracles.naiveForward(x, w, g), ConvKernels.forward(x, w, g), g);
            double[][] naive = ConvOracles.naiveBackward(x, w, gy, g);
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
        assertClose("forward", ConvOracles.naiveForward(x, w, g), ConvKernels.forward(x, w, g), g);
        double[][] naive = ConvOracles.naiveBackward(x, w, gy, g);
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

    /**
     * The float kernels (im2col and col2im by runs, one buffer per task, the direct depthwise loops)
     * give exactly the bits of the table path they replaced, which runs every product through
     * {@link Matmul#fast} (NaNs compared as NaN, not by payload): random geometries, depthwise
     * ones, inputs with ±0, ±∞, NaN and products that underflow, and edge sizes.
     */
    @Test
    void floatKernelsGiveTheBitsOfTheTablePathOnRandomDepthwiseAndEdgeGeometries() {
        SplittableRandom r = new SplittableRandom(20261206);
        for (int trial = 0; trial < 400; trial++) {
            ConvKernels.Geometry g = trial % 2 == 0 ? randomGeometry(r) : randomDepthwise(r);
            assertSameBitsAsTable(r, g, trial % 4 >= 2);
        }
        int[] one = {1, 1}, zero = {0, 0};
        // the benchmark's depthwise case (above the parallel threshold; 1024 outputs, four blocks of the ∂w chain)
        assertSameBitsAsTable(r, new ConvKernels.Geometry(2, 32, 32, 32, new int[] {32, 32}, new int[] {3, 3}, new int[] {32, 32}, one, one, one), false);
        // 16 × 16 = 256 outputs: one block exactly; 17 × 17 = 289 taps: more than a block, so the im2col path
        assertSameBitsAsTable(r, new ConvKernels.Geometry(2, 3, 3, 3, new int[] {16, 16}, new int[] {3, 3}, new int[] {16, 16}, one, one, one), true);
        assertSameBitsAsTable(r, new ConvKernels.Geometry(1, 2, 2, 2, new int[] {20, 20}, new int[] {17, 17}, new int[] {4, 4}, one, zero, one), false);
        // one pixel, a one-tap kernel, a crop, stride and dilation on a 1-d and a 3-d depthwise convolution
        assertSameBitsAsTable(r, new ConvKernels.Geometry(1, 1, 1, 1, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, one, zero, one), true);
        assertSameBitsAsTable(r, new ConvKernels.Geometry(2, 3, 3, 3, new int[] {29}, new int[] {3}, new int[] {6},
                new int[] {3}, new int[] {-1}, new int[] {2}), true);
        assertSameBitsAsTable(r, new ConvKernels.Geometry(2, 2, 2, 2, new int[] {5, 6, 7}, new int[] {2, 3, 2}, new int[] {3, 5, 4},
                new int[] {2, 1, 2}, new int[] {1, 1, 1}, new int[] {1, 1, 2}), true);
        // depthwise ∂w with the batch across vector lanes: a batch of 8 (one run of lanes), of 11 (a full run and a short one,
        // whose lanes past the batch hold the previous channel's values), of 17; taps in groups of 8, 4 and 1 (12, 7, 13, 5 taps)
        assertSameBitsAsTable(r, new ConvKernels.Geometry(8, 5, 5, 5, new int[] {9, 11}, new int[] {3, 3}, new int[] {9, 11}, one, one, one), true);
        assertSameBitsAsTable(r, new ConvKernels.Geometry(11, 3, 3, 3, new int[] {7, 8}, new int[] {3, 4}, new int[] {5, 5}, one, zero, one), true);
        assertSameBitsAsTable(r, new ConvKernels.Geometry(17, 2, 2, 2, new int[] {13}, new int[] {7}, new int[] {5},
                new int[] {2}, new int[] {1}, new int[] {1}), false);
        assertSameBitsAsTable(r, new ConvKernels.Geometry(9, 3, 3, 3, new int[] {6, 30}, new int[] {1, 13}, new int[] {6, 9},
                new int[] {1, 3}, new int[] {0, 2}, new int[] {1, 1}), true);
        assertSameBitsAsTable(r, new ConvKernels.Geometry(12, 2, 2, 2, new int[] {3, 4, 5}, new int[] {1, 1, 5}, new int[] {3, 4, 3},
                new int[] {1, 1, 1}, new int[] {0, 0, 1}, new int[] {1, 1, 1}), false);
        // ... above the parallel threshold, the batch a multiple of the lanes, a crop
        assertSameBitsAsTable(r, new ConvKernels.Geometry(16, 24, 24, 24, new int[] {20, 20}, new int[] {3, 3}, new int[] {16, 16},
                one, new int[] {-1, -1}, one), false);
        // forward and ∂w read the columns from the padded input: more taps than a block (288 > 256, two blocks of the forward
        // chain), more output channels than a tile is wide (40), outputs not a multiple of six rows, groups, a crop, 1-d and 3-d
        assertSameBitsAsTable(r, new ConvKernels.Geometry(2, 32, 40, 1, new int[] {9, 10}, new int[] {3, 3}, new int[] {9, 10}, one, one, one), true);
        assertSameBitsAsTable(r, new ConvKernels.Geometry(3, 12, 70, 2, new int[] {11, 7}, new int[] {2, 3}, new int[] {5, 5},
                new int[] {2, 1}, new int[] {-1, 0}, new int[] {1, 1}), true);
        assertSameBitsAsTable(r, new ConvKernels.Geometry(2, 3, 5, 1, new int[] {301}, new int[] {3}, new int[] {299}, new int[] {1}, new int[] {0}, new int[] {1}), true);
        assertSameBitsAsTable(r, new ConvKernels.Geometry(2, 4, 6, 2, new int[] {5, 6, 7}, new int[] {2, 3, 2}, new int[] {3, 5, 4},
                new int[] {2, 1, 2}, new int[] {1, 1, 1}, new int[] {1, 1, 2}), false);
        // ∂x without columns: rows wider than two vectors with a tail, seven input channels (a tile of six and one), stride
        // and dilation across rows, with and without infinite weights (the masked lanes); 260 output channels take the product
        assertSameBitsAsTable(r, new ConvKernels.Geometry(2, 7, 9, 1, new int[] {3, 70}, new int[] {2, 3}, new int[] {2, 68}, one, zero, one), true);
        assertSameBitsAsTable(r, new ConvKernels.Geometry(2, 7, 9, 1, new int[] {3, 70}, new int[] {2, 3}, new int[] {2, 68}, one, zero, one), false);
        assertSameBitsAsTable(r, new ConvKernels.Geometry(2, 8, 6, 2, new int[] {5, 45}, new int[] {3, 3}, new int[] {3, 45},
                new int[] {2, 1}, new int[] {1, 2}, new int[] {1, 2}), true);
        // ... with a stride along the row (its phases): 2 with dilation 2, 3 with a crop at the end
        assertSameBitsAsTable(r, new ConvKernels.Geometry(2, 7, 9, 1, new int[] {5, 71}, new int[] {2, 3}, new int[] {4, 35},
                new int[] {1, 2}, new int[] {0, 1}, new int[] {1, 2}), true);
        assertSameBitsAsTable(r, new ConvKernels.Geometry(2, 7, 9, 1, new int[] {5, 71}, new int[] {2, 3}, new int[] {4, 35},
                new int[] {1, 2}, new int[] {0, 1}, new int[] {1, 2}), false);
        assertSameBitsAsTable(r, new ConvKernels.Geometry(1, 6, 4, 2, new int[] {4, 50}, new int[] {1, 4}, new int[] {4, 16},
                new int[] {1, 3}, new int[] {0, 2}, one), true);
        assertSameBitsAsTable(r, new ConvKernels.Geometry(1, 2, 260, 1, new int[] {4, 5}, new int[] {2, 2}, new int[] {3, 4}, one, zero, one), true);
        // finite weights, infinite, NaN and signed-zero inputs and gradients: random geometries, depthwise ones (the depthwise ∂x
        // pixel by pixel), a depthwise row of 70 pixels (four vectors at a time and a tail), a dilated crop
        for (int trial = 0; trial < 60; trial++) assertSameBitsAsTable(r, trial % 2 == 0 ? randomGeometry(r) : randomDepthwise(r), true, false);
        assertSameBitsAsTable(r, new ConvKernels.Geometry(3, 4, 4, 4, new int[] {6, 70}, new int[] {3, 3}, new int[] {6, 70}, one, one, one), true, false);
        assertSameBitsAsTable(r, new ConvKernels.Geometry(2, 3, 3, 3, new int[] {9, 40}, new int[] {3, 5}, new int[] {4, 32},
                new int[] {2, 1}, new int[] {0, -1}, new int[] {2, 2}), true, false);
        // the benchmark's plain, strided and dilated cases on one image
        for (int[] sd : new int[][] {{1, 1, 1}, {2, 1, 1}, {1, 2, 2}}) {
            int s = sd[0], p = sd[1], d = sd[2], out = (32 + 2 * p - d * 2 - 1) / s + 1;
            assertSameBitsAsTable(r, new ConvKernels.Geometry(1, 16, 32, 1, new int[] {32, 32}, new int[] {3, 3}, new int[] {out, out},
                    new int[] {s, s}, new int[] {p, p}, new int[] {d, d}), false);
        }
    }

    private static void assertSameBitsAsTable(SplittableRandom r, ConvKernels.Geometry g, boolean special) {
        assertSameBitsAsTable(r, g, special, special);
    }

    /** With {@code specialW} false the weights are finite while x and g may hold ±0, ±∞ and NaN (the kernels that skip masks then). */
    private static void assertSameBitsAsTable(SplittableRandom r, ConvKernels.Geometry g, boolean special, boolean specialW) {
        float[] x = values(r, g.batch() * g.cIn() * g.inSize(), special), w = values(r, g.cOut() * g.cInG() * g.kernelSize(), specialW);
        float[] gy = values(r, g.batch() * g.cOut() * g.outSize(), special);
        assertSameBits("forward", ConvOracles.tableForward(x, w, g), ConvKernels.forward(x, w, g), g);
        assertSameBits("input gradient", ConvOracles.tableBackwardInput(gy, w, g), ConvKernels.backwardInput(gy, w, g), g);
        assertSameBits("weight gradient", ConvOracles.tableBackwardWeight(x, gy, g), ConvKernels.backwardWeight(x, gy, g), g);
    }

    /** Uniform values in [−1, 1); with {@code special}, a quarter of them ±0, ±∞, NaN or 1e-30 (whose products underflow to ±0). */
    private static float[] values(SplittableRandom r, int n, boolean special) {
        float[] specials = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1e-30f, -1e-30f};
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = special && r.nextInt(4) == 0 ? specials[r.nextInt(specials.length)] : (float) (2 * r.nextDouble() - 1);
        return v;
    }

    private static void assertSameBits(String what, float[] expected, float[] actual, ConvKernels.Geometry g) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                throw new AssertionError(what + " element " + i + " for " + g + ": table path " + expected[i] + ", fast " + actual[i]);
            }
        }
    }

    private static void checkFloat(SplittableRandom r, ConvKernels.Geometry g) {
        float[] x = toFloat(random(r, g.batch() * g.cIn() * g.inSize())), w = toFloat(random(r, g.cOut() * g.cInG() * g.kernelSize()));
        float[] gy = toFloat(random(r, g.batch() * g.cOut() * g.outSize()));
        // Σ|terms| per entry, exactly enough in double
        double[] ax = abs(x), aw = abs(w), agy = abs(gy);
        double[] yScale = ConvOracles.naiveForward(ax, aw, g);
        double[][] gScale = ConvOracles.naiveBackward(ax, aw, agy, g);
        float[][] naive = ConvOracles.naiveBackward(x, w, gy, g);
        assertWithin("forward (float)", ConvOracles.naiveForward(x, w, g), ConvKernels.forward(x, w, g), yScale, g.cInG() * g.kernelSize(), g);
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
