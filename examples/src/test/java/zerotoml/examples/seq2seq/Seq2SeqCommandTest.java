package zerotoml.examples.seq2seq;

import zerotoml.scratch.nn.Dropout;
import static zerotoml.examples.Cli.run;
import zerotoml.examples.Cli;
import zerotoml.examples.Cli.Run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zerotoml.examples.kit.Table;
import zerotoml.scratch.io.Safetensors;
import zerotoml.scratch.tensor.Tensor;
import zerotoml.scratch.transformer.Embeddings;
import zerotoml.scratch.transformer.Transformer;

/** The seq2seq command: its data are right and seeded, its loss ignores padding, it learns, and it explains bad options. */
class Seq2SeqCommandTest {
    @TempDir
    Path runs;


    @Test
    void reverseAndSortTargetsAreTheReversedAndSortedDigits() {
        assertArrayEquals(new int[] {3, 0, 9, 1}, Task.target(Task.Kind.REVERSE, new int[] {1, 9, 0, 3}));
        assertArrayEquals(new int[] {0, 1, 3, 9}, Task.target(Task.Kind.SORT, new int[] {1, 9, 0, 3}));
        assertArrayEquals(new int[] {7}, Task.target(Task.Kind.REVERSE, new int[] {7}));
        assertArrayEquals(new int[] {2, 2, 5}, Task.target(Task.Kind.SORT, new int[] {5, 2, 2}));
    }

    @Test
    void aBatchPadsTheSourceAndShiftsTheTargetBetweenBosAndEos() {
        Task.Batch b = Task.batch(Task.Kind.REVERSE, List.of(new int[] {1, 2}, new int[] {4, 0, 7}), 3);
        int d = Task.DIGIT0, pad = Task.PAD, bos = Task.BOS, eos = Task.EOS;
        assertArrayEquals(new int[] {d + 1, d + 2, pad, d + 4, d, d + 7}, b.source());
        assertArrayEquals(new boolean[] {true, true, false, true, true, true}, b.sourceValid());
        assertArrayEquals(new int[] {bos, d + 2, d + 1, pad, bos, d + 7, d, d + 4}, b.decoderInput());
        assertArrayEquals(new int[] {d + 2, d + 1, eos, pad, d + 7, d, d + 4, eos}, b.decoderTarget());
        assertArrayEquals(new boolean[] {true, true, true, false, true, true, true, true}, b.targetValid());
    }

    @Test
    void trainingBatchesAreSeededPerStepAndNeverHoldAHeldOutString() {
        List<int[]> held = Task.heldOut(3, 2, 40);
        Set<String> keys = new HashSet<>();
        for (int[] h : held) assertTrue(keys.add(Task.key(h)), "held-out strings are distinct");
        assertEquals(keys.size(), 40);
        Task.Batch a = Task.trainingBatch(Task.Kind.SORT, 9, 5, 200, 2, keys), again = Task.trainingBatch(Task.Kind.SORT, 9, 5, 200, 2, keys);
        assertArrayEquals(a.source(), again.source());
        assertFalse(Arrays.equals(a.source(), Task.trainingBatch(Task.Kind.SORT, 9, 6, 200, 2, keys).source()), "another step, another batch");
        for (int[] s : a.sources()) {
            assertFalse(keys.contains(Task.key(s)), "held-out string " + Task.key(s) + " in a training batch");
            assertTrue(s.length >= 1 && s.length <= 2);
        }
        for (int i = 0; i < a.size(); i++) assertArrayEquals(Task.target(Task.Kind.SORT, a.sources().get(i)), a.targets().get(i));
        assertEquals(held.size(), Task.heldOut(3, 2, 40).size());
        for (int i = 0; i < held.size(); i++) assertArrayEquals(held.get(i), Task.heldOut(3, 2, 40).get(i));
    }

    @Test
    void theLossIgnoresPaddedTargetsAndPaddedSourceTokens() {
        Transformer.Config c = new Transformer.Config(Task.VOCAB, 16, 2, 32, 1, 5, Transformer.Norm.POST, Transformer.Activation.RELU, Embeddings.Positional.SINUSOIDAL);
        Transformer.EncoderDecoder p = Transformer.initEncoderDecoder(c, Seq2Seq.dtype(), 4);
        Task.Batch b = Task.batch(Task.Kind.REVERSE, List.of(new int[] {1, 2}, new int[] {4, 0, 7, 7}), 4);
        double base = Seq2Seq.loss(c, p, b, Dropout.OFF).item();
        int[] src = b.source().clone(), tgt = b.decoderTarget().clone();
        src[2] = Task.DIGIT0 + 9; // padding of the first source
        src[3] = Task.EOS;
        tgt[3] = Task.DIGIT0 + 5; // padding of the first target
        tgt[4] = Task.BOS;
        Task.Batch changed = new Task.Batch(b.size(), b.sourceTime(), src, b.sourceValid(), b.targetTime(), b.decoderInput(), tgt, b.targetValid(), b.sources(), b.targets());
        assertEquals(base, Seq2Seq.loss(c, p, changed, Dropout.OFF).item(), 0.0, "masked positions must change nothing");
        int[] real = b.decoderTarget().clone();
        real[0] = Task.DIGIT0 + 5; // a real target position does count
        Task.Batch counted = new Task.Batch(b.size(), b.sourceTime(), b.source(), b.sourceValid(), b.targetTime(), b.decoderInput(), real, b.targetValid(), b.sources(), b.targets());
        assertNotEquals(base, Seq2Seq.loss(c, p, counted, Dropout.OFF).item());
    }

