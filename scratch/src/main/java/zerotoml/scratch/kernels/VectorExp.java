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

    /** float(y) where float(y·(1 − δ)) = float(y·(1 + δ)), else the oracle of that lane (read from x before the store: out may be x). */
    private static void store(DoubleVector y, float[] x, int xi, float[] out, int oi, boolean sigmoid) {
        FloatVector lo = (FloatVector) y.mul(FloatExp.DOWN).convertShape(VectorOperators.D2F, F, 0);
        FloatVector hi = (FloatVector) y.mul(FloatExp.UP).convertShape(VectorOperators.D2F, F, 0);
        VectorMask<Float> same = lo.compare(VectorOperators.EQ, hi);
        if (same.allTrue()) {
            lo.intoArray(out, oi);
        } else {
            float[] v = lo.toArray();
            for (int j = 0; j < L; j++) {
                if (!same.laneIsSet(j)) v[j] = sigmoid ? FloatExp.naiveSigmoid(x[xi + j]) : FloatExp.naiveExp(x[xi + j]);
            }
            System.arraycopy(v, 0, out, oi, L);
        }
    }

    static void exp(float[] x, int xo, float[] out, int o, int n) {
        int t = 0;
        for (; t <= n - L; t += L) {
            DoubleVector v = (DoubleVector) FloatVector.fromArray(F, x, xo + t).convertShape(VectorOperators.F2D, D, 0);
            store(approx(v), x, xo + t, out, o + t, false);
        }
        for (; t < n; t++) out[o + t] = FloatExp.exp(x[xo + t]);
    }

    // σ = (x ≥ 0 ? 1 : e) / (1 + e),  e = approx(−|x|)
    static void sigmoid(float[] x, int xo, float[] out, int o, int n) {
        DoubleVector one = DoubleVector.broadcast(D, 1.0);
        int t = 0;
        for (; t <= n - L; t += L) {
            DoubleVector v = (DoubleVector) FloatVector.fromArray(F, x, xo + t).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector e = approx(v.abs().neg());
            DoubleVector num = e.blend(one, v.compare(VectorOperators.GE, 0.0));
            store(num.div(e.add(one)), x, xo + t, out, o + t, true);
        }
        for (; t < n; t++) out[o + t] = FloatExp.sigmoid(x[xo + t]);
    }
}
