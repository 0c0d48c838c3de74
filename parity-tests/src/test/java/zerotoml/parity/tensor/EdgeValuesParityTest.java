package zerotoml.parity.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import ai.djl.ndarray.NDArray;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Precision;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.reference.tensor.Activations;
import zerotoml.reference.tensor.Arithmetic;
import zerotoml.reference.tensor.Reductions;
import zerotoml.reference.tensor.Selection;
import zerotoml.scratch.tensor.Tensor;

/**
 * The values the random generators never draw: NaN, ±∞, ±0, magnitudes that overflow or
 * underflow float32 in exp, logs and roots of zero and of negatives, a zero base or a zero
 * exponent in pow; and tensors with a 0-size axis. Outputs and gradients must
 * agree with PyTorch there too (NaN equals NaN, infinities must match in sign). Each property
 * draws one of a few fixed vectors and a random cotangent; finite differences do not apply, since
 * every vector sits on a kink, a pole or a non-finite value on purpose.
 */
class EdgeValuesParityTest {
    static final double NAN = Double.NaN, INF = Double.POSITIVE_INFINITY;
    static final String NO_FD = "the inputs are NaN, infinite, or exactly on a kink or pole on purpose";

    /** Values for unary ops: non-finite, signed zeros, float32 overflow and underflow of exp. */
    static final double[] UNARY = {NAN, INF, -INF, 0, -0.0, 1e30, -1e30, 100, -100, 88.8, -104, 20, -20, 1};

    /** The values of {@link #UNARY} at which PyTorch's float32 gelu kernels do not overflow. */
    static final double[] FLOAT32_SAFE = {NAN, 0, -0.0, 100, -100, 20, -20, 1, 5, -5};

    /** One of the fixed vectors for each input, a random cotangent. */
    static Gen<Case> fixed(double[]... inputs) {
        return s -> {
            List<Arr> in = new ArrayList<>();
            for (double[] v : inputs) in.add(new Arr(new int[] {v.length}, v));
            return new Case(in, Map.of(), Cases.cotangentSeed(s));
        };
    }

    /** Inputs of these shapes with values in [-3, 3] (none at all where a dimension is 0), a random cotangent. */
    static Gen<Case> shaped(int[]... shapes) {
        return s -> {
            List<Arr> in = new ArrayList<>();
            for (int[] sh : shapes) in.add(Cases.arr(s, sh, zerotoml.fixtures.Domain.standard()));
            return new Case(in, Map.of(), Cases.cotangentSeed(s));
        };
    }

    static OpSpec empty(String name, Gen<Case> cases, java.util.function.Function<List<Tensor>, Tensor> mine,
                        java.util.function.Function<List<NDArray>, NDArray> ref) {
        return OpSpec.op(name).cases(cases).scratch((c, x) -> mine.apply(x)).reference((c, x) -> ref.apply(x));
    }

    static OpSpec unary(String name, UnaryOperator<Tensor> mine, UnaryOperator<NDArray> ref) {
        return OpSpec.op(name + " (NaN, ±∞, ±0, extremes)").cases(fixed(UNARY))
                .scratch((c, x) -> mine.apply(x.get(0))).reference((c, x) -> ref.apply(x.get(0)))
                .noFiniteDifferences(NO_FD);
    }

