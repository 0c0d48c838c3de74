package zerotoml.scratch.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static zerotoml.scratch.kernels.RawBits.assertSameBits;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link GeluTanh} against its naive twin bit for bit (sizes 0, 1, odd, around the block of 512, above the parallel
 * threshold; random values, the float tanh's edge values, NaN and infinities), and the twin against the formula in
 * double within float rounding.
 */
class GeluTanhTest {

    private static float[] inputs(SplittableRandom r, int n) {
        float[] x = FloatKernelChecks.randomsWithEdges(r, n);
        for (int i = 0; i < n; i++) if (r.nextInt(3) == 0) x[i] = (float) r.nextDouble(-8, 8); // where GELU bends
        return x;
    }

    @Test
    void theKernelsGiveTheTwinsBitsAtEdgeSizesAndAboveTheParallelThreshold() {
        SplittableRandom r = new SplittableRandom(61);
        for (int n : new int[] {0, 1, 2, 15, 16, 17, 511, 512, 513, 1025, FloatExpTest.edges().length, (int) Parallel.THRESHOLD + 777}) {
            float[] x = inputs(r, n), g = inputs(r, n);
            float[] want = new float[n], got = new float[n];
            GeluTanh.naiveForward(x, want, n);
            GeluTanh.forward(x, got, n);
            assertSameBits(x, want, got, "forward, n=" + n);
            GeluTanh.naiveBackward(g, x, want, n);
            GeluTanh.backward(g, x, got, n);
            // g · slope with both NaN (a NaN g, a NaN or overflowing x): Java leaves which payload a product of two NaNs keeps
            // to the hardware's operand order, which the JIT may swap in a vectorised loop, so any NaN stands for any NaN here
            for (int i = 0; i < n; i++) if (Float.isNaN(want[i]) && Float.isNaN(got[i])) got[i] = want[i];
            assertSameBits(x, want, got, "backward, n=" + n);
            // in place
            float[] in = x.clone();
            GeluTanh.naiveForward(x, want, n);
            GeluTanh.forward(in, in, n);
            assertSameBits(x, want, in, "forward in place, n=" + n);
        }
    }

    @Test
    void theTwinIsTheFormulaInDoubleWithinFloatRounding() {
        // each of the few float operations rounds once (relative 2⁻²⁴) and the float tanh is within an ulp: the value
        // within 8·2⁻²⁴ of its size plus the cancellation where 1 + tanh u is small (x below about −3); the slope likewise
        SplittableRandom r = new SplittableRandom(62);
        double eps = 0x1p-24;
        for (int i = 0; i < 200_000; i++) {
            float x = (float) r.nextDouble(-10, 10);
            double v = x, u = 0.7978845608028654 * (v + 0.044715 * v * v * v), t = Math.tanh(u);
            double want = 0.5 * v * (1 + t);
            double slope = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * 0.7978845608028654 * (1 + 3 * 0.044715 * v * v);
            float[] got = new float[1], d = new float[1];
            GeluTanh.naiveForward(new float[] {x}, got, 1);
            GeluTanh.naiveBackward(new float[] {1f}, new float[] {x}, d, 1);
            // |∂y/∂u| · |δu| bounds the tanh argument's rounding; terms of 0.5·|x|·(1 + |t|) bound the rest
            double scale = 0.5 * Math.abs(v) * (1 + Math.abs(t)) + 0.5 * Math.abs(v) * (1 - t * t) * Math.abs(u) + Float.MIN_NORMAL;
            assertTrue(Math.abs(got[0] - want) <= 8 * eps * scale, "x = " + x + ": " + got[0] + " against " + want);
            double slopeScale = 1 + Math.abs(v) * (1 + 3 * 0.044715 * v * v) * (1 + Math.abs(u)) ;
            assertTrue(Math.abs(d[0] - slope) <= 16 * eps * slopeScale, "slope at x = " + x + ": " + d[0] + " against " + slope);
        }
    }

    @Test
    void theSlopeIsExactlyOneOrZeroFarOutEvenWhereXSquaredOverflowsButNaNAtTheInfinities() {
        // PyTorch's float32 kernel gives NaN at the finite points (0 · ∞); its rule at ±∞ is NaN, which is kept
        float[] x = {10f, 1e20f, 3e38f, -10f, -1e20f, -3e38f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        float[] want = {1f, 1f, 1f, 0f, 0f, 0f, Float.NaN, Float.NaN};
        float[] ones = new float[x.length], got = new float[x.length];
        java.util.Arrays.fill(ones, 1f);
        GeluTanh.backward(ones, x, got, x.length);
        for (int i = 0; i < x.length; i++) {
            assertTrue(Float.compare(Math.abs(want[i]), Math.abs(got[i])) == 0 || (Float.isNaN(want[i]) && Float.isNaN(got[i])),
                    "slope at " + x[i] + ": " + got[i]);
        }
    }

    @Test
    void aPlantedErrorInTheFormulaIsCaughtAndBadSizesAreRefused() {
        // the check above would catch a forward that used κ = 0.0447 (a typo'd constant) at x = 2
        float x = 2f;
        double v = x, t = Math.tanh(0.7978845608028654 * (v + 0.0447 * v * v * v)), wrong = 0.5 * v * (1 + t);
        float[] got = new float[1];
        GeluTanh.naiveForward(new float[] {x}, got, 1);
        assertTrue(Math.abs(got[0] - wrong) > 8 * 0x1p-24 * 2, "a κ typo moves the value by more than the bound");
        assertThrows(IllegalArgumentException.class, () -> GeluTanh.forward(new float[3], new float[2], 3));
        assertThrows(IllegalArgumentException.class, () -> GeluTanh.backward(new float[2], new float[3], new float[3], 3));
        assertThrows(IllegalArgumentException.class, () -> GeluTanh.forward(new float[3], new float[3], -1));
    }
}
