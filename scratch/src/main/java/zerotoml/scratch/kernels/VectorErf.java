package zerotoml.scratch.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Erf}'s kernel with the incubating Vector API: the elements sorted by branch (NaN and
 * |x| &gt; 6 at once, the continued fraction, the series by the binary exponent of |x|), then the
 * oracle's loops on as many elements as a vector holds doubles, then the oracle's last line per
 * element. Loaded only when {@link Backend#VECTOR} is true.
 */
final class VectorErf {
    private VectorErf() {}

    private static final VectorSpecies<Double> D = VectorMatmul.D;
    private static final int L = D.length();
    /** Group 0 is the continued fraction (2 ≤ |x| ≤ 6); groups 1..12 the series, by −exponent of |x| (0 … ≥ 11). */
    private static final int GROUPS = 13;
    /** Marks an element computed at once (NaN, |x| &gt; 6). */
    private static final byte DIRECT = -1;

    /** out[i] = Erf.naive(x[i]) for i in [lo, hi); x and out may be the same array (x is read before any write). */
    static void erf(double[] x, double[] out, int lo, int hi) {
        int n = hi - lo;
        if (n <= 0) return;
        byte[] group = new byte[n];
        int[] start = new int[GROUPS + 1];
        for (int i = 0; i < n; i++) {
            byte g = group(x[lo + i]);
            group[i] = g;
            if (g != DIRECT) start[g + 1]++;
        }
        for (int g = 0; g < GROUPS; g++) start[g + 1] += start[g];
        int sorted = start[GROUPS];
        int[] at = new int[sorted], next = java.util.Arrays.copyOf(start, GROUPS);
        // two vectors of padding (|x| = 0) after the last group: every load and store below is a whole vector
        double[] xs = new double[sorted], as = new double[sorted + 2 * L], res = new double[sorted + 2 * L];
        for (int i = 0; i < n; i++) {
            double v = x[lo + i];
            if (group[i] == DIRECT) {
                out[lo + i] = Erf.naive(v);
                continue;
            }
            int p = next[group[i]]++;
            at[p] = lo + i;
            xs[p] = v;
            as[p] = Math.abs(v);
        }
        // K of the continued fraction for group 0, Σ of the series for the others, the groups in order: a vector that runs past
        // its group's end computes on the next group's first elements (or the padding), whose results that group then overwrites
        fraction(as, res, start[0], start[1]);
        for (int g = 1; g < GROUPS; g++) series(as, res, start[g], start[g + 1]);
        for (int p = 0; p < start[1]; p++) out[at[p]] = Erf.fromFraction(xs[p], as[p], res[p]);
        for (int p = start[1]; p < sorted; p++) out[at[p]] = Erf.fromSeries(xs[p], as[p], res[p]);
    }

    /** The element's group: DIRECT, 0 (continued fraction) or 1 + min(−exponent of |x|, 11) (series). */
    private static byte group(double v) {
        double a = Math.abs(v);
        if (!(a <= 6)) return DIRECT;
        if (a >= 2) return 0;
        return (byte) (1 + Math.min(-Math.getExponent(a), 11));
    }

    // K = a + (1/2)/(a + (2/2)/(a + …)) over [s, e), two vectors at a time (each step waits on a division)
    private static void fraction(double[] as, double[] res, int s, int e) {
        for (int j = s; j < e; j += 2 * L) {
            DoubleVector a0 = DoubleVector.fromArray(D, as, j), a1 = DoubleVector.fromArray(D, as, j + L);
            DoubleVector f0 = a0, f1 = a1;
            for (int k = Erf.FRACTION_STEPS; k >= 1; k--) {
                // f ← a + (n/2) / f
                double h = 0.5 * k;
                f0 = a0.add(DoubleVector.broadcast(D, h).div(f0));
                f1 = a1.add(DoubleVector.broadcast(D, h).div(f1));
            }
            f0.intoArray(res, j);
            f1.intoArray(res, j + L);
        }
    }

    // Σ over [s, e): the oracle's compensated series, a lane frozen (blend) from the first step its term is ≤ Σ·10⁻¹⁷, two vectors at a time
    private static void series(double[] as, double[] res, int s, int e) {
        for (int j = s; j < e; j += 2 * L) {
            // (a masked load or store at a group's tail takes the Vector API's slow path; the arrays are padded instead)
            DoubleVector a0 = DoubleVector.fromArray(D, as, j), a1 = DoubleVector.fromArray(D, as, j + L);
            // 2t = 2a², as the oracle's 2 * t
            DoubleVector u0 = a0.mul(a0).mul(2.0), u1 = a1.mul(a1).mul(2.0);
            DoubleVector term0 = a0, sum0 = a0, c0 = DoubleVector.zero(D);
            DoubleVector term1 = a1, sum1 = a1, c1 = DoubleVector.zero(D);
            for (int k = 0; k < Erf.SERIES_STEPS; k++) {
                // a lane steps while term > Σ·10⁻¹⁷; a frozen lane keeps the values that failed the test, so it fails it again
                // (the mask is recomputed each step: a mask carried around the loop is boxed by C2, 15× slower)
                VectorMask<Double> on0 = term0.compare(VectorOperators.GT, sum0.mul(1e-17));
                VectorMask<Double> on1 = term1.compare(VectorOperators.GT, sum1.mul(1e-17));
                if (!on0.anyTrue() && !on1.anyTrue()) break;
                DoubleVector d = DoubleVector.broadcast(D, (double) (2 * k + 3));
                // term ← term · (2t / (2n + 3))
                DoubleVector nt0 = term0.mul(u0.div(d)), nt1 = term1.mul(u1.div(d));
                // y = term − c,  Σ' = Σ + y,  c ← (Σ' − Σ) − y
                DoubleVector y0 = nt0.sub(c0), y1 = nt1.sub(c1);
                DoubleVector s0 = sum0.add(y0), s1 = sum1.add(y1);
                DoubleVector nc0 = s0.sub(sum0).sub(y0), nc1 = s1.sub(sum1).sub(y1);
                term0 = term0.blend(nt0, on0);
                sum0 = sum0.blend(s0, on0);
                c0 = c0.blend(nc0, on0);
                term1 = term1.blend(nt1, on1);
                sum1 = sum1.blend(s1, on1);
                c1 = c1.blend(nc1, on1);
            }
            sum0.intoArray(res, j);
            sum1.intoArray(res, j + L);
        }
    }
}
