package zerotoml.parity.tensor;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Case.Arg;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.Tensor;

/** Element-wise arithmetic, with broadcasting, against PyTorch. */
class ArithmeticParityTest {
    static final Arg<Double> P = Arg.real("p");

    /** Two inputs whose shapes cannot broadcast: [2, 3] and [4]. */
    static Case clash() {
        return new Case(List.of(new Arr(new int[] {2, 3}, new double[6]), new Arr(new int[] {4}, new double[4])), 0);
    }

    static OpSpec binary(String name, Domain a, Domain b,
                         BinaryOperator<Tensor> mine,
                         BinaryOperator<NDArray> ref) {
        return OpSpec.op(name).cases(Cases.binary(a.withSpecials(Cases.SPECIAL_SHARE), b.withSpecials(Cases.SPECIAL_SHARE))).finiteDifferenceCases(Cases.binary(a, b))
                .scratch((c, x) -> mine.apply(x.get(0), x.get(1)))
                .reference((c, x) -> ref.apply(x.get(0), x.get(1)))
                .rejects("shapes that do not broadcast", clash(), "[2, 3]", "[4]");
    }

    static OpSpec unary(String name, Domain d, UnaryOperator<Tensor> mine,
                        UnaryOperator<NDArray> ref) {
        return OpSpec.op(name).cases(Cases.unary(d.withSpecials(Cases.SPECIAL_SHARE))).finiteDifferenceCases(Cases.unary(d))
                .scratch((c, x) -> mine.apply(x.get(0)))
                .reference((c, x) -> ref.apply(x.get(0)));
    }

    @TestFactory
    Stream<DynamicTest> arithmetic() {
        Domain std = Domain.standard(), pos = Domain.positive();
        return Parity.tests(
                binary("add", std, std, Arithmetic::add, Ref::add),
                binary("sub", std, std, Arithmetic::sub, Ref::sub),
                binary("mul", std, std, Arithmetic::mul, Ref::mul),
                binary("div", std, pos, Arithmetic::div, Ref::div),
                binary("pow", pos, Domain.range(-2, 2), Arithmetic::pow, Ref::pow),
                unary("neg", std, Arithmetic::neg, Ref::neg),
                unary("exp", std, Arithmetic::exp, Ref::exp),
                unary("log", pos, Arithmetic::log, Ref::log),
                unary("sqrt", pos, Arithmetic::sqrt, Ref::sqrt),
                unary("sin", Domain.range(-10, 10), Arithmetic::sin, Ref::sin),
                unary("cos", Domain.range(-10, 10), Arithmetic::cos, Ref::cos),
                unary("abs", std.avoiding(1e-3, 0), Arithmetic::abs, Ref::abs),
                OpSpec.op("pow (scalar exponent)")
                        .cases(s -> {
                            Case base = Cases.unary(pos).draw(s);
                            return new Case(base.inputs(), base.cotangentSeed()).with(P, s.pick(2.0, 3.0, 0.5, -1.0, 1.5, -0.5));
                        })
                        .scratch((c, x) -> Arithmetic.pow(x.get(0), c.get(P)))
                        .reference((c, x) -> Ref.pow(x.get(0), c.get(P))));
    }
}
