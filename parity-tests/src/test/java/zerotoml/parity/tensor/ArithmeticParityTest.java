package zerotoml.parity.tensor;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.reference.tensor.Arithmetic;
import zerotoml.scratch.tensor.Tensor;

/** Element-wise arithmetic, with broadcasting, against PyTorch. */
class ArithmeticParityTest {
    /** Two inputs whose shapes cannot broadcast: [2, 3] and [4]. */
    static Case clash() {
        return new Case(List.of(new Arr(new int[] {2, 3}, new double[6]), new Arr(new int[] {4}, new double[4])), Map.of(), 0);
    }

    /**
     * The share of input values drawn from the special values ({@link Domain#SPECIALS}: NaN, ±∞, ±0,
     * subnormals, huge, products that overflow) in the checks against PyTorch: one in twenty, so
     * that most cases hold one somewhere and most values stay ordinary. Finite differences draw none.
     */
    static final double SPECIAL_SHARE = 0.05;

    static OpSpec binary(String name, Domain a, Domain b,
                         java.util.function.BinaryOperator<Tensor> mine,
                         java.util.function.BinaryOperator<ai.djl.ndarray.NDArray> ref) {
        return OpSpec.op(name).cases(Cases.binary(a.withSpecials(SPECIAL_SHARE), b.withSpecials(SPECIAL_SHARE))).finiteDifferenceCases(Cases.binary(a, b))
                .scratch((c, x) -> mine.apply(x.get(0), x.get(1)))
                .reference((c, x) -> ref.apply(x.get(0), x.get(1)))
                .rejects("shapes that do not broadcast", clash(), "[2, 3]", "[4]");
    }

    static OpSpec unary(String name, Domain d, java.util.function.UnaryOperator<Tensor> mine,
                        java.util.function.UnaryOperator<ai.djl.ndarray.NDArray> ref) {
        return OpSpec.op(name).cases(Cases.unary(d.withSpecials(SPECIAL_SHARE))).finiteDifferenceCases(Cases.unary(d))
                .scratch((c, x) -> mine.apply(x.get(0)))
                .reference((c, x) -> ref.apply(x.get(0)));
    }

    @TestFactory
    Stream<DynamicTest> arithmetic() {
        Domain std = Domain.standard(), pos = Domain.positive();
        return Parity.tests(
                binary("add", std, std, zerotoml.scratch.tensor.Arithmetic::add, Arithmetic::add),
                binary("sub", std, std, zerotoml.scratch.tensor.Arithmetic::sub, Arithmetic::sub),
                binary("mul", std, std, zerotoml.scratch.tensor.Arithmetic::mul, Arithmetic::mul),
                binary("div", std, pos, zerotoml.scratch.tensor.Arithmetic::div, Arithmetic::div),
                binary("pow", pos, Domain.range(-2, 2), zerotoml.scratch.tensor.Arithmetic::pow, Arithmetic::pow),
                unary("neg", std, zerotoml.scratch.tensor.Arithmetic::neg, Arithmetic::neg),
                unary("exp", std, zerotoml.scratch.tensor.Arithmetic::exp, Arithmetic::exp),
                unary("log", pos, zerotoml.scratch.tensor.Arithmetic::log, Arithmetic::log),
                unary("sqrt", pos, zerotoml.scratch.tensor.Arithmetic::sqrt, Arithmetic::sqrt),
                unary("sin", Domain.range(-10, 10), zerotoml.scratch.tensor.Arithmetic::sin, Arithmetic::sin),
                unary("cos", Domain.range(-10, 10), zerotoml.scratch.tensor.Arithmetic::cos, Arithmetic::cos),
                unary("abs", std.avoiding(1e-3, 0), zerotoml.scratch.tensor.Arithmetic::abs, Arithmetic::abs),
                OpSpec.op("pow (scalar exponent)")
                        .cases(s -> {
                            Case base = Cases.unary(pos).draw(s);
                            return new Case(base.inputs(), Map.of("p", s.pick(2.0, 3.0, 0.5, -1.0, 1.5, -0.5)), base.cotangentSeed());
                        })
                        .scratch((c, x) -> zerotoml.scratch.tensor.Arithmetic.pow(x.get(0), c.doubleArg("p")))
                        .reference((c, x) -> Arithmetic.pow(x.get(0), c.doubleArg("p"))));
    }
}
