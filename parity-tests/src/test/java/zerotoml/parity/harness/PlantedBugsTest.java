package zerotoml.parity.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static zerotoml.parity.harness.Cases.AXIS;
import static zerotoml.parity.harness.Cases.KEEP_DIMS;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Gens;
import zerotoml.fixtures.Precision;
import zerotoml.fixtures.Property;
import zerotoml.parity.harness.OpSpec.Check;
import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.LinearAlgebra;
import zerotoml.scratch.tensor.Reductions;
import zerotoml.scratch.tensor.Shapes;
import zerotoml.scratch.tensor.Tensor;

/**
 * The engine tests itself: ops with a deliberately planted bug on the scratch side must fail the
 * harness's checks, and the failure must shrink to the smallest case that still shows the bug.
 * The checks run through {@link Parity#outcome}, which leaves the parity report alone.
 *
 * <p>The expected shrunk cases below do not depend on the seed: the shrinker ends at the same
 * minimal case from any failing start (try {@code -Dzerotoml.seed=1}).
 */
@ExtendWith(OutsideTheRun.class)
class PlantedBugsTest {
    /** Cases per check here, whatever {@code -Dzerotoml.cases} says: a planted bug must show within them. */
    static final int CASES = 100;

    // ------------------------------------------------------------------ (a) a sign flip in one backward

    /** out = a * b, correct forward; the planted bug: ∂b = -g * a instead of g * a. */
    static Tensor mulWithFlippedGradientForB(Tensor a, Tensor b) {
        Tensor out = Arithmetic.mul(a.detach(), b.detach());
        return Tensor.record("mul", out.shape(), out.dtype(), out.toArray(),
                g -> new Tensor[] {Arithmetic.mul(g, b), Arithmetic.neg(Arithmetic.mul(g, a))}, a, b);
    }

    /** Two inputs of the same shape (rank 0..4). */
    static Gen<Case> sameShapePair() {
        return s -> {
            int[] shape = Gens.shape(0, Cases.MAX_RANK, Cases.MAX_DIM).draw(s);
            return new Case(List.of(Cases.arr(s, shape, Domain.standard()), Cases.arr(s, shape, Domain.standard())), Cases.cotangentSeed(s));
        };
    }

    static OpSpec flippedMul() {
        return OpSpec.op("mul with a flipped gradient (planted)").cases(sameShapePair())
                .scratch((c, x) -> mulWithFlippedGradientForB(x.get(0), x.get(1)))
                .reference((c, x) -> x.get(0).mul(x.get(1)));
    }

    @Test
    void aSignFlipInOneBackwardIsCaughtByTheGradientCheckAndShrinksToScalars() {
        OpSpec spec = flippedMul();
        assertTrue(Parity.outcome(spec, Precision.F64, Check.FORWARD, CASES).failure().isEmpty(), "the forward is right");
        for (Precision p : Precision.values()) {
            Property.Failure<Case> f = Parity.outcome(spec, p, Check.GRADIENT, CASES).failure().orElseThrow(
                    () -> new AssertionError("the " + p.label() + " gradient check missed the flipped sign"));
            assertShrunkToScalarsWithANonZeroA(f);
            assertTrue(f.error().getMessage().startsWith("gradient of input 1 differs"), f.error().getMessage());
        }
    }

    @Test
    void aSignFlipInOneBackwardIsCaughtByFiniteDifferences() {
        Property.Failure<Case> f = Parity.outcome(flippedMul(), Precision.F64, Check.FINITE_DIFFERENCES, CASES).failure()
                .orElseThrow(() -> new AssertionError("finite differences missed the flipped sign"));
        assertShrunkToScalarsWithANonZeroA(f);
        assertTrue(f.error().getMessage().startsWith("gradient of input 1 (finite differences) differs"), f.error().getMessage());
    }

    /** ∂b = g * a shows the flip only where a ≠ 0; b itself does not matter, so it shrinks to 0. */
    static void assertShrunkToScalarsWithANonZeroA(Property.Failure<Case> f) {
        Case c = f.shrunk();
        assertArrayEquals(new int[0], c.input(0).shape(), c.toString());
        assertArrayEquals(new int[0], c.input(1).shape(), c.toString());
        double a = c.input(0).data()[0];
        assertTrue(a != 0 && a == Math.rint(a), "a is a small whole number: " + c);
        assertEquals(0.0, c.input(1).data()[0], c.toString());
    }

    // ------------------------------------------------------------------ (b) a wrong reduction axis

    /** One input of rank 1..4, one axis to sum over, keepDims. */
    static Gen<Case> oneAxis() {
        return s -> {
            int[] shape = Gens.shape(1, Cases.MAX_RANK, Cases.MAX_DIM).draw(s);
            int axis = s.intBetween(0, shape.length - 1);
            boolean keep = s.bool();
            return new Case(List.of(Cases.arr(s, shape, Domain.standard())), Cases.cotangentSeed(s)).with(AXIS, axis).with(KEEP_DIMS, keep);
        };
    }

