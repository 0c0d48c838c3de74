package zerotoml.scratch.tensor;

import zerotoml.scratch.kernels.Matmul;

/**
 * Matrix products with {@code torch.matmul} semantics. When every operand is F32 the product runs
 * in the float kernel on the tensors' own {@code float[]} (float fma chains, as PyTorch's float32
 * GEMM accumulates in float); otherwise in the double kernel, rounded once to the result's dtype.
 */
public final class LinearAlgebra {
    private LinearAlgebra() {}

    /**
     * torch.matmul: 1-D·1-D is a dot product; a 1-D left operand is a row vector and a 1-D right
     * operand a column vector (the added axis is removed afterwards); otherwise the last two axes
     * multiply as matrices and all leading axes broadcast as batch dimensions.
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        Args.nonNull("matmul", "a", a);
        Args.nonNull("matmul", "b", b);
        if (a.rank() == 0 || b.rank() == 0) {
            throw new IllegalArgumentException("matmul: both arguments need at least 1 dimension, got shapes " + a.shape() + " and " + b.shape());
        }
        Tensor a2 = a.rank() == 1 ? Shapes.reshape(a, 1, a.shape().dim(0)) : a;
        Tensor b2 = b.rank() == 1 ? Shapes.reshape(b, b.shape().dim(0), 1) : b;
        Tensor c = batched(a2, b2, a.shape(), b.shape());
        if (a.rank() == 1 && b.rank() == 1) return Shapes.reshape(c);
        if (a.rank() == 1) return squeeze(c, c.rank() - 2);
        if (b.rank() == 1) return squeeze(c, c.rank() - 1);
        return c;
    }

    private static Tensor squeeze(Tensor c, int axis) {
        int[] d = c.shape().dims();
        int[] out = new int[d.length - 1];
        for (int i = 0, k = 0; i < d.length; i++) if (i != axis) out[k++] = d[i];
        return Shapes.reshape(c, out);
    }

    /**
     * torch.nn.functional.linear without bias: y[..., o] = Σ_i x[..., i] w[o, i], that is x·wᵀ with
     * w stored [out, in] as layers store it. The kernel reads w transposed in place, and the
     * leading axes of x are rows of one product, so neither operand is copied.
     */
    public static Tensor linear(Tensor x, Tensor w) {
        Args.nonNull("linear", "x", x);
        Args.nonNull("linear", "w", w);
        if (x.rank() == 0 || w.rank() != 2 || x.shape().dim(-1) != w.shape().dim(1)) {
            throw new IllegalArgumentException("linear: x's last axis must match weight [out, in] (x " + x.shape() + ", weight " + w.shape() + ")");
        }
        int k = w.shape().dim(1), n = w.shape().dim(0), m = Shape.of(java.util.Arrays.copyOf(x.shape().dims(), x.rank() - 1)).size();
        int[] outDims = x.shape().dims();
        outDims[outDims.length - 1] = n;
        int rows = m;
        // y = x wᵀ;  ∂x = G w, ∂w = Gᵀ x (G as [rows, out], x as [rows, in])
        return Tensor.record("linear", Shape.of(outDims), product(x, false, w, true, m, k, n), g -> new Tensor[] {
            new Tensor(x.shape(), product(g, false, w, false, rows, n, k)),
            new Tensor(w.shape(), product(g, true, x, false, n, rows, k))
        }, x, w);
    }

