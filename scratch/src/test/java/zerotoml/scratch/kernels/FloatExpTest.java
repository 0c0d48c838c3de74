package zerotoml.scratch.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static zerotoml.scratch.kernels.RawBits.assertSameBits;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link FloatExp} against its oracles, {@code (float) Math.exp((double) x)} for its scalar exp and the float
 * tanh as it was computed ({@link FloatExp#naiveTanh}) for the tanh, raw bits compared (NaN
 * payloads included), the tanh on the scalar path, the Vector API path (surefire runs with the module) and
 * the dispatching array kernel, for edge values (±0, subnormals, ±∞, NaNs, the overflow and
 * underflow edges, the clamp bounds, the reduction's half-way points) and random floats, at sizes
 * 0, 1, odd, around every vector length and above the parallel threshold. The exhaustive check over
 * all 2³² floats is a main (benchmarks' FloatExpExhaustive; its result is in notes/Performance.md).
 */
class FloatExpTest {

    /** Edge values and their float neighbours. */
    static float[] edges() {
        List<Float> v = new ArrayList<>();
        float[] base = {
            0f, Float.MIN_VALUE, 3 * Float.MIN_VALUE, Float.MIN_NORMAL, 0x1p-25f, 0x1p-24f, 0x1p-23f, 1f, 0.5f,
            Float.MAX_VALUE, Float.POSITIVE_INFINITY,
            88.72283f, 88.7228394f, 89f, 110f, // e^x overflows float from about 88.7228
            87.33654f, 103.97208f, 104f, 103.27893f, // -x: e^-x leaves the normal floats near 87.34 and rounds to 0 near 103.97
            (float) (Math.log(2) / 2), (float) (3 * Math.log(2) / 2), (float) (201 * Math.log(2) / 2), (float) Math.log(2),
            0x1p-5f, 20f, 9.01f, 17.33f // tanh's series and its 1 begin at 2⁻⁵ and 20; σ and tanh reach 1 in float near 17.3 and 9
        };
        for (float b : base) {
            for (float s : new float[] {b, -b}) {
                v.add(s);
                v.add(Math.nextUp(s));
                v.add(Math.nextDown(s));
            }
        }
        for (int bits : new int[] {0x7fc00000, 0xffc00000, 0x7f800001, 0x7fbfffff, 0xff800123, 0x7fc12345}) v.add(Float.intBitsToFloat(bits));
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) out[i] = v.get(i);
        return out;
    }

    static float[] randoms(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(4)) {
                case 0 -> x[i] = Float.intBitsToFloat(r.nextInt());
                case 1 -> x[i] = (float) r.nextDouble(-110, 90);
                case 2 -> x[i] = (float) r.nextGaussian();
                default -> x[i] = (float) (r.nextGaussian() * 1e-6);
            }
        }
        return x;
    }

    private static float[] oracle(float[] x) {
        float[] o = new float[x.length];
        for (int i = 0; i < x.length; i++) o[i] = FloatExp.naiveExp(x[i]);
        return o;
    }

    @Test
    void theScalarExpGivesTheBitsOfMathExpRoundedToFloatOnEdgeAndRandomValues() {
        float[] x = edges();
        float[] got = new float[x.length];
        for (int i = 0; i < x.length; i++) got[i] = FloatExp.exp(x[i]);
        assertSameBits(x, oracle(x), got, "scalar exp, edges");
        float[] y = randoms(new SplittableRandom(11), 1 << 20);
        float[] gy = new float[y.length];
        for (int i = 0; i < y.length; i++) gy[i] = FloatExp.exp(y[i]);
        assertSameBits(y, oracle(y), gy, "scalar exp, random");
    }

    @Test
    void theVectorPathsWriteNothingOutsideTheirRangeThoughTheyLoadAndStoreWindowsOfTwoSteps() {
        // tanh reads and stores a window of two steps a step at a time (VectorExp's class comment): its upper half must
        // never reach past o + n, nor the store touch out before o; nor may the float-lane kernels' whole vectors
        SplittableRandom r = new SplittableRandom(16);
        float sentinel = Float.intBitsToFloat(0x7fc0_1234);
        for (int n = 0; n <= 3 * VectorExp.W + 1; n++) {
            for (int o : new int[] {0, 1, 5}) {
                float[] x = randoms(r, o + n + VectorExp.W);
                for (FloatKernelChecks.ArrayFn path : new FloatKernelChecks.ArrayFn[] {FloatExp::tanhVector, Expf::vector, FloatSigmoid::vector}) {
                    float[] out = new float[o + n + VectorExp.W];
                    java.util.Arrays.fill(out, sentinel);
                    path.run(x, o, out, o, n);
                    for (int i = 0; i < out.length; i++) {
                        if (i < o || i >= o + n) {
                            assertEquals(Float.floatToRawIntBits(sentinel), Float.floatToRawIntBits(out[i]), "n=" + n + ", o=" + o + ": out[" + i + "] written");
                        }
                    }
                }
            }
        }
    }

    @Test
    void theTanhGivesTheBitsOfItsFloatFormOnBothPathsAtEveryEdgeSize() {
        // the scalar path against the oracle, on the edge values and on random floats mixed with them
        SplittableRandom r = new SplittableRandom(15);
        for (float[] x : new float[][] {edges(), FloatKernelChecks.randomsWithEdges(r, 100_003)}) {
            float[] want = new float[x.length], one = new float[x.length];
            for (int i = 0; i < x.length; i++) want[i] = FloatExp.naiveTanh(x[i]);
            for (int i = 0; i < x.length; i++) one[i] = FloatExp.tanh(x[i]);
            assertSameBits(x, want, one, "tanh one at a time, n=" + x.length);
        }
        // the vector path, the scalar path and the array kernel against the scalar form at every edge size and offset
        FloatKernelChecks.vectorGivesScalarBits(FloatExp::tanh, FloatExp::tanhVector, FloatExp::tanhScalar, FloatExp::tanh, 16);
    }

    @Test
    void theKernelsDoubleIsWithinTwoUlpsOfMathExp() {
        // what the proof of equality leans on: y within 2⁻⁴⁶ relative of e^x, far wider than the ulps measured here
        float[] x = randoms(new SplittableRandom(14), 1 << 18);
        for (float v : x) {
            if (!(v > FloatExp.LOWEST && v < FloatExp.HIGHEST)) continue;
            double y = FloatExp.approx(v), e = Math.exp(v);
            assertTrue(Math.abs(y - e) <= 2 * Math.ulp(e), "approx(" + v + ") = " + y + ", Math.exp " + e);
        }
    }

}
