package zerotoml.parity.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static zerotoml.parity.harness.Cases.AXIS;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Gens;
import zerotoml.fixtures.Precision;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Softmax;
import zerotoml.scratch.tensor.Tensor;

/**
 * softmax and log_softmax against PyTorch, on ordinary logits in both dtypes and, in float32, on
 * logits up to ±1e4, where a naive exp overflows to infinity and the result turns to NaN.
 */
class SoftmaxParityTest {
    /** The largest logit magnitude of the stability cases: exp(1e4) is far beyond float's 3.4e38. */
    static final double LARGE = 1e4;

    /** Input of rank 0..4 and an axis, negative half the time (a 0-d tensor takes axis 0 or -1, as in PyTorch). */
    static Gen<Case> cases(Domain d) {
        return s -> {
            int[] shape = Gens.shape(0, 4, 5).draw(s);
            int axis = IntegerArgs.axis(s, Math.max(1, shape.length));
            return new Case(List.of(Cases.arr(s, shape, d)), Cases.cotangentSeed(s)).with(AXIS, axis);
        };
    }

    /**
     * Float32 logits of magnitude up to 1e4. Half the cases spread over all of [-1e4, 1e4] (the
     * result is nearly one-hot); the other half sit within ±3 of one offset in [-1e4, 1e4], so that
     * every exponent matters and only the shift by the maximum keeps exp finite.
     */
    static Gen<Case> largeCases() {
        return s -> {
            Case base = cases(Domain.standard()).draw(s);
            Arr x = base.input(0);
            double[] v = x.data().clone();
            if (s.bool()) {
                double offset = s.doubleBetween(-LARGE, LARGE);
                for (int i = 0; i < v.length; i++) v[i] = offset + v[i];
            } else {
                for (int i = 0; i < v.length; i++) v[i] = v[i] / 3 * LARGE;
            }
            return base.withInputs(List.of(new Arr(x.shape(), v)));
        };
    }

    /** The scratch result, after checking that every value is finite (a NaN would still "match" a NaN). */
    static Tensor finite(Tensor t) {
        for (double v : t.toArray()) {
            if (!Double.isFinite(v)) throw new AssertionError("scratch produced a non-finite value " + v + " in " + t);
        }
        return t;
    }

    static OpSpec spec(String name, BiFunction<Tensor, Integer, Tensor> mine, BiFunction<NDArray, Integer, NDArray> ref) {
        // special values (NaN, ±∞, ±0, huge, subnormal) in one value of twenty against PyTorch; none for finite differences
        return OpSpec.op(name).cases(cases(Domain.standard().withSpecials(Cases.SPECIAL_SHARE)))
                .finiteDifferenceCases(cases(Domain.standard()))
                .scratch((c, x) -> mine.apply(x.get(0), c.get(AXIS)))
                .reference((c, x) -> ref.apply(x.get(0), c.get(AXIS)))
                .rejects("an axis out of range", new Case(List.of(new Arr(new int[] {2, 3}, new double[6])), 0).with(AXIS, 2), "axis 2", "[2, 3]")
                .rejects("a negative axis out of range", new Case(List.of(new Arr(new int[] {2, 3}, new double[6])), 0).with(AXIS, -3), "axis -3", "[2, 3]")
                .rejects("axis 1 of a 0-d tensor", new Case(List.of(new Arr(new int[] {}, new double[1])), 0).with(AXIS, 1), "axis 1", "0-d");
    }

    /** The float32 stability spec: large logits, forward and gradient, every output checked finite. */
    static OpSpec large(String name, BiFunction<Tensor, Integer, Tensor> mine, BiFunction<NDArray, Integer, NDArray> ref) {
        return OpSpec.op(name).cases(largeCases())
                .scratch((c, x) -> finite(mine.apply(x.get(0), c.get(AXIS))))
                .reference((c, x) -> ref.apply(x.get(0), c.get(AXIS)));
    }

    @TestFactory
    Stream<DynamicTest> softmax() {
        return Parity.tests(
                spec("softmax", Softmax::softmax, Ref::softmax),
                spec("logSoftmax", Softmax::logSoftmax, Ref::logSoftmax),
                large("softmax (logits to ±1e4)", Softmax::softmax, Ref::softmax).only(Precision.F32),
                large("logSoftmax (logits to ±1e4)", Softmax::logSoftmax, Ref::logSoftmax).only(Precision.F32));
    }

    @Test
    void softmaxOfHugeFloat32LogitsIsADistributionWithFiniteGradients() {
        Tensor x = Tensor.of(DType.F32, new double[] {LARGE, -LARGE, 0, LARGE, 3e4, -3e4}, 2, 3);
        Tensor y = Softmax.softmax(x, -1);
        double[] v = finite(y).toArray();
        for (int r = 0; r < 2; r++) assertEquals(1.0, v[3 * r] + v[3 * r + 1] + v[3 * r + 2], 1e-6, "row " + r + " sums to 1");
        Tensor w = Tensor.of(DType.F32, new double[] {0.5, -1, 2, 1, 0, -0.25}, 2, 3);
        Tensor g = Autodiff.grad(t -> Softmax.logSoftmax(t, -1).mul(w).sum(), x);
        for (double d : g.toArray()) assertTrue(Double.isFinite(d), "finite gradient, got " + d);
    }
}
