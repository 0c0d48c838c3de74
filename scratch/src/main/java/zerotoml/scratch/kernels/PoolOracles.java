package zerotoml.scratch.kernels;

import zerotoml.scratch.kernels.Pool.Window;

/**
 * The naive twins of {@link Pool}'s max-pooling argmax and average pooling forward and backward:
 * each walks ConvKernels' im2col table of the window in the order the fast loop must keep; and of
 * adaptive average pooling, whose twin is the op's old loop over a table of every input offset of
 * every output cell ({@code PoolTest} holds {@link Pool} to them bit for bit).
 */
public final class PoolOracles {
    private PoolOracles() {}

    /** The oracle of maxArg: the im2col table walked tap by tap, the first in-bounds tap the start, greater or NaN replacing. */
    public static void naiveMaxArg(double[] x, Window w, int[] arg) {
        int[] table = w.table();
        int inSize = w.inSize(), oSize = w.outSize(), kSize = w.kernelSize();
        for (int pl = 0; pl < w.planes(); pl++) {
            for (int o = 0; o < oSize; o++) {
                double best = Double.NEGATIVE_INFINITY;
                int at = -1;
                for (int t = 0; t < kSize; t++) {
                    int off = table[t * oSize + o];
                    if (off < 0) continue;
                    if (at < 0) at = off;
                    double v = x[pl * inSize + off];
                    if (v > best || Double.isNaN(v)) {
                        best = v;
                        at = off;
                    }
                }
                arg[pl * oSize + o] = at < 0 ? -1 : pl * inSize + at;
            }
        }
    }

    /** The oracle of the float maxArg: each value widened (exactly, so every comparison is the same), then the double oracle. */
    public static void naiveMaxArg(float[] x, Window w, int[] arg) {
        double[] wide = new double[x.length];
        for (int i = 0; i < x.length; i++) wide[i] = x[i];
        naiveMaxArg(wide, w, arg);
    }

    /** The oracle of avg: the im2col table walked tap by tap per output. */
    public static void naiveAvg(double[] x, Window w, boolean countIncludePad, double[] y) {
        int[] table = w.table();
        double[] div = naiveDivisors(w, countIncludePad);
        int inSize = w.inSize(), oSize = w.outSize(), kSize = w.kernelSize();
        for (int pl = 0; pl < w.planes(); pl++) {
            for (int o = 0; o < oSize; o++) {
                double sum = 0;
                for (int t = 0; t < kSize; t++) {
                    int off = table[t * oSize + o];
                    if (off >= 0) sum += x[pl * inSize + off];
                }
                y[pl * oSize + o] = sum / div[o];
            }
        }
    }

    /** The oracle of the float avg: widened, then the double oracle. */
    public static void naiveAvg(float[] x, Window w, boolean countIncludePad, double[] y) {
        double[] wide = new double[x.length];
        for (int i = 0; i < x.length; i++) wide[i] = x[i];
        naiveAvg(wide, w, countIncludePad, y);
    }

    /** The oracle of avgBackward: for every plane, tap and output in that order, the share added through the table. */
    public static void naiveAvgBackward(double[] g, Window w, boolean countIncludePad, double[] gx) {
        int[] table = w.table();
        double[] div = naiveDivisors(w, countIncludePad);
        int inSize = w.inSize(), oSize = w.outSize(), kSize = w.kernelSize();
        for (int pl = 0; pl < w.planes(); pl++) {
            for (int t = 0; t < kSize; t++) {
                for (int o = 0; o < oSize; o++) {
                    int off = table[t * oSize + o];
                    if (off >= 0) gx[pl * inSize + off] += g[pl * oSize + o] / div[o];
                }
            }
        }
    }

