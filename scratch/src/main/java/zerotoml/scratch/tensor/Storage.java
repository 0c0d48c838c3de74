package zerotoml.scratch.tensor;

/**
 * A tensor's values in row-major order, in the array type of its dtype: {@link Floats} holds a
 * {@code float[]} for {@link DType#F32}, {@link Doubles} a {@code double[]} for {@link DType#F64}.
 *
 * <p>A storage is never written after it is made, so tensors may share one (reshape, detach).
 * Ops that compute in double read an F32 storage through {@link #doubles()}, a widened copy
 * (exact: every float is a double), and hand back a {@code double[]} that {@link #of} rounds once
 * to float. Kernels that work in float read {@link Floats#values()} directly.
 */
sealed interface Storage permits Storage.Floats, Storage.Doubles {

    /** F32 values. */
    record Floats(float[] values) implements Storage {
        @Override
        public DType dtype() {
            return DType.F32;
        }

        @Override
        public int size() {
            return values.length;
        }

        @Override
        public double get(int i) {
            return values[i];
        }

        @Override
        public double[] doubles() {
            double[] out = new double[values.length];
            for (int i = 0; i < out.length; i++) out[i] = values[i];
            return out;
        }

        @Override
        public double[] toDoubleArray() {
            return doubles();
        }
    }

    /** F64 values. */
    record Doubles(double[] values) implements Storage {
        @Override
        public DType dtype() {
            return DType.F64;
        }

        @Override
        public int size() {
            return values.length;
        }

        @Override
        public double get(int i) {
            return values[i];
        }

        @Override
        public double[] doubles() {
            return values;
        }

        @Override
        public double[] toDoubleArray() {
            return values.clone();
        }
    }

    /**
     * The storage of {@code dtype} for {@code values}: F64 takes ownership of the array; F32 rounds
     * each value to the nearest float into a new {@code float[]}.
     */
    static Storage of(DType dtype, double[] values) {
        if (dtype == DType.F64) return new Doubles(values);
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
        return new Floats(f);
    }

    /** The dtype this storage realises. */
    DType dtype();

    /** The number of values. */
    int size();

    /** The value at flat position i, widened to double for F32. */
    double get(int i);

    /**
     * The values as a {@code double[]} to read (never write): F64's own array, or a widened copy of
     * F32's. Call it once per op, outside any loop.
     */
    double[] doubles();

    /** A fresh {@code double[]} of the values that the caller may write. */
    double[] toDoubleArray();
}
