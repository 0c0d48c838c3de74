package zerotoml.examples.fashion;

import java.util.ArrayList;
import java.util.List;
import zerotoml.scratch.data.Batches;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.optim.Schedule;
import zerotoml.scratch.optim.Step;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Losses;
import zerotoml.scratch.tensor.Tensor;

/**
 * Training as pure functions: an epoch maps a {@link State} to the next one. The batch order of
 * epoch e depends only on (seed, e), and the state holds everything else (params, Adam's moments
 * and step count), so a run resumed from a checkpoint continues bit for bit as if never stopped.
 */
public final class Trainer {
    private Trainer() {}

    public static final int CLASSES = 10;

    /** What a run is: everything that decides its numbers. */
    public record Config(String model, DType dtype, int hidden, int channels, int batchSize, double lr, long seed, boolean cosine, int totalSteps) {
        /** An MLP with a constant learning rate. */
        public Config(DType dtype, int hidden, int batchSize, double lr, long seed) {
            this("mlp", dtype, hidden, 8, batchSize, lr, seed, false, 0);
        }

        /** The learning rate for Adam step t (0-based): constant, or cosine-annealed to 0 over totalSteps. */
        public double lrAt(int t) {
            return cosine ? new Schedule.Cosine(lr, totalSteps, 0).lr(Math.min(t, totalSteps)) : lr;
        }

        public Config {
            if (cosine && totalSteps < 1) throw new IllegalArgumentException("Config: a cosine schedule needs totalSteps >= 1, got " + totalSteps);
            if (!model.equals("mlp") && !model.equals("cnn")) throw new IllegalArgumentException("Config: model must be mlp or cnn, got " + model);
            if (channels < 1) throw new IllegalArgumentException("Config: channels must be >= 1, got " + channels);
            if (hidden < 1) throw new IllegalArgumentException("Config: hidden must be >= 1, got " + hidden);
            if (batchSize < 1) throw new IllegalArgumentException("Config: batchSize must be >= 1, got " + batchSize);
            if (!(lr > 0)) throw new IllegalArgumentException("Config: lr must be > 0, got " + lr);
        }
    }

    /** One epoch's numbers. */
    public record EpochStats(int epoch, double trainLoss, double trainAccuracy, double testAccuracy, double seconds, double imagesPerSecond) {}

    /** Everything a checkpoint holds. */
    public record State(Classifier params, Adam.State<Classifier> opt, int epochsDone, List<EpochStats> history) {}

    /** Called after every batch: for progress bars. */
    @FunctionalInterface
    public interface BatchListener {
        void onBatch(int batch, int batches, double meanLoss, double accuracy, double imagesPerSecond);

        BatchListener NONE = (b, n, l, a, s) -> {};
    }

    public static State fresh(Config c, int rows, int cols) {
        Classifier p = c.model().equals("cnn")
                ? new Classifier(null, Cnn.init(c.dtype(), rows, cols, c.channels(), CLASSES, c.seed()))
                : new Classifier(Mlp.init(c.dtype(), rows * cols, c.hidden(), CLASSES, c.seed()), null);
        return new State(p, Adam.init(p), 0, List.of());
    }

    /** Trains one epoch and evaluates on {@code test}. */
    public static State epoch(Config c, State s, Dataset train, Dataset test, BatchListener listener) {
        Adam.Hyper hyper = Adam.Hyper.defaults(c.lr());
        int e = s.epochsDone();
        List<int[]> batches = Batches.epoch(train.count(), c.batchSize(), true, false, c.seed(), e);
        Classifier params = s.params();
        Adam.State<Classifier> opt = s.opt();
        double lossSum = 0;
        long correct = 0, seen = 0;
        long start = System.nanoTime();
        for (int bi = 0; bi < batches.size(); bi++) {
            int[] idx = batches.get(bi);
            Tensor x = train.images(idx, c.dtype());
            int[] y = train.labels(idx);
            Tensor[] logits = new Tensor[1];
            // loss(θ) = CE(f_θ(x), y);  (θ, state) ← Adam(θ, ∇loss, state)
            Autodiff.ValueAndGrad<Classifier> vg = Autodiff.valueAndGrad(p -> {
                logits[0] = p.logits(x);
                return Losses.crossEntropy(logits[0], y, Losses.Reduction.MEAN);
            }, params);
            // γₜ from the schedule (constant unless --schedule cosine)
            Step<Classifier, Adam.State<Classifier>> st = Adam.step(hyper.withLr(c.lrAt(opt.step())), params, vg.grad(), opt);
            params = st.params();
            opt = st.state();
            lossSum += vg.value().item() * idx.length;
            int[] pred = Mlp.argmax(logits[0]);
            for (int i = 0; i < pred.length; i++) if (pred[i] == y[i]) correct++;
            seen += idx.length;
            double secs = (System.nanoTime() - start) / 1e9;
            listener.onBatch(bi + 1, batches.size(), lossSum / seen, (double) correct / seen, seen / Math.max(secs, 1e-9));
        }
        double secs = (System.nanoTime() - start) / 1e9;
        double testAcc = accuracy(confusion(params, test, c.dtype()));
        List<EpochStats> h = new ArrayList<>(s.history());
        h.add(new EpochStats(e + 1, lossSum / Math.max(seen, 1), (double) correct / Math.max(seen, 1), testAcc, secs, seen / Math.max(secs, 1e-9)));
        return new State(params, opt, e + 1, List.copyOf(h));
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