    static OpSpec sumOverAxisZero() {
        return OpSpec.op("sum over the wrong axis (planted)").cases(oneAxis())
                .scratch((c, x) -> Reductions.sum(x.get(0), new int[] {0}, c.get(KEEP_DIMS)))
                .reference((c, x) -> x.get(0).sum(new int[] {c.get(AXIS)}, c.get(KEEP_DIMS)));
    }

    @Test
    void aWrongReductionAxisShrinksToTheSmallestMatrixThatShowsIt() {
        Property.Failure<Case> f = Parity.outcome(sumOverAxisZero(), Precision.F64, Check.FORWARD, CASES).failure()
                .orElseThrow(() -> new AssertionError("summing over axis 0 went unnoticed"));
        Case c = f.shrunk();
        // rank 1 cannot show it (axis 0 is the only axis); [1, 1] cannot (both sums are the element);
        // [1, 2] summed over axis 1 is [1] but over axis 0 is [2].
        assertArrayEquals(new int[] {1, 2}, c.input(0).shape(), c + " steps " + f.shrinkSteps() + " from " + f.original());
        assertEquals(1, c.get(AXIS));
        assertEquals(false, c.get(KEEP_DIMS));
        assertArrayEquals(new double[] {0, 0}, c.input(0).data(), "values play no part, so they shrink to 0");
        assertTrue(f.error().getMessage().contains("shape differs: scratch [2], PyTorch [1]"), f.error().getMessage());
    }

    @Test
    void theFailureMessageEndsWithAReplayLineThatReproducesTheSameShrunkCase() {
        OpSpec spec = sumOverAxisZero();
        Property.Outcome<Case> first = Parity.outcome(spec, Precision.F64, Check.FORWARD, CASES);
        Property.Failure<Case> f = first.failure().orElseThrow();
        String report = first.report();
        String replayArg = "-Dzerotoml.replay='" + Parity.propertyName(spec, Precision.F64, Check.FORWARD) + ":" + f.seed() + "'";
        assertTrue(report.endsWith("\nReplay: " + f.replay()), report);
        assertTrue(f.replay().startsWith("mvn -B test -Dtest='PlantedBugsTest'"), f.replay());
        assertTrue(f.replay().endsWith(replayArg), f.replay());

        System.setProperty("zerotoml.replay", Parity.propertyName(spec, Precision.F64, Check.FORWARD) + ":" + f.seed());
        Property.Outcome<Case> again = Parity.outcome(spec, Precision.F64, Check.FORWARD, CASES);
        assertEquals(1, again.casesRun(), "a replay runs only the named case");
        Property.Failure<Case> g = again.failure().orElseThrow();
        assertEquals(f.seed(), g.seed());
        assertSameCase(f.original(), g.original());
        assertSameCase(f.shrunk(), g.shrunk());
        assertEquals(report, again.report().replace("after 1 case(s) (0 passed)", "after " + first.casesRun() + " case(s) (" + first.casesPassed() + " passed)"));
        assertTrue(Parity.outcome(flippedMul(), Precision.F64, Check.GRADIENT, CASES).skipped(), "other properties skip during a replay");
    }

    static void assertSameCase(Case a, Case b) {
        assertEquals(a.inputs().size(), b.inputs().size());
        for (int i = 0; i < a.inputs().size(); i++) {
            assertArrayEquals(a.input(i).shape(), b.input(i).shape());
            assertArrayEquals(a.input(i).data(), b.input(i).data());
        }
        assertEquals(a.toString(), b.toString());
    }

    // ------------------------------------------------------------------ (c) a transposed matmul

    /** A [m, k] times B [k, n], every dimension in 1..5. */
    static Gen<Case> matrices() {
        return s -> {
            int m = s.intBetween(1, Cases.MAX_DIM), k = s.intBetween(1, Cases.MAX_DIM), n = s.intBetween(1, Cases.MAX_DIM);
            return new Case(List.of(Cases.arr(s, new int[] {m, k}, Domain.standard()), Cases.arr(s, new int[] {k, n}, Domain.standard())), Cases.cotangentSeed(s));
        };
    }

    /** The planted bug: B's row-major storage read as if it were column-major, i.e. A · reshape(B, [n, k])ᵀ. */
    static Tensor matmulReadingBColumnMajor(Tensor a, Tensor b) {
        int k = b.shape().dim(0), n = b.shape().dim(1);
        return LinearAlgebra.matmul(a, Shapes.transpose(Shapes.reshape(b, n, k), 0, 1));
    }

