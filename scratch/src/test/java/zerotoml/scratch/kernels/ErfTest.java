package zerotoml.scratch.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Erf#erf}, the array kernel, against its oracle {@link Erf#naive} one element at a time, raw
 * bits compared (NaN payloads included), on the Vector API path (surefire runs with the module), the
 * scalar path and the dispatching kernel, in place and not, for edge values (±0, subnormals, the
 * branch edges 2 and 6 and their neighbours, ±∞, NaNs) and random values of every scale, at sizes 0,
 * 1, odd, around every vector length and above the parallel threshold.
 */
class ErfTest {

    /** Edge values and their double neighbours. */
    private static double[] edges() {
        List<Double> v = new ArrayList<>();
        double[] base = {0, Double.MIN_VALUE, Double.MIN_NORMAL, 1e-300, 1e-20, 1e-10, 1e-5, 0.1, 0.5, 1, 1.5, 2, 3, 4, 5, 6, 6.5, 100,
            Double.MAX_VALUE, Double.POSITIVE_INFINITY, 0x1p-11, 0x1p-12, 0x1p-1, 1.9999999};
        for (double b : base) {
            for (double s : new double[] {b, -b}) {
                v.add(s);
                v.add(Math.nextUp(s));
                v.add(Math.nextDown(s));
            }
        }
        for (long bits : new long[] {0x7ff8000000000000L, 0xfff8000000000000L, 0x7ff0000000000001L, 0x7ff8000012345678L}) v.add(Double.longBitsToDouble(bits));
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) out[i] = v.get(i);
        return out;
    }

    private static double[] randoms(SplittableRandom r, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(5)) {
                case 0 -> x[i] = r.nextGaussian() * 0.3;
                case 1 -> x[i] = r.nextGaussian() * 2;
                case 2 -> x[i] = r.nextDouble(-7, 7);
                case 3 -> x[i] = (float) (r.nextGaussian() * 1.5) * 0.7071067811865476; // GELU's argument: a float over √2
                default -> x[i] = r.nextGaussian() * Math.pow(2, -r.nextInt(40));
            }
        }
        return x;
    }

    private static double[] oracle(double[] x) {
        double[] o = new double[x.length];
        for (int i = 0; i < x.length; i++) o[i] = Erf.naive(x[i]);
        return o;
    }

    private static void assertSameBits(double[] x, double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToRawLongBits(expected[i]) != Double.doubleToRawLongBits(actual[i])) {
                throw new AssertionError(what + ": erf(" + x[i] + ") at " + i + " is " + actual[i] + ", the oracle's " + expected[i]);
            }
        }
    }

    @Test
    void theVectorPathTheScalarPathAndTheKernelGiveTheOraclesBitsAtEveryEdgeSize() {
        assertTrue(Backend.VECTOR, "surefire runs with --add-modules jdk.incubator.vector, so the vector path is tested");
        double[] edges = edges();
        SplittableRandom r = new SplittableRandom(21);
        int[] sizes = {0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 511, 513, edges.length, 100_003};
        for (int n : sizes) {
            double[] x = randoms(r, n);
            for (int i = 0; i < n; i++) if (r.nextInt(4) == 0) x[i] = edges[r.nextInt(edges.length)];
            double[] want = oracle(x);
            for (int lo : new int[] {0, 1, 3}) {
                if (lo > n) continue;
                double[] v = new double[n], s = new double[n];
                Erf.vector(x, v, lo, n);
                Erf.scalar(x, s, lo, n);
                double[] w = want.clone();
                for (int i = 0; i < lo; i++) w[i] = 0;
                assertSameBits(x, w, v, "vector path, [" + lo + ", " + n + ")");
                assertSameBits(x, w, s, "scalar path, [" + lo + ", " + n + ")");
                double[] vi = x.clone();
                Erf.vector(vi, vi, lo, n);
                for (int i = 0; i < lo; i++) w[i] = x[i];
                assertSameBits(x, w, vi, "vector path in place, [" + lo + ", " + n + ")");
            }
            double[] k = new double[n], ki = x.clone();
            Erf.erf(x, k, n);
            Erf.erf(ki, ki, n);
            assertSameBits(x, want, k, "array kernel, n=" + n);
            assertSameBits(x, want, ki, "array kernel in place, n=" + n);
        }
        double[] all = edges.clone(), out = new double[all.length];
        Erf.vector(all, out, 0, all.length);
        assertSameBits(all, oracle(all), out, "vector path, the edge values in order");
    }

    @Test
    void aMillionRandomValuesAcrossEveryBranchGiveTheOraclesBits() {
        double[] x = randoms(new SplittableRandom(22), 1 << 20);
        double[] out = new double[x.length];
        Erf.erf(x, out, x.length);
        assertSameBits(x, oracle(x), out, "array kernel, 2^20 random values");
    }

    @Test
    void everyFloatNearTheBranchEdgesOverRootTwoGivesTheOraclesBits() {
        // GELU calls erf on a float times 1/√2: sweep the floats around the edges 2 and 6 of |x|/√2 and around 0
        List<Double> v = new ArrayList<>();
        for (float c : new float[] {2.828427f, 8.485281f, 0f, 1.4142135f}) {
            float f = c;
            for (int i = 0; i < 2000; i++) f = Math.nextDown(f);
            for (int i = 0; i < 4000; i++, f = Math.nextUp(f)) {
                v.add(f * 0.7071067811865476);
                v.add(-f * 0.7071067811865476);
            }
        }
        double[] x = v.stream().mapToDouble(Double::doubleValue).toArray(), out = new double[x.length];
        Erf.erf(x, out, x.length);
        assertSameBits(x, oracle(x), out, "floats over √2 near the branch edges");
    }
}
