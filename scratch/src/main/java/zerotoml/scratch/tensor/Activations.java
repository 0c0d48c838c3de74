package zerotoml.scratch.tensor;

import zerotoml.scratch.kernels.Erf;
import zerotoml.scratch.kernels.Gelu;
import zerotoml.scratch.kernels.GeluTanh;
import zerotoml.scratch.kernels.Pointwise;
import zerotoml.scratch.kernels.Unary;

/**
 * Element-wise activations with PyTorch's semantics, each a primitive with its backward beside it.
 *
 * <p>GELU is from "Gaussian Error Linear Units (GELUs)", Hendrycks and Gimpel, arXiv:1606.08415:
 * the exact form x·Φ(x) ({@code torch.nn.functional.gelu(x)}) and the tanh approximation
 * ({@code approximate='tanh'}). Java has no erf, so {@link #erf(double)} is written here.
 */
public final class Activations {
    private Activations() {}

    /** √(2/π), the scale inside the tanh approximation of GELU. */
    static final double SQRT_2_OVER_PI = 0.7978845608028654;
    /** The cubic coefficient of the tanh approximation of GELU. */
    static final double GELU_KAPPA = 0.044715;
    /** 1/√2. */
    static final double SQRT_HALF = 0.7071067811865476;
    /** 2/√π. */
    static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    /** 1/√(2π), the peak of the standard normal density. */
    static final double INV_SQRT_2PI = 0.3989422804014327;

    // out = tanh x;  ∂x = g · (1 − out²)
    /** Element-wise hyperbolic tangent. */
    public static Tensor tanh(Tensor x) {
        return Elementwise.unary("tanh", x, Unary.TANH, (g, in, o) -> Elementwise.gradFromOutput(g, o, Pointwise.Slope.TANH));
    }

    // out = σ(x) = 1 / (1 + e⁻ˣ);  ∂x = g · out · (1 − out)
    /** Element-wise logistic sigmoid 1 / (1 + e^(−x)), computed without overflow for large |x|. */
    public static Tensor sigmoid(Tensor x) {
        return Elementwise.unary("sigmoid", x, Unary.SIGMOID, (g, in, o) -> Elementwise.gradFromOutput(g, o, Pointwise.Slope.SIGMOID));
    }

    /** σ(v) without overflow: e^v / (1 + e^v) for negative v, 1 / (1 + e⁻ᵛ) otherwise. */
    static double sigmoid(double v) {
        if (v >= 0) return 1 / (1 + Math.exp(-v));
        double e = Math.exp(v);
        return e / (1 + e);
    }

    // out = max(x, 0);  ∂x = g · [¬(x ≤ 0)]   (PyTorch: 0 at exactly 0, g at NaN)
    /** Element-wise max(x, 0); NaN stays NaN and −0 stays −0 (PyTorch's clamp_min: x &lt; 0 ? 0 : x). */
    public static Tensor relu(Tensor x) {
        return Elementwise.unary("relu", x, Unary.RELU,
                // PyTorch's threshold_backward zeroes g where x ≤ 0 only, so a NaN input passes g through
                (g, in, o) -> Elementwise.reluGrad(g, in));
    }

    // out = x · Φ(x) = x/2 · (1 + erf(x/√2));  ∂x = g · (Φ(x) + x · φ(x)),  φ(x) = e^{−x²/2}/√(2π)
    /** Exact GELU, x · Φ(x) with the standard normal CDF Φ (PyTorch's {@code approximate='none'}). */
    public static Tensor gelu(Tensor x) {
        Args.nonNull("gelu", "x", x);
        int n = x.size();
        double[] erfs = new double[n];
        // erf, the costly part, is computed once per element (all at once, kernels.Erf) and kept for the backward pass
        if (x.dtype() == DType.F32) {
            // on the tensor's own floats: the same doubles as the widened copy, the result rounded to float once
            float[] out = new float[n];
            Gelu.forward(x.floats(), erfs, out, n);
            return Tensor.record("gelu", x.shape(), new Storage.Floats(out), g -> new Tensor[] {geluBackward(g, x, erfs)}, x);
        }
        double[] out = new double[n];
        Gelu.forward(x.doubles(), erfs, out, n);
        return Tensor.record("gelu", x.shape(), new Storage.Doubles(out), g -> new Tensor[] {geluBackward(g, x, erfs)}, x);
    }

    // ∂x = g · (Φ(x) + x φ(x)), the slope rounded to x's dtype, then the product (one fused pass when g has x's shape and dtype)
    private static Tensor geluBackward(Tensor g, Tensor x, double[] erfs) {
        int n = erfs.length;
        if (g.shape().equals(x.shape()) && g.dtype() == x.dtype()) {
            if (x.dtype() == DType.F32) {
                float[] r = new float[n];
                Gelu.backward(g.floats(), x.floats(), erfs, r, n);
                return new Tensor(x.shape(), new Storage.Floats(r));
            }
            double[] r = new double[n];
            Gelu.backward(g.doubles(), x.doubles(), erfs, r, n);
            return new Tensor(x.shape(), new Storage.Doubles(r));
        }
        double[] v = x.doubles(), d = new double[n];
        for (int i = 0; i < n; i++) d[i] = 0.5 * (1 + erfs[i]) + v[i] * INV_SQRT_2PI * Math.exp(-0.5 * v[i] * v[i]);
        return Arithmetic.mul(g, new Tensor(x.shape(), x.dtype(), d));
    }

