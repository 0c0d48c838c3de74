package zerotoml.examples.kit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import zerotoml.examples.Cli;
import zerotoml.examples.Main;
import zerotoml.scratch.io.Safetensors;
import zerotoml.scratch.tensor.Tensor;

/** The training-loop kit, through the smallest command written on it ({@link LineFitCommand}) and its parts one by one. */
class LoopTest {
    @TempDir
    Path runs;

    static Cli.Run lineFit(String... args) {
        CommandLine cl = Main.configure(new CommandLine(new LineFitCommand()));
        cl.setOverwrittenOptionsAllowed(true); // a test may override a default it passed by repeating the option
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Cli.Run(exit, out.toString(), err.toString());
    }

    String[] args(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("--out", out.toString(), "--steps", "60", "--eval-every", "20", "--seed", "7", "--no-progress"));
        a.addAll(Arrays.asList(more));
        return a.toArray(new String[0]);
    }

    @Test
    void aCommandOnTheKitLearnsAndWritesCheckpointHistoryAndCurves() throws IOException {
        Path out = runs.resolve("fit");
        Cli.Run r = lineFit(args(out));
        assertEquals(0, r.exit(), r.err());
        List<LineFitCommand.Eval> h = Table.parse(Files.readString(out.resolve("history.csv")), LineFitCommand.Eval.class);
        assertEquals(List.of(20, 40, 60), h.stream().map(LineFitCommand.Eval::step).toList());
        // the noise is uniform in ±0.1, variance 0.01/3: a fitted line leaves about that
        assertTrue(h.get(2).heldOutLoss() < 0.01, h.toString());
        assertTrue(h.get(2).heldOutLoss() < h.get(0).heldOutLoss(), h.toString());
        assertTrue(r.out().contains("step 60: train loss"), r.out());
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(Files.readAllBytes(out.resolve("curves.png")), 4));
        Map<String, String> meta = Safetensors.read(out.resolve("checkpoint.safetensors")).metadata();
        assertEquals("60", meta.get("step"));
        assertEquals("60", meta.get("scalar.opt.step"), "Adam's step count is saved with its moments");
    }

    @Test
    void aNanLossStopsTheRunWithExit4AndKeepsTheLastGoodCheckpointFromWhichItResumesBitForBit() throws IOException {
        Path whole = runs.resolve("whole"), broken = runs.resolve("broken");
        assertEquals(0, lineFit(args(whole)).exit());
        Cli.Run r = lineFit(args(broken, "--poison-at", "31"));
        assertEquals(Failure.DIVERGED, r.exit(), r.out() + r.err());
        assertEquals("line-fit: the loss became NaN at step 31; stopping (the last good checkpoint, after step 20, is kept in "
                + broken.resolve("checkpoint.safetensors") + "). A lower --lr usually helps.", r.err().strip());
        Safetensors.Contents kept = Safetensors.read(broken.resolve("checkpoint.safetensors"));
        assertEquals("20", kept.metadata().get("step"));
        for (Tensor t : kept.tensors().values()) for (double v : t.toArray()) assertTrue(Double.isFinite(v), "the kept checkpoint is finite");
        // the poison is not part of the config: resume as if the run had been killed at step 31
        Cli.Run resumed = lineFit(args(broken, "--resume"));
        assertEquals(0, resumed.exit(), resumed.err());
        assertTrue(resumed.out().startsWith("resumed from " + broken.resolve("checkpoint.safetensors") + " after step 20"), resumed.out());
        Safetensors.Contents a = Safetensors.read(whole.resolve("checkpoint.safetensors")), b = Safetensors.read(broken.resolve("checkpoint.safetensors"));
        for (var e : a.tensors().entrySet()) {
            double[] x = e.getValue().toArray(), y = b.tensors().get(e.getKey()).toArray();
            for (int i = 0; i < x.length; i++) assertEquals(Double.doubleToRawLongBits(x[i]), Double.doubleToRawLongBits(y[i]), e.getKey());
        }
        assertEquals(a.metadata().get("history").lines().map(l -> l.substring(0, l.lastIndexOf(','))).toList().size(),
                b.metadata().get("history").lines().toList().size());
        assertEquals(Files.readString(whole.resolve("history.csv")), Files.readString(broken.resolve("history.csv")), "the rows hold no timings: all equal");
    }

    @Test
    void aNanOnTheFirstStepsSaysNoCheckpointWasWritten() {
        Cli.Run r = lineFit(args(runs.resolve("early"), "--poison-at", "3"));
        assertEquals(Failure.DIVERGED, r.exit());
        assertTrue(r.err().contains("at step 3; stopping (no checkpoint was written before it)"), r.err());
        assertFalse(Files.exists(runs.resolve("early/checkpoint.safetensors")));
    }

    @Test
    void staleTemporaryFilesOfAKilledRunAreRemovedAtStart() throws IOException {
        Path out = Files.createDirectories(runs.resolve("stale"));
        Files.write(out.resolve(".checkpoint.safetensors.4711.tmp"), new byte[100]);
        Cli.Run r = lineFit(args(out, "--steps", "20"));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("removed 1 temporary file(s) a killed run left in " + out + ": [.checkpoint.safetensors.4711.tmp]"), r.out());
        try (var files = Files.list(out)) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
        }
    }

    @Test
    void resumingWithoutACheckpointOrWithOtherOptionsIsOneLineAndExit2() {
        Cli.Run none = lineFit(args(runs.resolve("none"), "--resume"));
        assertEquals(2, none.exit());
        assertEquals("line-fit: --resume given but " + runs.resolve("none/checkpoint.safetensors") + " does not exist", none.err().strip());
        assertEquals(0, lineFit(args(runs.resolve("other"), "--steps", "20")).exit());
        Cli.Run other = lineFit(args(runs.resolve("other"), "--steps", "40", "--resume"));
        assertEquals(2, other.exit());
        assertTrue(other.err().contains("was made by another configuration (lr=0.3 steps=20 batch=16 seed=7), not this run's (lr=0.3 steps=40"), other.err());
    }

    @Test
    void withoutATerminalProgressIsAPlainLineEvery5PercentAndNoCarriageReturns() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream to = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (Progress p = Progress.start("job", 1000, 0, Progress.Mode.LINES, to)) {
            for (int i = 1; i <= 1000; i++) p.stepTo(i, " loss 1.0");
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("\r"));
        List<String> lines = text.lines().toList();
        assertEquals(20, lines.size(), text);
        assertEquals("job: 5% (50/1000) loss 1.0", lines.get(0));
        assertEquals("job: 100% (1000/1000) loss 1.0", lines.get(19));
        // a resumed run starts counting where it was; an odd total still gets a line per 5%
        bytes.reset();
        try (Progress p = Progress.start("job", 7, 3, Progress.Mode.LINES, to)) {
            for (int i = 4; i <= 7; i++) p.stepTo(i, "");
        }
        assertEquals(List.of("job: 57% (4/7)", "job: 71% (5/7)", "job: 85% (6/7)", "job: 100% (7/7)"), bytes.toString(StandardCharsets.UTF_8).lines().toList());
        bytes.reset();
        try (Progress p = Progress.start("job", 10, 0, Progress.Mode.OFF, to)) {
            p.stepTo(10, "");
        }
        assertEquals("", bytes.toString(StandardCharsets.UTF_8));
    }

    record Row(int step, double trainLoss, long tokens, boolean best, String note) {}

    @Test
    void aHistoryTableReadsBackBitForBit() {
        List<Row> rows = List.of(new Row(1, 0.1 + 0.2, 5, true, "a"), new Row(2, Double.NaN, -1, false, ""), new Row(3, -0.0, Long.MAX_VALUE, false, "x y"),
                new Row(4, Double.MIN_VALUE, 0, true, "z"), new Row(5, Double.NEGATIVE_INFINITY, 0, false, "-"));
        String csv = Table.csv(rows, Row.class);
        assertTrue(csv.startsWith("step,train_loss,tokens,best,note\n1,0.30000000000000004,5,true,a\n"), csv);
        List<Row> back = Table.parse(csv, Row.class);
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(Double.doubleToRawLongBits(rows.get(i).trainLoss()), Double.doubleToRawLongBits(back.get(i).trainLoss()));
            assertEquals(rows.get(i).note(), back.get(i).note());
        }
        assertEquals(rows.size(), back.size());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Table.parse("step,loss\n", Row.class)).getMessage().contains("expected the header"));
        assertThrows(IllegalArgumentException.class, () -> Table.csv(List.of(new Row(1, 1, 1, true, "a,b")), Row.class));
    }

    @Test
    void helpExplainsEveryOptionOfTheTemplateCommand() {
        Cli.Run r = lineFit("--help");
        assertEquals(0, r.exit());
        for (String o : List.of("--seed", "--out", "--resume", "--threads", "--no-progress", "--steps", "--lr", "--batch-size", "--eval-every")) {
            assertTrue(r.out().contains(o), o + "\n" + r.out());
        }
    }
}
