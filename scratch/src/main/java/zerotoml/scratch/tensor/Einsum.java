package zerotoml.scratch.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Einstein summation: {@code einsum("bhqd,bhkd->bhqk", q, k)}. The convention of summing over a
 * repeated index is Einstein's (Die Grundlage der allgemeinen Relativitätstheorie, 1916).
 *
 * <p>A formula names every axis of every operand with a letter; the result is, for each
 * assignment of the output's letters, the sum over all the other letters of the product of the
 * operands: {@code out[o] = Σ_{letters not in o} Π_n x_n[letters of n]}. A letter repeated inside
 * one operand reads its diagonal; {@code ...} stands for the leading (batch) axes, which broadcast
 * across operands as in NumPy. Without {@code ->} the output is {@code ...} followed by the letters
 * that appear exactly once, in alphabetical order (upper case first), as in torch.einsum.
 *
 * <p>It is composed of differentiable primitives (diagonal, reshape, permute, sum, matmul), so its
 * gradient comes for free. Each pair of operands is contracted by one batched matmul
 * {@code [batch, m, k]·[batch, k, n]}; no broadcast product is ever materialised.
 * {@code notes/Einsum.md} derives it with worked examples.
 */
public final class Einsum {
    private Einsum() {}

    /** One term of a formula: its labels (letters as chars, ELLIPSIS for "...") and where each sits in the formula. */
    private record Term(int[] labels, int[] positions) {
        int ellipsis() {
            for (int i = 0; i < labels.length; i++) if (labels[i] == ELLIPSIS) return i;
            return -1;
        }

        int letters() {
            return ellipsis() >= 0 ? labels.length - 1 : labels.length;
        }

        String text() {
            StringBuilder b = new StringBuilder();
            for (int l : labels) b.append(l == ELLIPSIS ? "..." : String.valueOf((char) l));
            return b.toString();
        }
    }

    /** An operand on its way through the evaluation: a tensor and one label per axis. */
    private record Part(Tensor t, int[] labels) {}

    private static final int ELLIPSIS = -1000;

    // out[o] = Σ_{labels ∉ o} Π_n x_n[labels_n]
    /** Einstein summation over an explicit or implicit formula such as {@code "bhqd,bhkd->bhqk"}; see notes/Einsum.md. */
    public static Tensor einsum(String formula, Tensor... operands) {
        if (formula == null) throw new IllegalArgumentException("einsum: the formula is null");
        Args.tensors("einsum", "operands", operands == null ? null : java.util.Arrays.asList(operands));
        List<Term> terms = new ArrayList<>();
        Term output = parse(formula, terms);
        String context = "(\"" + formula + "\" with shapes " + shapes(operands) + ")";
        if (terms.size() != operands.length) {
            throw new IllegalArgumentException("einsum: the formula names " + terms.size() + " operand" + (terms.size() == 1 ? "" : "s")
                    + " but " + operands.length + " tensor" + (operands.length == 1 ? " was" : "s were") + " given " + context);
        }
        // Expand "..." into labels -1, -2, ... (-1 is the leftmost of the broadcast batch axes).
        int batchRank = 0;
        for (int n = 0; n < terms.size(); n++) {
            Term t = terms.get(n);
            int r = operands[n].rank();
            if (t.ellipsis() < 0 ? r != t.letters() : r < t.letters()) {
                throw new IllegalArgumentException("einsum: operand " + n + " has " + r + " dimension" + (r == 1 ? "" : "s") + " but its subscripts \""
                        + t.text() + "\" name " + (t.ellipsis() >= 0 ? "at least " : "") + t.letters() + " " + context);
            }
            if (t.ellipsis() >= 0) batchRank = Math.max(batchRank, r - t.letters());
        }
        List<Part> parts = new ArrayList<>();
        for (int n = 0; n < terms.size(); n++) parts.add(new Part(operands[n], expand(terms.get(n), operands[n].rank(), batchRank)));
        int[] sizes = sizes(parts, context);
        int[] out = outputLabels(formula, terms, output, batchRank);

        // Diagonals first (a label repeated within one operand), then drop size-1 axes that broadcast.
        for (int n = 0; n < parts.size(); n++) parts.set(n, squeezeBroadcast(diagonals(parts.get(n)), sizes));
        // Contract left to right; a label is summed out as soon as nothing later needs it.
        Part acc = parts.get(0);
        for (int n = 1; n < parts.size(); n++) {
            Set<Integer> later = labelSet(out);
            for (int m = n + 1; m < parts.size(); m++) later.addAll(labelSet(parts.get(m).labels()));
            Part b = parts.get(n);
            acc = sumOut(acc, notIn(acc.labels(), later, b.labels()));
            b = sumOut(b, notIn(b.labels(), later, acc.labels()));
            acc = contract(acc, b, later);
        }
        acc = sumOut(acc, notIn(acc.labels(), labelSet(out), new int[0]));
        // out = acc permuted to the output's order
        int[] perm = new int[out.length];
        for (int i = 0; i < out.length; i++) perm[i] = indexOf(acc.labels(), out[i]);
        boolean identity = true;
        for (int i = 0; i < perm.length; i++) identity &= perm[i] == i;
        return identity ? acc.t() : Shapes.permute(acc.t(), perm);
    }