    /**
     * The oracle of adaptiveAvg: the old op's table of every cell's input offsets (cell o of an axis
     * of size i covers [⌊o·i/O⌋, ⌈(o + 1)·i/O⌉)), each cell summed through it from +0, then divided
     * by its length.
     */
    public static void naiveAdaptiveAvg(double[] x, int planes, int[] in, int[] out, double[] y) {
        int[][] cells = naiveCells(in, out);
        int inSize = ConvKernels.prod(in), oSize = ConvKernels.prod(out);
        for (int pl = 0; pl < planes; pl++) {
            for (int oi = 0; oi < oSize; oi++) {
                double s = 0;
                for (int off : cells[oi]) s += x[pl * inSize + off];
                y[pl * oSize + oi] = s / cells[oi].length;
            }
        }
    }

    /** The oracle of the float adaptiveAvg: widened, then the double oracle (the old op read a widened copy). */
    public static void naiveAdaptiveAvg(float[] x, int planes, int[] in, int[] out, double[] y) {
        double[] wide = new double[x.length];
        for (int i = 0; i < x.length; i++) wide[i] = x[i];
        naiveAdaptiveAvg(wide, planes, in, out, y);
    }

    /** The oracle of adaptiveAvgBackward: for every plane and output in order, its share added through the table. */
    public static void naiveAdaptiveAvgBackward(double[] g, int planes, int[] in, int[] out, double[] gx) {
        int[][] cells = naiveCells(in, out);
        int inSize = ConvKernels.prod(in), oSize = ConvKernels.prod(out);
        for (int pl = 0; pl < planes; pl++) {
            for (int oi = 0; oi < oSize; oi++) {
                double share = g[pl * oSize + oi] / cells[oi].length;
                for (int off : cells[oi]) gx[pl * inSize + off] += share;
            }
        }
    }

    /** The oracle of the float adaptiveAvgBackward: g widened, then the double oracle. */
    public static void naiveAdaptiveAvgBackward(float[] g, int planes, int[] in, int[] out, double[] gx) {
        double[] wide = new double[g.length];
        for (int i = 0; i < g.length; i++) wide[i] = g[i];
        naiveAdaptiveAvgBackward(wide, planes, in, out, gx);
    }

    /** cells[oi] lists the input offsets of output cell oi, in increasing (row-major) order. */
    private static int[][] naiveCells(int[] in, int[] outSize) {
        int dims = in.length, oSize = ConvKernels.prod(outSize);
        int[][] cells = new int[oSize][];
        int[] o = new int[dims], lo = new int[dims], len = new int[dims], t = new int[dims];
        for (int oi = 0; oi < oSize; oi++) {
            ConvKernels.unravel(oi, outSize, o);
            int count = 1;
            for (int j = 0; j < dims; j++) {
                lo[j] = Math.floorDiv(o[j] * in[j], outSize[j]);
                len[j] = -Math.floorDiv(-(o[j] + 1) * in[j], outSize[j]) - lo[j];
                count *= len[j];
            }
            cells[oi] = new int[count];
            for (int c = 0; c < count; c++) {
                ConvKernels.unravel(c, len, t);
                int off = 0;
                for (int j = 0; j < dims; j++) off = off * in[j] + lo[j] + t[j];
                cells[oi][c] = off;
            }
        }
        return cells;
    }

    /** The divisors as the old op computed them, output by output from its unravelled position. */
    private static double[] naiveDivisors(Window w, boolean countIncludePad) {
        int oSize = w.outSize();
        double[] div = new double[oSize];
        int[] o = new int[3];
        for (int oi = 0; oi < oSize; oi++) {
            ConvKernels.unravel(oi, w.out(), o);
            long padded = 1, real = 1;
            for (int j = 0; j < 3; j++) {
                int start = o[j] * w.stride()[j] - w.pad()[j];
                int end = Math.min(start + w.kernel()[j], w.in()[j] + w.pad()[j]);
                padded *= end - start;
                real *= Math.min(end, w.in()[j]) - Math.max(start, 0);
            }
            div[oi] = countIncludePad ? padded : real;
        }
        return div;
    }
}
