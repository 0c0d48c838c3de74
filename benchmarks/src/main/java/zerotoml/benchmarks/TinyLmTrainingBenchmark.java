package zerotoml.benchmarks;

import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import zerotoml.examples.lm.TinyLm;
import zerotoml.reference.Torch;
import zerotoml.reference.optim.Adam;
import zerotoml.reference.optim.Clipping;
import zerotoml.scratch.optim.AdamW;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.transformer.Transformer;

/**
 * Not a test: a timed main that trains tiny-lm (the decoder-only character language model of
 * {@code examples}' {@link TinyLm}) twice, from the same initial parameters on the same sequence of
 * batches: once with scratch, exactly as {@link TinyLm#step} does it (pre-LN, learned positions,
 * exact GELU, cross-entropy, global-norm clipping at 1, AdamW with betas 0.9/0.99, eps 1e-8 and
 * weight decay 0.1 on every parameter, linear warm-up then cosine to lr/10), and once entirely in
 * PyTorch through DJL (the reference {@code zerotoml.reference.transformer.Transformer} forward and
 * loss, DJL autograd, {@link Clipping} and {@link Adam#adamW} as NDArray ops). It prints, at every
 * evaluation, both sides' validation loss on the fixed windows {@link TinyLm#evaluate} uses and
 * their training seconds so far; at the end the wall time of each side, their ratio
 * scratch / PyTorch, and the largest difference between the two training-loss trajectories (they
 * start equal and drift apart only through float32 rounding; printed, never asserted).
 *
 * <p>Run it from the repository root (offline; {@code -Dbench} starts the main in a fresh JVM right
 * after compiling, and {@code bench.args} is one string that is split at spaces):
 *
 * <pre>
 * mvn -B -o -q -pl benchmarks -am process-classes -Dbench -Dbench.main=zerotoml.benchmarks.TinyLmTrainingBenchmark \
 *     -Dbench.args='--text tinyshakespeare.txt --steps 50 --eval-every 10'
 * </pre>
 *
 * <p>Options: {@code --text PATH} (required; UTF-8, character tokenizer, the first 90% of its code
 * points train and the rest validates, as {@code tiny-lm} splits it), {@code --steps N} (2400),
 * {@code --lr} (2e-3), {@code --warmup} (100), {@code --eval-every} (200), {@code --eval-batches}
 * (10), {@code --side both|scratch|djl} (both), {@code --threads K} (0 = the defaults: every core on
 * each side; K sets PyTorch's intra-op threads, as {@code -Dai.djl.pytorch.num_threads=K} does, and
 * scratch's kernel threads, as {@code -Dzerotoml.threads=K} does: its own pool, not the common one, so
 * before 2026-12-05 {@code --threads 1} left scratch on every core). The model is
 * tiny-lm's nanoGPT CPU scale: 4 layers, 4 heads, d 128, FFN 512, context 64, batch 12, seed 1,
 * float32, no dropout.
 *
 * <p>On cores shared with another busy process, use {@code --threads 1}: PyTorch's OpenMP threads
 * wait for each other at every op, and when one is descheduled the step stalls. Measured on the
 * project's 2-core machine beside a training run, 30 steps: PyTorch 86 s with the default 2
 * threads against 3.2 s with one (scratch 38 s and 35 s).
 *
 * <p>With {@code --side both} the two sides take turns, one evaluation interval each, so that load
 * from other processes on shared cores hits both alike. The times are training only (batches,
 * forward, backward, clipping, AdamW; on the PyTorch side also copying each batch's ids in and the
 * loss out); evaluations are not timed. The PyTorch side keeps parameters and AdamW moments in one
 * sub-manager per step: everything a step computes lands in it, the new state is attached to the
 * next step's sub-manager, and the old one is closed, so native memory stays flat (the live array
 * count is printed at every evaluation).
 */
public final class TinyLmTrainingBenchmark {
    private TinyLmTrainingBenchmark() {}

