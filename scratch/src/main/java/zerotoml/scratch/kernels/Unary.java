package zerotoml.scratch.kernels;

import static zerotoml.scratch.kernels.Pointwise.BLOCK;
import static zerotoml.scratch.kernels.Pointwise.widen;

import java.util.function.DoubleUnaryOperator;

/**
 * The unary ops with loops of their own (each binds its function statically); any other
 * function runs through the generic loop. Each computes in double exactly as its
 * {@code applyAsDouble}, which the naive twins call.
 *
 * <p>{@link Pointwise#map} runs these loops (a block of float inputs widened by
 * {@link Pointwise#widen}); their oracle is {@link PointwiseOracles#naiveMap}, which calls
 * {@link #applyAsDouble} (or {@link #forFloat}) one element at a time. Also here: {@link #tanhForFloat}.
 */
public enum Unary implements DoubleUnaryOperator {
    NEG {
        @Override
        public double applyAsDouble(double v) {
            return -v;
        }

        @Override
        void run(double[] x, double[] out, int lo, int hi) {
            for (int i = lo; i < hi; i++) out[i] = -x[i];
        }

        @Override
        void runRounded(double[] w, float[] out, int o, int len) {
            for (int t = 0; t < len; t++) out[o + t] = (float) -w[t];
        }

        // exact in float: negating a float gives the bits of negating it in double and rounding
        @Override
        void runFloat(float[] x, float[] out, int lo, int hi) {
            for (int i = lo; i < hi; i++) out[i] = -x[i];
        }
    },
    ABS {
        @Override
        public double applyAsDouble(double v) {
            return Math.abs(v);
        }

        @Override
        void run(double[] x, double[] out, int lo, int hi) {
            for (int i = lo; i < hi; i++) out[i] = Math.abs(x[i]);
        }

        @Override
        void runRounded(double[] w, float[] out, int o, int len) {
            for (int t = 0; t < len; t++) out[o + t] = (float) Math.abs(w[t]);
        }

        // exact in float, as NEG
        @Override
        void runFloat(float[] x, float[] out, int lo, int hi) {
            for (int i = lo; i < hi; i++) out[i] = Math.abs(x[i]);
        }
    },
    /** max(v, 0) as PyTorch's relu: v &lt; 0 ? 0 : v, so NaN and −0 pass through. */
    RELU {
        @Override
        public double applyAsDouble(double v) {
            return v < 0 ? 0.0 : v;
        }

        // max(v, z) with z = (min(|v|, 1) − MIN_VALUE) · 0: z is −0 when v is ±0 (−MIN_VALUE · 0) and +0 for
        // every other v (±∞ included; NaN for a NaN, which max passes on), so v < 0 gives +0, −0 stays −0,
        // +0 stays +0 (max(+0, −0) = +0) and a positive v or a NaN is kept. Only min, max, abs, − and ×,
        // which C2 vectorises on JDK 17 and 25: 160 against 640 µs over 1M floats for the bit trick it
        // replaces, whose float-int moves keep the loop scalar (a branch on the sign of random data is
        // worse still: 4.9 ms); checked against v < 0 ? 0 : v over all 2³² floats, NaN as NaN
        // (AMD EPYC Zen 5, notes/Performance.md)
        @Override
        void run(double[] x, double[] out, int lo, int hi) {
            for (int i = lo; i < hi; i++) {
                double v = x[i];
                out[i] = Math.max(v, (Math.min(Math.abs(v), 1.0) - Double.MIN_VALUE) * 0.0);
            }
        }

        @Override
        void runRounded(double[] w, float[] out, int o, int len) {
            for (int t = 0; t < len; t++) {
                double v = w[t];
                out[o + t] = (float) (v < 0 ? 0.0 : v);
            }
        }

        // exact in float (it only selects), as run
        @Override
        void runFloat(float[] x, float[] out, int lo, int hi) {
            for (int i = lo; i < hi; i++) {
                float v = x[i];
                out[i] = Math.max(v, (Math.min(Math.abs(v), 1f) - Float.MIN_VALUE) * 0f);
            }
        }
    },
    EXP {
        @Override
        public double applyAsDouble(double v) {
            return Math.exp(v);
        }

        @Override
        void run(double[] x, double[] out, int lo, int hi) {
            for (int i = lo; i < hi; i++) out[i] = Math.exp(x[i]);
        }

        // float results: computed in float (Expf, vectorised), within Expf.MAX_ULPS ulps of applyAsDouble rounded
        @Override
        void runRounded(double[] w, float[] out, int o, int len) {
            for (int t = 0; t < len; t++) out[o + t] = Expf.exp((float) w[t]);
        }

        @Override
        void runFloat(float[] x, float[] out, int lo, int hi) {
            Expf.exp(x, lo, out, lo, hi - lo);
        }

        // a float already: widening it and rounding back gives its bits
        @Override
        public double forFloat(double v) {
            return Expf.exp((float) v);
        }
    },
    LOG {
        @Override
        public double applyAsDouble(double v) {
            return Math.log(v);
        }

        @Override
        void run(double[] x, double[] out, int lo, int hi) {
            for (int i = lo; i < hi; i++) out[i] = Math.log(x[i]);
        }

        @Override
        void runRounded(double[] w, float[] out, int o, int len) {
            for (int t = 0; t < len; t++) out[o + t] = (float) Math.log(w[t]);
        }
    },
    SQRT {
        @Override
        public double applyAsDouble(double v) {
            return Math.sqrt(v);
        }

        @Override
        void run(double[] x, double[] out, int lo, int hi) {
            for (int i = lo; i < hi; i++) out[i] = Math.sqrt(x[i]);
        }

        @Override
        void runRounded(double[] w, float[] out, int o, int len) {
            for (int t = 0; t < len; t++) out[o + t] = (float) Math.sqrt(w[t]);
        }
    },
    /**
     * The logistic σ(v) without overflow: 1 / (1 + e⁻ᵛ) for v ≥ 0, eᵛ / (1 + eᵛ) otherwise. Both
     * branches share e = e^{−|v|} (−|v| is −v or v exactly) and the divisor 1 + e, so one exp and
     * one division per element, the branch only choosing the numerator (1 or e): the same bits
     * as the two-branch form, NaN and −0 included.
     */
    SIGMOID {
        @Override
        public double applyAsDouble(double v) {
            double e = Math.exp(-Math.abs(v));
            return (v >= 0 ? 1.0 : e) / (1 + e);
        }

        @Override
        void run(double[] x, double[] out, int lo, int hi) {
            for (int i = lo; i < hi; i++) {
                double v = x[i], e = Math.exp(-Math.abs(v));
                out[i] = (v >= 0 ? 1.0 : e) / (1 + e);
            }
        }

        // float results: computed in float (FloatSigmoid, vectorised), within FloatSigmoid.MAX_ULPS ulps of applyAsDouble rounded
        @Override
        void runRounded(double[] w, float[] out, int o, int len) {
            for (int t = 0; t < len; t++) out[o + t] = FloatSigmoid.sigmoid((float) w[t]);
        }

        @Override
        void runFloat(float[] x, float[] out, int lo, int hi) {
            FloatSigmoid.sigmoid(x, lo, out, lo, hi - lo);
        }

        // a float already: widening it and rounding back gives its bits
        @Override
        public double forFloat(double v) {
            return FloatSigmoid.sigmoid((float) v);
        }
    },
    TANH {
        @Override
        public double applyAsDouble(double v) {
            return Math.tanh(v);
        }

        @Override
        void run(double[] x, double[] out, int lo, int hi) {
            for (int i = lo; i < hi; i++) out[i] = Math.tanh(x[i]);
        }

        // float results: tanhForFloat, Math.tanh being a slow library call on JDK 17 (notes/Performance.md)
        @Override
        void runRounded(double[] w, float[] out, int o, int len) {
            for (int t = 0; t < len; t++) out[o + t] = (float) tanhForFloat(w[t]);
        }

        // the same bits as runRounded's, through FloatExp's polynomial (vectorised) where that is faster
        @Override
        void runFloat(float[] x, float[] out, int lo, int hi) {
            if (FloatExp.TANH_VECTOR) FloatExp.tanh(x, lo, out, lo, hi - lo);
            else super.runFloat(x, out, lo, hi);
        }

        @Override
        public double forFloat(double v) {
            return tanhForFloat(v);
        }
    };

