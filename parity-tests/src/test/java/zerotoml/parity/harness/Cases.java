package zerotoml.parity.harness;

import java.util.ArrayList;
import java.util.List;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Gens;
import zerotoml.fixtures.Source;
import zerotoml.parity.harness.Case.Arg;

/** Ready-made case generators for the common op signatures. */
public final class Cases {
    private Cases() {}

    /** The arguments most ops share: one axis, a set of axes, and whether reduced axes stay as 1s. */
    public static final Arg<Integer> AXIS = Arg.integer("axis");
    public static final Arg<int[]> AXES = Arg.ints("axes");
    public static final Arg<Boolean> KEEP_DIMS = Arg.bool("keepDims");

    /**
     * The share of input values drawn from the special values ({@link zerotoml.fixtures.Domain#SPECIALS}: NaN, ±∞, ±0,
     * subnormals, huge, products that overflow) in the checks against PyTorch: one in twenty, so
     * that most cases hold one somewhere and most values stay ordinary. Finite differences draw none.
     */
    public static final double SPECIAL_SHARE = 0.05;

    /** Default bounds: rank up to 4, every dimension up to 5. */
    public static final int MAX_RANK = 4, MAX_DIM = 5;

    /** An array of the given shape with values from a domain. */
    public static Arr arr(Source s, int[] shape, Domain d) {
        return new Arr(shape, Gens.values(s, Gens.size(shape), d));
    }

    /** A case of zero-filled inputs of these shapes and cotangent seed 0: the usual bad input for {@code rejects}. */
    public static Case zeros(int[]... shapes) {
        List<Arr> in = new ArrayList<>();
        for (int[] shape : shapes) in.add(new Arr(shape, new double[Gens.size(shape)]));
        return new Case(in, 0);
    }

    /** The seed for the cotangent, drawn last so that shrinking touches it least. */
    public static long cotangentSeed(Source s) {
        return s.intBetween(0, 1 << 20);
    }

    /** One input of any shape (rank 0..4) from a domain. */
    public static Gen<Case> unary(Domain d) {
        return s -> {
            int[] shape = Gens.shape(0, MAX_RANK, MAX_DIM).draw(s);
            return new Case(List.of(arr(s, shape, d)), cotangentSeed(s));
        };
    }

    /** Two inputs whose shapes broadcast together. */
    public static Gen<Case> binary(Domain a, Domain b) {
        return s -> {
            List<int[]> shapes = Gens.broadcastPair(MAX_RANK, MAX_DIM).draw(s);
            return new Case(List.of(arr(s, shapes.get(0), a), arr(s, shapes.get(1), b)), cotangentSeed(s));
        };
    }

    /**
     * One input of rank 1..4 plus a random non-empty set of distinct axes (negative half the
     * time) and keepDims, as {@link #AXES} and {@link #KEEP_DIMS}.
     */
    public static Gen<Case> reduction(Domain d) {
        return s -> {
            int[] shape = Gens.shape(1, MAX_RANK, MAX_DIM).draw(s);
            int[] axes = axes(s, shape.length);
            boolean keep = s.bool();
            Arr x = arr(s, shape, d);
            return new Case(List.of(x), cotangentSeed(s)).with(AXES, axes).with(KEEP_DIMS, keep);
        };
    }

    /** A non-empty set of distinct axes of a rank, some written as negative numbers. */
    public static int[] axes(Source s, int rank) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
            if (s.bool() || (i == rank - 1 && out.isEmpty())) out.add(s.bool() ? i - rank : i);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
