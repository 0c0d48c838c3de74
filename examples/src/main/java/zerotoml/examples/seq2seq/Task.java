package zerotoml.examples.seq2seq;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The synthetic sequence-to-sequence tasks: a source is a string of 1..L random digits, the target
 * is the same digits reversed or sorted ascending. Tokens: PAD = 0, BOS = 1, EOS = 2, digit d = 3 + d.
 *
 * <p>A batch holds, for B examples padded to the longest length L:
 * {@code source} [B·L] (digits, then PAD) with {@code sourceValid} (true on digits);
 * {@code decoderInput} [B·(L+1)] = BOS, target digits, PAD…  (teacher forcing);
 * {@code decoderTarget} [B·(L+1)] = target digits, EOS, PAD…; and {@code targetValid}
 * marking the positions that count in the loss (the digits and the EOS).
 */
public final class Task {
    private Task() {}

    public static final int PAD = 0, BOS = 1, EOS = 2, DIGIT0 = 3, VOCAB = 13;

    public enum Kind {
        REVERSE, SORT;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The target digits for source digits (0..9). */
    public static int[] target(Kind kind, int[] digits) {
        int[] t = new int[digits.length];
        if (kind == Kind.REVERSE) {
            for (int i = 0; i < t.length; i++) t[i] = digits[digits.length - 1 - i];
        } else {
            t = digits.clone();
            Arrays.sort(t);
        }
        return t;
    }

    /** One random string of 1..maxLength digits. */
    public static int[] randomDigits(SplittableRandom r, int maxLength) {
        int[] d = new int[1 + r.nextInt(maxLength)];
        for (int i = 0; i < d.length; i++) d[i] = r.nextInt(10);
        return d;
    }

    /** {@code count} distinct strings drawn from {@code seed}: the held-out set. */
    public static List<int[]> heldOut(long seed, int maxLength, int count) {
        SplittableRandom r = new SplittableRandom(seed);
        Set<String> seen = new HashSet<>();
        java.util.ArrayList<int[]> out = new java.util.ArrayList<>();
        long space = 0;
        for (int l = 1; l <= maxLength && space < Long.MAX_VALUE / 10; l++) space += (long) Math.pow(10, l);
        if (count > space / 2) throw new IllegalArgumentException("seq2seq: " + count + " held-out strings are more than half of the " + space + " strings of length 1.." + maxLength);
        while (out.size() < count) {
            int[] d = randomDigits(r, maxLength);
            if (seen.add(key(d))) out.add(d);
        }
        return List.copyOf(out);
    }

    static String key(int[] digits) {
        StringBuilder s = new StringBuilder();
        for (int d : digits) s.append((char) ('0' + d));
        return s.toString();
    }

    /** A padded batch; see the class comment. */
    public record Batch(int size, int sourceTime, int[] source, boolean[] sourceValid, int targetTime, int[] decoderInput, int[] decoderTarget,
                        boolean[] targetValid, List<int[]> sources, List<int[]> targets) {}

    /** The training batch of step {@code step}: a pure function of (seed, step), never a held-out string. */
    public static Batch trainingBatch(Kind kind, long seed, int step, int size, int maxLength, Set<String> exclude) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
        java.util.ArrayList<int[]> xs = new java.util.ArrayList<>();
        while (xs.size() < size) {
            int[] d = randomDigits(r, maxLength);
            if (!exclude.contains(key(d))) xs.add(d);
        }
        return batch(kind, xs, maxLength);
    }

    /** Pads {@code sources} to maxLength and builds the teacher-forcing inputs and targets. */
    public static Batch batch(Kind kind, List<int[]> sources, int maxLength) {
        int b = sources.size(), s = maxLength, t = maxLength + 1;
        int[] src = new int[b * s], in = new int[b * t], tgt = new int[b * t];
        boolean[] sv = new boolean[b * s], tv = new boolean[b * t];
        java.util.ArrayList<int[]> targets = new java.util.ArrayList<>();
        for (int i = 0; i < b; i++) {
            int[] d = sources.get(i);
            if (d.length < 1 || d.length > maxLength) throw new IllegalArgumentException("seq2seq: a source of length " + d.length + " is not in 1.." + maxLength);
            int[] y = target(kind, d);
            targets.add(y);
            for (int j = 0; j < d.length; j++) {
                src[i * s + j] = DIGIT0 + d[j];
                sv[i * s + j] = true;
            }
            in[i * t] = BOS;
            for (int j = 0; j < y.length; j++) {
                in[i * t + 1 + j] = DIGIT0 + y[j];
                tgt[i * t + j] = DIGIT0 + y[j];
                tv[i * t + j] = true;
            }
            tgt[i * t + y.length] = EOS;
            tv[i * t + y.length] = true;
        }
        return new Batch(b, s, src, sv, t, in, tgt, tv, List.copyOf(sources), List.copyOf(targets));
    }
}
