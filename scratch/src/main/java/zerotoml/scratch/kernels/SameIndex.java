package zerotoml.scratch.kernels;

/**
 * {@link Pointwise}'s binary loops for a run in which every operand read as an array starts at
 * the output's own offset (same shapes, or one side a scalar): one index i for out, a and b, the
 * form C2 vectorises. With an offset of its own per array C2 must assume that out may overlap an
 * operand a few elements away and keeps the loop scalar (a float add over 1M elements: 315 µs
 * against 120 µs, AMD EPYC Zen 5, JDK 17 and 25, notes/Performance.md). One IEEE op per element in
 * the array's type, as the offset loops: the same bits.
 */
final class SameIndex {
    private SameIndex() {}

    // out_i = a_i ∘ b_i, either side possibly one value
    /** {@code out[i] = a[i] op b[i]} for i in [lo, hi), a[ao] (b[bo]) standing for every a (b) when aS (bS). */
    static void zip(Pointwise.Op op, float[] a, int ao, boolean aS, float[] b, int bo, boolean bS, float[] out, int lo, int hi) {
        if (aS) {
            float x = a[ao];
            switch (op) {
                case ADD: for (int i = lo; i < hi; i++) out[i] = x + b[i]; break;
                case SUB: for (int i = lo; i < hi; i++) out[i] = x - b[i]; break;
                case MUL: for (int i = lo; i < hi; i++) out[i] = x * b[i]; break;
                default: for (int i = lo; i < hi; i++) out[i] = x / b[i];
            }
        } else if (bS) {
            float y = b[bo];
            switch (op) {
                case ADD: for (int i = lo; i < hi; i++) out[i] = a[i] + y; break;
                case SUB: for (int i = lo; i < hi; i++) out[i] = a[i] - y; break;
                case MUL: for (int i = lo; i < hi; i++) out[i] = a[i] * y; break;
                default: for (int i = lo; i < hi; i++) out[i] = a[i] / y;
            }
        } else {
            switch (op) {
                case ADD: for (int i = lo; i < hi; i++) out[i] = a[i] + b[i]; break;
                case SUB: for (int i = lo; i < hi; i++) out[i] = a[i] - b[i]; break;
                case MUL: for (int i = lo; i < hi; i++) out[i] = a[i] * b[i]; break;
                default: for (int i = lo; i < hi; i++) out[i] = a[i] / b[i];
            }
        }
    }

    // out_i = a_i ∘ b_i, either side possibly one value
    /** {@code out[i] = a[i] op b[i]} for i in [lo, hi), a[ao] (b[bo]) standing for every a (b) when aS (bS). */
    static void zip(Pointwise.Op op, double[] a, int ao, boolean aS, double[] b, int bo, boolean bS, double[] out, int lo, int hi) {
        if (aS) {
            double x = a[ao];
            switch (op) {
                case ADD: for (int i = lo; i < hi; i++) out[i] = x + b[i]; break;
                case SUB: for (int i = lo; i < hi; i++) out[i] = x - b[i]; break;
                case MUL: for (int i = lo; i < hi; i++) out[i] = x * b[i]; break;
                default: for (int i = lo; i < hi; i++) out[i] = x / b[i];
            }
        } else if (bS) {
            double y = b[bo];
            switch (op) {
                case ADD: for (int i = lo; i < hi; i++) out[i] = a[i] + y; break;
                case SUB: for (int i = lo; i < hi; i++) out[i] = a[i] - y; break;
                case MUL: for (int i = lo; i < hi; i++) out[i] = a[i] * y; break;
                default: for (int i = lo; i < hi; i++) out[i] = a[i] / y;
            }
        } else {
            switch (op) {
                case ADD: for (int i = lo; i < hi; i++) out[i] = a[i] + b[i]; break;
                case SUB: for (int i = lo; i < hi; i++) out[i] = a[i] - b[i]; break;
                case MUL: for (int i = lo; i < hi; i++) out[i] = a[i] * b[i]; break;
                default: for (int i = lo; i < hi; i++) out[i] = a[i] / b[i];
            }
        }
    }
}
