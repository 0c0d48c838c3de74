package zerotoml.scratch.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The hand-written erf, against published values; everything else is proven against PyTorch in parity-tests. */
class ActivationsTest {
    /**
     * erf at points where its value is published to 20 digits (Abramowitz and Stegun, Table 7.1, and
     * the DLMF), each written here as the nearest double.
     */
    private static final double[][] KNOWN = {
        {0.1, 0.112462916018284892203},
        {0.5, 0.520499877813046537682},
        {1.0, 0.842700792949714869341},
        {1.5, 0.966105146475310713936},
        {2.0, 0.995322265018952734162},
        {3.0, 0.999977909503001414558},
        {4.0, 0.999999984582742099719},
        {5.0, 0.999999999998462540205},
    };

    @Test
    void erfMatchesPublishedValuesToAboutOnePartInTenToTheFifteen() {
        for (double[] k : KNOWN) {
            double mine = Activations.erf(k[0]);
            double rel = Math.abs(mine - k[1]) / k[1];
            assertTrue(rel <= 1e-15, "erf(" + k[0] + ") = " + mine + ", published " + k[1] + ", relative error " + rel);
            assertEquals(-mine, Activations.erf(-k[0]), 0.0, "erf is odd");
        }
    }

    @Test
    void erfOfTinyArgumentsIsTwoOverRootPiTimesX() {
        for (double x : new double[] {1e-300, 1e-20, 1e-10}) {
            assertEquals(Activations.TWO_OVER_SQRT_PI * x, Activations.erf(x), 1e-15 * Activations.TWO_OVER_SQRT_PI * x);
        }
        assertEquals(0.0, Activations.erf(0.0), 0.0);
    }

    @Test
    void erfIsOneBeyondSixAndPropagatesNaN() {
        assertEquals(1.0, Activations.erf(6.5), 0.0);
        assertEquals(-1.0, Activations.erf(Double.NEGATIVE_INFINITY), 0.0);
        assertEquals(1.0, Activations.erf(Double.POSITIVE_INFINITY), 0.0);
        assertTrue(Double.isNaN(Activations.erf(Double.NaN)));
        assertTrue(Activations.erf(6.0) <= 1.0 && Activations.erf(4.0) < 1.0);
    }

    @Test
    void erfIsMonotoneUpToRoundingAndBoundedOnAFineGrid() {
        double prev = -1;
        for (int i = 0; i <= 120_000; i++) {
            double x = -6 + i * 1e-4;
            double e = Activations.erf(x);
            // the series' rounding may wobble by an ulp or two where erf is flat; never more
            assertTrue(e >= prev - 2 * Math.ulp(prev) && Math.abs(e) <= 1, "erf(" + x + ") = " + e + " after " + prev);
            prev = e;
        }
    }

    // ---- written for the sixth session's PIT survivors (notes/MutationTesting.md)

    @Test
    void softplusTurnsLinearOnlyAboveTwentyAsPyTorchDoes() {
        // at exactly 20 PyTorch still computes log1p(exp(x)) (its test is x > threshold), and its gradient is sigmoid(20)
        Tensor x = Tensor.of(new double[] {20, Math.nextUp(20.0)}, 2);
        assertEquals(Math.log1p(Math.exp(20)), Activations.softplus(x).toArray()[0], 0);
        assertEquals(Math.nextUp(20.0), Activations.softplus(x).toArray()[1], 0);
        double[] g = Autodiff.grad(t -> Reductions.sum(Activations.softplus(t)), x).toArray();
        assertEquals(1 / (1 + Math.exp(-20)), g[0], 0);
        assertEquals(1, g[1], 0);
    }

    @Test
    void softmaxShiftsByTheLaneMaximumSoThatHugeLogitsDoNotOverflow() {
        // e^1000 overflows: without the shift by the maximum the lane would be ∞/∞ = NaN
        double[] p = Softmax.softmax(Tensor.of(new double[] {1000, 1000, 999}, 3), 0).toArray();
        double e = Math.exp(-1);
        assertEquals(1 / (2 + e), p[0], 1e-15);
        assertEquals(1 / (2 + e), p[1], 1e-15);
        assertEquals(e / (2 + e), p[2], 1e-15);
    }
}
