package zerotoml.scratch.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register tiles of {@link Matmul} with the incubating Vector API: 6 rows × 2 vectors of C
 * (12 accumulators), one broadcast of A and one fused multiply-add per vector and step. Lane by
 * lane this is the scalar tile's arithmetic ({@code fma} is {@link Math#fma} per lane, {@code add}
 * is +), so both give the same bits. Loaded only when {@link Backend#VECTOR} is true.
 *
 * <p>Also the tile whose A is read in place from a zero-padded input ({@link #paddedTile}, the
 * convolution's products in {@link DirectConv}); the convolution's other vector loops are in
 * {@link VectorConv}. The oracle is the scalar tile of {@link PackedMatmul} ({@code MatmulTest}).
 *
 * <p>A tile calls no method of ours: every call in it is the Vector API's own, which C2 always inlines
 * (they are {@code @ForceInline}). A helper of ours that takes a vector may be left out of line when the
 * compile has grown past {@code NodeCountInliningCutoff}, and then every vector passed to it is boxed. On JDK
 * 17 that happened by the run: with the tile's stores through a helper {@code add(c, o, lo, hi)}, one 150-step
 * tiny-lm run in four (four of eleven across sessions) compiled the float tile with its sixth {@code add} out
 * of line ({@code -XX:+LogCompilation}: {@code inline_fail reason='NodeCountInliningCutoff'} in the tile's
 * C2 compiles, in that run only) and trained 3x slower (67 against 21-25 s, AMD EPYC Zen 5).
 * {@code VectorKernelsTest} holds this class to it. The tile also needs every float vector in the JVM to be of its
 * class: with a half-width one elsewhere (VectorExp's, until the fifteenth session), C2 could inline the tile's
 * stores for that class and run its fmas through the Java fallback (VectorExp's class comment).
 */
final class VectorMatmul {
    private VectorMatmul() {}

    static final VectorSpecies<Double> D = VectorSpecies.of(double.class, shape());
    static final VectorSpecies<Float> F = VectorSpecies.of(float.class, shape());

    /**
     * Every kernel's vectors: {@code -Dzerotoml.vectorBits=128|256|512} if given, else the platform's preferred size,
     * on every JDK. Until the thirteenth session JDK 17 was held to 256 bits, because its tile ran slower at 512
     * (14 against 33 GFLOP/s, f64, 512² products). That was the boxing described in the class comment, not the
     * width: with the tile's stores written out, JDK 17 at 512 bits on the AMD EPYC (Zen 5) machine of
     * notes/Performance.md, one thread, ran the f32 1024² product in 14.4 against 27.7 ms and the f64 one in 28.7
     * against 54.4 ms, the plain, strided and dilated convolutions' forward + backward 1.3-2.6x faster by the
     * median, and 150 tiny-lm steps in 18.6-22.6 against 20.1-26.7 s.
     */
    static VectorShape shape() {
        VectorShape given = given();
        return given != null ? given : VectorShape.preferredShape();
    }

    private static VectorShape given() {
        String bits = System.getProperty("zerotoml.vectorBits");
        if (bits == null) return null;
        try {
            return VectorShape.forBitSize(Integer.parseInt(bits.trim()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("zerotoml.vectorBits: expected 64, 128, 256 or 512, got '" + bits + "'", e);
        }
    }
    static final int LD = D.length(), LF = F.length();

    /** Tile height (rows of C). */
    static final int MR = 6;
    /** Tile width in doubles and in floats: two vectors. */
    static final int NR_D = 2 * LD, NR_F = 2 * LF;

    static String describe() {
        return D.vectorBitSize() + "-bit vectors: " + LD + " doubles or " + LF + " floats";
    }

    // acc[r][q] = Σ_p aPack[r,p] · bPack[p,q] (fma chain from 0), then C[i+r, j+q] += acc[r][q] where the entry exists
    static void tile(double[] aPack, int ao, double[] bPack, int bo, int kb, double[] c, int cOff, int n,
                     int i, int j, int rows, int cols) {
        DoubleVector z = DoubleVector.zero(D);
        DoubleVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        for (int p = 0; p < kb; p++) {
            int ap = ao + p * MR, bp = bo + p * NR_D;
            DoubleVector b0 = DoubleVector.fromArray(D, bPack, bp), b1 = DoubleVector.fromArray(D, bPack, bp + LD);
            DoubleVector a = DoubleVector.broadcast(D, aPack[ap]);
            c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
            a = DoubleVector.broadcast(D, aPack[ap + 1]);
            c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
            a = DoubleVector.broadcast(D, aPack[ap + 2]);
            c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
            a = DoubleVector.broadcast(D, aPack[ap + 3]);
            c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
            a = DoubleVector.broadcast(D, aPack[ap + 4]);
            c40 = a.fma(b0, c40); c41 = a.fma(b1, c41);
            a = DoubleVector.broadcast(D, aPack[ap + 5]);
            c50 = a.fma(b0, c50); c51 = a.fma(b1, c51);
        }
        int o = cOff + i * n + j;
        if (rows == MR && cols == NR_D) {
            // C[i+r, j..j+2L) += (c_r0, c_r1), written out: not looped over an array (that would box the
            // accumulators) and not through a helper method, which JDK 17's C2 may refuse to inline
            // (NodeCountInliningCutoff; only the Vector API's own methods are force-inlined), boxing the vectors
            // passed to it and running the whole tile 3x slower (see the class comment)
            DoubleVector.fromArray(D, c, o).add(c00).intoArray(c, o);
            DoubleVector.fromArray(D, c, o + LD).add(c01).intoArray(c, o + LD);
            DoubleVector.fromArray(D, c, o + n).add(c10).intoArray(c, o + n);
            DoubleVector.fromArray(D, c, o + n + LD).add(c11).intoArray(c, o + n + LD);
            DoubleVector.fromArray(D, c, o + 2 * n).add(c20).intoArray(c, o + 2 * n);
            DoubleVector.fromArray(D, c, o + 2 * n + LD).add(c21).intoArray(c, o + 2 * n + LD);
            DoubleVector.fromArray(D, c, o + 3 * n).add(c30).intoArray(c, o + 3 * n);
            DoubleVector.fromArray(D, c, o + 3 * n + LD).add(c31).intoArray(c, o + 3 * n + LD);
            DoubleVector.fromArray(D, c, o + 4 * n).add(c40).intoArray(c, o + 4 * n);
            DoubleVector.fromArray(D, c, o + 4 * n + LD).add(c41).intoArray(c, o + 4 * n + LD);
            DoubleVector.fromArray(D, c, o + 5 * n).add(c50).intoArray(c, o + 5 * n);
            DoubleVector.fromArray(D, c, o + 5 * n + LD).add(c51).intoArray(c, o + 5 * n + LD);
            return;
        }
        // an edge tile: through a small buffer (each vector stored by name: an array of vectors would box them)
        double[] t = new double[MR * NR_D];
        c00.intoArray(t, 0); c01.intoArray(t, LD); c10.intoArray(t, 2 * LD); c11.intoArray(t, 3 * LD);
        c20.intoArray(t, 4 * LD); c21.intoArray(t, 5 * LD); c30.intoArray(t, 6 * LD); c31.intoArray(t, 7 * LD);
        c40.intoArray(t, 8 * LD); c41.intoArray(t, 9 * LD); c50.intoArray(t, 10 * LD); c51.intoArray(t, 11 * LD);
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < cols; q++) c[o + r * n + q] += t[r * NR_D + q];
        }
    }

    // the float twin: float accumulators, float fma
    static void tile(float[] aPack, int ao, float[] bPack, int bo, int kb, float[] c, int cOff, int n,
                     int i, int j, int rows, int cols) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        for (int p = 0; p < kb; p++) {
            int ap = ao + p * MR, bp = bo + p * NR_F;
            FloatVector b0 = FloatVector.fromArray(F, bPack, bp), b1 = FloatVector.fromArray(F, bPack, bp + LF);
            FloatVector a = FloatVector.broadcast(F, aPack[ap]);
            c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(F, aPack[ap + 1]);
            c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(F, aPack[ap + 2]);
            c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(F, aPack[ap + 3]);
            c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(F, aPack[ap + 4]);
            c40 = a.fma(b0, c40); c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(F, aPack[ap + 5]);
            c50 = a.fma(b0, c50); c51 = a.fma(b1, c51);
        }
        int o = cOff + i * n + j;
        if (rows == MR && cols == NR_F) {
            // written out, as in the double tile
            FloatVector.fromArray(F, c, o).add(c00).intoArray(c, o);
            FloatVector.fromArray(F, c, o + LF).add(c01).intoArray(c, o + LF);
            FloatVector.fromArray(F, c, o + n).add(c10).intoArray(c, o + n);
            FloatVector.fromArray(F, c, o + n + LF).add(c11).intoArray(c, o + n + LF);
            FloatVector.fromArray(F, c, o + 2 * n).add(c20).intoArray(c, o + 2 * n);
            FloatVector.fromArray(F, c, o + 2 * n + LF).add(c21).intoArray(c, o + 2 * n + LF);
            FloatVector.fromArray(F, c, o + 3 * n).add(c30).intoArray(c, o + 3 * n);
            FloatVector.fromArray(F, c, o + 3 * n + LF).add(c31).intoArray(c, o + 3 * n + LF);
            FloatVector.fromArray(F, c, o + 4 * n).add(c40).intoArray(c, o + 4 * n);
            FloatVector.fromArray(F, c, o + 4 * n + LF).add(c41).intoArray(c, o + 4 * n + LF);
            FloatVector.fromArray(F, c, o + 5 * n).add(c50).intoArray(c, o + 5 * n);
            FloatVector.fromArray(F, c, o + 5 * n + LF).add(c51).intoArray(c, o + 5 * n + LF);
            return;
        }
        // an edge tile: through a small buffer (each vector stored by name: an array of vectors would box them)
        float[] t = new float[MR * NR_F];
        c00.intoArray(t, 0); c01.intoArray(t, LF); c10.intoArray(t, 2 * LF); c11.intoArray(t, 3 * LF);
        c20.intoArray(t, 4 * LF); c21.intoArray(t, 5 * LF); c30.intoArray(t, 6 * LF); c31.intoArray(t, 7 * LF);
        c40.intoArray(t, 8 * LF); c41.intoArray(t, 9 * LF); c50.intoArray(t, 10 * LF); c51.intoArray(t, 11 * LF);
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < cols; q++) c[o + r * n + q] += t[r * NR_F + q];
        }
    }

    // ------------------------------------------------------------------ the convolution's products on the padded input (DirectConv)

    /**
     * One tile of a product whose A is read where it lies in a zero-padded input:
     * A(i, p) = xpad[rowBase[i] + kOff[p]], so acc[r][q] = Σ_p fma chain from 0 of
     * xpad[rowBase[ir + r] + kOff[p0 + p]] · bPack[p, q] over one block p0 .. p0 + kb, then
     * C[ir + r, j + q] += acc[r][q] where the entry exists: the float tile's arithmetic with A read in
     * place of its packed copy. The convolution's ∂w (rows the taps (ci, t), depth the outputs) and
     * its transposed forward product (rows the outputs, depth the taps) are both of this form.
     */
    static void paddedTile(float[] xpad, int[] rowBase, int ir, int[] kOff, int p0, int kb, float[] bPack, int bo, float[] c, int n,
                           int j, int rows, int cols) {
        int r0 = rowBase[ir], r1 = rowBase[ir + 1], r2 = rowBase[ir + 2], r3 = rowBase[ir + 3], r4 = rowBase[ir + 4], r5 = rowBase[ir + 5];
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        for (int p = 0; p < kb; p++) {
            int bp = bo + p * NR_F, x = kOff[p0 + p];
            FloatVector b0 = FloatVector.fromArray(F, bPack, bp), b1 = FloatVector.fromArray(F, bPack, bp + LF);
            FloatVector a = FloatVector.broadcast(F, xpad[r0 + x]);
            c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(F, xpad[r1 + x]);
            c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(F, xpad[r2 + x]);
            c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(F, xpad[r3 + x]);
            c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(F, xpad[r4 + x]);
            c40 = a.fma(b0, c40); c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(F, xpad[r5 + x]);
            c50 = a.fma(b0, c50); c51 = a.fma(b1, c51);
        }
        int o = ir * n + j;
        if (rows == MR && cols == NR_F) {
            // written out, as in the double tile
            FloatVector.fromArray(F, c, o).add(c00).intoArray(c, o);
            FloatVector.fromArray(F, c, o + LF).add(c01).intoArray(c, o + LF);
            FloatVector.fromArray(F, c, o + n).add(c10).intoArray(c, o + n);
            FloatVector.fromArray(F, c, o + n + LF).add(c11).intoArray(c, o + n + LF);
            FloatVector.fromArray(F, c, o + 2 * n).add(c20).intoArray(c, o + 2 * n);
            FloatVector.fromArray(F, c, o + 2 * n + LF).add(c21).intoArray(c, o + 2 * n + LF);
            FloatVector.fromArray(F, c, o + 3 * n).add(c30).intoArray(c, o + 3 * n);
            FloatVector.fromArray(F, c, o + 3 * n + LF).add(c31).intoArray(c, o + 3 * n + LF);
            FloatVector.fromArray(F, c, o + 4 * n).add(c40).intoArray(c, o + 4 * n);
            FloatVector.fromArray(F, c, o + 4 * n + LF).add(c41).intoArray(c, o + 4 * n + LF);
            FloatVector.fromArray(F, c, o + 5 * n).add(c50).intoArray(c, o + 5 * n);
            FloatVector.fromArray(F, c, o + 5 * n + LF).add(c51).intoArray(c, o + 5 * n + LF);
            return;
        }
        float[] t = new float[MR * NR_F];
        c00.intoArray(t, 0); c01.intoArray(t, LF); c10.intoArray(t, 2 * LF); c11.intoArray(t, 3 * LF);
        c20.intoArray(t, 4 * LF); c21.intoArray(t, 5 * LF); c30.intoArray(t, 6 * LF); c31.intoArray(t, 7 * LF);
        c40.intoArray(t, 8 * LF); c41.intoArray(t, 9 * LF); c50.intoArray(t, 10 * LF); c51.intoArray(t, 11 * LF);
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < cols; q++) c[o + r * n + q] += t[r * NR_F + q];
        }
    }
}
