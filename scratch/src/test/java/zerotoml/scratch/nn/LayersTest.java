package zerotoml.scratch.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import zerotoml.scratch.random.Distributions;
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * What parity with PyTorch cannot show: the inits (PyTorch's generator is not ours, so their
 * bounds and spreads are checked instead), dropout masks that reproduce the transformer's earlier
 * masks bit for bit, and shapes and errors of the layer records.
 */
class LayersTest {
    static double max(Tensor t) {
        return Arrays.stream(t.toArray()).map(Math::abs).max().orElse(0);
    }

    static double variance(Tensor t) {
        double[] v = t.toArray();
        double m = Arrays.stream(v).average().orElse(0), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return s / v.length;
    }

    @Test
    void linearDefaultInitIsUniformWithinOneOverRootFanIn() {
        Linear.Params p = Linear.Params.init(Rng.seed(1), DType.F32, 64, 32, true);
        assertArrayEquals(new int[] {32, 64}, p.weight().shape().dims(), "PyTorch's [out, in] layout");
        double bound = 1 / Math.sqrt(64);
        assertTrue(max(p.weight()) < bound && max(p.weight()) > 0.95 * bound, "|W| fills U(±1/√64): max " + max(p.weight()));
        assertTrue(max(p.bias()) < bound, "|b| < 1/√fan_in");
        // U(−b, b) has variance b²/3
        assertEquals(bound * bound / 3, variance(p.weight()), 0.1 * bound * bound / 3);
    }

    @Test
    void kaimingXavierAndNormalHaveTheirStatedSpreads() {
        Rng rng = Rng.seed(2);
        // kaiming_uniform_(a = 0) on [128, 64, 3]: bound √2 · √(3 / (64·3))
        Tensor k = Init.kaimingUniform(rng.split(0), DType.F64, 0, 128, 64, 3);
        double kb = Math.sqrt(2) * Math.sqrt(3.0 / (64 * 3));
        assertTrue(max(k) <= kb && max(k) > 0.99 * kb, "kaiming bound " + kb + ", max " + max(k));
        Tensor x = Init.xavierUniform(rng.split(1), DType.F64, 1, 100, 300);
        double xb = Math.sqrt(6.0 / 400);
        assertTrue(max(x) <= xb && max(x) > 0.99 * xb, "xavier bound " + xb + ", max " + max(x));
        Tensor xn = Init.xavierNormal(rng.split(2), DType.F64, 1, 100, 300);
        assertEquals(2.0 / 400, variance(xn), 0.05 * 2.0 / 400);
        assertEquals(0.02 * 0.02, variance(Init.normal(rng.split(3), DType.F64, 0.02, 200, 200)), 0.05 * 0.02 * 0.02);
        assertEquals(64 * 9, Init.fanIn(128, 64, 3, 3));
        assertEquals(128 * 9, Init.fanOut(128, 64, 3, 3));
    }

    @Test
    void convTransposedInitTakesFanInFromItsOwnWeightLikePyTorch() {
        Conv.Params t = Conv.Params.initTransposed(Rng.seed(3), DType.F64, 8, 6, 2, true, 3, 3);
        assertArrayEquals(new int[] {8, 3, 3, 3}, t.weight().shape().dims());
        assertArrayEquals(new int[] {6}, t.bias().shape().dims());
        // fan_in = weight.size(1) · k² = 3 · 9
        assertTrue(max(t.bias()) < 1 / Math.sqrt(27));
        Conv.Params c = Conv.Params.init(Rng.seed(3), DType.F64, 8, 6, 2, false, 3);
        assertArrayEquals(new int[] {6, 4, 3}, c.weight().shape().dims());
        assertEquals(null, c.bias());
        assertThrows(IllegalArgumentException.class, () -> Conv.Params.init(Rng.seed(3), DType.F64, 3, 6, 2, true, 3));
    }

    @Test
    void dropoutMasksAreTheOnesSplittableRandomGaveBeforeBitForBit() {
        Dropout d = new Dropout(0.3, 77);
        Tensor x = Tensor.ones(DType.F32, 5, 40);
        for (int site = 0; site < 4; site++) {
            SplittableRandom r = new SplittableRandom(77 ^ (0x9E3779B97F4A7C15L * (site + 1)));
            double[] expected = new double[x.size()];
            for (int i = 0; i < expected.length; i++) expected[i] = r.nextDouble() >= 0.3 ? 1 : 0;
            assertArrayEquals(expected, d.mask(x, site).toArray(), "site " + site);
        }
        assertEquals(x, Dropout.OFF.apply(x, 0));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1, 0));
        assertThrows(IllegalArgumentException.class, () -> Dropout.dropout(x, Tensor.ones(DType.F32, 5), 0.5));
    }

    @Test
    void everyActivationIsItsOwnFunction() {
        Tensor x = Tensor.of(new double[] {-1.5, 0.5, 2}, 3);
        java.util.Set<String> outputs = new java.util.HashSet<>();
        for (Activation a : Activation.values()) outputs.add(Arrays.toString(a.apply(x).toArray()));
        assertEquals(Activation.values().length, outputs.size(), "no two activations give the same values");
    }

    @Test
    void mlpChainsItsLayersAndRejectsMismatchedWidths() {
        Mlp.Params p = Mlp.Params.init(Rng.seed(4), DType.F64, 3, 8, 8, 2);
        assertEquals(3, p.layers().size());
        assertArrayEquals(new int[] {5, 2}, Mlp.mlp(Tensor.zeros(DType.F64, 5, 3), p, Activation.SILU).shape().dims());
        Linear.Params a = Linear.Params.init(Rng.seed(5), DType.F64, 3, 4, true), b = Linear.Params.init(Rng.seed(6), DType.F64, 5, 2, true);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Mlp.Params(java.util.List.of(a, b))).getMessage().contains("layer 1"));
    }

    @Test
    void positionalEncodingIsThePapersInterleavedSinCos() {
        Tensor pe = Sinusoidal.positional(DType.F64, 3, 1, 6);
        for (int j = 0; j < 6; j++) {
            double angle = 3 / Math.pow(10000, (j - j % 2) / 6.0);
            assertEquals(j % 2 == 0 ? Math.sin(angle) : Math.cos(angle), pe.get(0, j), 1e-15);
        }
        // diffusers' layout: [sin | cos] halves; flip swaps them; an odd dim ends in 0
        Tensor t = Sinusoidal.timestep(Tensor.of(new double[] {0, 10}, 2), 5, false, 1, 10000);
        assertArrayEquals(new double[] {0, 0, 1, 1, 0}, Arrays.copyOf(t.toArray(), 5), 0.0);
        Tensor f = Sinusoidal.timestep(Tensor.of(new double[] {0}, 1), 4, true, 0, 10000);
        assertArrayEquals(new double[] {1, 1, 0, 0}, f.toArray(), 0.0);
    }

    @Test
    void categoricalEntropyIgnoresImpossibleClassesAsTorchDoes() {
        Tensor logits = Tensor.of(new double[] {0, Double.NEGATIVE_INFINITY, 0}, 3);
        assertEquals(Math.log(2), Distributions.categoricalEntropy(logits).item(), 1e-15);
        int[] draws = Distributions.categoricalSample(Tensor.of(new double[] {0, Double.NEGATIVE_INFINITY, 0, 5, -5, 0}, 2, 3), Rng.seed(1));
        assertEquals(2, draws.length);
        assertTrue(draws[0] != 1, "a class of logit −∞ is never drawn");
    }
}
