package zerotoml.scratch.transformer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Neural Machine Translation of Rare Words with Subword Units (Sennrich, Haddow &amp; Birch,
 * arXiv 1508.07909), in the byte-level form GPT-2 made standard: the alphabet is the 256 byte
 * values, so every string encodes and nothing is ever unknown.
 *
 * <p>Ids: byte {@code b} is id {@code b}; merge number {@code r} (its rank, 0-based) creates id
 * {@code 256 + r}. So the vocabulary size is {@code 256 + merges}.
 *
 * <p><b>Tie-break</b> (the paper leaves it open): among pairs with the highest count, the smallest
 * {@code (left id, right id)} wins, compared left id first. This is HF tokenizers' rule
 * ({@code trainer.rs}, {@code Merge::cmp}); it depends on nothing but the counts and the ids, not
 * on hash or insertion order, so the same corpus always gives the same merges.
 *
 * <p>Immutable. Persistence and the HuggingFace {@code tokenizer.json} export live in {@link BpeFiles}.
 */
public final class Bpe {
    /**
     * GPT-2's pre-split. {@code UNICODE_CHARACTER_CLASS} makes {@code \s} mean Unicode White_Space
     * (as in Oniguruma, which HF uses); without it Java's {@code \s} is ASCII only and U+00A0,
     * U+3000 ... would land in the punctuation class. {@code \p{L}}, {@code \p{N}} are Unicode
     * general categories either way (Java 17 knows Unicode 13.0).
     */
    public static final Pattern GPT2_SPLIT = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private final int[][] merges;               // merges[r] = {left, right}; creates id 256 + r
    private final Map<Long, Integer> ranks;     // key(left, right) -> r
    private final byte[][] bytes;               // id -> the bytes the token spells

    /** A tokenizer from its merge list (rank order). Each merge may only use ids that exist before it. */
    public Bpe(int[][] merges) {
        nonNull("bpe", "merges", merges);
        this.merges = new int[merges.length][];
        this.ranks = new HashMap<>();
        this.bytes = new byte[256 + merges.length][];
        for (int b = 0; b < 256; b++) bytes[b] = new byte[] {(byte) b};
        for (int r = 0; r < merges.length; r++) {
            int[] m = merges[r];
            if (m == null || m.length != 2 || m[0] < 0 || m[1] < 0 || m[0] >= 256 + r || m[1] >= 256 + r) {
                throw new IllegalArgumentException("bpe: merge " + r + " " + Arrays.toString(m)
                        + " must be two ids below " + (256 + r) + " (the ids that exist before it)");
            }
            if (ranks.putIfAbsent(key(m[0], m[1]), r) != null) {
                throw new IllegalArgumentException("bpe: merge " + r + " " + Arrays.toString(m) + " repeats merge " + ranks.get(key(m[0], m[1])));
            }
            this.merges[r] = m.clone();
            // bytes(256 + r) = bytes(left) ‖ bytes(right)
            bytes[256 + r] = concat(bytes[m[0]], bytes[m[1]]);
        }
    }

    /** Trains on {@code corpus} until the vocabulary has {@code vocabSize} tokens: {@code vocabSize − 256} merges. */
    public static Bpe train(String corpus, int vocabSize) {
        if (vocabSize < 256) throw new IllegalArgumentException("bpe train: vocabSize " + vocabSize + " is below the 256 byte tokens");
        Words w = words(corpus);
        return new Bpe(learnMerges(w.ids(), w.weights(), 256, vocabSize - 256));
    }

    /** The largest vocabulary {@code corpus} supports: 256 + the merges made until every pre-token is one token. */
    public static int maxVocabSize(String corpus) {
        Words w = words(corpus);
        return 256 + learn(w.ids(), w.weights(), 256, Integer.MAX_VALUE).size();
    }

    private record Words(List<int[]> ids, long[] weights) {}

    private static Words words(String corpus) {
        // 1. pre-split the corpus and count each distinct pre-token w: freq(w)
        Map<String, Long> freq = new LinkedHashMap<>();
        for (String w : preTokenize(corpus)) freq.merge(w, 1L, Long::sum);
        // 2. each pre-token becomes its UTF-8 bytes, byte b being symbol b
        List<int[]> words = new ArrayList<>();
        long[] weights = new long[freq.size()];
        for (Map.Entry<String, Long> e : freq.entrySet()) {
            weights[words.size()] = e.getValue();
            words.add(utf8Ids(e.getKey()));
        }
        return new Words(words, weights);
    }

