package zerotoml.parity.tensor;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gen;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.tensor.Activations;
import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.LinearAlgebra;
import zerotoml.scratch.tensor.Reductions;
import zerotoml.scratch.tensor.Selection;
import zerotoml.scratch.tensor.Softmax;
import zerotoml.scratch.tensor.Tensor;

/**
 * The special values, as an exhaustive grid: every element-wise op over every special value (NaN,
 * ±∞, ±0, ±1, ½, 2, subnormals of both dtypes, magnitudes that overflow float32 or float64 or
 * whose products do, and the points where exp overflows or underflows float32), every binary op
 * over every pair of them, and softmax, log-softmax and logsumexp over lanes holding them; in both
 * dtypes, outputs and gradients. PyTorch's rule is the contract: assert_close(equal_nan=True),
 * and the sign of every zero compared too. Where PyTorch's float32 kernel is the one that is wrong
 * (gelu overflows inside its kernel at ±∞ and 1e30), the harness's adjudication decides from float64
 * evidence, and the report carries the verdict; nothing is left out. Each property draws one of the
 * fixed vectors and a random cotangent; finite differences do not apply, since every vector sits on
 * a kink, a pole or a non-finite value on purpose.
 */
class EdgeValuesParityTest {
    static final double NAN = Double.NaN, INF = Double.POSITIVE_INFINITY;
    static final String NO_FD = "the inputs are NaN, infinite, or exactly on a kink or pole on purpose";

    /** Values for unary ops: non-finite, signed zeros, subnormals, overflow of float32 and float64, exp's overflow and underflow. */
    static final double[] UNARY = {NAN, INF, -INF, 0, -0.0, 1, -1, 0.5, 2, -2, 1e-40, -1e-40, 4.9e-324, 1e-310, 1e38, -1e38, 3e38,
        1e308, -1e308, 1e30, -1e30, 100, -100, 88.8, -104, 20, -20};

    /**
     * The finite points where PyTorch's float32 gelu kernels overflow inside (x³ in geluTanh, x² in
     * gelu's derivative) although the exact values are finite: the gelu rows of the grid hold every
     * other special value, and these have their own rows, below, where adjudication decides. Finite,
     * so that the finite differences behind a verdict are finite too.
     */
    static final double[] GELU_OVERFLOW = {1e38, -1e38, 3e38, 1e30, -1e30, 1e20, -1e20, 1e13, -1e13};

    /** {@link #UNARY} without {@link #GELU_OVERFLOW}. */
    static final double[] GELU_GRID = Arrays.stream(UNARY).filter(v -> Arrays.stream(GELU_OVERFLOW).noneMatch(o -> o == v)).toArray();

    /** Values for binary ops, every pair of them: products and quotients that overflow and underflow (1e-25 / 1e20 / 1e30 / 1e38 / 1e308). */
    static final double[] PAIRS = {NAN, INF, -INF, 0, -0.0, 1, -1, 0.5, 2, 1e-25, 1e20, 1e30, -1e38, 1e-40, 1e308};

    /** Lanes (rows) for softmax, log-softmax and logsumexp: an infinity, a NaN, equal huge values, all −∞, signed zeros. */
    static final double[][] LANES = {{INF, 1, 2}, {-INF, 1, 2}, {NAN, 1, 2}, {1e38, 1e38, 1e38}, {-INF, -INF, -INF}, {1e308, 1e308, 1e308},
        {0, -0.0, 0}, {3e38, 3e38, 1}, {INF, INF, 1}, {-1e38, 0, 1e38}, {88.8, 88.8, -104}, {1, 2, 3}};

    /** One of the fixed vectors for each input, a random cotangent. */
    static Gen<Case> fixed(double[]... inputs) {
        return s -> {
            List<Arr> in = new ArrayList<>();
            for (double[] v : inputs) in.add(new Arr(new int[] {v.length}, v));
            return new Case(in, Cases.cotangentSeed(s));
        };
    }

    /** The lanes as one [lanes, 3] input, a random cotangent. */
    static Gen<Case> lanes() {
        double[] flat = new double[LANES.length * 3];
        for (int i = 0; i < LANES.length; i++) System.arraycopy(LANES[i], 0, flat, 3 * i, 3);
        return s -> new Case(List.of(new Arr(new int[] {LANES.length, 3}, flat)), Cases.cotangentSeed(s));
    }

