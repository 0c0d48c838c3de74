package zerotoml.scratch.tensor;

import java.util.Arrays;

/**
 * The one strided walk that broadcasting, permuting, reducing and taking diagonals share: visit
 * every index of {@code dims} in row-major order and report the offset {@code Σ index[k]·step[k]}.
 * A step of 0 repeats an element (broadcasting, or many inputs reducing into one output).
 *
 * <p>The last axis is walked by a tight inner loop (a copy when its step is 1, a fill when it is
 * 0) and only the outer axes by the odometer, which is where most of the time went before.
 */
final class Strided {
    private Strided() {}

    /** {@code out[i]} = the offset of the i-th row-major index of {@code dims} under {@code step}. */
    static int[] offsets(int[] dims, int[] step) {
        int[] out = new int[count(dims)];
        walk(dims, step, (i, at, n, s) -> {
            for (int j = 0; j < n; j++) out[i + j] = at + j * s;
        });
        return out;
    }

    /** The elements of {@code src} at {@link #offsets}, in row-major order of {@code dims}. */
    static double[] gather(double[] src, int[] dims, int[] step) {
        double[] out = new double[count(dims)];
        walk(dims, step, (i, at, n, s) -> {
            if (s == 1) System.arraycopy(src, at, out, i, n);
            else if (s == 0) Arrays.fill(out, i, i + n, src[at]);
            else for (int j = 0; j < n; j++) out[i + j] = src[at + j * s];
        });
        return out;
    }

    /** {@link #gather} on a float array. */
    static float[] gather(float[] src, int[] dims, int[] step) {
        float[] out = new float[count(dims)];
        walk(dims, step, (i, at, n, s) -> {
            if (s == 1) System.arraycopy(src, at, out, i, n);
            else if (s == 0) Arrays.fill(out, i, i + n, src[at]);
            else for (int j = 0; j < n; j++) out[i + j] = src[at + j * s];
        });
        return out;
    }

    /** {@link #gather} in the storage's own array type: copying moves values, so an F32 storage stays float[]. */
    static Storage gather(Storage src, int[] dims, int[] step) {
        if (src instanceof Storage.Floats f) return new Storage.Floats(gather(f.values(), dims, step));
        return new Storage.Doubles(gather(src.doubles(), dims, step));
    }

    /** One run along the last axis: output positions [i, i + n) read offsets at, at + s, … */
    private interface Run {
        void accept(int i, int at, int n, int s);
    }

    private static int count(int[] dims) {
        long n = 1;
        for (int d : dims) n *= d;
        return (int) n;
    }

    /** Calls {@code run} once per row of the last axis, in row-major order. */
    private static void walk(int[] dims, int[] step, Run run) {
        int total = count(dims);
        if (total == 0) return;
        int r = dims.length;
        if (r == 0) {
            run.accept(0, 0, 1, 0);
            return;
        }
        int last = dims[r - 1], lastStep = step[r - 1];
        int[] idx = new int[r - 1];
        int at = 0;
        for (int i = 0; i < total; i += last) {
            run.accept(i, at, last, lastStep);
            // odometer over axes r−2 … 0
            for (int k = r - 2; k >= 0; k--) {
                if (++idx[k] < dims[k]) {
                    at += step[k];
                    break;
                }
                at -= step[k] * (dims[k] - 1);
                idx[k] = 0;
            }
        }
    }
}