    /**
     * The function whose double result the float loops round to float: {@link #applyAsDouble}
     * but for TANH ({@link #tanhForFloat}), EXP ({@link Expf#exp(float)}) and SIGMOID ({@link FloatSigmoid#sigmoid(float)}), the last two computed in float.
     */
    public double forFloat(double v) {
        return applyAsDouble(v);
    }

    // out_i = f(x_i)
    /** {@code out[i] = f(x[i])} for i in [lo, hi): one index for both arrays, so C2 may vectorise the loop. */
    abstract void run(double[] x, double[] out, int lo, int hi);

    // out_{o+t} = float(f(w_t))
    /** {@code out[o + t] = (float) f(w[t])} for t &lt; len: w holds the widened float inputs. */
    abstract void runRounded(double[] w, float[] out, int o, int len);

    // out_i = float(f(double(x_i)))
    /**
     * {@code out[i] = (float) f(x[i])} for i in [lo, hi): by blocks widened to double; an op that
     * is exact in float overrides it with a loop in float.
     */
    void runFloat(float[] x, float[] out, int lo, int hi) {
        double[] w = new double[Math.min(BLOCK, hi - lo)];
        for (int b = lo; b < hi; b += BLOCK) {
            int len = Math.min(BLOCK, hi - b);
            widen(x, b, w, len);
            runRounded(w, out, b, len);
        }
    }

    // tanh a = 1 − 2 / (e^{2a} + 1) for 2⁻⁵ ≤ a < 20;  a − a³/3 + 2a⁵/15 − 17a⁷/315 below;  1 above;  sign of v restored
    /**
     * tanh in double, accurate enough to round to the correctly rounded float (relative error about
     * 1e-14, against float's half ulp of 3e-8), with one {@code Math.exp} (a JIT intrinsic) instead of
     * {@code Math.tanh} (on JDK 17 a library call, about 35 ns per element on the Zen 5). On
     * |v| = a: below 2⁻⁵ the odd series to a⁷ (truncation below 0.022·a⁸ relative: 2e-14), where
     * 1 − 2/(e^{2a}+1) would cancel; at 20 and above 1 (tanh 20 is 1 − 8e-18, 1 in double); between,
     * the quotient, whose cancellation near 2⁻⁵ costs a factor of at most 31 on double's 1e-16. The
     * sign is v's (so tanh(−0) = −0); a NaN stays NaN. Used for float32 results only: double results
     * keep {@code Math.tanh}.
     */
    public static double tanhForFloat(double v) {
        double a = Math.abs(v), r;
        if (a < 0x1p-5) {
            double p = a * a;
            r = a + a * p * (-1.0 / 3 + p * (2.0 / 15 + p * (-17.0 / 315)));
        } else if (a >= 20) {
            r = 1;
        } else {
            r = 1 - 2 / (Math.exp(2 * a) + 1);
        }
        return Math.copySign(r, v);
    }
}
