package zerotoml.parity.transformer;

import static zerotoml.parity.transformer.TransformerCases.ints;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.parity.tensor.IntegerArgs;
import zerotoml.scratch.tensor.Tensor;
import zerotoml.scratch.transformer.Embeddings;
import zerotoml.scratch.transformer.Embeddings.Positional;

/**
 * The transformer's input embedding ({@code scratch/transformer/Embeddings}: token embedding plus
 * sinusoidal, learned or no positions; "Attention Is All You Need", arXiv 1706.03762, §3.4–3.5)
 * against PyTorch, with the tables as inputs so the gradient rows cover them.
 */
class EmbeddingsParityTest {
    static final Domain STD = Domain.standard();

    /** Token embedding plus positions, for each positional kind: inputs tokens [V, d], (positions [maxLen, d]), ids [B, T]. */
    static OpSpec embedding(Positional pos) {
        boolean learned = pos == Positional.LEARNED;
        int idsAt = learned ? 2 : 1;
        return OpSpec.op("embedding (" + pos.name().toLowerCase() + " positions)")
                .cases(s -> {
                    int v = s.intBetween(1, 12), d = s.intBetween(1, 32), b = s.intBetween(1, 3), t = s.intBetween(1, 16);
                    List<Arr> in = new ArrayList<>(List.of(Cases.arr(s, new int[] {v, d}, STD)));
                    if (learned) in.add(Cases.arr(s, new int[] {t + s.intBetween(0, 3), d}, STD));
                    in.add(ints(s, new int[] {b, t}, v));
                    return new Case(in, Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> {
                    Tensor ids = x.get(idsAt);
                    var p = new Embeddings.Params(x.get(0), learned ? x.get(1) : null);
                    return Embeddings.embed(p, pos, IntegerArgs.ints(ids), ids.shape().dim(0), ids.shape().dim(1), 0);
                })
                .reference((c, x) -> Ref.embed(x.get(0), learned ? x.get(1) : null, pos, x.get(idsAt)))
                .constantInputs(idsAt);
    }

    @TestFactory
    Stream<DynamicTest> agreesWithPyTorch() {
        return Parity.tests(embedding(Positional.SINUSOIDAL), embedding(Positional.LEARNED), embedding(Positional.NONE));
    }
}