    /** Every pair of NaN, ±∞, ±0 and 2 against each other, ties included. */
    static OpSpec binary(String name, BinaryOperator<Tensor> mine, BinaryOperator<NDArray> ref) {
        double[] v = {NAN, INF, -INF, 0, -0.0, 2};
        double[] a = new double[v.length * v.length], b = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = v[i / v.length];
            b[i] = v[i % v.length];
        }
        return OpSpec.op(name + " (NaN, ±∞, ±0 pairs)").cases(fixed(a, b))
                .scratch((c, x) -> mine.apply(x.get(0), x.get(1))).reference((c, x) -> ref.apply(x.get(0), x.get(1)))
                .noFiniteDifferences(NO_FD);
    }

    @TestFactory
    Stream<DynamicTest> edgeValues() {
        return Parity.tests(
                unary("relu", zerotoml.scratch.tensor.Activations::relu, Activations::relu),
                unary("abs", zerotoml.scratch.tensor.Arithmetic::abs, Arithmetic::abs),
                unary("exp", zerotoml.scratch.tensor.Arithmetic::exp, Arithmetic::exp),
                unary("log", zerotoml.scratch.tensor.Arithmetic::log, Arithmetic::log),
                unary("sqrt", zerotoml.scratch.tensor.Arithmetic::sqrt, Arithmetic::sqrt),
                // PyTorch's float32 kernels overflow where the exact values are finite (measured on 2.7.1):
                // gelu(+∞) is NaN, and geluTanh's gradient is NaN at 1e30 (x³ overflows float) where it is 1.
                // Scratch computes in double and rounds once, so in float32 those points are left out.
                unary("gelu", zerotoml.scratch.tensor.Activations::gelu, Activations::gelu).only(Precision.F64),
                unary("geluTanh", zerotoml.scratch.tensor.Activations::geluTanh, Activations::geluTanh).only(Precision.F64),
                OpSpec.op("gelu (NaN, ±0, ±100)").cases(fixed(FLOAT32_SAFE)).only(Precision.F32).noFiniteDifferences(NO_FD)
                        .scratch((c, x) -> zerotoml.scratch.tensor.Activations.gelu(x.get(0))).reference((c, x) -> Activations.gelu(x.get(0))),
                OpSpec.op("geluTanh (NaN, ±0, ±100)").cases(fixed(FLOAT32_SAFE)).only(Precision.F32).noFiniteDifferences(NO_FD)
                        .scratch((c, x) -> zerotoml.scratch.tensor.Activations.geluTanh(x.get(0))).reference((c, x) -> Activations.geluTanh(x.get(0))),
                unary("sigmoid", zerotoml.scratch.tensor.Activations::sigmoid, Activations::sigmoid),
                unary("softplus", zerotoml.scratch.tensor.Activations::softplus, Activations::softplus),
                unary("tanh", zerotoml.scratch.tensor.Activations::tanh, Activations::tanh),
                unary("clamp [-1, 1]", x -> zerotoml.scratch.tensor.Selection.clamp(x, -1, 1), x -> Selection.clamp(x, -1, 1)),
                unary("max over every axis", zerotoml.scratch.tensor.Reductions::max, x -> Reductions.max(x, new int[0], false)),
                binary("maximum", zerotoml.scratch.tensor.Selection::maximum, Selection::maximum),
                binary("minimum", zerotoml.scratch.tensor.Selection::minimum, Selection::minimum),
                OpSpec.op("pow (zero base, zero exponent)")
                        .cases(fixed(new double[] {0, 0, 0, 0, 2, 0.5, 3}, new double[] {0, 2, 0.5, 1, 0, 0, -1}))
                        .scratch((c, x) -> zerotoml.scratch.tensor.Arithmetic.pow(x.get(0), x.get(1)))
                        .reference((c, x) -> Arithmetic.pow(x.get(0), x.get(1)))
                        .noFiniteDifferences(NO_FD),
                empty("add (a 0-size axis, broadcast)", shaped(new int[] {0, 3}, new int[] {3}),
                        x -> zerotoml.scratch.tensor.Arithmetic.add(x.get(0), x.get(1)), x -> Arithmetic.add(x.get(0), x.get(1))),
                empty("sum over a 0-size axis", shaped(new int[] {0, 3}),
                        x -> zerotoml.scratch.tensor.Reductions.sum(x.get(0), new int[] {0}, false), x -> Reductions.sum(x.get(0), new int[] {0}, false)),
                empty("mean over a 0-size axis (NaN)", shaped(new int[] {0, 3}),
                        x -> zerotoml.scratch.tensor.Reductions.mean(x.get(0), new int[] {0}, true), x -> Reductions.mean(x.get(0), new int[] {0}, true)),
                empty("logsumexp over a 0-size axis (-inf)", shaped(new int[] {2, 0}),
                        x -> zerotoml.scratch.tensor.Reductions.logsumexp(x.get(0), new int[] {1}, false), x -> Reductions.logsumexp(x.get(0), new int[] {1}, false)),
                empty("matmul (inner size 0)", shaped(new int[] {2, 0}, new int[] {0, 3}),
                        x -> zerotoml.scratch.tensor.LinearAlgebra.matmul(x.get(0), x.get(1)), x -> x.get(0).matMul(x.get(1))),
                empty("softmax along a 0-size axis", shaped(new int[] {2, 0}),
                        x -> zerotoml.scratch.tensor.Softmax.softmax(x.get(0), 1), x -> x.get(0).softmax(1)),
                OpSpec.op("pow (scalar exponent 0, at 0)").cases(fixed(new double[] {0, -0.0, 1, -2, 3}))
                        .scratch((c, x) -> zerotoml.scratch.tensor.Arithmetic.pow(x.get(0), 0.0))
                        .reference((c, x) -> Arithmetic.pow(x.get(0), 0.0))
                        .noFiniteDifferences(NO_FD));
    }
}
