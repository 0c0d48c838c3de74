package zerotoml.scratch.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import zerotoml.scratch.cnn.ConvolutionArithmetic;

/**
 * {@link Pool}'s and {@link MaxPool}'s kernels against their naive twins (the im2col table walked tap by tap), bit for
 * bit, in float and double: 1-, 2- and 3-d windows with every stride, padding, dilation and ceil
 * mode, planes 0, 1 and odd, input sizes 1 and odd, windows that hang over the input's edge, and
 * geometries above the parallel threshold. Max pooling's inputs are full of ties, ±0, −∞ and NaN,
 * where the scan order decides the argmax. Adaptive average pooling against the op's old loop over
 * a table of every cell's offsets, on cells that tile, overlap and repeat.
 */
class PoolTest {

    /** A seeded list of geometries: small random ones of every kind, and the large fixed ones. */
    static List<Pool.Window> windows(boolean dilated) {
        SplittableRandom r = new SplittableRandom(dilated ? 31 : 32);
        List<Pool.Window> out = new ArrayList<>();
        while (out.size() < 300) {
            int dims = 1 + r.nextInt(3);
            int[] in = new int[dims], k = new int[dims], s = new int[dims], p = new int[dims], d = new int[dims], o = new int[dims];
            boolean ceil = r.nextBoolean(), ok = true;
            for (int j = 0; j < dims; j++) {
                in[j] = 1 + r.nextInt(dims == 3 ? 6 : 11);
                k[j] = 1 + r.nextInt(4);
                s[j] = 1 + r.nextInt(3);
                p[j] = r.nextInt(k[j] / 2 + 1);
                d[j] = dilated ? 1 + r.nextInt(3) : 1;
                o[j] = ConvolutionArithmetic.poolOutputSize(in[j], k[j], s[j], p[j], d[j], ceil);
                ok &= o[j] >= 1;
            }
            if (ok) out.add(Pool.Window.of(r.nextInt(4), in, o, k, s, p, d));
        }
        out.add(Pool.Window.of(0, new int[] {4, 4}, new int[] {2, 2}, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}));
        // above Parallel.THRESHOLD: 64 planes × 30² outputs × 9 taps, and an odd plane count with ceil-mode edges
        out.add(Pool.Window.of(64, new int[] {32, 32}, new int[] {30, 30}, new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}));
        out.add(Pool.Window.of(37, new int[] {33, 31}, new int[] {17, 16}, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}));
        out.add(Pool.Window.of(5, new int[] {9, 17, 19}, new int[] {5, 9, 10}, new int[] {3, 3, 3}, new int[] {2, 2, 2}, new int[] {1, 1, 1},
                dilated ? new int[] {1, 2, 1} : new int[] {1, 1, 1}));
        return out;
    }

    @Test
    void theMaxPoolArgmaxEqualsItsOracleOnEveryGeometryInFloatAndDouble() {
        SplittableRandom r = new SplittableRandom(33);
        for (Pool.Window w : windows(true)) {
            int n = w.planes() * w.inSize(), outs = w.planes() * w.outSize();
            double[] x = tied(r, n);
            float[] xf = new float[n];
            for (int i = 0; i < n; i++) xf[i] = (float) x[i];
            int[] fast = new int[outs], slow = new int[outs];
            MaxPool.maxArg(x, w, fast);
            PoolOracles.naiveMaxArg(x, w, slow);
            assertArrayEquals(slow, fast, "double " + w);
            MaxPool.maxArg(xf, w, fast);
            PoolOracles.naiveMaxArg(xf, w, slow);
            assertArrayEquals(slow, fast, "float " + w);
        }
    }

    @Test
    void theFusedMaximumGivesTheOraclesArgmaxAndTheValueThereBitForBit() {
        SplittableRandom r = new SplittableRandom(34);
        List<Pool.Window> all = new ArrayList<>(windows(true));
        // 2 × 2 windows (the unrolled in-bounds path): stride 2 on even and odd sizes, padded, overlapping, dilated, and as a 3-d window's last axes
        all.add(Pool.Window.of(3, new int[] {8, 8}, new int[] {4, 4}, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}));
        all.add(Pool.Window.of(2, new int[] {7, 9}, new int[] {4, 5}, new int[] {2, 2}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}));
        all.add(Pool.Window.of(1, new int[] {6, 5}, new int[] {5, 4}, new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}));
        all.add(Pool.Window.of(2, new int[] {9, 9}, new int[] {4, 4}, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, new int[] {2, 2}));
        all.add(Pool.Window.of(2, new int[] {3, 6, 6}, new int[] {3, 3, 3}, new int[] {1, 2, 2}, new int[] {1, 2, 2}, new int[] {0, 0, 0}, new int[] {1, 1, 1}));
        for (Pool.Window w : all) {
            int n = w.planes() * w.inSize(), outs = w.planes() * w.outSize();
            double[] x = tied(r, n);
            float[] xf = new float[n], y = new float[outs];
            for (int i = 0; i < n; i++) xf[i] = (float) x[i];
            int[] arg = new int[outs], slow = new int[outs];
            MaxPool.max(xf, w, arg, y);
            PoolOracles.naiveMaxArg(xf, w, slow);
            assertArrayEquals(slow, arg, "argmax " + w);
            // the double argmax on the same windows (its 2 × 2 interior windows without branches too)
            int[] argD = new int[outs], slowD = new int[outs];
            MaxPool.maxArg(x, w, argD);
            PoolOracles.naiveMaxArg(x, w, slowD);
            assertArrayEquals(slowD, argD, "double argmax " + w);
            for (int i = 0; i < outs; i++) {
                float expected = slow[i] < 0 ? Float.NEGATIVE_INFINITY : xf[slow[i]];
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(y[i]), "maximum " + i + " of " + w);
            }
        }
    }

    @Test
    void theVectorTwoByTwoBlocksGiveTheScalarPathsArgmaxAndMaximumWithAndWithoutNaNs() {
        assertTrue(Backend.VECTOR, "surefire runs with --add-modules jdk.incubator.vector");
        int lanes = VectorPool.L;
        List<Pool.Window> all = new ArrayList<>();
        // rows of two blocks and a tail; padded (border windows around the blocks); rows overlapping (stride 1 down);
        // rows dilated; a 3-d window's last axes; and, above the parallel threshold, the benchmark's halving
        all.add(halving(3, new int[] {6, 4 * lanes + 6}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}));
        all.add(halving(2, new int[] {7, 4 * lanes + 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}));
        all.add(halving(2, new int[] {5, 2 * lanes + 1}, new int[] {1, 2}, new int[] {0, 0}, new int[] {1, 1}));
        all.add(halving(2, new int[] {6, 2 * lanes}, new int[] {2, 2}, new int[] {0, 0}, new int[] {2, 1}));
        all.add(halving(2, new int[] {3, 4, 2 * lanes + 2}, new int[] {1, 2, 2}, new int[] {0, 0, 1}, new int[] {1, 1, 1}));
        all.add(halving(64, new int[] {32, 32}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}));
        SplittableRandom r = new SplittableRandom(35);
        for (Pool.Window w : all) {
            int n = w.planes() * w.inSize(), outs = w.planes() * w.outSize();
            // tied: a NaN in most blocks (the scalar fallback); rare: a NaN in a few, so most blocks take the vector path
            for (int nanEvery : new int[] {30, 3000}) {
                float[] x = new float[n];
                double[] t = tied(r, n);
                for (int i = 0; i < n; i++) x[i] = Double.isNaN(t[i]) && r.nextInt(nanEvery / 30) != 0 ? (float) r.nextGaussian() : (float) t[i];
                int[] arg = new int[outs], scalarArg = new int[outs], slow = new int[outs];
                float[] y = new float[outs], scalarY = new float[outs];
                MaxPool.max(x, w, arg, y, true);
                MaxPool.max(x, w, scalarArg, scalarY, false);
                PoolOracles.naiveMaxArg(x, w, slow);
                String what = w + ", a NaN in about " + nanEvery;
                assertArrayEquals(slow, scalarArg, "scalar argmax " + what);
                assertArrayEquals(slow, arg, "vector argmax " + what);
                for (int i = 0; i < outs; i++) {
                    assertEquals(Float.floatToRawIntBits(x[slow[i]]), Float.floatToRawIntBits(y[i]), "vector maximum " + i + " of " + what);
                    assertEquals(Float.floatToRawIntBits(x[slow[i]]), Float.floatToRawIntBits(scalarY[i]), "scalar maximum " + i + " of " + what);
                }
            }
        }
    }

    @Test
    void wideRowsTheVectorBlocksMustNotTakeGiveTheOraclesArgmax() {
        // each breaks one condition of the blocks: stride 1 along the row, a 2 × 3 window, a 2 × 2 × 2 window, taps
        // dilated along the row; and an eligible window through maxArg, which asks for no maximum
        List<Pool.Window> all = new ArrayList<>();
        all.add(Pool.Window.of(2, new int[] {4, 70}, new int[] {3, 69}, new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}));
        all.add(Pool.Window.of(2, new int[] {4, 70}, new int[] {2, 34}, new int[] {2, 3}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}));
        all.add(Pool.Window.of(2, new int[] {4, 4, 70}, new int[] {2, 2, 35}, new int[] {2, 2, 2}, new int[] {2, 2, 2}, new int[] {0, 0, 0}, new int[] {1, 1, 1}));
        all.add(Pool.Window.of(2, new int[] {4, 70}, new int[] {2, 34}, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 2}));
        SplittableRandom r = new SplittableRandom(36);
        for (Pool.Window w : all) {
            double[] xd = tied(r, w.planes() * w.inSize());
            float[] x = floats(xd);
            int outs = w.planes() * w.outSize();
            int[] arg = new int[outs], slow = new int[outs];
            MaxPool.max(x, w, arg, new float[outs], true);
            PoolOracles.naiveMaxArg(x, w, slow);
            assertArrayEquals(slow, arg, "vector on, not eligible: " + w);
            // and in double, whose 2 × 2 shortcut must not take these windows either
            MaxPool.maxArg(xd, w, arg);
            PoolOracles.naiveMaxArg(xd, w, slow);
            assertArrayEquals(slow, arg, "double, " + w);
        }
        Pool.Window eligible = halving(3, new int[] {4, 70}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1});
        float[] x = floats(tied(r, eligible.planes() * eligible.inSize()));
        int[] arg = new int[eligible.planes() * eligible.outSize()], slow = arg.clone();
        MaxPool.max(x, eligible, arg, null, true);
        PoolOracles.naiveMaxArg(x, eligible, slow);
        assertArrayEquals(slow, arg, "vector on, no maximum asked: " + eligible);
    }

    @Test
    void everyTwoByTwoWindowOverSixValuesGivesTheOraclesArgmaxInFloatAndDouble() {
        // 6⁴ windows of −1, −0, +0, 1, −∞, NaN: every tie, signed zero and NaN order. In float one plane of 2 rows holds
        // them side by side (the vector blocks, and the scalar path for blocks with a NaN); in double, one plane each
        double[] values = {-1, -0.0, 0.0, 1, Double.NEGATIVE_INFINITY, Double.NaN};
        int windows = 6 * 6 * 6 * 6;
        double[] row = new double[4 * windows];
        for (int i = 0; i < windows; i++) {
            // taps (0,0), (0,1) in the first row, (1,0), (1,1) in the second
            row[2 * i] = values[i % 6];
            row[2 * i + 1] = values[i / 6 % 6];
            row[2 * windows + 2 * i] = values[i / 36 % 6];
            row[2 * windows + 2 * i + 1] = values[i / 216];
        }
        Pool.Window wide = Pool.Window.of(1, new int[] {2, 2 * windows}, new int[] {1, windows}, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1});
        float[] xf = floats(row);
        for (boolean vector : new boolean[] {true, false}) {
            int[] arg = new int[windows], slow = new int[windows];
            float[] y = new float[windows];
            MaxPool.max(xf, wide, arg, y, vector);
            PoolOracles.naiveMaxArg(xf, wide, slow);
            assertArrayEquals(slow, arg, "float, vector " + vector);
            for (int i = 0; i < windows; i++) assertEquals(Float.floatToRawIntBits(xf[slow[i]]), Float.floatToRawIntBits(y[i]), "float maximum of window " + i);
        }
        double[] planes = new double[4 * windows];
        for (int i = 0; i < windows; i++) {
            planes[4 * i] = row[2 * i];
            planes[4 * i + 1] = row[2 * i + 1];
            planes[4 * i + 2] = row[2 * windows + 2 * i];
            planes[4 * i + 3] = row[2 * windows + 2 * i + 1];
        }
        Pool.Window each = Pool.Window.of(windows, new int[] {2, 2}, new int[] {1, 1}, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1});
        int[] arg = new int[windows], slow = new int[windows];
        MaxPool.maxArg(planes, each, arg);
        PoolOracles.naiveMaxArg(planes, each, slow);
        assertArrayEquals(slow, arg, "double");
    }

    private static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    /** A 2 × 2 window (1 × 2 × 2 in 3-d) striding 2 along the row, the other axes as given, its output size computed. */
    private static Pool.Window halving(int planes, int[] in, int[] stride, int[] pad, int[] dilation) {
        int dims = in.length;
        int[] k = new int[dims], s = stride.clone(), out = new int[dims];
        for (int j = 0; j < dims; j++) {
            k[j] = dims == 3 && j == 0 ? 1 : 2;
            out[j] = ConvolutionArithmetic.poolOutputSize(in[j], k[j], s[j], pad[j], dilation[j], false);
        }
        assertEquals(2, s[dims - 1], "the vector blocks need stride 2 along the row");
        return Pool.Window.of(planes, in, out, k, s, pad, dilation);
    }

    @Test
    void theAveragePoolAndItsGradientEqualTheirOraclesBitForBit() {
        SplittableRandom r = new SplittableRandom(34);
        for (Pool.Window w : windows(false)) {
            for (boolean includePad : new boolean[] {false, true}) {
                int n = w.planes() * w.inSize(), outs = w.planes() * w.outSize();
                double[] x = spread(r, n), g = spread(r, outs);
                float[] xf = new float[n];
                for (int i = 0; i < n; i++) xf[i] = (float) x[i];
                String what = w + " countIncludePad " + includePad;
                double[] fast = new double[outs], slow = new double[outs];
                Pool.avg(x, w, includePad, fast);
                PoolOracles.naiveAvg(x, w, includePad, slow);
                assertSame(slow, fast, "double avg " + what);
                Pool.avg(xf, w, includePad, fast);
                PoolOracles.naiveAvg(xf, w, includePad, slow);
                assertSame(slow, fast, "float avg " + what);
                double[] gFast = new double[n], gSlow = new double[n];
                Pool.avgBackward(g, w, includePad, gFast);
                PoolOracles.naiveAvgBackward(g, w, includePad, gSlow);
                assertSame(gSlow, gFast, "avg backward " + what);
            }
        }
    }

    /**
     * Adaptive geometries: seeded small ones of 1 to 3 axes whose output sizes divide the input,
     * do not, exceed it (cells repeat) or are 1, with inputs of size 1 (and one of size 0); planes
     * 0, 1, odd and past a group of four; and fixed ones above the parallel threshold.
     */
    static List<AdaptivePool.Cells> adaptiveCells() {
        SplittableRandom r = new SplittableRandom(35);
        List<AdaptivePool.Cells> out = new ArrayList<>();
        while (out.size() < 300) {
            int dims = 1 + r.nextInt(3);
            int[] in = new int[dims], o = new int[dims];
            for (int j = 0; j < dims; j++) {
                in[j] = 1 + r.nextInt(dims == 3 ? 7 : 13);
                switch (r.nextInt(4)) {
                    case 0 -> o[j] = divisorOf(r, in[j]); // cells that tile the axis
                    case 1 -> o[j] = 1 + r.nextInt(in[j]); // cells that overlap where o does not divide i
                    case 2 -> o[j] = in[j] + 1 + r.nextInt(2 * in[j] + 1); // more cells than inputs: they repeat
                    default -> o[j] = 1;
                }
            }
            out.add(AdaptivePool.Cells.of(r.nextInt(10), in, o)); // 0 to 9 planes: the kernel's groups of four and the rest
        }
        out.add(AdaptivePool.Cells.of(2, new int[] {5}, new int[] {3}));
        out.add(AdaptivePool.Cells.of(1, new int[] {1, 1, 1}, new int[] {1, 1, 1}));
        out.add(AdaptivePool.Cells.of(3, new int[] {0, 4}, new int[] {2, 2})); // no element: 0 / 0
        // above Parallel.THRESHOLD: 2-d cells that overlap, a global pool of an odd plane count, and 3-d
        out.add(AdaptivePool.Cells.of(300, new int[] {33, 31}, new int[] {5, 7}));
        out.add(AdaptivePool.Cells.of(257, new int[] {1024}, new int[] {1}));
        out.add(AdaptivePool.Cells.of(37, new int[] {9, 17, 19}, new int[] {4, 5, 6}));
        out.add(AdaptivePool.Cells.of(64, new int[] {7, 9}, new int[] {20, 30}));
        return out;
    }

    private static int divisorOf(SplittableRandom r, int n) {
        while (true) {
            int d = 1 + r.nextInt(n);
            if (n % d == 0) return d;
        }
    }

    @Test
    void theAdaptiveAverageAndItsGradientEqualTheOldTableLoopBitForBit() {
        SplittableRandom r = new SplittableRandom(36);
        for (AdaptivePool.Cells c : adaptiveCells()) {
            int n = c.planes() * c.inSize(), outs = c.planes() * c.outSize();
            int[] in = c.in(), out = c.out();
            double[] x = spread(r, n), g = spread(r, outs);
            float[] xf = new float[n], gf = new float[outs];
            for (int i = 0; i < n; i++) xf[i] = (float) x[i];
            for (int i = 0; i < outs; i++) gf[i] = (float) g[i];
            double[] fast = new double[outs], slow = new double[outs];
            AdaptivePool.adaptiveAvg(x, c, fast);
            PoolOracles.naiveAdaptiveAvg(x, c.planes(), in, out, slow);
            RawBits.assertSameBits(slow, fast, "double adaptive avg " + c);
            AdaptivePool.adaptiveAvg(xf, c, fast);
            PoolOracles.naiveAdaptiveAvg(xf, c.planes(), in, out, slow);
            RawBits.assertSameBits(slow, fast, "float adaptive avg " + c);
            double[] gFast = new double[n], gSlow = new double[n];
            AdaptivePool.adaptiveAvgBackward(g, c, gFast);
            PoolOracles.naiveAdaptiveAvgBackward(g, c.planes(), in, out, gSlow);
            RawBits.assertSameBits(gSlow, gFast, "double adaptive avg backward " + c);
            gFast = new double[n];
            gSlow = new double[n];
            AdaptivePool.adaptiveAvgBackward(gf, c, gFast);
            PoolOracles.naiveAdaptiveAvgBackward(gf, c.planes(), in, out, gSlow);
            RawBits.assertSameBits(gSlow, gFast, "float adaptive avg backward " + c);
        }
    }

    @Test
    void theAdaptiveCellsOverlapWhereTheSizesDoNotDivideAndRepeatWhenTheOutputIsLonger() {
        // 5 → 3: cells [0, 2), [1, 4), [3, 5)
        AdaptivePool.Cells c = AdaptivePool.Cells.of(1, new int[] {5}, new int[] {3});
        double[] y = new double[3], gx = new double[5];
        AdaptivePool.adaptiveAvg(new float[] {1, 2, 3, 4, 5}, c, y);
        assertArrayEquals(new double[] {1.5, 3, 4.5}, y);
        AdaptivePool.adaptiveAvgBackward(new double[] {2, 3, 6}, c, gx);
        assertArrayEquals(new double[] {1, 2, 1, 4, 3}, gx, "shares 2/2, 3/3 and 6/2, twice where cells overlap");
        // 2 → 5: cells [0, 1), [0, 1), [0, 2), [1, 2), [1, 2)
        AdaptivePool.Cells longer = AdaptivePool.Cells.of(1, new int[] {2}, new int[] {5});
        y = new double[5];
        AdaptivePool.adaptiveAvg(new double[] {2, 4}, longer, y);
        assertArrayEquals(new double[] {2, 2, 3, 4, 4}, y);
        gx = new double[2];
        AdaptivePool.adaptiveAvgBackward(new float[] {1, 1, 1, 1, 1}, longer, gx);
        assertArrayEquals(new double[] {2.5, 2.5}, gx);
        var e = assertThrows(IllegalArgumentException.class, () -> AdaptivePool.adaptiveAvg(new double[9], AdaptivePool.Cells.of(2, new int[] {5}, new int[] {3}), new double[6]));
        assertTrue(e.getMessage().contains("needs an input of 10 and an output of 6"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdaptivePool.Cells.of(1, new int[] {4}, new int[] {0}));
        assertTrue(e.getMessage().contains("output sizes at least 1"), e.getMessage());
    }

    @Test
    void theMaximumKeepsTheFirstOfTiesTheLastNaNAndTheFirstOfAnAllMinusInfinityWindow() {
        Pool.Window w = Pool.Window.of(1, new int[] {6}, new int[] {3}, new int[] {2}, new int[] {2}, new int[] {0}, new int[] {1});
        int[] arg = new int[3];
        double inf = Double.POSITIVE_INFINITY, nan = Double.NaN;
        MaxPool.maxArg(new double[] {2, 2, nan, nan, -inf, -inf}, w, arg);
        assertArrayEquals(new int[] {0, 3, 4}, arg, "ties: the first; NaNs: the last; all −∞: the first element");
        MaxPool.maxArg(new float[] {-0f, 0f, nan(), 5, (float) inf, nan()}, w, arg);
        assertArrayEquals(new int[] {0, 2, 5}, arg, "−0 then +0: the first; a NaN beats a later 5; a NaN beats an earlier +∞");
        // kernel 2 with dilation 3 over 2 elements with padding 1: the one window's taps at −1 and 2 miss the input
        Pool.Window empty = Pool.Window.of(1, new int[] {2}, new int[] {1}, new int[] {2}, new int[] {1}, new int[] {1}, new int[] {3});
        int[] one = new int[1];
        MaxPool.maxArg(new double[] {7, 8}, empty, one);
        assertEquals(-1, one[0], "a window with no element inside the input");
    }

    private static float nan() {
        return Float.NaN;
    }

    @Test
    void theAverageDividesByTheClippedWindowOrThePaddedOne() {
        // 1-d, in 3, kernel 3, stride 1, padding 1: windows [-1, 2), [0, 3), [1, 4)
        Pool.Window w = Pool.Window.of(1, new int[] {3}, new int[] {3}, new int[] {3}, new int[] {1}, new int[] {1}, new int[] {1});
        double[] y = new double[3];
        Pool.avg(new double[] {3, 6, 9}, w, false, y);
        assertArrayEquals(new double[] {4.5, 6, 7.5}, y);
        Pool.avg(new double[] {3, 6, 9}, w, true, y);
        assertArrayEquals(new double[] {3, 6, 5}, y);
        double[] gx = new double[3];
        Pool.avgBackward(new double[] {6, 6, 6}, w, true, gx);
        assertArrayEquals(new double[] {4, 6, 4}, gx, "each input gets 6/3 from each window holding it");
    }

    @Test
    void badGeometriesAreRejectedWithTheirSizes() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Pool.Window.of(1, new int[] {2, 2, 2, 2}, new int[] {1, 1, 1, 1}, new int[] {2, 2, 2, 2}, new int[] {2, 2, 2, 2}, new int[4], new int[] {1, 1, 1, 1}));
        assertTrue(e.getMessage().contains("1 to 3 spatial axes"), e.getMessage());
        Pool.Window w = Pool.Window.of(2, new int[] {4}, new int[] {2}, new int[] {2}, new int[] {2}, new int[] {0}, new int[] {1});
        e = assertThrows(IllegalArgumentException.class, () -> MaxPool.maxArg(new double[7], w, new int[4]));
        assertTrue(e.getMessage().contains("need an input of 8 and an output of 4"), e.getMessage());
        Pool.Window dilated = Pool.Window.of(1, new int[] {4}, new int[] {1}, new int[] {2}, new int[] {2}, new int[] {0}, new int[] {2});
        e = assertThrows(IllegalArgumentException.class, () -> Pool.avg(new double[4], dilated, true, new double[1]));
        assertTrue(e.getMessage().contains("no dilation"), e.getMessage());
    }

    /** Many ties (a few small integers), ±0, −∞ and NaN. */
    static double[] tied(SplittableRandom r, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(30);
            out[i] = c == 0 ? Double.NaN : c == 1 ? -0.0 : c == 2 ? 0.0 : c == 3 ? Double.NEGATIVE_INFINITY : c < 18 ? r.nextInt(4) : r.nextGaussian();
        }
        return out;
    }

    /** Values of many magnitudes, where the order of addition shows in the bits. */
    static double[] spread(SplittableRandom r, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = r.nextGaussian() * Math.pow(10, r.nextInt(13) - 6);
        return out;
    }

    static void assertSame(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToLongBits(expected[i]) != Double.doubleToLongBits(actual[i])) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", its oracle " + expected[i]);
            }
        }
    }
}
