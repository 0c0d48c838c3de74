package zerotoml.scratch.kernels;

import static zerotoml.scratch.kernels.RawBits.assertSameBits;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Gelu}'s forward and fused backwards against their naive twins, raw bits compared, float32 and float64, at edge sizes. */
class GeluTest {

    private static double[] inputs(SplittableRandom r, int n, boolean f32) {
        double[] x = new double[n];
        double[] special = {0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 2.828427, -8.5, 9, 1e-30};
        for (int i = 0; i < n; i++) {
            double v = r.nextInt(10) == 0 ? special[r.nextInt(special.length)] : r.nextGaussian() * (r.nextBoolean() ? 0.3 : 3);
            x[i] = f32 ? (float) v : v;
        }
        return x;
    }


    @Test
    void theForwardGivesTheErfsAndOutputsOfTheElementByElementLoop() {
        SplittableRandom r = new SplittableRandom(31);
        for (int n : new int[] {0, 1, 7, 8, 9, 17, 33, 4095, 4097, 100_003}) {
            for (boolean f32 : new boolean[] {true, false}) {
                double[] x = inputs(r, n, f32);
                double[] e1 = new double[n], o1 = new double[n], e2 = new double[n], o2 = new double[n];
                Gelu.forward(x, e1, o1, n);
                Gelu.naiveForward(x, e2, o2, n);
                assertSameBits(e2, e1, "erfs, n=" + n + (f32 ? " f32" : " f64"));
                assertSameBits(o2, o1, "outputs, n=" + n + (f32 ? " f32" : " f64"));
            }
        }
    }

    @Test
    void theFloatForwardGivesTheErfsOfTheWidenedLoopAndItsOutputsRoundedToFloat() {
        SplittableRandom r = new SplittableRandom(33);
        for (int n : new int[] {0, 1, 7, 8, 9, 17, 33, 4095, 4097, 100_003}) {
            double[] x = inputs(r, n, true);
            float[] xf = new float[n], of = new float[n];
            for (int i = 0; i < n; i++) xf[i] = (float) x[i];
            double[] e1 = new double[n], e2 = new double[n], o2 = new double[n];
            Gelu.forward(xf, e1, of, n);
            Gelu.naiveForward(x, e2, o2, n);
            double[] got = new double[n];
            for (int i = 0; i < n; i++) {
                got[i] = of[i];
                o2[i] = (float) o2[i];
            }
            assertSameBits(e2, e1, "erfs from floats, n=" + n);
            assertSameBits(o2, got, "outputs rounded to float, n=" + n);
        }
    }

    @Test
    void theFusedBackwardsGiveTheBitsOfTheSlopeTensorTimesTheGradient() {
        SplittableRandom r = new SplittableRandom(32);
        for (int n : new int[] {0, 1, 7, 8, 9, 17, 33, 4097}) {
            double[] x = inputs(r, n, true), erfs = new double[n], out = new double[n];
            Gelu.naiveForward(x, erfs, out, n);
            double[] g = inputs(r, n, true);
            float[] gf = new float[n];
            for (int i = 0; i < n; i++) gf[i] = (float) g[i];
            double[] got = new double[n];
            float[] xf = new float[n], rx = new float[n];
            for (int i = 0; i < n; i++) xf[i] = (float) x[i];
            Gelu.backward(gf, xf, erfs, rx, n);
            for (int i = 0; i < n; i++) got[i] = rx[i];
            assertSameBits(Gelu.naiveBackward(g, x, erfs, n, true), got, "f32 backward on float x, n=" + n);
            double[] gd = inputs(r, n, false), rd = new double[n];
            Gelu.backward(gd, x, erfs, rd, n);
            assertSameBits(Gelu.naiveBackward(gd, x, erfs, n, false), rd, "f64 backward, n=" + n);
        }
    }
}
