package zerotoml.examples.diffusion;

import java.util.Arrays;
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * The 2-D data sets of the diffusion demos and how samples are judged against them: eight
 * Gaussians on a circle and two moons, the sliced-Wasserstein distance to held-out data, and mode
 * coverage (how many samples land within 3σ of each mode).
 */
public final class Toy2d {
    private Toy2d() {}

    /** A data set: a sampler and its modes (centres, with the radius that counts as "near"). */
    public enum Data {
        /** Eight N(c_k, 0.1²I) with c_k = 2·(cos kπ/4, sin kπ/4), equally weighted. */
        EIGHT_GAUSSIANS,
        /** sklearn's make_moons with noise 0.05, centred and scaled by 1.5. */
        TWO_MOONS;

        public String label() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    static final double EIGHT_STD = 0.1, MOON_NOISE = 0.05, MOON_SCALE = 1.5;

    /** n points [n, 2] from a data set (uniform and normal draws from rng's children). */
    public static Tensor sample(Data d, Rng rng, int n) {
        double[] u = rng.split("pick").uniform(DType.F64, 0, 1, n).toArray();
        double[] z = rng.split("noise").normal(DType.F64, n, 2).toArray();
        double[] v = new double[2 * n];
        for (int i = 0; i < n; i++) {
            if (d == Data.EIGHT_GAUSSIANS) {
                int k = Math.min(7, (int) (u[i] * 8));
                v[2 * i] = 2 * Math.cos(k * Math.PI / 4) + EIGHT_STD * z[2 * i];
                v[2 * i + 1] = 2 * Math.sin(k * Math.PI / 4) + EIGHT_STD * z[2 * i + 1];
            } else {
                double[] p = moon(u[i]);
                v[2 * i] = MOON_SCALE * (p[0] - 0.5) + MOON_SCALE * MOON_NOISE * z[2 * i];
                v[2 * i + 1] = MOON_SCALE * (p[1] - 0.25) + MOON_SCALE * MOON_NOISE * z[2 * i + 1];
            }
        }
        return Tensor.of(DType.F64, v, n, 2);
    }

    /** A point on the two moons for u in [0, 1): the first half of u walks the upper arc, the second the lower. */
    static double[] moon(double u) {
        if (u < 0.5) {
            double a = Math.PI * u * 2;
            return new double[] {Math.cos(a), Math.sin(a)};
        }
        double a = Math.PI * (u - 0.5) * 2;
        return new double[] {1 - Math.cos(a), 0.5 - Math.sin(a)};
    }

    /** The modes: 8 centres, or 2 moons (each a dense polyline of 200 points). */
    static double[][][] modes(Data d) {
        if (d == Data.EIGHT_GAUSSIANS) {
            double[][][] m = new double[8][1][];
            for (int k = 0; k < 8; k++) m[k][0] = new double[] {2 * Math.cos(k * Math.PI / 4), 2 * Math.sin(k * Math.PI / 4)};
            return m;
        }
        double[][][] m = new double[2][200][];
        for (int j = 0; j < 200; j++) {
            double[] a = moon(j / 400.0), b = moon(0.5 + j / 400.0);
            m[0][j] = new double[] {MOON_SCALE * (a[0] - 0.5), MOON_SCALE * (a[1] - 0.25)};
            m[1][j] = new double[] {MOON_SCALE * (b[0] - 0.5), MOON_SCALE * (b[1] - 0.25)};
        }
        return m;
    }

    /** "Near a mode": within 3σ of a Gaussian's centre, or 3·noise of a moon's arc (plus the polyline's spacing). */
    static double radius(Data d) {
        return d == Data.EIGHT_GAUSSIANS ? 3 * EIGHT_STD : 3 * MOON_SCALE * MOON_NOISE + 0.02;
    }

    /** Per mode, how many samples are near it, and (last entry) how many are near none. */
    public static int[] coverage(Data d, Tensor samples) {
        double[][][] modes = modes(d);
        double r = radius(d);
        int[] count = new int[modes.length + 1];
        double[] v = samples.toArray();
        for (int i = 0; i < v.length / 2; i++) {
            int best = -1;
            double bestDist = Double.POSITIVE_INFINITY;
            for (int k = 0; k < modes.length; k++) {
                for (double[] p : modes[k]) {
                    double dist = Math.hypot(v[2 * i] - p[0], v[2 * i + 1] - p[1]);
                    if (dist < bestDist) {
                        bestDist = dist;
                        best = k;
                    }
                }
            }
            count[bestDist <= r ? best : modes.length]++;
        }
        return count;
    }

    /**
     * The sliced 2-Wasserstein distance √(mean over directions θ of W₂²(θ·a, θ·b)) between two
     * point sets of the same size, over {@code projections} random unit directions; each 1-D W₂² is
     * the mean squared difference of the sorted projections.
     */
    public static double slicedWasserstein(Tensor a, Tensor b, int projections, Rng rng) {
        if (a.shape().dim(0) != b.shape().dim(0) || a.shape().dim(1) != 2 || b.shape().dim(1) != 2) {
            throw new IllegalArgumentException("slicedWasserstein: need two [n, 2] sets of one size, got " + a.shape() + " and " + b.shape());
        }
        int n = a.shape().dim(0);
        double[] x = a.toArray(), y = b.toArray();
        double[] angles = rng.uniform(DType.F64, 0, Math.PI, projections).toArray();
        double total = 0;
        double[] pa = new double[n], pb = new double[n];
        for (double th : angles) {
            double c = Math.cos(th), s = Math.sin(th);
            for (int i = 0; i < n; i++) {
                pa[i] = c * x[2 * i] + s * x[2 * i + 1];
                pb[i] = c * y[2 * i] + s * y[2 * i + 1];
            }
            Arrays.sort(pa);
            Arrays.sort(pb);
            double w = 0;
            for (int i = 0; i < n; i++) w += (pa[i] - pb[i]) * (pa[i] - pb[i]);
            total += w / n;
        }
        return Math.sqrt(total / projections);
    }
}
