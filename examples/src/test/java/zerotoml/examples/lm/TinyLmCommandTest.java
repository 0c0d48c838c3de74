package zerotoml.examples.lm;

import static zerotoml.examples.Cli.run;
import zerotoml.examples.Cli;
import zerotoml.examples.Cli.Run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zerotoml.scratch.io.Safetensors;
import zerotoml.scratch.tensor.Tensor;

/** The tiny-lm command on a small generated text: it learns, resumes bit for bit, and rejects bad arguments clearly. */
class TinyLmCommandTest {
    @TempDir
    static Path data;

    @TempDir
    Path runs;

    static Path text;

    /** A repeated sentence, about 1,000 characters: predictable from context, but not from character frequencies alone. */
    @BeforeAll
    static void writeText() throws IOException {
        text = data.resolve("pattern.txt");
        Files.writeString(text, "the cat sat on the mat. ".repeat(42), StandardCharsets.UTF_8);
    }


    static String[] args(Path out, int steps, String... more) {
        List<String> a = new ArrayList<>(List.of("tiny-lm", "--text", text.toString(), "--out", out.toString(), "--steps", Integer.toString(steps),
                "--layers", "1", "--heads", "2", "--d-model", "32", "--context", "16", "--batch-size", "8", "--lr", "0.01", "--warmup", "0",
                "--eval-every", "10", "--eval-batches", "4", "--sample-every", "0", "--sample-length", "24", "--seed", "3", "--no-progress"));
        a.addAll(Arrays.asList(more));
        return a.toArray(new String[0]);
    }

    /** H = −Σ_c p(c) ln p(c) over the text's characters (nats). */
    static double unigramEntropy(String s) {
        Map<Integer, Integer> counts = new HashMap<>();
        s.codePoints().forEach(c -> counts.merge(c, 1, Integer::sum));
        double h = 0, n = s.codePointCount(0, s.length());
        for (int k : counts.values()) h -= k / n * Math.log(k / n);
        return h;
    }

