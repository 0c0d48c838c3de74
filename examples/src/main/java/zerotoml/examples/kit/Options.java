package zerotoml.examples.kit;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * picocli mixins for the options every training command shares. A command declares them with its
 * own defaults, e.g. {@code @Mixin Options.Run run = new Options.Run("runs/seq2seq");} and
 * {@code @Mixin Options.Lr lr = new Options.Lr(1e-3);}, and calls their {@code check} before any
 * work.
 */
public final class Options {
    private Options() {}

    /** {@code --threads}: how many threads the math may use. */
    public static final class Threads implements Checks.Checked {
        @Option(names = "--threads", paramLabel = "N", description = "Threads for the math (>= 1); the numbers do not depend on it, only the speed."
                + " Default: the machine's processors (${DEFAULT-VALUE})")
        public int threads = Runtime.getRuntime().availableProcessors();

        @Override
        public void check(Checks c) {
            c.atLeast("--threads", threads, 1);
        }
    }

    /** {@code --seed}, {@code --out}, {@code --resume}, {@code --no-progress} and {@code --threads}. */
    public static final class Run implements Checks.Checked {
        @Option(names = "--seed", paramLabel = "S", description = "Seed of everything random in the run: initial weights, batches, dropout, samples."
                + " Default: ${DEFAULT-VALUE}")
        public long seed = 1;

        @Option(names = "--out", paramLabel = "DIR", description = "Where checkpoint.safetensors, history.csv and the plots go. Default: ${DEFAULT-VALUE}")
        public Path out;

        @Option(names = "--resume", description = "Continue from --out/checkpoint.safetensors (the same options are required) instead of starting"
                + " afresh; the result is bit-identical to an uninterrupted run.")
        public boolean resume;

        @Option(names = "--no-progress", description = "Show no progress. Otherwise a bar on a terminal, and a plain line every 5%% when the output"
                + " is a log file or CI.")
        public boolean noProgress;

        @Mixin
        public Threads threads = new Threads();

        public Run() {
            this("runs");
        }

        public Run(String defaultOut) {
            out = Path.of(defaultOut);
        }

        @Override
        public void check(Checks c) {
            threads.check(c);
        }

        /** The progress display this run gets. */
        public Progress.Mode progress() {
            return Progress.Mode.of(noProgress);
        }
    }

    /** {@code --steps}: optimiser steps in all (a resumed run counts those of its checkpoint). */
    public static final class Steps implements Checks.Checked {
        @Option(names = "--steps", paramLabel = "N", description = "Train until N optimiser steps are done (counting those of a resumed"
                + " checkpoint; >= 1). Default: ${DEFAULT-VALUE}")
        public int steps;

        public Steps() {
            this(1000);
        }

        public Steps(int defaultSteps) {
            steps = defaultSteps;
        }

        @Override
        public void check(Checks c) {
            c.atLeast("--steps", steps, 1);
        }
    }

    /** {@code --epochs}: passes over the training set in all (a resumed run counts those of its checkpoint). */
    public static final class Epochs implements Checks.Checked {
        @Option(names = "--epochs", paramLabel = "N", description = "Train until N epochs are done (counting those of a resumed checkpoint; >= 1)."
                + " Default: ${DEFAULT-VALUE}")
        public int epochs;

        public Epochs() {
            this(10);
        }

        public Epochs(int defaultEpochs) {
            epochs = defaultEpochs;
        }

        @Override
        public void check(Checks c) {
            c.atLeast("--epochs", epochs, 1);
        }
    }

    /** {@code --lr}: the (peak) learning rate, a finite number &gt; 0. */
    public static final class Lr implements Checks.Checked {
        @Option(names = "--lr", paramLabel = "LR", description = "Peak learning rate of the optimiser (finite, > 0). Default: ${DEFAULT-VALUE}")
        public double lr;

        public Lr() {
            this(1e-3);
        }

        public Lr(double defaultLr) {
            lr = defaultLr;
        }

        @Override
        public void check(Checks c) {
            c.positive("--lr", lr);
        }
    }
}
