package zerotoml.scratch.tensor;

import zerotoml.scratch.kernels.Reduce;
import zerotoml.scratch.kernels.ReduceAxes;

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
    /** Σ over the given axes (empty: every axis), keeping them as size 1 when {@code keepDims}. */
    public static Tensor sum(Tensor x, int[] axes, boolean keepDims) {
        Args.nonNull("sum", "x", x);
        boolean[] red = reducedAxes("sum", x.shape(), axes);
        Shape kept = keptShape(x.shape(), red, true);
        Shape outShape = keptShape(x.shape(), red, keepDims);
        double[] out = new double[kept.size()];
        int[] run = axisRun(x.shape(), red);
        if (run != null) {
            // one run of adjacent axes: the Reduce kernel, in the same row-major order as the walk below
            if (x.storage instanceof Storage.Floats f) Reduce.sum(f.values(), run[0], run[1], run[2], out);
            else Reduce.sum(x.doubles(), run[0], run[1], run[2], out);
        } else {
            // axes apart: the plan's offset tables, each output still summed in increasing index
            ReduceAxes.Plan plan = ReduceAxes.Plan.of(x.shape().dims(), red);
            if (x.storage instanceof Storage.Floats f) ReduceAxes.sum(f.values(), plan, out);
            else ReduceAxes.sum(x.doubles(), plan, out);
        }
        return Tensor.record("sum", outShape, x.dtype(), out,
                g -> new Tensor[] {Shapes.broadcastTo(Shapes.reshape(g, kept.dims()), x.shape().dims())}, x);
    }

    /** The mean of every element, to a scalar. */
    public static Tensor mean(Tensor x) {
        return mean(x, new int[0], false);
    }

    // out = Σ_axes x / n, where n is the number of elements reduced into each output
    /** The mean over the given axes (empty: every axis), keeping them as size 1 when {@code keepDims}. */
    public static Tensor mean(Tensor x, int[] axes, boolean keepDims) {
        Args.nonNull("mean", "x", x);
        boolean[] red = reducedAxes("mean", x.shape(), axes);
        return Arithmetic.mul(sum(x, axes, keepDims), 1.0 / count(x.shape(), red));
    }

    /** The largest element, to a scalar; tied maxima share the gradient equally (torch.max()). */
    public static Tensor max(Tensor x) {
        return max(x, new int[0], false);
    }

    // out = max_axes x;  ∂x = g · [x = out] / #{x = out}   (torch.amax: tied maxima share g equally)
    /**
     * The maximum over any set of axes, with torch.amax's gradient: when several elements tie for
     * the maximum, each gets an equal share of the gradient. A NaN wins, as in PyTorch, and a lane
     * whose maximum is NaN gets a NaN gradient on every element, as amax's rule g·[x = out]/#{x = out}
     * gives there (NaN ≠ NaN, so (g/0)·0). Over every axis this is torch.amax(x), which differs from
     * torch.max() only there (torch.max() gives such a gradient to the NaNs alone). For
     * torch.max(x, dim)'s rule, where the whole gradient goes to the first maximum, see {@link #maxAlong}.
     */
    public static Tensor max(Tensor x, int[] axes, boolean keepDims) {
        Args.nonNull("max", "x", x);
        boolean[] red = reducedAxes("max", x.shape(), axes);
        requireNonEmpty("max", x.shape(), red, axes);
        Shape outShape = keptShape(x.shape(), red, keepDims);
        ReduceAxes.Plan plan = ReduceAxes.Plan.of(x.shape().dims(), red);
        double[] best = new double[plan.outputs()];
        // #ties per output
        int[] ties = new int[best.length];
        if (x.storage instanceof Storage.Floats f) ReduceAxes.amax(f.values(), plan, best, ties);
        else ReduceAxes.amax(x.doubles(), plan, best, ties);
        return Tensor.record("max", outShape, x.dtype(), best.clone(), g -> {
            // a NaN lane: no element equals its maximum, and amax's (g / 0) · 0 is NaN everywhere
            double[] gx = new double[plan.size()];
            if (x.storage instanceof Storage.Floats f) ReduceAxes.amaxBackward(f.values(), plan, best, ties, g.doubles(), gx);
            else ReduceAxes.amaxBackward(x.doubles(), plan, best, ties, g.doubles(), gx);
            return new Tensor[] {new Tensor(x.shape(), g.dtype(), gx)};
        }, x);
    }

    // out = max_axis x;  ∂x = g at the first index that attains the maximum, 0 elsewhere
    /**
     * The maximum along one axis with torch.max(x, dim)'s gradient: it all goes to the element
     * whose index torch.max returns, the first maximum along the axis (the first NaN, if any).
     */
    public static Tensor maxAlong(Tensor x, int axis, boolean keepDims) {
        Args.nonNull("maxAlong", "x", x);
        // a 0-d tensor is one lane of one element (PyTorch: max(dim=0 or -1) returns it unchanged)
        if (x.rank() == 0) {
            scalarAxes("maxAlong", x.shape(), new int[] {axis});
            return sum(x, new int[0], keepDims);
        }
        int a = x.shape().axis("maxAlong", axis);
        boolean[] red = new boolean[x.rank()];
        red[a] = true;
        requireNonEmpty("maxAlong", x.shape(), red, new int[] {axis});
        Shape outShape = keptShape(x.shape(), red, keepDims);
        int[] run = axisRun(x.shape(), red);
        int outer = run[0], len = run[1], inner = run[2], k = outer * inner;
        double[] best = new double[k];
        // arg: the index along the axis of the first maximum (the first NaN, if any)
        int[] arg = new int[k];
        if (x.storage instanceof Storage.Floats f) Reduce.max(f.values(), outer, len, inner, best, arg);
        else Reduce.max(x.doubles(), outer, len, inner, best, arg);
        return Tensor.record("maxAlong", outShape, x.dtype(), best, g -> {
            double[] gx = new double[x.size()];
            double[] gs = g.doubles();
            for (int t = 0; t < k; t++) gx[((t / inner) * len + arg[t]) * inner + t % inner] = gs[t];
            return new Tensor[] {new Tensor(x.shape(), g.dtype(), gx)};
        }, x);
    }

    // out = Σ_axes (x − x̄)² / max(0, n − correction),  x̄ = mean_axes x;  ∂x = g · 2(x − x̄) / (n − correction)
    /**
     * torch.var over any axes: correction 0 is the biased (population) variance, 1 the unbiased
     * (sample) one. Composed from primitives, so the gradient comes from their backward rules.
     * When n − correction ≤ 0 the result is NaN or ±∞, as in PyTorch.
     */
    public static Tensor var(Tensor x, int[] axes, int correction, boolean keepDims) {
        Args.nonNull("var", "x", x);
        boolean[] red = reducedAxes("var", x.shape(), axes);
        int n = count(x.shape(), red);
        Tensor d = Arithmetic.sub(x, mean(x, axes, true));
        // the divisor is max(0, n − correction), as torch.var documents: 0/0 = NaN, not 0/(−1) = −0
        return Arithmetic.div(sum(Arithmetic.mul(d, d), axes, keepDims), Tensor.scalar(x.dtype(), Math.max(0, n - correction)));
    }

    // out = m + ln s,  s = Σ_axes e^{x − m},  m = max_axes x (0 where m is ±∞);  ∂x = g · e^{x − m} / s
    /**
     * log Σ exp over any axes, stable for large inputs: subtracting the maximum first keeps every
     * exponent ≤ 0, so nothing overflows even for logits of ±1e4 in float32. The backward is the
     * softmax e^{x − m} / s, not e^{x − out}: for equal huge inputs (1e38 three times) out = m + ln 3
     * rounds back to m, and e^{x − out} would give every element 1 instead of ⅓.
     */
    public static Tensor logsumexp(Tensor x, int[] axes, boolean keepDims) {
        Args.nonNull("logsumexp", "x", x);
        boolean[] red = reducedAxes("logsumexp", x.shape(), axes);
        Shape outShape = keptShape(x.shape(), red, keepDims);
        ReduceAxes.Plan plan = ReduceAxes.Plan.of(x.shape().dims(), red);
        int k = plan.outputs();
        double[] m = new double[k], s = new double[k];
        if (x.storage instanceof Storage.Floats f) ReduceAxes.logSumExp(f.values(), plan, m, s);
        else ReduceAxes.logSumExp(x.doubles(), plan, m, s);
        double[] exact = new double[k];
        for (int t = 0; t < k; t++) exact[t] = m[t] + Math.log(s[t]);
        return Tensor.record("logsumexp", outShape, x.dtype(), exact, g -> {
            double[] gx = new double[plan.size()];
            if (x.storage instanceof Storage.Floats f) ReduceAxes.logSumExpBackward(f.values(), plan, m, s, g.doubles(), gx);
            else ReduceAxes.logSumExpBackward(x.doubles(), plan, m, s, g.doubles(), gx);
            return new Tensor[] {new Tensor(x.shape(), g.dtype(), gx)};
        }, x);
    }

    // ------------------------------------------------------------- helpers shared by reductions

    /**
     * Which axes are reduced; an empty array selects all. Rejects out-of-range and repeated axes.
     * As in PyTorch, a 0-d tensor accepts axis 0 or -1 (once), and reducing it changes nothing.
     */
    static boolean[] reducedAxes(String op, Shape s, int[] axes) {
        if (axes == null) throw new IllegalArgumentException(op + ": axes is null (use an empty array for every axis), x " + s);
        if (s.rank() == 0) return scalarAxes(op, s, axes);
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

    /** The axes of a reduction of a 0-d tensor: each must be 0 or -1, and only one may be given. */
    private static boolean[] scalarAxes(String op, Shape s, int[] axes) {
        for (int a : axes) {
            if (a != 0 && a != -1) {
                throw new IllegalArgumentException(op + ": axis " + a + " is out of range for a 0-d tensor (x " + s + ", valid axes -1..0)");
            }
        }
        if (axes.length > 1) {
            throw new IllegalArgumentException(op + ": axis 0 appears twice in axes " + java.util.Arrays.toString(axes) + " for shape " + s);
        }
        return new boolean[0];
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

    /**
     * {outer, len, inner} when the reduced axes of s form one run (any kept axis between two reduced
     * ones has size 1), so that the reduction is one along the middle of s viewed as
     * [outer, len, inner], in the same row-major order; null otherwise. No reduced axis: {size, 1, 1}.
     */
    static int[] axisRun(Shape s, boolean[] red) {
        int first = -1, last = -1;
        for (int i = 0; i < red.length; i++) {
            if (red[i]) {
                if (first < 0) first = i;
                last = i;
            }
        }
        if (first < 0) return new int[] {s.size(), 1, 1};
        for (int i = first; i <= last; i++) if (!red[i] && s.dim(i) != 1) return null;
        int outer = 1, len = 1, inner = 1;
        for (int i = 0; i < first; i++) outer *= s.dim(i);
        for (int i = first; i <= last; i++) len *= s.dim(i);
        for (int i = last + 1; i < red.length; i++) inner *= s.dim(i);
        return new int[] {outer, len, inner};
    }

    /** Rejects a max over an axis of size 0, which has no maximum. */
    static void requireNonEmpty(String op, Shape s, boolean[] red, int[] axes) {
        for (int i = 0; i < red.length; i++) {
            if (red[i] && s.dim(i) == 0) {
                throw new IllegalArgumentException(op + ": axis " + i + " of shape " + s + " is empty, so it has no maximum (axes "
                        + java.util.Arrays.toString(axes) + ")");
            }
        }
    }

    /** How many elements reduce into each output element. */
    static int count(Shape s, boolean[] red) {
        int n = 1;
        for (int i = 0; i < red.length; i++) if (red[i]) n *= s.dim(i);
        return n;
    }
}
