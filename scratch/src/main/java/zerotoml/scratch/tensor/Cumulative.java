package zerotoml.scratch.tensor;

/**
 * Running sums and products along one axis (torch.cumsum, torch.cumprod): element j of a lane is
 * the sum or product of the lane's elements 0 … j. Diffusion's ᾱ_t = Π_{s≤t} α_s and RL's
 * discounted returns are built on them.
 */
public final class Cumulative {
    private Cumulative() {}

    /** The lanes of a shape along one axis: {@code outer} blocks of {@code n} steps, {@code inner} apart. */
    private record Lanes(int outer, int n, int inner) {
        static Lanes of(Shape s, int axis) {
            int[] d = s.dims();
            int outer = 1, inner = 1;
            for (int i = 0; i < axis; i++) outer *= d[i];
            for (int i = axis + 1; i < d.length; i++) inner *= d[i];
            return new Lanes(outer, d[axis], inner);
        }

        /** The flat index of step j of lane (o, i). */
        int at(int o, int j, int i) {
            return (o * n + j) * inner + i;
        }
    }

    /** The axis, normalised; a 0-d tensor is one lane of one element (axis 0 or -1), as in PyTorch. */
    private static int axis(String op, Tensor x, int axis) {
        if (x.rank() == 0) {
            if (axis != 0 && axis != -1) {
                throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for a 0-d tensor (x " + x.shape() + ", valid axes -1..0)");
            }
            return -1;
        }
        return x.shape().axis(op, axis);
    }

    // out_j = Σ_{k≤j} x_k;  ∂x_k = Σ_{j≥k} g_j  (a running sum from the end of the lane)
    /** torch.cumsum(x, axis). */
    public static Tensor cumsum(Tensor x, int axis) {
        Args.nonNull("cumsum", "x", x);
        int a = axis("cumsum", x, axis);
        if (a < 0) return Shapes.reshape(cumsum(Shapes.reshape(x, 1), 0));
        Lanes l = Lanes.of(x.shape(), a);
        return Tensor.record("cumsum", x.shape(), x.dtype(), scan(x.toArray(), l, false),
                g -> new Tensor[] {Tensor.of(g.dtype(), scan(g.toArray(), l, true), g.shape())}, x);
    }

    /** Running sums of every lane, from the start (or, when {@code reverse}, from the end). */
    private static double[] scan(double[] v, Lanes l, boolean reverse) {
        double[] out = new double[v.length];
        for (int o = 0; o < l.outer; o++) {
            for (int i = 0; i < l.inner; i++) {
                double acc = 0;
                for (int s = 0; s < l.n; s++) {
                    int j = reverse ? l.n - 1 - s : s;
                    acc += v[l.at(o, j, i)];
                    out[l.at(o, j, i)] = acc;
                }
            }
        }
        return out;
    }

    // out_j = Π_{k≤j} x_k;  ∂x_k = Σ_{j≥k} g_j · Π_{m≤j, m≠k} x_m
    /**
     * torch.cumprod(x, axis). The gradient is the product rule written out, Π over every factor but
     * x_k, so a zero in the lane gives the exact gradient, not 0/0 (what dividing out_j by x_k
     * would give). That costs O(n²) per lane of n steps, fine for the lanes it is used on.
     */
    public static Tensor cumprod(Tensor x, int axis) {
        Args.nonNull("cumprod", "x", x);
        int a = axis("cumprod", x, axis);
        if (a < 0) return Shapes.reshape(cumprod(Shapes.reshape(x, 1), 0));
        Lanes l = Lanes.of(x.shape(), a);
        double[] v = x.toArray();
        double[] out = new double[v.length];
        for (int o = 0; o < l.outer; o++) {
            for (int i = 0; i < l.inner; i++) {
                double acc = 1;
                for (int j = 0; j < l.n; j++) {
                    acc *= v[l.at(o, j, i)];
                    out[l.at(o, j, i)] = acc;
                }
            }
        }
        return Tensor.record("cumprod", x.shape(), x.dtype(), out, g -> {
            double[] gv = g.toArray(), gx = new double[v.length];
            for (int o = 0; o < l.outer; o++) {
                for (int i = 0; i < l.inner; i++) {
                    double before = 1; // Π_{m<k} x_m
                    for (int k = 0; k < l.n; k++) {
                        // Σ_{j≥k} g_j · Π_{k<m≤j} x_m, accumulated as the product after x_k grows
                        double after = 1, sum = 0;
                        for (int j = k; j < l.n; j++) {
                            if (j > k) after *= v[l.at(o, j, i)];
                            sum += gv[l.at(o, j, i)] * after;
                        }
                        gx[l.at(o, k, i)] = before * sum;
                        before *= v[l.at(o, k, i)];
                    }
                }
            }
            return new Tensor[] {Tensor.of(g.dtype(), gx, g.shape())};
        }, x);
    }
}
