package zerotoml.scratch.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static zerotoml.scratch.diffusion.Gaussian1d.noise;
import static zerotoml.scratch.diffusion.Gaussian1d.normal;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import zerotoml.scratch.tensor.Activations;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/** The invariants of ALGORITHMS.md §2 that relate the five papers to each other and to themselves. */
class InvariantsTest {

    static Tensor randn(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1;
        for (int d : shape) n *= d;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextGaussian();
        return Tensor.of(DType.F64, v, shape);
    }

    /** A smooth, non-linear stand-in for a trained ε-network on 2-D data. */
    static Denoiser toyEps(long seed) {
        Tensor w = randn(seed, 2, 8).mul(0.5), c = randn(seed + 1, 8), v = randn(seed + 2, 8, 2).mul(0.3);
        return (x, t) -> Activations.tanh(x.matmul(w).add(c.mul(t / 1000))).matmul(v);
    }

    /** Equal within tol, relative to the value where it exceeds 1. */
    static void assertClose(Tensor a, Tensor b, double tol, String what) {
        double[] x = a.toArray(), y = b.toArray();
        assertEquals(x.length, y.length, what);
        for (int i = 0; i < x.length; i++) assertEquals(y[i], x[i], tol * Math.max(1, Math.abs(y[i])), what + " at " + i);
    }

    @Test
    void ddimWithEtaOneOverAStridedSubsequenceEqualsDdpmWithTheRespacedBetas() {
        Ddpm.Schedule sc = Ddpm.linear(DType.F64, 1000, 1e-4, 0.02);
        int[] tau = Ddim.leading(1000, 20, 1);
        Tensor xT = randn(1, 16, 2);
        List<Tensor> zs = new java.util.ArrayList<>();
        for (int i = 0; i < tau.length; i++) zs.add(randn(100 + i, 16, 2));
        Tensor ddim = Ddim.sample(sc, toyEps(7), xT, tau, 1.0, false, zs);
        // DDPM over the same subsequence (diffusers' respacing inside step) ...
        Tensor ddpm = Ddpm.sample(sc, toyEps(7), xT, tau, Ddpm.Options.epsilon(), zs);
        assertClose(ddim, ddpm, 1e-10, "DDIM eta=1 vs DDPM over tau");
        // ... and the full chain of an explicitly respaced schedule, whose step i is tau's step
        int[] asc = new int[tau.length];
        for (int i = 0; i < tau.length; i++) asc[i] = tau[tau.length - 1 - i];
        Ddpm.Schedule re = Ddpm.respaced(sc, asc);
        Denoiser atTau = (x, i) -> toyEps(7).apply(x, asc[(int) i]);
        Tensor respaced = Ddpm.sample(re, atTau, xT, Ddpm.allTimesteps(tau.length), Ddpm.Options.epsilon(), zs);
        assertClose(respaced, ddpm, 1e-10, "DDPM on the respaced schedule vs DDPM over tau");
    }

    @Test
    void ddimWithEtaZeroIsDeterministicAndReadsNoNoise() {
        Ddpm.Schedule sc = Ddpm.cosine(DType.F64, 1000);
        int[] tau = Ddim.leading(1000, 50, 0);
        Tensor xT = randn(2, 8, 2);
        Tensor a = Ddim.sample(sc, toyEps(3), xT, tau, 0, false, null);
        Tensor b = Ddim.sample(sc, toyEps(3), xT, tau, 0, false, noise(9, tau.length, 8).stream().map(t -> t.reshape(8, 1).mul(0)).toList());
        assertArrayEquals(a.toArray(), b.toArray());
    }

    @Test
    void ddimInversionThenDecodingReconstructsTheInput() {
        Ddpm.Schedule sc = Ddpm.linear(DType.F64, 1000, 1e-4, 0.02);
        Gaussian1d data = new Gaussian1d(0.5, 0.3);
        Tensor x0 = normal(3, 64, 0.3).add(0.5);
        double previous = Double.POSITIVE_INFINITY;
        for (int steps : new int[] {50, 200, 1000}) {
            int[] tau = Ddim.leading(1000, steps, 0);
            Tensor latent = Ddim.invert(sc, data.epsStar(sc), x0, tau);
            Tensor back = Ddim.sample(sc, data.epsStar(sc), latent, tau, 0, false, null);
            double err = 0;
            for (int i = 0; i < x0.size(); i++) err = Math.max(err, Math.abs(back.toArray()[i] - x0.toArray()[i]));
            assertTrue(err < previous, steps + " steps: error " + err + " should fall below " + previous);
            previous = err;
        }
        // first order in the step: the inversion evaluates ε at (x_{t−1}, t) instead of (x_t, t)
        assertTrue(previous < 1e-2, "1000-step reconstruction error " + previous);
    }