    /** The command line; defaults are tiny-lm's at nanoGPT's CPU scale. */
    record Options(Path text, int steps, double lr, int warmup, int evalEvery, int evalBatches, int threads, String side) {
        static Options parse(String[] args) {
            List<String> w = Cli.words(args);
            Path text = null;
            int steps = 2400, warmup = 100, evalEvery = 200, evalBatches = 10, threads = 0;
            double lr = 2e-3;
            String side = "both";
            for (int i = 0; i < w.size(); i++) {
                String a = w.get(i);
                if (i + 1 >= w.size()) throw new IllegalArgumentException("TinyLmTrainingBenchmark: " + a + " needs a value");
                String v = w.get(++i);
                switch (a) {
                    case "--text" -> text = Path.of(v);
                    case "--steps" -> steps = Integer.parseInt(v);
                    case "--lr" -> lr = Double.parseDouble(v);
                    case "--warmup" -> warmup = Integer.parseInt(v);
                    case "--eval-every" -> evalEvery = Integer.parseInt(v);
                    case "--eval-batches" -> evalBatches = Integer.parseInt(v);
                    case "--threads" -> threads = Integer.parseInt(v);
                    case "--side" -> side = v;
                    default -> throw new IllegalArgumentException("TinyLmTrainingBenchmark: unknown argument '" + a
                            + "' (known: --text PATH, --steps N, --lr LR, --warmup N, --eval-every N, --eval-batches N, --threads K, --side both|scratch|djl)");
                }
            }
            if (text == null) throw new IllegalArgumentException("TinyLmTrainingBenchmark: --text PATH is required (a UTF-8 text file)");
            if (!side.equals("both") && !side.equals("scratch") && !side.equals("djl")) {
                throw new IllegalArgumentException("TinyLmTrainingBenchmark: --side must be both, scratch or djl, got " + side);
            }
            if (evalEvery < 1) throw new IllegalArgumentException("TinyLmTrainingBenchmark: --eval-every must be ≥ 1, got " + evalEvery);
            if (threads < 0) throw new IllegalArgumentException("TinyLmTrainingBenchmark: --threads must be ≥ 0 (0 = defaults), got " + threads);
            return new Options(text, steps, lr, warmup, evalEvery, evalBatches, threads, side);
        }
    }

    public static void main(String[] args) throws IOException {
        Options o = Options.parse(args);
        if (o.threads() > 0) {
            // before either pool starts: PyTorch's intra-op threads, and scratch's kernel pool (kernels.Parallel reads it once)
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(o.threads()));
            System.setProperty("zerotoml.threads", Integer.toString(o.threads()));
        }
        Locale.setDefault(Locale.ROOT);
        String corpus = Files.readString(o.text());
        String[] split = TinyLm.split(corpus);
        TinyLm.Tokenizer tok = TinyLm.Tokenizer.chars(corpus);
        int[] train = tok.encode(split[0]), val = tok.encode(split[1]);
        Transformer.Config model = TinyLm.model(tok.vocabSize(), 4, 4, 128, 64);
        TinyLm.Config c = new TinyLm.Config(model, 12, o.steps(), o.lr(), true, o.warmup(), 0.1, 1.0, 0, o.evalBatches(), 1);
        if (train.length <= c.context() || val.length <= c.context()) {
            throw new IllegalArgumentException("TinyLmTrainingBenchmark: text " + o.text() + " is too short for windows of " + c.context() + " tokens");
        }
        boolean scratch = !o.side().equals("djl"), djl = !o.side().equals("scratch");
        Engine engine = Torch.engine();
        for (String line : Machine.describe()) System.out.println("# " + line);
        System.out.println("# pytorch    " + engine.getEngineName() + " " + engine.getVersion() + " via DJL " + Engine.getDjlVersion() + ", "
                + JniUtils.getNumThreads() + " intra-op threads");
        System.out.println("# scratch    " + zerotoml.scratch.kernels.Backend.describe());
        System.out.printf("# tiny-lm    %s: %d training and %d validation tokens, %d ids; %s%n", o.text(), train.length, val.length,
                tok.vocabSize(), describe(c));

