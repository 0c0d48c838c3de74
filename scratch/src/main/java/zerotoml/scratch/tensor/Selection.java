package zerotoml.scratch.tensor;

import zerotoml.scratch.kernels.Gates;

/**
 * Element-wise selection: clamp, maximum, minimum and where, with NumPy broadcasting and
 * PyTorch's gradient rules where the choice is a tie.
 */
public final class Selection {
    private Selection() {}

    // out = min(max(x, lo), hi);  ∂x = g · [lo ≤ x ≤ hi]
    /**
     * torch.clamp(x, min, max). The bounds are rounded to x's dtype first, as PyTorch does. The
     * gradient passes where lo ≤ x ≤ hi, bounds included (PyTorch's {@code clamp_backward}). When
     * lo > hi every element becomes hi and no gradient passes, which is what PyTorch documents.
     * An infinite bound leaves that side open.
     */
    public static Tensor clamp(Tensor x, double min, double max) {
        Args.nonNull("clamp", "x", x);
        double lo = x.dtype().round(min), hi = x.dtype().round(max);
        // x < lo ? lo : x, then > hi ? hi : x, as PyTorch's kernel: −0 clamped at 0 stays −0, NaN stays NaN
        return Elementwise.unary("clamp", x, v -> {
                    double w = v < lo ? lo : v;
                    return hi < w ? hi : w;
                },
                (g, in, o) -> gated(g, Elementwise.map(in, v -> v >= lo && v <= hi ? 1 : 0)));
    }

    // out = max(a, b);  ∂a = g · (1 − [a < b] − ½[a = b]),  ∂b = g · (1 − [b < a] − ½[a = b])   (NaN: both take g)
    /** torch.maximum: element-wise, broadcasting; on a tie each side gets half the gradient. */
    public static Tensor maximum(Tensor a, Tensor b) {
        return Elementwise.binary("maximum", a, b, (u, v) -> u != u || v != v ? Double.NaN : u > v ? u : v, (g, x, y, o) -> new Tensor[] {
            gated(g, Elementwise.zip("maximum", x, y, (u, v) -> share(u, v))),
            gated(g, Elementwise.zip("maximum", x, y, (u, v) -> share(v, u)))
        });
    }

    // out = min(a, b);  ∂a = g · (1 − [a > b] − ½[a = b]),  ∂b = g · (1 − [b > a] − ½[a = b])   (NaN: both take g)
    /** torch.minimum: element-wise, broadcasting; on a tie each side gets half the gradient. */
    public static Tensor minimum(Tensor a, Tensor b) {
        return Elementwise.binary("minimum", a, b, (u, v) -> u != u || v != v ? Double.NaN : u < v ? u : v, (g, x, y, o) -> new Tensor[] {
            gated(g, Elementwise.zip("minimum", x, y, (u, v) -> share(v, u))),
            gated(g, Elementwise.zip("minimum", x, y, (u, v) -> share(u, v)))
        });
    }

    // out = share ≠ 0 ? g · share : +0;  ∂g = gated(upstream, share)
    /**
     * g · share where the share is not 0, and +0 where it is: PyTorch masks gradients with where and
     * masked_fill, so a blocked gradient is +0, never the −0 that g · 0 gives for a negative g.
     * Differentiable in g. With g and share of one shape and dtype (the usual case) one kernel,
     * {@link Gates#gate}; else the product and the where it fuses, with the same values.
     */
    static Tensor gated(Tensor g, Tensor share) {
        if (!g.shape().equals(share.shape()) || g.dtype() != share.dtype()) {
            return where(share, Arithmetic.mul(g, share), Tensor.scalar(g.dtype(), 0));
        }
        int n = g.size();
        Storage out = Elementwise.filled(g.dtype(), n, r -> Gates.gate(g.floats(), share.floats(), r, n), r -> Gates.gate(g.doubles(), share.doubles(), r, n));
        return Tensor.record("gated", g.shape(), out, up -> new Tensor[] {gated(up, share), null}, g, share);
    }

    /**
     * The share of the gradient that goes to u when the larger of u and v wins: ½ on a tie, 0 when
     * u &lt; v, else 1. As in PyTorch's derivatives.yaml ({@code where(self == other, grad / 2,
     * grad).masked_fill_(self < other, 0)}), a NaN on either side compares false both ways, so
     * both inputs take the whole gradient.
     */
    private static double share(double u, double v) {
        return u == v ? 0.5 : u < v ? 0 : 1;
    }

    // out = cond ≠ 0 ? a : b;  ∂a = g · [cond ≠ 0],  ∂b = g · [cond = 0];  cond takes no gradient
    /**
     * torch.where(cond, a, b) with a numeric condition: every non-zero element of {@code cond}
     * (NaN included) picks from a, zero picks from b. The three shapes broadcast together; the
     * result has a and b's promoted dtype.
     */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        Args.nonNull("where", "cond", cond);
        Args.nonNull("where", "a", a);
        Args.nonNull("where", "b", b);
        Shape s;
        try {
            s = Shape.broadcast("where", Shape.broadcast("where", cond.shape(), a.shape()), b.shape());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("where: shapes do not broadcast (cond " + cond.shape() + ", a " + a.shape()
                    + ", b " + b.shape() + ")", e);
        }
        double[] c = Elementwise.expand(cond, s);
        double[] x = Elementwise.expand(a, s);
        double[] y = Elementwise.expand(b, s);
        double[] out = new double[c.length];
        for (int i = 0; i < out.length; i++) out[i] = c[i] != 0 ? x[i] : y[i];
        DType dt = DType.promote(a.dtype(), b.dtype());
        return Tensor.record("where", s, dt, out, g -> {
            double[] gd = g.doubles();
            double[] ga = new double[gd.length], gb = new double[gd.length];
            for (int i = 0; i < gd.length; i++) {
                if (c[i] != 0) ga[i] = gd[i];
                else gb[i] = gd[i];
            }
            return new Tensor[] {
                null,
                Elementwise.sumTo(new Tensor(s, g.dtype(), ga), a.shape()),
                Elementwise.sumTo(new Tensor(s, g.dtype(), gb), b.shape())
            };
        }, cond, a, b);
    }
}
