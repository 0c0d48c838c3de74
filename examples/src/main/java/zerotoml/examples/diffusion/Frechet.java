package zerotoml.examples.diffusion;

import zerotoml.scratch.kernels.Matmul;

/**
 * "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium", Heusel,
 * Ramsauer, Unterthiner, Nessler and Hochreiter, arXiv 1706.08500: the Fréchet distance between
 * Gaussians fitted to the features of two sets of images (their FID uses Inception features; the
 * diffusion-mnist command uses the penultimate features of the project's own Fashion-MNIST
 * classifier). For N(μ₁, Σ₁) and N(μ₂, Σ₂) (Dowson and Landau, 1982):
 *
 * <pre>
 *   d² = ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁^½ Σ₂ Σ₁^½)^½
 * </pre>
 *
 * The square root is done honestly, in double, by eigen-decomposition: Σ₁^½ = V diag(√λ) Vᵀ
 * (Householder tridiagonalisation, then implicit QL with Wilkinson shifts), and the trace of the
 * square root of the symmetric positive semi-definite Σ₁^½ Σ₂ Σ₁^½ is Σ √λᵢ over its eigenvalues.
 * For any factor Σ₁ = F Fᵀ, Fᵀ Σ₂ F has the same non-zero eigenvalues, so with fewer samples n₁
 * than features d the centred samples (scaled by 1/√(n₁−1)) serve as F and only an n₁ × n₁ matrix
 * is decomposed. Eigenvalues below zero are rounding (the matrices are positive semi-definite) and
 * count as 0.
 */
public final class Frechet {
    private Frechet() {}

    /** Eigenvalues (ascending) and, if asked for, the unit eigenvectors as the rows of {@code vectors} [n, n]. */
    public record Eigen(double[] values, double[] vectors) {}

    /** d² between N(mu1, cov1) and N(mu2, cov2); the covariances are d × d, row-major, symmetric positive semi-definite. */
    public static double distance(double[] mu1, double[] cov1, double[] mu2, double[] cov2) {
        int d = mu1.length;
        if (d == 0 || mu2.length != d || cov1.length != d * d || cov2.length != d * d) {
            throw new IllegalArgumentException("Frechet.distance: need means of one length d >= 1 and d x d covariances, got means of " + mu1.length + " and "
                    + mu2.length + ", covariances of " + cov1.length + " and " + cov2.length + " entries");
        }
        // tr (Σ₁^½ Σ₂ Σ₁^½)^½ with Σ₁^½ = V diag(√λ) Vᵀ
        double[] s = sqrtPsd(cov1, d);
        return squaredDistance(mu1, mu2) + trace(cov1, d) + trace(cov2, d) - 2 * traceSqrt(sandwich(s, d, cov2, d, false));
    }

    /**
     * d² between Gaussians fitted (mean, unbiased covariance) to the rows of {@code a} [n1, d] and
     * of {@code b} [n2, d], both row-major: the FID formula on any features.
     */
    public static double ofFeatures(double[] a, int n1, double[] b, int n2, int d) {
        if (d < 1 || n1 < 2 || n2 < 2 || a.length != (long) n1 * d || b.length != (long) n2 * d) {
            throw new IllegalArgumentException("Frechet.ofFeatures: need a [n1, d] and b [n2, d] with n1, n2 >= 2 and d >= 1, got " + a.length + " and "
                    + b.length + " values for n1 = " + n1 + ", n2 = " + n2 + ", d = " + d);
        }
        double[] mu1 = mean(a, n1, d), mu2 = mean(b, n2, d);
        double[] ac = centred(a, n1, d, mu1), bc = centred(b, n2, d, mu2);
        double[] cov2 = covariance(bc, n2, d);
        double tr1 = 0;
        for (double v : ac) tr1 += v * v;
        tr1 /= n1 - 1;
        double trSqrt;
        if (n1 <= d) {
            // Σ₁ = F Fᵀ with F = A_cᵀ/√(n₁−1): tr (Σ₁^½ Σ₂ Σ₁^½)^½ = Σ √λ(Fᵀ Σ₂ F)
            double[] f = ac.clone();
            double scale = 1 / Math.sqrt(n1 - 1);
            for (int i = 0; i < f.length; i++) f[i] *= scale;
            trSqrt = traceSqrt(sandwich(f, n1, cov2, d, true));
        } else {
            trSqrt = traceSqrt(sandwich(sqrtPsd(covariance(ac, n1, d), d), d, cov2, d, false));
        }
        return squaredDistance(mu1, mu2) + tr1 + trace(cov2, d) - 2 * trSqrt;
    }

