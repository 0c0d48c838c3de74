package zerotoml.scratch.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatExp}'s kernel with the incubating Vector API: the floats widened into double lanes
 * (as many floats as the vector holds doubles), the same operations as {@link FloatExp#approx}
 * and {@link FloatExp#exp(float)} lane by lane, and the elements whose two roundings disagree (and
 * the tail) through the scalar path; the logistic σ on top of it. x and out may be the same array. Loaded only when {@link Backend#VECTOR} is true.
 */
final class VectorExp {
    private VectorExp() {}

    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, VectorMatmul.shape());
    /** Floats of half the width: as many lanes as D. */
    private static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    private static final int L = D.length();

    // y = e^r · 2^k on every lane: FloatExp.approx's operations
    private static DoubleVector approx(DoubleVector v) {
        DoubleVector c = v.max(FloatExp.LOWEST).min(FloatExp.HIGHEST);
        DoubleVector tv = c.mul(FloatExp.INV_LN2).add(FloatExp.SHIFTER);
        DoubleVector nk = tv.sub(FloatExp.SHIFTER).neg();
        DoubleVector r = nk.fma(DoubleVector.broadcast(D, FloatExp.LN2_HI), c);
        r = nk.fma(DoubleVector.broadcast(D, FloatExp.LN2_LO), r);
        double[] k = FloatExp.C;
        DoubleVector p = DoubleVector.broadcast(D, k[13]).fma(r, DoubleVector.broadcast(D, k[12]));
        p = p.fma(r, DoubleVector.broadcast(D, k[11]));
        p = p.fma(r, DoubleVector.broadcast(D, k[10]));
        p = p.fma(r, DoubleVector.broadcast(D, k[9]));
        p = p.fma(r, DoubleVector.broadcast(D, k[8]));
        p = p.fma(r, DoubleVector.broadcast(D, k[7]));
        p = p.fma(r, DoubleVector.broadcast(D, k[6]));
        p = p.fma(r, DoubleVector.broadcast(D, k[5]));
        p = p.fma(r, DoubleVector.broadcast(D, k[4]));
        p = p.fma(r, DoubleVector.broadcast(D, k[3]));
        p = p.fma(r, DoubleVector.broadcast(D, k[2]));
        p = p.fma(r, DoubleVector.broadcast(D, k[1]));
        p = p.fma(r, DoubleVector.broadcast(D, k[0]));
        DoubleVector scale = tv.reinterpretAsLongs().add(1023L).lanewise(VectorOperators.LSHL, 52L).reinterpretAsDoubles();
        return p.mul(scale);
    }

    private static final int EXP = 0, SIGMOID = 1, TANH = 2;

    /** float(y) where float(y·down) = float(y·up), else the oracle of that lane (read from x before the store: out may be x). */
    private static void store(DoubleVector y, DoubleVector down, DoubleVector up, float[] x, int xi, float[] out, int oi, int op) {
        FloatVector lo = (FloatVector) y.mul(down).convertShape(VectorOperators.D2F, F, 0);
        FloatVector hi = (FloatVector) y.mul(up).convertShape(VectorOperators.D2F, F, 0);
        VectorMask<Float> same = lo.compare(VectorOperators.EQ, hi);
        if (same.allTrue()) {
            lo.intoArray(out, oi);
        } else {
            float[] v = lo.toArray();
            for (int j = 0; j < L; j++) {
                if (same.laneIsSet(j)) continue;
                float xj = x[xi + j];
                v[j] = op == EXP ? FloatExp.naiveExp(xj) : op == SIGMOID ? FloatExp.naiveSigmoid(xj) : FloatExp.naiveTanh(xj);
            }
            System.arraycopy(v, 0, out, oi, L);
        }
    }

    static void exp(float[] x, int xo, float[] out, int o, int n) {
        DoubleVector down = DoubleVector.broadcast(D, FloatExp.DOWN), up = DoubleVector.broadcast(D, FloatExp.UP);
        int t = 0;
        for (; t <= n - L; t += L) {
            DoubleVector v = (DoubleVector) FloatVector.fromArray(F, x, xo + t).convertShape(VectorOperators.F2D, D, 0);
            store(approx(v), down, up, x, xo + t, out, o + t, EXP);
        }
        for (; t < n; t++) out[o + t] = FloatExp.exp(x[xo + t]);
    }

    // σ = (x ≥ 0 ? 1 : e) / (1 + e),  e = approx(−|x|)
    static void sigmoid(float[] x, int xo, float[] out, int o, int n) {
        DoubleVector one = DoubleVector.broadcast(D, 1.0);
        DoubleVector down = DoubleVector.broadcast(D, FloatExp.DOWN), up = DoubleVector.broadcast(D, FloatExp.UP);
        int t = 0;
        for (; t <= n - L; t += L) {
            DoubleVector v = (DoubleVector) FloatVector.fromArray(F, x, xo + t).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector e = approx(v.abs().neg());
            DoubleVector num = e.blend(one, v.compare(VectorOperators.GE, 0.0));
            store(num.div(e.add(one)), down, up, x, xo + t, out, o + t, SIGMOID);
        }
        for (; t < n; t++) out[o + t] = FloatExp.sigmoid(x[xo + t]);
    }

    // tanh = ±(a + a·p·(−1/3 + p·(2/15 + p·(−17/315)))), p = a², for a = |x| < 2⁻⁵;  ±1 for a ≥ 20;  ±(1 − 2 / (approx(2a) + 1)) between
    static void tanh(float[] x, int xo, float[] out, int o, int n) {
        DoubleVector one = DoubleVector.broadcast(D, 1.0), two = DoubleVector.broadcast(D, 2.0);
        DoubleVector third = DoubleVector.broadcast(D, -1.0 / 3), fifth = DoubleVector.broadcast(D, 2.0 / 15), seventh = DoubleVector.broadcast(D, -17.0 / 315);
        DoubleVector tDown = DoubleVector.broadcast(D, FloatExp.TANH_DOWN), tUp = DoubleVector.broadcast(D, FloatExp.TANH_UP);
        int t = 0;
        for (; t <= n - L; t += L) {
            DoubleVector v = (DoubleVector) FloatVector.fromArray(F, x, xo + t).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector a = v.abs();
            DoubleVector p = a.mul(a);
            DoubleVector series = a.add(a.mul(p).mul(third.add(p.mul(fifth.add(p.mul(seventh))))));
            DoubleVector quotient = one.sub(two.div(approx(a.mul(2.0)).add(one)));
            VectorMask<Double> small = a.compare(VectorOperators.LT, FloatExp.TANH_SERIES);
            VectorMask<Double> big = a.compare(VectorOperators.GE, FloatExp.TANH_ONE);
            DoubleVector r = quotient.blend(series, small).blend(one, big);
            // copySign(r, v) with r ≥ 0 (or NaN, which the check sends to the oracle): v's sign bit on r
            DoubleVector y = r.reinterpretAsLongs().or(v.reinterpretAsLongs().and(Long.MIN_VALUE)).reinterpretAsDoubles();
            // the series and the 1 are the oracle's own operations: no check there (× 1 exactly)
            VectorMask<Double> exact = small.or(big);
            store(y, tDown.blend(one, exact), tUp.blend(one, exact), x, xo + t, out, o + t, TANH);
        }
        for (; t < n; t++) out[o + t] = FloatExp.tanh(x[xo + t]);
    }
}
