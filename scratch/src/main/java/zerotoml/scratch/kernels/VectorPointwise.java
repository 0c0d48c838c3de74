package zerotoml.scratch.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Pointwise}'s loop that C2 does not vectorise by itself, with the incubating Vector API:
 * a binary op whose operands are read at different offsets (a row or a trailing block broadcast
 * over a batch: C2 cannot rule out that out overlaps an operand at another offset, so its loop
 * stays scalar). Each lane does what the scalar loop does to its element (one IEEE +, −, ×, ÷ in
 * the array's type), so the bits are the scalar loops' (PointwiseTest).
 * Loaded only when {@link Backend#VECTOR} is true.
 */
final class VectorPointwise {
    private VectorPointwise() {}

    private static final VectorSpecies<Float> F = VectorMatmul.F;
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, VectorMatmul.shape());

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
}
