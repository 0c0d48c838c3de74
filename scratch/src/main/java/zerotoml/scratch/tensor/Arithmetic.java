package zerotoml.scratch.tensor;

/**
 * Element-wise arithmetic with NumPy broadcasting. Each op's backward sits beside it, written
 * with the chain rule for ∂L/∂input given ∂L/∂out = g. Mixing F32 and F64 promotes to F64, as
 * PyTorch does; a Java {@code double} argument takes the tensor's dtype.
 */
public final class Arithmetic {
    private Arithmetic() {}

    // out = a + b;  ∂a = g, ∂b = g
    public static Tensor add(Tensor a, Tensor b) {
        return Elementwise.binary("add", a, b, Double::sum, (g, x, y, o) -> new Tensor[] {g, g});
    }

    // out = a - b;  ∂a = g, ∂b = -g
    public static Tensor sub(Tensor a, Tensor b) {
        return Elementwise.binary("sub", a, b, (x, y) -> x - y, (g, x, y, o) -> new Tensor[] {g, neg(g)});
    }

    // out = a * b;  ∂a = g * b, ∂b = g * a
    public static Tensor mul(Tensor a, Tensor b) {
        return Elementwise.binary("mul", a, b, (x, y) -> x * y, (g, x, y, o) -> new Tensor[] {mul(g, y), mul(g, x)});
    }

    // out = a / b;  ∂a = g / b, ∂b = -g * a / b²
    public static Tensor div(Tensor a, Tensor b) {
        return Elementwise.binary("div", a, b, (x, y) -> x / y,
                (g, x, y, o) -> new Tensor[] {div(g, y), neg(div(mul(g, x), mul(y, y)))});
    }

    // out = -x;  ∂x = -g
    public static Tensor neg(Tensor x) {
        return Elementwise.unary("neg", x, v -> -v, (g, in, o) -> neg(g));
    }

    // out = aᵇ;  ∂a = g * b * aᵇ⁻¹, ∂b = g * aᵇ * ln a
    public static Tensor pow(Tensor a, Tensor b) {
        return Elementwise.binary("pow", a, b, Math::pow, (g, x, y, o) -> new Tensor[] {
            mul(g, mul(y, pow(x, sub(y, Tensor.scalar(y.dtype(), 1))))),
            mul(g, mul(o, log(x)))
        });
    }

    // out = xᵖ;  ∂x = g * p * xᵖ⁻¹
    public static Tensor pow(Tensor x, double p) {
        return Elementwise.unary("pow", x, v -> Math.pow(v, p), (g, in, o) -> mul(g, mul(pow(in, p - 1), p)));
    }

    // out = eˣ;  ∂x = g * out
    public static Tensor exp(Tensor x) {
        return Elementwise.unary("exp", x, Math::exp, (g, in, o) -> mul(g, o));
    }

    // out = ln x;  ∂x = g / x
    public static Tensor log(Tensor x) {
        return Elementwise.unary("log", x, Math::log, (g, in, o) -> div(g, in));
    }

    // out = √x;  ∂x = g / (2 √x)
    public static Tensor sqrt(Tensor x) {
        return Elementwise.unary("sqrt", x, Math::sqrt, (g, in, o) -> div(g, mul(o, 2)));
    }

    // out = |x|;  ∂x = g * sign(x), with sign(0) = 0 as in PyTorch
    public static Tensor abs(Tensor x) {
        return Elementwise.unary("abs", x, Math::abs, (g, in, o) -> mul(g, Elementwise.map(in, Math::signum)));
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
