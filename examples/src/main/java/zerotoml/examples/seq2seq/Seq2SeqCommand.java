package zerotoml.examples.seq2seq;

import zerotoml.scratch.nn.Dropout;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import zerotoml.scratch.io.AtomicFile;
import zerotoml.scratch.io.Safetensors;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.optim.Clipping;
import zerotoml.scratch.optim.Step;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.transformer.Embeddings;
import zerotoml.scratch.transformer.Transformer;
import zerotoml.scratch.transformer.Transformer.EncoderDecoder;

/** Trains the encoder-decoder Transformer to reverse or sort digit strings, with scratch autodiff and Adam. */
@Command(name = "seq2seq", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train an encoder-decoder Transformer (Vaswani et al., arXiv 1706.03762) to reverse or sort strings of"
                + " 1..L digits, with teacher forcing and a cross-entropy that ignores padding. Every --eval-every steps it"
                + " decodes a held-out set of fresh strings greedily, prints the exact-match accuracy, and writes, atomically,"
                + " to --out: checkpoint.safetensors, curves.png (loss and accuracy) and history.csv.")
public final class Seq2SeqCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--task", paramLabel = "KIND", description = "reverse or sort. Default: ${DEFAULT-VALUE}")
    String task = "reverse";

    @Option(names = "--length", paramLabel = "L", description = "Longest string; lengths are uniform in 1..L. Default: ${DEFAULT-VALUE}")
    int length = 8;

    @Option(names = "--layers", paramLabel = "N", description = "Encoder layers, and as many decoder layers. Default: ${DEFAULT-VALUE}")
    int layers = 2;

    @Option(names = "--heads", paramLabel = "H", description = "Attention heads (must divide --d-model). Default: ${DEFAULT-VALUE}")
    int heads = 4;

    @Option(names = "--d-model", paramLabel = "D", description = "Model width. Default: ${DEFAULT-VALUE}")
    int dModel = 64;

    @Option(names = "--d-ff", paramLabel = "F", description = "Feed-forward width. Default: 4 x --d-model")
    int dFf = 0;

    @Option(names = "--norm", paramLabel = "KIND", description = "pre (LayerNorm before each sublayer, GPT-2) or post (the paper). Default: ${DEFAULT-VALUE}")
    String norm = "pre";

    @Option(names = "--steps", paramLabel = "N", description = "Adam steps (one fresh random batch each). Default: ${DEFAULT-VALUE}")
    int steps = 3000;

    @Option(names = "--batch-size", paramLabel = "B", description = "Strings per step. Default: ${DEFAULT-VALUE}")
    int batchSize = 64;

    @Option(names = "--lr", paramLabel = "LR", description = "Peak Adam learning rate: linear warm-up over --warmup steps, then cosine to 0. Default: ${DEFAULT-VALUE}")
    double lr = 1e-3;

    @Option(names = "--warmup", paramLabel = "N", description = "Warm-up steps. Default: ${DEFAULT-VALUE}")
    int warmup = 100;

    @Option(names = "--clip", paramLabel = "C", description = "Clip the gradient's global norm to C (0: no clipping). Default: ${DEFAULT-VALUE}")
    double clip = 1.0;

    @Option(names = "--held-out", paramLabel = "N", description = "Distinct held-out strings, never used in training. Default: ${DEFAULT-VALUE}")
    int heldOut = 500;

    @Option(names = "--eval-every", paramLabel = "N", description = "Evaluate, checkpoint and plot every N steps (and at the end). Default: ${DEFAULT-VALUE}")
    int evalEvery = 250;

    @Option(names = "--stop-at", paramLabel = "ACC", description = "Stop early once the held-out exact match reaches ACC (0..1). Default: never")
    Double stopAt;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the initial weights, the batches and the held-out set. Default: ${DEFAULT-VALUE}")
    long seed = 1;

    @Option(names = "--out", paramLabel = "DIR", description = "Where checkpoint, plots and history go. Default: ${DEFAULT-VALUE}")
    Path out = Path.of("runs/seq2seq");

    @Option(names = "--no-progress", description = "Do not draw the progress bar (for logs and tests).")
    boolean noProgress;

    /** One evaluation's numbers. */
    public record Eval(int step, double trainLoss, double exactMatch, double seconds) {}

    String check() {
        if (!task.equals("reverse") && !task.equals("sort")) return "--task must be reverse or sort, got " + task;
        if (!norm.equals("pre") && !norm.equals("post")) return "--norm must be pre or post, got " + norm;
        if (length < 1 || length > 64) return "--length must be in 1..64, got " + length;
        if (layers < 1) return "--layers must be >= 1, got " + layers;
        if (heads < 1) return "--heads must be >= 1, got " + heads;
        if (dModel < 1) return "--d-model must be >= 1, got " + dModel;
        if (dModel % heads != 0) return "--d-model " + dModel + " is not divisible by --heads " + heads;
        if (dFf < 0) return "--d-ff must be >= 1 (or 0 for 4 x --d-model), got " + dFf;
        if (steps < 1) return "--steps must be >= 1, got " + steps;
        if (batchSize < 1) return "--batch-size must be >= 1, got " + batchSize;
        if (!(lr > 0)) return "--lr must be > 0, got " + lr;
        if (warmup < 0) return "--warmup must be >= 0, got " + warmup;
        if (!(clip >= 0)) return "--clip must be >= 0, got " + clip;
        if (heldOut < 1) return "--held-out must be >= 1, got " + heldOut;
        if (evalEvery < 1) return "--eval-every must be >= 1, got " + evalEvery;
        if (stopAt != null && !(stopAt >= 0 && stopAt <= 1)) return "--stop-at must be in 0..1, got " + stopAt;
        return null;
    }

    // lr_t = lr · min(1, (t + 1)/warmup) · ½(1 + cos(π t / steps))
    double lrAt(int t) {
        double w = warmup == 0 ? 1 : Math.min(1, (t + 1.0) / warmup);
        return lr * w * 0.5 * (1 + Math.cos(Math.PI * t / steps));
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        String bad = check();
        if (bad != null) {
            err.println("seq2seq: " + bad);
            return 2;
        }
        Task.Kind kind = task.equals("reverse") ? Task.Kind.REVERSE : Task.Kind.SORT;
        List<int[]> held;
        try {
            held = Task.heldOut(seed ^ 0x5EEDL << 20, length, heldOut);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage() + "; lower --held-out or raise --length");
            return 2;
        }
        Set<String> exclude = new HashSet<>();
        for (int[] h : held) exclude.add(Task.key(h));
        Transformer.Config c = new Transformer.Config(Task.VOCAB, dModel, heads, dFf == 0 ? 4 * dModel : dFf, layers, length + 1,
                norm.equals("pre") ? Transformer.Norm.PRE : Transformer.Norm.POST, Transformer.Activation.RELU, Embeddings.Positional.SINUSOIDAL);
        EncoderDecoder params = Transformer.initEncoderDecoder(c, Seq2Seq.dtype(), seed);
        Adam.State<EncoderDecoder> opt = Adam.init(params);
        int count = 0;
        for (var t : Autodiff.Params.tensors(params)) count += t.size();
        Files.createDirectories(out);
        o.printf(Locale.ROOT, "seq2seq: %s digit strings of length 1..%d; %s; %d parameters; %d held-out strings%n", task, length, describe(c), count, held.size());
        o.flush();
        List<Eval> history = new ArrayList<>();
        double lossSum = 0;
        int lossCount = 0;
        long start = System.nanoTime();
        ProgressBar pb = noProgress ? null : new ProgressBarBuilder().setTaskName("seq2seq").setInitialMax(steps).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250).setMaxRenderedLength(120).setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
        try {
            for (int step = 0; step < steps; step++) {
                Task.Batch b = Task.trainingBatch(kind, seed, step, batchSize, length, exclude);
                // loss(θ) = masked CE(decoder(encoder(x), BOS·y), y·EOS)
                Autodiff.ValueAndGrad<EncoderDecoder> vg = Autodiff.valueAndGrad(p -> Seq2Seq.loss(c, p, b, Dropout.OFF), params);
                // g ← g · min(1, clip / ‖g‖)
                EncoderDecoder g = clip > 0 ? Clipping.clipGradNorm(vg.grad(), clip).grads() : vg.grad();
                Step<EncoderDecoder, Adam.State<EncoderDecoder>> st = Adam.step(Adam.Hyper.defaults(lr).withLr(lrAt(step)), params, g, opt);
                params = st.params();
                opt = st.state();
                lossSum += vg.value().item();
                lossCount++;
                if (pb != null) {
                    pb.stepTo(step + 1);
                    pb.setExtraMessage(String.format(Locale.ROOT, " loss %.4f", lossSum / lossCount));
                }
                if ((step + 1) % evalEvery == 0 || step + 1 == steps) {
                    double acc = Seq2Seq.exactMatch(c, params, kind, held, length, 256);
                    double secs = (System.nanoTime() - start) / 1e9;
                    history.add(new Eval(step + 1, lossSum / lossCount, acc, secs));
                    lossSum = 0;
                    lossCount = 0;
                    Eval e = history.get(history.size() - 1);
                    if (pb != null) pb.pause();
                    o.printf(Locale.ROOT, "step %d: train loss %.4f, held-out exact match %.2f%% (%.1f s)%n", e.step(), e.trainLoss(), 100 * e.exactMatch(), e.seconds());
                    o.flush();
                    if (pb != null) pb.resume();
                    save(c, params, opt, history);
                    if (stopAt != null && acc >= stopAt) {
                        o.printf(Locale.ROOT, "reached %.2f%% >= --stop-at %.2f%%; stopping%n", 100 * acc, 100 * stopAt);
                        break;
                    }
                }
            }
        } finally {
            if (pb != null) pb.close();
        }
        Eval last = history.get(history.size() - 1);
        o.printf(Locale.ROOT, "done: %d steps in %.1f s, held-out exact match %.2f%%; outputs in %s%n", last.step(), last.seconds(), 100 * last.exactMatch(), out.toAbsolutePath());
        o.flush();
        return 0;
    }

    /** The tensors of a checkpoint: params and Adam's moments. */
    record Tensors(EncoderDecoder params, EncoderDecoder m, EncoderDecoder v) {}

    void save(Transformer.Config c, EncoderDecoder p, Adam.State<EncoderDecoder> opt, List<Eval> history) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("config", describe(c) + String.format(Locale.ROOT, " task=%s length=%d batchSize=%d lr=%s warmup=%d steps=%d clip=%s seed=%d",
                task, length, batchSize, lr, warmup, steps, clip, seed));
        meta.put("adamStep", Integer.toString(opt.step()));
        Safetensors.save(out.resolve("checkpoint.safetensors"), new Tensors(p, opt.m(), opt.v()), meta);
        StringBuilder csv = new StringBuilder("step,train_loss,exact_match,seconds\n");
        for (Eval e : history) csv.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.2f%n", e.step(), e.trainLoss(), e.exactMatch(), e.seconds()));
        AtomicFile.write(out.resolve("history.csv"), os -> os.write(csv.toString().getBytes(StandardCharsets.UTF_8)));
        double[] x = new double[history.size()], loss = new double[x.length], acc = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = history.get(i).step();
            loss[i] = history.get(i).trainLoss();
            acc[i] = 100 * history.get(i).exactMatch();
        }
        XYChart l = new XYChartBuilder().width(600).height(400).title("Training loss (padding masked)").xAxisTitle("step").yAxisTitle("cross-entropy").build();
        l.addSeries("train", x, loss);
        XYChart a = new XYChartBuilder().width(600).height(400).title("Held-out exact match (greedy)").xAxisTitle("step").yAxisTitle("%").build();
        a.addSeries("held-out", x, acc);
        List<Chart<?, ?>> charts = List.of(l, a);
        AtomicFile.write(out.resolve("curves.png"), os -> BitmapEncoder.saveBitmap(charts, 1, 2, os, BitmapEncoder.BitmapFormat.PNG));
    }

    static String describe(Transformer.Config c) {
        return String.format(Locale.ROOT, "%d+%d layers, %d heads, d_model %d, d_ff %d, %s-LN, f32", c.layers(), c.layers(), c.heads(), c.dModel(), c.dFf(),
                c.norm() == Transformer.Norm.PRE ? "pre" : "post");
    }
}
