package zerotoml.examples.fashion;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import zerotoml.examples.kit.Charts;
import zerotoml.examples.kit.Loop;
import zerotoml.examples.kit.Training;
import zerotoml.scratch.data.Batches;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.optim.Schedule;
import zerotoml.scratch.optim.Step;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Losses;
import zerotoml.scratch.tensor.Tensor;

/**
 * Fashion-MNIST training as the kit's {@link Training}: step t is batch t mod B of epoch ⌊t / B⌋
 * (B batches per epoch), whose order depends only on (seed, epoch); the evaluation after every
 * epoch measures the test accuracy.
 */
public final class Trainer implements Training<Classifier, Adam.State<Classifier>, Trainer.EpochStats> {
    public static final int CLASSES = 10;

    /** The two models. */
    public enum Model {
        MLP, CNN;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What a run is: everything that decides its numbers. */
    public record Config(Model model, DType dtype, int hidden, int channels, int batchSize, double lr, long seed, boolean cosine, int totalSteps) {
        public Config {
            if (cosine && totalSteps < 1) throw new IllegalArgumentException("Config: a cosine schedule needs totalSteps >= 1, got " + totalSteps);
            if (channels < 1) throw new IllegalArgumentException("Config: channels must be >= 1, got " + channels);
            if (hidden < 1) throw new IllegalArgumentException("Config: hidden must be >= 1, got " + hidden);
            if (batchSize < 1) throw new IllegalArgumentException("Config: batchSize must be >= 1, got " + batchSize);
            if (!(lr > 0)) throw new IllegalArgumentException("Config: lr must be > 0, got " + lr);
        }

        /** Constant, or cosine-annealed to 0 over all steps (torch CosineAnnealingLR). */
        public Schedule schedule() {
            return cosine ? new Schedule.Cosine(lr, totalSteps, 0) : new Schedule.Constant(lr);
        }

        public String describe() {
            String m = model == Model.CNN ? "cnn channels=" + channels : "mlp hidden=" + hidden;
            return String.format(Locale.ROOT, "model=%s dtype=%s batchSize=%d lr=%s seed=%d schedule=%s", m, dtype == DType.F32 ? "f32" : "f64", batchSize,
                    lr, seed, cosine ? "cosine(" + totalSteps + " steps)" : "constant");
        }
    }

    /** One epoch's numbers: a row of history.csv. */
    public record EpochStats(int epoch, double trainLoss, double trainAccuracy, double testAccuracy, double seconds, double imagesPerSecond) {}

    private final Config c;
    private final Dataset train, test;
    private final Path out;
    private final Schedule schedule;
    private int orderEpoch = -1;
    private List<int[]> order;
    private int[][] lastConfusion;

    /** {@code out}: where confusion.png goes. */
    public Trainer(Config c, Dataset train, Dataset test, Path out) {
        this.c = c;
        this.train = train;
        this.test = test;
        this.out = out;
        this.schedule = c.schedule();
    }

    /** Batches (steps) per epoch. */
    public int batches() {
        return (train.count() + c.batchSize() - 1) / c.batchSize();
    }

    @Override
    public String config() {
        return c.describe();
    }

    @Override
    public Classifier init() {
        return c.model() == Model.CNN
                ? new Classifier(null, Cnn.init(c.dtype(), train.rows(), train.cols(), c.channels(), CLASSES, c.seed()))
                : new Classifier(Mlp.init(c.dtype(), train.features(), c.hidden(), CLASSES, c.seed()), null);
    }

    @Override
    public Adam.State<Classifier> optimizer(Classifier params) {
        return Adam.init(params);
    }