    /** Inputs of these shapes with values in [-3, 3] (none at all where a dimension is 0), a random cotangent. */
    static Gen<Case> shaped(int[]... shapes) {
        return s -> {
            List<Arr> in = new ArrayList<>();
            for (int[] sh : shapes) in.add(Cases.arr(s, sh, Domain.standard()));
            return new Case(in, Cases.cotangentSeed(s));
        };
    }

    static OpSpec empty(String name, Gen<Case> cases, Function<List<Tensor>, Tensor> mine,
                        Function<List<NDArray>, NDArray> ref) {
        return OpSpec.op(name).cases(cases).scratch((c, x) -> mine.apply(x)).reference((c, x) -> ref.apply(x));
    }

    /** A piecewise op (relu, abs, clamp, ...): outputs and gradients compared with their zero signs. */
    static OpSpec unary(String name, UnaryOperator<Tensor> mine, UnaryOperator<NDArray> ref) {
        return unary(name, UNARY, mine, ref).signedZeros();
    }

    /**
     * A smooth op: outputs compared with their zero signs; gradients as assert_close does, since a
     * gradient that underflows to zero (tanh'(−20) = 1 − tanh² in float64) takes its sign from the
     * order of a product that PyTorch and scratch need not share.
     */
    static OpSpec smooth(String name, UnaryOperator<Tensor> mine, UnaryOperator<NDArray> ref) {
        return unary(name, UNARY, mine, ref).signedZeroOutputs();
    }

    static OpSpec unary(String name, double[] values, UnaryOperator<Tensor> mine, UnaryOperator<NDArray> ref) {
        return OpSpec.op(name + " (special values)").cases(fixed(values))
                .scratch((c, x) -> mine.apply(x.get(0))).reference((c, x) -> ref.apply(x.get(0)))
                .noFiniteDifferences(NO_FD);
    }

    /**
     * gelu at the points of {@link #GELU_OVERFLOW}: when PyTorch's float32 result is NaN or ∞ where
     * the exact value is finite, the harness's adjudication takes the reference in float64 and finite
     * differences of it (float64), and the case passes only as a reference defect backed by both.
     */
    static OpSpec geluOverflow(String name, UnaryOperator<Tensor> mine, UnaryOperator<NDArray> ref) {
        // one point per case: the finite differences are of a dot product over the whole output, and
        // a 3e38 beside a 1e13 would bury the 1e13's difference under the float64 rounding of the 3e38
        Gen<Case> onePoint = s -> {
            double x = GELU_OVERFLOW[s.intBetween(0, GELU_OVERFLOW.length - 1)];
            return new Case(List.of(new Arr(new int[] {1}, new double[] {x})), Cases.cotangentSeed(s));
        };
        return OpSpec.op(name + " (points where PyTorch's float32 kernel overflows)").cases(onePoint)
                .scratch((c, x) -> mine.apply(x.get(0))).reference((c, x) -> ref.apply(x.get(0)))
                .noFiniteDifferences("the points are 1e13 to 3e38, where gradcheck's absolute step 1e-6 is below an ulp; adjudication steps relatively")
                .signedZeroOutputs();
    }

