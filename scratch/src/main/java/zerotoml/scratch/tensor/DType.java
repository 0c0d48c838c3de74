package zerotoml.scratch.tensor;

/**
 * The two element types. An {@link #F32} tensor stores a {@code float[]}, an {@link #F64} tensor a
 * {@code double[]} ({@link Storage}). Inside one op the arithmetic runs in double and is rounded
 * once to float at the end (as {@link #round(double)} does), which is at least as accurate as
 * PyTorch's float32 kernels and keeps float32's range: {@code exp(100)} still overflows to
 * infinity in F32. The exceptions are the matrix product and linear of two F32 operands and the
 * convolution of an F32 input with an F32 weight (and their gradients), which accumulate in float
 * (fma chains in the float kernels), as PyTorch's float32 GEMM and convolution do.
 */
public enum DType {
    F32, F64;

    /** Rounds a value to this dtype: to the nearest float for F32, unchanged for F64. */
    public double round(double v) {
        return this == F32 ? (double) (float) v : v;
    }

    /** PyTorch's promotion for two floating tensors: the wider one wins. */
    public static DType promote(DType a, DType b) {
        return a == F64 || b == F64 ? F64 : F32;
    }
}
