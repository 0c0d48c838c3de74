package zerotoml.scratch.random;

import java.util.Arrays;
import java.util.stream.IntStream;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Shape;
import zerotoml.scratch.tensor.Tensor;

/**
 * The one source of randomness for tensors: a counter-based generator, so that the same seed gives
 * the same numbers whatever the number of threads.
 *
 * <p>An {@code Rng} is an immutable 64-bit key, not a mutable stream. Draw number c of a key k is
 * a pure function of (k, c): {@code bits(c) = mix64(k + (c + 1)·γ)} with γ the 64-bit golden
 * ratio and {@code mix64} the SplitMix64 finaliser (Steele, Lea and Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014). For c = 0, 1, 2, … these are exactly the
 * numbers {@code new java.util.SplittableRandom(k).nextLong()} returns one after another, so the
 * quality is SplittableRandom's; but element i of a tensor reads draw i directly, so a tensor may be
 * filled by any number of threads in any order and come out bit for bit the same.
 *
 * <p>As in JAX, the same key asked twice gives the same numbers. For fresh numbers, {@link #split}
 * the key: {@code rng.split(0)}, {@code rng.split(1)}, … (or {@code rng.split("noise")}) are
 * independent keys, and a training loop typically uses {@code rng.split(step)}.
 *
 * <p>Each sampler states the distribution it draws from; {@code RngTest} checks every one with a
 * Kolmogorov–Smirnov or χ² test at fixed seeds.
 */
public final class Rng {
    /** γ, the odd 64-bit constant ⌊2⁶⁴/φ⌋ that SplitMix64 adds per draw. */
    static final long GOLDEN = 0x9E3779B97F4A7C15L;
    /** A second odd constant, for deriving child keys, so that a child key is not a draw of its parent. */
    private static final long SPLIT = 0xD1B54A32D192ED03L;
    /** 2⁻⁵³, the spacing of the doubles in [0, 1) that {@link #uniform01} returns. */
    private static final double ULP53 = 0x1.0p-53;
    /** Tensors at least this large are filled in parallel (the values do not depend on it). */
    private static final int PARALLEL_FROM = 1 << 16;

    private final long key;

    private Rng(long key) {
        this.key = key;
    }

    /** The key for a seed. */
    public static Rng seed(long seed) {
        return new Rng(seed);
    }

    /** The 64-bit key (a checkpoint stores it to resume the same streams). */
    public long key() {
        return key;
    }

    /** Child key number {@code i}: independent of this key's draws and of every other child. */
    public Rng split(long i) {
        // k' = mix64(k ⊕ mix64((i + 1)·δ)): the child index is scrambled before it meets the key
        return new Rng(mix64(key ^ mix64((i + 1) * SPLIT)));
    }

    /** A child key named by a string (a stable hash of its characters), e.g. {@code split("dropout")}. */
    public Rng split(String name) {
        if (name == null) throw new IllegalArgumentException("Rng.split: name is null");
        long h = 0;
        for (int i = 0; i < name.length(); i++) h = mix64(h + name.charAt(i) * GOLDEN);
        return split(h);
    }

    // ------------------------------------------------------------------ raw draws

    /** The SplitMix64 finaliser: a bijection of 64-bit words that mixes every input bit into every output bit. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    // bits(c) = mix64(k + (c + 1)·γ)
    /** Draw number {@code counter} of this key: 64 uniformly random bits. */
    public long bits(long counter) {
        return mix64(key + (counter + 1) * GOLDEN);
    }

    // u = ⌊bits / 2¹¹⌋ · 2⁻⁵³ ∈ [0, 1)
    /** Draw {@code counter} as a double uniform on [0, 1), a multiple of 2⁻⁵³. */
    public double uniform01(long counter) {
        return (bits(counter) >>> 11) * ULP53;
    }

    // ------------------------------------------------------------------ tensors

    /** Element i's value from draw(s) at counter i; the same values whether filled by one thread or many. */
    private interface Element {
        double at(int i);
    }

