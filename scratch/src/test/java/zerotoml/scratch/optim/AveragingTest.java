package zerotoml.scratch.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

class AveragingTest {
    record Net(Tensor w, Tensor b) {}

    static Net net(DType dt, double w0, double b0) {
        return new Net(Tensor.of(dt, new double[] {w0, 2 * w0}, 2), Tensor.of(dt, new double[] {b0}, 1));
    }

    @Test
    void theWarmUpDecayIsMinOfDecayAndOnePlusTOverTenPlusT() {
        assertEquals(0.1, Averaging.warmDecay(0.999, 0), 0.0);
        assertEquals(11.0 / 20.0, Averaging.warmDecay(0.999, 10), 0.0);
        assertEquals(0.999, Averaging.warmDecay(0.999, 1_000_000), 0.0);
        assertEquals(0.0, Averaging.warmDecay(0, 5), 0.0);
        assertThrows(IllegalArgumentException.class, () -> Averaging.warmDecay(1, 0));
        assertThrows(IllegalArgumentException.class, () -> Averaging.warmDecay(0.9, -1));
    }

    @Test
    void theEmaOfAConstantSequenceConvergesToItAndEachUpdateIsTheWarmedConvexCombination() {
        Net avg = net(DType.F64, 0, 0), target = net(DType.F64, 4, -2);
        for (int t = 0; t < 3; t++) {
            double d = Averaging.warmDecay(0.5, t);
            Net next = Averaging.ema(avg, target, 0.5, t);
            assertEquals(d * avg.w().toArray()[1] + (1 - d) * 8, next.w().toArray()[1], 1e-15);
            avg = next;
        }
        for (int t = 3; t < 200; t++) avg = Averaging.ema(avg, target, 0.5, t);
        assertEquals(4, avg.w().toArray()[0], 1e-12);
        assertEquals(-2, avg.b().toArray()[0], 1e-12);
    }

    @Test
    void decayZeroTracksTheWeightsExactlyAndTheCallersRecordsAreUntouched() {
        Net avg = net(DType.F32, 1, 1), p = net(DType.F32, 0.1f, 0.3f);
        Net out = Averaging.ema(avg, p, 0, 0);
        assertEquals(p.w().toArray()[0], out.w().toArray()[0], 0.0);
        assertEquals(DType.F32, out.w().dtype());
        assertEquals(1.0, avg.w().toArray()[0], 0.0);
    }

    @Test
    void mismatchedRecordsAreRefusedWithTheirShapesOrDtypes() {
        Net a = net(DType.F64, 1, 1);
        var shape = assertThrows(IllegalArgumentException.class,
                () -> Averaging.polyak(a, new Net(Tensor.zeros(DType.F64, 3), Tensor.zeros(DType.F64, 1)), 0.5));
        assertEquals("Averaging.polyak: tensor 0 is [2] online but [3] in the target", shape.getMessage());
        var dtype = assertThrows(IllegalArgumentException.class, () -> Averaging.polyak(a, net(DType.F32, 1, 1), 0.5));
        assertEquals("Averaging.polyak: tensor 0 is F64 online but F32 in the target", dtype.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Averaging.polyak(a, a, -0.1));
    }
}
