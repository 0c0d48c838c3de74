package zerotoml.scratch.cnn;

/**
 * A guide to convolution arithmetic for deep learning (Dumoulin &amp; Visin, arXiv 1603.07285).
 *
 * <p>The paper's fifteen numbered relationships between input size i, kernel size k, stride s,
 * zero padding p, dilation d and output size o, one per axis, each as a function named by its
 * number, plus the general forms the ops use ({@link #outputSize}, {@link #transposedOutputSize},
 * {@link #poolOutputSize}) and the padding helpers {@code valid}, {@code same} and {@code full}.
 *
 * <p>The ops that realise them: {@link Convolution#conv} (Relationships 1–6 and 15),
 * {@link TransposedConvolution#convTranspose} (8–14, built literally as the paper's construction:
 * stretch the input with s − 1 zeros, pad with k − p − 1 plus a on the far side, convolve with the
 * flipped kernel at unit stride), and {@link Pooling} (7, plus PyTorch's ceil mode).
 *
 * <p>Java's {@code /} truncates toward zero; the sizes use {@link Math#floorDiv}, as ATen's
 * {@code div_rtn} does, so that a kernel that does not fit gives a size below 1 instead of 1.
 */
public final class ConvolutionArithmetic {
    private ConvolutionArithmetic() {}

    // ------------------------------------------------------------------ the paper's relationships

    /** Relationship 1: no padding, unit stride.  o = (i − k) + 1. */
    public static int relationship1(int i, int k) {
        return (i - k) + 1;
    }

    /** Relationship 2: zero padding p, unit stride.  o = (i − k) + 2p + 1. */
    public static int relationship2(int i, int k, int p) {
        return (i - k) + 2 * p + 1;
    }

    /** Relationship 3: half (same) padding, k = 2n + 1 odd, p = ⌊k/2⌋, s = 1.  o = i. */
    public static int relationship3(int i, int k) {
        requireOdd("relationship3", k);
        return i;
    }

    /** Relationship 4: full padding p = k − 1, unit stride.  o = i + (k − 1). */
    public static int relationship4(int i, int k) {
        return i + (k - 1);
    }

    /** Relationship 5: no padding, stride s.  o = ⌊(i − k)/s⌋ + 1. */
    public static int relationship5(int i, int k, int s) {
        return Math.floorDiv(i - k, s) + 1;
    }

    /** Relationship 6: the general case.  o = ⌊(i + 2p − k)/s⌋ + 1. */
    public static int relationship6(int i, int k, int s, int p) {
        return Math.floorDiv(i + 2 * p - k, s) + 1;
    }

    /** Relationship 7: pooling (no padding).  o = ⌊(i − k)/s⌋ + 1. */
    public static int relationship7(int i, int k, int s) {
        return Math.floorDiv(i - k, s) + 1;
    }

    /** Relationship 8: transposed of (s = 1, p = 0): k' = k, s' = 1, p' = k − 1.  o' = i' + (k − 1). */
    public static int relationship8(int iT, int k) {
        return iT + (k - 1);
    }

    /** Relationship 9: transposed of (s = 1, p): p' = k − p − 1.  o' = i' + (k − 1) − 2p. */
    public static int relationship9(int iT, int k, int p) {
        return iT + (k - 1) - 2 * p;
    }

    /** Relationship 10: transposed of half padding (k odd): p' = p.  o' = i'. */
    public static int relationship10(int iT, int k) {
        requireOdd("relationship10", k);
        return iT;
    }

    /** Relationship 11: transposed of full padding: p' = 0.  o' = i' − (k − 1). */
    public static int relationship11(int iT, int k) {
        return iT - (k - 1);
    }

    /** Relationship 12: transposed of (p = 0, s) when s divides i − k: stretched input, p' = k − 1.  o' = s(i' − 1) + k. */
    public static int relationship12(int iT, int k, int s) {
        return s * (iT - 1) + k;
    }

