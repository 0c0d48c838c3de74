package zerotoml.parity.tensor;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Gens;
import zerotoml.fixtures.Source;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Case.Arg;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.tensor.Einsum;
import zerotoml.scratch.tensor.Tensor;

/**
 * einsum against PyTorch: random valid formulas (1 to 3 operands, repeated letters, letters summed
 * out, "..." with broadcasting batch axes, implicit output), the classic formulas one by one, and
 * malformed formulas.
 */
class EinsumParityTest {
    static final Arg<Integer> AXIS1 = Arg.integer("axis1");
    static final Arg<Integer> AXIS2 = Arg.integer("axis2");
    static final Arg<String> FORMULA = Arg.text("formula");

    /** Values in [-1, 1]: einsum is linear in each operand, so the range only scales the result. */
    static final Domain VALUES = Domain.range(-1, 1);

    /** The letters a formula draws from; shrinking prefers the first ones. */
    static final String LETTERS = "ijkabcdxyz";

    /**
     * A random valid formula with matching shapes. Letters get sizes 1 to 4; an operand may repeat
     * a letter (a diagonal), give a letter size 1 where it is larger elsewhere (torch broadcasts
     * that), and carry "..." over a thinned copy of one batch shape (so batch axes broadcast).
     */
    static Gen<Case> randomFormulas() {
        return s -> {
            int operands = s.intBetween(1, 3);
            int letters = s.intBetween(1, 5);
            int[] size = new int[letters];
            for (int l = 0; l < letters; l++) size[l] = s.intBetween(1, 4);
            int[] batch = s.bool() ? Gens.shape(1, 3, 3).draw(s) : null;
            List<String> terms = new ArrayList<>();
            List<Arr> inputs = new ArrayList<>();
            StringBuilder used = new StringBuilder();
            boolean anyDots = false;
            for (int n = 0; n < operands; n++) {
                int rank = s.intBetween(0, 3);
                int[] label = new int[rank];
                for (int i = 0; i < rank; i++) label[i] = s.intBetween(0, letters - 1);
                boolean[] one = new boolean[letters];
                for (int l = 0; l < letters; l++) one[l] = s.intBetween(0, 7) == 0;
                boolean dots = batch != null && s.intBetween(0, 3) > 0;
                int dotsAt = dots ? s.intBetween(0, rank) : -1;
                int[] own = dots ? thin(s, batch) : new int[0];
                StringBuilder term = new StringBuilder();
                List<Integer> shape = new ArrayList<>();
                for (int i = 0; i <= rank; i++) {
                    if (i == dotsAt) {
                        term.append("...");
                        for (int d : own) shape.add(d);
                    }
                    if (i == rank) break;
                    char c = LETTERS.charAt(label[i]);
                    term.append(c);
                    if (used.indexOf(String.valueOf(c)) < 0) used.append(c);
                    shape.add(one[label[i]] ? 1 : size[label[i]]);
                }
                anyDots |= dots;
                terms.add(term.toString());
                int[] sh = shape.stream().mapToInt(Integer::intValue).toArray();
                inputs.add(Cases.arr(s, sh, VALUES));
            }
            String formula = String.join(",", terms);
            if (s.intBetween(0, 4) > 0) formula += "->" + output(s, used.toString(), anyDots);
            return new Case(inputs, Cases.cotangentSeed(s)).with(FORMULA, formula);
        };
    }

    /**
     * A batch shape that broadcasts to {@code full}: some leading axes dropped (so "..." covers
     * different ranks in different operands) and about one axis in four set to 1.
     */
    static int[] thin(Source s, int[] full) {
        int drop = s.intBetween(0, full.length);
        int[] d = new int[full.length - drop];
        for (int i = 0; i < d.length; i++) d[i] = s.intBetween(0, 3) == 0 ? 1 : full[drop + i];
        return d;
    }

    /** An explicit output: some of the letters used, in a random order, and usually "..." when any input has it. */
    static String output(Source s, String used, boolean anyDots) {
        List<String> pool = new ArrayList<>();
        for (char c : used.toCharArray()) if (s.bool()) pool.add(String.valueOf(c));
        if (anyDots && s.intBetween(0, 4) > 0) pool.add("...");
        StringBuilder out = new StringBuilder();
        while (!pool.isEmpty()) out.append(pool.remove(s.intBetween(0, pool.size() - 1)));
        return out.toString();
    }

    /** A fixed formula with random sizes (1 to 5) per letter and, for "...", a broadcastable batch shape per operand. */
    static Gen<Case> fixed(String formula) {
        return s -> {
            Map<Character, Integer> size = new LinkedHashMap<>();
            for (char c : formula.toCharArray()) if (Character.isLetter(c) && !size.containsKey(c)) size.put(c, s.intBetween(1, 5));
            int[] batch = formula.contains("...") ? Gens.shape(0, 3, 3).draw(s) : new int[0];
            List<Arr> inputs = new ArrayList<>();
            for (String term : formula.split("->")[0].split(",", -1)) {
                List<Integer> shape = new ArrayList<>();
                String rest = term;
                if (term.contains("...")) {
                    for (char c : term.substring(0, term.indexOf("...")).toCharArray()) shape.add(size.get(c));
                    for (int d : Gens.thin(s, batch)) shape.add(d);
                    rest = term.substring(term.indexOf("...") + 3);
                } else {
                    rest = term;
                }
                for (char c : rest.toCharArray()) shape.add(size.get(c));
                inputs.add(Cases.arr(s, shape.stream().mapToInt(Integer::intValue).toArray(), VALUES));
            }
            return new Case(inputs, Cases.cotangentSeed(s)).with(FORMULA, formula);
        };
    }

