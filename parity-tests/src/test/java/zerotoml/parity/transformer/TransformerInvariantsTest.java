package zerotoml.parity.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Property;
import zerotoml.fixtures.Source;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Cases;
import zerotoml.scratch.nn.Dropout;
import zerotoml.scratch.nn.LayerNorm;
import zerotoml.scratch.nn.Sinusoidal;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Shapes;
import zerotoml.scratch.tensor.Tensor;
import zerotoml.scratch.transformer.Attention;
import zerotoml.scratch.transformer.Embeddings;
import zerotoml.scratch.transformer.Generation;
import zerotoml.scratch.transformer.Transformer;
import zerotoml.scratch.transformer.Transformer.Config;

/**
 * Invariants of the scratch transformer, as properties over random configurations (float64, with
 * parameters drawn like the parity cases): attention rows sum to 1, causality, padding keys that
 * change nothing, permutation equivariance without positions, and cached decoding equal to full
 * recomputation bit for bit.
 */
class TransformerInvariantsTest {
    static final Dropout OFF = Dropout.OFF;

    /** A model with drawn parameters: config, params record, batch and lengths. */
    record Drawn<P extends Record>(Config config, P params, int batch, int time, int[] ids) {
        @Override
        public String toString() {
            return config + ", batch " + batch + ", time " + time + ", ids " + Arrays.toString(ids);
        }
    }

    static <P extends Record> P drawParams(Source s, P template) {
        List<Tensor> ts = new ArrayList<>();
        for (Arr a : TransformerCases.params(s, template)) ts.add(Tensor.of(DType.F64, a.data(), a.shape()));
        return Autodiff.Params.rebuild(template, ts);
    }

