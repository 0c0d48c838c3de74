package zerotoml.benchmarks;

import zerotoml.scratch.kernels.Backend;
import zerotoml.scratch.kernels.Expf;
import zerotoml.scratch.kernels.FloatExp;
import zerotoml.scratch.kernels.FloatSigmoid;
import zerotoml.scratch.kernels.Pointwise;
import zerotoml.scratch.kernels.Unary;

/**
 * The exhaustive check of {@link FloatExp}, {@link FloatSigmoid} and {@link Expf}: every one of the 2³² float bit patterns through
 * FloatExp's scalar exp, the tanh, the sigmoid and the float exp, each on the scalar path and (but FloatExp's exp, which has none; when
 * the JVM runs with {@code --add-modules jdk.incubator.vector}) the Vector API path, each compared bit for bit (raw bits, NaN payloads
 * included) with its oracle: {@code (float) Math.exp((double) x)}, {@link FloatExp#naiveTanh} and, for the sigmoid's and the float exp's
 * vector paths, their scalar paths;
 * the sigmoid's and the float exp's scalar paths against their references in double rounded ({@link FloatSigmoid#naive},
 * {@link Expf#naive}), in float ulps, failing above their {@code MAX_ULPS} (a NaN must give a NaN, and −0 and +0 count as one value); and relu's
 * float loop ({@code Unary.RELU}, a max-min form) against {@code x < 0 ? 0 : x}, NaN compared as NaN. It also reports how far the kernel's double y lies from
 * {@code Math.exp}'s double, in double ulps, over the inputs that are not clamped. A main run by
 * hand (a few minutes of one core), not a test: the build's {@code FloatExpTest} checks random
 * and edge inputs. Exit status 1 on any mismatch.
 *
 * <pre>
 * mvn -B -o -q -pl benchmarks -am process-classes -Dbench -Dbench.main=zerotoml.benchmarks.FloatExpExhaustive
 * </pre>
 */
public final class FloatExpExhaustive {
    private FloatExpExhaustive() {}

