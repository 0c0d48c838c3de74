package zerotoml.examples.fashion;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import zerotoml.examples.kit.Checks;
import zerotoml.examples.kit.Failure;
import zerotoml.examples.kit.Loop;
import zerotoml.examples.kit.Options;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.tensor.DType;

/** Trains a Fashion-MNIST classifier with scratch autodiff and Adam, on the examples' training-loop kit. */
@Command(name = "fashion-mnist", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a classifier on Fashion-MNIST (Xiao, Rasul and Vollgraf, arXiv 1708.07747) with scratch"
                + " autodiff and Adam (betas 0.9, 0.999, eps 1e-8). After every epoch it prints the test accuracy and writes, atomically, to --out:"
                + " checkpoint.safetensors, curves.png (loss and accuracy), confusion.png (test confusion matrix)"
                + " and history.csv. The data set comes from the Debian package dataset-fashion-mnist.")
public final class FashionMnistCommand implements Callable<Integer> {
    static final Path DEFAULT_DATA = Path.of("/usr/share/datasets/fashion-mnist");

    /** Learning-rate schedules. */
    public enum ScheduleKind {
        CONSTANT, COSINE;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", description = "Directory with the four IDX files (raw or .gz). Default: ${DEFAULT-VALUE}")
    Path data = DEFAULT_DATA;

    @Option(names = "--model", paramLabel = "KIND", description = "mlp (two-layer perceptron) or cnn (two 3x3 conv + ReLU"
            + " + 2x2 max-pool blocks, then linear). Default: ${DEFAULT-VALUE}")
    Trainer.Model model = Trainer.Model.MLP;

    @Mixin
    Options.Epochs epochs = new Options.Epochs(10);

    @Option(names = "--batch-size", paramLabel = "B", description = "Examples per Adam step (>= 1). Default: ${DEFAULT-VALUE}")
    int batchSize = 128;

    @Mixin
    Options.Lr lr = new Options.Lr(1e-3);

    @Option(names = "--schedule", paramLabel = "KIND", description = "Learning-rate schedule: constant, or cosine (annealed to 0 over all --epochs)."
            + " Default: ${DEFAULT-VALUE}")
    ScheduleKind schedule = ScheduleKind.CONSTANT;

    @Option(names = "--hidden", paramLabel = "H", description = "Hidden units of the MLP (>= 1). Default: ${DEFAULT-VALUE}")
    int hidden = 256;

    @Option(names = "--channels", paramLabel = "C", description = "Channels of the CNN's first convolution, the second has 2C (>= 1). Default: ${DEFAULT-VALUE}")
    int channels = 8;

    @Option(names = "--dtype", paramLabel = "T", description = "f32 or f64. Default: ${DEFAULT-VALUE}")
    DType dtype = DType.F32;

    @Mixin
    Options.Run run = new Options.Run("runs/fashion-mnist");

    @Option(names = "--limit-train", paramLabel = "N", description = "Use only the first N training images (quick runs; >= 1). Default: all")
    int limitTrain = Integer.MAX_VALUE;

    @Option(names = "--limit-test", paramLabel = "N", description = "Use only the first N test images (>= 1). Default: all")
    int limitTest = Integer.MAX_VALUE;

    @Override
    public Integer call() throws IOException {
        Checks checks = Checks.of(spec, epochs, lr, run);
        checks.atLeast("--batch-size", batchSize, 1).atLeast("--hidden", hidden, 1).atLeast("--channels", channels, 1)
                .atLeast("--limit-train", limitTrain, 1).atLeast("--limit-test", limitTest, 1);
        PrintWriter o = spec.commandLine().getOut();
        Dataset train, test;
        try {
            train = Dataset.load(data, Dataset.TRAIN).limit(limitTrain);
            test = Dataset.load(data, Dataset.TEST).limit(limitTest);
        } catch (IOException e) {
            throw new Failure(Failure.DATA, e.getMessage());
        }
        if (model == Trainer.Model.CNN && (train.rows() % 4 != 0 || train.cols() % 4 != 0)) {
            throw new Failure(Failure.USAGE, "--model cnn needs image sides that are multiples of 4, got " + train.rows() + "x" + train.cols());
        }
        int batches = (train.count() + batchSize - 1) / batchSize;
        Checks.of(spec).that((long) epochs.epochs * batches <= Integer.MAX_VALUE, "--epochs " + epochs.epochs + " x " + batches
                + " batches is more than 2^31 - 1 steps");
        Trainer.Config c = new Trainer.Config(model, dtype, hidden, channels, batchSize, lr.lr, run.seed, schedule == ScheduleKind.COSINE,
                epochs.epochs * batches);
        Trainer trainer = new Trainer(c, train, test, run.out);
        Loop<Classifier, Adam.State<Classifier>, Trainer.EpochStats> loop = new Loop<>("fashion-mnist", trainer, Loop.Plan.of(run, epochs.epochs * batches, batches), o);
        var s = loop.start();
        o.printf(Locale.ROOT, "Fashion-MNIST: %d training and %d test images of %dx%d; %s%n", train.count(), test.count(), train.rows(), train.cols(), c.describe());
        o.flush();
        s = loop.run(s);
        o.printf(Locale.ROOT, "done: %d epochs; outputs in %s%n", s.step() / batches, run.out.toAbsolutePath());
        o.flush();
        return 0;
    }
}