    static int[] drawIds(Source s, int n, int vocab) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = s.intBetween(0, vocab - 1);
        return ids;
    }

    static Gen<Drawn<Transformer.DecoderOnly>> decoders() {
        return s -> {
            Config c = TransformerCases.config(s, 3, 16);
            int b = s.intBetween(1, 3), t = s.intBetween(1, 16);
            return new Drawn<>(c, drawParams(s, Transformer.initDecoderOnly(c, DType.F64, 0)), b, t, drawIds(s, b * t, c.vocab()));
        };
    }

    /** Rows [b, t] of a [B, T, V] tensor's values, for t < upTo. */
    static double[] prefix(Tensor x, int upTo) {
        int[] d = x.shape().dims();
        return Shapes.slice(x, 1, 0, upTo).toArray();
    }

    @Test
    void attentionRowsSumToOneAndMaskedEntriesAreExactlyZero() {
        Property.check("transformer: attention rows sum to 1", s -> {
            int b = s.intBetween(1, 3), h = s.intBetween(1, 4), tq = s.intBetween(1, 16), tk = s.intBetween(1, 16), dk = s.intBetween(1, 8);
            Arr m = TransformerCases.mask(s, b, tq, tk);
            return List.of(Cases.arr(s, new int[] {b, h, tq, dk}, Domain.standard()), Cases.arr(s, new int[] {b, h, tk, dk}, Domain.standard()), m);
        }, in -> {
            Tensor q = Tensor.of(DType.F64, in.get(0).data(), in.get(0).shape()), k = Tensor.of(DType.F64, in.get(1).data(), in.get(1).shape());
            int[] ms = in.get(2).shape();
            boolean[] allowed = TransformerCases.toBools(Tensor.of(DType.F64, in.get(2).data(), ms));
            double[] w = Attention.weights(q, k, new Attention.Mask(allowed, ms[0], ms[1], ms[2])).toArray();
            int tk = ms[2], h = in.get(0).shape()[1], tq = ms[1];
            for (int row = 0; row < w.length / tk; row++) {
                double sum = 0;
                int bi = row / (h * tq), qi = row % tq;
                for (int j = 0; j < tk; j++) {
                    sum += w[row * tk + j];
                    if (!allowed[(bi * tq + qi) * tk + j]) assertEquals(0.0, w[row * tk + j], "masked key " + j + " of row " + row + " has weight");
                }
                assertEquals(1.0, sum, 1e-12, "row " + row + " sums to " + sum);
            }
        });
    }

    @Test
    void changingTokensAfterPositionTLeavesEarlierLogitsBitIdentical() {
        Property.check("transformer: causality of the decoder-only model", s -> {
            Drawn<Transformer.DecoderOnly> d = decoders().draw(s);
            int t = s.intBetween(0, d.time() - 1);
            int[] changed = d.ids().clone();
            for (int b = 0; b < d.batch(); b++) for (int j = t + 1; j < d.time(); j++) changed[b * d.time() + j] = s.intBetween(0, d.config().vocab() - 1);
            return List.of(d, t, changed);
        }, v -> {
            @SuppressWarnings("unchecked")
            Drawn<Transformer.DecoderOnly> d = (Drawn<Transformer.DecoderOnly>) v.get(0);
            int t = (Integer) v.get(1);
            Tensor a = Transformer.decoderOnly(d.config(), d.params(), d.ids(), d.batch(), d.time(), OFF);
            Tensor b = Transformer.decoderOnly(d.config(), d.params(), (int[]) v.get(2), d.batch(), d.time(), OFF);
            assertArrayEquals(prefix(a, t + 1), prefix(b, t + 1), "logits at positions ≤ " + t + " changed");
        });
    }

    @Test
    void changingTargetTokensAfterPositionTLeavesEarlierEncoderDecoderLogitsBitIdentical() {
        Property.check("transformer: causality of the encoder-decoder", s -> {
            Config c = TransformerCases.config(s, 2, 16);
            int b = s.intBetween(1, 3), src = s.intBetween(1, 16), t = s.intBetween(1, 16), cut = s.intBetween(0, t - 1);
            Transformer.EncoderDecoder p = drawParams(s, Transformer.initEncoderDecoder(c, DType.F64, 0));
            int[] source = drawIds(s, b * src, c.vocab()), target = drawIds(s, b * t, c.vocab()), changed = target.clone();
            for (int i = 0; i < b; i++) for (int j = cut + 1; j < t; j++) changed[i * t + j] = s.intBetween(0, c.vocab() - 1);
            boolean[] valid = TransformerCases.toBools(Tensor.of(DType.F64, TransformerCases.valid(s, b, src).data(), b, src));
            return List.of(c, p, new int[] {b, src, t, cut}, source, target, changed, valid);
        }, v -> {
            Config c = (Config) v.get(0);
            Transformer.EncoderDecoder p = (Transformer.EncoderDecoder) v.get(1);
            int[] n = (int[]) v.get(2);
            boolean[] valid = (boolean[]) v.get(6);
            Tensor a = Transformer.encoderDecoder(c, p, (int[]) v.get(3), valid, n[0], n[1], (int[]) v.get(4), n[2], OFF);
            Tensor b = Transformer.encoderDecoder(c, p, (int[]) v.get(3), valid, n[0], n[1], (int[]) v.get(5), n[2], OFF);
            assertArrayEquals(prefix(a, n[3] + 1), prefix(b, n[3] + 1), "logits at positions ≤ " + n[3] + " changed");
        });
    }

    @Test
    void maskedPaddingKeysChangeNothing() {
        Property.check("transformer: masked padding keys change nothing", s -> {
            Config c = TransformerCases.config(s, 3, 24);
            int b = s.intBetween(1, 3), t = s.intBetween(1, 12), pad = s.intBetween(1, 8);
            Transformer.Encoder p = drawParams(s, Transformer.initEncoder(c, DType.F64, 0));
            int[] ids = drawIds(s, b * t, c.vocab()), padded = new int[b * (t + pad)];
            boolean[] valid = new boolean[b * (t + pad)];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < t + pad; j++) {
                    padded[i * (t + pad) + j] = j < t ? ids[i * t + j] : s.intBetween(0, c.vocab() - 1);
                    valid[i * (t + pad) + j] = j < t;
                }
            }
            return List.of(c, p, new int[] {b, t, pad}, ids, padded, valid);
        }, v -> {
            Config c = (Config) v.get(0);
            Transformer.Encoder p = (Transformer.Encoder) v.get(1);
            int[] n = (int[]) v.get(2);
            Tensor plain = Transformer.encode(c, p, (int[]) v.get(3), n[0], n[1], null, OFF);
            Tensor padded = Transformer.encode(c, p, (int[]) v.get(4), n[0], n[1] + n[2], (boolean[]) v.get(5), OFF);
            // to the bit: masked keys get weight exactly 0, and each output row is computed the same way
            assertArrayEquals(plain.toArray(), prefix(padded, n[1]), 0.0, "outputs at real tokens changed when padding keys were added");
        });
    }

    @Test
    void anEncoderWithoutPositionalEncodingIsPermutationEquivariant() {
        Property.check("transformer: encoder without positions is permutation-equivariant", s -> {
            Config c0 = TransformerCases.config(s, 3, 16);
            Config c = new Config(c0.vocab(), c0.dModel(), c0.heads(), c0.dFf(), c0.layers(), c0.maxLen(), c0.norm(), c0.activation(), Embeddings.Positional.NONE);
            int t = s.intBetween(1, 16);
            Transformer.Encoder p = drawParams(s, Transformer.initEncoder(c, DType.F64, 0));
            int[] ids = drawIds(s, t, c.vocab());
            int[] perm = new int[t];
            for (int i = 0; i < t; i++) perm[i] = i;
            for (int i = t - 1; i > 0; i--) {
                int j = s.intBetween(0, i), tmp = perm[i];
                perm[i] = perm[j];
                perm[j] = tmp;
            }
            boolean[] valid = TransformerCases.toBools(Tensor.of(DType.F64, TransformerCases.valid(s, 1, t).data(), 1, t));
            return List.of(c, p, ids, perm, valid);
        }, v -> {
            Config c = (Config) v.get(0);
            Transformer.Encoder p = (Transformer.Encoder) v.get(1);
            int[] ids = (int[]) v.get(2), perm = (int[]) v.get(3);
            boolean[] valid = (boolean[]) v.get(4);
            int t = ids.length, d = c.dModel();
            int[] pIds = new int[t];
            boolean[] pValid = new boolean[t];
            for (int i = 0; i < t; i++) {
                pIds[i] = ids[perm[i]];
                pValid[i] = valid[perm[i]];
            }
            double[] out = Transformer.encode(c, p, ids, 1, t, valid, OFF).toArray();
            double[] permuted = Transformer.encode(c, p, pIds, 1, t, pValid, OFF).toArray();
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < d; j++) {
                    double want = out[perm[i] * d + j], got = permuted[i * d + j];
                    // the key sums run in another order, so equality is to rounding, not to the bit
                    assertEquals(want, got, 1e-9 * (1 + Math.abs(want)), "position " + i + " (was " + perm[i] + "), feature " + j);
                }
            }
        });
    }

    /** Random chunk lengths, each ≥ 1, that add up to t: how a cached decoder is fed. */
    static List<Integer> chunks(Source s, int t) {
        List<Integer> chunks = new ArrayList<>();
        for (int done = 0; done < t; ) {
            int k = s.intBetween(1, t - done);
            chunks.add(k);
            done += k;
        }
        return chunks;
    }

    /**
     * Feeds ids [B·T] to {@code step} chunk by chunk (the chunk's ids [B·k] and k → logits [B, k, V])
     * and returns the logits put back in [B, T, V] order.
     */
    static double[] inChunks(int[] ids, int b, int t, int vocab, List<Integer> chunks, BiFunction<int[], Integer, Tensor> step) {
        double[] out = new double[b * t * vocab];
        int start = 0;
        for (int k : chunks) {
            int[] part = new int[b * k];
            for (int i = 0; i < b; i++) System.arraycopy(ids, i * t + start, part, i * k, k);
            double[] l = step.apply(part, k).toArray();
            for (int i = 0; i < b; i++) System.arraycopy(l, i * k * vocab, out, (i * t + start) * vocab, k * vocab);
            start += k;
        }
        return out;
    }

    /**
     * Cached decoding against full recomputation, bit for bit. This rests on Matmul.fast computing
     * each row of a product the same way whatever rows come with it (MatmulTest holds that), and
     * on masked attention weights being exact zeros, which add nothing.
     */
    @Test
    void cachedDecodingEqualsFullRecomputation() {
        Property.check("transformer: KV-cache decoding equals full recomputation", s -> {
            Drawn<Transformer.DecoderOnly> d = decoders().draw(s);
            return List.of(d, chunks(s, d.time()));
        }, v -> {
            @SuppressWarnings("unchecked")
            Drawn<Transformer.DecoderOnly> d = (Drawn<Transformer.DecoderOnly>) v.get(0);
            @SuppressWarnings("unchecked")
            List<Integer> chunks = (List<Integer>) v.get(1);
            int b = d.batch(), t = d.time();
            double[] full = Transformer.decoderOnly(d.config(), d.params(), d.ids(), b, t, OFF).toArray();
            Generation.Cache[] cache = {Generation.Cache.EMPTY};
            double[] cached = inChunks(d.ids(), b, t, d.config().vocab(), chunks, (ids, k) -> {
                Generation.Step st = Generation.step(d.config(), d.params(), cache[0], ids, b, k);
                cache[0] = st.cache();
                return st.logits();
            });
            assertArrayEquals(full, cached, 0.0, "chunks " + chunks);
        });
    }

    /** The encoder-decoder's cached decoding (self keys/values cached, memory projected once) against full decoding, bit for bit. */
    @Test
    void cachedEncoderDecoderDecodingEqualsFullRecomputation() {
        Property.check("transformer: encoder-decoder KV-cache decoding equals full recomputation", s -> {
            Config c = TransformerCases.config(s, 2, 16);
            int b = s.intBetween(1, 3), src = s.intBetween(1, 16), t = s.intBetween(1, 16);
            Transformer.EncoderDecoder p = drawParams(s, Transformer.initEncoderDecoder(c, DType.F64, 0));
            boolean[] valid = TransformerCases.toBools(Tensor.of(DType.F64, TransformerCases.valid(s, b, src).data(), b, src));
            return List.of(c, p, new int[] {b, src, t}, drawIds(s, b * src, c.vocab()), drawIds(s, b * t, c.vocab()), valid, chunks(s, t));
        }, v -> {
            Config c = (Config) v.get(0);
            Transformer.EncoderDecoder p = (Transformer.EncoderDecoder) v.get(1);
            int[] n = (int[]) v.get(2), target = (int[]) v.get(4);
            boolean[] valid = (boolean[]) v.get(5);
            @SuppressWarnings("unchecked")
            List<Integer> chunks = (List<Integer>) v.get(6);
            int b = n[0], t = n[2];
            Tensor memory = Transformer.encode(c, p.encoder(), (int[]) v.get(3), b, n[1], valid, OFF);
            double[] full = Transformer.decode(c, p, memory, valid, target, b, t, OFF).toArray();
            Generation.CrossCache[] cache = {Generation.start(c, p, memory, valid)};
            double[] cached = inChunks(target, b, t, c.vocab(), chunks, (ids, k) -> {
                Generation.CrossStep st = Generation.step(c, p, cache[0], ids, b, k);
                cache[0] = st.cache();
                return st.logits();
            });
            assertArrayEquals(full, cached, 0.0, "chunks " + chunks);
        });
    }

    @Test
    void postLnOutputHasMeanZeroAndVarianceOneWithIdentityAffine() {
        Property.check("transformer: LayerNorm output is standardised", s -> {
            int d = s.intBetween(2, 32), n = s.intBetween(1, 8);
            return Cases.arr(s, new int[] {n, d}, Domain.range(-10, 10));
        }, a -> {
            int d = a.shape()[1];
            double[] y = LayerNorm.layerNorm(Tensor.of(DType.F64, a.data(), a.shape()), LayerNorm.Params.init(DType.F64, d)).toArray();
            for (int r = 0; r < a.shape()[0]; r++) {
                double mean = 0, var = 0, xm = 0, xv = 0;
                for (int j = 0; j < d; j++) xm += a.data()[r * d + j] / d;
                for (int j = 0; j < d; j++) xv += Math.pow(a.data()[r * d + j] - xm, 2) / d;
                for (int j = 0; j < d; j++) mean += y[r * d + j] / d;
                for (int j = 0; j < d; j++) var += Math.pow(y[r * d + j] - mean, 2) / d;
                assertEquals(0, mean, 1e-12);
                // var(y) = σ² / (σ² + ε)
                assertEquals(xv / (xv + LayerNorm.EPS), var, 1e-9);
            }
        });
    }

    @Test
    void sinusoidalEncodingStartsAtZeroOneAndRotatesByAFixedAngle() {
        Property.check("transformer: sinusoidal PE rotates", s -> new int[] {s.intBetween(1, 32), s.intBetween(0, 50), s.intBetween(1, 20)}, n -> {
            int d = n[0], pos = n[1], k = n[2];
            double[] pe = Sinusoidal.positional(DType.F64, 0, pos + k + 1, d).toArray();
            for (int j = 0; j < d; j++) assertEquals(j % 2 == 0 ? 0.0 : 1.0, pe[j], 0.0, "PE(0)");
            for (int i = 0; 2 * i + 1 < d; i++) {
                double w = Math.pow(10000, -2.0 * i / d), c = Math.cos(k * w), sn = Math.sin(k * w);
                double s0 = pe[pos * d + 2 * i], c0 = pe[pos * d + 2 * i + 1];
                // (sin, cos)(pos + k) = R(k ω) (sin, cos)(pos)
                assertEquals(s0 * c + c0 * sn, pe[(pos + k) * d + 2 * i], 1e-9);
                assertEquals(c0 * c - s0 * sn, pe[(pos + k) * d + 2 * i + 1], 1e-9);
            }
            for (double x : pe) assertTrue(x >= -1 && x <= 1);
        });
    }

    @Test
    void greedyGenerationPicksTheArgmaxOfFullRecomputationAndTopOneSamplingIsGreedy() {
        Property.check("transformer: greedy generation", s -> {
            Drawn<Transformer.DecoderOnly> d = decoders().draw(s);
            return List.of(d, s.intBetween(1, 4), s.intBetween(0, 1 << 20));
        }, v -> {
            @SuppressWarnings("unchecked")
            Drawn<Transformer.DecoderOnly> d = (Drawn<Transformer.DecoderOnly>) v.get(0);
            int extra = (Integer) v.get(1), b = d.batch(), t0 = d.time(), vocab = d.config().vocab();
            if (d.config().positional() == Embeddings.Positional.LEARNED) extra = Math.min(extra, d.config().maxLen() - t0);
            int[] out = Generation.generate(d.config(), d.params(), d.ids(), b, extra, Generation.Sampler.GREEDY, 1);
            int[] topOne = Generation.generate(d.config(), d.params(), d.ids(), b, extra, new Generation.Sampler(0.7, 1), (Integer) v.get(2));
            assertArrayEquals(out, topOne, "top-1 sampling differs from greedy");
            int total = t0 + extra;
            double[] logits = Transformer.decoderOnly(d.config(), d.params(), out, b, total, OFF).toArray();
            for (int i = 0; i < b; i++) {
                for (int t = t0; t < total; t++) {
                    double[] row = Arrays.copyOfRange(logits, (i * total + t - 1) * vocab, (i * total + t) * vocab);
                    assertEquals(Generation.greedy(row), out[i * total + t], "sequence " + i + ", position " + t);
                }
            }
        });
    }

    @Test
    void topKSamplingDrawsOnlyAmongTheKLargestLogits() {
        Property.check("transformer: top-k sampling", s -> {
            int v = s.intBetween(2, 12);
            double[] l = new double[v];
            for (int i = 0; i < v; i++) l[i] = s.doubleBetween(-3, 3);
            return List.of(l, s.intBetween(1, v), s.intBetween(0, 1 << 20));
        }, in -> {
            double[] l = (double[]) in.get(0);
            int k = (Integer) in.get(1);
            double[] sorted = l.clone();
            Arrays.sort(sorted);
            SplittableRandom rng = new SplittableRandom((Integer) in.get(2));
            for (int i = 0; i < 50; i++) {
                int pick = Generation.sample(l, new Generation.Sampler(1.5, k), rng);
                assertTrue(l[pick] >= sorted[l.length - k], "picked logit " + l[pick] + " outside the top " + k);
            }
        });
    }

    @Test
    void dropoutMasksArePureFunctionsOfSeedAndSiteAndOffIsTheIdentity() {
        Property.check("transformer: seeded dropout", s -> List.of(Cases.arr(s, new int[] {s.intBetween(1, 4), s.intBetween(1, 40)}, Domain.standard()),
                s.doubleBetween(0.05, 0.9), s.intBetween(0, 1 << 20), s.intBetween(0, 20)), v -> {
            Arr a = (Arr) v.get(0);
            Tensor x = Tensor.of(DType.F64, a.data(), a.shape());
            Dropout d = new Dropout((Double) v.get(1), (Integer) v.get(2));
            int site = (Integer) v.get(3);
            assertArrayEquals(d.apply(x, site).toArray(), d.apply(x, site).toArray(), "same seed and site, different mask");
            assertArrayEquals(x.toArray(), Dropout.OFF.apply(x, site).toArray(), "Dropout.OFF changed x");
            double[] y = d.apply(x, site).toArray();
            for (int i = 0; i < y.length; i++) {
                double kept = x.toArray()[i] * (1.0 / (1 - d.p()));
                assertTrue(y[i] == 0 || y[i] == kept, "element " + i + " is neither dropped nor scaled by 1/(1-p)");
            }
        });
    }

    /**
     * The parity tests hand one mask to both sides, so nothing there checks how the mask is drawn.
     * Here: over n = 4,000 elements the kept fraction is within 5 binomial standard deviations of
     * 1 − p (a fixed-seed test, so no flakiness; 5σ fails by chance about once in 3.5 million), two
     * sites and two seeds agree on about p² + (1 − p)² of the elements, as independent masks do,
     * and the mean of dropout(1) is 1 within 5σ (inverted dropout keeps the expectation).
     */
    @Test
    void dropoutKeepsOneMinusPOfTheElementsWithIndependentMasksPerSiteAndSeed() {
        int n = 4000;
        Tensor ones = Tensor.of(DType.F64, filled(n, 1), n);
        Property.check("transformer: dropout keep rate", s -> new double[] {s.doubleBetween(0.05, 0.9), s.intBetween(0, 1 << 20), s.intBetween(0, 20)}, v -> {
            double p = v[0];
            Dropout d = new Dropout(p, (long) v[1]);
            int site = (int) v[2];
            double[] m = d.mask(ones, site).toArray();
            double kept = Arrays.stream(m).sum() / n, sigma = Math.sqrt(p * (1 - p) / n);
            assertTrue(Math.abs(kept - (1 - p)) <= 5 * sigma, "kept " + kept + " of the elements at p " + p + ", expected " + (1 - p) + " ± " + 5 * sigma);
            double agree = p * p + (1 - p) * (1 - p), agreeSigma = Math.sqrt(agree * (1 - agree) / n);
            double[] otherSite = d.mask(ones, site + 1).toArray();
            double[] otherSeed = new Dropout(p, (long) v[1] + 1).mask(ones, site).toArray();
            for (double[] o : List.of(otherSite, otherSeed)) {
                double same = 0;
                for (int i = 0; i < n; i++) same += m[i] == o[i] ? 1 : 0;
                assertTrue(Math.abs(same / n - agree) <= 5 * agreeSigma, "two masks agree on " + same / n + " of the elements, independent ones on " + agree);
            }
            double mean = Arrays.stream(d.apply(ones, site).toArray()).sum() / n;
            assertTrue(Math.abs(mean - 1) <= 5 * sigma / (1 - p), "mean of dropout(1) is " + mean + " at p " + p);
        });
    }

    static double[] filled(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }
}
