package zerotoml.scratch.kernels;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

import zerotoml.scratch.kernels.Pointwise.Op;
import zerotoml.scratch.kernels.Pointwise.Slope;

/**
 * The naive twins of {@link Pointwise}'s map, zip and gradFromOutput: one plain loop each, every
 * element computed in double and, for {@code float[]}, rounded once ({@code PointwiseTest} holds
 * the fast kernels to them bit for bit).
 */
public final class PointwiseOracles {
    private PointwiseOracles() {}

    /** The oracle of {@link Pointwise#map(DoubleUnaryOperator, double[], double[], int)}: one plain loop. */
    public static void naiveMap(DoubleUnaryOperator f, double[] x, double[] out, int n) {
        for (int i = 0; i < n; i++) out[i] = f.applyAsDouble(x[i]);
    }

    /** The oracle of {@link Pointwise#map(DoubleUnaryOperator, float[], float[], int)}: widen, apply ({@link Unary#forFloat} for a Unary), round. */
    public static void naiveMap(DoubleUnaryOperator f, float[] x, float[] out, int n) {
        DoubleUnaryOperator g = f instanceof Unary u ? u::forFloat : f;
        for (int i = 0; i < n; i++) out[i] = (float) g.applyAsDouble((double) x[i]);
    }

    /** The oracle of {@link Pointwise#gradFromOutput(Slope, float[], float[], float[], int)}: the two ops it fuses, naive map then naive multiply. */
    public static void naiveGradFromOutput(Slope f, float[] g, float[] o, float[] out, int n) {
        float[] d = new float[n];
        naiveMap(f, o, d, n);
        naiveZip(Op.MUL, g, n, d, n, out, n);
    }

    /** The oracle of {@link Pointwise#gradFromOutput(Slope, double[], double[], double[], int)}. */
    public static void naiveGradFromOutput(Slope f, double[] g, double[] o, double[] out, int n) {
        double[] d = new double[n];
        naiveMap(f, o, d, n);
        naiveZip(Op.MUL, g, n, d, n, out, n);
    }

    // m_i = [x_i > 0 or NaN];  out_i = m_i ≠ 0 ? g_i · m_i : +0
    /**
     * The oracle of {@link Gates#reluGrad(float[], float[], float[], int)}: the three ops relu's
     * backward composed, element by element: the mask {@code x ≤ 0 ? 0 : 1} (a NaN x gives 1), the
     * product g · mask in float, and where(mask, product, +0).
     */
    public static void naiveReluGrad(float[] g, float[] x, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            float mask = x[i] <= 0 ? 0f : 1f, product = g[i] * mask;
            out[i] = mask != 0 ? product : 0f;
        }
    }

    /** The oracle of {@link Gates#reluGrad(double[], double[], double[], int)}, as the float one. */
    public static void naiveReluGrad(double[] g, double[] x, double[] out, int n) {
        for (int i = 0; i < n; i++) {
            double mask = x[i] <= 0 ? 0.0 : 1.0, product = g[i] * mask;
            out[i] = mask != 0 ? product : 0.0;
        }
    }

    // out_i = s_i ≠ 0 ? g_i · s_i : +0
    /** The oracle of {@link Gates#gate(float[], float[], float[], int)}: the product g · s in float, then where(s, product, +0). */
    public static void naiveGate(float[] g, float[] s, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            float product = g[i] * s[i];
            out[i] = s[i] != 0 ? product : 0f;
        }
    }

    /** The oracle of {@link Gates#gate(double[], double[], double[], int)}, as the float one. */
    public static void naiveGate(double[] g, double[] s, double[] out, int n) {
        for (int i = 0; i < n; i++) {
            double product = g[i] * s[i];
            out[i] = s[i] != 0 ? product : 0.0;
        }
    }

    /** The oracle of the double zip: one loop with a division and a remainder per operand. */
    public static void naiveZip(DoubleBinaryOperator f, double[] a, int aPeriod, int aRepeat, double[] b, int bPeriod, int bRepeat, double[] out, int n) {
        for (int i = 0; i < n; i++) out[i] = f.applyAsDouble(a[(i / aRepeat) % aPeriod], b[(i / bRepeat) % bPeriod]);
    }

    /** The oracle of the float zip: widen both operands, apply f in double, round once. */
    public static void naiveZip(DoubleBinaryOperator f, float[] a, int aPeriod, int aRepeat, float[] b, int bPeriod, int bRepeat, float[] out, int n) {
        for (int i = 0; i < n; i++) out[i] = (float) f.applyAsDouble((double) a[(i / aRepeat) % aPeriod], (double) b[(i / bRepeat) % bPeriod]);
    }

    /** {@link #naiveZip(DoubleBinaryOperator, double[], int, int, double[], int, int, double[], int)} with repeats 1. */
    public static void naiveZip(DoubleBinaryOperator f, double[] a, int aPeriod, double[] b, int bPeriod, double[] out, int n) {
        naiveZip(f, a, aPeriod, 1, b, bPeriod, 1, out, n);
    }

    /** {@link #naiveZip(DoubleBinaryOperator, float[], int, int, float[], int, int, float[], int)} with repeats 1. */
    public static void naiveZip(DoubleBinaryOperator f, float[] a, int aPeriod, float[] b, int bPeriod, float[] out, int n) {
        naiveZip(f, a, aPeriod, 1, b, bPeriod, 1, out, n);
    }
}