    @Test
    void x0HatFromTheTrueNoiseRecoversX0() {
        Ddpm.Schedule sc = Ddpm.cosine(DType.F64, 1000);
        Tensor x0 = randn(4, 6, 3), eps = randn(5, 6, 3);
        int[] t = {0, 1, 10, 500, 998, 999};
        Tensor xt = Ddpm.qSample(sc, x0, t, eps);
        assertClose(Ddpm.predictX0(sc, xt, t, eps, Ddpm.Prediction.EPSILON), x0, 1e-9, "from eps");
        assertClose(Ddpm.predictX0(sc, xt, t, Ddpm.velocity(sc, x0, t, eps), Ddpm.Prediction.V), x0, 1e-12, "from v");
        assertClose(Ddpm.predictEps(sc, xt, t, Ddpm.velocity(sc, x0, t, eps), Ddpm.Prediction.V), eps, 1e-12, "eps from v");
    }

    @Test
    void theAlgorithm2StepEqualsTheDiffusersStepWhenNothingIsClipped() {
        Ddpm.Schedule sc = Ddpm.linear(DType.F64, 100, 1e-4, 0.02);
        Tensor x = randn(6, 5, 2), eps = randn(7, 5, 2), z = randn(8, 5, 2);
        for (int t : new int[] {0, 1, 50, 99}) {
            for (Ddpm.Variance v : Ddpm.Variance.values()) {
                assertClose(Ddpm.step(sc, x, t, t - 1, eps, new Ddpm.Options(Ddpm.Prediction.EPSILON, v, false, 1), z),
                        Ddpm.stepAlgorithm2(sc, x, t, eps, v, z), 1e-12, "t=" + t + " " + v);
            }
        }
    }

    @Test
    void betaTildeNeverExceedsBeta() {
        for (Ddpm.Schedule sc : List.of(Ddpm.linear(DType.F64, 1000, 1e-4, 0.02), Ddpm.cosine(DType.F64, 1000), Ddpm.linear(DType.F32, 1000, 1e-4, 0.2),
                Ddpm.cosine(DType.F32, 50))) {
            double[] bt = Ddpm.posteriorVariance(sc).toArray(), b = sc.betas().toArray();
            for (int t = 0; t < b.length; t++) assertTrue(bt[t] <= b[t] && bt[t] >= 0 && Double.isFinite(bt[t]), "t=" + t + ": " + bt[t] + " vs " + b[t]);
        }
    }

    @Test
    void flowMatchingWithSigmaMinZeroIsOneRectifiedFlow() {
        Tensor x0 = randn(9, 7, 3), x1 = randn(10, 7, 3), v = randn(11, 7, 3);
        double[] t = new double[7];
        SplittableRandom r = new SplittableRandom(12);
        for (int i = 0; i < t.length; i++) t[i] = r.nextDouble();
        assertClose(FlowMatching.path(x0, x1, t, 0), RectifiedFlow.interpolate(x0, x1, t), 1e-15, "path");
        assertEquals(RectifiedFlow.loss(v, x0, x1).item(), FlowMatching.loss(v, x0, x1, 0).item(), 1e-14, "loss");
        Denoiser net = (x, u) -> Activations.tanh(x.mul(1 + u));
        assertClose(FlowMatching.sample(net, x0, 10, FlowMatching.Method.EULER), RectifiedFlow.sample(net, x0, 10, 0), 1e-15, "Euler with eps = 0");
        assertTrue(zerotoml.scratch.tensor.Arithmetic.abs(FlowMatching.path(x0, x1, t, 0.1).sub(RectifiedFlow.interpolate(x0, x1, t))).sum().item() > 1e-3, "sigmaMin > 0 differs");
    }

