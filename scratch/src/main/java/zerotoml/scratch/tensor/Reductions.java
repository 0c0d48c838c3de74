package zerotoml.scratch.tensor;

/**
 * Reductions over any set of axes, with or without keeping the reduced axes as size 1.
 * An empty axes array means "every axis", as in NumPy's default.
 */
public final class Reductions {
    private Reductions() {}

    /** Σ over every element, to a scalar. */
    public static Tensor sum(Tensor x) {
        return sum(x, new int[0], false);
    }

    // out = Σ_axes x;  ∂x = g broadcast back over the reduced axes
    public static Tensor sum(Tensor x, int[] axes, boolean keepDims) {
        boolean[] red = reducedAxes("sum", x.shape(), axes);
        Shape kept = keptShape(x.shape(), red, true);
        Shape outShape = keptShape(x.shape(), red, keepDims);
        int[] target = outIndex(x.shape(), red);
        double[] out = new double[kept.size()];
        for (int i = 0; i < target.length; i++) out[target[i]] += x.data[i];
        return Tensor.record("sum", outShape, x.dtype(), out,
                g -> new Tensor[] {Shapes.broadcastTo(Shapes.reshape(g, kept.dims()), x.shape().dims())}, x);
    }

    /** The mean of every element, to a scalar. */
    public static Tensor mean(Tensor x) {
        return mean(x, new int[0], false);
    }

    // out = Σ_axes x / n, where n is the number of elements reduced into each output
    public static Tensor mean(Tensor x, int[] axes, boolean keepDims) {
        boolean[] red = reducedAxes("mean", x.shape(), axes);
        return Arithmetic.mul(sum(x, axes, keepDims), 1.0 / count(x.shape(), red));
    }

    // ------------------------------------------------------------- helpers shared by reductions

    /** Which axes are reduced; an empty array selects all. Rejects out-of-range and repeated axes. */
    static boolean[] reducedAxes(String op, Shape s, int[] axes) {
        boolean[] red = new boolean[s.rank()];
        if (axes.length == 0) {
            java.util.Arrays.fill(red, true);
            return red;
        }
        for (int a : axes) {
            int n = s.axis(op, a);
            if (red[n]) throw new IllegalArgumentException(op + ": axis " + a + " appears twice in axes " + java.util.Arrays.toString(axes) + " for shape " + s);
            red[n] = true;
        }
        return red;
    }

    /** The shape after reducing: reduced axes become 1 when keepDims, else disappear. */
    static Shape keptShape(Shape s, boolean[] red, boolean keepDims) {
        int[] d = s.dims();
        int n = 0;
        for (int i = 0; i < d.length; i++) if (!red[i] || keepDims) n++;
        int[] out = new int[n];
        int k = 0;
        for (int i = 0; i < d.length; i++) {
            if (!red[i]) out[k++] = d[i];
            else if (keepDims) out[k++] = 1;
        }
        return Shape.of(out);
    }

    /** For each element of s, the flat index of the output element it reduces into. */
    static int[] outIndex(Shape s, boolean[] red) {
        int r = s.rank();
        int[] dims = s.dims();
        int[] outStr = new int[r];
        int acc = 1;
        for (int i = r - 1; i >= 0; i--) {
            outStr[i] = red[i] ? 0 : acc;
            if (!red[i]) acc *= dims[i];
        }
        int[] target = new int[s.size()];
        int[] idx = new int[r];
        int o = 0;
        for (int i = 0; i < target.length; i++) {
            target[i] = o;
            for (int k = r - 1; k >= 0; k--) {
                if (++idx[k] < dims[k]) {
                    o += outStr[k];
                    break;
                }
                o -= outStr[k] * (dims[k] - 1);
                idx[k] = 0;
            }
        }
        return target;
    }

    /** How many elements reduce into each output element. */
    static int count(Shape s, boolean[] red) {
        int n = 1;
        for (int i = 0; i < red.length; i++) if (red[i]) n *= s.dim(i);
        return n;
    }
}