    @Test
    void aTinyModelLearnsToReverseFarAboveChance() throws IOException {
        Path out = runs.resolve("reverse");
        Run r = run("seq2seq", "--length", "4", "--layers", "1", "--d-model", "32", "--heads", "2", "--steps", "300", "--lr", "3e-3",
                "--held-out", "200", "--eval-every", "150", "--seed", "2", "--out", out.toString(), "--no-progress");
        assertEquals(0, r.exit(), r.err());
        List<String> csv = Files.readAllLines(out.resolve("history.csv"));
        assertEquals("step,train_loss,exact_match,seconds", csv.get(0));
        String[] last = csv.get(csv.size() - 1).split(",");
        assertEquals("300", last[0]);
        double acc = Double.parseDouble(last[2]);
        // a guess of the right length and digits is right with probability ≤ 1/10 (length 1) and 1/10⁴ (length 4)
        assertTrue(acc > 0.8, "held-out exact match after 300 steps: " + acc + "\n" + r.out());
        assertTrue(Files.size(out.resolve("checkpoint.safetensors")) > 0);
        assertTrue(Files.size(out.resolve("curves.png")) > 0);
        assertTrue(r.out().contains("held-out exact match"), r.out());
    }

    @Test
    void aRunStoppedAfterItsFirstEvaluationResumesBitIdenticalToAnUninterruptedOne() throws IOException {
        Path whole = runs.resolve("whole"), split = runs.resolve("split");
        String[] common = {"seq2seq", "--length", "3", "--layers", "1", "--d-model", "16", "--heads", "2", "--steps", "30", "--warmup", "5",
                "--eval-every", "10", "--held-out", "20", "--batch-size", "16", "--seed", "4", "--no-progress", "--out"};
        assertEquals(0, run(with(common, whole.toString())).exit());
        // --stop-at 0 ends the run at its first evaluation (any accuracy is >= 0), with the checkpoint of step 10
        Run first = run(with(common, split.toString(), "--stop-at", "0"));
        assertEquals(0, first.exit(), first.err());
        assertEquals("10", Safetensors.read(split.resolve("checkpoint.safetensors")).metadata().get("step"));
        Run rest = run(with(common, split.toString(), "--resume"));
        assertEquals(0, rest.exit(), rest.err());
        assertTrue(rest.out().contains("resumed from") && rest.out().contains("after step 10"), rest.out());
        Safetensors.Contents x = Safetensors.read(whole.resolve("checkpoint.safetensors")), y = Safetensors.read(split.resolve("checkpoint.safetensors"));
        assertEquals(x.tensors().keySet(), y.tensors().keySet());
        for (Map.Entry<String, Tensor> e : x.tensors().entrySet()) assertArrayEquals(e.getValue().toArray(), y.tensors().get(e.getKey()).toArray(), 0.0, e.getKey());
        List<Trainer.Eval> a = Table.parse(Files.readString(whole.resolve("history.csv")), Trainer.Eval.class);
        List<Trainer.Eval> b = Table.parse(Files.readString(split.resolve("history.csv")), Trainer.Eval.class);
        assertEquals(3, a.size());
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).trainLoss(), b.get(i).trainLoss(), 0.0);
            assertEquals(a.get(i).exactMatch(), b.get(i).exactMatch(), 0.0);
        }
        Run other = run(with(common, split.toString(), "--resume", "--lr", "0.01"));
        assertEquals(2, other.exit());
        assertTrue(other.err().contains("was made by another configuration"), other.err());
    }

    static String[] with(String[] common, String... more) {
        List<String> a = new ArrayList<>(List.of(common));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    @Test
    void badOptionsAreRefusedWithAClearMessage() {
        Path out = runs.resolve("bad");
        Run task = run("seq2seq", "--task", "shuffle", "--out", out.toString());
        assertEquals(2, task.exit());
        assertTrue(task.err().startsWith("seq2seq: Invalid value for option '--task': expected one of [REVERSE, SORT]"), task.err());
        Run heads = run("seq2seq", "--d-model", "30", "--heads", "4", "--out", out.toString());
        assertEquals(2, heads.exit());
        assertTrue(heads.err().contains("--d-model 30 is not divisible by --heads 4"), heads.err());
        Run length = run("seq2seq", "--length", "0", "--out", out.toString());
        assertEquals(2, length.exit());
        assertTrue(length.err().contains("--length must be >= 1, got 0"), length.err());
        Run held = run("seq2seq", "--length", "1", "--held-out", "500", "--out", out.toString());
        assertEquals(2, held.exit());
        assertTrue(held.err().contains("500 held-out strings are more than half of the 10 strings of length 1..1"), held.err());
        Run stop = run("seq2seq", "--stop-at", "1.5", "--out", out.toString());
        assertEquals(2, stop.exit());
        assertTrue(stop.err().contains("--stop-at must be a number in [0, 1], got 1.5"), stop.err());
        assertFalse(Files.exists(out.resolve("checkpoint.safetensors")));
    }

    @Test
    void helpDocumentsEveryOption() {
        Cli.assertHelpExplainsEveryOption("seq2seq");
    }
}
