package zerotoml.parity.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.ParityLedger;
import zerotoml.fixtures.Property;
import zerotoml.fixtures.Texts;
import zerotoml.reference.transformer.HfTokenizer;
import zerotoml.scratch.transformer.Bpe;
import zerotoml.scratch.transformer.BpeFiles;

/**
 * Our byte-level BPE against HuggingFace tokenizers (Rust, through DJL): train ours on a generated
 * corpus, export {@code tokenizer.json}, load it in HF, and require identical ids and decodes.
 * HF has no trainer in DJL, so what is compared is encoding and decoding under the same merges.
 */
class BpeParityTest {
    /** A corpus, how many merges to learn on it, and texts to encode. */
    record Case(String corpus, int merges, List<String> texts) {}

    /** Texts: fresh mixed-script text, and new sentences made of the corpus's own pre-tokens (where merges fire). */
    static final Gen<Case> CASES = s -> {
        String corpus = Texts.corpus(Texts.text(3, 5), s.intBetween(4, 30), 20, 150).draw(s);
        int merges = Math.min(s.intBetween(0, 300), Bpe.maxVocabSize(corpus) - 256);
        List<String> pieces = Bpe.preTokenize(corpus);
        List<String> texts = new ArrayList<>();
        texts.add(corpus);
        for (int t = 0; t < 4; t++) {
            StringBuilder b = new StringBuilder();
            int n = s.intBetween(0, 12);
            for (int i = 0; i < n; i++) b.append(s.bool() ? pieces.get(s.intBetween(0, pieces.size() - 1)) : Texts.text(2, 3).draw(s));
            texts.add(b.toString());
        }
        return new Case(corpus, merges, texts);
    };

    /** Trains ours, exports tokenizer.json to a fresh temp dir, loads it in HF, and runs the check. */
    static void withBoth(Case c, BiConsumer<Bpe, HfTokenizer> check) {
        Bpe bpe = Bpe.train(c.corpus(), 256 + c.merges());
        Path dir;
        try {
            dir = Files.createTempDirectory("bpe-parity");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            BpeFiles.save(bpe, dir);
            try (HfTokenizer hf = HfTokenizer.load(dir.resolve("tokenizer.json"))) {
                check.accept(bpe, hf);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp dir left behind is harmless
            }
        }
    }

    /** The text with every character outside printable ASCII written as a Java escape, so whitespace is visible. */
    static String show(String t) {
        StringBuilder b = new StringBuilder();
        for (char ch : t.toCharArray()) b.append(ch >= 0x20 && ch < 0x7F ? String.valueOf(ch) : String.format("\\u%04X", (int) ch));
        return b.toString();
    }

    static long[] longs(int[] ids) {
        return Arrays.stream(ids).asLongStream().toArray();
    }

    /** Runs the property and records it as one row of the parity report: op "bpe", dtype "any". */
    static <T> void checkAndRecord(String check, Gen<T> gen, Property.Body<T> body) {
        Property.Outcome<T> o = Property.run("bpe " + check, gen, body, Property.cases());
        if (o.skipped()) throw new TestAbortedException("skipped: zerotoml.replay names another property");
        String failure = o.failure().map(f -> o.report()).orElse(null);
        String replay = o.failure().map(Property.Failure::replay).orElse(null);
        ParityLedger.record(new ParityLedger.Row("bpe", "any", check, o.casesRun(), o.casesPassed(), 0, 0, 0, null, failure, replay));
        if (failure != null) throw new AssertionError(failure, o.failure().get().error());
    }

    @Test
    void idsAreIdenticalToHuggingFace() {
        checkAndRecord("ids", CASES, c -> withBoth(c, (bpe, hf) -> {
            for (String t : c.texts()) assertArrayEquals(hf.encode(t), longs(bpe.encode(t)), () -> "text \"" + show(t) + "\"");
        }));
    }

    @Test
    void decodeIsIdenticalToHuggingFaceAndInvertsEncode() {
        checkAndRecord("decode", CASES, c -> withBoth(c, (bpe, hf) -> {
            for (String t : c.texts()) {
                int[] ids = bpe.encode(t);
                assertEquals(t, bpe.decode(ids), () -> "ours, text \"" + show(t) + "\"");
                assertEquals(t, hf.decode(longs(ids)), () -> "HF, text \"" + show(t) + "\"");
            }
        }));
    }

    /**
     * Where "whitespace" is defined three ways: Java's Character.isWhitespace (U+001C yes, U+00A0 no),
     * Unicode White_Space (= Java regex \s with UNICODE_CHARACTER_CLASS = Oniguruma's \s), and Python's
     * str.isspace (U+001C yes). For each character c, train on "x c c y" (so (c, c) is a merge) and
     * require HF's ids on "x c c y": they differ unless both split "c c" the same way.
     */
    @Test
    void unicodeWhitespaceAndFormatCharactersSplitLikeHuggingFace() {
        Property.assumeFixedInputsRunHere("bpe's whitespace characters");
        int[] chars = {0x09, 0x0B, 0x0C, 0x1C, 0x1F, 0x85, 0xA0, 0x1680, 0x180E, 0x2003, 0x200B, 0x2028, 0x2029, 0x202F, 0x205F, 0x2060, 0x3000, 0xFEFF};
        List<String> failures = new ArrayList<>();
        for (int c : chars) {
            String t = "x" + new String(Character.toChars(c)).repeat(2) + "y";
            String corpus = (t + " ").repeat(3);
            withBoth(new Case(corpus, Bpe.maxVocabSize(corpus) - 256, List.of(t)), (bpe, hf) -> {
                if (!Arrays.equals(hf.encode(t), longs(bpe.encode(t)))) {
                    failures.add(String.format("U+%04X: ours %s, HF %s", c, Arrays.toString(bpe.encode(t)), Arrays.toString(hf.encode(t))));
                }
            });
        }
        String failure = failures.isEmpty() ? null : "pre-split differs from HF on " + failures;
        ParityLedger.record(new ParityLedger.Row("bpe", "any", "whitespace split", chars.length, chars.length - failures.size(), 0, 0, 0, null, failure, null));
        if (failure != null) throw new AssertionError(failure);
    }

    record Lossy(Case c, List<int[]> idSequences) {}

    /** Arbitrary id sequences: split UTF-8 sequences must become U+FFFD the same way in both. */
    @Test
    void decodeOfArbitraryIdsReplacesBrokenUtf8LikeHuggingFace() {
        Gen<Lossy> gen = s -> {
            Case c = CASES.draw(s);
            List<int[]> seqs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int[] ids = new int[s.intBetween(0, 16)];
                for (int i = 0; i < ids.length; i++) ids[i] = s.bool() ? s.intBetween(0x80, 0xFF) : s.intBetween(0, 255 + c.merges());
                seqs.add(ids);
            }
            return new Lossy(c, seqs);
        };
        checkAndRecord("decode lossy", gen, l -> withBoth(l.c(), (bpe, hf) -> {
            for (int[] ids : l.idSequences()) assertEquals(hf.decode(longs(ids)), bpe.decode(ids), () -> "ids " + Arrays.toString(ids));
        }));
    }
}