    /** Σ √max(λ, 0) over the eigenvalues of the symmetric m x m matrix. */
    static double traceSqrt(double[] m) {
        double sum = 0;
        for (double l : eigen(m, false).values()) sum += Math.sqrt(Math.max(l, 0));
        return sum;
    }

    /**
     * F Σ F (F [d, d] symmetric, {@code rows} false) or F Σ Fᵀ (F [rows, d], {@code rows} true): a
     * symmetric matrix, made exactly symmetric by averaging with its transpose.
     */
    static double[] sandwich(double[] f, int r, double[] sigma, int d, boolean rows) {
        double[] p = new double[r * d], out = new double[r * r];
        // P = F Σ;  M = P Fᵀ (F symmetric in the first case, so Fᵀ = F)
        Matmul.fast(f, 0, false, sigma, 0, false, p, 0, r, d, d);
        Matmul.fast(p, 0, false, f, 0, true, out, 0, r, d, r);
        for (int i = 0; i < r; i++) {
            for (int j = i + 1; j < r; j++) {
                double v = (out[i * r + j] + out[j * r + i]) / 2;
                out[i * r + j] = v;
                out[j * r + i] = v;
            }
        }
        return out;
    }

    /** A^½ = V diag(√max(λ, 0)) Vᵀ of a symmetric positive semi-definite n x n matrix. */
    static double[] sqrtPsd(double[] a, int n) {
        Eigen e = eigen(a, true);
        // U = diag(λ^¼) Vᵀ (rows of V are eigenvectors);  A^½ = Uᵀ U
        double[] u = e.vectors().clone();
        for (int j = 0; j < n; j++) {
            double q = Math.sqrt(Math.sqrt(Math.max(e.values()[j], 0)));
            for (int i = 0; i < n; i++) u[j * n + i] *= q;
        }
        double[] s = new double[n * n];
        Matmul.fast(u, 0, true, u, 0, false, s, 0, n, n, n);
        return s;
    }

