package zerotoml.parity.tensor;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.tensor.Activations;
import zerotoml.scratch.tensor.Tensor;

/**
 * Activations against PyTorch: tanh, sigmoid, relu, gelu (exact and tanh approximation),
 * softplus, SiLU (Swish), Mish, and the erf that exact GELU rests on. These are element-wise with no argument to get
 * wrong, so there are no error inputs to reject.
 */
class ActivationsParityTest {
    /**
     * The special values the checks against PyTorch draw, one value in twenty: {@link Domain#SPECIALS}
     * without ±1e20 and ±1e38, where PyTorch's float32 geluTanh kernel overflows inside (x³) and
     * returns NaN for a finite gradient. Those points are adjudicated in EdgeValuesParityTest, one
     * point per case: here a NaN beside them would make the finite differences behind a verdict NaN.
     */
    static final double[] SPECIALS = Arrays.stream(Domain.SPECIALS).filter(v -> Math.abs(v) != 1e38 && Math.abs(v) != 1e20).toArray();

    static OpSpec unary(String name, Domain d, UnaryOperator<Tensor> mine, UnaryOperator<NDArray> ref) {
        return OpSpec.op(name).cases(Cases.unary(d.withSpecials(Cases.SPECIAL_SHARE, SPECIALS))).finiteDifferenceCases(Cases.unary(d))
                .scratch((c, x) -> mine.apply(x.get(0)))
                .reference((c, x) -> ref.apply(x.get(0)));
    }

    @TestFactory
    Stream<DynamicTest> activations() {
        return Parity.tests(
                unary("tanh", Domain.range(-6, 6), Activations::tanh, Ref::tanh),
                unary("sigmoid", Domain.range(-12, 12), Activations::sigmoid, Ref::sigmoid),
                // relu has a kink at 0: the smooth cases keep away from it, the integer cases land on it
                unary("relu", Domain.standard().avoiding(1e-3, 0), Activations::relu, Ref::relu),
                unary("relu (integers, gradient at 0 is 0)", Domain.integers(-2, 2), Activations::relu, Ref::relu)
                        .noFiniteDifferences("relu is not differentiable at 0, where these integer cases land on purpose"),
                unary("gelu", Domain.range(-6, 6), Activations::gelu, Ref::gelu),
                unary("geluTanh", Domain.range(-6, 6), Activations::geluTanh, Ref::geluTanh),
                // softplus switches to x itself above 20: cases straddle the threshold but keep away from it
                unary("softplus", Domain.range(-30, 30).avoiding(1e-3, 20), Activations::softplus, Ref::softplus),
                unary("silu", Domain.range(-12, 12), Activations::silu, Ref::silu),
                unary("mish", Domain.range(-12, 12), Activations::mish, Ref::mish),
                unary("erf", Domain.range(-7, 7), Activations::erf, Ref::erf));
    }
}
