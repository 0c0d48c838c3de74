package zerotoml.scratch.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Pointwise}'s loops that C2 does not vectorise by itself, with the incubating Vector API:
 * a binary op whose operands are read at different offsets (a row or a trailing block broadcast
 * over a batch: C2 cannot rule out that out overlaps an operand at another offset, so its loop
 * stays scalar); and relu's gradient and the gated gradients, a compare and select (a branch on
 * random signs in scalar Java); and a row's maximum. Each lane does what the scalar loop does to its element (one IEEE +, −, ×, ÷ in the
 * array's type; a select), so the bits are the scalar loops' (PointwiseTest).
 * Loaded only when {@link Backend#VECTOR} is true.
 */
final class VectorPointwise {
    private VectorPointwise() {}

    private static final VectorSpecies<Float> F = VectorMatmul.F;
    private static final VectorSpecies<Double> D = VectorMatmul.D;

    // acc_{ao+t} += double(x_{xo+t})
    /**
     * {@code acc[ao + t] += (double) x[xo + t]} for t &lt; n: a float row added into double accumulators
     * ({@link Reduce}'s column sums), each lane the scalar loop's widening and one double +. JDK 17's C2 does not
     * vectorise the scalar loop's widening (sumFirstAxis f32 ran 5x PyTorch's time there, 1.0x on JDK 25). A step
     * widens the lower half of a full-width float vector read as a window, as VectorExp does (one shape for every kernel).
     */
    static void addWidened(float[] x, int xo, double[] acc, int ao, int n) {
        int t = 0, w = F.length(), l = D.length();
        for (; t <= n - w; t += l) {
            // the lower half of the window x[t, t + W) widened (part 0 only: the upper half's part 1 is a slice first)
            DoubleVector v = (DoubleVector) FloatVector.fromArray(F, x, xo + t).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector.fromArray(D, acc, ao + t).add(v).intoArray(acc, ao + t);
        }
        for (; t < n; t++) acc[ao + t] += x[xo + t];
    }

    // m = max_t x_{a+t} by Math.max's rule (a NaN anywhere gives a NaN; +0 above −0)
    /**
     * The largest of x[a, a + n) as {@link Math#max} folds it, −∞ for n = 0: a vector of running maxima, one
     * lane-wise max a step (the Vector API's max is Math.max lane by lane, so a NaN lane stays NaN), the lanes
     * and the tail folded by Math.max at the end. The fold's order does not matter: Math.max is associative and
     * commutative up to which NaN comes out. {@link SoftmaxKernel}'s rows take their maximum from it.
     */
    static float max(float[] x, int a, int n) {
        int t = 0, l = F.length();
        FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (; t <= n - l; t += l) acc = acc.max(FloatVector.fromArray(F, x, a + t));
        float[] lanes = acc.toArray();
        float m = Float.NEGATIVE_INFINITY;
        for (float v : lanes) m = Math.max(m, v);
        for (; t < n; t++) m = Math.max(m, x[a + t]);
        return m;
    }

    // out_{o+t} = a_{ao+t} ∘ b_{bo+t}
    /** {@code out[o + t] = a[ao + t] op b[bo + t]} for t &lt; len, in float. */
    static void zip(Pointwise.Op op, float[] a, int ao, float[] b, int bo, float[] out, int o, int len) {
        int t = 0, up = F.loopBound(len), l = F.length();
        switch (op) {
            case ADD:
                for (; t < up; t += l) FloatVector.fromArray(F, a, ao + t).add(FloatVector.fromArray(F, b, bo + t)).intoArray(out, o + t);
                for (; t < len; t++) out[o + t] = a[ao + t] + b[bo + t];
                break;
            case SUB:
                for (; t < up; t += l) FloatVector.fromArray(F, a, ao + t).sub(FloatVector.fromArray(F, b, bo + t)).intoArray(out, o + t);
                for (; t < len; t++) out[o + t] = a[ao + t] - b[bo + t];
                break;
            case MUL:
                for (; t < up; t += l) FloatVector.fromArray(F, a, ao + t).mul(FloatVector.fromArray(F, b, bo + t)).intoArray(out, o + t);
                for (; t < len; t++) out[o + t] = a[ao + t] * b[bo + t];
                break;
            default:
                for (; t < up; t += l) FloatVector.fromArray(F, a, ao + t).div(FloatVector.fromArray(F, b, bo + t)).intoArray(out, o + t);
                for (; t < len; t++) out[o + t] = a[ao + t] / b[bo + t];
        }
    }

    // out_{o+t} = a_{ao+t} ∘ b_{bo+t}
    /** {@code out[o + t] = a[ao + t] op b[bo + t]} for t &lt; len, in double. */
    static void zip(Pointwise.Op op, double[] a, int ao, double[] b, int bo, double[] out, int o, int len) {
        int t = 0, up = D.loopBound(len), l = D.length();
        switch (op) {
            case ADD:
                for (; t < up; t += l) DoubleVector.fromArray(D, a, ao + t).add(DoubleVector.fromArray(D, b, bo + t)).intoArray(out, o + t);
                for (; t < len; t++) out[o + t] = a[ao + t] + b[bo + t];
                break;
            case SUB:
                for (; t < up; t += l) DoubleVector.fromArray(D, a, ao + t).sub(DoubleVector.fromArray(D, b, bo + t)).intoArray(out, o + t);
                for (; t < len; t++) out[o + t] = a[ao + t] - b[bo + t];
                break;
            case MUL:
                for (; t < up; t += l) DoubleVector.fromArray(D, a, ao + t).mul(DoubleVector.fromArray(D, b, bo + t)).intoArray(out, o + t);
                for (; t < len; t++) out[o + t] = a[ao + t] * b[bo + t];
                break;
            default:
                for (; t < up; t += l) DoubleVector.fromArray(D, a, ao + t).div(DoubleVector.fromArray(D, b, bo + t)).intoArray(out, o + t);
                for (; t < len; t++) out[o + t] = a[ao + t] / b[bo + t];
        }
    }

    // out_i = x_i ≤ 0 ? +0 : g_i
    /** relu's gradient over [lo, hi) in float: g where x is above 0 or NaN, +0 where x ≤ 0. */
    static void reluGrad(float[] g, float[] x, float[] out, int lo, int hi) {
        int i = lo, up = lo + F.loopBound(hi - lo), l = F.length();
        FloatVector zero = FloatVector.zero(F);
        for (; i < up; i += l) {
            FloatVector xv = FloatVector.fromArray(F, x, i);
            FloatVector.fromArray(F, g, i).blend(zero, xv.compare(VectorOperators.LE, 0f)).intoArray(out, i);
        }
        Gates.reluGrad(g, x, out, i, hi);
    }

    // out_i = x_i ≤ 0 ? +0 : g_i
    /** relu's gradient over [lo, hi) in double, as the float one. */
    static void reluGrad(double[] g, double[] x, double[] out, int lo, int hi) {
        int i = lo, up = lo + D.loopBound(hi - lo), l = D.length();
        DoubleVector zero = DoubleVector.zero(D);
        for (; i < up; i += l) {
            DoubleVector xv = DoubleVector.fromArray(D, x, i);
            DoubleVector.fromArray(D, g, i).blend(zero, xv.compare(VectorOperators.LE, 0.0)).intoArray(out, i);
        }
        Gates.reluGrad(g, x, out, i, hi);
    }

    // out_i = s_i ≠ 0 ? g_i · s_i : +0
    /** A gated gradient over [lo, hi) in float: g · s where s is not ±0 (NaN included), +0 where it is. */
    static void gate(float[] g, float[] s, float[] out, int lo, int hi) {
        int i = lo, up = lo + F.loopBound(hi - lo), l = F.length();
        FloatVector zero = FloatVector.zero(F);
        for (; i < up; i += l) {
            FloatVector sv = FloatVector.fromArray(F, s, i);
            FloatVector.fromArray(F, g, i).mul(sv).blend(zero, sv.compare(VectorOperators.EQ, 0f)).intoArray(out, i);
        }
        Gates.gate(g, s, out, i, hi);
    }

    // out_i = s_i ≠ 0 ? g_i · s_i : +0
    /** A gated gradient over [lo, hi) in double, as the float one. */
    static void gate(double[] g, double[] s, double[] out, int lo, int hi) {
        int i = lo, up = lo + D.loopBound(hi - lo), l = D.length();
        DoubleVector zero = DoubleVector.zero(D);
        for (; i < up; i += l) {
            DoubleVector sv = DoubleVector.fromArray(D, s, i);
            DoubleVector.fromArray(D, g, i).mul(sv).blend(zero, sv.compare(VectorOperators.EQ, 0.0)).intoArray(out, i);
        }
        Gates.gate(g, s, out, i, hi);
    }
}
