package zerotoml.scratch.tensor;

import java.util.Arrays;

/**
 * An n-dimensional array of F32 or F64 numbers in row-major order.
 *
 * <p>A tensor is immutable and has identity semantics: two tensors with equal contents are
 * still two nodes of a computation graph. Ops never write into their inputs. While a
 * {@link Tape} is open, every op whose inputs depend on a watched tensor records how to send
 * gradients back to them; outside a tape nothing is recorded and nothing is retained.
 */
public final class Tensor {
    private final Shape shape;
    private final DType dtype;
    /**
     * Row-major values, {@code float[]} for F32 and {@code double[]} for F64 ({@link Storage}); shared
     * with ops in this package and between tensors (reshape, detach), never written after construction.
     */
    final Storage storage;

    /** Takes ownership of {@code data} and rounds it to {@code dtype} (F32: into a new {@code float[]}). */
    Tensor(Shape shape, DType dtype, double[] data) {
        this(Args.nonNull("Tensor", "shape", shape),
                Storage.of(Args.nonNull("Tensor", "dtype", dtype), Args.nonNull("Tensor", "data", data)));
    }

    /** Takes ownership of {@code storage}; the dtype is the storage's. */
    Tensor(Shape shape, Storage storage) {
        Args.nonNull("Tensor", "shape", shape);
        Args.nonNull("Tensor", "storage", storage);
        if (storage.size() != shape.size()) {
            throw new IllegalArgumentException("Tensor: " + storage.size() + " values do not fill shape " + shape
                    + " (" + shape.size() + " elements)");
        }
        this.shape = shape;
        this.dtype = storage.dtype();
        this.storage = storage;
    }

    // ---------------------------------------------------------------- creation

    /** A float64 tensor holding a copy of {@code data}. */
    public static Tensor of(double[] data, int... shape) {
        return of(DType.F64, data, shape);
    }

    /** A tensor of the given dtype holding a copy of {@code data}, rounded to the dtype. */
    public static Tensor of(DType dtype, double[] data, int... shape) {
        return new Tensor(Shape.of(shape), dtype, copyFor(dtype, data));
    }

    /** A tensor of the given dtype and shape holding a copy of {@code data}. */
    public static Tensor of(DType dtype, double[] data, Shape shape) {
        return new Tensor(shape, dtype, copyFor(dtype, data));
    }

    /** The caller's array as the constructor may own it: F64 keeps it, so copy it; F32 rounds it into a new float[] anyway. */
    private static double[] copyFor(DType dtype, double[] data) {
        Args.nonNull("Tensor", "data", data);
        return dtype == DType.F32 ? data : data.clone();
    }

    /** A rank-0 float64 tensor. */
    public static Tensor scalar(double value) {
        return scalar(DType.F64, value);
    }

    /** A rank-0 tensor of the given dtype. */
    public static Tensor scalar(DType dtype, double value) {
        return new Tensor(Shape.of(), dtype, new double[] {value});
    }

    /** A tensor filled with one value. */
    public static Tensor full(DType dtype, double value, int... shape) {
        Args.nonNull("Tensor.full", "dtype", dtype);
        Shape s = Shape.of(shape);
        if (dtype == DType.F32) {
            // filled in float: no double array to round
            float[] f = new float[s.size()];
            Arrays.fill(f, (float) value);
            return new Tensor(s, new Storage.Floats(f));
        }
        double[] d = new double[s.size()];
        Arrays.fill(d, value);
        return new Tensor(s, dtype, d);
    }

    /** A tensor of zeros. */
    public static Tensor zeros(DType dtype, int... shape) {
        return full(dtype, 0, shape);
    }

    /** A tensor of ones. */
    public static Tensor ones(DType dtype, int... shape) {
        return full(dtype, 1, shape);
    }

    /**
     * The way every op returns its result. {@code data} becomes the new tensor's storage (do not
     * touch it afterwards). {@code backward} maps the gradient of the output to one gradient per
     * input, in order, each of the input's shape, or {@code null} for an input that takes none. It is
     * kept only when a {@link Tape} is recording and some input depends on a watched tensor.
     */
    public static Tensor record(String op, Shape shape, DType dtype, double[] data, Backward backward, Tensor... inputs) {
        Args.nonNull("Tensor.record", "op", op);
        Tensor out = new Tensor(shape, dtype, data);
        Tape.recordIfTracked(op, out, backward, inputs);
        return out;
    }

    /**
     * {@link #record} for an F32 result that a float kernel outside this package computed:
     * {@code data} becomes the new tensor's {@code float[]} storage as it is (do not touch it afterwards).
     */
    public static Tensor record(String op, Shape shape, float[] data, Backward backward, Tensor... inputs) {
        Args.nonNull("Tensor.record", "op", op);
        return record(op, shape, new Storage.Floats(Args.nonNull("Tensor.record", "data", data)), backward, inputs);
    }

