package zerotoml.scratch.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatSigmoid}'s kernel with the incubating Vector API: {@link Expf}'s steps for e^−|x|, its
 * polynomial scaled by 2⁻⁶⁴ so that one power of two finishes it (FloatSigmoid's class comment: the same
 * bits), a full vector of float lanes a step (sixteen at 512 bits), the tail through the scalar path.
 * Every lane's bits are the scalar path's, so no lane needs a check or a fallback. Written out in one
 * method, with no call of ours taking a vector (see {@link VectorExp}'s class comment), so
 * {@code VectorExpf}'s steps are repeated here rather than shared.
 * x and out may be the same array. Loaded only when {@link Backend#VECTOR} is true.
 */
final class VectorSigmoid {
    private VectorSigmoid() {}

    private static final VectorSpecies<Float> F = VectorMatmul.F;
    private static final int L = F.length();

    // the constants as vectors once (fma takes vectors; see VectorExp on broadcasts inside the loop)
    private static final FloatVector INV_LN2 = bc(Expf.INV_LN2), SHIFTER = bc(Expf.SHIFTER),
            NEG_LN2_HI = bc(Expf.NEG_LN2_HI), NEG_LN2_LO = bc(Expf.NEG_LN2_LO), C0 = bc(FloatSigmoid.C0),
            C1 = bc(FloatSigmoid.C1), C2 = bc(FloatSigmoid.C2), C3 = bc(FloatSigmoid.C3), C4 = bc(FloatSigmoid.C4), C5 = bc(FloatSigmoid.C5), C6 = bc(FloatSigmoid.C6),
            C7 = bc(FloatSigmoid.C7), ONE = bc(1f);

    private static FloatVector bc(float c) {
        return FloatVector.broadcast(F, c);
    }

    // σ = (x ≥ 0 ? 1 : e) / (1 + e),  e = e^r · 2^k,  u = max(−|x|, −104),  k = round(u / ln 2),  r = u − k·ln 2
    static void sigmoid(float[] x, int xo, float[] out, int o, int n) {
        int t = 0;
        for (; t <= n - L; t += L) {
            FloatVector v = FloatVector.fromArray(F, x, xo + t);
            // u = −|x| (the sign bit set), clamped below at −104 on the bits (a NaN too; it is put back at the end)
            IntVector xb = v.reinterpretAsInts();
            FloatVector u = xb.or(FloatSigmoid.SIGN).min(FloatSigmoid.LOWEST_BITS).reinterpretAsFloats();
            // k = round(u / ln 2): tv = u·(1/ln 2) + 1.5·2²³ rounded once, its last bits hold k
            FloatVector tv = u.fma(INV_LN2, SHIFTER);
            FloatVector k = tv.sub(SHIFTER);
            // r = u − k·ln 2, ln 2 in two parts
            FloatVector r = k.fma(NEG_LN2_HI, u);
            r = k.fma(NEG_LN2_LO, r);
            // e^r · 2⁻⁶⁴ = 2⁻⁶⁴ + r(2⁻⁶⁴ + r(2⁻⁶⁴/2 + … + r·2⁻⁶⁴/7!))
            FloatVector p = r.fma(C7, C6);
            p = p.fma(r, C5);
            p = p.fma(r, C4);
            p = p.fma(r, C3);
            p = p.fma(r, C2);
            p = p.fma(r, C1);
            p = p.fma(r, C0);
            // e = (e^r · 2⁻⁶⁴) · 2^(k+64): k + 64 + 127 in the exponent bits
            FloatVector scale = tv.reinterpretAsInts().add(FloatSigmoid.BIAS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector e = p.mul(scale);
            // σ = (x ≥ 0 ? 1 : e) / (1 + e), the numerator chosen by x's sign bit on the bits (e where it is set, 1 where
            // not), and a NaN x as it came
            IntVector negative = xb.lanewise(VectorOperators.ASHR, 31);
            FloatVector num = e.reinterpretAsInts().sub(FloatSigmoid.ONE_BITS).and(negative).add(FloatSigmoid.ONE_BITS).reinterpretAsFloats();
            FloatVector s = num.div(e.add(ONE));
            s.blend(v, v.compare(VectorOperators.NE, v)).intoArray(out, o + t);
        }
        for (; t < n; t++) out[o + t] = FloatSigmoid.sigmoid(x[xo + t]);
    }
}
