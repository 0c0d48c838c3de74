package zerotoml.scratch.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import zerotoml.scratch.tensor.Activations;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * Every sampler against the distribution it states, with a Kolmogorov–Smirnov test (continuous) or
 * a χ² test (discrete) at fixed seeds, so the verdicts are the same on every run. Each test rejects
 * at significance 1e-3; {@link #theTestsRejectAWrongDistribution} shows they have the power to.
 */
class RngTest {
    static final long[] SEEDS = {1, 20261204, -7};
    static final double ALPHA = 1e-3;

    // ------------------------------------------------------------------ the statistics

    /** Φ, the standard normal CDF. */
    static double phi(double x) {
        return 0.5 * (1 + Activations.erf(x / Math.sqrt(2)));
    }

    /**
     * The p-value of the one-sample KS statistic of {@code xs} against {@code cdf}: the asymptotic
     * Kolmogorov distribution Q(λ) = 2 Σ (−1)^{k−1} e^{−2k²λ²}, λ = (√n + 0.12 + 0.11/√n)·D
     * (Stephens' correction for finite n).
     */
    static double ksPValue(double[] xs, DoubleUnaryOperator cdf) {
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        double d = 0;
        for (int i = 0; i < n; i++) {
            double f = cdf.applyAsDouble(s[i]);
            d = Math.max(d, Math.max((i + 1.0) / n - f, f - (double) i / n));
        }
        double sq = Math.sqrt(n), lambda = (sq + 0.12 + 0.11 / sq) * d;
        double q = 0;
        for (int k = 1; k <= 100; k++) q += 2 * ((k & 1) == 1 ? 1 : -1) * Math.exp(-2.0 * k * k * lambda * lambda);
        return Math.max(0, Math.min(1, q));
    }

    /** The p-value of Pearson's χ² for observed counts against expected counts (Wilson–Hilferty normal approximation). */
    static double chiSquarePValue(long[] observed, double[] expected) {
        double chi = 0;
        for (int i = 0; i < observed.length; i++) chi += (observed[i] - expected[i]) * (observed[i] - expected[i]) / expected[i];
        int k = observed.length - 1;
        double z = (Math.cbrt(chi / k) - (1 - 2.0 / (9 * k))) / Math.sqrt(2.0 / (9 * k));
        return 1 - phi(z);
    }

    static void assertFits(double p, String what) {
        assertTrue(p > ALPHA, what + ": p-value " + p + " ≤ " + ALPHA);
    }

    // ------------------------------------------------------------------ the generator

    @Test
    void drawNumberCOfAKeyIsTheCthNumberOfSplittableRandomWithThatSeed() {
        for (long seed : SEEDS) {
            SplittableRandom r = new SplittableRandom(seed);
            Rng rng = Rng.seed(seed);
            for (int c = 0; c < 1000; c++) assertEquals(r.nextLong(), rng.bits(c), "draw " + c + " of seed " + seed);
        }
    }

    @Test
    void theSameSeedGivesTheSameTensorBitForBitWhateverTheThreadCount() throws Exception {
        Rng rng = Rng.seed(42);
        int[] shape = {3, 100_000};
        double[] one = new ForkJoinPool(1).submit(() -> rng.normal(DType.F64, shape).toArray()).get();
        double[] four = new ForkJoinPool(4).submit(() -> rng.normal(DType.F64, shape).toArray()).get();
        double[] sequential = new double[one.length];
        for (int i = 0; i < sequential.length; i++) sequential[i] = rng.standardNormal(i);
        assertArrayEquals(sequential, one);
        assertArrayEquals(sequential, four);
        assertArrayEquals(Rng.seed(42).uniform(DType.F32, -1, 1, shape).toArray(),
                new ForkJoinPool(3).submit(() -> Rng.seed(42).uniform(DType.F32, -1, 1, shape).toArray()).get());
    }

    @Test
    void aSmallTensorIsAPrefixOfALargeOneFromTheSameKey() {
        Rng rng = Rng.seed(9);
        double[] small = rng.normal(DType.F64, 10).toArray();
        double[] large = rng.normal(DType.F64, 200_000).toArray();
        assertArrayEquals(small, Arrays.copyOf(large, 10));
    }

    @Test
    void splitKeysAreDeterministicDistinctAndUncorrelated() {
        Rng rng = Rng.seed(5);
        assertEquals(rng.split(3), Rng.seed(5).split(3));
        assertEquals(rng.split("noise"), Rng.seed(5).split("noise"));
        assertNotEquals(rng.split("noise"), rng.split("dropout"));
        java.util.Set<Long> keys = new java.util.HashSet<>();
        for (int i = 0; i < 10_000; i++) keys.add(rng.split(i).key());
        assertEquals(10_000, keys.size(), "10,000 children, 10,000 distinct keys");
        // the first uniform of children 0..n−1 is itself uniform, and independent of the parent's draws
        double[] firsts = new double[20_000], pairs = new double[20_000];
        for (int i = 0; i < firsts.length; i++) {
            firsts[i] = rng.split(i).uniform01(0);
            pairs[i] = rng.uniform01(i);
        }
        assertFits(ksPValue(firsts, u -> Math.min(1, Math.max(0, u))), "first draws of the children");
        double corr = correlation(firsts, pairs);
        assertTrue(Math.abs(corr) < 4 / Math.sqrt(firsts.length), "children against parent draws: correlation " + corr);
    }

    static double correlation(double[] a, double[] b) {
        double ma = Arrays.stream(a).average().orElse(0), mb = Arrays.stream(b).average().orElse(0), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }

    // ------------------------------------------------------------------ continuous

    @Test
    void normalPassesKolmogorovSmirnovAgainstTheStandardNormal() {
        for (long seed : SEEDS) {
            double[] z = Rng.seed(seed).normal(DType.F64, 20_000).toArray();
            assertFits(ksPValue(z, RngTest::phi), "N(0, 1), seed " + seed);
            // odd and even elements (the cos and sin halves of Box–Muller) each on their own
            double[] even = new double[z.length / 2], odd = new double[z.length / 2];
            for (int i = 0; i < even.length; i++) {
                even[i] = z[2 * i];
                odd[i] = z[2 * i + 1];
            }
            assertFits(ksPValue(even, RngTest::phi), "even elements, seed " + seed);
            assertFits(ksPValue(odd, RngTest::phi), "odd elements, seed " + seed);
            assertTrue(Math.abs(correlation(even, odd)) < 4 / Math.sqrt(even.length), "the two halves of a pair are uncorrelated");
        }
    }

    @Test
    void normalWithMeanAndStdPassesKolmogorovSmirnovInFloat32() {
        for (long seed : SEEDS) {
            double[] x = Rng.seed(seed).normal(DType.F32, 3, 0.5, 100, 200).toArray();
            assertFits(ksPValue(x, v -> phi((v - 3) / 0.5)), "N(3, 0.25) in F32, seed " + seed);
            for (double v : x) assertEquals(v, (double) (float) v, 0.0, "F32 values are floats");
        }
    }

    @Test
    void uniformPassesKolmogorovSmirnovAndStaysInsideItsInterval() {
        for (long seed : SEEDS) {
            for (DType dt : DType.values()) {
                double[] u = Rng.seed(seed).uniform(dt, -2, 3, 20_000).toArray();
                for (double v : u) assertTrue(v >= -2 && v < 3, "uniform [-2, 3) gave " + v);
                assertFits(ksPValue(u, v -> (v + 2) / 5), "U[-2, 3) " + dt + ", seed " + seed);
            }
        }
        // an interval one float wide: every F32 draw is lo, never hi
        double lo = 1, hi = Math.nextUp(1f);
        for (double v : Rng.seed(1).uniform(DType.F32, lo, hi, 1000).toArray()) assertEquals(lo, v, 0.0);
    }

    // ------------------------------------------------------------------ discrete

    @Test
    void bernoulliPassesChiSquareForSeveralProbabilities() {
        for (long seed : SEEDS) {
            for (double p : new double[] {0.1, 0.5, 0.93}) {
                double[] x = Rng.seed(seed).bernoulli(DType.F64, p, 20_000).toArray();
                long ones = Arrays.stream(x).filter(v -> v == 1).count();
                assertEquals(x.length, ones + Arrays.stream(x).filter(v -> v == 0).count(), "only 0 and 1");
                assertFits(chiSquarePValue(new long[] {x.length - ones, ones}, new double[] {x.length * (1 - p), x.length * p}),
                        "Bernoulli(" + p + "), seed " + seed);
            }
        }
        assertTrue(Arrays.stream(Rng.seed(1).bernoulli(DType.F32, 0, 1000).toArray()).allMatch(v -> v == 0), "p = 0 never fires");
        assertTrue(Arrays.stream(Rng.seed(1).bernoulli(DType.F32, 1, 1000).toArray()).allMatch(v -> v == 1), "p = 1 always fires");
    }

    @Test
    void bernoulliWithOneProbabilityPerElementFiresAtThatRate() {
        int n = 10_000;
        double[] p = new double[2 * n];
        for (int i = 0; i < n; i++) p[2 * i + 1] = 0.25;
        double[] x = Rng.seed(3).bernoulli(Tensor.of(DType.F32, p, n, 2)).toArray();
        long zeroFires = 0, quarterFires = 0;
        for (int i = 0; i < n; i++) {
            zeroFires += (long) x[2 * i];
            quarterFires += (long) x[2 * i + 1];
        }
        assertEquals(0, zeroFires, "probability 0 never fires");
        assertFits(chiSquarePValue(new long[] {n - quarterFires, quarterFires}, new double[] {0.75 * n, 0.25 * n}), "Bernoulli(0.25) per element");
    }

    @Test
    void categoricalPassesChiSquareInEveryRowAndNeverDrawsAZeroWeight() {
        double[] w = {1, 2, 0, 5, 2, /* row 2 */ 0, 0, 3, 1, 0};
        Tensor probs = Tensor.of(DType.F64, w, 2, 5);
        int samples = 20_000;
        for (long seed : SEEDS) {
            int[] draws = Rng.seed(seed).categorical(probs, samples);
            assertEquals(2 * samples, draws.length);
            for (int r = 0; r < 2; r++) {
                long[] counts = new long[5];
                for (int s = 0; s < samples; s++) counts[draws[r * samples + s]]++;
                double total = 0;
                for (int c = 0; c < 5; c++) total += w[r * 5 + c];
                // χ² over the classes with weight; a zero-weight class must have no draws at all
                java.util.List<Long> obs = new java.util.ArrayList<>();
                java.util.List<Double> exp = new java.util.ArrayList<>();
                for (int c = 0; c < 5; c++) {
                    if (w[r * 5 + c] == 0) assertEquals(0, counts[c], "class " + c + " of row " + r + " has weight 0");
                    else {
                        obs.add(counts[c]);
                        exp.add(samples * w[r * 5 + c] / total);
                    }
                }
                assertFits(chiSquarePValue(obs.stream().mapToLong(Long::longValue).toArray(), exp.stream().mapToDouble(Double::doubleValue).toArray()),
                        "categorical row " + r + ", seed " + seed);
            }
        }
    }

    @Test
    void integersPassChiSquareOverTheirRange() {
        for (long seed : SEEDS) {
            int[] x = Rng.seed(seed).integers(-3, 4, 21_000);
            long[] counts = new long[7];
            for (int v : x) counts[v + 3]++;
            double[] expected = new double[7];
            Arrays.fill(expected, 3000);
            assertFits(chiSquarePValue(counts, expected), "integers in [-3, 4), seed " + seed);
        }
    }

    @Test
    void permutationsAreEachOfTheNFactorialOrdersEquallyOften() {
        for (long seed : SEEDS) {
            Rng rng = Rng.seed(seed);
            Map<String, Long> counts = new HashMap<>();
            int draws = 24_000;
            for (int i = 0; i < draws; i++) {
                int[] p = rng.split(i).permutation(4);
                int[] sorted = p.clone();
                Arrays.sort(sorted);
                assertArrayEquals(new int[] {0, 1, 2, 3}, sorted, "a permutation of 0..3");
                counts.merge(Arrays.toString(p), 1L, Long::sum);
            }
            assertEquals(24, counts.size(), "all 4! orders occur");
            double[] expected = new double[24];
            Arrays.fill(expected, draws / 24.0);
            assertFits(chiSquarePValue(counts.values().stream().mapToLong(Long::longValue).toArray(), expected), "permutations of 4, seed " + seed);
        }
        int[] big = Rng.seed(1).permutation(1000);
        assertArrayEquals(java.util.stream.IntStream.range(0, 1000).toArray(), Arrays.stream(big).sorted().toArray());
        assertArrayEquals(big, Rng.seed(1).permutation(1000), "same key, same permutation");
    }

    // ------------------------------------------------------------------ the tests can fail

    @Test
    void theTestsRejectAWrongDistribution() {
        double[] u = Rng.seed(1).uniform(DType.F64, -1, 1, 20_000).toArray();
        assertTrue(ksPValue(u, RngTest::phi) < ALPHA, "uniform draws are not normal");
        double[] z = Rng.seed(1).normal(DType.F64, 0, 1.05, 20_000).toArray();
        assertTrue(ksPValue(z, RngTest::phi) < ALPHA, "a 5% wider normal is caught");
        double[] x = Rng.seed(1).bernoulli(DType.F64, 0.52, 20_000).toArray();
        long ones = Arrays.stream(x).filter(v -> v == 1).count();
        assertTrue(chiSquarePValue(new long[] {x.length - ones, ones}, new double[] {10_000, 10_000}) < ALPHA, "Bernoulli(0.52) is not fair");
    }

    @Test
    void badArgumentsAreRejectedWithTheSamplerAndTheValueNamed() {
        Rng rng = Rng.seed(1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rng.uniform(DType.F64, 1, 1, 3)).getMessage().startsWith("uniform"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rng.normal(DType.F64, 0, -1, 3)).getMessage().contains("-1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rng.bernoulli(DType.F64, 1.5, 3)).getMessage().contains("1.5"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rng.bernoulli(Tensor.of(new double[] {0.5, Double.NaN}, 2))).getMessage().contains("NaN"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rng.categorical(Tensor.of(new double[] {0, 0}, 1, 2), 1)).getMessage().contains("row 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rng.categorical(Tensor.of(new double[] {1, -1}, 2), 1)).getMessage().contains("-1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rng.categorical(Tensor.scalar(1), 1)).getMessage().contains("[]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rng.permutation(-1)).getMessage().startsWith("permutation"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rng.integers(2, 2, 1)).getMessage().startsWith("integers"));
    }
}
