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
import zerotoml.scratch.data.Idx;
import zerotoml.scratch.io.Safetensors;
import zerotoml.scratch.tensor.Tensor;

/** The fashion-mnist command on a tiny synthetic data set: it learns, resumes bit for bit, and explains itself. */
class FashionMnistCommandTest {
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
        SplittableRandom r = new SplittableRandom(99);
        boolean[][] proto = new boolean[10][SIDE * SIDE];
        for (boolean[] p : proto) for (int i = 0; i < p.length; i++) p[i] = r.nextBoolean();
        write(r, proto, 600, "train");
        write(r, proto, 200, "t10k");
    }

    static void write(SplittableRandom r, boolean[][] proto, int n, String prefix) throws IOException {
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
        Files.write(data.resolve(prefix + "-images-idx3-ubyte"), Idx.encodeUbyte(new int[] {n, SIDE, SIDE}, px));
        Files.write(data.resolve(prefix + "-labels-idx1-ubyte"), Idx.encodeUbyte(new int[] {n}, labels));
    }


    String[] args(Path out, int epochs, String... more) {
        List<String> a = new ArrayList<>(List.of("fashion-mnist", "--data", data.toString(), "--out", out.toString(),
                "--epochs", Integer.toString(epochs), "--hidden", "32", "--batch-size", "32", "--lr", "0.01", "--seed", "5", "--no-progress"));
        a.addAll(Arrays.asList(more));
        return a.toArray(new String[0]);
    }

    @Test
    void learnsATinySyntheticDataSetWellAboveChance() throws IOException {
        Path out = runs.resolve("learn");
        Run r = run(args(out, 3));
        assertEquals(0, r.exit(), r.err());
        Trainer.Config c = new Trainer.Config(zerotoml.scratch.tensor.DType.F32, 32, 32, 0.01, 5);
        Trainer.State s = Checkpoint.load(out.resolve("checkpoint.safetensors"), c, SIDE, SIDE);
        assertEquals(3, s.epochsDone());
        double acc = s.history().get(2).testAccuracy();
        // chance is 10%
        assertTrue(acc > 0.8, "test accuracy " + acc + "\n" + r.out());
        assertTrue(r.out().contains("epoch 3: train loss"), r.out());
        for (String png : new String[] {"curves.png", "confusion.png"}) {
            byte[] b = Files.readAllBytes(out.resolve(png));
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(b, 4), png + " is a PNG");
        }
        assertEquals(4, Files.readAllLines(out.resolve("history.csv")).size());
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
        Safetensors.Contents a = Safetensors.read(straight.resolve("checkpoint.safetensors"));
        Safetensors.Contents b = Safetensors.read(resumed.resolve("checkpoint.safetensors"));
        assertEquals(a.tensors().keySet(), b.tensors().keySet());
        for (Map.Entry<String, Tensor> e : a.tensors().entrySet()) {
            double[] x = e.getValue().toArray(), y = b.tensors().get(e.getKey()).toArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(Double.doubleToRawLongBits(x[i]), Double.doubleToRawLongBits(y[i]), e.getKey() + "[" + i + "]");
            }
        }
        assertEquals(a.metadata().get("adamStep"), b.metadata().get("adamStep"));
        // losses and accuracies (not timings) agree for every epoch
        Trainer.Config c = new Trainer.Config(zerotoml.scratch.tensor.DType.F32, 32, 32, 0.01, 5);
        var ha = Checkpoint.load(straight.resolve("checkpoint.safetensors"), c, SIDE, SIDE).history();
        var hb = Checkpoint.load(resumed.resolve("checkpoint.safetensors"), c, SIDE, SIDE).history();
        for (int i = 0; i < 3; i++) {
            assertEquals(ha.get(i).trainLoss(), hb.get(i).trainLoss(), 0);
            assertEquals(ha.get(i).testAccuracy(), hb.get(i).testAccuracy(), 0);
        }
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
        Trainer.Config c = new Trainer.Config("cnn", zerotoml.scratch.tensor.DType.F32, 32, 4, 32, 0.01, 5, false, 0);
        Trainer.State a = Checkpoint.load(straight.resolve("checkpoint.safetensors"), c, SIDE, SIDE);
        Trainer.State b = Checkpoint.load(resumed.resolve("checkpoint.safetensors"), c, SIDE, SIDE);
        double acc = a.history().get(2).testAccuracy();
        assertTrue(acc > 0.8, "cnn test accuracy " + acc + " (chance is 10%)\n" + r.out());
        List<Tensor> x = zerotoml.scratch.tensor.Autodiff.Params.tensors(a.opt()), y = zerotoml.scratch.tensor.Autodiff.Params.tensors(b.opt());
        x.addAll(zerotoml.scratch.tensor.Autodiff.Params.tensors(a.params()));
        y.addAll(zerotoml.scratch.tensor.Autodiff.Params.tensors(b.params()));
        assertEquals(x.size(), y.size());
        for (int t = 0; t < x.size(); t++) assertArrayEquals(x.get(t).toArray(), y.get(t).toArray(), 0, "tensor " + t);
        assertEquals(a.opt().step(), b.opt().step());
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
