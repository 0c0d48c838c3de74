package zerotoml.scratch.tensor;

import zerotoml.scratch.kernels.Pointwise;
import zerotoml.scratch.kernels.Unary;

/**
 * Element-wise arithmetic with NumPy broadcasting. Each op's backward sits beside it, written
 * with the chain rule for ∂L/∂input given ∂L/∂out = g. Mixing F32 and F64 promotes to F64, as
 * PyTorch does; a Java {@code double} argument takes the tensor's dtype.
 */
public final class Arithmetic {
    private Arithmetic() {}

    // out = a + b;  ∂a = g, ∂b = g
    /** a + b, element-wise with broadcasting; the result has the promoted dtype. */
    public static Tensor add(Tensor a, Tensor b) {
        return Elementwise.binary("add", a, b, Pointwise.Op.ADD, (g, x, y, o) -> new Tensor[] {g, g});
    }

    // out = a - b;  ∂a = g, ∂b = -g
    /** a − b, element-wise with broadcasting. */
    public static Tensor sub(Tensor a, Tensor b) {
        return Elementwise.binary("sub", a, b, Pointwise.Op.SUB, (g, x, y, o) -> new Tensor[] {g, neg(g)});
    }

    // out = a * b;  ∂a = g * b, ∂b = g * a
    /** a · b, element-wise with broadcasting. */
    public static Tensor mul(Tensor a, Tensor b) {
        return Elementwise.binary("mul", a, b, Pointwise.Op.MUL, (g, x, y, o) -> new Tensor[] {mul(g, y), mul(g, x)});
    }

    // out = a / b;  ∂a = g / b, ∂b = -g * ((a / b) / b)
    /**
     * a / b, element-wise with broadcasting. The divisor's gradient is −g · ((a / b) / b), in
     * PyTorch's order (div_tensor_other_backward): −g·a / (b·b) overflows or underflows in b·b
     * (NaN for a = 0, b = 1e-25 in float32), and in float32 its three roundings differ from
     * PyTorch's, which a 20,000-case run saw as a 1.3× tolerance miss after cancellation in the sum
     * over a broadcast axis.
     */
    public static Tensor div(Tensor a, Tensor b) {
        return Elementwise.binary("div", a, b, Pointwise.Op.DIV,
                (g, x, y, o) -> new Tensor[] {div(g, y), mul(neg(g), div(div(x, y), y))});
    }

    // out = -x;  ∂x = -g
    /** −x. */
    public static Tensor neg(Tensor x) {
        return Elementwise.unary("neg", x, Unary.NEG, (g, in, o) -> neg(g));
    }

    // out = aᵇ (C99: 1ʸ = 1, (−1)^±∞ = 1);  ∂a = g * b * aᵇ⁻¹ (0 where b = 0), ∂b = g * aᵇ * ln a (0 where a = 0 and b ≥ 0)
    /**
     * Element-wise power with broadcasting. The gradient follows PyTorch's pow_backward_self and
     * pow_backward_exponent: where b = 0 the base takes no gradient (not 0 · a⁻¹, NaN at a = 0),
     * and where a = 0 and b ≥ 0 the exponent takes none (not 0 · ln 0).
     */
    public static Tensor pow(Tensor a, Tensor b) {
        return Elementwise.binary("pow", a, b, Arithmetic::pow, (g, x, y, o) -> new Tensor[] {
            // PyTorch's pow_backward_self, op by op in the dtype: where(b = 0, 0, g · (b · a^(b−1)));
            // in float32, a^(b−1) overflows to ∞ for a = 1e-40, b = 1e-25 there as here
            Selection.where(Elementwise.zip("pow", x, y, (u, v) -> v == 0 ? 0 : 1),
                    mul(g, mul(y, Elementwise.zip("pow", x, sub(y, Tensor.scalar(y.dtype(), 1)), Arithmetic::pow))), Tensor.scalar(g.dtype(), 0)),
            // pow_backward_exponent: g · where(a = 0 and b ≥ 0, 0, aᵇ · ln a), masked inside the product
            mul(g, Selection.where(Elementwise.zip("pow", x, y, (u, v) -> u == 0 && v >= 0 ? 0 : 1), mul(o, log(x)), Tensor.scalar(g.dtype(), 0)))
        });
    }

    /**
     * C99's pow (what PyTorch calls), which differs from Java's {@link Math#pow} in two places:
     * pow(1, y) is 1 for every y, NaN included, and pow(−1, ±∞) is 1. Java gives NaN for both.
     */
    static double pow(double u, double v) {
        if (u == 1 || (u == -1 && Double.isInfinite(v))) return 1;
        return Math.pow(u, v);
    }

    // out = xᵖ;  ∂x = g * p * xᵖ⁻¹  (0 when p = 0, as PyTorch's pow_backward)
    /** xᵖ for a constant exponent; the gradient is 0 when p = 0, as in PyTorch. */
    public static Tensor pow(Tensor x, double p) {
        return Elementwise.unary("pow", x, v -> pow(v, p),
                (g, in, o) -> p == 0 ? mul(g, 0) : mul(g, mul(pow(in, p - 1), p)));
    }

    // out = eˣ;  ∂x = g * out
    /** Element-wise eˣ. */
    public static Tensor exp(Tensor x) {
        return Elementwise.unary("exp", x, Unary.EXP, (g, in, o) -> mul(g, o));
    }

    // out = ln x;  ∂x = g / x
    /** Element-wise natural logarithm (−∞ at 0, NaN below). */
    public static Tensor log(Tensor x) {
        return Elementwise.unary("log", x, Unary.LOG, (g, in, o) -> div(g, in));
    }

    // out = √x;  ∂x = g / (2 √x)
    /** Element-wise square root. */
    public static Tensor sqrt(Tensor x) {
        return Elementwise.unary("sqrt", x, Unary.SQRT, (g, in, o) -> div(g, mul(o, 2)));
    }

    // out = |x|;  ∂x = g * sign(x), with sign(0) = 0 as in PyTorch
    /** Element-wise |x|; the gradient at 0 (and at NaN) is 0, as in PyTorch. */
    public static Tensor abs(Tensor x) {
        return Elementwise.unary("abs", x, Unary.ABS, (g, in, o) -> mul(g, Elementwise.map(in, Arithmetic::sign)));
    }

    /** PyTorch's sgn for abs's backward: -1, 0 or 1, and 0 for NaN (Math.signum returns NaN). */
    private static double sign(double v) {
        return v > 0 ? 1 : v < 0 ? -1 : 0;
    }

    // out = sin x;  ∂x = g · cos x
    /** Element-wise sine. */
    public static Tensor sin(Tensor x) {
        return Elementwise.unary("sin", x, Math::sin, (g, in, o) -> mul(g, Elementwise.map(in, Math::cos)));
    }

    // out = cos x;  ∂x = −g · sin x
    /** Element-wise cosine. */
    public static Tensor cos(Tensor x) {
        return Elementwise.unary("cos", x, Math::cos, (g, in, o) -> mul(g, Elementwise.map(in, v -> -Math.sin(v))));
    }

    /** a + c for a constant c in a's dtype. */
    public static Tensor add(Tensor a, double c) {
        return add(a, Tensor.scalar(a.dtype(), c));
    }

    /** a * c for a constant c in a's dtype. */
    public static Tensor mul(Tensor a, double c) {
        return mul(a, Tensor.scalar(a.dtype(), c));
    }
}
