package zerotoml.scratch.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link FloatSigmoid}: its vector path against its scalar path bit for bit (raw bits, NaN payloads
 * included) at sizes 0, 1, odd, around the vector length and above the parallel threshold, from
 * several offsets and in place; its scalar path within {@link FloatSigmoid#MAX_ULPS} float ulps of σ
 * in double rounded, on edge values (FloatExpTest's: ±0, subnormals, ±∞, NaNs, the clamp and
 * underflow edges) and a million random floats. The exhaustive check over all 2³² floats is
 * benchmarks' FloatExpExhaustive (its result is in notes/Performance.md).
 */
class FloatSigmoidTest {

    /** The worst distance of f from σ in double rounded over xs, or an error naming the first input past the bound. */
    private static long checkUlps(FloatKernelChecks.Fn f, float[] xs, String what) {
        return FloatKernelChecks.checkUlps(f, FloatSigmoid::naive, FloatSigmoid.MAX_ULPS, xs, what);
    }

    @Test
    void theScalarPathIsWithinItsStatedUlpsOfSigmoidInDoubleOnEdgeAndRandomValues() {
        checkUlps(FloatSigmoid::sigmoid, FloatExpTest.edges(), "edges");
        long worst = checkUlps(FloatSigmoid::sigmoid, FloatExpTest.randoms(new SplittableRandom(21), 1 << 20), "random");
        // Gaussian inputs, where training puts them: the distance is not always 0 (else the bound would say nothing)
        float[] g = new float[1 << 18];
        SplittableRandom r = new SplittableRandom(22);
        for (int i = 0; i < g.length; i++) g[i] = (float) (r.nextGaussian() * 4);
        worst = Math.max(worst, checkUlps(FloatSigmoid::sigmoid, g, "Gaussian"));
        assertTrue(worst >= 1, "some result one ulp or more from σ in double: the float path rounds more than once");
    }

    @Test
    void theExactValuesComeOutExactly() {
        // σ(±0) = 1/2, σ(+∞) = 1, σ(−∞) = +0, σ(−200) = +0 (e^−104 rounds to 0), and a NaN comes back with its payload
        assertEquals(0.5f, FloatSigmoid.sigmoid(0f));
        assertEquals(0.5f, FloatSigmoid.sigmoid(-0f));
        assertEquals(1f, FloatSigmoid.sigmoid(Float.POSITIVE_INFINITY));
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(FloatSigmoid.sigmoid(Float.NEGATIVE_INFINITY)));
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(FloatSigmoid.sigmoid(-200f)));
        assertEquals(1f, FloatSigmoid.sigmoid(17.5f), "1 − e^−17.5 rounds to 1 in float");
        for (int bits : new int[] {0x7fc00000, 0xffc12345, 0x7f800001}) {
            float nan = Float.intBitsToFloat(bits);
            assertEquals(bits, Float.floatToRawIntBits(FloatSigmoid.sigmoid(nan)));
        }
        // subnormal results, e^x itself near the bottom of float: σ(−100) = 3.72e−44, 27 subnormal steps of 2⁻¹⁴⁹
        float tiny = FloatSigmoid.sigmoid(-100f);
        assertTrue(tiny > 0 && tiny < Float.MIN_NORMAL, "σ(−100) is subnormal: " + tiny);
        assertTrue(FloatSigmoid.ulpsApart(tiny, FloatSigmoid.naive(-100f)) <= FloatSigmoid.MAX_ULPS);
    }

    @Test
    void theUlpDistanceCountsTheFloatsBetweenTakesMinusZeroAsZeroAndRefusesOneNaNOrANegative() {
        assertEquals(0, FloatSigmoid.ulpsApart(-0f, 0f));
        assertEquals(0, FloatSigmoid.ulpsApart(0f, -0f));
        assertEquals(1, FloatSigmoid.ulpsApart(-0f, Float.MIN_VALUE));
        assertEquals(2, FloatSigmoid.ulpsApart(1f, Math.nextUp(Math.nextUp(1f))));
        assertEquals(0, FloatSigmoid.ulpsApart(Float.NaN, Float.intBitsToFloat(0x7fc01234)));
        assertEquals(-1, FloatSigmoid.ulpsApart(Float.NaN, 1f));
        assertEquals(-1, FloatSigmoid.ulpsApart(-1f, -1f));
    }

    @Test
    void theUlpCheckCatchesAPlantedErrorOfOneUlpMoreThanAllowed() {
        FloatKernelChecks.plantedErrorsAreCaught(FloatSigmoid::naive, FloatSigmoid.MAX_ULPS, 23);
    }

    @Test
    void theVectorPathGivesTheScalarPathsBitsAtEveryEdgeSizeAndOffsetAndInPlace() {
        FloatKernelChecks.vectorGivesScalarBits(FloatSigmoid::sigmoid, FloatSigmoid::vector, FloatSigmoid::scalar, FloatSigmoid::sigmoid, 24);
    }

    @Test
    void theSigmoidOpOnFloatsGivesTheScalarPathsBitsAboveTheParallelThreshold() {
        FloatKernelChecks.opGivesElementBitsAboveTheParallelThreshold(Unary.SIGMOID, FloatSigmoid::sigmoid, 25);
    }
}
