package zerotoml.scratch.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link MaxPool}'s 2 × 2 max pooling with stride 2 along the row (the classic halving), a full vector of windows a
 * step: the 2·L floats under L adjacent windows of a row are split into the windows' left and right taps (even and
 * odd lanes), for the row and the one below, and each window's argmax is chosen by {@code MaxPool.maxOfFour}'s rule
 * with masks instead of branches: m = max of the four taps; the first tap equal to m (−0 = +0 under the float
 * compare, as in the running loop). A block whose m holds a NaN is left to the scalar path (the caller's), so NaN
 * windows keep ATen's last-NaN rule there. Every lane's argmax and value are the scalar path's ({@code PoolTest}).
 *
 * <p>The whole block is one method taking arrays and offsets, no vector crossing a call of ours (see
 * {@code VectorKernelsTest}): written inside the caller's loops, C2 on JDK 25 stopped inlining the Vector API's
 * intrinsics past its node budget and ran the block at 6 ms for 65,536 windows instead of 43 µs. Loaded only when
 * {@link Backend#VECTOR} is true.
 */
final class VectorPool {
    private VectorPool() {}

    private static final VectorSpecies<Float> F = VectorMatmul.F;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** Windows a block. */
    static final int L = F.length();

    // lane j of a pair (v0, v1) of 2L floats: tap 2j (even) or 2j + 1 (odd) of the pair, v0's for j < L/2, v1's after
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(F, j -> (2 * j) % L);
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(F, j -> (2 * j + 1) % L);
    private static final VectorMask<Float> HIGH = VectorMask.fromLong(F, ((1L << L) - 1) & ~((1L << (L / 2)) - 1)); // L ≤ 16
    private static final IntVector TWICE = IntVector.zero(I).addIndex(2);
    private static final FloatVector ZERO = FloatVector.zero(F), ONE = FloatVector.broadcast(F, 1f);

    /**
     * The L windows whose top-left taps are {@code x[p + 2j]}, j &lt; L, with their lower row at {@code p + rowStep}:
     * {@code arg[o + j]} and {@code y[o + j]} as {@code MaxPool.maxOfFour} gives them. Returns false, writing nothing,
     * when a window holds a NaN.
     */
    static boolean maxTwoByTwo(float[] x, int p, int rowStep, int[] arg, float[] y, int o) {
        FloatVector a0 = FloatVector.fromArray(F, x, p), a1 = FloatVector.fromArray(F, x, p + L);
        FloatVector b0 = FloatVector.fromArray(F, x, p + rowStep), b1 = FloatVector.fromArray(F, x, p + rowStep + L);
        // t0..t3: each window's taps (0, 0), (0, 1), (1, 0), (1, 1)
        FloatVector t0 = a0.rearrange(EVEN).blend(a1.rearrange(EVEN), HIGH), t1 = a0.rearrange(ODD).blend(a1.rearrange(ODD), HIGH);
        FloatVector t2 = b0.rearrange(EVEN).blend(b1.rearrange(EVEN), HIGH), t3 = b0.rearrange(ODD).blend(b1.rearrange(ODD), HIGH);
        // m = max(t0, t1, t2, t3), NaN where a tap is
        FloatVector m = t0.max(t1).max(t2.max(t3));
        if (m.compare(VectorOperators.NE, m).anyTrue()) return false;
        // the first tap equal to m: t0 if e0, else t1 if e1, else t2 if e2, else t3
        VectorMask<Float> e0 = t0.eq(m), e1 = t1.eq(m), e2 = t2.eq(m);
        FloatVector best = t3.blend(t2, e2).blend(t1, e1).blend(t0, e0);
        // its column (taps 1 and 3) and row (taps 2 and 3) as 1f or 0f; 1f's bits shifted right by 29 are 1
        FloatVector col = ONE.blend(ZERO, e2).blend(ONE, e1).blend(ZERO, e0);
        FloatVector row = ONE.blend(ZERO, e0.or(e1));
        // arg = p + 2j + col + row·rowStep
        IntVector at = TWICE.add(IntVector.broadcast(I, p))
                .add(col.reinterpretAsInts().lanewise(VectorOperators.LSHR, 29))
                .add(row.reinterpretAsInts().lanewise(VectorOperators.LSHR, 29).mul(IntVector.broadcast(I, rowStep)));
        at.intoArray(arg, o);
        best.intoArray(y, o);
        return true;
    }
}
