package zerotoml.scratch.tensor;

import java.util.Arrays;

/** An immutable list of dimensions, compared by content. {@code Shape.of()} is a scalar. */
public final class Shape {
    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    /** A shape from its dimensions; every dimension must be zero or more. */
    public static Shape of(int... dims) {
        Args.nonNull("Shape", "dims", dims);
        for (int d : dims) {
            if (d < 0) throw new IllegalArgumentException("Shape: negative dimension in " + Arrays.toString(dims));
        }
        return new Shape(dims.clone());
    }

    public int rank() {
        return dims.length;
    }

    /** The dimension at {@code axis}; negative axes count from the end. */
    public int dim(int axis) {
        return dims[axis("Shape.dim", axis)];
    }

    /** A copy of the dimensions. */
    public int[] dims() {
        return dims.clone();
    }

    /** The number of elements: the product of the dimensions (1 for a scalar). */
    public int size() {
        for (int d : dims) if (d == 0) return 0;
        long n = 1;
        // checked after every factor, so that the long product cannot wrap around (65536⁴ = 2⁶⁴ ≡ 0)
        for (int d : dims) {
            n *= d;
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("Shape " + this + " has more than 2^31 elements");
        }
        return (int) n;
    }

    /** Row-major strides, in elements. */
    public int[] strides() {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /** Normalises a possibly negative axis, or throws naming the op, the axis and this shape. */
    public int axis(String op, int axis) {
        int r = dims.length;
        if (axis < -r || axis >= r) {
            throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for shape " + this
                    + (r == 0 ? " (a 0-d tensor has no axes here)" : " (rank " + r + ", valid axes " + (-r) + ".." + (r - 1) + ")"));
        }
        return axis < 0 ? axis + r : axis;
    }

    /**
     * NumPy broadcasting of two shapes, or an error naming the op, both shapes and the first
     * dimension that clashes.
     */
    public static Shape broadcast(String op, Shape a, Shape b) {
        int r = Math.max(a.rank(), b.rank());
        int[] out = new int[r];
        for (int i = 1; i <= r; i++) {
            int da = i <= a.rank() ? a.dims[a.rank() - i] : 1;
            int db = i <= b.rank() ? b.dims[b.rank() - i] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + a + " and " + b
                        + " do not broadcast (dimension " + (-i) + ": " + da + " vs " + db + ")");
            }
            out[r - i] = da == 1 ? db : da;
        }
        return new Shape(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** {@code [2, 3]}; a scalar is {@code []}. */
    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
