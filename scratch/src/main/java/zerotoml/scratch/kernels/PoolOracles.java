package zerotoml.scratch.kernels;

import zerotoml.scratch.kernels.Pool.Window;

/**
 * The naive twins of {@link Pool}'s max-pooling argmax and average pooling forward and backward:
 * each walks ConvKernels' im2col table of the window in the order the fast loop must keep
 * ({@code PoolTest} holds {@link Pool} to them bit for bit).
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
