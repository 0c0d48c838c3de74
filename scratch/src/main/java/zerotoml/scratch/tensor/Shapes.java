package zerotoml.scratch.tensor;

import java.util.Arrays;

/** Ops that move elements without changing them: reshape, permute, transpose, broadcast. */
public final class Shapes {
    private Shapes() {}

    // out = x viewed with new dims (one may be -1);  ∂x = g reshaped back
    public static Tensor reshape(Tensor x, int... dims) {
        int[] d = dims.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < d.length; i++) {
            if (d[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: more than one -1 in " + Arrays.toString(dims) + " for shape " + x.shape());
                infer = i;
            } else if (d[i] < 0) {
                throw new IllegalArgumentException("reshape: negative dimension in " + Arrays.toString(dims) + " for shape " + x.shape());
            } else {
                known *= d[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || x.size() % known != 0) {
                throw new IllegalArgumentException("reshape: cannot infer -1 in " + Arrays.toString(dims) + " for shape " + x.shape() + " (" + x.size() + " elements)");
            }
            d[infer] = (int) (x.size() / known);
        }
        Shape s = Shape.of(d);
        if (s.size() != x.size()) {
            throw new IllegalArgumentException("reshape: shape " + x.shape() + " (" + x.size() + " elements) cannot become " + Arrays.toString(dims) + " (" + s.size() + " elements)");
        }
        if (s.equals(x.shape())) return x;
        return Tensor.record("reshape", s, x.dtype(), x.data.clone(), g -> new Tensor[] {reshape(g, x.shape().dims())}, x);
    }

    // out[i₀..] = x[i_perm(0)..];  ∂x = g permuted by the inverse permutation
    public static Tensor permute(Tensor x, int... perm) {
        int r = x.rank();
        if (perm.length != r) throw new IllegalArgumentException("permute: permutation " + Arrays.toString(perm) + " has " + perm.length + " axes but shape " + x.shape() + " has rank " + r);
        int[] p = new int[r];
        boolean[] seen = new boolean[r];
        for (int i = 0; i < r; i++) {
            p[i] = x.shape().axis("permute", perm[i]);
            if (seen[p[i]]) throw new IllegalArgumentException("permute: axis " + perm[i] + " repeats in " + Arrays.toString(perm) + " for shape " + x.shape());
            seen[p[i]] = true;
        }
        int[] inDims = x.shape().dims();
        int[] inStr = x.shape().strides();
        int[] outDims = new int[r];
        int[] srcStr = new int[r];
        for (int i = 0; i < r; i++) {
            outDims[i] = inDims[p[i]];
            srcStr[i] = inStr[p[i]];
        }
        double[] out = new double[x.size()];
        int[] idx = new int[r];
        int src = 0;
        for (int i = 0; i < out.length; i++) {
            out[i] = x.data[src];
            for (int k = r - 1; k >= 0; k--) {
                if (++idx[k] < outDims[k]) {
                    src += srcStr[k];
                    break;
                }
                src -= srcStr[k] * (outDims[k] - 1);
                idx[k] = 0;
            }
        }
        int[] inverse = new int[r];
        for (int i = 0; i < r; i++) inverse[p[i]] = i;
        return Tensor.record("permute", Shape.of(outDims), x.dtype(), out, g -> new Tensor[] {permute(g, inverse)}, x);
    }

    /** Swaps two axes. */
    public static Tensor transpose(Tensor x, int a, int b) {
        int[] perm = new int[x.rank()];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        int na = x.shape().axis("transpose", a);
        int nb = x.shape().axis("transpose", b);
        perm[na] = nb;
        perm[nb] = na;
        return permute(x, perm);
    }

    // out = x repeated along new leading axes and size-1 axes;  ∂x = g summed back
    public static Tensor broadcastTo(Tensor x, int... dims) {
        Shape target = Shape.of(dims);
        Shape s = Shape.broadcast("broadcastTo", x.shape(), target);
        if (!s.equals(target)) {
            throw new IllegalArgumentException("broadcastTo: shape " + x.shape() + " cannot be broadcast to " + target);
        }
        if (s.equals(x.shape())) return x;
        double[] out = Elementwise.expand(x, s);
        return Tensor.record("broadcastTo", s, x.dtype(), out, g -> new Tensor[] {Elementwise.sumTo(g, x.shape())}, x);
    }
}
