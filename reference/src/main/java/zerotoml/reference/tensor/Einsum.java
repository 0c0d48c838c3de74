package zerotoml.reference.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * torch.einsum semantics on DJL, which has no einsum (DJL.md §0). Built only from transpose,
 * reshape, matMul, mul and sum, so PyTorch autograd supplies every gradient.
 *
 * <p>The strategy is deliberately unlike scratch's: every operand is first laid out over ALL the
 * formula's labels in one global order, a missing label being an axis of size 1. A diagonal is read
 * by multiplying with an identity mask and summing one of the two axes. Operands are then folded
 * left to right; each step moves the labels that nothing later needs to the end, as a row vector
 * {@code [..., 1, K]} times a column vector {@code [..., K, 1]}, so that one broadcasting
 * {@code matMul} does the products of every free label (the batch broadcast of torch.matmul) and
 * the sum over the contracted ones. Finally the labels the output omits are summed and the rest
 * transposed into the output's order.
 *
 * <p>Malformed formulas are rejected here as well, since torch.einsum itself is not reachable
 * through DJL: the reference stands in for PyTorch's own argument checks.
 */
public final class Einsum {
    private Einsum() {}

    /** Stands for "..." after the first pass over a term. */
    private static final char DOTS = '*';

    /**
     * torch.diagonal(x, 0, axis1, axis2), with the diagonal axis moved from the end (where PyTorch
     * puts it) to where scratch keeps it: axis1's place among the axes left once axis2 is dropped.
     */
    public static NDArray diagonal(NDArray x, int axis1, int axis2) {
        NDArray d = x.diagonal(0, axis1, axis2);   // PyTorch rejects equal or out-of-range axes here
        int rank = x.getShape().dimension(), a1 = Math.floorMod(axis1, rank), a2 = Math.floorMod(axis2, rank);
        int at = a1 < a2 ? a1 : a1 - 1, n = d.getShape().dimension();
        int[] perm = new int[n];
        for (int i = 0, j = 0; i < n; i++) perm[i] = i == at ? n - 1 : j++;
        return d.transpose(perm);
    }

    public static NDArray einsum(String formula, NDArray... xs) {
        String f = formula.replace(" ", "");
        String[] sides = f.split("->", -1);
        if (sides.length > 2) throw bad(formula, "\"->\" may appear once");
        String[] ins = sides[0].replace("...", String.valueOf(DOTS)).split(",", -1);
        if (ins.length != xs.length) throw bad(formula, ins.length + " terms for " + xs.length + " operands");

        // Batch labels: "..." covers rank - letters axes, right-aligned among the widest batch.
        int batch = 0;
        for (int n = 0; n < ins.length; n++) {
            checkTerm(formula, ins[n]);
            int letters = ins[n].replace(String.valueOf(DOTS), "").length();
            int rank = xs[n].getShape().dimension();
            boolean dots = ins[n].indexOf(DOTS) >= 0;
            if (dots ? rank < letters : rank != letters) throw bad(formula, "operand " + n + " has rank " + rank + ", term " + ins[n]);
            if (dots) batch = Math.max(batch, rank - letters);
        }
        List<List<String>> terms = new ArrayList<>();
        for (int n = 0; n < ins.length; n++) terms.add(labelsOf(ins[n], xs[n].getShape().dimension(), batch));
        List<String> out = outputOf(formula, sides, ins, batch, terms);

        // Global order: batch labels, then letters as they first appear.
        List<String> all = new ArrayList<>();
        for (int j = 0; j < batch; j++) all.add("#" + j);
        for (List<String> t : terms) for (String l : t) if (!all.contains(l)) all.add(l);
        long[] size = new long[all.size()];
        Arrays.fill(size, 1);
        for (int n = 0; n < xs.length; n++) {
            for (int i = 0; i < terms.get(n).size(); i++) {
                int g = all.indexOf(terms.get(n).get(i));
                long d = xs[n].getShape().get(i);
                if (size[g] != 1 && d != 1 && d != size[g]) throw bad(formula, "label " + all.get(g) + " is " + size[g] + " and " + d);
                if (size[g] == 1) size[g] = d;
            }
        }

        List<NDArray> laid = new ArrayList<>();
        for (int n = 0; n < xs.length; n++) laid.add(layOut(formula, xs[n], new ArrayList<>(terms.get(n)), all));
        NDArray acc = laid.get(0);
        for (int n = 1; n < laid.size(); n++) {
            List<Integer> done = new ArrayList<>();
            for (int g = 0; g < all.size(); g++) {
                boolean needed = out.contains(all.get(g));
                for (int m = n + 1; m < terms.size(); m++) needed |= terms.get(m).contains(all.get(g));
                if (!needed) done.add(g);
            }
            acc = fold(acc, laid.get(n), done);
        }
        // out = Σ over labels missing from the output, then transposed to the output's order
        List<Integer> drop = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (int g = 0; g < all.size(); g++) {
            if (out.contains(all.get(g))) kept.add(all.get(g));
            else drop.add(g);
        }
        if (!drop.isEmpty()) acc = acc.sum(drop.stream().mapToInt(Integer::intValue).toArray());
        int[] perm = new int[out.size()];
        for (int i = 0; i < perm.length; i++) perm[i] = kept.indexOf(out.get(i));
        return perm.length > 1 ? acc.transpose(perm) : acc;
    }

