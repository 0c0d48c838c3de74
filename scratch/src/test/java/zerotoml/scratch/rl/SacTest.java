package zerotoml.scratch.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Property;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

class SacTest {
    static Tensor s(double v) {
        return Tensor.scalar(DType.F64, v);
    }

    static Tensor row(double... v) {
        return Tensor.of(DType.F64, v, 1, v.length);
    }

    static Tensor vec(double... v) {
        return Tensor.of(DType.F64, v, v.length);
    }

    record OneDim(double mean, double logStd, double scale) {}

    static final Gen<OneDim> ONE_DIM = g -> new OneDim(g.doubleBetween(-2, 2), g.doubleBetween(-2, 0.7), g.doubleBetween(0.5, 3));

    @Test
    void theSquashedGaussianDensityIntegratesToOneOverTheActionInterval() {
        Property.check("sac density integrates to 1", ONE_DIM, c -> {
            // tanh-sinh quadrature over a ∈ (bias − scale, bias + scale): a = bias + scale·tanh(w), w = (π/2)·sinh t,
            // da = scale·sech²(w)·(π/2)·cosh t dt; the density is evaluated at u = w, where tanh(u) = (a − bias)/scale
            double h = 1.0 / 128;
            int n = (int) (2 * 3.5 / h) + 1;
            double[] u = new double[n], weight = new double[n];
            for (int i = 0; i < n; i++) {
                double t = -3.5 + i * h, w = Math.PI / 2 * Math.sinh(t), sech = 1 / Math.cosh(w);
                u[i] = w;
                weight[i] = c.scale() * sech * sech * Math.PI / 2 * Math.cosh(t) * h;
            }
            double[] mean = new double[n], logStd = new double[n];
            java.util.Arrays.fill(mean, c.mean());
            java.util.Arrays.fill(logStd, c.logStd());
            double[] logP = Sac.squashedLogProb(Tensor.of(DType.F64, u, n, 1), Tensor.of(DType.F64, mean, n, 1),
                    Tensor.of(DType.F64, logStd, n, 1), vec(c.scale())).toArray();
            double total = 0;
            for (int i = 0; i < n; i++) if (weight[i] > 0) total += Math.exp(logP[i]) * weight[i];
            assertEquals(1.0, total, 1e-9);
        });
    }

    @Test
    void theStableCorrectionIsExactlyLogOneMinusTanhSquaredAndFinitewhereTheNaiveOneIsNot() {
        for (double u = -8; u <= 8; u += 0.25) {
            double t = Math.tanh(u);
            assertEquals(Math.log(1 - t * t), Sac.logOneMinusTanhSquared(s(u)).item(), 1e-9 * Math.max(1, Math.abs(u)));
        }
        // at u = 30 the naive log(1 − tanh²u) is log 0 = −∞; the exact value is 2(log 2 − 30 − log(1 + e⁻⁶⁰)) ≈ −58.61
        assertEquals(2 * (Math.log(2) - 30), Sac.logOneMinusTanhSquared(s(30)).item(), 1e-12);
        assertEquals(Double.NEGATIVE_INFINITY, Math.log(1 - Math.tanh(30) * Math.tanh(30)));
    }

    record Net(Tensor w, Tensor b) {}

    @Test
    void polyakWithTauOneIsAHardCopyWithTauZeroKeepsTheTargetAndOtherwiseInterpolates() {
        Net online = new Net(Tensor.of(DType.F64, new double[] {1, 2, 3, 4}, 2, 2), vec(0.1, 0.3));
        Net target = new Net(Tensor.of(DType.F64, new double[] {-1, 0.5, 7, 0.25}, 2, 2), vec(9, -9));
        Net copy = Sac.polyak(online, target, 1);
        for (int i = 0; i < 4; i++) assertEquals(online.w().toArray()[i], copy.w().toArray()[i], 0.0);
        assertEquals(0.3, copy.b().get(1), 0.0);
        Net kept = Sac.polyak(online, target, 0);
        assertEquals(7.0, kept.w().get(1, 0), 0.0);
        Net mid = Sac.polyak(online, target, 0.25);
        assertEquals(0.25 * 3 + 0.75 * 7, mid.w().get(1, 0), 1e-15);
        assertEquals(-1.0, target.w().get(0, 0), 0.0); // the caller's target is untouched
        assertThrows(IllegalArgumentException.class, () -> Sac.polyak(online, target, 1.5));
        assertThrows(IllegalArgumentException.class, () -> Sac.polyak(online, new Net(Tensor.zeros(DType.F64, 4), vec(0, 0)), 0.5));
    }

