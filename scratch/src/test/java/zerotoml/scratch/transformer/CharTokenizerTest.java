package zerotoml.scratch.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Property;
import zerotoml.fixtures.Texts;

/** The character tokenizer: code-point order, round trips, and its errors. */
class CharTokenizerTest {
    @Test
    void vocabularyIsSortedByCodePointNotByUtf16Unit() {
        // 😀 is U+1F600, stored as surrogates D83D DE00; by UTF-16 unit it would sort before ﬁ (U+FB01)
        CharTokenizer t = CharTokenizer.fit("😀ﬁa😀");
        assertArrayEquals(new int[] {'a', 0xFB01, 0x1F600}, t.vocabulary());
        assertArrayEquals(new int[] {2, 1, 0, 2}, t.encode("😀ﬁa😀"));
        assertEquals("a😀", t.decode(new int[] {0, 2}));
    }

    @Test
    void unknownCharacterIsRejectedWithItsNameAndPosition() {
        CharTokenizer t = CharTokenizer.fit("abc");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.encode("ab😀x"));
        assertTrue(e.getMessage().startsWith("char tokenizer: character '😀' (U+1F600) at index 2 (code point 2)"), e.getMessage());
        CharTokenizer u = CharTokenizer.fit("abc😀");
        e = assertThrows(IllegalArgumentException.class, () -> u.encode("😀ax"));
        assertTrue(e.getMessage().contains("'x' (U+0078) at index 3 (code point 2)"), e.getMessage());
    }

    @Test
    void badIdsAndLoneSurrogatesAreRejected() {
        CharTokenizer t = CharTokenizer.fit("ab");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {0, 2})).getMessage()
                .contains("id 2 at position 1 is outside the vocabulary [0, 2)"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CharTokenizer.fit("a\uD83Db")).getMessage()
                .contains("unpaired surrogate U+D83D at index 1"));
        assertThrows(IllegalArgumentException.class, () -> new CharTokenizer(new int[] {'b', 'a'}));
    }

    record Case(String corpus, String text) {}

    /** A corpus of arbitrary scalar values, and a text drawn from its alphabet. */
    static final Gen<Case> CASES = s -> {
        String corpus = Texts.anyScalar(10, 6).draw(s);
        int[] alphabet = corpus.codePoints().toArray();
        StringBuilder text = new StringBuilder();
        int n = alphabet.length == 0 ? 0 : s.intBetween(0, 40);
        for (int i = 0; i < n; i++) text.appendCodePoint(alphabet[s.intBetween(0, alphabet.length - 1)]);
        return new Case(corpus, text.toString());
    };

    @Test
    void decodeInvertsEncodeOnTextFromTheAlphabet() {
        Property.check("char roundtrip", CASES, c -> {
            CharTokenizer t = CharTokenizer.fit(c.corpus());
            assertEquals(c.text(), t.decode(t.encode(c.text())));
            assertEquals(c.corpus(), t.decode(t.encode(c.corpus())));
        });
    }

    @Test
    void vocabularyIsTheStrictlyIncreasingSetOfCorpusCodePoints() {
        Property.check("char vocabulary", CASES, c -> {
            CharTokenizer t = CharTokenizer.fit(c.corpus());
            int[] v = t.vocabulary();
            // increasing by code point, every entry occurs in the corpus, every corpus character has an id
            for (int i = 1; i < v.length; i++) assertTrue(v[i - 1] < v[i], "not increasing at " + i);
            for (int cp : v) assertTrue(c.corpus().contains(new String(Character.toChars(cp))), "U+" + Integer.toHexString(cp) + " is not in the corpus");
            assertEquals(c.corpus().codePointCount(0, c.corpus().length()), t.encode(c.corpus()).length);
        });
    }

    @Test
    void everyScalarValueIsAcceptedUpToTheSurrogatesAndFromJustPastThemAndCodePointsMustStrictlyIncrease() {
        CharTokenizer t = new CharTokenizer(new int[] {0, 0xD7FF, 0xE000, Character.MAX_CODE_POINT});
        assertEquals(4, t.vocabSize());
        assertEquals(3, CharTokenizer.fit("abcabc").vocabSize());
        for (int surrogate : new int[] {0xD800, 0xDFFF}) {
            var e = assertThrows(IllegalArgumentException.class, () -> new CharTokenizer(new int[] {'a', surrogate}));
            assertEquals("char tokenizer: " + surrogate + " at position 1 is not a Unicode scalar value", e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> new CharTokenizer(new int[] {'a', 'b', 'b'}));
        assertEquals("char tokenizer: code points must be strictly increasing, but U+0062 precedes U+0062 at position 2", e.getMessage());
    }

    @Test
    void encodingALoneSurrogateNamesItRatherThanCallingItUnknown() {
        CharTokenizer t = CharTokenizer.fit("ab");
        var e = assertThrows(IllegalArgumentException.class, () -> t.encode("a\uDFFF"));
        assertEquals("char tokenizer: unpaired surrogate U+DFFF at index 1 is not Unicode text", e.getMessage());
    }
}
