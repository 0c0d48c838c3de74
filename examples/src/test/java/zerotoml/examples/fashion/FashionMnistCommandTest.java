package zerotoml.examples.fashion;

import static zerotoml.examples.Cli.run;
import zerotoml.examples.Cli;
import zerotoml.examples.Cli.Run;
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
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zerotoml.examples.kit.Table;
import zerotoml.scratch.data.Idx;
import zerotoml.scratch.io.Safetensors;
import zerotoml.scratch.tensor.Tensor;

/** The fashion-mnist command on a tiny synthetic data set: it learns, resumes bit for bit, and explains itself. */
public class FashionMnistCommandTest {
    @TempDir
    static Path data;

    @TempDir
    Path runs;

    static final int SIDE = 8;

    /**
     * Ten classes of 8x8 images: each class is a random binary prototype; an example is its
     * prototype with 10% of the pixels flipped and uniform noise added.
     */
    @BeforeAll
    static void writeSyntheticDataSet() throws IOException {
        writeSynthetic(data, 99, 600, 200);
    }

    /**
     * Writes the four IDX files of the synthetic set into dir: ten classes of 8x8 images, each
     * class a random binary prototype; an example is its prototype with 10% of the pixels flipped
     * and uniform noise added. Other commands' tests (diffusion-mnist) use it too.
     */
    public static void writeSynthetic(Path dir, long seed, int train, int test) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        boolean[][] proto = new boolean[10][SIDE * SIDE];
        for (boolean[] p : proto) for (int i = 0; i < p.length; i++) p[i] = r.nextBoolean();
        write(dir, r, proto, train, "train");
        write(dir, r, proto, test, "t10k");
    }

    static void write(Path dir, SplittableRandom r, boolean[][] proto, int n, String prefix) throws IOException {
        byte[] px = new byte[n * SIDE * SIDE];
        byte[] labels = new byte[n];
        for (int e = 0; e < n; e++) {
            int c = r.nextInt(10);
            labels[e] = (byte) c;
            for (int i = 0; i < SIDE * SIDE; i++) {
                boolean on = proto[c][i] ^ (r.nextDouble() < 0.1);
                px[e * SIDE * SIDE + i] = (byte) ((on ? 180 : 0) + r.nextInt(76));
            }
        }
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), Idx.encodeUbyte(new int[] {n, SIDE, SIDE}, px));
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), Idx.encodeUbyte(new int[] {n}, labels));
    }


    String[] args(Path out, int epochs, String... more) {
        List<String> a = new ArrayList<>(List.of("fashion-mnist", "--data", data.toString(), "--out", out.toString(),
                "--epochs", Integer.toString(epochs), "--hidden", "32", "--batch-size", "32", "--lr", "0.01", "--seed", "5", "--no-progress"));
        a.addAll(Arrays.asList(more));
        return a.toArray(new String[0]);
    }

    static List<Trainer.EpochStats> history(Path out) throws IOException {
        return Table.parse(Files.readString(out.resolve("history.csv")), Trainer.EpochStats.class);
    }

    /** Every tensor of both checkpoints is the same, bit for bit, and so are the step and the history's numbers (not its timings). */
    static void assertSameCheckpoint(Path a, Path b) throws IOException {
        Safetensors.Contents x = Safetensors.read(a.resolve("checkpoint.safetensors")), y = Safetensors.read(b.resolve("checkpoint.safetensors"));
        assertEquals(x.tensors().keySet(), y.tensors().keySet());
        for (Map.Entry<String, Tensor> e : x.tensors().entrySet()) {
            double[] u = e.getValue().toArray(), v = y.tensors().get(e.getKey()).toArray();
            for (int i = 0; i < u.length; i++) assertEquals(Double.doubleToRawLongBits(u[i]), Double.doubleToRawLongBits(v[i]), e.getKey() + "[" + i + "]");
        }
        assertEquals(x.metadata().get("step"), y.metadata().get("step"));
        assertEquals(x.metadata().get("scalar.opt.step"), y.metadata().get("scalar.opt.step"));
        List<Trainer.EpochStats> ha = history(a), hb = history(b);
        assertEquals(ha.size(), hb.size());
        for (int i = 0; i < ha.size(); i++) {
            assertEquals(ha.get(i).trainLoss(), hb.get(i).trainLoss(), 0);
            assertEquals(ha.get(i).trainAccuracy(), hb.get(i).trainAccuracy(), 0);
            assertEquals(ha.get(i).testAccuracy(), hb.get(i).testAccuracy(), 0);
        }
    }

    @Test
    void learnsATinySyntheticDataSetWellAboveChance() throws IOException {
        Path out = runs.resolve("learn");
        Run r = run(args(out, 3));
        assertEquals(0, r.exit(), r.err());
        List<Trainer.EpochStats> h = history(out);
        assertEquals(3, h.size());
        double acc = h.get(2).testAccuracy();
        // chance is 10%
        assertTrue(acc > 0.8, "test accuracy " + acc + "\n" + r.out());
        assertTrue(r.out().contains("epoch 3: train loss"), r.out());
        for (String png : new String[] {"curves.png", "confusion.png"}) {
            byte[] b = Files.readAllBytes(out.resolve(png));
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(b, 4), png + " is a PNG");
        }
        // 600 images in batches of 32: 19 Adam steps an epoch
        assertEquals("57", Safetensors.read(out.resolve("checkpoint.safetensors")).metadata().get("scalar.opt.step"));
    }

    @Test
    void anInterruptedAndResumedRunEndsBitIdenticalToAnUninterruptedOne() throws IOException {
        Path straight = runs.resolve("straight"), resumed = runs.resolve("resumed");
        assertEquals(0, run(args(straight, 3)).exit());
        // "interrupted" after epoch 1: the last checkpoint is the one epoch 1 wrote
        assertEquals(0, run(args(resumed, 1)).exit());
        Run r = run(args(resumed, 3, "--resume"));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("resumed from"), r.out());
        assertSameCheckpoint(straight, resumed);
    }

    @Test
    void theCnnLearnsTheSyntheticDataSetAndResumesBitForBit() throws IOException {
        Path straight = runs.resolve("cnn-straight"), resumed = runs.resolve("cnn-resumed");
        String[] cnn = {"--model", "cnn", "--channels", "4"};
        Run r = run(args(straight, 3, cnn));
        assertEquals(0, r.exit(), r.err());
        assertEquals(0, run(args(resumed, 2, cnn)).exit());
        List<String> more = new ArrayList<>(List.of(cnn));
        more.add("--resume");
        assertEquals(0, run(args(resumed, 3, more.toArray(new String[0]))).exit());
        double acc = history(straight).get(2).testAccuracy();
        assertTrue(acc > 0.8, "cnn test accuracy " + acc + " (chance is 10%)\n" + r.out());
        assertSameCheckpoint(straight, resumed);
    }

    @Test
    void resumingWithOtherOptionsIsRefused() {
        Path out = runs.resolve("other");
        assertEquals(0, run(args(out, 1)).exit());
        Run r = run(args(out, 2, "--resume", "--dtype", "f64"));
        assertFalse(r.exit() == 0);
        assertTrue(r.err().contains("was made by another configuration"), r.err());
    }

    @Test
    void aLossThatBecomesNanStopsTheRunWithExit4AndAClearMessage() {
        // Adam moves every weight by about lr per step: 1e30 overflows float32 logits on the second step
        Run r = run(args(runs.resolve("nan"), 2, "--lr", "1e30"));
        assertEquals(4, r.exit(), r.out() + r.err());
        assertTrue(r.err().startsWith("fashion-mnist: the loss became NaN at step 2; stopping (no checkpoint was written before it)."), r.err());
        assertFalse(Files.exists(runs.resolve("nan/checkpoint.safetensors")));
    }

    @Test
    void aMissingDataSetSaysHowToInstallIt() {
        Run r = run("fashion-mnist", "--data", runs.resolve("nothing-here").toString(), "--out", runs.toString());
        assertEquals(3, r.exit());
        assertTrue(r.err().contains("apt-get install dataset-fashion-mnist"), r.err());
        assertTrue(r.err().contains("train-images-idx3-ubyte"), r.err());
    }

    @Test
    void helpExplainsEveryOption() {
        String help = Cli.assertHelpExplainsEveryOption("fashion-mnist");
        assertTrue(help.contains("/usr/share/datasets/fashion-mnist"), help);
    }
}
