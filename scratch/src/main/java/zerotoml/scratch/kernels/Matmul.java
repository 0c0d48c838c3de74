package zerotoml.scratch.kernels;

import java.util.stream.IntStream;

/**
 * C[m,n] = A[m,k] · B[k,n] on row-major slices of double arrays. {@link #naive} is the oracle
 * (three loops, textbook order); {@link #fast} is what ops call, and a test holds the two equal.
 */
public final class Matmul {
    private Matmul() {}

    /** Below this many multiply-adds the work is not split across threads. */
    private static final long PARALLEL_THRESHOLD = 1L << 18;
    private static final int BLOCK_K = 128;

    /** c[i,j] = Σ_p a[i,p] b[p,j], overwriting c. */
    public static void naive(double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int m, int k, int n) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += a[aOff + i * k + p] * b[bOff + p * n + j];
                c[cOff + i * n + j] = s;
            }
        }
    }

    /** The same product with i-p-j loop order (unit stride in the inner loop), k-blocking and row-parallelism. */
    public static void fast(double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int m, int k, int n) {
        java.util.Arrays.fill(c, cOff, cOff + m * n, 0.0);
        if ((long) m * k * n < PARALLEL_THRESHOLD || m < 4) {
            rows(a, aOff, b, bOff, c, cOff, 0, m, k, n);
            return;
        }
        int chunks = Math.min(m, 4 * Runtime.getRuntime().availableProcessors());
        IntStream.range(0, chunks).parallel().forEach(t -> {
            int lo = (int) ((long) m * t / chunks);
            int hi = (int) ((long) m * (t + 1) / chunks);
            rows(a, aOff, b, bOff, c, cOff, lo, hi, k, n);
        });
    }

    private static void rows(double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, int lo, int hi, int k, int n) {
        for (int p0 = 0; p0 < k; p0 += BLOCK_K) {
            int p1 = Math.min(k, p0 + BLOCK_K);
            for (int i = lo; i < hi; i++) {
                int ci = cOff + i * n;
                int ai = aOff + i * k;
                for (int p = p0; p < p1; p++) {
                    double av = a[ai + p];
                    if (av == 0) continue;
                    int bp = bOff + p * n;
                    for (int j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
                }
            }
        }
    }
}
