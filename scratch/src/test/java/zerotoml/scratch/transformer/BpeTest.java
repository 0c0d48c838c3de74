package zerotoml.scratch.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Property;
import zerotoml.fixtures.Texts;

/** Byte-level BPE: hand-worked training and encoding, the paper's toy vocabulary, files, and properties. */
class BpeTest {
    static int[][] pairs(int... ids) {
        int[][] out = new int[ids.length / 2][];
        for (int i = 0; i < out.length; i++) out[i] = new int[] {ids[2 * i], ids[2 * i + 1]};
        return out;
    }

    @Test
    void bytesToUnicodeKeeps188PrintableBytesAndMovesTheRestPast255() {
        assertEquals('Ġ', Bpe.byteToChar(' '));        // space = the 33rd non-printable byte: U+0100 + 32
        assertEquals('Ċ', Bpe.byteToChar('\n'));       // U+0100 + 10
        assertEquals('!', Bpe.byteToChar('!'));
        assertEquals('ÿ', Bpe.byteToChar(0xFF));
        Set<Character> seen = new HashSet<>();
        int identity = 0;
        for (int b = 0; b < 256; b++) {
            char c = Bpe.byteToChar(b);
            if (c == b) identity++;
            assertTrue(seen.add(c), "two bytes map to " + c);
            assertEquals(b, Bpe.charToByte(c));
        }
        assertEquals(188, identity);
        assertEquals(-1, Bpe.charToByte(' '));
    }

    @Test
    void preSplitTreatsUnicodeWhitespaceAsWhitespace() {
        assertEquals(List.of("Hello", " world", "'s", " ", " x", "!!", " 42"), Bpe.preTokenize("Hello world's  x!! 42"));
        // NBSP is \s only with UNICODE_CHARACTER_CLASS; without it the two would be one punctuation chunk
        assertEquals(List.of("a", "\u00A0", "\u00A0", "b"), Bpe.preTokenize("a\u00A0\u00A0b"));
        assertEquals(List.of("你好", " 😀", "\n\n"), Bpe.preTokenize("你好 😀\n\n"));
    }

    /*
     * Corpus "aaa aaa ab": pre-tokens "aaa" ×1, " aaa" ×1, " ab" ×1 (a = 97, b = 98, space = 32).
     *   counts (a,a) = 2 + 2 = 4 (overlapping), (32,a) = 2, (a,b) = 1      -> merge 0 = (97,97) -> 256
     *   words [256,97] [32,256,97] [32,97,98]: (256,97) = 2, others 1       -> merge 1 = (256,97) -> 257
     *   words [257] [32,257] [32,97,98]: (32,257) (32,97) (97,98) tie at 1  -> smallest pair (32,97) -> 258
     *   words [257] [32,257] [258,98]: (32,257) and (258,98) tie at 1       -> (32,257) -> 259, then (258,98) -> 260
     *   then every pre-token is one token: a 6th merge is impossible.
     */
    @Test
    void trainingCountsOverlappingPairsAndBreaksTiesBySmallestIds() {
        Bpe bpe = Bpe.train("aaa aaa ab", 261);
        assertArrayEquals(pairs(97, 97, 256, 97, 32, 97, 32, 257, 258, 98), bpe.merges());
        assertEquals(261, bpe.vocabSize());
        assertEquals(261, Bpe.maxVocabSize("aaa aaa ab"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Bpe.train("aaa aaa ab", 262));
        assertTrue(e.getMessage().startsWith("bpe train: the corpus supports only 5 merges"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Bpe.train("abc", 255));
    }

    @Test
    void encodingAppliesMergesByRankAndWithoutOverlap() {
        Bpe bpe = Bpe.train("aaa aaa ab", 261);
        assertArrayEquals(new int[] {256, 256}, bpe.encode("aaaa"));        // (a,a) twice, no overlap
        assertArrayEquals(new int[] {256, 257}, bpe.encode("aaaaa"));       // [256,256,97], then rank 1 (256,97)
        // rank 0 (a,a) goes before rank 2 (space,a) although (space,a) comes first in the text
        assertArrayEquals(new int[] {32, 256, 98}, bpe.encode(" aab"));
        assertArrayEquals(new int[] {257, 260}, bpe.encode("aaa ab"));      // merges never cross pre-tokens
        assertEquals("aaa ab", bpe.decode(new int[] {257, 260}));
    }

    @Test
    void decodeReplacesIncompleteUtf8AndRejectsUnknownIds() {
        Bpe bpe = new Bpe(new int[0][]);
        int[] euro = Bpe.utf8Ids("€");                                      // E2 82 AC
        assertEquals("\uFFFDa", bpe.decode(new int[] {euro[0], euro[1], 'a'}));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> bpe.decode(new int[] {1, 256})).getMessage()
                .contains("id 256 at position 1 is outside the vocabulary [0, 256)"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> bpe.encode("x\uDC00")).getMessage()
                .contains("unpaired surrogate U+DC00 at index 1"));
        assertThrows(IllegalArgumentException.class, () -> new Bpe(pairs(97, 257)));  // 257 does not exist yet
    }

