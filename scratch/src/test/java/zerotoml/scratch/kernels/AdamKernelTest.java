package zerotoml.scratch.kernels;

import static zerotoml.scratch.kernels.RawBits.assertSameBits;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link AdamKernel#step} against its twin {@link AdamKernel#naive} (the optimiser's ops one after
 * another, each rounded to the dtype), raw bits compared, in float and double, for Adam, AdamW, both
 * decays at once and AMSGrad, on edge values (±0, NaN, ±∞, subnormals, huge) and random ones, at sizes
 * 0, 1, odd and around vector lengths.
 */
class AdamKernelTest {

    private static double[] values(SplittableRandom r, int n, boolean f32, boolean nonNegative) {
        double[] special = {0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-40, 1e-310, 3e38, 1e300, 1e-8};
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            double v = r.nextInt(8) == 0 ? special[r.nextInt(special.length)] : r.nextGaussian() * Math.pow(10, r.nextInt(-6, 3));
            if (nonNegative) v = Math.abs(v);
            x[i] = f32 ? (float) v : v;
        }
        return x;
    }


    private static float[] f(double[] x) {
        float[] o = new float[x.length];
        for (int i = 0; i < x.length; i++) o[i] = (float) x[i];
        return o;
    }

    private static double[] d(float[] x) {
        double[] o = new double[x.length];
        for (int i = 0; i < x.length; i++) o[i] = x[i];
        return o;
    }

    private static AdamKernel.Step step(double lr, double decoupled, double l2, double beta1, double beta2, double eps, int t, boolean amsgrad) {
        return new AdamKernel.Step(decoupled != 0, 1 - lr * decoupled, l2, beta1, 1 - beta1, beta2, 1 - beta2,
                Math.sqrt(1 - Math.pow(beta2, t)), eps, lr / (1 - Math.pow(beta1, t)), amsgrad);
    }

    @Test
    void theFusedStepGivesTheBitsOfTheOptimisersOpsInFloatAndDouble() {
        SplittableRandom r = new SplittableRandom(41);
        AdamKernel.Step[] steps = {
            step(2e-3, 0.1, 0, 0.9, 0.99, 1e-8, 1, false), // AdamW as tiny-lm runs it
            step(1e-3, 0, 0.01, 0.9, 0.999, 1e-8, 7, false), // Adam with L2
            step(0.3, 0.05, 0.2, 0.5, 0.75, 1e-3, 3, true), // both decays and AMSGrad
            step(1e-3, 0, 0, 0, 0, 0, 1, true), // betas and eps 0
            step(0, 0.1, 0, 0.9, 0.999, 1e-8, 100_000, false)
        };
        for (AdamKernel.Step s : steps) {
            for (int n : new int[] {0, 1, 2, 7, 8, 9, 16, 17, 33, 1000}) {
                for (boolean f32 : new boolean[] {true, false}) {
                    double[] p = values(r, n, f32, false), g = values(r, n, f32, false), m = values(r, n, f32, false);
                    double[] v = values(r, n, f32, true), x = values(r, n, f32, true);
                    double[][] want = AdamKernel.naive(s, p, g, m, v, x, f32);
                    String what = s + (f32 ? " f32" : " f64") + " n=" + n;
                    if (f32) {
                        float[] np = new float[n], nm = new float[n], nv = new float[n], nx = new float[n];
                        AdamKernel.step(s, f(p), f(g), f(m), f(v), f(x), np, nm, nv, nx, n);
                        assertSameBits(want[0], d(np), what + " θ");
                        assertSameBits(want[1], d(nm), what + " m");
                        assertSameBits(want[2], d(nv), what + " v");
                        if (s.amsgrad()) assertSameBits(want[3], d(nx), what + " v_max");
                    } else {
                        double[] np = new double[n], nm = new double[n], nv = new double[n], nx = new double[n];
                        AdamKernel.step(s, p, g, m, v, x, np, nm, nv, nx, n);
                        assertSameBits(want[0], np, what + " θ");
                        assertSameBits(want[1], nm, what + " m");
                        assertSameBits(want[2], nv, what + " v");
                        if (s.amsgrad()) assertSameBits(want[3], nx, what + " v_max");
                    }
                }
            }
        }
    }
}
