package zerotoml.examples.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static zerotoml.examples.Cli.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zerotoml.examples.Cli;
import zerotoml.examples.Cli.Run;

/** The transformer-questions command on a small generated text: it writes its section, reuses saved arms and rejects bad arguments. */
class QuestionsCommandTest {
    @TempDir
    static Path data;

    @TempDir
    Path work;

    static Path text;

    @BeforeAll
    static void writeText() throws IOException {
        text = data.resolve("pattern.txt");
        Files.writeString(text, "the cat sat on the mat. a dog ran to the log. ".repeat(40), StandardCharsets.UTF_8);
    }

    String[] args(String... more) {
        List<String> a = new ArrayList<>(List.of("transformer-questions", "--text", text.toString(), "--notes", work.resolve("notes/T.md").toString(),
                "--out", work.resolve("arms").toString(), "--seeds", "2", "--vocabs", "270", "--heads", "1,2", "--d-model", "16", "--tokenizer-heads", "2",
                "--layers", "1", "--context", "8", "--batch-size", "4", "--steps", "6", "--warmup", "0", "--held-out-chars", "120", "--eval-points", "2",
                "--jobs", "2"));
        a.addAll(Arrays.asList(more));
        return a.toArray(new String[0]);
    }

    /** The notes section without its first line (the date and the wall time change from run to run). */
    static String tables(Path notes) throws IOException {
        String s = Files.readString(notes);
        String section = s.substring(s.indexOf(QuestionsCommand.begin("main")), s.indexOf(QuestionsCommand.end("main")));
        return section.substring(section.indexOf("```"));
    }

    @Test
    void writesBothTablesAndPlotsBetweenTheMarkersAndKeepsTheRestOfTheNote() throws IOException {
        Path notes = work.resolve("notes/T.md");
        Files.createDirectories(notes.getParent());
        Files.writeString(notes, "# My note\n\nhand-written text\n\n" + QuestionsCommand.begin("main") + "\nold results\n" + QuestionsCommand.end("main")
                + "\n\n## After\n");
        Run r = run(args());
        assertEquals(0, r.exit(), r.err());
        String s = Files.readString(notes);
        assertTrue(s.startsWith("# My note\n\nhand-written text\n\n" + QuestionsCommand.begin("main")), s);
        assertTrue(s.endsWith(QuestionsCommand.end("main") + "\n\n## After\n"), s);
        assertTrue(!s.contains("old results"), s);
        assertTrue(s.contains("| char | ") && s.contains("| bpe-270 | "), s);
        assertTrue(s.contains("### Question 2") && s.contains("| 1 | 16 | ") && s.contains("| 2 | 8 | "), s);
        assertTrue(s.contains("**Computed answer.**"), s);
        assertTrue(Files.size(notes.getParent().resolve("figures/questions-main-tokenizer.png")) > 1000);
        assertTrue(Files.size(notes.getParent().resolve("figures/questions-main-heads.png")) > 1000);
        // 2 seeds × (char, bpe-270) with 2 heads, plus 1 head × 2 seeds: the 2-head char arms serve both questions
        assertEquals(6, r.out().lines().filter(l -> l.startsWith("[")).count(), r.out());
    }

    @Test
    void aSecondRunReusesTheSavedArmsAndWritesTheSameTables() throws IOException {
        Run first = run(args());
        assertEquals(0, first.exit(), first.err());
        String before = tables(work.resolve("notes/T.md"));
        Run second = run(args());
        assertEquals(0, second.exit(), second.err());
        assertEquals(6, second.out().lines().filter(l -> l.endsWith("saved earlier")).count(), second.out());
        assertEquals(before, tables(work.resolve("notes/T.md")));
    }

    @Test
    void anotherSectionGoesAfterTheFirstAndLeavesItAlone() throws IOException {
        Path notes = work.resolve("notes/T.md");
        Files.createDirectories(notes.getParent());
        Files.writeString(notes, "# Note\n\n" + QuestionsCommand.begin("main") + "\nfirst\n" + QuestionsCommand.end("main") + "\n\n## After\n");
        Run r = run(args("--section", "heads-long", "--only", "heads", "--steps", "8"));
        assertEquals(0, r.exit(), r.err());
        String s = Files.readString(notes);
        assertTrue(s.startsWith("# Note\n\n" + QuestionsCommand.begin("main") + "\nfirst\n" + QuestionsCommand.end("main") + "\n\n"
                + QuestionsCommand.begin("heads-long")), s);
        assertTrue(s.endsWith(QuestionsCommand.end("heads-long") + "\n\n## After\n"), s);
        assertTrue(s.contains("(8 steps)") && !s.contains("Question 1"), s);
        assertTrue(Files.exists(notes.getParent().resolve("figures/questions-heads-long-heads.png")));
        Run bad = run(args("--section", "no spaces"));
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--section must be letters, digits, - or _, got 'no spaces'"), bad.err());
    }

