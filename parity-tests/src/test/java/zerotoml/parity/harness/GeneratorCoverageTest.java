package zerotoml.parity.harness;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static zerotoml.parity.harness.Cases.AXES;
import static zerotoml.parity.harness.Cases.KEEP_DIMS;

import java.util.Arrays;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Source;

/**
 * The generators draw the cases they claim to, often enough that the default 100 cases per
 * property meet each: rank 0, size-1 axes broadcast against larger ones, operands of different
 * rank, negative axes, keepDims both ways, and ties in the integer domains. A generator that
 * silently stopped drawing one of these would leave its rule untested while every check passed.
 */
class GeneratorCoverageTest {
    static final int DRAWS = 1000;

    /** The share of DRAWS cases for which {@code p} holds must be at least {@code atLeast}. */
    static void often(String what, Gen<Case> gen, Predicate<Case> p, double atLeast) {
        int hits = 0;
        for (int i = 0; i < DRAWS; i++) if (p.test(gen.draw(Source.random(1000L + i)))) hits++;
        assertTrue(hits >= atLeast * DRAWS, what + ": " + hits + " of " + DRAWS + " cases, expected at least " + (int) (atLeast * DRAWS));
    }

    static boolean broadcastsAOne(int[] a, int[] b) {
        for (int i = 1; i <= Math.min(a.length, b.length); i++) {
            int x = a[a.length - i], y = b[b.length - i];
            if ((x == 1) != (y == 1)) return true;
        }
        return false;
    }

    static boolean hasTie(double[] v) {
        for (int i = 0; i < v.length; i++) for (int j = i + 1; j < v.length; j++) if (v[i] == v[j]) return true;
        return false;
    }

    @Test
    void binaryCasesBroadcastRank0SizeOneAndDifferentRanks() {
        Gen<Case> g = Cases.binary(Domain.standard(), Domain.standard());
        often("an operand of rank 0", g, c -> c.input(0).shape().length == 0 || c.input(1).shape().length == 0, 0.05);
        often("operands of different rank", g, c -> c.input(0).shape().length != c.input(1).shape().length, 0.3);
        often("a size-1 axis against a larger one", g, c -> broadcastsAOne(c.input(0).shape(), c.input(1).shape()), 0.25);
        often("equal shapes", g, c -> Arrays.equals(c.input(0).shape(), c.input(1).shape()), 0.05);
    }

    @Test
    void unaryCasesIncludeRank0AndSizeOneAxes() {
        Gen<Case> g = Cases.unary(Domain.standard());
        often("rank 0", g, c -> c.input(0).shape().length == 0, 0.1);
        often("a size-1 axis", g, c -> Arrays.stream(c.input(0).shape()).anyMatch(d -> d == 1), 0.3);
        often("rank 4", g, c -> c.input(0).shape().length == 4, 0.1);
    }

    @Test
    void reductionCasesUseNegativeAxesAndBothKeepDims() {
        Gen<Case> g = Cases.reduction(Domain.standard());
        often("a negative axis", g, c -> Arrays.stream(c.get(AXES)).anyMatch(a -> a < 0), 0.3);
        often("keepDims", g, c -> c.get(KEEP_DIMS), 0.3);
        often("not keepDims", g, c -> !c.get(KEEP_DIMS), 0.3);
        often("several axes", g, c -> c.get(AXES).length > 1, 0.2);
    }

    @Test
    void integerDomainsMakeTiesInMostCases() {
        Gen<Case> g = Cases.binary(Domain.integers(-2, 2), Domain.integers(-2, 2));
        often("a tie between the operands somewhere", g, c -> {
            double[] a = c.input(0).data(), b = c.input(1).data();
            for (double x : a) for (double y : b) if (x == y) return true;
            return false;
        }, 0.3);
        often("tied elements within one tensor", Cases.unary(Domain.integers(-1, 1)), c -> hasTie(c.input(0).data()), 0.5);
    }
}
