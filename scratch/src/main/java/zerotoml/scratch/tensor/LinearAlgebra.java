package zerotoml.scratch.tensor;

import zerotoml.scratch.kernels.Matmul;

/** Matrix products with {@code torch.matmul} semantics. */
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
        double[] out = new double[m * n];
        Matmul.fast(x.doubles(), 0, false, w.doubles(), 0, true, out, 0, m, k, n);
        DType dt = DType.promote(x.dtype(), w.dtype());
        int rows = m;
        // ∂x = G w, ∂w = Gᵀ x (G as [rows, out], x as [rows, in])
        return Tensor.record("linear", Shape.of(outDims), dt, out, g -> {
            double[] gx = new double[rows * k], gw = new double[n * k];
            Matmul.fast(g.doubles(), 0, false, w.doubles(), 0, false, gx, 0, rows, n, k);
            Matmul.fast(g.doubles(), 0, true, x.doubles(), 0, false, gw, 0, n, rows, k);
            return new Tensor[] {
                new Tensor(x.shape(), DType.promote(g.dtype(), w.dtype()), gx),
                new Tensor(w.shape(), DType.promote(g.dtype(), x.dtype()), gw)
            };
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
        DType dt = DType.promote(a.dtype(), b.dtype());
        int[] bd = batch.dims();
        int[] outDims = java.util.Arrays.copyOf(bd, bd.length + 2);
        outDims[bd.length] = m;
        outDims[bd.length + 1] = n;
        int nb = batch.size();
        if (batchA.equals(batch) && (batchB.equals(batch) || b.rank() == 2)) {
            // no operand is broadcast (or B is one matrix for every batch): read both in place, no copies
            boolean shared = b.rank() == 2;
            double[] out = new double[nb * m * n];
            if (shared) Matmul.fast(a.doubles(), 0, b.doubles(), 0, out, 0, nb * m, k, n);
            else Matmul.batched(a.doubles(), b.doubles(), out, nb, m, k, n);
            return Tensor.record("matmul", Shape.of(outDims), dt, out, g -> {
                double[] ga = new double[nb * m * k], gb = new double[b.size()];
                if (shared) {
                    // ∂A = G Bᵀ as one product over all rows; ∂B = Aᵀ G summed over every row of every batch
                    Matmul.fast(g.doubles(), 0, false, b.doubles(), 0, true, ga, 0, nb * m, n, k);
                    Matmul.fast(a.doubles(), 0, true, g.doubles(), 0, false, gb, 0, k, nb * m, n);
                } else {
                    Matmul.batched(g.doubles(), false, b.doubles(), true, ga, nb, m, n, k);
                    Matmul.batched(a.doubles(), true, g.doubles(), false, gb, nb, k, m, n);
                }
                return new Tensor[] {
                    new Tensor(a.shape(), DType.promote(g.dtype(), b.dtype()), ga),
                    new Tensor(b.shape(), DType.promote(a.dtype(), g.dtype()), gb)
                };
            }, a, b);
        }
        int[] fullA = java.util.Arrays.copyOf(bd, bd.length + 2);
        fullA[bd.length] = m;
        fullA[bd.length + 1] = k;
        int[] fullB = java.util.Arrays.copyOf(bd, bd.length + 2);
        fullB[bd.length] = k;
        fullB[bd.length + 1] = n;
        double[] x = Elementwise.expand(a, Shape.of(fullA));
        double[] y = Elementwise.expand(b, Shape.of(fullB));
        double[] out = new double[nb * m * n];
        Matmul.batched(x, y, out, nb, m, k, n);
        return Tensor.record("matmul", Shape.of(outDims), dt, out, g -> new Tensor[] {
            Elementwise.sumTo(batched(g, Shapes.transpose(b, -1, -2), g.shape(), b.shape()), a.shape()),
            Elementwise.sumTo(batched(Shapes.transpose(a, -1, -2), g, a.shape(), g.shape()), b.shape())
        }, a, b);
    }
}
