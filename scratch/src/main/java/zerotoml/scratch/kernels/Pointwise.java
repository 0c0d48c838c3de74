package zerotoml.scratch.kernels;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Element-wise kernels on flat {@code float[]} and {@code double[]} arrays: a unary map and a
 * binary zip, with fast paths for operands of the same shape, a scalar operand, and an operand
 * broadcast along the leading axes (a row, or any trailing block: a bias over a batch).
 *
 * <p>A binary operand is described by its <em>period</em> and <em>repeat</em>: operand value
 * {@code (i / repeat) % period} meets output element i. With repeat 1, the output's own size is a
 * full period; 1 is a scalar; a divisor of the output's size is a trailing block repeated over the
 * leading axes. A repeat above 1 stretches each value over that many consecutive outputs: a
 * {@code [rows, 1]} column (a lane's maximum or sum kept as size 1) against {@code [rows, cols]}
 * has period rows and repeat cols. At least one operand has the full period and repeat 1 (any
 * broadcast that is not of these kinds is materialised by the caller first).
 *
 * <p>Arithmetic: every element is computed in double and, for {@code float[]}, rounded once to
 * float, as the naive twins {@link PointwiseOracles#naiveMap} and {@link PointwiseOracles#naiveZip} do. The ops of {@link Op} have
 * loops of their own that the JIT can vectorise; in float they compute in float directly, which
 * gives the same bits: for +, −, ×, ÷ of two floats, rounding the exact result to double and
 * then to float equals rounding it to float once, since double's 53 bits are at least 2·24 + 2
 * (Figueroa, "When is double rounding innocuous?", SIGNUM 1995). Each element depends only on its
 * own inputs, so the split over threads (above {@link Parallel#THRESHOLD} elements) cannot change
 * a bit. The function passed must be pure: it may run on several threads at once.
 *
 * <p>The float map widens a block of {@link #BLOCK} inputs into a {@code double[]} in a loop of its
 * own, then applies f to the block. Widening inside the loop that calls f made float {@code exp}
 * 3&ndash;4&times; slower than double {@code exp} (15 against 4&ndash;5 ns per element, AMD EPYC Zen 5,
 * JDK 17, notes/Performance.md), even with f inlined, most likely a false dependency: the scalar
 * float-to-double conversion keeps the upper bits of its destination register, so it waits for that
 * register's last writer, the previous element's {@code exp}, and the elements no longer overlap. A
 * separate widening loop is vectorised and carries no such chain. The ops of {@link Unary} have
 * loops of their own besides, so their function is bound statically (and inlined, for
 * {@code exp} the JIT's intrinsic) even when many different functions run through the map, where
 * the shared call {@code f.applyAsDouble} becomes megamorphic and costs a call per element. Both
 * keep every bit: the same {@code (float) f((double) x)}. NEG, ABS and RELU, exact in float, skip
 * the widening; RELU is a max, min and product that C2 vectorises, without a branch (a branch on
 * the sign of random data mispredicts half the time).
 *
 * <p>The unary ops and their loops are the enum {@link Unary}; the naive twins of map, zip and
 * gradFromOutput are in {@link PointwiseOracles}.
 */
public final class Pointwise {
    private Pointwise() {}

    /** Elements per task when a large array is split over threads. */
    static final int CHUNK = 1 << 14;

    /** Elements of a float map widened to double at a time (4 KB: stays in L1). */
    static final int BLOCK = 512;

    /** The binary ops with loops of their own; any other function runs through the generic loop. */
    public enum Op implements DoubleBinaryOperator {
        ADD {
            @Override
            public double applyAsDouble(double x, double y) {
                return x + y;
            }
        },
        SUB {
            @Override
            public double applyAsDouble(double x, double y) {
                return x - y;
            }
        },
        MUL {
            @Override
            public double applyAsDouble(double x, double y) {
                return x * y;
            }
        },
        DIV {
            @Override
            public double applyAsDouble(double x, double y) {
                return x / y;
            }
        }
    }

    // ------------------------------------------------------------------ unary

    // out_i = f(x_i)
    /** {@code out[i] = f(x[i])} for i &lt; n. */
    public static void map(DoubleUnaryOperator f, double[] x, double[] out, int n) {
        checkMap("map", x.length, out.length, n);
        if (f instanceof Unary) {
            Unary u = (Unary) f;
            split(n, (lo, hi) -> u.run(x, out, lo, hi));
        } else {
            split(n, (lo, hi) -> {
                for (int i = lo; i < hi; i++) out[i] = f.applyAsDouble(x[i]);
            });
        }
    }

    // out_i = float(f(double(x_i)))
    /** {@code out[i] = (float) f(x[i])} for i &lt; n: f in double, rounded once; widened a block at a time. */
    public static void map(DoubleUnaryOperator f, float[] x, float[] out, int n) {
        checkMap("map", x.length, out.length, n);
        if (f instanceof Unary) {
            Unary u = (Unary) f;
            split(n, (lo, hi) -> u.runFloat(x, out, lo, hi));
            return;
        }
        split(n, (lo, hi) -> {
            double[] w = new double[Math.min(BLOCK, hi - lo)];
            for (int b = lo; b < hi; b += BLOCK) {
                int len = Math.min(BLOCK, hi - b);
                widen(x, b, w, len);
                for (int t = 0; t < len; t++) out[b + t] = (float) f.applyAsDouble(w[t]);
            }
        });
    }

    // w_t = double(x_{b+t})
    /** Widens len floats from x[b] into w, in a loop of its own (see the class comment). */
    static void widen(float[] x, int b, double[] w, int len) {
        for (int t = 0; t < len; t++) w[t] = x[b + t];
    }

    // ------------------------------------------------------------------ gradients from the output

    /** The derivatives written in terms of the op's own output, for {@link #gradFromOutput}. */
    public enum Slope implements DoubleUnaryOperator {
        /** tanh′ = 1 − t², t = tanh x. */
        TANH {
            @Override
            public double applyAsDouble(double t) {
                return 1 - t * t;
            }
        },
        /** σ′ = s (1 − s), s = σ(x). */
        SIGMOID {
            @Override
            public double applyAsDouble(double s) {
                return s * (1 - s);
            }
        }
    }

    // out_i = g_i · float(f′(o_i))
    /**
     * {@code out[i] = g[i] · (float) f′(o[i])}, f′ in double and rounded once, the product in float:
     * the bits of the two ops it fuses, a map of f′ over o then a multiply by g (its naive twin), with
     * one loop and no intermediate array.
     */
    public static void gradFromOutput(Slope f, float[] g, float[] o, float[] out, int n) {
        checkMap("gradFromOutput", Math.min(g.length, o.length), out.length, n);
        split(n, (lo, hi) -> {
            if (f == Slope.TANH) {
                for (int i = lo; i < hi; i++) {
                    double t = o[i];
                    out[i] = g[i] * (float) (1 - t * t);
                }
            } else {
                for (int i = lo; i < hi; i++) {
                    double v = o[i];
                    out[i] = g[i] * (float) (v * (1 - v));
                }
            }
        });
    }

    // out_i = g_i · f′(o_i)
    /** The double form of {@link #gradFromOutput(Slope, float[], float[], float[], int)}. */
    public static void gradFromOutput(Slope f, double[] g, double[] o, double[] out, int n) {
        checkMap("gradFromOutput", Math.min(g.length, o.length), out.length, n);
        split(n, (lo, hi) -> {
            if (f == Slope.TANH) {
                for (int i = lo; i < hi; i++) out[i] = g[i] * (1 - o[i] * o[i]);
            } else {
                for (int i = lo; i < hi; i++) out[i] = g[i] * (o[i] * (1 - o[i]));
            }
        });
    }

    // ------------------------------------------------------------------ binary

    // out_i = f(a_{i mod aPeriod}, b_{i mod bPeriod})
    /**
     * {@code out[i] = f(a[i % aPeriod], b[i % bPeriod])} for i &lt; n, where each period is n, 1,
     * or a divisor of n, and at least one of them is n.
     */
    public static void zip(DoubleBinaryOperator f, double[] a, int aPeriod, double[] b, int bPeriod, double[] out, int n) {
        zip(f, a, aPeriod, 1, b, bPeriod, 1, out, n);
    }

    // out_i = f(a_{⌊i / aRepeat⌋ mod aPeriod}, b_{⌊i / bRepeat⌋ mod bPeriod})
    /**
     * {@code out[i] = f(a[(i / aRepeat) % aPeriod], b[(i / bRepeat) % bPeriod])} for i &lt; n, where
     * each period × repeat divides n, and at least one operand has period n and repeat 1.
     */
    public static void zip(DoubleBinaryOperator f, double[] a, int aPeriod, int aRepeat, double[] b, int bPeriod, int bRepeat, double[] out, int n) {
        zip(Backend.VECTOR, f, a, aPeriod, aRepeat, b, bPeriod, bRepeat, out, n);
    }

    /** The zip above on the Vector API's loops (operands at different offsets) or not: the same bits. */
    static void zip(boolean vector, DoubleBinaryOperator f, double[] a, int aPeriod, int aRepeat, double[] b, int bPeriod, int bRepeat, double[] out, int n) {
        checkZip(a.length, aPeriod, aRepeat, b.length, bPeriod, bRepeat, out.length, n);
        split(n, (lo, hi) -> segments(aPeriod, aRepeat, bPeriod, bRepeat, lo, hi, (ao, aS, bo, bS, o, len) -> zipRun(vector, f, a, ao, aS, b, bo, bS, out, o, len)));
    }

    // out_i = float(f(double(a_{i mod aPeriod}), double(b_{i mod bPeriod})))
    /** The float form of {@link #zip(DoubleBinaryOperator, double[], int, double[], int, double[], int)}: f in double, rounded once. */
    public static void zip(DoubleBinaryOperator f, float[] a, int aPeriod, float[] b, int bPeriod, float[] out, int n) {
        zip(f, a, aPeriod, 1, b, bPeriod, 1, out, n);
    }

    // out_i = float(f(double(a_{⌊i / aRepeat⌋ mod aPeriod}), double(b_{⌊i / bRepeat⌋ mod bPeriod})))
    /** The float form of {@link #zip(DoubleBinaryOperator, double[], int, int, double[], int, int, double[], int)}: f in double, rounded once. */
    public static void zip(DoubleBinaryOperator f, float[] a, int aPeriod, int aRepeat, float[] b, int bPeriod, int bRepeat, float[] out, int n) {
        zip(Backend.VECTOR, f, a, aPeriod, aRepeat, b, bPeriod, bRepeat, out, n);
    }

    /** The zip above on the Vector API's loops (operands at different offsets) or not: the same bits. */
    static void zip(boolean vector, DoubleBinaryOperator f, float[] a, int aPeriod, int aRepeat, float[] b, int bPeriod, int bRepeat, float[] out, int n) {
        checkZip(a.length, aPeriod, aRepeat, b.length, bPeriod, bRepeat, out.length, n);
        split(n, (lo, hi) -> segments(aPeriod, aRepeat, bPeriod, bRepeat, lo, hi, (ao, aS, bo, bS, o, len) -> zipRun(vector, f, a, ao, aS, b, bo, bS, out, o, len)));
    }


    // ------------------------------------------------------------------ the walk

    /** A run of len outputs from o: operand a from ao (the one value a[ao] when aScalar), likewise b. */
    private interface Run {
        void accept(int ao, boolean aScalar, int bo, boolean bScalar, int o, int len);
    }

    /** A range [lo, hi) of outputs. */
    interface Range {
        void accept(int lo, int hi);
    }

    /**
     * Cuts [lo, hi) into runs over which neither operand wraps around its period and a repeated
     * operand holds one value (so it is read as a scalar there).
     */
    private static void segments(int aPeriod, int aRepeat, int bPeriod, int bRepeat, int lo, int hi, Run run) {
        boolean aScalar = aPeriod == 1 || aRepeat > 1, bScalar = bPeriod == 1 || bRepeat > 1;
        int i = lo;
        while (i < hi) {
            int len = hi - i;
            int ao, bo;
            if (aRepeat > 1) {
                ao = (i / aRepeat) % aPeriod;
                len = Math.min(len, aRepeat - i % aRepeat);
            } else if (aPeriod == 1) {
                ao = 0;
            } else {
                ao = i % aPeriod;
                len = Math.min(len, aPeriod - ao);
            }
            if (bRepeat > 1) {
                bo = (i / bRepeat) % bPeriod;
                len = Math.min(len, bRepeat - i % bRepeat);
            } else if (bPeriod == 1) {
                bo = 0;
            } else {
                bo = i % bPeriod;
                len = Math.min(len, bPeriod - bo);
            }
            run.accept(ao, aScalar, bo, bScalar, i, len);
            i += len;
        }
    }

    /**
     * Whether every operand read as an array in this run starts at the output's own offset (the
     * usual case: same shapes, or one side a scalar), so that {@link SameIndex}'s loops, which
     * C2 vectorises, may run it.
     */
    private static boolean sameIndex(int ao, boolean aS, int bo, boolean bS, int o) {
        return !(aS && bS) && (aS || ao == o) && (bS || bo == o);
    }

    /** Runs {@code body} over [0, n): on one thread below the threshold, else in chunks of {@link #CHUNK}. */
    static void split(int n, Range body) {
        if (n <= 0) return;
        if (n < Parallel.THRESHOLD || Parallel.threads() == 1) {
            body.accept(0, n);
            return;
        }
        int tasks = (n + CHUNK - 1) / CHUNK;
        Parallel.forEach(tasks, n, t -> body.accept(t * CHUNK, Math.min(n, (t + 1) * CHUNK)));
    }

    /**
     * One run of the zip. An {@link Op} whose array operands start at the output's offset (always so
     * when one side is a value: the other then has the full period) runs {@link SameIndex}'s loops; both
     * operands arrays at other offsets (a row broadcast) run the Vector API's loop or the offset loop
     * here; any other function runs the generic loops.
     */
    private static void zipRun(boolean vector, DoubleBinaryOperator f, double[] a, int ao, boolean aS, double[] b, int bo, boolean bS, double[] out, int o, int len) {
        if (f instanceof Op && sameIndex(ao, aS, bo, bS, o)) {
            SameIndex.zip((Op) f, a, ao, aS, b, bo, bS, out, o, o + len);
        } else if (f instanceof Op && !aS && !bS) {
            if (vector) VectorPointwise.zip((Op) f, a, ao, b, bo, out, o, len);
            else zipOffsets((Op) f, a, ao, b, bo, out, o, len);
        } else if (aS && !bS) {
            double x = a[ao];
            for (int t = 0; t < len; t++) out[o + t] = f.applyAsDouble(x, b[bo + t]);
        } else if (bS && !aS) {
            double y = b[bo];
            for (int t = 0; t < len; t++) out[o + t] = f.applyAsDouble(a[ao + t], y);
        } else {
            // both are arrays here, or both one value (then len is 1: one of them has the full period and repeat 1)
            for (int t = 0; t < len; t++) out[o + t] = f.applyAsDouble(a[ao + t], b[bo + t]);
        }
    }

    /** The float form of the zip's run: f in double, rounded once (an Op's loops compute in float, the same bits: see the class comment). */
    private static void zipRun(boolean vector, DoubleBinaryOperator f, float[] a, int ao, boolean aS, float[] b, int bo, boolean bS, float[] out, int o, int len) {
        if (f instanceof Op && sameIndex(ao, aS, bo, bS, o)) {
            SameIndex.zip((Op) f, a, ao, aS, b, bo, bS, out, o, o + len);
        } else if (f instanceof Op && !aS && !bS) {
            if (vector) VectorPointwise.zip((Op) f, a, ao, b, bo, out, o, len);
            else zipOffsets((Op) f, a, ao, b, bo, out, o, len);
        } else if (aS && !bS) {
            float x = a[ao];
            for (int t = 0; t < len; t++) out[o + t] = (float) f.applyAsDouble(x, b[bo + t]);
        } else if (bS && !aS) {
            float y = b[bo];
            for (int t = 0; t < len; t++) out[o + t] = (float) f.applyAsDouble(a[ao + t], y);
        } else {
            for (int t = 0; t < len; t++) out[o + t] = (float) f.applyAsDouble(a[ao + t], b[bo + t]);
        }
    }

    // out_{o+t} = a_{ao+t} ∘ b_{bo+t}, scalar: the loop C2 keeps scalar (the Vector API's in VectorPointwise)
    private static void zipOffsets(Op op, double[] a, int ao, double[] b, int bo, double[] out, int o, int len) {
        switch (op) {
            case ADD: for (int t = 0; t < len; t++) out[o + t] = a[ao + t] + b[bo + t]; break;
            case SUB: for (int t = 0; t < len; t++) out[o + t] = a[ao + t] - b[bo + t]; break;
            case MUL: for (int t = 0; t < len; t++) out[o + t] = a[ao + t] * b[bo + t]; break;
            default: for (int t = 0; t < len; t++) out[o + t] = a[ao + t] / b[bo + t];
        }
    }

    private static void zipOffsets(Op op, float[] a, int ao, float[] b, int bo, float[] out, int o, int len) {
        switch (op) {
            case ADD: for (int t = 0; t < len; t++) out[o + t] = a[ao + t] + b[bo + t]; break;
            case SUB: for (int t = 0; t < len; t++) out[o + t] = a[ao + t] - b[bo + t]; break;
            case MUL: for (int t = 0; t < len; t++) out[o + t] = a[ao + t] * b[bo + t]; break;
            default: for (int t = 0; t < len; t++) out[o + t] = a[ao + t] / b[bo + t];
        }
    }

    // ------------------------------------------------------------------ argument checks

    static void checkMap(String op, int xLen, int outLen, int n) {
        if (n < 0 || xLen < n || outLen < n) {
            throw new IllegalArgumentException("Pointwise." + op + ": n = " + n + " does not fit input of " + xLen + " and output of " + outLen + " elements");
        }
    }

    private static void checkZip(int aLen, int aPeriod, int aRepeat, int bLen, int bPeriod, int bRepeat, int outLen, int n) {
        if (n < 0 || outLen < n) {
            throw new IllegalArgumentException("Pointwise.zip: n = " + n + " does not fit the output of " + outLen + " elements");
        }
        if (n == 0) return;
        checkPeriod("a", aLen, aPeriod, aRepeat, n);
        checkPeriod("b", bLen, bPeriod, bRepeat, n);
        if ((aPeriod != n || aRepeat != 1) && (bPeriod != n || bRepeat != 1)) {
            throw new IllegalArgumentException("Pointwise.zip: neither period (a " + aPeriod + " repeat " + aRepeat + ", b " + bPeriod
                    + " repeat " + bRepeat + ") covers the n = " + n + " outputs");
        }
    }

    private static void checkPeriod(String name, int len, int period, int repeat, int n) {
        if (period < 1 || period > len || repeat < 1 || n % ((long) period * repeat) != 0) {
            throw new IllegalArgumentException("Pointwise.zip: " + name + "'s period " + period + " (repeat " + repeat + ") must be at least 1, at most its "
                    + len + " elements, and period × repeat must divide n = " + n);
        }
    }
}
