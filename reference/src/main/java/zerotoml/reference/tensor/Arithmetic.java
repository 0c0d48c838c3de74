package zerotoml.reference.tensor;

import ai.djl.ndarray.NDArray;

/** Element-wise arithmetic on PyTorch: each is one ATen op, so PyTorch's own autograd gives the gradient. */
public final class Arithmetic {
    private Arithmetic() {}

    public static NDArray add(NDArray a, NDArray b) { return a.add(b); }
    public static NDArray sub(NDArray a, NDArray b) { return a.sub(b); }
    public static NDArray mul(NDArray a, NDArray b) { return a.mul(b); }
    public static NDArray div(NDArray a, NDArray b) { return a.div(b); }
    public static NDArray neg(NDArray x) { return x.neg(); }
    public static NDArray pow(NDArray a, NDArray b) { return a.pow(b); }

    /** x ** p; a float32 tensor keeps its dtype because p is passed as a float then. */
    public static NDArray pow(NDArray x, double p) {
        return x.getDataType() == ai.djl.ndarray.types.DataType.FLOAT32 ? x.pow((float) p) : x.pow(p);
    }

    public static NDArray exp(NDArray x) { return x.exp(); }
    public static NDArray log(NDArray x) { return x.log(); }
    public static NDArray sqrt(NDArray x) { return x.sqrt(); }
    public static NDArray sin(NDArray x) { return x.sin(); }
    public static NDArray cos(NDArray x) { return x.cos(); }
    public static NDArray abs(NDArray x) { return x.abs(); }
}