    @Test
    void oneEulerStepFromTimeZeroWithTheExactVelocityGivesTheDataMean() {
        // the data: 8 points on a circle plus an offset; the exact marginal velocity of the OT path over
        // an empirical distribution is v(x, t) = Σ_i w_i(x, t)·(x1_i − x)/(1 − t), w ∝ N(x; t·x1_i, (1−t)²)
        double[][] pts = new double[8][2];
        for (int i = 0; i < 8; i++) pts[i] = new double[] {2 * Math.cos(i * Math.PI / 4) + 0.3, 2 * Math.sin(i * Math.PI / 4) - 0.1};
        Denoiser exact = (x, t) -> {
            double[] xs = x.toArray(), out = new double[xs.length];
            for (int b = 0; b < xs.length / 2; b++) {
                double[] w = new double[8];
                double wsum = 0, s2 = (1 - t) * (1 - t);
                for (int i = 0; i < 8; i++) {
                    double dx = xs[2 * b] - t * pts[i][0], dy = xs[2 * b + 1] - t * pts[i][1];
                    w[i] = Math.exp(-(dx * dx + dy * dy) / (2 * s2));
                    wsum += w[i];
                }
                for (int i = 0; i < 8; i++) {
                    out[2 * b] += w[i] / wsum * (pts[i][0] - xs[2 * b]) / (1 - t);
                    out[2 * b + 1] += w[i] / wsum * (pts[i][1] - xs[2 * b + 1]) / (1 - t);
                }
            }
            return Tensor.of(DType.F64, out, x.shape().dims());
        };
        Tensor one = FlowMatching.sample(exact, randn(13, 32, 2), 1, FlowMatching.Method.EULER);
        for (int b = 0; b < 32; b++) {
            assertEquals(0.3, one.get(b, 0), 1e-12);
            assertEquals(-0.1, one.get(b, 1), 1e-12);
        }
        // the Gaussian oracle: v*(x, 0) = μ − x, so one step lands on μ
        Tensor g = FlowMatching.sample(new Gaussian1d(0.5, 0.3).velocity(), normal(14, 16, 1), 1, FlowMatching.Method.EULER);
        for (double v : g.toArray()) assertEquals(0.5, v, 1e-12);
    }

    @Test
    void reflowPairsAreDeterministicAndStraightnessIsZeroExactlyForAStraightFlow() {
        Gaussian1d data = new Gaussian1d(0.5, 0.3);
        Tensor z0 = normal(15, 256, 1);
        Tensor[] a = RectifiedFlow.reflowPairs(data.velocity(), z0, 50, 1e-3), b = RectifiedFlow.reflowPairs(data.velocity(), z0, 50, 1e-3);
        assertArrayEquals(a[1].toArray(), b[1].toArray());
        // a constant field moves every point along its chord: straightness 0
        Denoiser straight = (x, t) -> x.mul(0).add(0.7);
        assertEquals(0, RectifiedFlow.straightness(straight, z0, 50, 0), 1e-20);
        // the 1-RF of Gaussian data is not straight (x_t = √((1−t)² + t²s²)·z0 + tμ changes speed), a curved field even less so
        double gaussian = RectifiedFlow.straightness(data.velocity(), z0, 50, 0), curved = RectifiedFlow.straightness((x, t) -> x.mul(Math.cos(6 * t)), z0, 50, 0);
        assertTrue(gaussian > 1e-3 && curved > gaussian, gaussian + ", " + curved);
    }

    @Test
    void trailingSpacingStartsAtTheLastTimestepDescendsAndCoversAllWhenAsked() {
        // diffusers: np.round(np.arange(10, 0, -10/3)) - 1 = round([10, 6.67, 3.33]) - 1
        assertArrayEquals(new int[] {9, 6, 2}, Ddim.trailing(10, 3));
        assertArrayEquals(new int[] {999}, Ddim.trailing(1000, 1));
        assertArrayEquals(Ddpm.allTimesteps(1000), Ddim.trailing(1000, 1000));
        for (int s : new int[] {1, 2, 3, 7, 16, 32, 100, 333, 999}) {
            int[] tau = Ddim.trailing(1000, s);
            assertEquals(s, tau.length, s + " steps");
            assertEquals(999, tau[0], s + " steps start at T-1");
            assertTrue(tau[s - 1] >= 0, s + " steps end at or above 0");
            for (int i = 1; i < s; i++) assertTrue(tau[i] < tau[i - 1], s + " steps descend at " + i);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> Ddim.trailing(10, 11));
        assertTrue(e.getMessage().contains("Ddim.trailing: sampleSteps must be in 1..10, got 11"), e.getMessage());
    }

