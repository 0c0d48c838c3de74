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
 * the tail) through the scalar path. x and out may be the same array. Loaded only when {@link Backend#VECTOR} is true.
 */
final class VectorExp {
    private VectorExp() {}

    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, VectorMatmul.shape());
    /** Floats of half the width: as many lanes as D. */
    private static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    private static final int L = D.length();

    static void exp(float[] x, int xo, float[] out, int o, int n) {
        int t = 0;
        for (; t <= n - L; t += L) {
            DoubleVector c = (DoubleVector) FloatVector.fromArray(F, x, xo + t).convertShape(VectorOperators.F2D, D, 0);
            c = c.max(FloatExp.LOWEST).min(FloatExp.HIGHEST);
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
            DoubleVector y = p.mul(scale);
            FloatVector lo = (FloatVector) y.mul(FloatExp.DOWN).convertShape(VectorOperators.D2F, F, 0);
            FloatVector hi = (FloatVector) y.mul(FloatExp.UP).convertShape(VectorOperators.D2F, F, 0);
            VectorMask<Float> same = lo.compare(VectorOperators.EQ, hi);
            if (same.allTrue()) {
                lo.intoArray(out, o + t);
            } else {
                // the disagreeing lanes read x before the store: out may be x itself
                float[] v = lo.toArray();
                for (int j = 0; j < L; j++) if (!same.laneIsSet(j)) v[j] = (float) Math.exp(x[xo + t + j]);
                System.arraycopy(v, 0, out, o + t, L);
            }
        }
        for (; t < n; t++) out[o + t] = FloatExp.exp(x[xo + t]);
    }
}
