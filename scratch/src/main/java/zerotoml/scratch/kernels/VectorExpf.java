package zerotoml.scratch.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Expf}'s kernel with the incubating Vector API: the same float operations in the same order, a
 * full vector of float lanes a step (sixteen at 512 bits), the tail through the scalar path. Every lane's
 * bits are the scalar path's. Written out in one method, with no call of ours taking a vector (see
 * {@link VectorExp}'s class comment). x and out may be the same array. Loaded only when
 * {@link Backend#VECTOR} is true.
 */
final class VectorExpf {
    private VectorExpf() {}

    private static final VectorSpecies<Float> F = VectorMatmul.F;
    private static final int L = F.length();

    // the constants as vectors once (fma takes vectors; see VectorExp on broadcasts inside the loop)
    private static final FloatVector LOWEST = bc(Expf.LOWEST), HIGHEST = bc(Expf.HIGHEST), INV_LN2 = bc(Expf.INV_LN2),
            SHIFTER = bc(Expf.SHIFTER), NEG_LN2_HI = bc(Expf.NEG_LN2_HI), NEG_LN2_LO = bc(Expf.NEG_LN2_LO),
            C0 = bc(Expf.C0), C1 = bc(Expf.C1), C2 = bc(Expf.C2), C3 = bc(Expf.C3), C4 = bc(Expf.C4), C5 = bc(Expf.C5),
            C6 = bc(Expf.C6), C7 = bc(Expf.C7);

    private static FloatVector bc(float c) {
        return FloatVector.broadcast(F, c);
    }

    // y = (e^r · 2^k1) · 2^k2,  k1 = floor(k / 2),  k2 = k − k1,  k = round(x / ln 2),  r = x − k·ln 2,  x clamped to [−104, 89]
    static void exp(float[] x, int xo, float[] out, int o, int n) {
        int t = 0;
        for (; t <= n - L; t += L) {
            FloatVector v = FloatVector.fromArray(F, x, xo + t);
            // x clamped to [−104, 89] (a NaN stays a NaN and is put back at the end)
            FloatVector u = v.max(LOWEST).min(HIGHEST);
            // k = round(u / ln 2): tv = u·(1/ln 2) + 1.5·2²³ rounded once, its last bits hold k
            FloatVector tv = u.fma(INV_LN2, SHIFTER);
            FloatVector k = tv.sub(SHIFTER);
            // r = u − k·ln 2, ln 2 in two parts
            FloatVector r = k.fma(NEG_LN2_HI, u);
            r = k.fma(NEG_LN2_LO, r);
            // e^r = 1 + r(1 + r(1/2 + … + r/7!))
            FloatVector p = r.fma(C7, C6);
            p = p.fma(r, C5);
            p = p.fma(r, C4);
            p = p.fma(r, C3);
            p = p.fma(r, C2);
            p = p.fma(r, C1);
            p = p.fma(r, C0);
            // y = (e^r · 2^k1) · 2^k2, the powers written into the exponent bits
            IntVector ki = tv.reinterpretAsInts().sub(Expf.SHIFTER_BITS);
            IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1), k2 = ki.sub(k1);
            FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = k2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector y = p.mul(s1).mul(s2);
            y.blend(v, v.compare(VectorOperators.NE, v)).intoArray(out, o + t);
        }
        for (; t < n; t++) out[o + t] = Expf.exp(x[xo + t]);
    }
}