    @Test
    void thePcSamplerOfTheDiscreteVpChainNeedsMoreStepsThanBetaOneAndRefusesFewerInsteadOfReturningNaN() {
        // β_i = β(t)/N reaches β1/N at the last index: √(1 − β_i) is NaN for N < β1 (and α = 0, a degenerate step, at N = β1)
        assertEquals(21, ScoreSde.fewestDiscreteSteps(ScoreSde.vp(0.1, 20, 1000)));
        assertEquals(6, ScoreSde.fewestDiscreteSteps(ScoreSde.subVp(0.1, 5.5, 1000)));
        assertEquals(1, ScoreSde.fewestDiscreteSteps(ScoreSde.ve(0.01, 50, 1000)));
        for (ScoreSde.Predictor p : new ScoreSde.Predictor[] {ScoreSde.Predictor.REVERSE_DIFFUSION, ScoreSde.Predictor.EULER_MARUYAMA}) {
            for (int n : new int[] {10, 19, 20, 21, 40}) {
                List<Tensor> z = new java.util.ArrayList<>();
                for (int i = 0; i < 2 * n; i++) z.add(randn(10 + i, 3, 2));
                ScoreSde.Sde vp = ScoreSde.vp(0.1, 20, n);
                if (n < 21) {
                    var e = assertThrows(IllegalArgumentException.class, () -> ScoreSde.pcSample(vp, toyEps(1), randn(1, 3, 2), p, 1, 0.16, 1e-3, z));
                    // the corrector runs first at t = 1, where beta_i is largest
                    assertTrue(e.getMessage().startsWith("ScoreSde.langevinStep: the discrete VP chain has beta_" + (n - 1) + " = ")
                            && e.getMessage().contains("with N = " + n + " steps") && e.getMessage().contains("use N >= 21"), e.getMessage());
                    continue;
                }
                Tensor x = ScoreSde.pcSample(vp, toyEps(1), randn(1, 3, 2), p, 1, 0.16, 1e-3, z);
                assertTrue(java.util.Arrays.stream(x.toArray()).allMatch(Double::isFinite), p + " with a Langevin corrector at N = " + n);
            }
        }
        // the single steps refuse the step whose beta_i >= 1 and take the others
        Tensor x = randn(3, 3, 2), s = randn(4, 3, 2), z = randn(5, 3, 2);
        ScoreSde.Sde vp10 = ScoreSde.vp(0.1, 20, 10), subVp5 = ScoreSde.subVp(0.1, 5.5, 5);
        var step = assertThrows(IllegalArgumentException.class, () -> ScoreSde.reverseDiffusionStep(vp10, x, 1.0, s, z));
        assertTrue(step.getMessage().startsWith("ScoreSde.reverseDiffusionStep: the discrete VP chain has beta_9 = 2.0") && step.getMessage().contains("use N >= 21"),
                step.getMessage());
        var langevin = assertThrows(IllegalArgumentException.class, () -> ScoreSde.langevinStep(subVp5, x, 1.0, s, 0.16, z));
        assertTrue(langevin.getMessage().startsWith("ScoreSde.langevinStep: the discrete SUB_VP chain has beta_4 = 1.1") && langevin.getMessage().contains("use N >= 6"),
                langevin.getMessage());
        assertTrue(java.util.Arrays.stream(ScoreSde.reverseDiffusionStep(vp10, x, 0.0, s, z)[0].toArray()).allMatch(Double::isFinite), "beta_0 = 0.01 is a defined step");
        assertTrue(java.util.Arrays.stream(ScoreSde.reverseDiffusionStep(ScoreSde.subVp(0.1, 5.5, 5), x, 1.0, s, z)[0].toArray()).allMatch(Double::isFinite),
                "sub-VP's predictor uses the continuous drift: defined at any N");
    }

    @Test
    void badInputsAreRejectedWithClearMessages() {
        Ddpm.Schedule sc = Ddpm.linear(DType.F64, 10, 1e-4, 0.02);
        var e = assertThrows(IllegalArgumentException.class, () -> Ddpm.qSample(sc, randn(1, 2, 3), new int[] {1}, randn(2, 2, 3)));
        assertTrue(e.getMessage().contains("one timestep per row"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ddpm.step(sc, randn(1, 2), 3, 5, randn(2, 2), Ddpm.Options.epsilon(), randn(3, 2)));
        assertTrue(e.getMessage().contains("tPrev"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ddpm.linear(DType.F64, 10, 0.5, 0.1));
        assertTrue(e.getMessage().contains("betaStart"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ddim.sample(sc, toyEps(1), randn(1, 2), new int[] {5, 3}, 1.0, false, null));
        assertTrue(e.getMessage().contains("eta > 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ScoreSde.pcSample(ScoreSde.vp(0.1, 20, 3), toyEps(1), randn(1, 2), ScoreSde.Predictor.EULER_MARUYAMA, 1, 0.16, 1e-3, List.of()));
        assertTrue(e.getMessage().contains("noise tensors"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FlowMatching.path(randn(1, 2, 2), randn(2, 2, 2), new double[] {0.5, 0.5}, 1.0));
        assertTrue(e.getMessage().contains("sigmaMin"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ScoreSde.ve(5, 1, 10));
        assertTrue(e.getMessage().contains("sigmaMin < sigmaMax"), e.getMessage());
    }
}
