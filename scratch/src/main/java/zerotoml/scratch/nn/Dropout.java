package zerotoml.scratch.nn;

import zerotoml.scratch.random.Rng;
import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.Tensor;

/**
 * Dropout ("Dropout: A Simple Way to Prevent Neural Networks from Overfitting", Srivastava et al.,
 * JMLR 2014) with an explicit seed: each element is kept with probability 1 − p and the kept ones
 * are scaled by 1/(1 − p), as {@code nn.Dropout} does in training mode.
 *
 * <p>Site s of a forward pass (a model numbers its dropout sites) draws its keep-mask from the
 * {@link Rng} key {@code seed ⊕ φ·(s + 1)}, φ the 64-bit golden ratio: element i is kept when
 * draw i, as a uniform on [0, 1), is ≥ p. Those are exactly the numbers
 * {@code new SplittableRandom(seed ^ φ·(s + 1)).nextDouble()} gives, so masks made before this
 * class existed are reproduced bit for bit. {@link #OFF} (p = 0) is the identity.
 */
public record Dropout(double p, long seed) {
    /** No dropout. */
    public static final Dropout OFF = new Dropout(0, 0);

    public Dropout {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p);
    }

    /** The keep-mask (1 = keep) for one site, shaped like x. */
    public Tensor mask(Tensor x, int site) {
        Rng rng = Rng.seed(seed ^ (0x9E3779B97F4A7C15L * (site + 1)));
        double[] m = new double[x.size()];
        for (int i = 0; i < m.length; i++) m[i] = rng.uniform01(i) >= p ? 1 : 0;
        return Tensor.of(x.dtype(), m, x.shape());
    }

    /** Dropout at one site of the forward pass; the identity when p = 0. */
    public Tensor apply(Tensor x, int site) {
        return p == 0 ? x : dropout(x, mask(x, site), p);
    }

    // Dropout(x) = x ⊙ keep / (1 − p): the mask is an argument, so both sides of a parity test can share it
    /** x ⊙ keep / (1 − p) for a given keep-mask of x's shape. */
    public static Tensor dropout(Tensor x, Tensor keep, double p) {
        if (x == null || keep == null) throw new IllegalArgumentException("dropout: x and keep are required");
        if (!x.shape().equals(keep.shape())) throw new IllegalArgumentException("dropout: keep mask " + keep.shape() + " does not match x " + x.shape());
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p + " (x " + x.shape() + ")");
        return Arithmetic.mul(Arithmetic.mul(x, keep), 1.0 / (1 - p));
    }
}