    @Override
    public Loop.Stepped<Classifier, Adam.State<Classifier>> step(Classifier params, Adam.State<Classifier> opt, int t) {
        int e = t / batches();
        if (e != orderEpoch) {
            order = Batches.epoch(train.count(), c.batchSize(), true, false, c.seed(), e);
            orderEpoch = e;
        }
        int[] idx = order.get(t % batches());
        Tensor x = train.images(idx, c.dtype());
        int[] y = train.labels(idx);
        Tensor[] logits = new Tensor[1];
        // loss(θ) = CE(f_θ(x), y)
        Autodiff.ValueAndGrad<Classifier> vg = Autodiff.valueAndGrad(p -> {
            logits[0] = p.logits(x);
            return Losses.crossEntropy(logits[0], y, Losses.Reduction.MEAN);
        }, params);
        // (θ, state) ← Adam(θ, ∇loss, state) at γₜ of the schedule
        Step<Classifier, Adam.State<Classifier>> st = Adam.step(Adam.Hyper.defaults(c.lr()).withLr(schedule.lr(opt.step())), params, vg.grad(), opt);
        int[] pred = Mlp.argmax(logits[0]);
        int correct = 0;
        for (int i = 0; i < pred.length; i++) if (pred[i] == y[i]) correct++;
        return new Loop.Stepped<>(st.params(), st.state(), vg.value().item(), idx.length, correct);
    }

    @Override
    public EpochStats evaluate(Loop.State<Classifier, Adam.State<Classifier>, EpochStats> s, Loop.At at) {
        lastConfusion = confusion(s.params(), test, c.dtype());
        double testAccuracy = accuracy(lastConfusion);
        return new EpochStats(at.step() / batches(), at.running().meanLoss(), at.running().accuracy(), testAccuracy, at.sinceLast(),
                at.running().weight() / Math.max(at.sinceLast(), 1e-9));
    }

    @Override
    public Class<EpochStats> rowType() {
        return EpochStats.class;
    }

    @Override
    public String report(EpochStats e) {
        return String.format(Locale.ROOT, "epoch %d: train loss %.4f, train accuracy %.2f%%, test accuracy %.2f%% (%.1f s, %.0f images/s)", e.epoch(),
                e.trainLoss(), 100 * e.trainAccuracy(), 100 * e.testAccuracy(), e.seconds(), e.imagesPerSecond());
    }

    @Override
    public Charts.Figure<EpochStats> curves() {
        return Charts.Figure.of("epoch", EpochStats::epoch,
                Charts.Panel.<EpochStats>of("Training loss", "cross-entropy").line("train loss", EpochStats::trainLoss, true),
                Charts.Panel.<EpochStats>of("Accuracy", "%").line("train", e -> 100 * e.trainAccuracy(), true).line("test", e -> 100 * e.testAccuracy(), true));
    }

    @Override
    public String unit() {
        return "img";
    }

    @Override
    public void evaluated(Loop.State<Classifier, Adam.State<Classifier>, EpochStats> s) throws IOException {
        int[][] m = lastConfusion;
        Plots.confusion(out.resolve("confusion.png"), m, String.format(Locale.ROOT, "Test confusion after epoch %d (accuracy %.2f%%)", s.step() / batches(),
                100 * accuracy(m)));
    }

    /** counts[true][predicted] over a data set. */
    public static int[][] confusion(Classifier params, Dataset data, DType dt) {
        int[][] m = new int[CLASSES][CLASSES];
        for (int[] idx : Batches.epoch(data.count(), 1000, false, false, 0, 0)) {
            int[] pred = Mlp.argmax(params.logits(data.images(idx, dt)));
            int[] y = data.labels(idx);
            for (int i = 0; i < y.length; i++) m[y[i]][pred[i]]++;
        }
        return m;
    }

    public static double accuracy(int[][] confusion) {
        long right = 0, all = 0;
        for (int i = 0; i < confusion.length; i++) {
            for (int j = 0; j < confusion[i].length; j++) {
                all += confusion[i][j];
                if (i == j) right += confusion[i][j];
            }
        }
        return all == 0 ? 0 : (double) right / all;
    }
}
