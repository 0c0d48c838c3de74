package zerotoml.scratch.tensor;

/**
 * The one strided walk that broadcasting, permuting, reducing and taking diagonals share: visit
 * every index of {@code dims} in row-major order and report the offset {@code Σ index[k]·step[k]}.
 * A step of 0 repeats an element (broadcasting, or many inputs reducing into one output).
 */
final class Strided {
    private Strided() {}

    /** {@code out[i]} = the offset of the i-th row-major index of {@code dims} under {@code step}. */
    static int[] offsets(int[] dims, int[] step) {
        long n = 1;
        for (int d : dims) n *= d;
        int[] out = new int[(int) n];
        int[] idx = new int[dims.length];
        int at = 0;
        for (int i = 0; i < out.length; i++) {
            out[i] = at;
            for (int k = dims.length - 1; k >= 0; k--) {
                if (++idx[k] < dims[k]) {
                    at += step[k];
                    break;
                }
                at -= step[k] * (dims[k] - 1);
                idx[k] = 0;
            }
        }
        return out;
    }

    /** The elements of {@code src} at {@link #offsets}, in row-major order of {@code dims}. */
    static double[] gather(double[] src, int[] dims, int[] step) {
        int[] off = offsets(dims, step);
        double[] out = new double[off.length];
        for (int i = 0; i < out.length; i++) out[i] = src[off[i]];
        return out;
    }
}