    /** history.csv rows: step, train loss, validation loss, bits per byte, seconds. */
    static List<double[]> history(Path out) throws IOException {
        List<double[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("history.csv")).subList(1, Files.readAllLines(out.resolve("history.csv")).size())) {
            rows.add(Arrays.stream(line.split(",")).mapToDouble(Double::parseDouble).toArray());
        }
        return rows;
    }

    @Test
    void trainingLowersValidationLossFarBelowTheUnigramEntropy() throws IOException {
        Path out = runs.resolve("learn");
        Run r = run(args(out, 150));
        assertEquals(0, r.exit(), r.err());
        String corpus = Files.readString(text);
        double unigram = unigramEntropy(corpus), chance = Math.log(corpus.codePoints().distinct().count());
        assertTrue(unigram < chance - 0.2, "the test text must have a unigram entropy clearly below chance");
        // step 0 is printed before training: an untrained model (N(0, 0.02²) weights) sits at chance
        String first = r.out().lines().filter(l -> l.startsWith("step 0:")).findFirst().orElseThrow();
        double initial = Double.parseDouble(first.replaceAll(".*validation loss ([0-9.]+).*", "$1"));
        assertEquals(chance, initial, 0.1, first);
        List<double[]> h = history(out);
        double last = h.get(h.size() - 1)[2];
        assertTrue(last < 0.3 * unigram, "validation loss " + last + " should be far below the unigram entropy " + unigram + "\n" + r.out());
        // ASCII text: one byte per token, so bits per byte = nats / ln 2
        assertEquals(last / Math.log(2), h.get(h.size() - 1)[3], 1e-5);
        assertTrue(r.out().contains("sample at step 150"), r.out());
        assertTrue(Files.size(out.resolve("curves.png")) > 1000);
        assertTrue(Files.exists(out.resolve("checkpoint.safetensors")));
    }

    @Test
    void bytePairTokenizerTrainsAndReportsBitsPerByte() throws IOException {
        Path out = runs.resolve("bpe");
        Run r = run(args(out, 60, "--tokenizer", "bpe", "--vocab", "266"));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("bpe tokenizer with 266 ids"), r.out());
        List<double[]> h = history(out);
        double[] last = h.get(h.size() - 1);
        // several bytes per token, so bits per byte is below nats per token / ln 2
        assertTrue(last[3] < last[2] / Math.log(2), Arrays.toString(last));
        assertTrue(last[3] < unigramEntropy(Files.readString(text)) / Math.log(2), Arrays.toString(last));
    }

    @Test
    void resumedRunEndsBitIdenticalToAnUninterruptedOne() throws IOException {
        String[] extra = {"--schedule", "cosine", "--warmup", "5", "--dropout", "0.1"};
        Path whole = runs.resolve("whole"), split = runs.resolve("split");
        assertEquals(0, run(args(whole, 40, extra)).exit());
        List<String> first = new ArrayList<>(Arrays.asList(args(split, 40, extra)));
        first.addAll(List.of("--stop-at", "17"));
        Run a = run(first.toArray(new String[0]));
        assertEquals(0, a.exit(), a.err());
        assertTrue(a.out().contains("done: 17 of 40 steps"), a.out());
        List<String> second = new ArrayList<>(Arrays.asList(args(split, 40, extra)));
        second.add("--resume");
        Run b = run(second.toArray(new String[0]));
        assertEquals(0, b.exit(), b.err());
        assertTrue(b.out().contains("resumed from") && b.out().contains("after step 17"), b.out());
        Safetensors.Contents x = Safetensors.read(whole.resolve("checkpoint.safetensors")), y = Safetensors.read(split.resolve("checkpoint.safetensors"));
        assertEquals(x.tensors().keySet(), y.tensors().keySet());
        for (Map.Entry<String, Tensor> e : x.tensors().entrySet()) {
            assertArrayEquals(e.getValue().toArray(), y.tensors().get(e.getKey()).toArray(), 0.0, e.getKey());
        }
        List<double[]> hx = history(whole), hy = history(split);
        assertEquals(hx.size(), hy.size());
        for (int i = 0; i < hx.size(); i++) assertArrayEquals(Arrays.copyOf(hx.get(i), 4), Arrays.copyOf(hy.get(i), 4), 0.0, "history row " + i);
        assertEquals(x.metadata().get("step"), y.metadata().get("step"));
    }

    @Test
    void resumingWithOtherOptionsIsRefused() {
        Path out = runs.resolve("mismatch");
        assertEquals(0, run(args(out, 10)).exit());
        Run r = run(args(out, 20, "--lr", "0.02", "--resume"));
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("another configuration"), r.err());
    }

    @Test
    void headsThatDoNotDivideTheModelWidthGiveAClearError() {
        Run r = run(args(runs.resolve("heads"), 10, "--heads", "3"));
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("tiny-lm: --d-model 32 is not divisible by --heads 3"), r.err());
    }

    @Test
    void missingOrEmptyTextGivesAClearError() throws IOException {
        List<String> a = new ArrayList<>(Arrays.asList(args(runs.resolve("missing"), 10)));
        a.set(a.indexOf("--text") + 1, data.resolve("no-such-file.txt").toString());
        Run r = run(a.toArray(new String[0]));
        assertEquals(3, r.exit());
        assertTrue(r.err().contains("no-such-file.txt does not exist"), r.err());
        Path empty = Files.createFile(runs.resolve("empty.txt"));
        a.set(a.indexOf("--text") + 1, empty.toString());
        r = run(a.toArray(new String[0]));
        assertEquals(3, r.exit());
        assertTrue(r.err().contains("empty.txt is empty"), r.err());
        Files.writeString(empty, "too short");
        r = run(a.toArray(new String[0]));
        assertEquals(3, r.exit());
        assertTrue(r.err().contains("is too short"), r.err());
    }

    @Test
    void helpDocumentsEveryOption() {
        Cli.assertHelpExplainsEveryOption("tiny-lm");
    }
}
