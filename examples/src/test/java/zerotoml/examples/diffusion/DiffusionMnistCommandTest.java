package zerotoml.examples.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zerotoml.examples.Cli;
import zerotoml.examples.Cli.Run;
import zerotoml.examples.fashion.FashionMnistCommandTest;
import zerotoml.examples.kit.Table;
import zerotoml.scratch.io.Safetensors;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * diffusion-mnist end to end on a tiny synthetic 8x8 data set (never the real one) with a tiny
 * U-Net and a tiny classifier trained by fashion-mnist in the test: every method and sampler runs
 * and is judged, a resumed run is bit-identical, and bad inputs are explained.
 */
class DiffusionMnistCommandTest {
    @TempDir
    static Path work;

    static Path data, classifier;

    @BeforeAll
    static void writeDataAndTrainAClassifier() throws IOException {
        data = work.resolve("data");
        Files.createDirectories(data);
        FashionMnistCommandTest.writeSynthetic(data, 7, 300, 100);
        Path cls = work.resolve("classifier");
        Run r = Cli.run("fashion-mnist", "--data", data.toString(), "--model", "cnn", "--channels", "4", "--epochs", "2", "--batch-size", "32", "--lr", "0.01",
                "--seed", "3", "--out", cls.toString(), "--no-progress");
        assertEquals(0, r.exit(), r.err());
        classifier = cls.resolve("checkpoint.safetensors");
    }

    @TempDir
    Path runs;

    static String[] args(Path out, String method, int steps, String... more) {
        List<String> a = new ArrayList<>(List.of("diffusion-mnist", "--method", method, "--data", data.toString(), "--classifier", classifier.toString(),
                "--out", out.toString(), "--steps", Integer.toString(steps), "--eval-every", "2", "--channels", "4", "--groups", "2", "--embed", "8",
                "--batch-size", "8", "--samples", "12", "--sample-batch", "5", "--grid", "3", "--limit-test", "50", "--seed", "2",
                "--no-progress"));
        if (!Arrays.asList(more).contains("--sample-steps")) a.addAll(List.of("--sample-steps", "3"));
        a.addAll(Arrays.asList(more));
        return a.toArray(new String[0]);
    }

    /** scores.csv as rows of fields. */
    static List<String[]> scores(Path out) throws IOException {
        List<String[]> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(out.resolve("scores.csv"));
        assertEquals("method,sampler,train_steps,seed,samples,non_finite,threshold,confident_share,class_entropy,class_histogram,frechet,sample_seconds", lines.get(0));
        for (String l : lines.subList(1, lines.size())) rows.add(l.split(","));
        return rows;
    }