    // ------------------------------------------------------------------ evaluation

    // x[..., i, ..., i, ...] → x[..., i, ...]: read each repeated label's diagonal
    private static Part diagonals(Part p) {
        int[] labels = p.labels();
        Tensor t = p.t();
        for (int i = 0; i < labels.length; i++) {
            for (int j = i + 1; j < labels.length; j++) {
                if (labels[j] == labels[i]) {
                    t = diagonal(t, i, j);
                    labels = remove(labels, j);
                    j--;
                }
            }
        }
        return new Part(t, labels);
    }

    // An axis of size 1 whose label has another size elsewhere (larger, or 0) broadcasts: drop it (x[.., 0, ..] is the same for every index)
    private static Part squeezeBroadcast(Part p, int[] sizes) {
        int[] dims = p.t().shape().dims();
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < dims.length; i++) if (!(dims[i] == 1 && sizes[slot(p.labels()[i])] != 1)) keep.add(i); // 1 broadcasts to 0 too
        if (keep.size() == dims.length) return p;
        int[] newDims = new int[keep.size()], newLabels = new int[keep.size()];
        for (int i = 0; i < newDims.length; i++) {
            newDims[i] = dims[keep.get(i)];
            newLabels[i] = p.labels()[keep.get(i)];
        }
        return new Part(Shapes.reshape(p.t(), newDims), newLabels);
    }

    // out = Σ_{labels in drop} x;  ∂x = g broadcast back (Reductions.sum)
    private static Part sumOut(Part p, int[] drop) {
        if (drop.length == 0) return p;
        int[] axes = new int[drop.length];
        for (int i = 0; i < drop.length; i++) axes[i] = indexOf(p.labels(), drop[i]);
        int[] kept = p.labels().clone();
        for (int d : drop) kept = remove(kept, indexOf(kept, d));
        return new Part(Reductions.sum(p.t(), axes, false), kept);
    }

    // C[b, m, n] = Σ_k A[b, m, k] B[b, k, n], with b, m, n, k each standing for a group of labels
    private static Part contract(Part a, Part b, Set<Integer> later) {
        List<Integer> batch = new ArrayList<>(), free = new ArrayList<>(), summed = new ArrayList<>(), other = new ArrayList<>();
        for (int l : a.labels()) {
            if (indexOf(b.labels(), l) < 0) free.add(l);
            else if (later.contains(l)) batch.add(l);
            else summed.add(l);
        }
        for (int l : b.labels()) if (indexOf(a.labels(), l) < 0) other.add(l);
        // C[b, m, n] = Σ_k A[b, m, k] B[b, k, n]; an operand stored with its groups as (batch, k, m) or (batch, n, k) is
        // read transposed, and arranging a tensor whose axes already come in order is a view, so neither is copied then
        boolean transA = storedAs(a, batch, summed, free), transB = storedAs(b, batch, other, summed);
        Tensor x = transA ? arrange(a, batch, summed, free) : arrange(a, batch, free, summed);
        Tensor y = transB ? arrange(b, batch, other, summed) : arrange(b, batch, summed, other);
        Tensor c = LinearAlgebra.batchedInPlace(x, transA, y, transB);
        List<Integer> labels = new ArrayList<>(batch);
        labels.addAll(free);
        labels.addAll(other);
        int[] ls = labels.stream().mapToInt(Integer::intValue).toArray();
        int[] dims = new int[ls.length];
        for (int i = 0; i < ls.length; i++) dims[i] = sizeIn(a, ls[i]) >= 0 ? sizeIn(a, ls[i]) : sizeIn(b, ls[i]); // a label in both has one size there
        return new Part(Shapes.reshape(c, dims), ls);
    }

    /**
     * Whether the tensor's axes are the label groups (g0, g1, g2) in this order while (g0, g2, g1) is not (so the product
     * reads it transposed rather than arranging a copy as (g0, g2, g1)).
     */
    private static boolean storedAs(Part p, List<Integer> g0, List<Integer> g1, List<Integer> g2) {
        return sameLabels(p.labels(), g0, g1, g2) && !sameLabels(p.labels(), g0, g2, g1);
    }

    private static boolean sameLabels(int[] labels, List<Integer> g0, List<Integer> g1, List<Integer> g2) {
        int k = 0;
        for (List<Integer> g : List.of(g0, g1, g2)) for (int l : g) if (k >= labels.length || labels[k++] != l) return false;
        return k == labels.length;
    }

    /** The tensor permuted to the label groups (g0, g1, g2) and reshaped to [|g0|, |g1|, |g2|] (a view when already in that order). */
    private static Tensor arrange(Part p, List<Integer> g0, List<Integer> g1, List<Integer> g2) {
        int[] perm = new int[p.labels().length];
        int k = 0;
        int[] flat = new int[3];
        List<List<Integer>> groups = List.of(g0, g1, g2);
        for (int g = 0; g < 3; g++) {
            flat[g] = 1;
            for (int l : groups.get(g)) {
                perm[k++] = indexOf(p.labels(), l);
                flat[g] *= sizeIn(p, l);
            }
        }
        return Shapes.reshape(Shapes.permute(p.t(), perm), flat);
    }

    /**
     * The diagonal over two axes of equal size: the result drops {@code axis2} and reads
     * {@code x[..., i, ..., i, ...]} along {@code axis1}. Differentiable.
     */
    // out[.., i, ..] = x[.., i, .., i, ..];  ∂x = g written onto the diagonal, 0 elsewhere
    public static Tensor diagonal(Tensor x, int axis1, int axis2) {
        Args.nonNull("diagonal", "x", x);
        int a1 = x.shape().axis("diagonal", axis1), a2 = x.shape().axis("diagonal", axis2);
        if (a1 == a2 || x.shape().dim(a1) != x.shape().dim(a2)) {
            throw new IllegalArgumentException("diagonal: axes " + axis1 + " and " + axis2 + " must be two different axes of equal size, shape " + x.shape());
        }
        int[] src = diagonalIndex(x.shape(), a1, a2);
        int[] outDims = remove(x.shape().dims(), a2);
        double[] out = new double[src.length];
        double[] xs = x.doubles();
        for (int i = 0; i < src.length; i++) out[i] = xs[src[i]];
        return Tensor.record("diagonal", Shape.of(outDims), x.dtype(), out, g -> new Tensor[] {embedDiagonal(g, x.shape(), src, a1, a2)}, x);
    }

    // out = zeros of shape s with g on the diagonal;  ∂g = diagonal(gOut)
    private static Tensor embedDiagonal(Tensor g, Shape s, int[] src, int a1, int a2) {
        double[] out = new double[s.size()];
        double[] gs = g.doubles();
        for (int i = 0; i < src.length; i++) out[src[i]] = gs[i];
        return Tensor.record("embedDiagonal", s, g.dtype(), out, h -> new Tensor[] {diagonal(h, a1, a2)}, g);
    }

    /** For each element of the diagonal (row-major over x's shape without axis a2), its flat index in x. */
    private static int[] diagonalIndex(Shape s, int a1, int a2) {
        int[] strides = s.strides();
        int[] dims = remove(s.dims(), a2);
        int[] step = remove(strides, a2);
        step[a1 < a2 ? a1 : a1 - 1] += strides[a2];
        return Strided.offsets(dims, step);
    }

    // ------------------------------------------------------------------ parsing and checks

    /**
     * Splits the formula into input terms (added to {@code inputs}) and returns the output term,
     * or null for the implicit form. Rejects anything malformed, pointing at it.
     */
    private static Term parse(String f, List<Term> inputs) {
        List<Integer> labels = new ArrayList<>(), positions = new ArrayList<>();
        Term output = null;
        boolean inOutput = false;
        int arrowAt = -1;
        for (int i = 0; i <= f.length(); i++) {
            char c = i < f.length() ? f.charAt(i) : '\0';
            if (i == f.length() || c == ',' || (c == '-' && i + 1 < f.length() && f.charAt(i + 1) == '>')) {
                if (inOutput && c == ',') throw pointAt(f, i, "',' after \"->\": the output is a single term");
                if (c == '-' && inOutput) throw pointAt(f, i, "\"->\" appears twice (first at position " + arrowAt + ")");
                Term t = new Term(labels.stream().mapToInt(Integer::intValue).toArray(), positions.stream().mapToInt(Integer::intValue).toArray());
                if (inOutput) output = t;
                else inputs.add(t);
                labels.clear();
                positions.clear();
                if (c == '-') {
                    inOutput = true;
                    arrowAt = i;
                    i++;
                }
            } else if (Character.isWhitespace(c)) {
                continue;
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                labels.add((int) c);
                positions.add(i);
            } else if (c == '.') {
                if (!f.startsWith("...", i)) throw pointAt(f, i, "'.' must come as \"...\"");
                if (labels.contains(ELLIPSIS)) {
                    throw pointAt(f, i, (inOutput ? "the output" : "operand " + inputs.size()) + " has more than one \"...\"");
                }
                labels.add(ELLIPSIS);
                positions.add(i);
                i += 2;
            } else if (c == '-' || c == '>') {
                throw pointAt(f, i, "'" + c + "' must be part of \"->\"");
            } else {
                throw pointAt(f, i, "invalid character '" + c + "': subscripts are letters a-z, A-Z or \"...\"");
            }
        }
        return output;
    }

    /** The labels of a term with "..." replaced by the batch labels it covers, right-aligned in batchRank. */
    private static int[] expand(Term t, int rank, int batchRank) {
        int e = t.ellipsis();
        if (e < 0) return t.labels().clone();
        int covered = rank - t.letters();
        int[] out = new int[rank];
        int k = 0;
        for (int i = 0; i < t.labels().length; i++) {
            if (i == e) {
                for (int j = 0; j < covered; j++) out[k++] = -1 - (batchRank - covered + j);
            } else {
                out[k++] = t.labels()[i];
            }
        }
        return out;
    }

    /** The size of every label, or an error naming both disagreeing dimensions. Size 1 broadcasts. */
    private static int[] sizes(List<Part> parts, String context) {
        int[] size = new int[SLOTS];
        Arrays.fill(size, -1);
        int[] whereOp = new int[SLOTS], whereDim = new int[SLOTS];
        for (int n = 0; n < parts.size(); n++) {
            int[] ls = parts.get(n).labels();
            int[] dims = parts.get(n).t().shape().dims();
            for (int i = 0; i < ls.length; i++) {
                int s = slot(ls[i]);
                int first = indexOf(ls, ls[i]);
                if (first < i && dims[first] != dims[i]) {
                    throw new IllegalArgumentException("einsum: index " + name(ls[i]) + " is repeated in operand " + n + " but dimension " + first
                            + " has size " + dims[first] + " and dimension " + i + " has size " + dims[i] + " " + context);
                }
                if (size[s] >= 0 && size[s] != 1 && dims[i] != 1 && dims[i] != size[s]) {
                    throw new IllegalArgumentException("einsum: index " + name(ls[i]) + " has size " + size[s] + " in operand " + whereOp[s]
                            + " (dimension " + whereDim[s] + ") but size " + dims[i] + " in operand " + n + " (dimension " + i + ") " + context);
                }
                if (size[s] < 0 || size[s] == 1) {
                    size[s] = dims[i];
                    whereOp[s] = n;
                    whereDim[s] = i;
                }
            }
        }
        return size;
    }

    /** The output's labels: explicit (checked), or implicit ("..." then letters used once, sorted). */
    private static int[] outputLabels(String f, List<Term> inputs, Term output, int batchRank) {
        boolean anyEllipsis = false;
        int[] count = new int[SLOTS];
        for (Term t : inputs) {
            anyEllipsis |= t.ellipsis() >= 0;
            for (int l : t.labels()) if (l != ELLIPSIS) count[slot(l)]++;
        }
        List<Integer> out = new ArrayList<>();
        if (output == null) {
            for (int j = 0; j < batchRank; j++) out.add(-1 - j);
            TreeSet<Integer> once = new TreeSet<>();
            for (Term t : inputs) for (int l : t.labels()) if (l != ELLIPSIS && count[slot(l)] == 1) once.add(l);
            out.addAll(once);
        } else {
            for (int i = 0; i < output.labels().length; i++) {
                int l = output.labels()[i], pos = output.positions()[i];
                if (l == ELLIPSIS) {
                    if (!anyEllipsis) throw pointAt(f, pos, "\"...\" in the output but in no input");
                    for (int j = 0; j < batchRank; j++) out.add(-1 - j);
                } else if (count[slot(l)] == 0) {
                    throw pointAt(f, pos, "index " + name(l) + " in the output does not appear in any input");
                } else if (out.contains(l)) {
                    throw pointAt(f, pos, "index " + name(l) + " appears twice in the output");
                } else {
                    out.add(l);
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static IllegalArgumentException pointAt(String f, int pos, String message) {
        return new IllegalArgumentException("einsum: " + message + " (\"" + f + "\")\n    " + f + "\n    " + " ".repeat(pos) + "^");
    }

    // ------------------------------------------------------------------ small helpers

    /** Letters use slots 'A'..'z'; batch labels -1, -2, ... use the slots after them. */
    private static final int SLOTS = 'z' + 1 + 64;

    private static int slot(int label) {
        return label >= 0 ? label : 'z' - label;
    }

    private static String name(int label) {
        return label >= 0 ? "'" + (char) label + "'" : "\"...\" (batch dimension " + (-1 - label) + ")";
    }

    private static int sizeIn(Part p, int label) {
        int i = indexOf(p.labels(), label);
        return i < 0 ? -1 : p.t().shape().dim(i);
    }

    /** The labels of {@code ls} that are neither in {@code keep} nor in {@code other}. */
    private static int[] notIn(int[] ls, Set<Integer> keep, int[] other) {
        return Arrays.stream(ls).filter(l -> !keep.contains(l) && indexOf(other, l) < 0).toArray();
    }

    private static Set<Integer> labelSet(int[] ls) {
        Set<Integer> s = new HashSet<>();
        for (int l : ls) s.add(l);
        return s;
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
        return -1;
    }

    private static int[] remove(int[] a, int at) {
        int[] out = new int[a.length - 1];
        for (int i = 0, k = 0; i < a.length; i++) if (i != at) out[k++] = a[i];
        return out;
    }

    private static String shapes(Tensor[] ts) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < ts.length; i++) b.append(i > 0 ? ", " : "").append(ts[i] == null ? "null" : ts[i].shape());
        return b.toString();
    }
}
