package zerotoml.examples.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Fréchet distance against closed forms, and the eigen-decomposition under it. */
class FrechetTest {
    static double[] randomSymmetric(SplittableRandom r, int n) {
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double v = r.nextDouble(-1, 1);
                a[i * n + j] = v;
                a[j * n + i] = v;
            }
        }
        return a;
    }

    /** A random orthogonal n x n matrix: Gram-Schmidt on the rows of a Gaussian one. */
    static double[] orthogonal(SplittableRandom r, int n) {
        double[] u = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) u[i * n + j] = r.nextGaussian();
            for (int k = 0; k < i; k++) {
                double dot = 0;
                for (int j = 0; j < n; j++) dot += u[i * n + j] * u[k * n + j];
                for (int j = 0; j < n; j++) u[i * n + j] -= dot * u[k * n + j];
            }
            double norm = 0;
            for (int j = 0; j < n; j++) norm += u[i * n + j] * u[i * n + j];
            for (int j = 0; j < n; j++) u[i * n + j] /= Math.sqrt(norm);
        }
        return u;
    }

    /** Uᵀ diag(l) U (rows of U are the eigenvectors). */
    static double[] withEigen(double[] u, double[] l) {
        int n = l.length;
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) for (int k = 0; k < n; k++) a[i * n + j] += u[k * n + i] * l[k] * u[k * n + j];
        return a;
    }

    @Test
    void theEigenDecompositionReconstructsARandomSymmetricMatrixWithOrthonormalVectors() {
        SplittableRandom r = new SplittableRandom(1);
        for (int n : new int[] {1, 2, 3, 7, 40}) {
            double[] a = randomSymmetric(r, n);
            Frechet.Eigen e = Frechet.eigen(a, true);
            double[] v = e.vectors();
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double rec = 0, dot = 0;
                    for (int k = 0; k < n; k++) {
                        rec += v[k * n + i] * e.values()[k] * v[k * n + j];
                        dot += v[i * n + k] * v[j * n + k];
                    }
                    assertEquals(a[i * n + j], rec, 1e-12, "A[" + i + "," + j + "] for n = " + n);
                    assertEquals(i == j ? 1 : 0, dot, 1e-12, "vᵢ·vⱼ for n = " + n);
                }
            }
            for (int k = 1; k < n; k++) assertTrue(e.values()[k - 1] <= e.values()[k], "ascending");
        }
    }

    @Test
    void eigenvaluesOfAMatrixBuiltFromKnownOnesComeBackIncludingRepeatedAndZeroOnes() {
        SplittableRandom r = new SplittableRandom(2);
        double[] l = {-3, 0, 0, 0.5, 2, 2, 2, 7.25, 1e-9, 100};
        double[] a = withEigen(orthogonal(r, l.length), l);
        double[] want = l.clone();
        java.util.Arrays.sort(want);
        double[] got = Frechet.eigen(a, false).values();
        for (int i = 0; i < l.length; i++) assertEquals(want[i], got[i], 1e-12, "λ" + i);
        // a diagonal and an already tridiagonal matrix need no Householder step
        assertEquals(-1, Frechet.eigen(new double[] {4, 0, 0, -1}, false).values()[0], 0);
        double[] tri = Frechet.eigen(new double[] {2, 1, 0, 1, 2, 1, 0, 1, 2}, false).values();
        assertEquals(2 - Math.sqrt(2), tri[0], 1e-14);
        assertEquals(2, tri[1], 1e-14);
        assertEquals(2 + Math.sqrt(2), tri[2], 1e-14);
    }

    @Test
    void twoGaussiansInTwoDimensionsMatchTheClosedForm() {
        // for 2 x 2 positive definite M: tr √M = √(tr M + 2√det M), with M = Σ₁Σ₂
        double[] s1 = {2, 0.5, 0.5, 1}, s2 = {0.3, -0.2, -0.2, 1.7};
        double[] m = {s1[0] * s2[0] + s1[1] * s2[2], 0, 0, s1[2] * s2[1] + s1[3] * s2[3]};
        double det1 = s1[0] * s1[3] - s1[1] * s1[2], det2 = s2[0] * s2[3] - s2[1] * s2[2];
        double trSqrt = Math.sqrt(m[0] + m[3] + 2 * Math.sqrt(det1 * det2));
        double[] mu1 = {1, -2}, mu2 = {0.5, 3};
        double want = 0.25 + 25 + (s1[0] + s1[3]) + (s2[0] + s2[3]) - 2 * trSqrt;
        assertEquals(want, Frechet.distance(mu1, s1, mu2, s2), 1e-12);
        assertEquals(want, Frechet.distance(mu2, s2, mu1, s1), 1e-12, "symmetric in its two Gaussians");
    }

    /**
     * Where a covariance is singular, the square root meets eigenvalues that are 0 in exact
     * arithmetic and ±1e-15·‖Σ‖ after rounding; √ turns that into about 3e-8 each (√ is not
     * Lipschitz at 0). So these cases hold to 1e-6 absolute, the full-rank 2 x 2 case to 1e-12.
     */
    static final double SINGULAR = 1e-6;

    @Test
    void commutingCovariancesGiveTheSumOfSquaredDifferencesOfRootEigenvalues() {
        // Σ₁ = Uᵀ diag(a) U, Σ₂ = Uᵀ diag(b) U: d² = ‖μ₁ − μ₂‖² + Σ (√aᵢ − √bᵢ)²
        SplittableRandom r = new SplittableRandom(3);
        int d = 30;
        double[] u = orthogonal(r, d), a = new double[d], b = new double[d], mu1 = new double[d], mu2 = new double[d];
        double want = 0;
        for (int i = 0; i < d; i++) {
            a[i] = r.nextDouble(0, 4);
            b[i] = i % 5 == 0 ? 0 : r.nextDouble(0, 4);
            mu1[i] = r.nextGaussian();
            mu2[i] = r.nextGaussian();
            want += Math.pow(Math.sqrt(a[i]) - Math.sqrt(b[i]), 2) + Math.pow(mu1[i] - mu2[i], 2);
        }
        // every fifth bᵢ is 0: Σ₂ is singular
        assertEquals(want, Frechet.distance(mu1, withEigen(u, a), mu2, withEigen(u, b)), SINGULAR);
        assertEquals(0, Frechet.distance(mu1, withEigen(u, a), mu1, withEigen(u, a)), 1e-9, "a Gaussian is at distance 0 from itself");
    }

    @Test
    void fromFeaturesEitherRouteEqualsTheDistanceOfTheFittedGaussians() {
        SplittableRandom r = new SplittableRandom(4);
        int d = 12, n2 = 60;
        double[] b = new double[n2 * d];
        for (int i = 0; i < b.length; i++) b[i] = r.nextGaussian() * (1 + i % 3);
        // n1 = 8 <= d: the low-rank factor route; n1 = 50 > d: the d x d route
        for (int n1 : new int[] {8, 50}) {
            double[] a = new double[n1 * d];
            for (int i = 0; i < a.length; i++) a[i] = 0.5 + r.nextGaussian();
            double[] mu1 = Frechet.mean(a, n1, d), mu2 = Frechet.mean(b, n2, d);
            double want = Frechet.distance(mu1, Frechet.covariance(Frechet.centred(a, n1, d, mu1), n1, d), mu2,
                    Frechet.covariance(Frechet.centred(b, n2, d, mu2), n2, d));
            // with n1 = 8 < d the fitted Σ₁ has rank 7: singular
            assertEquals(want, Frechet.ofFeatures(a, n1, b, n2, d), n1 <= d ? SINGULAR : 1e-10 * want, "n1 = " + n1);
        }
    }

    @Test
    void theCovarianceIsNumpysUnbiasedOne() {
        // rows (1, 2), (3, 6), (5, 4): means (3, 4); Σ = [[4, 2], [2, 4]]
        double[] x = {1, 2, 3, 6, 5, 4};
        double[] mu = Frechet.mean(x, 3, 2);
        double[] c = Frechet.covariance(Frechet.centred(x, 3, 2, mu), 3, 2);
        assertEquals(3, mu[0], 0);
        assertEquals(4, mu[1], 0);
        assertEquals(4, c[0], 1e-15);
        assertEquals(2, c[1], 1e-15);
        assertEquals(4, c[3], 1e-15);
    }

    @Test
    void badShapesAreRejectedWithTheSizes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Frechet.distance(new double[2], new double[4], new double[3], new double[9]));
        assertTrue(e.getMessage().contains("Frechet.distance") && e.getMessage().contains("2 and 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Frechet.ofFeatures(new double[6], 1, new double[6], 2, 3));
        assertTrue(e.getMessage().contains("n1 = 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Frechet.eigen(new double[5], false));
        assertTrue(e.getMessage().contains("5 entries"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Frechet.eigen(new double[] {1, Double.NaN, Double.NaN, 1}, false));
        assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
    }
}
