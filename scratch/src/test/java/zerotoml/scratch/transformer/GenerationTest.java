package zerotoml.scratch.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import zerotoml.scratch.nn.Dropout;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * Sampling and generation ("Attention Is All You Need", arXiv 1706.03762, §3.1) with the random
 * draw injected, so that each boundary of temperature and top-k sampling is pinned exactly: a
 * draw u·Σw lands in token v when it is below the running sum of the weights up to v.
 */
class GenerationTest {
    /** A generator whose every nextDouble() is {@code u}: the draw of {@link Generation#sample} is then known. */
    static RandomGenerator draw(double u) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException("sample draws nextDouble only");
            }

            @Override
            public double nextDouble() {
                return u;
            }
        };
    }

    static int sample(double[] logits, double temperature, int topK, double u) {
        return Generation.sample(logits, new Generation.Sampler(temperature, topK), draw(u));
    }

    @Test
    void aUniformRowSplitsTheUnitIntervalIntoEqualSlicesAndADrawOnASliceBoundaryGoesToTheNextToken() {
        double[] flat = {0, 0, 0, 0};
        // weights 1, 1, 1, 1: token v owns u in [v/4, (v+1)/4)
        assertEquals(0, sample(flat, 1, 0, 0));
        assertEquals(0, sample(flat, 1, 0, 0.2));
        assertEquals(1, sample(flat, 1, 0, 0.3));
        assertEquals(2, sample(flat, 1, 0, 0.5));
        assertEquals(3, sample(flat, 1, 0, Math.nextDown(1.0)));
    }

    @Test
    void aDrawBelowSoftmaxOfLogitsOverTemperaturePicksTheFirstTokenAndAboveItTheSecond() {
        for (double t : new double[] {0.5, 1, 3}) {
            double[] logits = {0, -1};
            double p0 = 1 / (1 + Math.exp(-1 / t));
            assertEquals(0, sample(logits, t, 0, p0 - 1e-9), "T " + t);
            assertEquals(1, sample(logits, t, 0, p0 + 1e-9), "T " + t);
        }
    }

    @Test
    void hugeLogitsAreShiftedByTheirMaximumSoTheWeightsDoNotOverflow() {
        double[] logits = {1000, 999};
        double p0 = 1 / (1 + Math.exp(-1));
        assertEquals(0, sample(logits, 1, 0, p0 - 1e-9));
        assertEquals(1, sample(logits, 1, 0, p0 + 1e-9));
    }

    @Test
    void topKKeepsTheKLargestLogitsIncludingTheKthAndZeroMeansEveryToken() {
        double[] logits = {3, 1, 2, 0};
        double kept = 1 + Math.exp(-1);                      // weights of logits 3 and 2 at T = 1
        assertEquals(0, sample(logits, 1, 2, 1 / kept - 1e-9));
        assertEquals(2, sample(logits, 1, 2, 1 / kept + 1e-9)); // the 2nd largest, on the threshold itself
        assertEquals(2, sample(logits, 1, 2, Math.nextDown(1.0)));
        assertEquals(0, sample(logits, 1, 1, Math.nextDown(1.0)));
        // k = 0 and k = vocabulary size keep all four; a draw near 1 lands on the smallest logit, the last token
        assertEquals(3, sample(logits, 1, 0, Math.nextDown(1.0)));
        assertEquals(3, sample(logits, 1, 4, Math.nextDown(1.0)));
        assertEquals(3, sample(logits, 1, 9, Math.nextDown(1.0)));
    }

    @Test
    void temperatureZeroIsGreedyAndGreedyTakesTheFirstOfTiedMaxima() {
        assertEquals(1, Generation.greedy(new double[] {1, 3, 3, 2}));
        assertEquals(1, sample(new double[] {1, 3, 3, 2}, 0, 0, Math.nextDown(1.0)));
        assertEquals(1, sample(new double[] {1, 3, 3, 2}, 0, 2, 0));
        assertEquals(new Generation.Sampler(0, 0), Generation.Sampler.GREEDY);
    }

    @Test
    void aPlusInfinityLogitIsTheCertainDrawAtAnyTemperatureAndTopK() {
        double[] logits = {1, Double.POSITIVE_INFINITY, 2, 3};
        for (int k : new int[] {0, 2}) {
            for (double u : new double[] {0, 0.5, Math.nextDown(1.0)}) assertEquals(1, sample(logits, 1, k, u), "k " + k + ", u " + u);
        }
    }

    /**
     * Temperature +∞ is rejected, as the examples' --temperature option already was: with a −∞
     * logit its weights are −∞/∞ = NaN, and the sampler used to return the last finite-logit token
     * every time instead of a uniform draw (found by mutation testing, notes/MutationTesting.md).
     */
    @Test
    void theSamplerAcceptsTemperatureZeroAndTheLargestFiniteAndRejectsANegativeNaNOrInfiniteTemperature() {
        assertEquals(0, new Generation.Sampler(0, 3).temperature());
        assertEquals(0, sample(new double[] {0, Double.NEGATIVE_INFINITY, -1}, Double.MAX_VALUE, 0, 0.4));
        for (double t : new double[] {-Double.MIN_VALUE, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Generation.Sampler(t, 0));
            assertTrue(e.getMessage().startsWith("sampler: temperature must be finite and ≥ 0, got " + t), e.getMessage());
        }
    }

    @Test
    void generationMayFillTheLearnedPositionTableExactly() {
        // maxLen 6: a prompt of 3 and 3 new tokens use positions 0..5; the last token needs no further step
        var c = TransformerTest.config(4, 2, Embeddings.Positional.LEARNED);
        var p = Transformer.initDecoderOnly(c, DType.F64, 3);
        int[] out = Generation.generate(c, p, new int[] {1, 2, 3, 4, 0, 1}, 2, 3, Generation.Sampler.GREEDY, 0);
        assertEquals(12, out.length);
        assertArrayEquals(new int[] {1, 2, 3}, Arrays.copyOfRange(out, 0, 3));
        assertArrayEquals(new int[] {4, 0, 1}, Arrays.copyOfRange(out, 6, 9));
        // each new token is the argmax of the full recomputation's last row
        int[] first = Arrays.copyOfRange(out, 0, 5);
        Tensor logits = Transformer.decoderOnly(c, p, first, 1, 5, Dropout.OFF);
        assertEquals(Generation.greedy(Arrays.copyOfRange(logits.toArray(), 4 * 5, 5 * 5)), out[5]);
    }

    @Test
    void decodingStartsFromMemoryWithOrWithoutASourceMaskOfTheRightLength() {
        var c = TransformerTest.config(4, 2, Embeddings.Positional.SINUSOIDAL);
        var p = Transformer.initEncoderDecoder(c, DType.F64, 5);
        Tensor memory = Transformer.encode(c, p.encoder(), new int[] {1, 2, 3, 4, 0, 1}, 2, 3, null, Dropout.OFF);
        assertEquals(2, Generation.start(c, p, memory, null).batch());
        boolean[] valid = {true, true, false, true, false, false};
        assertArrayEquals(valid, Generation.start(c, p, memory, valid).sourceValid());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Generation.start(c, p, memory, new boolean[5]));
        assertTrue(e.getMessage().startsWith("generation: sourceValid has 5 entries, memory [2, 3, 4] needs 6"), e.getMessage());
    }
}