    static String lossy(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) bytes[i];
        return Bpe.utf8Lossy(b);
    }

    @Test
    void brokenUtf8BecomesOneReplacementPerMaximalSubpart() {
        assertEquals("\uFFFD\uFFFD", lossy(0xED, 0xA0));                  // ED allows only 80..9F next (no surrogates)
        assertEquals("\uFFFDa", lossy(0xF0, 0x9F, 0x98, 'a'));             // a truncated emoji is one subpart
        assertEquals("\uFFFD\uFFFD", lossy(0xC0, 0x80));                  // C0 never starts a sequence (overlong)
        assertEquals("\uFFFD\uFFFD\uFFFD\uFFFD", lossy(0xF4, 0x90, 0x80, 0x80));  // above U+10FFFF
        assertEquals("\uFFFD\uFFFD", lossy(0xE0, 0x80));                  // overlong 3-byte form
        assertEquals("é😀", lossy(0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80));
    }

    @Test
    void lossyDecodingOfValidUtf8IsExact() {
        Property.check("utf8 lossy exact", Texts.anyScalar(10, 6), t -> assertEquals(t, Bpe.utf8Lossy(t.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    }

    /*
     * The paper's toy vocabulary {low:5, lower:2, newest:6, widest:3} with "</w>" a separate symbol and
     * the alphabet numbered in sorted order: </w>=0 d=1 e=2 i=3 l=4 n=5 o=6 r=7 s=8 t=9 w=10. Worked by hand:
     *   1 (e,s) 9 beats (s,t) 9, (t,</w>) 9 by left id      2 (t,</w>) 9: left 9 < es = 11
     *   3 (es,t</w>) 9                                      4 (l,o) 7 beats (o,w) 7
     *   5 (lo,w) 7                                          6 (e,w) 6 beats (n,e), (w,est</w>) 6
     *   7 (n,ew) 6 beats (ew,est</w>) 6                     8 (new,est</w>) 6
     *   9 (low,</w>) 5                                      10 (d,est</w>) 3 beats (w,i), (i,d) 3
     * The paper's dict-order ties give (es,t) second instead; the first merge agrees.
     */
    @Test
    void paperToyVocabularyWithSmallestPairTies() {
        List<String> names = new ArrayList<>(List.of("</w>", "d", "e", "i", "l", "n", "o", "r", "s", "t", "w"));
        List<int[]> words = new ArrayList<>();
        for (String w : new String[] {"low", "lower", "newest", "widest"}) {
            int[] ids = new int[w.length() + 1];
            for (int i = 0; i < w.length(); i++) ids[i] = names.indexOf(String.valueOf(w.charAt(i)));
            words.add(ids);  // last symbol stays 0 = </w>
        }
        int[][] merges = Bpe.learnMerges(words, new long[] {5, 2, 6, 3}, 11, 10);
        List<String> got = new ArrayList<>();
        for (int[] m : merges) {
            got.add(names.get(m[0]) + " " + names.get(m[1]));
            names.add(names.get(m[0]) + names.get(m[1]));
        }
        assertEquals(List.of("e s", "t </w>", "es t</w>", "l o", "lo w", "e w", "n ew", "new est</w>", "low </w>", "d est</w>"), got);
    }

    @Test
    void filesRoundTripAndEscapeQuotesAndBackslashes(@TempDir Path dir) throws Exception {
        Bpe bpe = Bpe.train("\\\\ \"\" \\\\\" \"\"\\ the then there", 256 + 12);
        BpeFiles.save(bpe, dir);
        assertArrayEquals(bpe.merges(), BpeFiles.load(dir).merges());
        String json = Files.readString(dir.resolve("tokenizer.json"));
        assertTrue(json.contains("\"\\\\\\\\\": "), "the token \\\\ is written escaped");
        assertTrue(json.contains("\"use_regex\": true") && json.contains("\"add_prefix_space\": false") && json.contains("\"type\": \"BPE\""));
        Files.writeString(dir.resolve("vocab.json"), "{}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BpeFiles.load(dir)).getMessage().contains("does not match merges.txt"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BpeFiles.fromMerges(List.of("#version: 0.2", "ab c"))).getMessage()
                .contains("line 2 uses 'ab'"));
    }

    // ---- properties ----

    record Case(String corpus, int merges, String text) {}

    /** Distinct pre-tokens of two or more bytes: each needs its own final merge, so at least this many merges exist. */
    static int supported(String corpus) {
        return (int) Bpe.preTokenize(corpus).stream().distinct().filter(w -> Bpe.utf8Ids(w).length > 1).count();
    }

    static Gen<Case> cases(int maxMerges, Gen<String> text) {
        Gen<String> corpus = Texts.corpus(Texts.text(3, 4), 12, 10, 60);
        return s -> {
            String c = corpus.draw(s);
            return new Case(c, Math.min(s.intBetween(0, maxMerges), Bpe.maxVocabSize(c) - 256), text.draw(s));
        };
    }

    @Test
    void decodeInvertsEncodeOnArbitraryUnicode() {
        Property.check("bpe roundtrip", cases(60, Texts.anyScalar(8, 6)), c -> {
            Bpe bpe = Bpe.train(c.corpus(), 256 + c.merges());
            assertEquals(c.text(), bpe.decode(bpe.encode(c.text())));
            assertEquals(c.corpus(), bpe.decode(bpe.encode(c.corpus())));
        });
    }

    @Test
    void mergeCountIsVocabSizeMinus256() {
        Property.check("bpe merge count", cases(80, Texts.text(6, 5)), c -> {
            Bpe bpe = Bpe.train(c.corpus(), 256 + c.merges());
            assertEquals(c.merges(), bpe.merges().length);
            assertEquals(256 + c.merges(), bpe.vocabSize());
            for (int id : bpe.encode(c.corpus() + c.text())) assertTrue(id >= 0 && id < bpe.vocabSize(), "id " + id);
            assertNotNull(BpeFiles.tokens(bpe));  // every token spells distinct bytes, so it can be exported
            // each distinct pre-token of 2+ bytes ends as a token of its own, so needs a merge of its own
            assertTrue(Bpe.maxVocabSize(c.corpus()) - 256 >= supported(c.corpus()));
        });
    }

    @Test
    void encodingAppliesMergesInRankOrderAndEachMergeShortensByItsOccurrences() {
        Property.check("bpe rank order", cases(30, Texts.text(6, 5)), c -> {
            Bpe full = Bpe.train(c.corpus(), 256 + c.merges());
            String corpus = c.corpus();
            String text = c.text() + " " + corpus.substring(0, corpus.offsetByCodePoints(0, Math.min(60, corpus.codePointCount(0, corpus.length()))));
            List<int[]> before = full.truncate(0).encodePieces(text);
            for (int k = 0; k < c.merges(); k++) {
                int[] m = full.merges()[k];
                List<int[]> after = full.truncate(k + 1).encodePieces(text);
                assertEquals(before.size(), after.size());
                for (int j = 0; j < before.size(); j++) {
                    // encode with merges 0..k = merge k applied to the encoding with merges 0..k−1
                    assertArrayEquals(Bpe.applyMerge(before.get(j), m[0], m[1], 256 + k), after.get(j), "merge " + k + ", piece " + j);
                    // and it is shorter by the non-overlapping occurrences of the pair
                    int occurrences = 0;
                    int[] b = before.get(j);
                    for (int i = 0; i + 1 < b.length; i++) if (b[i] == m[0] && b[i + 1] == m[1]) { occurrences++; i++; }
                    assertEquals(b.length - occurrences, after.get(j).length);
                }
                before = after;
            }
            // no adjacent pair of a finished encoding is still a merge
            Set<Long> pairs = new HashSet<>();
            for (int[] m : full.merges()) pairs.add(Bpe.key(m[0], m[1]));
            for (int[] p : full.encodePieces(text)) for (int i = 0; i + 1 < p.length; i++) assertFalse(pairs.contains(Bpe.key(p[i], p[i + 1])));
        });
    }

    @Test
    void aMergeMayUseIdZeroAndEveryIdBeforeItsOwnButNotItsOwnOrNegativeOnes() {
        assertEquals(258, new Bpe(pairs(0, 0, 256, 256)).vocabSize());
        assertEquals(258, new Bpe(pairs(0, 255, 0, 256)).vocabSize());
        int[][][] bad = {pairs(256, 0), pairs(0, 256), pairs(-1, 0), pairs(0, -1), pairs(0, 0, 257, 0), pairs(0, 0, 0, 257)};
        for (int[][] merges : bad) {
            int r = merges.length - 1;
            var e = assertThrows(IllegalArgumentException.class, () -> new Bpe(merges));
            assertTrue(e.getMessage().startsWith("bpe: merge " + r + " " + Arrays.toString(merges[r]) + " must be two ids below " + (256 + r)), e.getMessage());
        }
    }

    @Test
    void tokenBytesAcceptsEveryIdOfTheVocabularyAndRejectsTheNext() {
        Bpe bpe = new Bpe(pairs('a', 'b'));
        assertArrayEquals(new byte[] {'a', 'b'}, bpe.tokenBytes(256));
        assertArrayEquals(new byte[] {0}, bpe.tokenBytes(0));
        for (int id : new int[] {-1, 257}) {
            var e = assertThrows(IllegalArgumentException.class, () -> bpe.tokenBytes(id));
            assertEquals("bpe tokenBytes: id " + id + " is outside the vocabulary [0, 257)", e.getMessage());
        }
    }

    @Test
    void theFirstAndLastStandInsPast255MapBackToTheirBytes() {
        assertEquals(0, Bpe.charToByte('\u0100'));                 // byte 0, the first non-printable
        assertEquals(0xAD, Bpe.charToByte((char) (256 + 67)));      // the soft hyphen, the 68th
        assertEquals(-1, Bpe.charToByte((char) (256 + 68)));
    }

    @Test
    void aHighSurrogateAtTheEndOfTheTextIsUnpaired() {
        Bpe bpe = new Bpe(new int[0][]);
        var e = assertThrows(IllegalArgumentException.class, () -> bpe.encode("ab\uD83D"));
        assertEquals("bpe: unpaired surrogate U+D83D at index 2 is not Unicode text", e.getMessage());
        assertEquals(5, bpe.encode("a\uD83D\uDE00").length);      // a pair is one code point of 4 UTF-8 bytes
    }

    @Test
    void mergesTxtMayBeEmptyOrStartWithAVersionLineAndItsFaultsNameTheirLine() {
        assertEquals(256, BpeFiles.fromMerges(List.of()).vocabSize());
        assertEquals(256, BpeFiles.fromMerges(List.of("")).vocabSize());
        assertArrayEquals(pairs(32, 't'), BpeFiles.fromMerges(List.of("Ġ t")).merges());
        assertArrayEquals(pairs(32, 't', 256, 'h'), BpeFiles.fromMerges(List.of("#version: 0.2", "Ġ t", "Ġt h", "")).merges());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BpeFiles.fromMerges(List.of("Ġ t", "Ġth"))).getMessage()
                .startsWith("bpe load: merges.txt line 2 is not 'left right'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BpeFiles.fromMerges(List.of("a b", "b c", "ab c", "a bc"))).getMessage()
                .startsWith("bpe load: merges.txt line 4 makes 'abc', a token that already has an id"));
    }

    @Test
    void vocabJsonAndTokenizerJsonMustGiveEveryTokenItsId(@TempDir Path dir) throws Exception {
        Bpe bpe = Bpe.train("the then there", 256 + 3);
        BpeFiles.save(bpe, dir);
        String vocab = Files.readString(dir.resolve("vocab.json"));
        assertTrue(vocab.contains("\n\"!\": 33,"), vocab.substring(0, 40));
        Files.writeString(dir.resolve("vocab.json"), vocab.replace("\n\"!\": 33,", "\n\"!\": 34,"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BpeFiles.load(dir)).getMessage()
                .contains("vocab.json the file gives token \"!\" the id 34 but"));
        Files.writeString(dir.resolve("vocab.json"), vocab);
        assertArrayEquals(bpe.merges(), BpeFiles.load(dir).merges());
        // tokenizer.json's model.vocab is checked on its own, even when vocab.json is right
        String tokenizer = Files.readString(dir.resolve("tokenizer.json"));
        assertTrue(tokenizer.contains("\"!\": 33,"));
        Files.writeString(dir.resolve("tokenizer.json"), tokenizer.replace("\"!\": 33,", "\"!\": 34,"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BpeFiles.load(dir)).getMessage()
                .contains("tokenizer.json model.vocab gives token \"!\" the id 34 but"));
    }

    @Test
    void aTokenizerFileMayHoldExactlyMaxFileBytesAndNotOneMore(@TempDir Path dir) throws Exception {
        BpeFiles.save(new Bpe(new int[0][]), dir);
        Path vocab = dir.resolve("vocab.json");
        byte[] json = Files.readAllBytes(vocab);
        byte[] padded = Arrays.copyOf(json, Math.toIntExact(BpeFiles.MAX_FILE));   // 64 MiB: JSON, then spaces
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        Files.write(vocab, padded);
        assertEquals(256, BpeFiles.load(dir).vocabSize());
        Files.write(vocab, new byte[] {' '}, StandardOpenOption.APPEND);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BpeFiles.load(dir)).getMessage()
                .endsWith("vocab.json is " + (BpeFiles.MAX_FILE + 1) + " bytes, more than the " + BpeFiles.MAX_FILE + " a tokenizer file may hold"));
    }
}