    public static void main(String[] args) {
        for (String line : Machine.describe()) System.out.println(line);
        System.out.println(Backend.describe());
        int block = 1 << 16;
        float[] x = new float[block], oracle = new float[block], scalar = new float[block];
        float[] sOracle = new float[block], sScalar = new float[block], sVector = new float[block];
        float[] tOracle = new float[block], tScalar = new float[block], tVector = new float[block], relu = new float[block];
        float[] eScalar = new float[block], eVector = new float[block];
        long reluBad = 0, scalarBad = 0, fallbacks = 0, checked = 0, tanhScalarBad = 0, tanhVectorBad = 0;
        double worstUlps = 0;
        float worstAt = 0;
        UlpTally sigmoid = new UlpTally("sigmoid", "σ in double rounded", FloatSigmoid.MAX_ULPS), expf = new UlpTally("float exp (Expf)", "Math.exp rounded", Expf.MAX_ULPS);
        long start = System.nanoTime();
        for (long base = 0; base < (1L << 32); base += block) {
            for (int i = 0; i < block; i++) x[i] = Float.intBitsToFloat((int) (base + i));
            for (int i = 0; i < block; i++) oracle[i] = (float) Math.exp(x[i]);
            for (int i = 0; i < block; i++) scalar[i] = FloatExp.exp(x[i]);
            for (int i = 0; i < block; i++) sOracle[i] = FloatSigmoid.naive(x[i]);
            FloatSigmoid.scalar(x, 0, sScalar, 0, block);
            if (Backend.VECTOR) FloatSigmoid.vector(x, 0, sVector, 0, block);
            Expf.scalar(x, 0, eScalar, 0, block);
            if (Backend.VECTOR) Expf.vector(x, 0, eVector, 0, block);
            for (int i = 0; i < block; i++) tOracle[i] = FloatExp.naiveTanh(x[i]);
            FloatExp.tanhScalar(x, 0, tScalar, 0, block);
            if (Backend.VECTOR) FloatExp.tanhVector(x, 0, tVector, 0, block);
            Pointwise.map(Unary.RELU, x, relu, block);
            for (int i = 0; i < block; i++) {
                // relu's max-min form against its definition, NaN as NaN (Java's max need not keep a NaN's payload)
                float wantR = x[i] < 0 ? 0f : x[i];
                if (Float.floatToIntBits(relu[i]) != Float.floatToIntBits(wantR) && reluBad++ < 20) {
                    System.out.println("relu mismatch at x = " + x[i] + " (" + Integer.toHexString((int) (base + i)) + "): " + relu[i] + " against " + wantR);
                }
                int want = Float.floatToRawIntBits(oracle[i]);
                if (Float.floatToRawIntBits(scalar[i]) != want) {
                    if (scalarBad++ < 20) System.out.println("scalar mismatch at x = " + x[i] + " (" + Integer.toHexString((int) (base + i)) + "): " + scalar[i] + " against " + oracle[i]);
                }
                // the sigmoid and the float exp: vector path = scalar path bit for bit; scalar path within MAX_ULPS of the double reference rounded
                sigmoid.add(x[i], sScalar[i], sOracle[i], sVector[i]);
                expf.add(x[i], eScalar[i], oracle[i], eVector[i]);
                int wantT = Float.floatToRawIntBits(tOracle[i]);
                if (Float.floatToRawIntBits(tScalar[i]) != wantT && tanhScalarBad++ < 20) {
                    System.out.println("scalar tanh mismatch at x = " + x[i] + ": " + tScalar[i] + " against " + tOracle[i]);
                }
                if (Backend.VECTOR && Float.floatToRawIntBits(tVector[i]) != wantT && tanhVectorBad++ < 20) {
                    System.out.println("vector tanh mismatch at x = " + x[i] + ": " + tVector[i] + " against " + tOracle[i]);
                }
                float v = x[i];
                if (v > FloatExp.LOWEST && v < FloatExp.HIGHEST) {
                    double y = FloatExp.approx(v), e = Math.exp(v);
                    double ulps = Math.abs(y - e) / Math.ulp(e);
                    if (ulps > worstUlps) {
                        worstUlps = ulps;
                        worstAt = v;
                    }
                    float lo = (float) (y * FloatExp.DOWN), hi = (float) (y * FloatExp.UP);
                    if (lo != hi) fallbacks++;
                    checked++;
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("exp (FloatExp, the double-lane polynomial and check), all 2^32 floats: mismatches %d; %.1f s%n", scalarBad, seconds);
        System.out.printf("inputs in (-110, 89): %d; kernel's double against Math.exp: at most %.3f ulps (x = %s); took Math.exp (two roundings disagree): %d%n",
                checked, worstUlps, Float.toString(worstAt), fallbacks);
        sigmoid.report();
        expf.report();
        System.out.printf("tanh, all 2^32 floats: scalar mismatches %d, vector mismatches %s%n", tanhScalarBad, Backend.VECTOR ? String.valueOf(tanhVectorBad) : "(not run)");
        System.out.printf("relu (Unary.RELU's float loop), all 2^32 floats: mismatches %d%n", reluBad);
        if (reluBad + scalarBad + sigmoid.bad() + expf.bad() + tanhScalarBad + tanhVectorBad > 0) System.exit(1);
    }
    /** A kernel computed in float: its vector path against its scalar path, and its scalar path's ulps from its reference. */
    private static final class UlpTally {
        final String name, reference;
        final int max;
        final long[] histogram = new long[8];
        long scalarBad, vectorBad, worst;
        float worstAt;

        UlpTally(String name, String reference, int max) {
            this.name = name;
            this.reference = reference;
            this.max = max;
        }

        void add(float x, float scalar, float want, float vector) {
            if (Backend.VECTOR && Float.floatToRawIntBits(vector) != Float.floatToRawIntBits(scalar) && vectorBad++ < 20) {
                System.out.println("vector " + name + " mismatch at x = " + x + ": " + vector + " against the scalar path's " + scalar);
            }
            long ulps = FloatSigmoid.ulpsApart(scalar, want);
            if (ulps >= 0 && ulps < histogram.length) histogram[(int) ulps]++;
            if (ulps > worst) {
                worst = ulps;
                worstAt = x;
            }
            if ((ulps < 0 || ulps > max) && scalarBad++ < 20) {
                System.out.println("scalar " + name + " off at x = " + x + ": " + scalar + " against " + reference + ", " + want);
            }
        }

        long bad() {
            return scalarBad + vectorBad;
        }

        void report() {
            System.out.printf("%s, all 2^32 floats: vector path against the scalar path, mismatches %s; scalar path against %s: at most %d ulps (x = %s), over %d allowed: %d; by distance 0, 1, 2, ... ulps: %s%n",
                    name, Backend.VECTOR ? String.valueOf(vectorBad) : "(not run)", reference, worst, Float.toString(worstAt), max, scalarBad,
                    java.util.Arrays.toString(histogram));
        }
    }
}