    @Test
    void aTransposedMatmulShrinksToTheSmallestNonSymmetricSquareCase() {
        OpSpec spec = OpSpec.op("matmul reading B column-major (planted)").cases(matrices())
                .scratch((c, x) -> matmulReadingBColumnMajor(x.get(0), x.get(1)))
                .reference((c, x) -> x.get(0).matMul(x.get(1)));
        Property.Failure<Case> f = Parity.outcome(spec, Precision.F64, Check.FORWARD, CASES).failure()
                .orElseThrow(() -> new AssertionError("the transposed B went unnoticed"));
        Case c = f.shrunk();
        // With k = 1 or n = 1 the misread B is B itself; the smallest case that differs is a row
        // vector times a 2x2 matrix that is not symmetric.
        assertArrayEquals(new int[] {1, 2}, c.input(0).shape(), c + " steps " + f.shrinkSteps() + " from " + f.original());
        assertArrayEquals(new int[] {2, 2}, c.input(1).shape(), c.toString());
        double[] b = c.input(1).data();
        assertNotEquals(b[1], b[2], "B is not symmetric: " + c);
        long nonZero = Arrays.stream(c.input(0).data()).filter(v -> v != 0).count() + Arrays.stream(b).filter(v -> v != 0).count();
        assertEquals(2, nonZero, "one entry of A and one off-diagonal entry of B are all it takes: " + c);
        // the gradient check catches it as well
        assertTrue(Parity.outcome(spec, Precision.F32, Check.GRADIENT, CASES).failure().isPresent());
    }

    @Test
    void aResultComputedInTheWrongPrecisionIsCaught() {
        OpSpec spec = OpSpec.unary("exp in float64 whatever the input (planted)", Domain.standard(),
                x -> Arithmetic.exp(x.to(DType.F64)), x -> x.exp());
        assertTrue(Parity.outcome(spec, Precision.F64, Check.FORWARD, CASES).failure().isEmpty(), "right in float64");
        Property.Failure<Case> f = Parity.outcome(spec, Precision.F32, Check.FORWARD, CASES).failure()
                .orElseThrow(() -> new AssertionError("a float64 result from float32 inputs went unnoticed"));
        assertTrue(f.error().getMessage().startsWith("output dtype differs: scratch F64 from f32 inputs"), f.error().getMessage());
    }

    // ------------------------------------------------------------------ (d) a bug that needs a dimension above 3

    /**
     * out = 2x, with a planted bug in a "fast path" taken when some dimension exceeds 3: it
     * forgets to double the last element. ∂x = 2g (correct).
     */
    static Tensor twiceWithAWideShapeBug(Tensor x) {
        double[] in = x.rawData();
        double[] out = new double[in.length];
        for (int i = 0; i < in.length; i++) out[i] = 2 * in[i];
        boolean wide = Arrays.stream(x.shape().dims()).anyMatch(d -> d > 3);
        if (wide) out[in.length - 1] = in[in.length - 1];
        return Tensor.record("twice", x.shape(), x.dtype(), out, g -> new Tensor[] {Arithmetic.mul(g, 2)}, x);
    }

    @Test
    void aBugThatNeedsADimensionAboveThreeShrinksToExactlyFour() {
        OpSpec spec = OpSpec.unary("twice with a wide-shape bug (planted)", Domain.standard(),
                PlantedBugsTest::twiceWithAWideShapeBug, x -> x.add(x));
        for (Precision p : Precision.values()) {
            Property.Failure<Case> f = Parity.outcome(spec, p, Check.FORWARD, CASES).failure()
                    .orElseThrow(() -> new AssertionError("the wide-shape bug went unnoticed in " + p.label()));
            Case c = f.shrunk();
            assertArrayEquals(new int[] {4}, c.input(0).shape(), "fewest dims, and exactly 4: " + c);
            double[] v = c.input(0).data();
            assertArrayEquals(new double[] {0, 0, 0}, Arrays.copyOf(v, 3), c.toString());
            assertEquals(1.0, Math.abs(v[3]), "the last element is the simplest value that shows it: " + c + " steps " + f.shrinkSteps() + " from " + f.original());
        }
    }

    @Test
    void aBugInTheLastAxisOfAMatrixShrinksToOneByFour() {
        Gen<Case> matricesOrMore = s -> {
            int[] shape = Gens.shape(2, Cases.MAX_RANK, Cases.MAX_DIM).draw(s);
            return new Case(List.of(Cases.arr(s, shape, Domain.standard())), Cases.cotangentSeed(s));
        };
        OpSpec spec = OpSpec.op("twice with a long-row bug (planted)").cases(matricesOrMore)
                .scratch((c, x) -> x.get(0).shape().dim(-1) > 3 ? twiceWithAWideShapeBug(x.get(0)) : Arithmetic.mul(x.get(0), 2))
                .reference((c, x) -> x.get(0).add(x.get(0)));
        Case c = Parity.outcome(spec, Precision.F64, Check.FORWARD, CASES).failure().orElseThrow().shrunk();
        assertArrayEquals(new int[] {1, 4}, c.input(0).shape(), c.toString());
    }
}
