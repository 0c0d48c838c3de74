package zerotoml.scratch.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatExp}'s tanh kernel with the incubating Vector API: the floats widened into double lanes
 * (as many floats as the vector holds doubles, L), the same operations as {@link FloatExp#approx}
 * and {@link FloatExp#tanh(float)} lane by lane; a step with a lane whose two roundings disagree, and
 * the tail, through the scalar path. (Until the sixteenth session it had an exp beside the tanh, for the
 * float32 exp op and softmax; they now run {@link Expf}, in float lanes.) tanh takes the
 * quotient on x itself instead of |x| with the sign put back, and below |x| = 2⁻⁵ runs the
 * oracle's series with the oracle's own operations on every lane (so those lanes need no check);
 * its result is the oracle's either way. x and out may be the same array. Loaded only when {@link Backend#VECTOR} is true.
 *
 * <p>One float shape in the JVM. A step takes L floats, but loads and stores a window of 2L as a full-width
 * float vector: its lower half is the step's, its upper half is put back as it was read (x's own values,
 * which the next step or the scalar tail overwrites in out). Until the fifteenth session the kernel loaded
 * and stored its L floats as a half-width float vector (256 bits where the matmul's are 512). The Vector API's
 * shared methods (FloatVector.intoArray's calls of length() and vspecies(), among others) keep one type profile
 * for all their callers, and when this kernel's half-width class reached it first, JDK 17's C2 compiled the
 * matmul tile's stores for that class ({@code -XX:+LogCompilation}: 28 calls inlined for Float256Vector in the
 * slow compiles, 2 in the fast) and ran its fmas through the Java fallback (JFR: 56 GB allocated in
 * {@code Float512Vector.lanewise} under the tile, against 7 GB in all of a fast run). The MLP's forward +
 * backward took 2.8-3.0 ms instead of 0.4-0.5 in 5 runs of 8 (JDK 17.0.15, AMD EPYC Zen 5, one thread); with one
 * float shape, 0.39-0.45 ms in 10 runs of 10. The window costs some of this kernel's speed (the wider conversions
 * and the put-back): tanh at 1k floats 1.24 → 1.38 ns an element in a plain loop on JDK 25, tanh at 1M 2,082 →
 * 2,819 µs in JMH on JDK 17 (notes/Performance.md, section "One vector shape").
 * Processing two halves a step with the lanes' parts (convertShape part 1 and −1) was tried: the body, twice as
 * long, made C1 give up ("out of virtual registers"), and the method then stayed at tier 2, 150-200 ns an element.
 *
 * <p>Each kernel writes out y ≈ eᵘ and the check where they are used, so nothing of ours is called with a
 * vector on the hot path (see {@link VectorMatmul}'s class comment: C2 may leave such a call out of line
 * and box the vectors; with y and the check in helpers, tanh ran at 3.6-7 ns an element against the
 * then sigmoid's 1.4, {@code NodeCountInliningCutoff} in PrintInlining on JDK 25). y, written out in tanh:
 * <ul>
 *   <li>c = u clamped to [−110, 89] by compare and blend: the same c as {@code max} and {@code min} (a NaN
 *       compares false and stays NaN; the bounds are far from ±0) without the extra operations those need for
 *       Java's NaN and −0 rules (0.3 of 1.1 ns an element on Zen 5, JDK 25);
 *   <li>k = round(c / ln 2) by adding and removing 1.5·2⁵², and r = c − k·ln 2 in two fmas, as in {@link FloatExp#approx};
 *   <li>e^r = Σ_{i≤13} K_i rⁱ by Estrin's scheme, (K0 + K1·r) + (K2 + K3·r)·r² + …, a tree of depth 6 instead of
 *       Horner's chain of 13 fmas (0.86 against 1.03 ns an element, JDK 25). Its y differs from the scalar
 *       approx's in the last bits, both within 2⁻⁵¹ of eˣ, far inside the check's 2⁻⁴⁶, so the floats are the
 *       oracle's ({@code FloatExpExhaustive}: all 2³² floats);
 *   <li>y = e^r · 2^k, k + 1023 shifted into the exponent bits.
 * </ul>
 */
final class VectorExp {
    private VectorExp() {}

    private static final VectorSpecies<Double> D = VectorMatmul.D;
    /** Floats of the full width, as in every other kernel, though a step takes only L (the class comment). */
    private static final VectorSpecies<Float> F = VectorMatmul.F;
    /** Floats a step: as many as D holds doubles. */
    static final int L = D.length();
    /** Floats a load: a step's and the next step's. */
    static final int W = F.length();
    /** Int lanes from L on all ones, the rest zero: keeps the upper half of a window. */
    private static final IntVector UPPER = IntVector.fromArray(VectorSpecies.of(int.class, F.vectorShape()), upperHalf(), 0);

    private static int[] upperHalf() {
        int[] m = new int[W];
        java.util.Arrays.fill(m, L, W, -1);
        return m;
    }

    // the constants as vectors once (a broadcast per use made the kernels' compiles larger: when approx was a
    // helper, too large for C2 to inline it, 2-3x slower than Math.exp, PrintInlining)
    private static final DoubleVector LOWEST = bc(FloatExp.LOWEST), HIGHEST = bc(FloatExp.HIGHEST), INV_LN2 = bc(FloatExp.INV_LN2),
            SHIFTER = bc(FloatExp.SHIFTER), LN2_HI = bc(FloatExp.LN2_HI), LN2_LO = bc(FloatExp.LN2_LO),
            K0 = bc(FloatExp.C[0]), K1 = bc(FloatExp.C[1]), K2 = bc(FloatExp.C[2]), K3 = bc(FloatExp.C[3]), K4 = bc(FloatExp.C[4]),
            K5 = bc(FloatExp.C[5]), K6 = bc(FloatExp.C[6]), K7 = bc(FloatExp.C[7]), K8 = bc(FloatExp.C[8]), K9 = bc(FloatExp.C[9]),
            K10 = bc(FloatExp.C[10]), K11 = bc(FloatExp.C[11]), K12 = bc(FloatExp.C[12]), K13 = bc(FloatExp.C[13]),
            ONE = bc(1.0), TWO = bc(2.0),
            TANH_DELTA = bc(FloatExp.TANH_UP - 1), TANH_SERIES = bc(FloatExp.TANH_SERIES), ZERO = bc(0.0),
            SERIES_1 = bc(-1.0 / 3), SERIES_2 = bc(2.0 / 15), SERIES_3 = bc(-17.0 / 315);
    private static final long SIGN = Long.MIN_VALUE;

    private static DoubleVector bc(double c) {
        return DoubleVector.broadcast(D, c);
    }

    /**
     * The rare vectors with a lane whose two roundings disagree: every lane by the scalar path, which gives the oracle's
     * bits by construction, reading x[xi + j] before writing out[oi + j] (out may be x). It takes no vector: passed
     * one, JDK 17's C2 fell back to the Vector API's Java code for the conversion and the compare that made them
     * (JFR: 13.6 MB a call of 1M floats, 3-21 ms against 1.6), and JDK 25 did for the sigmoid this file had then.
     */
    private static void scalarLanes(float[] x, int xi, float[] out, int oi) {
        for (int j = 0; j < L; j++) out[oi + j] = FloatExp.tanh(x[xi + j]);
    }

    // tanh = ±(a + a·p·(−1/3 + p·(2/15 − p·17/315))), p = a², a = |x| < 2⁻⁵;  1 − 2 / (approx(2x) + 1), checked, above
    static void tanh(float[] x, int xo, float[] out, int o, int n) {
        int t = 0, last = n - W;
        FloatVector xv = last >= 0 ? FloatVector.fromArray(F, x, xo) : FloatVector.zero(F);
        for (; t <= last; t += L) {
            // xv: the window x[t, t + W), its lower L lanes this step's; the next window read now, before this step's
            // store overlaps it (in place, a load straddling a just-stored window waits for the store: 4.5 against 1.4 ns
            // an element, tanh in place at 1k floats, JDK 25)
            FloatVector next = FloatVector.fromArray(F, x, xo + Math.min(t + L, last));
            DoubleVector v = (DoubleVector) xv.convertShape(VectorOperators.F2D, D, 0);
            DoubleVector a = v.abs(), p = a.mul(a);
            // below 2⁻⁵ the oracle's series with the oracle's operations in its order (so its bits, no check), and
            // v's sign bit put on it as Math.copySign does (tanh −0 = −0)
            DoubleVector s = a.add(a.mul(p).mul(SERIES_1.add(p.mul(SERIES_2.add(p.mul(SERIES_3))))));
            s = s.reinterpretAsLongs().or(v.reinterpretAsLongs().and(SIGN)).reinterpretAsDoubles();
            VectorMask<Double> series = a.compare(VectorOperators.LT, TANH_SERIES);
            // above, the quotient on x itself rather than |x| with the sign put back (the oracle's form): for 2⁻⁵ ≤ |x|
            // both are within 2⁻⁴⁵ of tanh x, so the check at 2⁻⁴⁰ holds; from |x| = 20 on (±∞ included, clamped in
            // approx) it is ±1 exactly; a NaN fails the check and takes the oracle
            // e = e^r · 2^k ≈ exp u: c = u clamped to [−110, 89], k = round(c / ln 2), r = c − k·ln 2 (the class comment)
            DoubleVector u = v.mul(TWO);
            DoubleVector c = u.blend(LOWEST, u.compare(VectorOperators.LT, LOWEST));
            c = c.blend(HIGHEST, c.compare(VectorOperators.GT, HIGHEST));
            DoubleVector tv = c.mul(INV_LN2).add(SHIFTER);
            DoubleVector nk = tv.sub(SHIFTER).neg();
            DoubleVector r = nk.fma(LN2_HI, c);
            r = nk.fma(LN2_LO, r);
            // e^r = Σ_(i≤13) K_i rⁱ by Estrin's scheme
            DoubleVector r2 = r.mul(r), r4 = r2.mul(r2), r8 = r4.mul(r4);
            DoubleVector a0 = K1.fma(r, K0), a1 = K3.fma(r, K2), a2 = K5.fma(r, K4), a3 = K7.fma(r, K6), a4 = K9.fma(r, K8),
                    a5 = K11.fma(r, K10), a6 = K13.fma(r, K12);
            DoubleVector b0 = a1.fma(r2, a0), b1 = a3.fma(r2, a2), b2 = a5.fma(r2, a4);
            DoubleVector poly = a6.fma(r4, b2).fma(r8, b1.fma(r4, b0));
            DoubleVector e = poly.mul(tv.reinterpretAsLongs().add(1023L).lanewise(VectorOperators.LSHL, 52L).reinterpretAsDoubles());
            DoubleVector y = ONE.sub(TWO.div(e.add(ONE))).blend(s, series);
            DoubleVector d = TANH_DELTA.blend(ZERO, series);
            // float(y·up) where float(y·down) = float(y·up) (then also float(y)) on every lane, else the scalar path
            FloatVector lo = (FloatVector) y.mul(ONE.sub(d)).convertShape(VectorOperators.D2F, F, 0);
            FloatVector hi = (FloatVector) y.mul(ONE.add(d)).convertShape(VectorOperators.D2F, F, 0);
            // (lanes from L on are 0 in both); stored as a window: this step's L lanes, then x's own next L (out may be
            // x, whose next step then reads them; else the next step or the tail overwrites them)
            VectorMask<Float> same = lo.compare(VectorOperators.EQ, hi);
            if (same.allTrue()) hi.reinterpretAsInts().or(xv.reinterpretAsInts().and(UPPER)).reinterpretAsFloats().intoArray(out, o + t);
            else scalarLanes(x, xo + t, out, o + t);
            xv = next;
        }
        for (; t < n; t++) out[o + t] = FloatExp.tanh(x[xo + t]);
    }
}