    @Test
    void bpeWidthsAreMatchedToTheCharacterModelsParameterCount() {
        Questions.Settings s = new Questions.Settings(2, 64, 12, 1, 1e-3, 0, 0.1, 1, 100, 1);
        long target = Questions.params(s, 65, 4, 96);
        for (int vocab : new int[] {512, 1024, 2048}) {
            int d = Questions.matchedWidth(s, vocab, 4, target);
            long n = Questions.params(s, vocab, 4, d);
            // no other multiple of 8 comes closer
            for (int other : new int[] {d - 8, d + 8}) {
                if (other > 0) assertTrue(Math.abs(Questions.params(s, vocab, 4, other) - target) >= Math.abs(n - target), vocab + ": " + other + " beats " + d);
            }
            assertTrue(d < 96, "a larger vocabulary must get a narrower model, got d " + d + " for " + vocab);
        }
    }

    @Test
    void theMeanCurveIsInterpolatedBetweenMeasurementsAndUndefinedOutsideThem() {
        Questions.Arm arm = new Questions.Arm("char", 0, 1, 8, 1);
        Questions.Result a = new Questions.Result(arm, 10, 100, 1, List.of(new Questions.Point(0, 4, 6), new Questions.Point(10, 2, 3)), 1, 1);
        Questions.Result b = new Questions.Result(arm, 10, 100, 1, List.of(new Questions.Point(0, 6, 8), new Questions.Point(10, 4, 5)), 1, 1);
        // seeds' mean curve: 5 at step 0, 3 at step 10; a quarter of the way: 5 − 0.25 · 2
        assertEquals(4.5, QuestionsReport.meanCurveAt(List.of(a, b), 2.5, Questions.Point::nats), 1e-12);
        assertEquals(3, QuestionsReport.meanCurveAt(List.of(a, b), 10, Questions.Point::nats), 1e-12);
        assertTrue(Double.isNaN(QuestionsReport.meanCurveAt(List.of(a, b), 10.5, Questions.Point::nats)));
    }

    @Test
    void spreadAndConfidenceFollowTheirDefinitions() {
        Questions.Spread a = Questions.Spread.of(new double[] {1, 2, 3}), b = Questions.Spread.of(new double[] {4, 5, 6});
        assertEquals(2, a.mean(), 1e-15);
        assertEquals(1, a.sd(), 1e-15); // √(((−1)² + 0² + 1²) / 2)
        assertEquals(-3 / Math.sqrt(2.0 / 3), a.separation(b), 1e-12);
        assertEquals("clear", Questions.confidence(-3.7));
        assertEquals("suggestive", Questions.confidence(1.5));
        assertEquals("within seed noise", Questions.confidence(0.4));
    }

    @Test
    void badArgumentsGetAClearMessage() {
        Run heads = run(args("--heads", "3"));
        assertEquals(2, heads.exit());
        assertTrue(heads.err().contains("--heads: 3 does not divide --d-model 16"), heads.err());
        Run vocab = run(args("--vocabs", "100"));
        assertEquals(2, vocab.exit());
        assertTrue(vocab.err().contains("--vocabs: byte-level BPE needs >= 256 ids, got 100"), vocab.err());
        Run missing = run(args("--text", work.resolve("nope.txt").toString()));
        assertEquals(3, missing.exit());
        assertTrue(missing.err().contains("nope.txt does not exist"), missing.err());
        Run which = run(args("--only", "everything"));
        assertEquals(2, which.exit());
        assertTrue(which.err().contains("Invalid value for option '--only': expected one of [TOKENIZER, HEADS, BOTH]"), which.err());
    }

    @Test
    void helpExplainsEveryOption() {
        Cli.assertHelpExplainsEveryOption("transformer-questions");
    }
}