    private static Tensor fill(String op, DType dtype, int[] shape, Element e) {
        if (dtype == null) throw new IllegalArgumentException(op + ": dtype is null");
        if (shape == null) throw new IllegalArgumentException(op + ": shape is null");
        Shape s = Shape.of(shape);
        double[] out = new double[s.size()];
        IntStream range = IntStream.range(0, out.length);
        (out.length >= PARALLEL_FROM ? range.parallel() : range).forEach(i -> out[i] = e.at(i));
        return Tensor.of(dtype, out, s);
    }

    // x = lo + (hi − lo)·u,  u ~ U[0, 1)
    /**
     * Uniform on [lo, hi) (torch.rand scaled). In F32 u has 24 random bits, so that rounding to float
     * can never reach hi.
     */
    public Tensor uniform(DType dtype, double lo, double hi, int... shape) {
        if (!(lo < hi) || !Double.isFinite(hi - lo)) {
            throw new IllegalArgumentException("uniform: need finite lo < hi, got lo " + lo + ", hi " + hi + " (shape " + Arrays.toString(shape) + ")");
        }
        if (dtype == DType.F32) {
            // u = ⌊bits / 2⁴⁰⌋ · 2⁻²⁴ ∈ [0, 1), exactly a float
            return fill("uniform", dtype, shape, i -> {
                double u = (bits(i) >>> 40) * 0x1.0p-24;
                double v = (float) (lo + (hi - lo) * u);
                return v < hi ? v : Math.nextDown((float) hi);
            });
        }
        return fill("uniform", dtype, shape, i -> {
            double v = lo + (hi - lo) * uniform01(i);
            return v < hi ? v : Math.nextDown(hi);
        });
    }

    // z = √(−2 ln u₁) · (cos 2πu₂ or sin 2πu₂),  u₁ ∈ (0, 1], u₂ ∈ [0, 1)  (Box–Muller, one pair per two elements)
    /**
     * Standard normal N(0, 1) (torch.randn). Elements 2j and 2j+1 are the two Box–Muller values of
     * the uniform pair at counters 2j and 2j+1.
     */
    public Tensor normal(DType dtype, int... shape) {
        return fill("normal", dtype, shape, this::standardNormal);
    }

    /** N(mean, std²). */
    public Tensor normal(DType dtype, double mean, double std, int... shape) {
        if (!(std >= 0) || !Double.isFinite(std) || !Double.isFinite(mean)) {
            throw new IllegalArgumentException("normal: need a finite mean and a finite std ≥ 0, got mean " + mean + ", std " + std);
        }
        return fill("normal", dtype, shape, i -> mean + std * standardNormal(i));
    }

    /** Element i of a standard normal tensor. */
    double standardNormal(int i) {
        int pair = i & ~1;
        // u₁ ∈ (0, 1]: never 0, so ln u₁ is finite
        double u1 = ((bits(pair) >>> 11) + 1) * ULP53;
        double u2 = uniform01(pair + 1);
        double r = Math.sqrt(-2 * Math.log(u1));
        double theta = 2 * Math.PI * u2;
        return (i & 1) == 0 ? r * Math.cos(theta) : r * Math.sin(theta);
    }

