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
        int[] fullA = java.util.Arrays.copyOf(bd, bd.length + 2);
        fullA[bd.length] = m;
        fullA[bd.length + 1] = k;
        int[] fullB = java.util.Arrays.copyOf(bd, bd.length + 2);
        fullB[bd.length] = k;
        fullB[bd.length + 1] = n;
        double[] x = Elementwise.expand(a, Shape.of(fullA));
        double[] y = Elementwise.expand(b, Shape.of(fullB));
        int nb = batch.size();
        double[] out = new double[nb * m * n];
        for (int i = 0; i < nb; i++) Matmul.fast(x, i * m * k, y, i * k * n, out, i * m * n, m, k, n);
        int[] outDims = java.util.Arrays.copyOf(bd, bd.length + 2);
        outDims[bd.length] = m;
        outDims[bd.length + 1] = n;
        DType dt = DType.promote(a.dtype(), b.dtype());
        return Tensor.record("matmul", Shape.of(outDims), dt, out, g -> new Tensor[] {
            Elementwise.sumTo(batched(g, Shapes.transpose(b, -1, -2), g.shape(), b.shape()), a.shape()),
            Elementwise.sumTo(batched(Shapes.transpose(a, -1, -2), g, a.shape(), g.shape()), b.shape())
        }, a, b);
    }
}
