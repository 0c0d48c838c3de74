package zerotoml.scratch.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scoped tape: what it records, when, and that it forgets everything when closed. */
class TapeTest {
    @AfterEach
    void noTapeIsLeftOpen() {
        assertFalse(Tape.isRecording(), "a test left a tape open");
    }

    @Test
    void aTensorUsedSeveralTimesAccumulatesItsGradient() {
        Tensor x = Tensor.of(new double[] {1, -2, 3}, 3);
        try (Tape tape = Tape.open()) {
            tape.watch(x);
            // y = Σ (x·x + x + x·x·x);  ∂x = 2x + 1 + 3x²
            Tensor y = Reductions.sum(x.mul(x).add(x).add(x.mul(x).mul(x)));
            assertArrayEquals(new double[] {2 + 1 + 3, -4 + 1 + 12, 6 + 1 + 27}, tape.gradient(y, x).get(0).toArray());
        }
    }

    @Test
    void theSameInputTwiceInOneOpGetsBothContributions() {
        Tensor x = Tensor.scalar(3);
        try (Tape tape = Tape.open()) {
            tape.watch(x);
            // y = x·x;  ∂x = 2x
            assertEquals(6.0, tape.gradient(x.mul(x), x).get(0).item());
        }
    }

    @Test
    void opensOnlyOneTapePerThreadAndSaysWhy() {
        try (Tape outer = Tape.open()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, Tape::open);
            assertTrue(e.getMessage().startsWith("Tape.open: a tape is already open on this thread"), e.getMessage());
            assertTrue(e.getMessage().contains("nested gradients are not supported"), e.getMessage());
            assertTrue(Tape.isRecording(), "the outer tape is untouched");
        }
        try (Tape again = Tape.open()) {
            assertTrue(Tape.isRecording(), "closing the outer tape frees the thread");
        }
    }

    @Test
    void recordsOnlyWhileOpenAndOnlyWhatDependsOnAWatchedTensor() {
        Tensor w = Tensor.of(new double[] {2}, 1);
        Tensor c = Tensor.of(new double[] {5}, 1);
        Tensor before = w.mul(c);
        try (Tape tape = Tape.open()) {
            tape.watch(w);
            Tensor constant = c.mul(c);
            Tensor y = Reductions.sum(w.mul(constant).add(before));
            List<Tensor> g = tape.gradient(y, w, c, before, constant);
            assertArrayEquals(new double[] {25}, g.get(0).toArray());
            assertArrayEquals(new double[] {0}, g.get(1).toArray(), "c was not watched");
            assertArrayEquals(new double[] {0}, g.get(2).toArray(), "made before the tape opened");
            assertArrayEquals(new double[] {0}, g.get(3).toArray(), "depends on no watched tensor");
        }
    }

    @Test
    void backwardRunsWithRecordingPausedSoItMayCallOps() {
        Tensor x = Tensor.scalar(2);
        boolean[] recordingInBackward = {true};
        try (Tape tape = Tape.open()) {
            tape.watch(x);
            Tensor y = Tensor.record("probe", x.shape(), x.dtype(), new double[] {x.item()}, g -> {
                recordingInBackward[0] = Tape.isRecording();
                return new Tensor[] {g.mul(7)};
            }, x);
            assertEquals(7.0, tape.gradient(y, x).get(0).item());
            assertTrue(Tape.isRecording(), "recording resumes after the backward pass");
        }
        assertFalse(recordingInBackward[0]);
    }

    @Test
    void aClosedTapeForgetsEverythingAndRefusesToDifferentiate() {
        Tensor x = Tensor.scalar(2);
        Tape tape = Tape.open();
        tape.watch(x);
        Tensor y = x.mul(x);
        tape.close();
        assertFalse(Tape.isRecording());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> tape.vjp(y, Tensor.scalar(1), x));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        try (Tape fresh = Tape.open()) {
            fresh.watch(Tensor.scalar(1));
            assertEquals(0.0, fresh.gradient(y, x).get(0).item(), "a new tape knows nothing of the old graph");
        }
    }

    @Test
    void gradientNeedsAOneElementOutputAndVjpAMatchingCotangent() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2);
        try (Tape tape = Tape.open()) {
            tape.watch(x);
            Tensor y = x.mul(x);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tape.gradient(y, x));
            assertTrue(e.getMessage().startsWith("gradient: the output must have one element, got shape [2]"), e.getMessage());
            IllegalArgumentException v = assertThrows(IllegalArgumentException.class, () -> tape.vjp(y, Tensor.of(new double[] {1, 2, 3}, 3), x));
            assertEquals("vjp: cotangent shape [3] differs from output shape [2]", v.getMessage());
            // y = x², cotangent c: ∂x = 2 x c
            assertArrayEquals(new double[] {2 * 1 * 3, 2 * 2 * -1}, tape.vjp(y, Tensor.of(new double[] {3, -1}, 2), x).get(0).toArray());
        }
    }

    @Test
    void aBackwardReturningTheWrongShapeIsReportedAsABugInTheOp() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2);
        try (Tape tape = Tape.open()) {
            tape.watch(x);
            Tensor y = Tensor.record("broken", Shape.of(), x.dtype(), new double[] {3}, g -> new Tensor[] {g}, x);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> tape.gradient(y, x));
            assertEquals("broken backward: gradient shape [] differs from input shape [2] (a bug in the op)", e.getMessage());
        }
    }

    @Test
    void watchReturnsItsFirstArgumentForChaining() {
        Tensor x = Tensor.scalar(1), y = Tensor.scalar(2);
        try (Tape tape = Tape.open()) {
            assertSame(x, tape.watch(x, y));
            assertEquals(null, tape.watch());
        }
    }

    @Test
    void aGradientComesBackInTheDtypeOfItsInput() {
        Tensor x32 = Tensor.of(DType.F32, new double[] {0.1}, 1);
        Tensor c64 = Tensor.of(DType.F64, new double[] {0.3}, 1);
        try (Tape tape = Tape.open()) {
            tape.watch(x32);
            Tensor y = x32.mul(c64);
            assertEquals(DType.F64, y.dtype(), "f32 · f64 promotes to f64, as in PyTorch");
            Tensor g = tape.gradient(Reductions.sum(y), x32).get(0);
            assertEquals(DType.F32, g.dtype());
            assertEquals((double) (float) 0.3, g.item());
        }
    }

    @Test
    void toAndDetachBehaveAsInPyTorch() {
        Tensor x = Tensor.of(DType.F64, new double[] {0.1}, 1);
        assertSame(x, x.to(DType.F64));
        try (Tape tape = Tape.open()) {
            tape.watch(x);
            Tensor y = Reductions.sum(x.to(DType.F32).mul(3));
            assertEquals(DType.F32, y.dtype());
            assertEquals(3.0, tape.gradient(y, x).get(0).item());
            Tensor d = x.detach();
            assertNotSame(x, d);
            assertEquals(0.0, tape.gradient(Reductions.sum(d.mul(3)), x).get(0).item(), "detach cuts the graph");
        }
    }
}