    // out = x/2 · (1 + tanh u),  u = √(2/π) · (x + κx³);
    // ∂x = g · (½(1 + tanh u) + x/2 · (1 − tanh²u) · √(2/π) · (1 + 3κx²))
    /** GELU's tanh approximation (PyTorch's {@code approximate='tanh'}). */
    public static Tensor geluTanh(Tensor x) {
        Args.nonNull("geluTanh", "x", x);
        if (x.dtype() == DType.F32) {
            // in float, as PyTorch's float32 kernel (kernels.GeluTanh); the backward fused with the cotangent
            int n = x.size();
            float[] out = new float[n];
            GeluTanh.forward(x.floats(), out, n);
            return Tensor.record("geluTanh", x.shape(), new Storage.Floats(out), g -> new Tensor[] {geluTanhBackward(g, x)}, x);
        }
        return Elementwise.unary("geluTanh", x, v -> 0.5 * v * (1 + Math.tanh(geluInner(v))),
                (g, in, o) -> Arithmetic.mul(g, Elementwise.map(in, v -> {
                    double t = Math.tanh(geluInner(v));
                    return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * GELU_KAPPA * v * v);
                })));
    }

    // ∂x = g · gelu'(x) in float: one fused pass when g is F32 in x's shape, else the slopes as an F32 tensor times g
    private static Tensor geluTanhBackward(Tensor g, Tensor x) {
        int n = x.size();
        if (g.shape().equals(x.shape()) && g.dtype() == DType.F32) {
            float[] r = new float[n];
            GeluTanh.backward(g.floats(), x.floats(), r, n);
            return new Tensor(x.shape(), new Storage.Floats(r));
        }
        float[] ones = new float[n], slopes = new float[n];
        java.util.Arrays.fill(ones, 1f);
        GeluTanh.backward(ones, x.floats(), slopes, n);
        return Arithmetic.mul(g, new Tensor(x.shape(), new Storage.Floats(slopes)));
    }

    private static double geluInner(double v) {
        return SQRT_2_OVER_PI * (v + GELU_KAPPA * v * v * v);
    }

    // out = x · σ(x);  ∂x = g · σ(x) · (1 + x · (1 − σ(x)))
    /**
     * SiLU, also called Swish (β = 1): x · σ(x), from "Sigmoid-Weighted Linear Units for Neural
     * Network Function Approximation in Reinforcement Learning" (Elfwing et al., arXiv 1702.03118) and
     * "Searching for Activation Functions" (Ramachandran et al., arXiv 1710.05941); torch.nn.functional.silu.
     */
    public static Tensor silu(Tensor x) {
        return Elementwise.unary("silu", x, v -> v * sigmoid(v),
                (g, in, o) -> Arithmetic.mul(g, Elementwise.map(in, v -> {
                    double s = sigmoid(v);
                    return s * (1 + v * (1 - s));
                })));
    }

    // out = x · tanh(softplus(x));  ∂x = g · (tanh(sp) + x · σ(x) · (1 − tanh²(sp))),  sp = ln(1 + eˣ)
    /**
     * Mish: x · tanh(ln(1 + eˣ)), from "Mish: A Self Regularized Non-Monotonic Activation Function"
     * (Misra, arXiv 1908.08681); torch.nn.functional.mish. The softplus inside is computed without
     * overflow as max(x, 0) + ln(1 + e^{−|x|}).
     */
    public static Tensor mish(Tensor x) {
        return Elementwise.unary("mish", x, v -> v * Math.tanh(softplusExact(v)),
                (g, in, o) -> Arithmetic.mul(g, Elementwise.map(in, v -> {
                    double t = Math.tanh(softplusExact(v));
                    return t + v * sigmoid(v) * (1 - t * t);
                })));
    }

    /** ln(1 + eᵛ) for every v, without overflow (no threshold, unlike {@link #softplus}). */
    static double softplusExact(double v) {
        return Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
    }

    /** PyTorch's default softplus threshold: above it softplus returns x itself. */
    public static final double SOFTPLUS_THRESHOLD = 20;

    // out = x if x > 20, else ln(1 + eˣ)   (torch.nn.functional.softplus, beta 1, threshold 20);
    // ∂x = g if x > 20, else g · eˣ / (1 + eˣ)
    /** Element-wise ln(1 + eˣ), linear above {@link #SOFTPLUS_THRESHOLD} as in PyTorch. */
    public static Tensor softplus(Tensor x) {
        return Elementwise.unary("softplus", x,
                v -> v > SOFTPLUS_THRESHOLD ? v : Math.log1p(Math.exp(v)),
                (g, in, o) -> Arithmetic.mul(g, Elementwise.map(in, v -> v > SOFTPLUS_THRESHOLD ? 1 : sigmoid(v))));
    }

    // out = erf x;  ∂x = g · 2/√π · e^{−x²}
    /** Element-wise error function. */
    public static Tensor erf(Tensor x) {
        return Elementwise.unary("erf", x, Activations::erf,
                (g, in, o) -> Arithmetic.mul(g, Elementwise.map(in, v -> TWO_OVER_SQRT_PI * Math.exp(-v * v))));
    }

    /**
     * The error function erf(x) = 2/√π ∫₀ˣ e^{−t²} dt, to about 1e-15 relative: {@link Erf#naive}
     * (its comment gives the method), the kernel's oracle.
     */
    public static double erf(double x) {
        return Erf.naive(x);
    }
}
