package zerotoml.scratch.transformer;

import zerotoml.scratch.nn.LayerNorm;
import zerotoml.scratch.nn.Sinusoidal;
import zerotoml.scratch.nn.Dropout;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import zerotoml.scratch.nn.Linear;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/** The transformer's argument checks and hand-worked cases, which the parity harness cannot reach. */
class TransformerTest {
    static Transformer.Config config(int dModel, int heads, Embeddings.Positional pos) {
        return new Transformer.Config(5, dModel, heads, 8, 1, 6, Transformer.Norm.PRE, Transformer.Activation.RELU, pos);
    }

    @Test
    void configRejectsDModelNotDivisibleByHeads() {
        var e = assertThrows(IllegalArgumentException.class, () -> config(6, 4, Embeddings.Positional.NONE));
        assertTrue(e.getMessage().startsWith("transformer: dModel 6 is not divisible by heads 4"), e.getMessage());
    }

    @Test
    void aQueryThatMayAttendToNoKeyIsRejectedRatherThanNaN() {
        var m = new Attention.Mask(new boolean[] {true, false, false, false}, 1, 2, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> m.additive(DType.F64));
        assertTrue(e.getMessage().contains("query 1 of sequence 0 may attend to no key"), e.getMessage());
    }

    @Test
    void causalMaskForNewQueriesAfterACacheSeesEveryEarlierKey() {
        // 2 new queries after 3 cached keys: query 0 is position 3, query 1 is position 4
        var m = Attention.Mask.causal(1, 2, 5);
        assertArrayEquals(new boolean[] {true, true, true, true, false, true, true, true, true, true}, m.allowed());
    }

    @Test
    void attentionWithOneKeyReturnsItsValue() {
        Tensor q = Tensor.of(DType.F64, new double[] {0.3, -2}, 1, 1, 1, 2);
        Tensor k = Tensor.of(DType.F64, new double[] {1, 5}, 1, 1, 1, 2);
        Tensor v = Tensor.of(DType.F64, new double[] {7, -1, 2}, 1, 1, 1, 3);
        assertArrayEquals(new double[] {7, -1, 2}, Attention.scaledDotProduct(q, k, v, null).toArray());
    }

    @Test
    void sinusoidalEncodingInterleavesSinAndCos() {
        double[] pe = Sinusoidal.positional(DType.F64, 1, 1, 4).toArray();
        assertArrayEquals(new double[] {Math.sin(1), Math.cos(1), Math.sin(0.01), Math.cos(0.01)}, pe, 1e-15);
    }

    @Test
    void generationBeyondTheLearnedPositionTableIsRejectedBeforeAnyWork() {
        var c = config(4, 2, Embeddings.Positional.LEARNED);
        var p = Transformer.initDecoderOnly(c, DType.F64, 1);
        var e = assertThrows(IllegalArgumentException.class, () -> Generation.generate(c, p, new int[] {1, 2, 3}, 1, 4, Generation.Sampler.GREEDY, 0));
        assertTrue(e.getMessage().contains("7 positions exceed maxLen 6"), e.getMessage());
    }

