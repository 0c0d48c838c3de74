package zerotoml.scratch.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Expf}: its vector path against its scalar path bit for bit at edge sizes and offsets and in place; its
 * scalar path within {@link Expf#MAX_ULPS} float ulps of {@code (float) Math.exp(x)} on edge values (FloatExpTest's:
 * ±0, subnormals, ±∞, NaNs, the overflow and underflow edges) and a million random floats; the exact values.
 * The exhaustive check over all 2³² floats is benchmarks' FloatExpExhaustive (its result is in notes/Performance.md).
 */
class ExpfTest {

    private static long checkUlps(FloatKernelChecks.Fn f, float[] xs, String what) {
        return FloatKernelChecks.checkUlps(f, Expf::naive, Expf.MAX_ULPS, xs, what);
    }

    @Test
    void theScalarPathIsWithinItsStatedUlpsOfMathExpRoundedOnEdgeAndRandomValues() {
        checkUlps(Expf::exp, FloatExpTest.edges(), "edges");
        long worst = checkUlps(Expf::exp, FloatExpTest.randoms(new SplittableRandom(31), 1 << 20), "random");
        // every float from −104 to 89 in steps of 2⁻¹⁰: each binade of results, subnormal and overflow edges included
        float[] line = new float[193 * 1024 + 1];
        for (int i = 0; i < line.length; i++) line[i] = -104f + i * 0x1p-10f;
        worst = Math.max(worst, checkUlps(Expf::exp, line, "line"));
        assertTrue(worst >= 1, "some result one ulp from Math.exp rounded: the float path rounds more than once");
    }

    @Test
    void theExactValuesComeOutExactly() {
        // e^±0 = 1, e^+∞ = +∞, e^−∞ = +0, e^89 = +∞ (past the largest float), e^−104 = +0, a NaN with its payload
        assertEquals(1f, Expf.exp(0f));
        assertEquals(1f, Expf.exp(-0f));
        assertEquals(Float.POSITIVE_INFINITY, Expf.exp(Float.POSITIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, Expf.exp(89f));
        // the overflow edge: the largest x whose e^x rounds to a finite float gives a finite float, the next +∞
        float top = 88f;
        while (Float.isFinite(Expf.naive(Math.nextUp(top)))) top = Math.nextUp(top);
        assertTrue(Float.isFinite(Expf.exp(top)) && Expf.exp(top) > 3e38f, "e^" + top + " is " + Expf.exp(top));
        assertEquals(Float.POSITIVE_INFINITY, Expf.exp(Math.nextUp(top)));
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(Expf.exp(Float.NEGATIVE_INFINITY)));
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(Expf.exp(-104f)));
        assertEquals(Float.MIN_VALUE, Expf.exp(-103.27893f), "e^−103.28 rounds to the smallest subnormal");
        for (int bits : new int[] {0x7fc00000, 0xffc12345, 0x7f800001}) {
            assertEquals(bits, Float.floatToRawIntBits(Expf.exp(Float.intBitsToFloat(bits))));
        }
        // a subnormal result rounded once: e^−100 = 3.72e−44, 27 steps of 2⁻¹⁴⁹
        assertEquals(Expf.naive(-100f), Expf.exp(-100f));
    }

    @Test
    void theUlpCheckCatchesAPlantedErrorOfOneUlpMoreThanAllowed() {
        FloatKernelChecks.plantedErrorsAreCaught(Expf::naive, Expf.MAX_ULPS, 33);
    }

    @Test
    void theVectorPathGivesTheScalarPathsBitsAtEveryEdgeSizeAndOffsetAndInPlace() {
        FloatKernelChecks.vectorGivesScalarBits(Expf::exp, Expf::vector, Expf::scalar, Expf::exp, 34);
    }

    @Test
    void theExpOpOnFloatsGivesTheScalarPathsBitsAboveTheParallelThreshold() {
        FloatKernelChecks.opGivesElementBitsAboveTheParallelThreshold(Unary.EXP, Expf::exp, 35);
    }
}