        Transformer.DecoderOnly params = TinyLm.init(c);
        var opt = AdamW.init(params);
        DjlSide d = djl ? new DjlSide(c, params) : null;
        double[] lossS = new double[o.steps()], lossD = new double[o.steps()];
        double secS = 0, secD = 0, valS = Double.NaN, valD = Double.NaN;
        for (int t = 0; ; ) {
            if (scratch) valS = TinyLm.evaluate(c, params, val, tok)[0];
            if (djl) valD = d.evaluate(val);
            System.out.printf("step %5d: validation loss scratch %s, PyTorch %s; train seconds scratch %.1f, PyTorch %.1f%s%n", t, fmt(valS), fmt(valD),
                    secS, secD, djl ? "; live DJL arrays " + d.liveArrays() : "");
            if (t == o.steps()) break;
            int end = Math.min(o.steps(), t + o.evalEvery());
            if (scratch) {
                long t0 = System.nanoTime();
                for (int u = t; u < end; u++) {
                    var st = TinyLm.step(c, params, opt, u, train);
                    params = st.params();
                    opt = st.opt();
                    lossS[u] = st.loss();
                }
                secS += (System.nanoTime() - t0) / 1e9;
            }
            if (djl) {
                long t0 = System.nanoTime();
                for (int u = t; u < end; u++) lossD[u] = d.train(u, train);
                secD += (System.nanoTime() - t0) / 1e9;
            }
            t = end;
        }
        if (djl) d.close();
        String head = "tiny-lm training, " + o.steps() + " steps: ";
        if (scratch && djl) {
            double maxDiff = 0;
            int at = 0;
            for (int u = 0; u < o.steps(); u++) {
                double diff = Math.abs(lossS[u] - lossD[u]);
                if (diff > maxDiff) {
                    maxDiff = diff;
                    at = u;
                }
            }
            System.out.printf("%sscratch %.1f s, PyTorch (DJL) %.1f s, ratio %.2f%n", head, secS, secD, secS / secD);
            System.out.printf("final validation loss: scratch %s, PyTorch %s (|difference| %.3g)%n", fmt(valS), fmt(valD), Math.abs(valS - valD));
            System.out.printf("training loss, step 1: scratch %.6f, PyTorch %.6f; largest |difference| over the %d steps %.3g (at step %d: %.6f vs %.6f)%n",
                    lossS[0], lossD[0], o.steps(), maxDiff, at + 1, lossS[at], lossD[at]);
        } else if (scratch) {
            System.out.printf("%sscratch %.1f s (%.3f s/step); final validation loss %s%n", head, secS, secS / o.steps(), fmt(valS));
        } else {
            System.out.printf("%sPyTorch (DJL) %.1f s (%.4f s/step); final validation loss %s%n", head, secD, secD / o.steps(), fmt(valD));
        }
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    static String describe(TinyLm.Config c) {
        Transformer.Config m = c.model();
        return String.format(Locale.ROOT, "layers %d, heads %d, d %d, FFN %d, context %d, batch %d, lr %s (warm-up %d, cosine to lr/10 at step %d),"
                        + " weight decay %s, clip %s, seed %d, float32", m.layers(), m.heads(), m.dModel(), m.dFf(), m.maxLen(), c.batchSize(), c.lr(),
                c.warmup(), c.steps(), c.weightDecay(), c.gradClip(), c.seed());
    }

    /**
     * tiny-lm's training loop in PyTorch through DJL: parameters (in {@link Autodiff.Params#tensors}
     * order) and AdamW state live in the current step's sub-manager of one base manager.
     */
    static final class DjlSide implements AutoCloseable {
        private final TinyLm.Config c;
        private final zerotoml.reference.transformer.Transformer.Config rc;
        private final NDManager root;
        private NDManager current;
        private List<NDArray> params;
        private Adam.State opt;