    @Test
    void layerNormRejectsAnotherFeatureCount() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> LayerNorm.layerNorm(Tensor.zeros(DType.F64, 2, 3), LayerNorm.Params.init(DType.F64, 4)));
        assertTrue(e.getMessage().startsWith("layerNorm: x's last axis must be 4"), e.getMessage());
    }

    @Test
    void dropoutOffIsTheIdentityAndAMaskOfAnotherShapeIsRejected() {
        Tensor x = Tensor.of(DType.F64, new double[] {1, 2, 3}, 3);
        assertEquals(x, Dropout.OFF.apply(x, 0));
        assertThrows(IllegalArgumentException.class, () -> Dropout.dropout(x, Tensor.ones(DType.F64, 2), 0.5));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.0, 0));
    }

    @Test
    void configAcceptsOneForEverySizeAndRejectsZeroForEach() {
        var pre = Transformer.Norm.PRE;
        var relu = Transformer.Activation.RELU;
        var none = Embeddings.Positional.NONE;
        assertEquals(1, new Transformer.Config(1, 1, 1, 1, 1, 1, pre, relu, none).dModel());
        int[][] zeroes = {{0, 1, 1, 1, 1, 1}, {1, 0, 1, 1, 1, 1}, {1, 1, 0, 1, 1, 1}, {1, 1, 1, 0, 1, 1}, {1, 1, 1, 1, 0, 1}, {1, 1, 1, 1, 1, 0}};
        for (int[] z : zeroes) {
            var e = assertThrows(IllegalArgumentException.class, () -> new Transformer.Config(z[0], z[1], z[2], z[3], z[4], z[5], pre, relu, none));
            assertTrue(e.getMessage().startsWith("transformer: vocab, dModel, heads, dFf, layers and maxLen must all be ≥ 1, got vocab " + z[0]
                    + ", dModel " + z[1] + ", heads " + z[2] + ", dFf " + z[3] + ", layers " + z[4] + ", maxLen " + z[5]), e.getMessage());
        }
    }

    @Test
    void twoMasksCombineElementByElementAndOnlyWhenTheirShapesAgree() {
        var a = new Attention.Mask(new boolean[] {true, true, false, false}, 1, 2, 2);
        var b = new Attention.Mask(new boolean[] {true, false, true, false}, 1, 2, 2);
        assertArrayEquals(new boolean[] {true, false, false, false}, a.and(b).allowed());
        assertArrayEquals(new boolean[] {true, false, false, false}, b.and(a).allowed());
        assertArrayEquals(a.allowed(), a.and(null).allowed());
        // causal ∧ key padding: query 1 may not see the padded key 1
        var both = Attention.Mask.causal(1, 2, 3).and(Attention.Mask.keyPadding(new boolean[] {true, false, true}, 1, 2, 3));
        assertArrayEquals(new boolean[] {true, false, false, true, false, true}, both.allowed());
        for (var other : List.of(new Attention.Mask(new boolean[8], 2, 2, 2), new Attention.Mask(new boolean[2], 1, 1, 2), new Attention.Mask(new boolean[6], 1, 2, 3))) {
            var e = assertThrows(IllegalArgumentException.class, () -> a.and(other));
            assertTrue(e.getMessage().equals("mask: cannot combine [1, 2, 2] with [" + other.batch() + ", " + other.queries() + ", " + other.keys() + "]"), e.getMessage());
        }
    }

    @Test
    void aMaskOverNoKeysHasNothingToForbid() {
        Tensor m = new Attention.Mask(new boolean[0], 1, 2, 0).additive(DType.F64);
        assertArrayEquals(new int[] {1, 1, 2, 0}, m.shape().dims());
    }

    @Test
    void cachedAttentionRejectsHeadsThatDoNotDivideDModel() {
        var p = Attention.Params.init(DType.F64, 4, 0.02, 0.02, new SplittableRandom(1));
        Tensor x = Tensor.zeros(DType.F64, 1, 2, 4);
        String want = "attention: d_model 4 is not divisible by heads 3";
        assertEquals(want, assertThrows(IllegalArgumentException.class, () -> Attention.selfAttentionCached(p, 3, x, null)).getMessage());
        assertEquals(want, assertThrows(IllegalArgumentException.class, () -> Attention.memoryKeyValue(p, 3, x)).getMessage());
        Attention.KeyValue memory = Attention.memoryKeyValue(p, 2, x);
        assertEquals(want, assertThrows(IllegalArgumentException.class, () -> Attention.crossAttentionCached(p, 3, x, memory, null)).getMessage());
        assertEquals("attention: d_model 4 is not divisible by heads 0",
                assertThrows(IllegalArgumentException.class, () -> Attention.selfAttentionCached(p, 0, x, null)).getMessage());
    }

    @Test
    void learnedPositionsPastTheTableAreRejectedWithTheirRange() {
        var p = Embeddings.Params.init(DType.F64, 5, 4, 6, Embeddings.Positional.LEARNED, new SplittableRandom(2));
        assertArrayEquals(new int[] {1, 4, 4}, Embeddings.embed(p, Embeddings.Positional.LEARNED, new int[] {0, 1, 2, 3}, 1, 4, 2).shape().dims());
        var e = assertThrows(IllegalArgumentException.class, () -> Embeddings.embed(p, Embeddings.Positional.LEARNED, new int[] {0, 1, 2, 3, 4}, 1, 5, 2));
        assertEquals("embedding: positions 2..6 exceed the learned table [6, 4]", e.getMessage());
    }

    /** Sample standard deviation of a tensor's elements around 0 (the initial weights have mean 0). */
    static double rms(Tensor t) {
        double s = 0;
        for (double v : t.toArray()) s += v * v;
        return Math.sqrt(s / t.size());
    }

    /** {@code t}'s elements look like N(0, std²): their root mean square is within 5 standard errors (std·√(1/2n)) of std. */
    static void drawnWithStd(String what, double std, Tensor t) {
        double tolerance = 5 * std / Math.sqrt(2.0 * t.size());
        assertEquals(std, rms(t), tolerance, what);
    }

    @Test
    void initialWeightsHaveMinGptsStdAndTheResidualProjectionsAreScaledByTheNumberOfResidualSublayers() {
        var c = new Transformer.Config(64, 32, 4, 64, 2, 16, Transformer.Norm.PRE, Transformer.Activation.GELU, Embeddings.Positional.LEARNED);
        var gpt = Transformer.initDecoderOnly(c, DType.F64, 11);
        drawnWithStd("token embedding", 0.02, gpt.embedding().tokens());
        drawnWithStd("position embedding", 0.02, gpt.embedding().positions());
        drawnWithStd("head", 0.02, gpt.head());
        for (Transformer.Layer l : gpt.layers()) {
            // two residual sublayers per layer, 2 layers: 0.02 / √4
            drawnWithStd("W_Q", 0.02, l.attention().wQ());
            drawnWithStd("W_O", 0.02 / Math.sqrt(4), l.attention().wO());
            drawnWithStd("W_1", 0.02, l.ffn().w1());
            drawnWithStd("W_2", 0.02 / Math.sqrt(4), l.ffn().w2());
        }
        var t5 = Transformer.initEncoderDecoder(c, DType.F64, 12);
        for (Transformer.CrossLayer l : t5.layers()) {
            // three residual sublayers per decoder layer, 2 layers: 0.02 / √6
            drawnWithStd("self W_K", 0.02, l.selfAttention().wK());
            drawnWithStd("self W_O", 0.02 / Math.sqrt(6), l.selfAttention().wO());
            drawnWithStd("cross W_V", 0.02, l.crossAttention().wV());
            drawnWithStd("cross W_O", 0.02 / Math.sqrt(6), l.crossAttention().wO());
            drawnWithStd("W_2", 0.02 / Math.sqrt(6), l.ffn().w2());
        }
    }

    /**
     * The encoder-decoder numbers its dropout sites so that no two draw the same mask: 0 the source
     * embedding, 1 + 2l and 2 + 2l the two sublayers of encoder layer l, then B = 1 + 2·(encoder
     * layers) the target embedding and B + 1 + 3l .. B + 3 + 3l the three sublayers of decoder layer
     * l. The model with dropout equals this composition of its parts bit for bit.
     */
    @Test
    void encoderDecoderDropoutGivesEverySublayerItsOwnSite() {
        var c = new Transformer.Config(7, 8, 2, 16, 2, 5, Transformer.Norm.PRE, Transformer.Activation.RELU, Embeddings.Positional.SINUSOIDAL);
        var p = Transformer.initEncoderDecoder(c, DType.F64, 4);
        var dropout = new Dropout(0.3, 99);
        int batch = 2, s = 3, t = 4;
        int[] source = {1, 2, 3, 4, 5, 6}, target = {0, 1, 2, 3, 4, 5, 6, 0};
        Tensor x = dropout.apply(Embeddings.embed(p.encoder().embedding(), c.positional(), source, batch, s, 0), 0);
        for (int l = 0; l < 2; l++) {
            var layer = p.encoder().layers().get(l);
            x = Transformer.residual(c.norm(), layer.norm1(), x, y -> Attention.selfAttention(layer.attention(), c.heads(), y, null), dropout, 1 + 2 * l);
            x = Transformer.residual(c.norm(), layer.norm2(), x, y -> Transformer.feedForward(layer.ffn(), c.activation(), y), dropout, 2 + 2 * l);
        }
        Tensor memory = Transformer.finish(c, p.encoder().finalNorm(), x);
        int base = 5;
        var causal = Attention.Mask.causal(batch, t, t);
        Tensor h = dropout.apply(Embeddings.embed(p.targetEmbedding(), c.positional(), target, batch, t, 0), base);
        for (int l = 0; l < 2; l++) {
            var layer = p.layers().get(l);
            int site = base + 1 + 3 * l;
            h = Transformer.residual(c.norm(), layer.norm1(), h, y -> Attention.selfAttention(layer.selfAttention(), c.heads(), y, causal), dropout, site);
            h = Transformer.residual(c.norm(), layer.norm2(), h, y -> Attention.crossAttention(layer.crossAttention(), c.heads(), y, memory, null), dropout, site + 1);
            h = Transformer.residual(c.norm(), layer.norm3(), h, y -> Transformer.feedForward(layer.ffn(), c.activation(), y), dropout, site + 2);
        }
        Tensor expected = Linear.linear(Transformer.finish(c, p.finalNorm(), h), p.head(), null);
        assertArrayEquals(expected.toArray(), Transformer.encoderDecoder(c, p, source, null, batch, s, target, t, dropout).toArray());
    }

    /** The decoder-only model's dropout sites: 0 the embedding, 1 + 2l and 2 + 2l the two sublayers of layer l. */
    @Test
    void decoderOnlyDropoutGivesEverySublayerItsOwnSite() {
        var c = new Transformer.Config(7, 8, 2, 16, 2, 5, Transformer.Norm.PRE, Transformer.Activation.RELU, Embeddings.Positional.SINUSOIDAL);
        var p = Transformer.initDecoderOnly(c, DType.F64, 6);
        var dropout = new Dropout(0.3, 98);
        int batch = 2, t = 4;
        int[] ids = {1, 2, 3, 4, 5, 6, 0, 1};
        var causal = Attention.Mask.causal(batch, t, t);
        Tensor x = dropout.apply(Embeddings.embed(p.embedding(), c.positional(), ids, batch, t, 0), 0);
        for (int l = 0; l < 2; l++) {
            var layer = p.layers().get(l);
            x = Transformer.residual(c.norm(), layer.norm1(), x, y -> Attention.selfAttention(layer.attention(), c.heads(), y, causal), dropout, 1 + 2 * l);
            x = Transformer.residual(c.norm(), layer.norm2(), x, y -> Transformer.feedForward(layer.ffn(), c.activation(), y), dropout, 2 + 2 * l);
        }
        Tensor expected = Linear.linear(Transformer.finish(c, p.finalNorm(), x), p.head(), null);
        assertArrayEquals(expected.toArray(), Transformer.decoderOnly(c, p, ids, batch, t, dropout).toArray());
    }
}