    /**
     * Sennrich et al.'s Algorithm 1 over any integer alphabet: symbols are ids below {@code firstId},
     * merge r creates id {@code firstId + r}. Returns the {@code nMerges} merged pairs in rank order.
     */
    public static int[][] learnMerges(List<int[]> words, long[] weights, int firstId, int nMerges) {
        nonNull("bpe train", "words", words);
        nonNull("bpe train", "weights", weights);
        if (nMerges < 0) throw new IllegalArgumentException("bpe train: " + nMerges + " merges asked for; the count must be >= 0");
        List<int[]> out = learn(words, weights, firstId, nMerges);
        if (out.size() < nMerges) {
            throw new IllegalArgumentException("bpe train: the corpus supports only " + out.size() + " merges (then every pre-token is one token)"
                    + " but " + nMerges + " were asked for");
        }
        return out.toArray(new int[0][]);
    }

    /** Up to {@code nMerges} merges; fewer when no adjacent pair is left. */
    private static List<int[]> learn(List<int[]> words, long[] weights, int firstId, int nMerges) {
        if (words.size() != weights.length) throw new IllegalArgumentException("bpe train: " + words.size() + " words but " + weights.length + " weights");
        List<int[]> ws = new ArrayList<>(words);
        List<int[]> out = new ArrayList<>();
        for (int r = 0; r < nMerges; r++) {
            // count(p) = Σ_w freq(w) · #{i : (w_i, w_{i+1}) = p}   (overlapping: "aaa" counts (a,a) twice)
            Map<Long, Long> counts = new HashMap<>();
            for (int k = 0; k < ws.size(); k++) {
                int[] w = ws.get(k);
                for (int i = 0; i + 1 < w.length; i++) counts.merge(key(w[i], w[i + 1]), weights[k], Long::sum);
            }
            if (counts.isEmpty()) break;
            // best = argmax count; ties -> smallest (left, right), i.e. the smallest key
            long best = -1, bestCount = -1;
            for (Map.Entry<Long, Long> e : counts.entrySet()) {
                long c = e.getValue(), p = e.getKey();
                if (c > bestCount || (c == bestCount && p < best)) {
                    best = p;
                    bestCount = c;
                }
            }
            int left = (int) (best >>> 32), right = (int) best;
            out.add(new int[] {left, right});
            // replace every occurrence, non-overlapping, left to right, by the new symbol firstId + r
            // (applyMerge returns a new array when it changes one, so the caller's words are never mutated)
            for (int k = 0; k < ws.size(); k++) ws.set(k, applyMerge(ws.get(k), left, right, firstId + r));
        }
        return out;
    }

    /** Replaces each (left, right) in {@code ids}, scanning left to right without overlap, by {@code newId}. */
    public static int[] applyMerge(int[] ids, int left, int right, int newId) {
        nonNull("bpe applyMerge", "ids", ids);
        int[] out = new int[ids.length];
        int n = 0;
        for (int i = 0; i < ids.length; i++) {
            if (i + 1 < ids.length && ids[i] == left && ids[i + 1] == right) {
                out[n++] = newId;
                i++;
            } else {
                out[n++] = ids[i];
            }
        }
        return n == ids.length ? ids : Arrays.copyOf(out, n);
    }

    /** The pre-tokens of {@code text}: GPT-2's regex matches, in order; they concatenate back to the text. */
    public static List<String> preTokenize(String text) {
        checkSurrogates("bpe", text);
        List<String> out = new ArrayList<>();
        // the matches tile the text: every code point is \s, \p{L}, \p{N} or [^\s\p{L}\p{N}], and no branch matches ""
        Matcher m = GPT2_SPLIT.matcher(text);
        while (m.find()) out.add(m.group());
        return out;
    }

    /** Encodes each pre-token separately: merges never cross a pre-token boundary. */
    public List<int[]> encodePieces(String text) {
        List<int[]> out = new ArrayList<>();
        for (String w : preTokenize(text)) {
            int[] ids = utf8Ids(w);
            while (ids.length > 1) {
                // the adjacent pair with the LOWEST rank (not the highest count) merges next
                int best = Integer.MAX_VALUE;
                for (int i = 0; i + 1 < ids.length; i++) {
                    Integer r = ranks.get(key(ids[i], ids[i + 1]));
                    if (r != null && r < best) best = r;
                }
                if (best == Integer.MAX_VALUE) break;
                // all its occurrences at once, left to right; ranks applied this way only increase
                ids = applyMerge(ids, merges[best][0], merges[best][1], 256 + best);
            }
            out.add(ids);
        }
        return out;
    }

    /** The ids of {@code text}. */
    public int[] encode(String text) {
        List<int[]> pieces = encodePieces(text);
        int n = 0;
        for (int[] p : pieces) n += p.length;
        int[] out = new int[n];
        int k = 0;
        for (int[] p : pieces) for (int id : p) out[k++] = id;
        return out;
    }

