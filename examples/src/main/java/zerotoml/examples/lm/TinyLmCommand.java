package zerotoml.examples.lm;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import zerotoml.scratch.io.AtomicFile;
import zerotoml.scratch.transformer.Generation;

/** Trains a small decoder-only (GPT-style) language model on a text file with scratch autodiff and AdamW. */
@Command(name = "tiny-lm", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a decoder-only transformer language model (Vaswani et al., arXiv 1706.03762; GPT's pre-LN layout) on a"
                + " UTF-8 text file: the first 90%% trains, the last 10%% validates. Every --eval-every steps it prints the validation"
                + " loss (nats per token and bits per byte) and writes, atomically, to --out: checkpoint.safetensors, curves.png"
                + " and history.csv; every --sample-every steps it prints a generated sample.")
public final class TinyLmCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--text", paramLabel = "PATH", required = true, description = "The training text (UTF-8).")
    Path text;

    @Option(names = "--tokenizer", paramLabel = "KIND", description = "char (code points) or bpe (byte-level BPE trained on the training split). Default: ${DEFAULT-VALUE}")
    String tokenizer = "char";

    @Option(names = "--vocab", paramLabel = "N", description = "BPE vocabulary size (256 bytes + merges). Default: ${DEFAULT-VALUE}")
    int vocab = 512;

    @Option(names = "--layers", paramLabel = "L", description = "Transformer layers. Default: ${DEFAULT-VALUE}")
    int layers = 4;

    @Option(names = "--heads", paramLabel = "H", description = "Attention heads; must divide --d-model. Default: ${DEFAULT-VALUE}")
    int heads = 4;

    @Option(names = "--d-model", paramLabel = "D", description = "Model width (the FFN has 4D units). Default: ${DEFAULT-VALUE}")
    int dModel = 128;

    @Option(names = "--context", paramLabel = "T", description = "Tokens per training window (and learned positions). Default: ${DEFAULT-VALUE}")
    int context = 64;

    @Option(names = "--batch-size", paramLabel = "B", description = "Windows per AdamW step. Default: ${DEFAULT-VALUE}")
    int batchSize = 12;

    @Option(names = "--steps", paramLabel = "N", description = "Train until N steps are done (counting those of a resumed checkpoint). Default: ${DEFAULT-VALUE}")
    int steps = 2400;

    @Option(names = "--stop-at", paramLabel = "N", description = "Stop (with a checkpoint) after step N even if --steps is larger, e.g. to split a run. Default: never")
    int stopAt = Integer.MAX_VALUE;

    @Option(names = "--lr", paramLabel = "LR", description = "AdamW peak learning rate (betas 0.9, 0.99, eps 1e-8). Default: ${DEFAULT-VALUE}")
    double lr = 2e-3;

    @Option(names = "--schedule", paramLabel = "KIND", description = "constant, or cosine (down to lr/10 at --steps), each after a linear warm-up. Default: ${DEFAULT-VALUE}")
    String schedule = "cosine";

    @Option(names = "--warmup", paramLabel = "N", description = "Linear warm-up steps. Default: ${DEFAULT-VALUE}")
    int warmup = 100;

    @Option(names = "--weight-decay", paramLabel = "W", description = "AdamW decoupled weight decay (applied to every parameter). Default: ${DEFAULT-VALUE}")
    double weightDecay = 0.1;

    @Option(names = "--grad-clip", paramLabel = "C", description = "Clip the global gradient norm to C (0 = off). Default: ${DEFAULT-VALUE}")
    double gradClip = 1.0;

    @Option(names = "--dropout", paramLabel = "P", description = "Dropout probability (seeded per step). Default: ${DEFAULT-VALUE}")
    double dropout = 0;

    @Option(names = "--eval-every", paramLabel = "N", description = "Evaluate, checkpoint and plot every N steps. Default: ${DEFAULT-VALUE}")
    int evalEvery = 200;

    @Option(names = "--eval-batches", paramLabel = "N", description = "Validation batches per evaluation (fixed windows, the same every time). Default: ${DEFAULT-VALUE}")
    int evalBatches = 10;

    @Option(names = "--sample-every", paramLabel = "N", description = "Print a generated sample every N steps (0 = only at the end). Default: ${DEFAULT-VALUE}")
    int sampleEvery = 400;

    @Option(names = "--sample-length", paramLabel = "N", description = "Tokens per sample. Default: ${DEFAULT-VALUE}")
    int sampleLength = 200;

    @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature (0 = greedy). Default: ${DEFAULT-VALUE}")
    double temperature = 0.8;

    @Option(names = "--top-k", paramLabel = "K", description = "Sample among the K most likely tokens (0 = all). Default: ${DEFAULT-VALUE}")
    int topK = 0;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the initial weights, every batch, dropout and the samples. Default: ${DEFAULT-VALUE}")
    long seed = 1;

    @Option(names = "--out", paramLabel = "DIR", description = "Where checkpoint, plots and history go. Default: ${DEFAULT-VALUE}")
    Path out = Path.of("runs/tiny-lm");

    @Option(names = "--resume", description = "Continue from --out/checkpoint.safetensors (same options required) instead of starting afresh.")
    boolean resume;

    @Option(names = "--no-progress", description = "Do not draw the progress bar (for logs and tests).")
    boolean noProgress;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (!tokenizer.equals("char") && !tokenizer.equals("bpe")) return fail(err, "--tokenizer must be char or bpe, got " + tokenizer);
        if (!schedule.equals("constant") && !schedule.equals("cosine")) return fail(err, "--schedule must be constant or cosine, got " + schedule);
        if (evalEvery < 1) return fail(err, "--eval-every must be ≥ 1, got " + evalEvery);
        if (sampleEvery < 0 || sampleLength < 0) return fail(err, "--sample-every and --sample-length must be ≥ 0");
        if (tokenizer.equals("bpe") && vocab < 256) return fail(err, "--vocab must be ≥ 256 for byte-level BPE, got " + vocab);
        String corpus;
        try {
            corpus = readText(text);
        } catch (IOException e) {
            return fail(err, e.getMessage());
        }
        String[] split = TinyLm.split(corpus);
        String trainText = split[0], valText = split[1];
        TinyLm.Tokenizer tok;
        TinyLm.Config c;
        try {
            tok = tokenizer.equals("char") ? TinyLm.Tokenizer.chars(corpus) : TinyLm.Tokenizer.bpe(trainText, vocab);
            c = new TinyLm.Config(TinyLm.model(tok.vocabSize(), layers, heads, dModel, context), batchSize, steps, lr, schedule.equals("cosine"), warmup,
                    weightDecay, gradClip, dropout, evalBatches, seed);
        } catch (IllegalArgumentException e) {
            return fail(err, e.getMessage());
        }
        int[] train = tok.encode(trainText), val = tok.encode(valText);
        if (train.length <= context || val.length <= context) {
            return fail(err, "text file " + text + " is too short: the training split has " + train.length + " and the validation split " + val.length
                    + " tokens, and each needs more than --context " + context);
        }
        Files.createDirectories(out);
        Path ckpt = out.resolve("checkpoint.safetensors");
        TinyLm.State s;
        if (resume) {
            if (!Files.exists(ckpt)) return fail(err, "--resume given but " + ckpt + " does not exist");
            try {
                s = TinyLm.load(ckpt, c);
            } catch (IOException e) {
                return fail(err, e.getMessage());
            }
            o.printf(Locale.ROOT, "resumed from %s after step %d%n", ckpt, s.step());
        } else {
            s = TinyLm.fresh(c);
        }
        long params = zerotoml.scratch.tensor.Autodiff.Params.tensors(s.params()).stream().mapToLong(t -> t.size()).sum();
        o.printf(Locale.ROOT, "tiny-lm: %s, %d training and %d validation tokens (%.3f bytes/token), %s tokenizer with %d ids; %,d parameters; %s%n",
                text, train.length, val.length, bytes(tok, val) / (double) val.length, tokenizer, tok.vocabSize(), params, c.describe());
        if (s.step() == 0) {
            double[] e0 = TinyLm.evaluate(c, s.params(), val, tok);
            o.printf(Locale.ROOT, "step 0: validation loss %.4f (ln vocab = %.4f), %.4f bits/byte%n", e0[0], Math.log(tok.vocabSize()), e0[1]);
        }
        o.flush();
        int end = Math.min(steps, stopAt);
        long wallStart = System.nanoTime();
        double secondsBefore = s.seconds();
        ProgressBar pb = noProgress ? null : new ProgressBarBuilder().setTaskName("tiny-lm").setInitialMax(steps).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).setMaxRenderedLength(120).setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
        try {
            if (pb != null) pb.stepTo(s.step());
            int first = s.step();
            while (s.step() < end) {
                s = TinyLm.train(c, s, train);
                int t = s.step();
                double secs = secondsBefore + (System.nanoTime() - wallStart) / 1e9;
                if (pb != null) {
                    pb.stepTo(t);
                    double rate = (t - first) / Math.max(1e-9, (System.nanoTime() - wallStart) / 1e9);
                    pb.setExtraMessage(String.format(Locale.ROOT, " loss %.4f  %.2f steps/s  %.0f tok/s", s.lossSum() / s.lossCount(), rate,
                            rate * batchSize * context));
                }
                if (t % evalEvery == 0 || t == steps) {
                    s = TinyLm.evaluated(c, s, val, tok, secs);
                    TinyLm.Eval e = s.history().get(s.history().size() - 1);
                    o.printf(Locale.ROOT, "step %d: train loss %.4f, validation loss %.4f, %.4f bits/byte (%.0f s, %.3f steps/s)%n", t, e.trainLoss(),
                            e.valLoss(), e.valBitsPerByte(), secs, (t - first) / Math.max(1e-9, (System.nanoTime() - wallStart) / 1e9));
                    o.flush();
                    TinyLm.save(ckpt, c, s);
                    writeReports(s.history());
                }
                if ((sampleEvery > 0 && t % sampleEvery == 0) || t == steps) printSample(o, c, s, tok, val, t);
            }
            if (s.step() < steps) {
                // stopped early by --stop-at: keep the running loss in the checkpoint
                TinyLm.save(ckpt, c, new TinyLm.State(s.params(), s.opt(), s.lossSum(), s.lossCount(), s.history(),
                        secondsBefore + (System.nanoTime() - wallStart) / 1e9));
            }
        } finally {
            if (pb != null) pb.close();
        }
        o.printf(Locale.ROOT, "done: %d of %d steps; outputs in %s%n", s.step(), steps, out.toAbsolutePath());
        o.flush();
        return 0;
    }

    /** The whole file as UTF-8 text; an IOException that names the file when it is missing, empty or not UTF-8. */
    static String readText(Path text) throws IOException {
        if (!Files.isRegularFile(text)) throw new IOException("text file " + text + " does not exist (or is not a file); give a UTF-8 text with --text PATH");
        String corpus;
        try {
            corpus = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(text))).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("text file " + text + " is not valid UTF-8");
        }
        if (corpus.isEmpty()) throw new IOException("text file " + text + " is empty");
        return corpus;
    }

    static long bytes(TinyLm.Tokenizer tok, int[] ids) {
        long b = 0;
        for (int id : ids) b += tok.bytes(id);
        return b;
    }

    void printSample(PrintWriter o, TinyLm.Config c, TinyLm.State s, TinyLm.Tokenizer tok, int[] val, int t) {
        if (sampleLength == 0) return;
        int[] ids = TinyLm.sample(c, s.params(), new int[] {val[0]}, sampleLength, new Generation.Sampler(temperature, topK), TinyLm.mix(seed, 5, t));
        o.printf(Locale.ROOT, "sample at step %d (temperature %s, top-k %d), after \"%s\":%n%s%n%n", t, temperature, topK,
                tok.decode(new int[] {val[0]}).replace("\n", "\\n"), tok.decode(ids));
        o.flush();
    }

    void writeReports(List<TinyLm.Eval> history) throws IOException {
        int n = history.size();
        double[] step = new double[n], train = new double[n], val = new double[n], bpb = new double[n];
        for (int i = 0; i < n; i++) {
            TinyLm.Eval e = history.get(i);
            step[i] = e.step();
            train[i] = e.trainLoss();
            val[i] = e.valLoss();
            bpb[i] = e.valBitsPerByte();
        }
        XYChart l = new XYChartBuilder().width(600).height(400).title("Loss").xAxisTitle("step").yAxisTitle("cross-entropy (nats/token)").build();
        l.addSeries("train (mean since last eval)", step, train).setMarker(SeriesMarkers.NONE);
        l.addSeries("validation", step, val).setMarker(SeriesMarkers.CIRCLE);
        XYChart b = new XYChartBuilder().width(600).height(400).title("Validation bits per byte").xAxisTitle("step").yAxisTitle("bits/byte").build();
        b.addSeries("validation", step, bpb).setMarker(SeriesMarkers.CIRCLE);
        List<Chart<?, ?>> charts = List.of(l, b);
        AtomicFile.write(out.resolve("curves.png"), os -> BitmapEncoder.saveBitmap(charts, 1, 2, os, BitmapEncoder.BitmapFormat.PNG));
        StringBuilder csv = new StringBuilder("step,train_loss,val_loss,val_bits_per_byte,seconds\n");
        for (TinyLm.Eval e : history) {
            csv.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.1f%n", e.step(), e.trainLoss(), e.valLoss(), e.valBitsPerByte(), e.seconds()));
        }
        AtomicFile.write(out.resolve("history.csv"), os -> os.write(csv.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private int fail(PrintWriter err, String message) {
        err.println("tiny-lm: " + message);
        err.flush();
        return 2;
    }
}
