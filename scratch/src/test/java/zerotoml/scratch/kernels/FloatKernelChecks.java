package zerotoml.scratch.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static zerotoml.scratch.kernels.RawBits.assertSameBits;

import java.util.SplittableRandom;

/**
 * The checks shared by the float kernels computed in float ({@link FloatSigmoid}, {@link Expf}): a scalar path
 * within a stated number of float ulps of its double reference, and a vector path with the scalar path's bits
 * at edge sizes and offsets and in place.
 */
final class FloatKernelChecks {
    private FloatKernelChecks() {}

    /** One float function of one float. */
    interface Fn {
        float at(float x);
    }

    /** A kernel over an array: out[o + t] = f(x[xo + t]) for t &lt; n. */
    interface ArrayFn {
        void run(float[] x, int xo, float[] out, int o, int n);
    }

    /** The worst distance of f from want over xs, or an error naming the first input past maxUlps. */
    static long checkUlps(Fn f, Fn want, int maxUlps, float[] xs, String what) {
        long worst = 0;
        for (float x : xs) {
            float got = f.at(x), w = want.at(x);
            long d = FloatSigmoid.ulpsApart(got, w);
            if (d < 0 || d > maxUlps) {
                throw new AssertionError(what + ": f(" + x + ") [bits " + Integer.toHexString(Float.floatToRawIntBits(x)) + "] is " + got
                        + ", the reference " + w + ": " + (d < 0 ? "not both NaN" : d + " ulps") + ", allowed " + maxUlps);
            }
            worst = Math.max(worst, d);
        }
        return worst;
    }

    /** checkUlps catches a planted f one ulp past maxUlps from want (naming the distance), and a NaN where want is a number. */
    static void plantedErrorsAreCaught(Fn want, int maxUlps, long seed) {
        float[] x = FloatExpTest.randoms(new SplittableRandom(seed), 1 << 12);
        Fn planted = v -> {
            float s = want.at(v);
            for (int i = 0; i <= maxUlps; i++) s = Math.nextUp(s);
            return s;
        };
        AssertionError e = assertThrows(AssertionError.class, () -> checkUlps(planted, want, maxUlps, x, "planted"));
        assertTrue(e.getMessage().contains((maxUlps + 1) + " ulps"), e.getMessage());
        assertThrows(AssertionError.class, () -> checkUlps(v -> Float.NaN, want, maxUlps, new float[] {1f}, "planted NaN"));
    }

    /** The op's float loop ({@link Pointwise#map}, split over tasks above the threshold) gives element's bits. */
    static void opGivesElementBitsAboveTheParallelThreshold(Unary op, Fn element, long seed) {
        int n = (int) Parallel.THRESHOLD + 4099;
        float[] x = randomsWithEdges(new SplittableRandom(seed), n), out = new float[n];
        Pointwise.map(op, x, out, n);
        float[] want = new float[n];
        for (int i = 0; i < n; i++) want[i] = element.at(x[i]);
        assertSameBits(x, want, out, "Pointwise.map(" + op + ")");
    }

    /** FloatExpTest's random floats with a quarter of them replaced by its edge values. */
    static float[] randomsWithEdges(SplittableRandom r, int n) {
        float[] x = FloatExpTest.randoms(r, n), edges = FloatExpTest.edges();
        for (int i = 0; i < n; i++) if (r.nextInt(4) == 0) x[i] = edges[r.nextInt(edges.length)];
        return x;
    }

    /**
     * The vector path, the scalar path and the dispatching kernel give element's bits (raw bits, NaN payloads
     * included) at sizes 0, 1, odd, around the vector length and large, from offsets 0, 1 and 5, and the vector
     * path in place; nothing before the offset is written.
     */
    static void vectorGivesScalarBits(Fn element, ArrayFn vector, ArrayFn scalar, ArrayFn kernel, long seed) {
        assertTrue(Backend.VECTOR, "surefire runs with --add-modules jdk.incubator.vector, so the vector path is tested");
        SplittableRandom r = new SplittableRandom(seed);
        int[] sizes = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 65, 511, 513, FloatExpTest.edges().length, 100_003};
        for (int n : sizes) {
            float[] x = randomsWithEdges(r, n);
            float[] want = new float[n];
            for (int i = 0; i < n; i++) want[i] = element.at(x[i]);
            for (int off : new int[] {0, 1, 5}) {
                if (off > n) continue;
                int m = n - off;
                float[] v = new float[n], s = new float[n], k = new float[n];
                vector.run(x, off, v, off, m);
                scalar.run(x, off, s, off, m);
                kernel.run(x, off, k, off, m);
                float[] w = want.clone();
                for (int i = 0; i < off; i++) w[i] = 0f;
                assertSameBits(x, w, v, "vector path, n=" + m + " from " + off);
                assertSameBits(x, w, s, "scalar path, n=" + m + " from " + off);
                assertSameBits(x, w, k, "array kernel, n=" + m + " from " + off);
                float[] in = x.clone();
                vector.run(in, off, in, off, m);
                for (int i = 0; i < off; i++) w[i] = x[i];
                assertSameBits(x, w, in, "vector path in place, n=" + m + " from " + off);
            }
        }
    }
}
