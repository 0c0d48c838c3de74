package zerotoml.examples.fashion;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import zerotoml.scratch.tensor.DType;

/** Trains a Fashion-MNIST classifier with scratch autodiff and Adam. */
@Command(name = "fashion-mnist", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a classifier on Fashion-MNIST (Xiao, Rasul and Vollgraf, arXiv 1708.07747) with scratch"
                + " autodiff and Adam. After every epoch it prints the test accuracy and writes, atomically, to --out:"
                + " checkpoint.safetensors, curves.png (loss and accuracy), confusion.png (test confusion matrix)"
                + " and history.csv. The data set comes from the Debian package dataset-fashion-mnist.")
public final class FashionMnistCommand implements Callable<Integer> {
    static final Path DEFAULT_DATA = Path.of("/usr/share/datasets/fashion-mnist");

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", description = "Directory with the four IDX files (raw or .gz). Default: ${DEFAULT-VALUE}")
    Path data = DEFAULT_DATA;

    @Option(names = "--model", paramLabel = "KIND", description = "Model: mlp (two-layer perceptron) or cnn (two 3x3 conv + ReLU + 2x2 max-pool blocks, then linear). Default: ${DEFAULT-VALUE}")
    String model = "mlp";

    @Option(names = "--epochs", paramLabel = "N", description = "Train until N epochs are done (counting those of a resumed checkpoint). Default: ${DEFAULT-VALUE}")
    int epochs = 10;

    @Option(names = "--batch-size", paramLabel = "B", description = "Examples per Adam step. Default: ${DEFAULT-VALUE}")
    int batchSize = 128;

    @Option(names = "--lr", paramLabel = "LR", description = "Adam learning rate (betas 0.9, 0.999, eps 1e-8). Default: ${DEFAULT-VALUE}")
    double lr = 1e-3;

    @Option(names = "--schedule", paramLabel = "KIND", description = "Learning-rate schedule: constant, or cosine (annealed to 0 over all --epochs). Default: ${DEFAULT-VALUE}")
    String schedule = "constant";

    @Option(names = "--hidden", paramLabel = "H", description = "Hidden units of the MLP. Default: ${DEFAULT-VALUE}")
    int hidden = 256;

    @Option(names = "--channels", paramLabel = "C", description = "Channels of the CNN's first convolution (the second has 2C). Default: ${DEFAULT-VALUE}")
    int channels = 8;

    @Option(names = "--dtype", paramLabel = "T", description = "f32 or f64. Default: ${DEFAULT-VALUE}")
    String dtype = "f32";

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the initial weights and of every epoch's shuffle. Default: ${DEFAULT-VALUE}")
    long seed = 1;

    @Option(names = "--out", paramLabel = "DIR", description = "Where checkpoint, plots and history go. Default: ${DEFAULT-VALUE}")
    Path out = Path.of("runs/fashion-mnist");

    @Option(names = "--resume", description = "Continue from --out/checkpoint.safetensors (same options required) instead of starting afresh.")
    boolean resume;

    @Option(names = "--limit-train", paramLabel = "N", description = "Use only the first N training images (quick runs). Default: all")
    int limitTrain = Integer.MAX_VALUE;

    @Option(names = "--limit-test", paramLabel = "N", description = "Use only the first N test images. Default: all")
    int limitTest = Integer.MAX_VALUE;

    @Option(names = "--no-progress", description = "Do not draw the progress bar (for logs and tests).")
    boolean noProgress;

