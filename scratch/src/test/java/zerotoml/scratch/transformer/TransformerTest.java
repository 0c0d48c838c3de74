package zerotoml.scratch.transformer;

import zerotoml.scratch.nn.LayerNorm;
import zerotoml.scratch.nn.Sinusoidal;
import zerotoml.scratch.nn.Dropout;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
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
}
