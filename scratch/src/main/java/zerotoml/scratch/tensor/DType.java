package zerotoml.scratch.tensor;

/**
 * The two element types. Storage is always a {@code double[]}; a {@link #F32} tensor holds only
 * values that are exactly representable as a Java {@code float}, because every op rounds its
 * result through {@link #round(double)}. Inside one op the arithmetic runs in double and is
 * rounded once at the end, which is at least as accurate as PyTorch's float32 kernels and keeps
 * float32's range: {@code exp(100)} still overflows to infinity in F32.
 */
public enum DType {
    F32, F64;

    /** Rounds a value to this dtype: to the nearest float for F32, unchanged for F64. */
    public double round(double v) {
        return this == F32 ? (double) (float) v : v;
    }

    /** Rounds every element in place and returns the same array. */
    double[] roundInPlace(double[] data) {
        if (this == F32) {
            for (int i = 0; i < data.length; i++) data[i] = (float) data[i];
        }
        return data;
    }

    /** PyTorch's promotion for two floating tensors: the wider one wins. */
    public static DType promote(DType a, DType b) {
        return a == F64 || b == F64 ? F64 : F32;
    }
}
