package zerotoml.scratch.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Mutations;
import zerotoml.fixtures.Mutations.Edit;
import zerotoml.fixtures.Property;

/**
 * Thousands of mutations of a saved tokenizer ({@code merges.txt}, {@code vocab.json},
 * {@code tokenizer.json}), one file edited per case: each load is a clean
 * IllegalArgumentException naming the file and the fault, or the original merges exactly. The
 * three files check each other, which is what catches an edit that leaves one of them well formed.
 */
class BpeFilesFuzzTest {
    @TempDir
    Path dir;

    static final String[] FILES = {"merges.txt", "vocab.json", "tokenizer.json"};

    record Target(int file, Edit edit) {
        @Override
        public String toString() {
            return FILES[file] + ": " + edit;
        }
    }

    @Test
    void everyMutationOfASavedTokenizerIsRejectedByNameOrLoadsIdentically() throws Exception {
        Bpe bpe = Bpe.train("the then there their theirs ünïcödé 🙂🙂 low lower lowest \"quoted\" back\\slash", 256 + 40);
        Path saved = dir.resolve("saved");
        BpeFiles.save(bpe, saved);
        byte[][] original = new byte[3][];
        for (int i = 0; i < 3; i++) original[i] = Files.readAllBytes(saved.resolve(FILES[i]));
        Gen<Edit>[] perFile = new Gen[3];
        for (int i = 0; i < 3; i++) {
            int size = original[i].length;
            // a nesting bomb for the JSON files, whole-line edits for merges.txt, else byte edits
            perFile[i] = s -> switch (s.intBetween(0, 7)) {
                case 0 -> {
                    int depth = s.pick(65, 20_000);
                    yield new Edit("nesting bomb " + depth + " deep", b -> ("{\"x\": " + "[".repeat(depth) + "]".repeat(depth) + ", " + new String(b, StandardCharsets.UTF_8).substring(1))
                            .getBytes(StandardCharsets.UTF_8));
                }
                case 1 -> Mutations.flipsWithin(0, size, 4).draw(s);
                default -> Mutations.single(size).draw(s);
            };
        }
        Gen<Target> targets = s -> {
            int f = s.intBetween(0, 2);
            return new Target(f, perFile[f].draw(s));
        };
        Path work = dir.resolve("work");
        Files.createDirectories(work);
        Mutations.Tally tally = new Mutations.Tally();
        int cases = Math.max(3000, Property.cases());
        Property.Outcome<Target> o = Property.run("bpe files fuzz", targets, t -> {
            for (int i = 0; i < 3; i++) Files.write(work.resolve(FILES[i]), original[i]);
            Mutations.loadsCleanlyOrIdentically(work.resolve(FILES[t.file()]), t.edit().apply(original[t.file()]), f -> BpeFiles.load(f.getParent()),
                    bpe, (a, b) -> Arrays.deepEquals(a.merges(), b.merges()), IllegalArgumentException.class, tally, t.toString());
        }, cases);
        System.out.println("bpe files fuzz: " + tally);
        if (o.failure().isPresent()) throw new AssertionError(o.report(), o.failure().get().error());
        assertEquals(Property.casesHere(cases), tally.rejected + tally.identical, "every case this run owns is counted once");
    }

    @Test
    void aDuplicateMergeAndBytesThatAreNotUtf8AreNamedFaults() throws Exception {
        BpeFiles.save(Bpe.train("aaa bbb aaa", 256 + 2), dir);
        Path merges = dir.resolve("merges.txt");
        List<String> lines = Files.readAllLines(merges);
        Files.delete(dir.resolve("vocab.json"));
        Files.delete(dir.resolve("tokenizer.json"));
        Files.write(merges, List.of(lines.get(0), lines.get(1), lines.get(1)));
        var e = assertThrows(IllegalArgumentException.class, () -> BpeFiles.load(dir));
        assertTrue(e.getMessage().contains(merges + " line 3 repeats the merge of line 2"), e.getMessage());
        Files.write(merges, new byte[] {'a', ' ', (byte) 0xC3, '\n'});
        e = assertThrows(IllegalArgumentException.class, () -> BpeFiles.load(dir));
        assertTrue(e.getMessage().contains(merges + " is not valid UTF-8"), e.getMessage());
        Files.write(merges, String.join("\r\n", lines).getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(Bpe.train("aaa bbb aaa", 256 + 2).merges(), BpeFiles.load(dir).merges(), "CRLF line ends load as LF");
    }
}