    // x = 1 if u < p else 0
    /** Bernoulli(p): 1 with probability p, else 0. */
    public Tensor bernoulli(DType dtype, double p, int... shape) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("bernoulli: p must be in [0, 1], got " + p);
        return fill("bernoulli", dtype, shape, i -> uniform01(i) < p ? 1 : 0);
    }

    /** Bernoulli with one probability per element (torch.bernoulli(p)); the result has p's shape and dtype. */
    public Tensor bernoulli(Tensor p) {
        if (p == null) throw new IllegalArgumentException("bernoulli: p is null");
        double[] probs = p.toArray();
        for (int i = 0; i < probs.length; i++) {
            if (!(probs[i] >= 0 && probs[i] <= 1)) {
                throw new IllegalArgumentException("bernoulli: p holds " + probs[i] + " at position " + i + ", not a probability in [0, 1] (p " + p.shape() + ")");
            }
        }
        return fill("bernoulli", p.dtype(), p.shape().dims(), i -> uniform01(i) < probs[i] ? 1 : 0);
    }

    // ------------------------------------------------------------------ integers

    // n = bits mod bound, redrawn (at the next counter) while bits falls in the incomplete last block
    /** An integer uniform on [0, bound), without modulo bias, from the draws at counters c, c+1, …; returns it and the next free counter. */
    private long[] below(int bound, long counter) {
        // r ∈ [0, 2⁶³); accept r < ⌊2⁶³ / bound⌋ · bound
        long limit = Long.MAX_VALUE - (Long.MAX_VALUE % bound + 1) % bound;
        while (true) {
            long r = bits(counter++) >>> 1;
            if (r <= limit) return new long[] {r % bound, counter};
        }
    }

    /** {@code n} integers uniform on [lo, hi) (torch.randint). */
    public int[] integers(int lo, int hi, int n) {
        if (lo >= hi) throw new IllegalArgumentException("integers: need lo < hi, got lo " + lo + ", hi " + hi);
        if (n < 0) throw new IllegalArgumentException("integers: n must be ≥ 0, got " + n);
        long span = (long) hi - lo;
        if (span > Integer.MAX_VALUE) throw new IllegalArgumentException("integers: range [" + lo + ", " + hi + ") is wider than 2³¹ − 1");
        int[] out = new int[n];
        // each value has its own child key, so value i does not depend on how many redraws value i−1 took
        for (int i = 0; i < n; i++) out[i] = lo + (int) split(i).below((int) span, 0)[0];
        return out;
    }

    // Fisher–Yates: for i = n−1 … 1, swap a[i] with a[j], j uniform on [0, i]
    /** A uniformly random permutation of 0 … n−1 (torch.randperm). */
    public int[] permutation(int n) {
        if (n < 0) throw new IllegalArgumentException("permutation: n must be ≥ 0, got " + n);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        long counter = 0;
        for (int i = n - 1; i > 0; i--) {
            long[] jc = below(i + 1, counter);
            counter = jc[1];
            int j = (int) jc[0];
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    // k = the first class whose cumulative probability exceeds u · Σ p,  u ~ U[0, 1)
    /**
     * Categorical draws, with replacement (torch.multinomial(probs, samples, replacement=True)):
     * {@code probs} [..., K] holds non-negative weights per row (they need not sum to 1, as in
     * torch.multinomial); the result holds {@code samples} classes per row, row-major, shaped
     * {@code probs.shape[:-1] + [samples]}. Sample s of row r uses the draw at counter r·samples + s.
     */
    public int[] categorical(Tensor probs, int samples) {
        if (probs == null) throw new IllegalArgumentException("categorical: probs is null");
        if (probs.rank() == 0 || probs.shape().dim(-1) == 0) {
            throw new IllegalArgumentException("categorical: probs must have a non-empty class axis, got shape " + probs.shape());
        }
        if (samples < 0) throw new IllegalArgumentException("categorical: samples must be ≥ 0, got " + samples + " (probs " + probs.shape() + ")");
        int k = probs.shape().dim(-1), rows = probs.size() / k;
        double[] p = probs.toArray();
        double[] cdf = new double[p.length];
        for (int r = 0; r < rows; r++) {
            double acc = 0;
            for (int c = 0; c < k; c++) {
                double v = p[r * k + c];
                if (!(v >= 0) || Double.isInfinite(v)) {
                    throw new IllegalArgumentException("categorical: probs holds " + v + " in row " + r + ", not a finite weight ≥ 0 (probs " + probs.shape() + ")");
                }
                acc += v;
                cdf[r * k + c] = acc;
            }
            if (!(acc > 0)) throw new IllegalArgumentException("categorical: row " + r + " of probs sums to " + acc + ", not > 0 (probs " + probs.shape() + ")");
        }
        int[] out = new int[rows * samples];
        for (int r = 0; r < rows; r++) {
            double total = cdf[r * k + k - 1];
            for (int s = 0; s < samples; s++) {
                double u = uniform01((long) r * samples + s) * total;
                int c = 0;
                // a zero-weight class never wins: its cdf equals its predecessor's, which u already passed
                while (c < k - 1 && !(u < cdf[r * k + c])) c++;
                // u · Σ p may round up to Σ p itself: then step back over trailing zero-weight classes
                while (c > 0 && p[r * k + c] == 0) c--;
                out[r * samples + s] = c;
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "Rng(key 0x" + Long.toHexString(key) + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rng r && r.key == key;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(key);
    }
}
