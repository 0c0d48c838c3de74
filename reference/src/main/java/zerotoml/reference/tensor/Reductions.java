package zerotoml.reference.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

/**
 * Reductions on PyTorch. An empty axes array means every axis, as in scratch. DJL's mean and max
 * take one axis only (DJL.md §1.2), and DJL has no var, amax or logsumexp, so those are composed
 * from NDArray ops following PyTorch's own definitions, cited at each.
 */
public final class Reductions {
    private Reductions() {}

    public static NDArray sum(NDArray x, int[] axes, boolean keepDims) {
        return x.sum(all(x, axes), keepDims);
    }

    public static NDArray mean(NDArray x, int[] axes, boolean keepDims) {
        return x.sum(all(x, axes), keepDims).div(Activations.num(x, count(x, axes)));
    }

    /**
     * torch.amax(x, axes, keepDims), over every axis when none are given. PyTorch's rule for amax
     * in tools/autograd/derivatives.yaml is {@code scale_grad_by_count(restore_reduced_dims(grad),
     * restore_reduced_dims(result) == self, dim)}, i.e. g · mask / Σ_axes mask with mask = [x = m]:
     * tied maxima share the gradient equally; in a lane whose maximum is NaN the mask is empty
     * (NaN ≠ NaN), so every element of the lane gets (g / 0) · 0 = NaN. DJL has no amax, so it is
     * composed here with m (torch.max(dim) one axis at a time) and the weights w = mask / Σ mask
     * detached, in three forms chosen per lane so that no ∞ − ∞ enters a selected value:
     * <ul>
     *   <li>finite m: m + Σ (z − ẑ) · w with z = where(mask, x, 0): forward exactly m, gradient g · w;</li>
     *   <li>m = ±∞: Σ z · w, which is ±∞ (w &gt; 0 on the maxima), gradient g · w;</li>
     *   <li>m = NaN: m + Σ (x − x̂) · w, where w is NaN: forward NaN and gradient NaN on the whole lane.</li>
     * </ul>
     * Over every axis without NaN this equals torch.max(), whose evenly_distribute_backward splits
     * the gradient over ties too (a test checks it); with a NaN, torch.max() gives the gradient to
     * the NaNs only, and amax does not.
     */
    public static NDArray max(NDArray x, int[] axes, boolean keepDims) {
        if (x.getShape().dimension() == 0) {
            // a 0-d tensor reduced over axis 0 or −1 (or every axis) is itself, with amax's rule for a NaN;
            // torch's sum checks the axes as amax does (out of range, or the same axis twice)
            if (axes.length > 0) x.stopGradient().sum(axes, false);
            NDArray one = max(x.reshape(1), new int[] {0}, false);
            return one.reshape(new long[0]);
        }
        int[] a = all(x, axes);
        NDArray m = keptMax(x, a);
        NDArray xd = x.stopGradient();
        NDArray mask = xd.eq(m);
        NDArray maskF = mask.toType(x.getDataType(), false);
        NDArray w = maskF.div(maskF.sum(a, true));
        NDArray z = NDArrays.where(mask, x, x.zerosLike());
        NDArray finiteLane = z.sub(z.stopGradient()).mul(w).sum(a, true).add(m);
        NDArray infiniteLane = z.mul(w).sum(a, true);
        NDArray nanLane = x.sub(xd).mul(w).sum(a, true).add(m);
        NDArray finite = m.isNaN().logicalOr(m.isInfinite()).logicalNot();
        NDArray out = NDArrays.where(m.isNaN(), nanLane, NDArrays.where(finite, finiteLane, infiniteLane));
        return keepDims ? out : out.reshape(xd.sum(a, false).getShape());
    }

    /**
     * torch.max(x, dim, keepdim).values. DJL's {@code max(int[] {axis}, keepDims)} is the JNI call
     * {@code std::get<0>(tensor.max(dim, keepdim))}, so the backward is PyTorch's
     * value_selecting_reduction_backward: the gradient goes to the returned index. Measured on
     * PyTorch 2.7.1 CPU: that index is the first maximum ([1, 3, 3, 2] → gradient [0, 1, 0, 0]).
     * DJL's max over two or more axes throws "Only 1 axis is support!", and over none it throws
     * ArrayIndexOutOfBoundsException; max() with no argument is torch.max(), which splits the
     * gradient evenly over ties ([1, 3, 3, 2] → [0, ½, ½, 0]).
     */
    public static NDArray maxAlong(NDArray x, int axis, boolean keepDims) {
        return x.max(new int[] {axis}, keepDims);
    }

    /**
     * torch.var(x, axes, correction, keepdim) as its documentation defines it:
     * var = Σ_axes (x − x̄)² / max(0, N − correction).
     */
    public static NDArray var(NDArray x, int[] axes, int correction, boolean keepDims) {
        int[] a = all(x, axes);
        NDArray d = x.sub(mean(x, a, true));
        return d.mul(d).sum(a, keepDims).div(Activations.num(x, Math.max(0, count(x, a) - correction)));
    }

    /**
     * torch.logsumexp(x, axes, keepdim) the way ATen computes it (ReduceOps.cpp,
     * logsumexp_out_impl): m = amax(x, axes, keepdim=True) with infinities replaced by 0, then
     * log(Σ_axes exp(x − m)) + m. m is detached: PyTorch's logsumexp has its own backward,
     * g · exp(x − out), which is exactly the gradient of this expression with m held constant.
     */
    public static NDArray logsumexp(NDArray x, int[] axes, boolean keepDims) {
        int[] a = all(x, axes);
        // ATen's branch for an empty input, where amax has nothing to reduce: log Σ exp x = log 0 = −∞
        if (x.size() == 0) return x.exp().sum(a, keepDims).log();
        NDArray m = keptMax(x, a);
        m = NDArrays.where(m.abs().eq(Activations.num(m, Double.POSITIVE_INFINITY)).logicalNot(), m, m.zerosLike());
        NDArray s = x.sub(m).exp().sum(a, keepDims).log();
        return s.add(m.reshape(s.getShape()));
    }

    /** The detached maximum over the axes, keeping them as size 1 (torch.max(dim) one axis at a time). */
    private static NDArray keptMax(NDArray x, int[] axes) {
        NDArray m = x.stopGradient();
        for (int a : axes) m = m.max(new int[] {a}, true);
        return m;
    }

    /** The axes, or every axis when none are given. */
    static int[] all(NDArray x, int[] axes) {
        if (axes.length > 0) return axes;
        int[] a = new int[x.getShape().dimension()];
        for (int i = 0; i < a.length; i++) a[i] = i;
        return a;
    }

    /** How many elements reduce into each output element. */
    static long count(NDArray x, int[] axes) {
        long n = 1;
        int rank = x.getShape().dimension();
        if (rank == 0) return 1; // a 0-d tensor reduced over axis 0 or -1 is itself
        for (int a : all(x, axes)) n *= x.getShape().get(a < 0 ? a + rank : a);
        return n;
    }
}
