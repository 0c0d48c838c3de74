package zerotoml.scratch.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded shuffling and batching. The order of epoch e is a Fisher–Yates shuffle driven by a
 * generator seeded from (seed, e) alone, so the same seed gives the same batches in every run,
 * and epoch e can be regenerated without replaying epochs 0..e−1 (what resuming needs).
 */
public final class Batches {
    private Batches() {}

    /** A permutation of 0..n−1 for this seed and epoch. */
    public static int[] permutation(int n, long seed, int epoch) {
        if (n < 0) throw new IllegalArgumentException("Batches.permutation: n must be >= 0, got " + n);
        if (epoch < 0) throw new IllegalArgumentException("Batches.permutation: epoch must be >= 0, got " + epoch);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        SplittableRandom r = new SplittableRandom(mix(seed, epoch));
        // Fisher–Yates: swap p[i] with a uniform p[j], j ≤ i
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /**
     * The batches of one epoch: index arrays of {@code batchSize} (the last one shorter unless
     * {@code dropLast}), in shuffled order when {@code shuffle}, else 0..n−1.
     */
    public static List<int[]> epoch(int n, int batchSize, boolean shuffle, boolean dropLast, long seed, int epoch) {
        if (batchSize < 1) throw new IllegalArgumentException("Batches.epoch: batchSize must be >= 1, got " + batchSize);
        if (n < 0) throw new IllegalArgumentException("Batches.epoch: n must be >= 0, got " + n);
        int[] order = shuffle ? permutation(n, seed, epoch) : identity(n);
        List<int[]> out = new ArrayList<>();
        for (int start = 0; start < n; start += batchSize) {
            int end = Math.min(n, start + batchSize);
            if (dropLast && end - start < batchSize) break;
            int[] b = new int[end - start];
            System.arraycopy(order, start, b, 0, b.length);
            out.add(b);
        }
        return out;
    }

    static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        return p;
    }

    /** SplitMix64 finaliser of (seed, epoch): nearby seeds and epochs give unrelated streams. */
    static long mix(long seed, int epoch) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xD1B54A32D192ED03L + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