    @Test
    void theTemperatureGrowsWhenThePolicysEntropyIsBelowTheTarget() {
        // ∂J/∂log α = −α·mean(log π + H̄): positive log π (low entropy) with H̄ = −1 gives a negative gradient, so descent raises α
        Tensor logAlpha = s(Math.log(0.3));
        Tensor lowEntropy = vec(2.0, 1.5);
        Tensor g = Autodiff.grad(la -> Sac.alphaLoss(la, lowEntropy, -1), logAlpha);
        assertEquals(-0.3 * ((2.0 - 1) + (1.5 - 1)) / 2, g.item(), 1e-12);
        Tensor highEntropy = vec(-3.0, -2.0);
        assertTrue(Autodiff.grad(la -> Sac.alphaLoss(la, highEntropy, -1), logAlpha).item() > 0);
    }

    @Test
    void theSoftTargetCarriesNoGradientAndCutsTheBootstrapAtTermination() {
        Tensor q1 = vec(1, 2), q2 = vec(3, 0.5), lp = vec(-1, 0.5);
        Tensor y = Sac.softTarget(vec(0.5, 1), vec(0, 1), q1, q2, lp, 0.2, 0.9);
        assertEquals(0.5 + 0.9 * (1 - 0.2 * -1), y.get(0), 1e-15);
        assertEquals(1.0, y.get(1), 0.0);
        List<Tensor> grads = Autodiff.grad(xs -> Sac.softTarget(vec(0.5, 1), vec(0, 0), xs.get(0), xs.get(1), lp, 0.2, 0.9).sum()
                .add(xs.get(0).sum().mul(0)), List.of(q1, q2));
        for (double v : grads.get(0).toArray()) assertEquals(0.0, v, 0.0);
        for (double v : grads.get(1).toArray()) assertEquals(0.0, v, 0.0);
    }

    @Test
    void bothCriticsRegressToTheSameTarget() {
        Tensor y = vec(1, -2, 0.5);
        List<Tensor> g = Autodiff.grad(xs -> Sac.criticLoss(xs.get(0), xs.get(1), y), List.of(vec(0, 0, 0), vec(0, 0, 0)));
        for (int i = 0; i < 3; i++) {
            assertEquals(g.get(0).get(i), g.get(1).get(i), 0.0);
            assertEquals(-2 * y.get(i) / 3, g.get(0).get(i), 1e-15);
        }
    }

    @Test
    void logStdIsSqueezedIntoItsBoundsAndBadShapesAreRejected() {
        for (double raw : new double[] {-100, -1, 0, 1, 100}) {
            double v = Sac.boundLogStd(s(raw), -5, 2).item();
            assertTrue(v >= -5 && v <= 2);
        }
        assertEquals(-1.5, Sac.boundLogStd(s(0), -5, 2).item(), 1e-15);
        var e = assertThrows(IllegalArgumentException.class,
                () -> Sac.squashedSample(row(0, 0), row(0, 0), row(0), vec(1, 1), vec(0, 0)));
        assertTrue(e.getMessage().contains("Sac.squashedSample"));
        assertThrows(IllegalArgumentException.class, () -> Sac.squashedSample(row(0), row(0), row(0), vec(1, 1), vec(0)));
        assertSame(IllegalArgumentException.class, assertThrows(IllegalArgumentException.class, () -> Sac.alphaLoss(vec(0), vec(0), -1)).getClass());
    }
}