    @Override
    public Integer call() throws IOException {
        var o = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if (!model.equals("mlp") && !model.equals("cnn")) {
            err.println("fashion-mnist: --model must be mlp or cnn, got " + model);
            return 2;
        }
        if (!dtype.equals("f32") && !dtype.equals("f64")) {
            err.println("fashion-mnist: --dtype must be f32 or f64, got " + dtype);
            return 2;
        }
        if (!schedule.equals("constant") && !schedule.equals("cosine")) {
            err.println("fashion-mnist: --schedule must be constant or cosine, got " + schedule);
            return 2;
        }
        Dataset train, test;
        try {
            train = Dataset.load(data, Dataset.TRAIN).limit(limitTrain);
            test = Dataset.load(data, Dataset.TEST).limit(limitTest);
        } catch (Dataset.MissingDataException e) {
            err.println(e.getMessage());
            return 3;
        }
        Trainer.Config c;
        try {
            int steps = epochs * ((train.count() + batchSize - 1) / batchSize);
            c = new Trainer.Config(model, dtype.equals("f32") ? DType.F32 : DType.F64, hidden, channels, batchSize, lr, seed, schedule.equals("cosine"), steps);
        } catch (IllegalArgumentException e) {
            err.println("fashion-mnist: " + e.getMessage());
            return 2;
        }
        Files.createDirectories(out);
        Path ckpt = out.resolve("checkpoint.safetensors");
        Trainer.State s;
        if (resume) {
            if (!Files.exists(ckpt)) {
                err.println("fashion-mnist: --resume given but " + ckpt + " does not exist");
                return 2;
            }
            s = Checkpoint.load(ckpt, c, train.rows(), train.cols());
            o.printf(Locale.ROOT, "resumed from %s after epoch %d%n", ckpt, s.epochsDone());
        } else {
            s = Trainer.fresh(c, train.rows(), train.cols());
        }
        o.printf(Locale.ROOT, "Fashion-MNIST: %d training and %d test images of %dx%d; %s%n", train.count(), test.count(), train.rows(), train.cols(), Checkpoint.describe(c));
        while (s.epochsDone() < epochs) {
            int e = s.epochsDone() + 1;
            int batches = (train.count() + batchSize - 1) / batchSize;
            if (noProgress) {
                s = Trainer.epoch(c, s, train, test, Trainer.BatchListener.NONE);
            } else {
                try (ProgressBar pb = new ProgressBarBuilder().setTaskName(String.format("epoch %d/%d", e, epochs)).setInitialMax(batches)
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).setMaxRenderedLength(120).setConsumer(new ConsoleProgressBarConsumer(System.err)).build()) {
                    s = Trainer.epoch(c, s, train, test, (b, n, loss, acc, ips) -> {
                        pb.stepTo(b);
                        pb.setExtraMessage(String.format(Locale.ROOT, " loss %.4f  acc %.2f%%  %.0f img/s", loss, 100 * acc, ips));
                    });
                }
            }
            Trainer.EpochStats st = s.history().get(s.history().size() - 1);
            o.flush();
            o.printf(Locale.ROOT, "epoch %d: train loss %.4f, train accuracy %.2f%%, test accuracy %.2f%% (%.1f s, %.0f images/s)%n",
                    st.epoch(), st.trainLoss(), 100 * st.trainAccuracy(), 100 * st.testAccuracy(), st.seconds(), st.imagesPerSecond());
            o.flush();
            Checkpoint.save(ckpt, c, s);
            writeReports(c, s, test);
        }
        o.printf(Locale.ROOT, "done: %d epochs; outputs in %s%n", s.epochsDone(), out.toAbsolutePath());
        o.flush();
        return 0;
    }

    void writeReports(Trainer.Config c, Trainer.State s, Dataset test) throws IOException {
        Plots.curves(out.resolve("curves.png"), s.history());
        int[][] m = Trainer.confusion(s.params(), test, c.dtype());
        Plots.confusion(out.resolve("confusion.png"), m, String.format(Locale.ROOT, "Test confusion after epoch %d (accuracy %.2f%%)", s.epochsDone(), 100 * Trainer.accuracy(m)));
        StringBuilder csv = new StringBuilder("epoch,train_loss,train_accuracy,test_accuracy,seconds,images_per_second\n");
        for (Trainer.EpochStats e : s.history()) {
            csv.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.2f,%.1f%n", e.epoch(), e.trainLoss(), e.trainAccuracy(), e.testAccuracy(), e.seconds(), e.imagesPerSecond()));
        }
        zerotoml.scratch.io.AtomicFile.write(out.resolve("history.csv"), os -> os.write(csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