        DjlSide(TinyLm.Config c, Transformer.DecoderOnly init) {
            this.c = c;
            this.rc = TransformerStepBenchmark.referenceConfig(c.model());
            this.root = Torch.engine().newBaseManager();
            this.current = root.newSubManager();
            this.params = TransformerStepBenchmark.trainableCopies(current, init);
            this.opt = Adam.init(params);
        }

        /** One AdamW step on step t's batch (the same windows TinyLm.step draws); returns the training loss. */
        double train(int t, int[] data) {
            int[][] xy = TinyLm.batch(data, c.batchSize(), c.context(), new SplittableRandom(TinyLm.mix(c.seed(), 1, t)));
            NDArray ids = ids(current, xy[0]), targets = ids(current, xy[1]);
            NDArray loss;
            try (GradientCollector gc = Torch.engine().newGradientCollector()) {
                // L(θ) = CE(decoder(θ, x), y)
                var model = zerotoml.reference.transformer.Transformer.DecoderOnly.from(params.iterator(), rc);
                loss = zerotoml.reference.transformer.Transformer.loss(zerotoml.reference.transformer.Transformer.decoderOnly(rc, model, ids), targets);
                gc.backward(loss);
            }
            // getGradient() hands back a new array in the parameter's manager, i.e. this step's
            List<NDArray> grads = new ArrayList<>(params.size());
            for (NDArray p : params) grads.add(p.getGradient());
            // g ← g · min(1, clip / ‖g‖₂)
            List<NDArray> g = c.gradClip() > 0 ? Clipping.clipGradNorm(grads, c.gradClip()).grads() : grads;
            // θ ← θ(1 − γλ), then the Adam step with γ = the schedule's γₜ
            Adam.Result r = Adam.adamW(params, g, opt, c.schedule().lr(t), 0.9, 0.99, 1e-8, c.weightDecay(), false);
            double value = loss.getFloat();
            // carry the new state into the next step's manager and free everything else this step made
            NDManager next = root.newSubManager();
            for (NDArray p : r.params()) {
                p.attach(next);
                p.setRequiresGradient(true);
            }
            for (List<NDArray> l : List.of(r.state().m(), r.state().v(), r.state().vMax())) for (NDArray a : l) a.attach(next);
            current.close();
            current = next;
            params = r.params();
            opt = r.state();
            return value;
        }

        /** Mean validation cross-entropy over TinyLm.evaluate's fixed windows. */
        double evaluate(int[] val) {
            SplittableRandom r = new SplittableRandom(TinyLm.mix(c.seed(), 3, 0));
            double nats = 0;
            long tokens = 0;
            // copies of the parameters in a scoped manager: every result of the forward joins it and is freed with it
            try (NDManager m = root.newSubManager()) {
                List<NDArray> copies = new ArrayList<>(params.size());
                for (NDArray p : params) {
                    NDArray q = p.duplicate();
                    q.attach(m);
                    copies.add(q);
                }
                var model = zerotoml.reference.transformer.Transformer.DecoderOnly.from(copies.iterator(), rc);
                for (int i = 0; i < c.evalBatches(); i++) {
                    int[][] xy = TinyLm.batch(val, c.batchSize(), c.context(), r);
                    NDArray logits = zerotoml.reference.transformer.Transformer.decoderOnly(rc, model, ids(m, xy[0]));
                    double l = zerotoml.reference.transformer.Transformer.loss(logits, ids(m, xy[1])).getFloat();
                    nats += l * xy[1].length;
                    tokens += xy[1].length;
                }
            }
            return nats / tokens;
        }

        int liveArrays() {
            return ((BaseNDManager) root).getManagedArrays().size();
        }

        private NDArray ids(NDManager m, int[] v) {
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) f[i] = v[i];
            return m.create(f, new ai.djl.ndarray.types.Shape(c.batchSize(), c.context()));
        }

        @Override
        public void close() {
            root.close();
        }
    }
}