    /** The text of {@code ids}: their bytes as UTF-8; each maximal invalid subpart becomes one U+FFFD. */
    public String decode(int[] ids) {
        nonNull("bpe decode", "ids", ids);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= bytes.length) {
                throw new IllegalArgumentException("bpe decode: id " + ids[i] + " at position " + i + " is outside the vocabulary [0, " + bytes.length + ")");
            }
            buf.writeBytes(bytes[ids[i]]);
        }
        return utf8Lossy(buf.toByteArray());
    }

    /**
     * UTF-8 to text, replacing each "maximal subpart of an ill-formed subsequence" with one U+FFFD
     * (Unicode §3.9; what Rust's {@code from_utf8_lossy}, hence HF, does). Java's own decoder does
     * not quite: it turns a truncated "ED A0" at the end into one U+FFFD where this gives two.
     */
    static String utf8Lossy(byte[] b) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < b.length) {
            int lead = b[i] & 0xFF;
            // length of the sequence, and the allowed range of its second byte (excludes overlongs, surrogates, > U+10FFFF)
            int len, lo = 0x80, hi = 0xBF;
            if (lead < 0x80) len = 1;
            else if (lead >= 0xC2 && lead <= 0xDF) len = 2;
            else if (lead == 0xE0) { len = 3; lo = 0xA0; }
            else if (lead == 0xED) { len = 3; hi = 0x9F; }
            else if (lead >= 0xE1 && lead <= 0xEF) len = 3;
            else if (lead == 0xF0) { len = 4; lo = 0x90; }
            else if (lead == 0xF4) { len = 4; hi = 0x8F; }
            else if (lead >= 0xF1 && lead <= 0xF3) len = 4;
            else len = 0;  // 80..C1, F5..FF never start a sequence
            // k = the bytes that still form a valid prefix
            int k = len == 0 ? 0 : 1, cp = len == 1 ? lead : lead & (0x7F >> len);
            while (k < len && i + k < b.length) {
                int c = b[i + k] & 0xFF;
                if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF)) break;
                cp = (cp << 6) | (c & 0x3F);
                k++;
            }
            if (len > 0 && k == len) out.appendCodePoint(cp);
            else out.append('\uFFFD');
            i += Math.max(k, 1);
        }
        return out.toString();
    }

    /** The same tokenizer with only its first {@code k} merges. */
    public Bpe truncate(int k) {
        if (k < 0 || k > merges.length) throw new IllegalArgumentException("bpe truncate: k = " + k + " outside [0, " + merges.length + "]");
        return new Bpe(Arrays.copyOf(merges, k));
    }

    public int vocabSize() {
        return bytes.length;
    }

    /** The merges in rank order, as {left, right} pairs (a copy). */
    public int[][] merges() {
        int[][] out = new int[merges.length][];
        for (int r = 0; r < merges.length; r++) out[r] = merges[r].clone();
        return out;
    }

    /** The bytes token {@code id} spells (a copy). */
    public byte[] tokenBytes(int id) {
        if (id < 0 || id >= bytes.length) throw new IllegalArgumentException("bpe tokenBytes: id " + id + " is outside the vocabulary [0, " + bytes.length + ")");
        return bytes[id].clone();
    }

    // ---- GPT-2's bytes_to_unicode: a printable stand-in for every byte ----

    private static final char[] BYTE_TO_CHAR = new char[256];

    static {
        // the 188 printable bytes '!'..'~', '¡'..'¬', '®'..'ÿ' stand for themselves;
        // the other 68 (controls, space, DEL, NBSP, soft hyphen) become U+0100 + n in byte order: space -> 'Ġ'
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_TO_CHAR[b] = printable ? (char) b : (char) (256 + n++);
        }
    }

    /** The printable character standing for byte {@code b} (0..255; a Java byte must be masked with {@code & 0xFF}). */
    public static char byteToChar(int b) {
        if (b < 0 || b > 255) throw new IllegalArgumentException("bpe byteToChar: " + b + " is not a byte value in [0, 255] (mask a Java byte with & 0xFF)");
        return BYTE_TO_CHAR[b];
    }

    /** The byte a printable stand-in character stands for, or -1 if it stands for none. */
    public static int charToByte(char c) {
        if (c < 256 && BYTE_TO_CHAR[c] == c) return c;
        if (c >= 256 && c < 256 + 68) for (int b = 0; b < 256; b++) if (BYTE_TO_CHAR[b] == c) return b;
        return -1;
    }

    // ---- helpers ----

    static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    /** UTF-8 bytes as unsigned ids 0..255 (Java bytes are signed: & 0xFF). */
    static int[] utf8Ids(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) ids[i] = b[i] & 0xFF;
        return ids;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Throws "{@code op}: {@code name} is null" rather than a NullPointerException from inside a loop. */
    static <T> T nonNull(String op, String name, T value) {
        if (value == null) throw new IllegalArgumentException(op + ": " + name + " is null");
        return value;
    }

    /** UTF-8 cannot encode a lone surrogate (Java would silently write '?'), so it is rejected. */
    static void checkSurrogates(String op, String text) {
        nonNull(op, "text", text);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(op + ": unpaired surrogate U+" + String.format("%04X", (int) c) + " at index " + i + " is not Unicode text");
            }
        }
    }
}