    /** Relationship 13: transposed of (p, s) when s divides i + 2p − k: p' = k − p − 1.  o' = s(i' − 1) + k − 2p. */
    public static int relationship13(int iT, int k, int s, int p) {
        return s * (iT - 1) + k - 2 * p;
    }

    /** Relationship 14: transposed of (p, s) in general, a = (i + 2p − k) mod s.  o' = s(i' − 1) + a + k − 2p. */
    public static int relationship14(int iT, int k, int s, int p, int a) {
        return s * (iT - 1) + a + k - 2 * p;
    }

    /** Relationship 15: dilation d, effective kernel k̂ = k + (k − 1)(d − 1).  o = ⌊(i + 2p − k − (k − 1)(d − 1))/s⌋ + 1. */
    public static int relationship15(int i, int k, int s, int p, int d) {
        return Math.floorDiv(i + 2 * p - k - (k - 1) * (d - 1), s) + 1;
    }

    /** The size of the output of Relationship 14 that makes ConvTranspose(Conv(x)) return to i: a = (i + 2p − k) mod s. */
    public static int outputPaddingFor(int i, int k, int s, int p) {
        return Math.floorMod(i + 2 * p - k, s);
    }

    // ------------------------------------------------------------------ the general forms the ops use

    /** The dilated kernel's extent k̂ = d(k − 1) + 1. */
    public static int effectiveKernel(int k, int d) {
        return d * (k - 1) + 1;
    }

    /**
     * Relationship 15 with padding per side: o = ⌊(i + pLo + pHi − d(k − 1) − 1)/s⌋ + 1. It is
     * Relationship 6 when d = 1 and pLo = pHi, PyTorch's {@code Conv{1,2,3}d} formula.
     */
    public static int outputSize(int i, int k, int s, int padLo, int padHi, int d) {
        return Math.floorDiv(i + padLo + padHi - effectiveKernel(k, d), s) + 1;
    }

    /**
     * Relationship 14 with dilation: o' = s(i' − 1) − 2p + d(k − 1) + a + 1 (PyTorch's
     * {@code ConvTranspose} formula, with a = output_padding).
     */
    public static int transposedOutputSize(int iT, int k, int s, int p, int a, int d) {
        return s * (iT - 1) - 2 * p + d * (k - 1) + a + 1;
    }

    /**
     * Relationship 7 with padding and dilation, and PyTorch's ceil mode: the size is rounded up,
     * but a last window that would start in the right padding is dropped (ATen
     * {@code pooling_output_shape_pad_lr}).
     */
    public static int poolOutputSize(int i, int k, int s, int p, int d, boolean ceilMode) {
        int o = Math.floorDiv(i + 2 * p - effectiveKernel(k, d) + (ceilMode ? s - 1 : 0), s) + 1;
        // the last window must start inside the input or the left padding
        if (ceilMode && (o - 1) * s >= i + p) o--;
        return o;
    }

    // ------------------------------------------------------------------ padding helpers, {lo, hi}

    /** No padding: Relationships 1 and 5. */
    public static int[] validPadding(int k, int d) {
        return new int[] {0, 0};
    }

    /**
     * Half ("same") padding, Relationship 3 generalised: a total of d(k − 1) zeros, the extra one
     * on the high side when it is odd (even kernels), as PyTorch's {@code padding='same'} does.
     */
    public static int[] samePadding(int k, int d) {
        int total = d * (k - 1);
        return new int[] {total / 2, total - total / 2};
    }

    /** Full padding, Relationship 4 generalised: d(k − 1) zeros on each side. */
    public static int[] fullPadding(int k, int d) {
        return new int[] {d * (k - 1), d * (k - 1)};
    }

    private static void requireOdd(String op, int k) {
        if (k % 2 == 0) throw new IllegalArgumentException(op + ": half padding needs an odd kernel size k = 2n + 1, got k = " + k);
    }
}