    /** {@link #record} for a result already in its storage (a kernel's {@code float[]} or {@code double[]}). */
    static Tensor record(String op, Shape shape, Storage storage, Backward backward, Tensor... inputs) {
        Tensor out = new Tensor(shape, storage);
        Tape.recordIfTracked(op, out, backward, inputs);
        return out;
    }

    /**
     * {@link #record} for an op whose result has the same values as its input {@code source} in
     * another shape (reshape): the storage is shared, not copied, which is safe because no tensor's
     * storage is ever written after construction.
     */
    static Tensor recordView(String op, Shape shape, Tensor source, Backward backward) {
        Tensor out = new Tensor(shape, source.storage);
        Tape.recordIfTracked(op, out, backward, new Tensor[] {source});
        return out;
    }

    /** How an op sends the gradient of its output back to its inputs. */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOut);
    }

    // ---------------------------------------------------------------- access

    /** The shape. */
    public Shape shape() {
        return shape;
    }

    /** The element type. */
    public DType dtype() {
        return dtype;
    }

    /** The number of dimensions. */
    public int rank() {
        return shape.rank();
    }

    /** The number of elements. */
    public int size() {
        return storage.size();
    }

    /** A copy of the values in row-major order (F32 values widened to double, exactly). */
    public double[] toArray() {
        return storage.toDoubleArray();
    }

    /**
     * The values as a {@code double[]} for kernels outside this package that compute in double:
     * an F64 tensor's storage itself (no copy), an F32 tensor's values widened into a new array.
     * Read it; never write to it.
     */
    public double[] rawData() {
        return storage.doubles();
    }

    /**
     * An F32 tensor's own {@code float[]} (no copy) for kernels outside this package that work in
     * float. Read it; never write to it.
     */
    public float[] rawFloats() {
        if (dtype != DType.F32) throw new IllegalArgumentException("rawFloats: the tensor is " + dtype + ", not F32 (shape " + shape + ")");
        return floats();
    }

    /** The values read as a {@code double[]}, never to be written: {@link Storage#doubles()}. */
    double[] doubles() {
        return storage.doubles();
    }

    /** An F32 tensor's own {@code float[]}, never to be written. */
    float[] floats() {
        return ((Storage.Floats) storage).values();
    }

    /** The only value of a one-element tensor. */
    public double item() {
        if (size() != 1) throw new IllegalArgumentException("item: tensor of shape " + shape + " has " + size() + " elements, not 1");
        return storage.get(0);
    }

    /** The value at a full index. */
    public double get(int... index) {
        Args.nonNull("get", "index", index);
        if (index.length != shape.rank()) {
            throw new IllegalArgumentException("get: index " + Arrays.toString(index) + " has rank " + index.length + " but shape " + shape + " has rank " + shape.rank());
        }
        int[] st = shape.strides();
        int off = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape.dim(i)) {
                throw new IllegalArgumentException("get: index " + Arrays.toString(index) + " is outside shape " + shape);
            }
            off += index[i] * st[i];
        }
        return storage.get(off);
    }

    /** The same values in another dtype (differentiable). */
    public Tensor to(DType target) {
        Args.nonNull("to", "target", target);
        if (target == dtype) return this;
        DType from = dtype;
        return record("to", shape, target, storage.toDoubleArray(), g -> new Tensor[] {g.to(from)}, this);
    }

    /** The same values, cut off from any gradient (the storage is shared: it is never written). */
    public Tensor detach() {
        return new Tensor(shape, storage);
    }

    // ---------------------------------------------------------------- fluent forms of common ops

    public Tensor add(Tensor o) { return Arithmetic.add(this, o); }
    public Tensor sub(Tensor o) { return Arithmetic.sub(this, o); }
    public Tensor mul(Tensor o) { return Arithmetic.mul(this, o); }
    public Tensor div(Tensor o) { return Arithmetic.div(this, o); }
    public Tensor add(double c) { return Arithmetic.add(this, c); }
    public Tensor mul(double c) { return Arithmetic.mul(this, c); }
    public Tensor neg() { return Arithmetic.neg(this); }
    public Tensor exp() { return Arithmetic.exp(this); }
    public Tensor log() { return Arithmetic.log(this); }
    public Tensor pow(double p) { return Arithmetic.pow(this, p); }
    public Tensor matmul(Tensor o) { return LinearAlgebra.matmul(this, o); }
    public Tensor sum() { return Reductions.sum(this); }
    public Tensor sum(int[] axes, boolean keepDims) { return Reductions.sum(this, axes, keepDims); }
    public Tensor mean() { return Reductions.mean(this); }
    public Tensor reshape(int... dims) { return Shapes.reshape(this, dims); }
    public Tensor transpose(int a, int b) { return Shapes.transpose(this, a, b); }

    @Override
    public String toString() {
        int n = Math.min(size(), 8);
        StringBuilder sb = new StringBuilder("Tensor(").append(dtype).append(' ').append(shape).append(' ');
        sb.append('[');
        for (int i = 0; i < n; i++) sb.append(i > 0 ? ", " : "").append(storage.get(i));
        if (size() > n) sb.append(", ...");
        return sb.append("])").toString();
    }
}
