package zerotoml.parity.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Gens;
import zerotoml.fixtures.Property;
import zerotoml.fixtures.Source;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Case.Arg;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.tensor.LinearAlgebra;

/** torch.matmul semantics against PyTorch: dot, matrix-vector, vector-matrix, batched, broadcast batches. */
class LinearAlgebraParityTest {
    static final Arg<String> KIND = Arg.text("kind");

    /** The kinds of product torch.matmul distinguishes; the generator draws each. */
    enum Kind { MATRIX, VECTOR_VECTOR, MATRIX_VECTOR, VECTOR_MATRIX, BATCHED, BROADCAST_BATCH, VECTOR_BATCH, BATCH_VECTOR }

    /** Leading batch dimensions for both sides: equal, or broadcasting against each other. */
    static int[][] batches(Source s, boolean broadcast) {
        if (!broadcast) {
            int[] b = Gens.shape(1, 2, 3).draw(s);
            return new int[][] {b, b};
        }
        List<int[]> pair = Gens.broadcastPair(3, 3).draw(s);
        return new int[][] {pair.get(0), pair.get(1)};
    }

    static int[] concat(int[] batch, int... tail) {
        int[] out = Arrays.copyOf(batch, batch.length + tail.length);
        System.arraycopy(tail, 0, out, batch.length, tail.length);
        return out;
    }

    /** One matmul case of a drawn kind, with m, k, n in 1..5, values from {@code d}. */
    static Gen<Case> cases(Domain d) {
        return s -> {
            Kind kind = s.pick(Kind.values());
            int m = s.intBetween(1, 5), k = s.intBetween(1, 5), n = s.intBetween(1, 5);
            int[] a, b;
            switch (kind) {
                case VECTOR_VECTOR -> { a = new int[] {k}; b = new int[] {k}; }
                case MATRIX_VECTOR -> { a = new int[] {m, k}; b = new int[] {k}; }
                case VECTOR_MATRIX -> { a = new int[] {k}; b = new int[] {k, n}; }
                case BATCHED, BROADCAST_BATCH -> {
                    int[][] bt = batches(s, kind == Kind.BROADCAST_BATCH);
                    a = concat(bt[0], m, k);
                    b = concat(bt[1], k, n);
                }
                case VECTOR_BATCH -> { a = new int[] {k}; b = concat(Gens.shape(1, 2, 3).draw(s), k, n); }
                case BATCH_VECTOR -> { a = concat(Gens.shape(1, 2, 3).draw(s), m, k); b = new int[] {k}; }
                default -> { a = new int[] {m, k}; b = new int[] {k, n}; }
            }
            return new Case(List.of(Cases.arr(s, a, d), Cases.arr(s, b, d)), Cases.cotangentSeed(s)).with(KIND, kind.name());
        };
    }

    static Case shapes(int[] a, int[] b) {
        return new Case(List.of(new Arr(a, new double[Gens.size(a)]), new Arr(b, new double[Gens.size(b)])), 0);
    }

    static OpSpec matmul() {
        return OpSpec.op("matmul")
                // special values (NaN, ±∞, ±0, subnormal) in one value of twenty against PyTorch; none for finite differences
                .cases(cases(Domain.standard().withSpecials(Cases.SPECIAL_SHARE, Domain.ACCUMULATION_SPECIALS)))
                .finiteDifferenceCases(cases(Domain.standard()))
                .scratch((c, x) -> LinearAlgebra.matmul(x.get(0), x.get(1)))
                .reference((c, x) -> Ref.matmul(x.get(0), x.get(1)))
                .rejects("inner dimensions that differ", shapes(new int[] {3, 4}, new int[] {3, 4}), "inner", "[3, 4]")
                .rejects("vectors of different lengths", shapes(new int[] {3}, new int[] {4}), "[3]", "[4]")
                .rejects("a 0-d left operand", shapes(new int[] {}, new int[] {2, 3}), "[]", "[2, 3]")
                .rejects("a 0-d right operand", shapes(new int[] {2, 3}, new int[] {}), "[2, 3]", "[]")
                .rejects("batch dimensions that do not broadcast", shapes(new int[] {2, 3, 4}, new int[] {3, 4, 2}), "[2, 3, 4]", "[3, 4, 2]");
    }

    /** x [..., in] (0 to 2 leading axes) and a weight [out, in]; sizes up to 24, so larger cases take the packed kernel path. */
    static Gen<Case> linearCases(Domain d) {
        return s -> {
            int in = s.intBetween(1, 24), out = s.intBetween(1, 24);
            int[] lead = Gens.shape(0, 2, 12).draw(s);
            return new Case(List.of(Cases.arr(s, concat(lead, in), d), Cases.arr(s, new int[] {out, in}, d)), Cases.cotangentSeed(s));
        };
    }

    static OpSpec linear() {
        return OpSpec.op("linear")
                .cases(linearCases(Domain.standard().withSpecials(Cases.SPECIAL_SHARE, Domain.ACCUMULATION_SPECIALS)))
                .finiteDifferenceCases(linearCases(Domain.standard()))
                .scratch((c, x) -> LinearAlgebra.linear(x.get(0), x.get(1)))
                // torch.nn.functional.linear(x, w) without bias is x·wᵀ
                .reference((c, x) -> x.get(0).matMul(x.get(1).transpose()))
                .rejects("a weight whose in-features differ from x's last axis", shapes(new int[] {2, 3}, new int[] {4, 5}), "[2, 3]", "[4, 5]")
                .rejects("a 0-d x", shapes(new int[] {}, new int[] {2, 3}), "[]", "[2, 3]")
                .rejectsWhereTorchAccepts("a 1-d weight (torch.nn.functional.linear takes it as a dot product; scratch's linear takes"
                        + " layers' [out, in] weights only)", shapes(new int[] {2, 3}, new int[] {3}), "[2, 3]", "[3]");
    }

    @TestFactory
    Stream<DynamicTest> linearAlgebra() {
        return Stream.concat(Parity.tests(matmul()), Parity.tests(linear()));
    }

    @Test
    void theCaseGeneratorDrawsEveryKindOfProduct() {
        Set<String> seen = new TreeSet<>();
        Gen<Case> g = cases(Domain.standard());
        for (int i = 0; i < 200; i++) seen.add(g.draw(Source.random(Property.caseSeed("matmul kinds", i))).get(KIND));
        assertEquals(Kind.values().length, seen.size(), "kinds drawn: " + seen);
    }
}
