package zerotoml.scratch.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** grad / valueAndGrad / vjp over a tensor, a list, and records of tensors. */
class AutodiffTest {
    @Test
    void gradOfACubeIsThreeSquares() {
        Tensor x = Tensor.of(new double[] {1, 2, -3}, 3);
        // f = Σ x³;  ∂x = 3x²
        Tensor g = Autodiff.grad(t -> Reductions.sum(t.pow(3)), x);
        assertArrayEquals(new double[] {3, 12, 27}, g.toArray(), 1e-12);
        assertFalse(Tape.isRecording(), "no tape is left open after a call");
    }

    @Test
    void nothingLeaksBetweenCalls() {
        Tensor x = Tensor.of(new double[] {0.5, -1.5}, 2);
        java.util.function.Function<Tensor, Tensor> f = t -> Reductions.sum(t.mul(t).mul(t.exp()));
        Tensor first = Autodiff.grad(f, x);
        Tensor second = Autodiff.grad(f, x);
        assertArrayEquals(first.toArray(), second.toArray(), 0.0, "a second call gives the same gradient, not twice it");
        assertFalse(Tape.isRecording());
    }

    @Test
    void aFailingFunctionStillClosesItsTape() {
        Tensor x = Tensor.scalar(1);
        assertThrows(IllegalArgumentException.class, () -> Autodiff.grad(t -> t.add(Tensor.of(new double[] {1, 2}, 2)).add(Tensor.of(new double[3], 3)), x));
        assertFalse(Tape.isRecording());
        assertEquals(2.0, Autodiff.grad(t -> t.mul(t), x).item(), "the thread can open a tape again");
    }

    @Test
    void aNonScalarOutputWithoutACotangentIsRejected() {
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Autodiff.grad(t -> t.mul(2), x));
        assertTrue(e.getMessage().contains("must have one element, got shape [3]"), e.getMessage());
        assertTrue(e.getMessage().contains("pass a cotangent"), e.getMessage());
        assertFalse(Tape.isRecording());
        // with a cotangent it is fine: ∂x of Σ (2x ⊙ c) = 2c
        List<Tensor> g = Autodiff.vjp(xs -> xs.get(0).mul(2), List.of(x), Tensor.of(new double[] {1, 0, -1}, 3));
        assertArrayEquals(new double[] {2, 0, -2}, g.get(0).toArray());
    }

    @Test
    void valueAndGradReturnsTheValueToo() {
        Autodiff.ValueAndGrad<Tensor> vg = Autodiff.valueAndGrad(t -> Reductions.sum(t.mul(t)), Tensor.of(new double[] {3, 4}, 2));
        assertEquals(25.0, vg.value().item());
        assertArrayEquals(new double[] {6, 8}, vg.grad().toArray());
    }

    @Test
    void gradOverAListIsInOrderWithZerosForUnusedInputs() {
        Tensor a = Tensor.of(new double[] {2}, 1), b = Tensor.of(new double[] {5}, 1), unused = Tensor.of(new double[] {1, 1}, 2);
        // f = Σ a·b + a;  ∂a = b + 1, ∂b = a
        List<Tensor> g = Autodiff.grad(xs -> Reductions.sum(xs.get(0).mul(xs.get(1)).add(xs.get(0))), List.of(a, b, unused));
        assertArrayEquals(new double[] {6}, g.get(0).toArray());
        assertArrayEquals(new double[] {2}, g.get(1).toArray());
        assertArrayEquals(new double[] {0, 0}, g.get(2).toArray());
    }

    /** A layer: weight and bias. */
    record Layer(Tensor w, Tensor b) {}

    /** A model with a nested record, a list of tensors, and a component that is not a tensor. */
    record Model(Layer layer, List<Tensor> extra, int width, Tensor scale) {}

    @Test
    void theGradientOfAParamsRecordIsTheSameRecordTypeWithTheRightGradients() {
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 3);
        Model m = new Model(new Layer(Tensor.of(new double[] {0.5, -1, 2}, 3), Tensor.of(new double[] {3}, 1)),
                List.of(Tensor.of(new double[] {1, 1}, 2), Tensor.of(new double[] {4}, 1)), 7, Tensor.scalar(2));
        // loss = Σ w⊙x + Σ b² + Σ e₀ + 2 Σ e₁ + s³
        // ∂w = x, ∂b = 2b, ∂e₀ = 1, ∂e₁ = 2, ∂s = 3s²
        Autodiff.ValueAndGrad<Model> vg = Autodiff.valueAndGrad(p -> Reductions.sum(p.layer().w().mul(x))
                .add(Reductions.sum(p.layer().b().mul(p.layer().b())))
                .add(Reductions.sum(p.extra().get(0)))
                .add(Reductions.sum(p.extra().get(1)).mul(2))
                .add(p.scale().pow(3)), m);
        Model g = vg.grad();
        assertSame(Model.class, g.getClass());
        assertArrayEquals(new double[] {1, 2, 3}, g.layer().w().toArray());
        assertArrayEquals(new double[] {6}, g.layer().b().toArray());
        assertArrayEquals(new double[] {1, 1}, g.extra().get(0).toArray());
        assertArrayEquals(new double[] {2}, g.extra().get(1).toArray());
        assertEquals(12.0, g.scale().item(), 1e-12);
        assertEquals(7, g.width(), "a non-tensor component is carried over");
        // value: 0.5 - 2 + 6 + 9 + 2 + 8 + 8
        assertEquals(31.5, vg.value().item(), 1e-12);
    }

    @Test
    void paramsWalkRecordsDepthFirstAndRebuildChecksTheCount() {
        Tensor w = Tensor.scalar(1), b = Tensor.scalar(2), e = Tensor.scalar(3), s = Tensor.scalar(4);
        Model m = new Model(new Layer(w, b), List.of(e), 3, s);
        List<Tensor> ts = Autodiff.Params.tensors(m);
        assertEquals(4, ts.size());
        assertSame(w, ts.get(0));
        assertSame(b, ts.get(1));
        assertSame(e, ts.get(2));
        assertSame(s, ts.get(3));
        Model doubled = Autodiff.Params.map(m, t -> t.mul(2));
        assertEquals(8.0, doubled.scale().item());
        assertEquals(2.0, doubled.layer().w().item());
        assertEquals(1.0, m.layer().w().item(), "the original is untouched");
        IllegalArgumentException fewer = assertThrows(IllegalArgumentException.class, () -> Autodiff.Params.rebuild(m, List.of(w)));
        assertTrue(fewer.getMessage().contains("fewer replacement tensors"), fewer.getMessage());
        IllegalArgumentException more = assertThrows(IllegalArgumentException.class, () -> Autodiff.Params.rebuild(m, List.of(w, b, e, s, s)));
        assertTrue(more.getMessage().contains("more replacement tensors"), more.getMessage());
    }

    @Test
    void aParameterUsedInTwoPlacesOfTheRecordAccumulates() {
        Tensor shared = Tensor.scalar(3);
        Layer tied = new Layer(shared, shared);
        // loss = w·b with w and b the same tensor t: d(t²)/dt = 2t, reported for each occurrence
        Layer g = Autodiff.grad(p -> p.w().mul(p.b()), tied);
        assertEquals(6.0, g.w().item());
        assertEquals(6.0, g.b().item());
    }
}
