package zerotoml.parity.tensor;

import static zerotoml.parity.harness.Cases.AXIS;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Gens;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.tensor.Cumulative;

/**
 * cumsum and cumprod along any axis (negative half the time, and a 0-d input now and then)
 * against torch.cumsum and torch.cumprod. cumprod also runs on small integers, so that lanes hold
 * zeros: its gradient must then be the exact product rule, not a division by zero.
 */
class CumulativeParityTest {
    /** One input of rank 0..4 and an axis of it (0 or -1 for a 0-d input). */
    static Gen<Case> alongAxis(Domain d) {
        return s -> {
            int[] shape = Gens.shape(0, 4, 5).draw(s);
            int axis = shape.length == 0 ? (s.bool() ? 0 : -1) : IntegerArgs.axis(s, shape.length);
            return new Case(List.of(Cases.arr(s, shape, d)), Cases.cotangentSeed(s)).with(AXIS, axis);
        };
    }

    static Case bad(int[] shape, int axis) {
        return new Case(List.of(new Arr(shape, new double[Gens.size(shape)])), 0).with(AXIS, axis);
    }

    static OpSpec cumsum() {
        return OpSpec.op("cumsum").cases(alongAxis(Domain.standard()))
                .scratch((c, x) -> Cumulative.cumsum(x.get(0), c.get(AXIS)))
                .reference((c, x) -> Ref.cumsum(x.get(0), c.get(AXIS)))
                .rejects("an axis out of range", bad(new int[] {2, 3}, 2), "axis 2", "[2, 3]")
                .rejects("axis 1 of a 0-d tensor", bad(new int[] {}, 1), "axis 1", "[]");
    }

    static OpSpec cumprod(String name, Domain d) {
        return OpSpec.op(name).cases(alongAxis(d))
                .scratch((c, x) -> Cumulative.cumprod(x.get(0), c.get(AXIS)))
                .reference((c, x) -> Ref.cumprod(x.get(0), c.get(AXIS)))
                .rejects("an axis out of range", bad(new int[] {2, 3}, -3), "axis -3", "[2, 3]");
    }

    @TestFactory
    Stream<DynamicTest> cumulative() {
        return Parity.tests(cumsum(), cumprod("cumprod", Domain.range(-2, 2)),
                cumprod("cumprod (integers, zeros in the lanes)", Domain.integers(-2, 2)));
    }
}