    // C[..., m, n] = Σ_k A[..., m, k] B[..., k, n];  ∂A = G Bᵀ, ∂B = Aᵀ G (each summed over broadcast batch axes)
    private static Tensor batched(Tensor a, Tensor b, Shape origA, Shape origB) {
        int m = a.shape().dim(-2), k = a.shape().dim(-1), k2 = b.shape().dim(-2), n = b.shape().dim(-1);
        if (k != k2) {
            throw new IllegalArgumentException("matmul: inner dimensions differ (" + k + " vs " + k2 + ") for shapes " + origA + " and " + origB);
        }
        Shape batchA = Shape.of(java.util.Arrays.copyOf(a.shape().dims(), a.rank() - 2));
        Shape batchB = Shape.of(java.util.Arrays.copyOf(b.shape().dims(), b.rank() - 2));
        Shape batch = Shape.broadcast("matmul (batch dimensions of " + origA + " and " + origB + ")", batchA, batchB);
        int[] bd = batch.dims();
        int[] outDims = java.util.Arrays.copyOf(bd, bd.length + 2);
        outDims[bd.length] = m;
        outDims[bd.length + 1] = n;
        int nb = batch.size();
        if (batchA.equals(batch) && (batchB.equals(batch) || b.rank() == 2)) {
            // no operand is broadcast (or B is one matrix for every batch): read both in place, no copies
            if (b.rank() == 2) {
                // B is one matrix for every batch: one product over all rows. ∂A = G Bᵀ; ∂B = Aᵀ G summed over every row of every batch
                return Tensor.record("matmul", Shape.of(outDims), product(a, false, b, false, nb * m, k, n), g -> new Tensor[] {
                    new Tensor(a.shape(), product(g, false, b, true, nb * m, n, k)),
                    new Tensor(b.shape(), product(a, true, g, false, k, nb * m, n))
                }, a, b);
            }
            return Tensor.record("matmul", Shape.of(outDims), batchedProduct(a, false, b, false, nb, m, k, n), g -> new Tensor[] {
                new Tensor(a.shape(), batchedProduct(g, false, b, true, nb, m, n, k)),
                new Tensor(b.shape(), batchedProduct(a, true, g, false, nb, k, m, n))
            }, a, b);
        }
        int[] fullA = java.util.Arrays.copyOf(bd, bd.length + 2);
        fullA[bd.length] = m;
        fullA[bd.length + 1] = k;
        int[] fullB = java.util.Arrays.copyOf(bd, bd.length + 2);
        fullB[bd.length] = k;
        fullB[bd.length + 1] = n;
        // materialise the broadcast batches, then the same product as above
        Tensor x = Shapes.broadcastTo(a.detach(), fullA), y = Shapes.broadcastTo(b.detach(), fullB);
        return Tensor.record("matmul", Shape.of(outDims), batchedProduct(x, false, y, false, nb, m, k, n), g -> new Tensor[] {
            Elementwise.sumTo(batched(g, Shapes.transpose(b, -1, -2), g.shape(), b.shape()), a.shape()),
            Elementwise.sumTo(batched(Shapes.transpose(a, -1, -2), g, a.shape(), g.shape()), b.shape())
        }, a, b);
    }

    // C_i = Â_i B̂_i with Â = op(A), B̂ = op(B), op transposing when asked (A stored [count, k, m], B stored [count, n, k]);
    // ∂Â = G B̂ᵀ, ∂B̂ = Âᵀ G, each written in its operand's own layout (transposed back where it is stored transposed)
    /** The products of two 3-D operands read in their own layout, for einsum's contractions (whose sizes it has checked): neither is copied. */
    static Tensor batchedInPlace(Tensor a, boolean transA, Tensor b, boolean transB) {
        int count = a.shape().dim(0), m = a.shape().dim(transA ? 2 : 1), k = a.shape().dim(transA ? 1 : 2), n = b.shape().dim(transB ? 1 : 2);
        return Tensor.record("matmul", Shape.of(count, m, n), batchedProduct(a, transA, b, transB, count, m, k, n), g -> new Tensor[] {
            // A = G B̂ᵀ, or stored transposed, Aᵀ-layout = B̂ Gᵀ
            new Tensor(a.shape(), transA ? batchedProduct(b, transB, g, true, count, k, n, m) : batchedProduct(g, false, b, !transB, count, m, n, k)),
            // B = Âᵀ G, or stored transposed, Gᵀ Â
            new Tensor(b.shape(), transB ? batchedProduct(g, true, a, transA, count, n, m, k) : batchedProduct(a, !transA, g, false, count, k, m, n))
        }, a, b);
    }

    // C = op(A) op(B), op transposing when asked (A stored [k, m], B stored [n, k])
    /** One product in the promoted dtype: the float kernel when both are F32, else the double kernel, rounded once. */
    private static Storage product(Tensor a, boolean transA, Tensor b, boolean transB, int m, int k, int n) {
        if (a.dtype() == DType.F32 && b.dtype() == DType.F32) {
            float[] c = new float[m * n];
            Matmul.fast(a.floats(), 0, transA, b.floats(), 0, transB, c, 0, m, k, n);
            return new Storage.Floats(c);
        }
        double[] c = new double[m * n];
        Matmul.fast(a.doubles(), 0, transA, b.doubles(), 0, transB, c, 0, m, k, n);
        return Storage.of(DType.promote(a.dtype(), b.dtype()), c);
    }

    // C_i = op(A_i) op(B_i) for count products stored one after another
    /** {@code count} products ({@link Matmul#batched}) in the promoted dtype, as {@link #product}. */
    private static Storage batchedProduct(Tensor a, boolean transA, Tensor b, boolean transB, int count, int m, int k, int n) {
        if (a.dtype() == DType.F32 && b.dtype() == DType.F32) {
            float[] c = new float[count * m * n];
            Matmul.batched(a.floats(), transA, b.floats(), transB, c, count, m, k, n);
            return new Storage.Floats(c);
        }
        double[] c = new double[count * m * n];
        Matmul.batched(a.doubles(), transA, b.doubles(), transB, c, count, m, k, n);
        return Storage.of(DType.promote(a.dtype(), b.dtype()), c);
    }
}