    /**
     * The eigen-decomposition of a symmetric n x n matrix (row-major; only its lower triangle is
     * read): Householder reduction to tridiagonal T = Qᵀ A Q, then implicit QL sweeps with
     * Wilkinson shifts on T, the Givens rotations accumulated into Q when vectors are wanted.
     */
    public static Eigen eigen(double[] matrix, boolean vectors) {
        int n = (int) Math.round(Math.sqrt(matrix.length));
        if (n < 1 || n * n != matrix.length) throw new IllegalArgumentException("Frechet.eigen: need a square n x n matrix, got " + matrix.length + " entries");
        for (double v : matrix) {
            if (!Double.isFinite(v)) throw new IllegalArgumentException("Frechet.eigen: the " + n + " x " + n + " matrix has a non-finite entry " + v);
        }
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                a[i * n + j] = matrix[i * n + j];
                a[j * n + i] = matrix[i * n + j];
            }
        }
        // q holds Qᵀ: row i is column i of Q
        double[] q = vectors ? identity(n) : null;
        double[] v = new double[n], w = new double[n];
        for (int k = 0; k + 2 < n; k++) {
            // Householder H = I − 2vvᵀ maps A[k+1.., k] onto α·e₁, α = −sign(x₀)‖x‖
            double norm = 0;
            for (int i = k + 1; i < n; i++) norm += a[i * n + k] * a[i * n + k];
            norm = Math.sqrt(norm);
            if (norm == 0) continue;
            double x0 = a[(k + 1) * n + k], alpha = x0 >= 0 ? -norm : norm;
            double vn = 0;
            for (int i = k + 1; i < n; i++) {
                v[i] = a[i * n + k] - (i == k + 1 ? alpha : 0);
                vn += v[i] * v[i];
            }
            vn = Math.sqrt(vn);
            for (int i = k + 1; i < n; i++) v[i] /= vn;
            // p = A v, K = vᵀp, w = p − K v;  A ← HAH = A − 2(v wᵀ + w vᵀ) on the trailing block
            double kk = 0;
            for (int i = k + 1; i < n; i++) {
                double p = 0;
                for (int j = k + 1; j < n; j++) p += a[i * n + j] * v[j];
                w[i] = p;
                kk += v[i] * p;
            }
            for (int i = k + 1; i < n; i++) w[i] -= kk * v[i];
            for (int i = k + 1; i < n; i++) {
                double vi = v[i], wi = w[i];
                for (int j = k + 1; j < n; j++) a[i * n + j] -= 2 * (vi * w[j] + wi * v[j]);
            }
            a[(k + 1) * n + k] = alpha;
            a[k * n + k + 1] = alpha;
            for (int i = k + 2; i < n; i++) {
                a[i * n + k] = 0;
                a[k * n + i] = 0;
            }
            if (q != null) {
                // Q ← Q H, i.e. Qᵀ ← H Qᵀ: rows k+1.. of Qᵀ minus 2 v (vᵀ Qᵀ)
                for (int c = 0; c < n; c++) {
                    double s = 0;
                    for (int i = k + 1; i < n; i++) s += v[i] * q[i * n + c];
                    for (int i = k + 1; i < n; i++) q[i * n + c] -= 2 * s * v[i];
                }
            }
        }
        double[] d = new double[n], e = new double[Math.max(n - 1, 0)];
        for (int i = 0; i < n; i++) d[i] = a[i * n + i];
        for (int i = 0; i + 1 < n; i++) e[i] = a[(i + 1) * n + i];
        tridiagonalQl(d, e, q, n);
        return sorted(d, q, n);
    }

    /** Implicit QL/QR sweeps with Wilkinson shifts on the symmetric tridiagonal (d, e), rotating the rows of qt along. */
    static void tridiagonalQl(double[] d, double[] e, double[] qt, int n) {
        double eps = Math.ulp(1.0);
        int hi = n - 1, sweeps = 0;
        while (hi > 0) {
            if (Math.abs(e[hi - 1]) <= eps * (Math.abs(d[hi - 1]) + Math.abs(d[hi]))) {
                e[hi - 1] = 0;
                hi--;
                continue;
            }
            if (++sweeps > 60 * n) throw new IllegalStateException("Frechet.eigen: no convergence after " + (60 * n) + " sweeps for n = " + n);
            int lo = hi - 1;
            while (lo > 0 && Math.abs(e[lo - 1]) > eps * (Math.abs(d[lo - 1]) + Math.abs(d[lo]))) lo--;
            // μ = the eigenvalue of the trailing 2 x 2 block nearer to d[hi] (Wilkinson)
            double dd = (d[hi - 1] - d[hi]) / 2, b = e[hi - 1];
            double mu = d[hi] - b * b / (dd + (dd >= 0 ? 1 : -1) * Math.hypot(dd, b));
            double x = d[lo] - mu, z = e[lo];
            for (int k = lo; k < hi; k++) {
                // a Givens rotation J on (k, k+1) with J·(x, z) = (r, 0); T ← J T Jᵀ
                double r = Math.hypot(x, z), c = r == 0 ? 1 : x / r, s = r == 0 ? 0 : z / r;
                if (k > lo) e[k - 1] = r;
                double dk = d[k], dk1 = d[k + 1], ek = e[k];
                d[k] = c * c * dk + 2 * c * s * ek + s * s * dk1;
                d[k + 1] = s * s * dk - 2 * c * s * ek + c * c * dk1;
                e[k] = c * s * (dk1 - dk) + (c * c - s * s) * ek;
                if (k + 1 < hi) {
                    // the bulge at (k, k+2), chased down by the next rotation
                    x = e[k];
                    z = s * e[k + 1];
                    e[k + 1] = c * e[k + 1];
                }
                if (qt != null) {
                    for (int i = 0; i < n; i++) {
                        double u = qt[k * n + i], t = qt[(k + 1) * n + i];
                        qt[k * n + i] = c * u + s * t;
                        qt[(k + 1) * n + i] = -s * u + c * t;
                    }
                }
            }
        }
    }

    static Eigen sorted(double[] d, double[] qt, int n) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (i, j) -> Double.compare(d[i], d[j]));
        double[] values = new double[n], vecs = qt == null ? null : new double[n * n];
        for (int r = 0; r < n; r++) {
            values[r] = d[order[r]];
            if (vecs != null) System.arraycopy(qt, order[r] * n, vecs, r * n, n);
        }
        return new Eigen(values, vecs);
    }

    static double[] identity(int n) {
        double[] m = new double[n * n];
        for (int i = 0; i < n; i++) m[i * n + i] = 1;
        return m;
    }

    static double[] mean(double[] x, int n, int d) {
        double[] m = new double[d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) m[j] += x[i * d + j];
        for (int j = 0; j < d; j++) m[j] /= n;
        return m;
    }

    static double[] centred(double[] x, int n, int d, double[] mu) {
        double[] c = new double[x.length];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) c[i * d + j] = x[i * d + j] - mu[j];
        return c;
    }

    /** Σ = X_cᵀ X_c / (n − 1) (numpy.cov of the rows, as the FID code computes it). */
    static double[] covariance(double[] xc, int n, int d) {
        double[] c = new double[d * d];
        Matmul.fast(xc, 0, true, xc, 0, false, c, 0, d, n, d);
        for (int i = 0; i < c.length; i++) c[i] /= n - 1;
        return c;
    }

    static double trace(double[] m, int d) {
        double t = 0;
        for (int i = 0; i < d; i++) t += m[i * d + i];
        return t;
    }

    static double squaredDistance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return s;
    }
}