    /** Every pair of {@link #PAIRS}, ties included. */
    static OpSpec binary(String name, BinaryOperator<Tensor> mine, BinaryOperator<NDArray> ref) {
        double[] v = PAIRS;
        double[] a = new double[v.length * v.length], b = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = v[i / v.length];
            b[i] = v[i % v.length];
        }
        return OpSpec.op(name + " (special value pairs)").cases(fixed(a, b))
                .scratch((c, x) -> mine.apply(x.get(0), x.get(1))).reference((c, x) -> ref.apply(x.get(0), x.get(1)))
                .noFiniteDifferences(NO_FD).signedZeros();
    }

    static OpSpec lanes(String name, UnaryOperator<Tensor> mine, UnaryOperator<NDArray> ref) {
        return OpSpec.op(name + " (special lanes)").cases(lanes())
                .scratch((c, x) -> mine.apply(x.get(0))).reference((c, x) -> ref.apply(x.get(0)))
                .noFiniteDifferences(NO_FD).signedZeros();
    }

    @TestFactory
    Stream<DynamicTest> edgeValues() {
        return Parity.tests(
                unary("relu", Activations::relu, Ref::relu),
                unary("abs", Arithmetic::abs, Ref::abs),
                unary("neg", Arithmetic::neg, NDArray::neg),
                smooth("exp", Arithmetic::exp, Ref::exp),
                smooth("log", Arithmetic::log, Ref::log),
                smooth("sqrt", Arithmetic::sqrt, Ref::sqrt),
                unary("gelu", GELU_GRID, Activations::gelu, Ref::gelu).signedZeroOutputs(),
                unary("geluTanh", GELU_GRID, Activations::geluTanh, Ref::geluTanh).signedZeroOutputs(),
                geluOverflow("gelu", Activations::gelu, Ref::gelu),
                geluOverflow("geluTanh", Activations::geluTanh, Ref::geluTanh),
                smooth("sigmoid", Activations::sigmoid, Ref::sigmoid),
                smooth("softplus", Activations::softplus, Ref::softplus),
                smooth("tanh", Activations::tanh, Ref::tanh),
                smooth("erf", Activations::erf, Ref::erf),
                unary("clamp [-1, 1]", x -> Selection.clamp(x, -1, 1), x -> Ref.clamp(x, -1, 1)),
                unary("clamp [0, ∞]", x -> Selection.clamp(x, 0, INF), x -> Ref.clamp(x, 0, INF)),
                smooth("pow 2", x -> Arithmetic.pow(x, 2.0), x -> Ref.pow(x, 2.0)),
                smooth("pow -1", x -> Arithmetic.pow(x, -1.0), x -> Ref.pow(x, -1.0)),
                unary("max over every axis", Reductions::max, x -> Ref.max(x, new int[0], false)),
                unary("sum over every axis", Reductions::sum, x -> Ref.sum(x, new int[0], false)),
                binary("add", Arithmetic::add, Ref::add),
                binary("sub", Arithmetic::sub, Ref::sub),
                binary("mul", Arithmetic::mul, Ref::mul),
                binary("div", Arithmetic::div, Ref::div),
                binary("pow", Arithmetic::pow, Ref::pow),
                binary("maximum", Selection::maximum, Ref::maximum),
                binary("minimum", Selection::minimum, Ref::minimum),
                lanes("softmax", x -> Softmax.softmax(x, 1), x -> Ref.softmax(x, 1)),
                lanes("logSoftmax", x -> Softmax.logSoftmax(x, 1), x -> Ref.logSoftmax(x, 1)),
                lanes("logsumexp", x -> Reductions.logsumexp(x, new int[] {1}, false), x -> Ref.logsumexp(x, new int[] {1}, false)),
                empty("add (a 0-size axis, broadcast)", shaped(new int[] {0, 3}, new int[] {3}),
                        x -> Arithmetic.add(x.get(0), x.get(1)), x -> Ref.add(x.get(0), x.get(1))),
                empty("sum over a 0-size axis", shaped(new int[] {0, 3}),
                        x -> Reductions.sum(x.get(0), new int[] {0}, false), x -> Ref.sum(x.get(0), new int[] {0}, false)),
                empty("mean over a 0-size axis (NaN)", shaped(new int[] {0, 3}),
                        x -> Reductions.mean(x.get(0), new int[] {0}, true), x -> Ref.mean(x.get(0), new int[] {0}, true)),
                empty("logsumexp over a 0-size axis (-inf)", shaped(new int[] {2, 0}),
                        x -> Reductions.logsumexp(x.get(0), new int[] {1}, false), x -> Ref.logsumexp(x.get(0), new int[] {1}, false)),
                empty("matmul (inner size 0)", shaped(new int[] {2, 0}, new int[] {0, 3}),
                        x -> LinearAlgebra.matmul(x.get(0), x.get(1)), x -> x.get(0).matMul(x.get(1))),
                empty("softmax along a 0-size axis", shaped(new int[] {2, 0}),
                        x -> Softmax.softmax(x.get(0), 1), x -> x.get(0).softmax(1)),
                OpSpec.op("pow (scalar exponent 0, at 0)").cases(fixed(new double[] {0, -0.0, 1, -2, 3}))
                        .scratch((c, x) -> Arithmetic.pow(x.get(0), 0.0))
                        .reference((c, x) -> Ref.pow(x.get(0), 0.0))
                        .noFiniteDifferences(NO_FD));
    }
}