    /**
     * diagonal(x, axis1, axis2) on its own: einsum reaches it only with axis1 &lt; axis2 (the first
     * of two repeated letters), so a bug in the other order would pass every einsum case. Rank 2
     * to 4, the two axes in either order, each negative half the time, and of equal size.
     */
    static Gen<Case> diagonalCases() {
        return s -> {
            int[] shape = Gens.shape(2, 4, 4).draw(s);
            int rank = shape.length;
            int a1 = s.intBetween(0, rank - 1), a2 = s.intBetween(0, rank - 2);
            if (a2 >= a1) a2++;
            shape[a2] = shape[a1];
            int axis1 = s.bool() ? a1 - rank : a1, axis2 = s.bool() ? a2 - rank : a2;
            return new Case(List.of(Cases.arr(s, shape, VALUES)), Cases.cotangentSeed(s)).with(AXIS1, axis1).with(AXIS2, axis2);
        };
    }

    static Case badDiagonal(int[] shape, int axis1, int axis2) {
        return new Case(List.of(new Arr(shape, new double[Gens.size(shape)])), 0).with(AXIS1, axis1).with(AXIS2, axis2);
    }

    @TestFactory
    Stream<DynamicTest> diagonal() {
        return Parity.tests(OpSpec.op("diagonal").cases(diagonalCases())
                .scratch((c, x) -> Einsum.diagonal(x.get(0), c.get(AXIS1), c.get(AXIS2)))
                .reference((c, x) -> Ref.diagonal(x.get(0), c.get(AXIS1), c.get(AXIS2)))
                .rejects("the same axis twice", badDiagonal(new int[] {3, 3}, 1, -1), "diagonal", "axes 1 and -1", "[3, 3]")
                .rejects("an axis out of range", badDiagonal(new int[] {3, 3}, 0, 2), "diagonal", "2")
                .rejectsWhereTorchAccepts("axes of different sizes (torch reads the shorter diagonal of the rectangle)",
                        badDiagonal(new int[] {2, 3}, 0, 1), "diagonal", "equal size", "[2, 3]"));
    }

    static OpSpec spec(String name, Gen<Case> cases) {
        return OpSpec.op(name).cases(cases)
                .scratch((c, x) -> Einsum.einsum(c.get(FORMULA), x.toArray(new Tensor[0])))
                .reference((c, x) -> Ref.einsum(c.get(FORMULA), x.toArray(new NDArray[0])));
    }

    static OpSpec classic(String what, String formula) {
        return spec("einsum " + what + " \"" + formula + "\"", fixed(formula));
    }

    /** A malformed call: the formula and the operand shapes (values do not matter). */
    static Case bad(String formula, int[]... shapes) {
        List<Arr> in = new ArrayList<>();
        for (int[] sh : shapes) in.add(new Arr(sh, new double[Gens.size(sh)]));
        return new Case(in, 0).with(FORMULA, formula);
    }

    @TestFactory
    Stream<DynamicTest> einsum() {
        int[] m23 = {2, 3}, m345 = {3, 4, 5}, m44 = {4, 4}, m34 = {3, 4};
        OpSpec random = spec("einsum", randomFormulas())
                .rejects("an operand with more axes than its subscripts", bad("ij,jk->ik", m23, m345), "operand 1 has 3 dimensions", "\"jk\" name 2", "[2, 3], [3, 4, 5]")
                .rejects("an output letter no input has", bad("ij->ik", m23), "index 'k' in the output does not appear in any input", "\n         ^")
                .rejects("a letter repeated in the output", bad("ij->ii", m23), "'i' appears twice in the output", "\n         ^")
                .rejects("fewer tensors than terms", bad("ij,jk->ik", m23), "names 2 operands but 1 tensor was given")
                .rejects("more tensors than terms", bad("ij->ij", m23, m34), "names 1 operand but 2 tensors were given")
                .rejects("a digit among the subscripts", bad("i3->i", m23), "invalid character '3'", "\n     ^")
                .rejects("one letter with two sizes", bad("ij,jk->ik", m23, m44), "index 'j' has size 3 in operand 0 (dimension 1) but size 4 in operand 1 (dimension 0)")
                .rejects("a diagonal of a non-square pair of axes", bad("ii->i", m23), "repeated in operand 0", "size 2", "size 3")
                .rejects("two \"...\" in one operand", bad("...i...->i", m23), "operand 0 has more than one \"...\"")
                .rejects("\"->\" twice", bad("ij->i->j", m23), "\"->\" appears twice")
                .rejects("a lone '.'", bad("i..j->ij", m23), "'.' must come as \"...\"")
                .rejects("\"...\" only in the output", bad("ij->...ij", m23), "\"...\" in the output but in no input")
                .rejects("batch axes that do not broadcast", bad("...ij,...jk->...ik", new int[] {2, 2, 3}, new int[] {3, 3, 4}), "index \"...\"", "size 2", "size 3");
        return Parity.tests(
                random,
                classic("matmul", "ij,jk->ik"),
                classic("batched matmul", "bij,bjk->bik"),
                classic("attention scores", "bhqd,bhkd->bhqk"),
                classic("transpose", "ij->ji"),
                classic("outer product", "i,j->ij"),
                classic("sum over one index", "ijk->j"),
                classic("sum over all", "ij->"),
                classic("trace", "ii->"),
                classic("diagonal", "ii->i"),
                classic("batched diagonal", "iij->ij"),
                classic("ellipsis batched matmul", "...ij,...jk->...ik"),
                classic("bilinear form", "i,ij,j->"),
                classic("implicit matmul", "ij,jk"),
                classic("implicit output sorted, upper case first", "bA,cb"));
    }
}
