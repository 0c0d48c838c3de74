package zerotoml.scratch.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static zerotoml.scratch.kernels.RawBits.assertSameBits;

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

    private interface Sigmoid {
        float at(float x);
    }

    /** The worst distance of f from σ in double rounded over xs, or an error naming the first input past the bound. */
    private static long checkUlps(Sigmoid f, float[] xs, String what) {
        long worst = 0;
        for (float x : xs) {
            float got = f.at(x), want = FloatSigmoid.naive(x);
            long d = FloatSigmoid.ulpsApart(got, want);
            if (d < 0 || d > FloatSigmoid.MAX_ULPS) {
                throw new AssertionError(what + ": σ(" + x + ") [bits " + Integer.toHexString(Float.floatToRawIntBits(x)) + "] is " + got
                        + ", σ in double rounded " + want + ": " + (d < 0 ? "not both NaN" : d + " ulps") + ", allowed " + FloatSigmoid.MAX_ULPS);
            }
            worst = Math.max(worst, d);
        }
        return worst;
    }

    private static float[] randomsWithEdges(SplittableRandom r, int n) {
        float[] x = FloatExpTest.randoms(r, n), edges = FloatExpTest.edges();
        for (int i = 0; i < n; i++) if (r.nextInt(4) == 0) x[i] = edges[r.nextInt(edges.length)];
        return x;
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
    void theUlpCheckCatchesAPlantedErrorOfOneUlpMoreThanAllowed() {
        float[] x = FloatExpTest.randoms(new SplittableRandom(23), 1 << 12);
        Sigmoid planted = v -> {
            float s = FloatSigmoid.naive(v);
            for (int i = 0; i <= FloatSigmoid.MAX_ULPS; i++) s = Math.nextUp(s);
            return s;
        };
        AssertionError e = assertThrows(AssertionError.class, () -> checkUlps(planted, x, "planted"));
        assertTrue(e.getMessage().contains((FloatSigmoid.MAX_ULPS + 1) + " ulps"), e.getMessage());
        // and a NaN where σ in double gives a number
        assertThrows(AssertionError.class, () -> checkUlps(v -> Float.NaN, new float[] {1f}, "planted NaN"));
    }

    @Test
    void theVectorPathGivesTheScalarPathsBitsAtEveryEdgeSizeAndOffsetAndInPlace() {
        assertTrue(Backend.VECTOR, "surefire runs with --add-modules jdk.incubator.vector, so the vector path is tested");
        SplittableRandom r = new SplittableRandom(24);
        int[] sizes = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 65, 511, 513, FloatExpTest.edges().length, 100_003};
        for (int n : sizes) {
            float[] x = randomsWithEdges(r, n);
            float[] want = new float[n];
            for (int i = 0; i < n; i++) want[i] = FloatSigmoid.sigmoid(x[i]);
            for (int off : new int[] {0, 1, 5}) {
                if (off > n) continue;
                int m = n - off;
                float[] v = new float[n], s = new float[n], k = new float[n];
                FloatSigmoid.vector(x, off, v, off, m);
                FloatSigmoid.scalar(x, off, s, off, m);
                FloatSigmoid.sigmoid(x, off, k, off, m);
                float[] w = want.clone();
                for (int i = 0; i < off; i++) w[i] = 0f;
                assertSameBits(x, w, v, "vector path, n=" + m + " from " + off);
                assertSameBits(x, w, s, "scalar path, n=" + m + " from " + off);
                assertSameBits(x, w, k, "array kernel, n=" + m + " from " + off);
                float[] in = x.clone();
                FloatSigmoid.vector(in, off, in, off, m);
                for (int i = 0; i < off; i++) w[i] = x[i];
                assertSameBits(x, w, in, "vector path in place, n=" + m + " from " + off);
            }
        }
    }

    @Test
    void theSigmoidOpOnFloatsGivesTheScalarPathsBitsAboveTheParallelThreshold() {
        int n = (int) Parallel.THRESHOLD + 4099;
        float[] x = randomsWithEdges(new SplittableRandom(25), n), out = new float[n];
        Pointwise.map(Unary.SIGMOID, x, out, n);
        float[] want = new float[n];
        for (int i = 0; i < n; i++) want[i] = FloatSigmoid.sigmoid(x[i]);
        assertSameBits(x, want, out, "Pointwise.map(SIGMOID)");
    }
}
