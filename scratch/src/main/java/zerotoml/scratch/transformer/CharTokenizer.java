package zerotoml.scratch.transformer;

import java.util.Arrays;

/**
 * Character-level tokenizer (minGPT {@code chargpt}, nanoGPT {@code shakespeare_char}): the
 * vocabulary is the sorted set of characters of a corpus, and a character's id is its place in it.
 *
 * <p>"Character" means Unicode code point, sorted by code point. A Java {@code char} is a UTF-16
 * unit: iterating chars would split an emoji into two surrogates, and sorting chars would put
 * U+1F600 (surrogates D83D DE00) before U+FB01. Immutable.
 */
public final class CharTokenizer {
    private final int[] codePoints;  // strictly increasing; id i <-> codePoints[i]

    /** A tokenizer over exactly these code points, which must be strictly increasing. */
    public CharTokenizer(int[] codePoints) {
        Bpe.nonNull("char tokenizer", "codePoints", codePoints);
        for (int i = 0; i < codePoints.length; i++) {
            if (!Character.isValidCodePoint(codePoints[i]) || (codePoints[i] >= 0xD800 && codePoints[i] <= 0xDFFF)) {
                throw new IllegalArgumentException("char tokenizer: " + codePoints[i] + " at position " + i + " is not a Unicode scalar value");
            }
            if (i > 0 && codePoints[i] <= codePoints[i - 1]) {
                throw new IllegalArgumentException("char tokenizer: code points must be strictly increasing, but U+"
                        + hex(codePoints[i - 1]) + " precedes U+" + hex(codePoints[i]) + " at position " + i);
            }
        }
        this.codePoints = codePoints.clone();
    }

    /** vocabulary = sorted set of the corpus's code points */
    public static CharTokenizer fit(String corpus) {
        Bpe.checkSurrogates("char tokenizer", corpus);
        return new CharTokenizer(corpus.codePoints().distinct().sorted().toArray());
    }

    public int vocabSize() {
        return codePoints.length;
    }

    /** The vocabulary: id i is code point {@code vocabulary()[i]} (a copy). */
    public int[] vocabulary() {
        return codePoints.clone();
    }

    /** id(c) = the index of c in the sorted vocabulary; a character outside it is an error. */
    public int[] encode(String text) {
        Bpe.checkSurrogates("char tokenizer", text);
        int[] out = new int[text.codePointCount(0, text.length())];
        int k = 0;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            int id = Arrays.binarySearch(codePoints, c);
            if (id < 0) {
                throw new IllegalArgumentException("char tokenizer: character '" + new String(Character.toChars(c)) + "' (U+" + hex(c)
                        + ") at index " + i + " (code point " + k + ") is not in the vocabulary of " + codePoints.length + " characters");
            }
            out[k++] = id;
            i += Character.charCount(c);
        }
        return out;
    }

    /** The text of {@code ids}: one code point each. */
    public String decode(int[] ids) {
        Bpe.nonNull("char tokenizer decode", "ids", ids);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= codePoints.length) {
                throw new IllegalArgumentException("char tokenizer decode: id " + ids[i] + " at position " + i + " is outside the vocabulary [0, " + codePoints.length + ")");
            }
            b.appendCodePoint(codePoints[ids[i]]);
        }
        return b.toString();
    }

    private static String hex(int c) {
        return String.format("%04X", c);
    }
}