    /**
     * acc ⊙ x summed over {@code done}: each label in done that only one side has is summed on that
     * side; the rest go last and are contracted by one matMul of [..., 1, K] by [..., K, 1].
     */
    private static NDArray fold(NDArray acc, NDArray x, List<Integer> done) {
        long[] a = acc.getShape().getShape(), b = x.getShape().getShape();
        List<Integer> aOnly = new ArrayList<>(), bOnly = new ArrayList<>(), both = new ArrayList<>(), rest = new ArrayList<>();
        for (int g = 0; g < a.length; g++) {
            if (!done.contains(g)) rest.add(g);
            else if (a[g] > 1 && b[g] == 1) aOnly.add(g);
            else if (b[g] > 1 && a[g] == 1) bOnly.add(g);
            else both.add(g);
        }
        if (!aOnly.isEmpty()) acc = acc.sum(aOnly.stream().mapToInt(Integer::intValue).toArray(), true);
        if (!bOnly.isEmpty()) x = x.sum(bOnly.stream().mapToInt(Integer::intValue).toArray(), true);
        int[] order = new int[a.length];
        int k = 0;
        for (int g : rest) order[k++] = g;
        for (int g : aOnly) order[k++] = g;
        for (int g : bOnly) order[k++] = g;
        for (int g : both) order[k++] = g;
        long contracted = 1;
        for (int g : both) contracted *= a[g];
        long[] rowShape = new long[rest.size() + 2], colShape = new long[rest.size() + 2];
        for (int i = 0; i < rest.size(); i++) {
            rowShape[i] = a[rest.get(i)];
            colShape[i] = b[rest.get(i)];
        }
        rowShape[rest.size()] = 1;
        rowShape[rest.size() + 1] = contracted;
        colShape[rest.size()] = contracted;
        colShape[rest.size() + 1] = 1;
        if (order.length > 1) {
            acc = acc.transpose(order);
            x = x.transpose(order);
        }
        NDArray prod = acc.reshape(new Shape(rowShape)).matMul(x.reshape(new Shape(colShape)));
        // The summed labels are size 1 now, so the global layout is a plain reshape.
        long[] back = new long[a.length];
        Arrays.fill(back, 1);
        for (int i = 0; i < rest.size(); i++) back[rest.get(i)] = Math.max(a[rest.get(i)], b[rest.get(i)]);
        return prod.reshape(new Shape(back));
    }

    /** x with its diagonals read (identity mask, then sum) and laid out over all labels. */
    private static NDArray layOut(String formula, NDArray x, List<String> labels, List<String> all) {
        for (int q = labels.size() - 1; q >= 0; q--) {
            int p = labels.indexOf(labels.get(q));
            if (p == q) continue;
            long n = x.getShape().get(q);
            if (x.getShape().get(p) != n) throw bad(formula, "repeated label " + labels.get(q) + " with sizes " + x.getShape().get(p) + " and " + n);
            long[] maskShape = new long[labels.size()];
            Arrays.fill(maskShape, 1);
            maskShape[p] = n;
            maskShape[q] = n;
            NDArray eye = x.getManager().eye((int) n, (int) n, 0, x.getDataType()).reshape(new Shape(maskShape));
            x = x.mul(eye).sum(new int[] {q});
            labels.remove(q);
        }
        int[] order = new int[labels.size()];
        int k = 0;
        for (String l : all) if (labels.contains(l)) order[k++] = labels.indexOf(l);
        if (order.length > 1) x = x.transpose(order);
        long[] shape = new long[all.size()];
        Arrays.fill(shape, 1);
        for (int i = 0; i < order.length; i++) shape[all.indexOf(labels.get(order[i]))] = x.getShape().get(i);
        return x.reshape(new Shape(shape));
    }

    private static void checkTerm(String formula, String t) {
        for (char c : t.toCharArray()) {
            if (c != DOTS && !Character.isLetter(c)) throw bad(formula, "bad character '" + c + "' in term " + t);
            if (c != DOTS && (c > 'z' || (c > 'Z' && c < 'a'))) throw bad(formula, "bad character '" + c + "' in term " + t);
        }
        if (t.indexOf(DOTS) != t.lastIndexOf(DOTS)) throw bad(formula, "two \"...\" in term " + t);
    }

    private static List<String> labelsOf(String t, int rank, int batch) {
        List<String> out = new ArrayList<>();
        int covered = rank - t.replace(String.valueOf(DOTS), "").length();
        for (char c : t.toCharArray()) {
            if (c == DOTS) for (int j = batch - covered; j < batch; j++) out.add("#" + j);
            else out.add(String.valueOf(c));
        }
        return out;
    }

    private static List<String> outputOf(String formula, String[] sides, String[] ins, int batch, List<List<String>> terms) {
        List<String> out = new ArrayList<>();
        String joined = String.join("", ins);
        if (sides.length == 1) {
            for (int j = 0; j < batch; j++) out.add("#" + j);
            joined.chars().filter(Character::isLetter).filter(c -> joined.indexOf(c) == joined.lastIndexOf(c)).sorted()
                    .forEach(c -> out.add(String.valueOf((char) c)));
            return out;
        }
        String o = sides[1].replace("...", String.valueOf(DOTS));
        if (o.contains(",")) throw bad(formula, "several output terms");
        checkTerm(formula, o);
        if (o.indexOf(DOTS) >= 0 && joined.indexOf(DOTS) < 0) throw bad(formula, "\"...\" only in the output");
        for (char c : o.toCharArray()) {
            if (c == DOTS) {
                for (int j = 0; j < batch; j++) out.add("#" + j);
                continue;
            }
            if (joined.indexOf(c) < 0) throw bad(formula, "output label " + c + " in no input");
            if (out.contains(String.valueOf(c))) throw bad(formula, "output label " + c + " twice");
            out.add(String.valueOf(c));
        }
        return out;
    }

    private static IllegalArgumentException bad(String formula, String why) {
        return new IllegalArgumentException("einsum (reference): " + why + " in \"" + formula + "\"");
    }
}