    static void assertPng(Path f) throws IOException {
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(Files.readAllBytes(f), 4), f + " is a PNG");
    }

    /**
     * A row's numbers are what they claim: a share, an entropy between 0 and ln 10 over a histogram
     * of the confident samples, and a finite distance unless some samples are not finite (then NaN,
     * and they are not among the confident ones).
     */
    static void assertSaneScores(String[] row, int n) {
        int bad = Integer.parseInt(row[5]);
        double share = Double.parseDouble(row[7]), entropy = Double.parseDouble(row[8]), fid = Double.parseDouble(row[10]);
        int[] hist = Arrays.stream(row[9].split(" ")).mapToInt(Integer::parseInt).toArray();
        String all = String.join(",", row);
        assertEquals(10, hist.length);
        assertEquals(n, Integer.parseInt(row[4]));
        assertEquals(Math.round(share * n), Arrays.stream(hist).sum(), "the histogram counts the confident samples: " + all);
        assertTrue(share >= 0 && share <= (double) (n - bad) / n, all);
        assertTrue(Double.isNaN(entropy) ? share == 0 : entropy >= 0 && entropy <= Math.log(10) + 1e-12, all);
        assertTrue(bad > 0 ? Double.isNaN(fid) : Double.isFinite(fid) && fid > -1e-6, all);
    }

    @Test
    void everyMethodTrainsSamplesWithEachOfItsSamplersAndIsJudged() throws IOException {
        Map<String, List<String>> offered = Map.of("fm", List.of("heun", "euler"), "rf", List.of("euler"), "ddpm", List.of("ddim", "ancestral"), "ddim",
                List.of("ddim", "ddim-eta1"), "sde", List.of("ode", "em", "pc"));
        for (var e : offered.entrySet()) {
            Path out = runs.resolve(e.getKey());
            // pc's discrete VP chain needs 21 steps or more (ScoreSde.fewestDiscreteSteps); the others run 3
            String sampleSteps = e.getValue().contains("pc") ? "21" : "3";
            Run r = Cli.run(args(out, e.getKey(), 4, "--samplers", String.join(",", e.getValue()), "--sample-steps", sampleSteps));
            assertEquals(0, r.exit(), e.getKey() + ": " + r.err() + r.out());
            List<String[]> rows = scores(out);
            assertEquals(1 + e.getValue().size(), rows.size(), e.getKey());
            assertEquals("real", rows.get(0)[0]);
            for (String[] row : rows) assertSaneScores(row, 12);
            assertEquals("0", rows.get(0)[5], "real images are finite");
            assertTrue(Double.isFinite(Double.parseDouble(rows.get(0)[10])), "the real images' distance");
            for (String s : e.getValue()) assertPng(out.resolve(e.getKey() + "-" + s + ".png"));
            assertPng(out.resolve("real.png"));
            Path train = out.resolve(e.getKey());
            assertPng(train.resolve("curves.png"));
            List<DiffusionMnist.Eval> h = Table.parse(Files.readString(train.resolve("history.csv")), DiffusionMnist.Eval.class);
            assertEquals(List.of(2, 4), h.stream().map(DiffusionMnist.Eval::step).toList(), e.getKey());
            for (DiffusionMnist.Eval row : h) assertTrue(Double.isFinite(row.loss()) && row.loss() > 0, e.getKey() + " loss " + row.loss());
            assertTrue(r.out().contains("Frechet distance to the test set"), r.out());
        }
    }

    @Test
    void thePcSamplerWithTooFewStepsIsRefusedBeforeTrainingInsteadOfMakingNaNSamples() {
        Path out = runs.resolve("pc-too-few");
        Run r = Cli.run(args(out, "sde", 4, "--samplers", "pc", "--sample-steps", "20"));
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("--sample-steps must be >= 21 for the pc sampler") && r.err().contains("got 20"), r.err());
        assertFalse(Files.exists(out.resolve("sde")), "nothing trained or written");
    }

    @Test
    void anInterruptedAndResumedRunEndsBitIdenticalWithTheSameSamples() throws IOException {
        Path straight = runs.resolve("straight"), resumed = runs.resolve("resumed");
        assertEquals(0, Cli.run(args(straight, "fm", 6)).exit());
        // "interrupted" after step 3: its checkpoint is the last one
        assertEquals(0, Cli.run(args(resumed, "fm", 3)).exit());
        Run r = Cli.run(args(resumed, "fm", 6, "--resume"));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("resumed from"), r.out());
        Safetensors.Contents a = Safetensors.read(straight.resolve("fm/checkpoint.safetensors")), b = Safetensors.read(resumed.resolve("fm/checkpoint.safetensors"));
        assertEquals(a.tensors().keySet(), b.tensors().keySet());
        for (var e : a.tensors().entrySet()) {
            double[] u = e.getValue().toArray(), v = b.tensors().get(e.getKey()).toArray();
            for (int i = 0; i < u.length; i++) assertEquals(Double.doubleToRawLongBits(u[i]), Double.doubleToRawLongBits(v[i]), e.getKey() + "[" + i + "]");
        }
        assertEquals("6", a.metadata().get("scalar.opt.adam.step"));
        assertEquals(a.metadata().get("scalar.opt.adam.step"), b.metadata().get("scalar.opt.adam.step"));
        assertArrayEquals(Files.readAllBytes(straight.resolve("fm-heun.png")), Files.readAllBytes(resumed.resolve("fm-heun.png")), "the same samples");
        List<String[]> sa = scores(straight), sb = scores(resumed);
        // the resumed folder holds both runs' rows; the last two (real, heun) must match but for the seconds
        for (int k = 1; k <= 2; k++) {
            String[] x = sa.get(sa.size() - k), y = sb.get(sb.size() - k);
            assertEquals(List.of(x).subList(0, 11), List.of(y).subList(0, 11));
        }
    }

    @Test
    void theCheckpointHoldsTheMovingAverageOfTheWeightsWhichIsTheWeightsAtDecayZeroAndFloat32Trains() throws IOException {
        Path avg = runs.resolve("avg"), none = runs.resolve("none"), f32 = runs.resolve("f32");
        assertEquals(0, Cli.run(args(avg, "fm", 4, "--ema", "0.9")).exit());
        assertEquals(0, Cli.run(args(none, "fm", 4, "--ema", "0")).exit());
        Run r = Cli.run(args(f32, "fm", 4, "--dtype", "f32"));
        assertEquals(0, r.exit(), r.err());
        for (String[] row : scores(f32)) assertSaneScores(row, 12);
        Safetensors.Contents a = Safetensors.read(avg.resolve("fm/checkpoint.safetensors")), z = Safetensors.read(none.resolve("fm/checkpoint.safetensors")),
                f = Safetensors.read(f32.resolve("fm/checkpoint.safetensors"));
        int averaged = 0, differs = 0;
        for (var e : a.tensors().entrySet()) {
            if (!e.getKey().startsWith("params.")) continue;
            String ema = "opt.ema." + e.getKey().substring("params.".length());
            assertTrue(a.tensors().containsKey(ema) && z.tensors().containsKey(ema), ema);
            averaged++;
            // decay 0: the average is the weights, bit for bit; decay 0.9: the same weights (the EMA does not feed back), a different average
            assertArrayEquals(z.tensors().get(e.getKey()).toArray(), z.tensors().get(ema).toArray(), 0, ema);
            assertArrayEquals(e.getValue().toArray(), z.tensors().get(e.getKey()).toArray(), 0, e.getKey());
            if (!Arrays.equals(e.getValue().toArray(), a.tensors().get(ema).toArray())) differs++;
            assertEquals(DType.F32, f.tensors().get(ema).dtype(), ema);
        }
        assertTrue(averaged > 10, "the U-Net's tensors: " + averaged);
        assertTrue(differs > averaged / 2, differs + " of " + averaged + " averaged tensors differ from the weights");
    }

    @Test
    void aReflowTrainsATwoRfFromTheOneRfsEulerCouplingsAndJudgesBothFlowsAtOneStep() throws IOException {
        Path out = runs.resolve("reflow");
        Run r = Cli.run(args(out, "rf", 4, "--reflow", "--pairs", "10", "--pair-steps", "2", "--reflow-steps", "4"));
        assertEquals(0, r.exit(), r.err() + r.out());
        // the couplings: Z1 is the 1-RF's (averaged weights') Euler sample from Z0 over --pair-steps steps, bit for bit
        Safetensors.Contents pairs = Safetensors.read(out.resolve("rf-reflow/pairs.safetensors"));
        Tensor z0 = pairs.tensors().get("z0"), z1 = pairs.tensors().get("z1");
        assertEquals(List.of(10, 1, 8, 8), Arrays.stream(z0.shape().dims()).boxed().toList());
        zerotoml.scratch.diffusion.UNet.Config c = DiffusionMnist.config(new DiffusionMnist.Settings(Diffusion2d.Method.RF, 4, 2, 8, 1, 1, 0, DType.F64, 0));
        var oneRf = zerotoml.scratch.diffusion.UNet.denoiser(c, DiffusionMnist.loadUNet(out.resolve("rf/checkpoint.safetensors"), Diffusion2d.Method.RF, c));
        assertArrayEquals(zerotoml.scratch.diffusion.RectifiedFlow.sample(oneRf, z0, 2, DiffusionMnist.RF_EPS).toArray(), z1.toArray(), 0);
        // the 2-RF's own run: history, curves and a checkpoint whose config names the couplings
        Path two = out.resolve("rf-reflow");
        List<DiffusionMnist.Eval> h = Table.parse(Files.readString(two.resolve("history.csv")), DiffusionMnist.Eval.class);
        assertEquals(List.of(2, 4), h.stream().map(DiffusionMnist.Eval::step).toList());
        assertTrue(Safetensors.read(two.resolve("checkpoint.safetensors")).metadata().get("config").contains("reflow pairs=10 pair-steps=2"), "config");
        // judged: real, the 1-RF at --sample-steps, the 2-RF at --sample-steps, then both at one step
        List<String[]> rows = scores(out);
        assertEquals(List.of("real", "rf", "2rf", "rf", "2rf"), rows.stream().map(x -> x[0]).toList());
        assertTrue(rows.get(2)[1].startsWith("2-RF Euler; 3 steps") && rows.get(4)[1].startsWith("2-RF Euler; 1 steps"), rows.get(2)[1] + " / " + rows.get(4)[1]);
        for (String[] row : rows) assertSaneScores(row, 12);
        for (String f : List.of("rf-euler.png", "2rf-euler.png", "rf-euler-1step.png", "2rf-euler-1step.png")) assertPng(out.resolve(f));
        List<String> straight = Files.readAllLines(out.resolve("straightness.csv"));
        assertEquals("flow,euler_steps,noise_images,straightness_per_pixel", straight.get(0));
        for (String l : straight.subList(1, 3)) {
            double v = Double.parseDouble(l.split(",")[3]);
            assertTrue(Double.isFinite(v) && v > 0, l);
        }
        assertTrue(r.out().contains("straightness per pixel"), r.out());
    }

    @Test
    void aResumedReflowReusesItsCouplingsAndEndsBitIdentical() throws IOException {
        Path straight = runs.resolve("reflow-straight"), resumed = runs.resolve("reflow-resumed");
        String[] reflow = {"--reflow", "--pairs", "6", "--pair-steps", "1", "--samples", "4"};
        assertEquals(0, Cli.run(args(straight, "rf", 2, concat(reflow, "--reflow-steps", "4"))).exit());
        // a finished 1-RF resumed to add --reflow starts its 2-RF; resumed again, the 2-RF continues from its checkpoint
        assertEquals(0, Cli.run(args(resumed, "rf", 2, "--samples", "4")).exit());
        Run first = Cli.run(args(resumed, "rf", 2, concat(reflow, "--reflow-steps", "2", "--resume")));
        assertEquals(0, first.exit(), first.err());
        Run r = Cli.run(args(resumed, "rf", 2, concat(reflow, "--reflow-steps", "4", "--resume")));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("reflow couplings read from"), r.out());
        Safetensors.Contents a = Safetensors.read(straight.resolve("rf-reflow/checkpoint.safetensors")),
                b = Safetensors.read(resumed.resolve("rf-reflow/checkpoint.safetensors"));
        assertEquals(a.tensors().keySet(), b.tensors().keySet());
        for (var e : a.tensors().entrySet()) assertArrayEquals(e.getValue().toArray(), b.tensors().get(e.getKey()).toArray(), 0, e.getKey());
        assertArrayEquals(Files.readAllBytes(straight.resolve("2rf-euler-1step.png")), Files.readAllBytes(resumed.resolve("2rf-euler-1step.png")));
        // couplings made otherwise are refused on resume, not silently replaced
        r = Cli.run(args(resumed, "rf", 2, "--reflow", "--pairs", "6", "--pair-steps", "3", "--samples", "4", "--reflow-steps", "4", "--resume"));
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains("holds couplings made otherwise") && r.err().contains("pair-steps=3"), r.err());
    }

    @Test
    void aReflowOfAnotherMethodOrWithNoPairsIsRefusedBeforeTraining() {
        Path out = runs.resolve("reflow-fm");
        Run r = Cli.run(args(out, "fm", 2, "--reflow"));
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains("--reflow needs --method rf") && r.err().contains("got --method fm"), r.err());
        r = Cli.run(args(out, "rf", 2, "--reflow", "--pairs", "0"));
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains("--pairs"), r.err());
        assertFalse(Files.exists(out.resolve("fm")) || Files.exists(out.resolve("rf")), "nothing trained");
    }

    static String[] concat(String[] a, String... b) {
        List<String> l = new ArrayList<>(Arrays.asList(a));
        l.addAll(Arrays.asList(b));
        return l.toArray(new String[0]);
    }

    @Test
    void resumingWithOtherOptionsIsRefused() {
        Path out = runs.resolve("other");
        assertEquals(0, Cli.run(args(out, "fm", 2, "--samples", "2")).exit());
        Run r = Cli.run(args(out, "fm", 4, "--resume", "--channels", "8"));
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains("was made by another configuration"), r.err());
    }

    @Test
    void aMissingClassifierOrDataSetOrAWrongCheckpointIsExplained() throws IOException {
        Run r = Cli.run(args(runs.resolve("a"), "fm", 2, "--classifier", runs.resolve("none.safetensors").toString()));
        assertEquals(3, r.exit());
        assertTrue(r.err().contains("--classifier") && r.err().contains("does not exist") && r.err().contains("fashion-mnist --model cnn"), r.err());
        Path empty = Files.createDirectories(runs.resolve("empty"));
        r = Cli.run(args(runs.resolve("b"), "fm", 2, "--data", empty.toString()));
        assertEquals(3, r.exit());
        assertTrue(r.err().contains("sudo apt-get install dataset-fashion-mnist"), r.err());
        // a diffusion checkpoint is not a classifier
        Path c = runs.resolve("c");
        assertEquals(0, Cli.run(args(c, "fm", 2, "--samples", "2")).exit());
        r = Cli.run(args(runs.resolve("d"), "fm", 2, "--classifier", c.resolve("fm/checkpoint.safetensors").toString()));
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("is not a fashion-mnist checkpoint"), r.err());
    }

    @Test
    void helpExplainsEveryOption() {
        String help = Cli.assertHelpExplainsEveryOption("diffusion-mnist");
        assertTrue(help.contains("--classifier") && help.contains("scores.csv"), help);
    }

    @Test
    void theEntropyOfAClassHistogramIsInNats() {
        assertEquals(Math.log(10), DiffusionMnist.entropy(new int[] {3, 3, 3, 3, 3, 3, 3, 3, 3, 3}), 1e-15);
        assertEquals(0, DiffusionMnist.entropy(new int[] {0, 0, 7, 0, 0, 0, 0, 0, 0, 0}), 0);
        assertEquals(Math.log(2), DiffusionMnist.entropy(new int[] {5, 0, 0, 0, 0, 0, 0, 0, 0, 5}), 1e-15);
        assertTrue(Double.isNaN(DiffusionMnist.entropy(new int[10])));
    }

    @Test
    void samplesInModelSpaceBecomePixelsInZeroOne() {
        Tensor x = Tensor.of(DType.F64, new double[] {-1, 0, 1, 3, -2, 0.5}, 2, 1, 1, 3);
        Tensor p = DiffusionMnist.pixels(x);
        assertEquals(List.of(2, 3), Arrays.stream(p.shape().dims()).boxed().toList());
        assertArrayEquals(new double[] {0, 0.5, 1, 1, 0, 0.75}, p.toArray(), 0);
    }
}
