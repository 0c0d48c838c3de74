package zerotoml.examples.diffusion;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import zerotoml.examples.diffusion.Diffusion2d.Method;
import zerotoml.examples.fashion.Dataset;
import zerotoml.examples.kit.Checks;
import zerotoml.examples.kit.Failure;
import zerotoml.examples.kit.Loop;
import zerotoml.examples.kit.Options;
import zerotoml.examples.kit.Pool;
import zerotoml.examples.kit.Progress;
import zerotoml.scratch.diffusion.RectifiedFlow;
import zerotoml.scratch.diffusion.UNet;
import zerotoml.scratch.io.AtomicFile;
import zerotoml.scratch.io.Safetensors;
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/** Trains the shared U-Net on Fashion-MNIST with one method, samples it, and lets the project's classifier judge the samples. */
@Command(name = "diffusion-mnist", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train the shared time-conditioned U-Net (scratch/diffusion/UNet) on Fashion-MNIST with one method (ddpm, ddim, sde, fm, rf),"
                + " sample --samples images with each of --samplers, and write to --out: <method>-<sampler>.png (a grid of samples), real.png"
                + " (training images), and with --classifier (a fashion-mnist checkpoint) one line per sampler in scores.csv: the share of"
                + " samples the classifier gives a top-class probability >= 0.9, the entropy of those samples' class histogram (ln 10 = 2.303"
                + " is uniform), and the Frechet distance to the test set in the classifier's penultimate features; a row 'real' scores"
                + " as many training images, what a perfect generator would get. Training writes history.csv, curves.png and"
                + " checkpoint.safetensors to --out/<method>/ (--resume continues it; a finished run resumed only samples).")
public final class DiffusionMnistCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--method", required = true, paramLabel = "M", description = "ddpm, ddim, sde, fm or rf.")
    String method;

    @Option(names = "--data", paramLabel = "DIR", description = "Directory with the four Fashion-MNIST IDX files (raw or .gz). Default: ${DEFAULT-VALUE}")
    Path data = Path.of("/usr/share/datasets/fashion-mnist");

    @Option(names = "--classifier", paramLabel = "FILE", description = "checkpoint.safetensors of a fashion-mnist run (--model cnn or mlp) that judges"
            + " the samples; without it no scores are computed.")
    Path classifier;

    @Mixin
    Options.Steps steps = new Options.Steps(2000);

    @Mixin
    Options.Lr lr = new Options.Lr(1e-3);

    @Mixin
    Options.Run run = new Options.Run("runs/diffusion-mnist");

    @Option(names = "--batch-size", paramLabel = "B", description = "Training images per Adam step (>= 1). Default: ${DEFAULT-VALUE}")
    int batch = 64;

    @Option(names = "--channels", paramLabel = "C", description = "U-Net base channels c (the inner level has 2c; >= 1). Default: ${DEFAULT-VALUE}")
    int channels = 32;

    @Option(names = "--groups", paramLabel = "G", description = "GroupNorm groups; must divide --channels. Default: ${DEFAULT-VALUE}")
    int groups = 8;

    @Option(names = "--embed", paramLabel = "E", description = "Width of the sinusoidal time embedding and its MLP (>= 2). Default: ${DEFAULT-VALUE}")
    int embed = 64;

    @Option(names = "--dtype", paramLabel = "T", description = "f32 or f64: the U-Net's weights, training and sampling. Default: ${DEFAULT-VALUE}")
    DType dtype = DType.F64;

    @Option(names = "--ema", paramLabel = "D", description = "Decay of the moving average of the weights that is saved and sampled, in [0, 1) (0: the"
            + " weights themselves); warmed up as min(D, (1 + t)/(10 + t)). Default: ${DEFAULT-VALUE}")
    double ema = 0.999;

    @Option(names = "--sample-last", description = "Sample the last weights instead of their moving average (to measure what --ema gives; the same"
            + " checkpoint serves both: resume a finished run with and without it).")
    boolean sampleLast;

    @Option(names = "--eval-every", paramLabel = "N", description = "Steps between history rows and checkpoints (>= 1). Default: ${DEFAULT-VALUE}")
    int evalEvery = 100;

    @Option(names = "--samplers", split = ",", paramLabel = "S", description = "Samplers to run, comma-separated: fm heun, euler; rf euler; ddpm ddim,"
            + " ancestral (1000 steps); ddim ddim, ddim-eta1; sde ode, em, pc. Default: the method's first.")
    List<String> samplers;

    @Option(names = "--sample-steps", paramLabel = "N", description = "Steps of each sampler (not ancestral, which takes all 1000; >= 1). Default: ${DEFAULT-VALUE}")
    int sampleSteps = 20;

    @Option(names = "--samples", paramLabel = "N", description = "Images per sampler (>= 2). Default: ${DEFAULT-VALUE}")
    int samples = 1000;

    @Option(names = "--sample-batch", paramLabel = "N", description = "Images sampled at once (>= 1; the samples depend on it). Default: ${DEFAULT-VALUE}")
    int sampleBatch = 100;

    @Option(names = "--grid", paramLabel = "K", description = "The PNG grids show the first K x K samples (>= 1). Default: ${DEFAULT-VALUE}")
    int grid = 10;

    @Option(names = "--threshold", paramLabel = "P", description = "Top-class probability that counts a sample as recognised, in (0, 1]. Default: ${DEFAULT-VALUE}")
    double threshold = 0.9;

    @Option(names = "--reflow", description = "rf only: after the 1-RF, train a 2-RF (Liu et al., arXiv 2209.03003) from its weights on --pairs couplings"
            + " (Z0 ~ N(0, I), Z1 = the 1-RF's Euler sample from Z0 over --pair-steps steps) for --reflow-steps steps into --out/rf-reflow/ (the couplings"
            + " are kept in its pairs.safetensors), then judge both flows with Euler at --sample-steps and at 1 step, and write their straightness"
            + " to straightness.csv.")
    boolean reflow;

    @Option(names = "--pairs", paramLabel = "N", description = "--reflow: couplings (>= 1). Default: ${DEFAULT-VALUE}")
    int pairs = 10000;

    @Option(names = "--pair-steps", paramLabel = "K", description = "--reflow: Euler steps of the 1-RF that make each coupling (>= 1). Default: ${DEFAULT-VALUE}")
    int pairSteps = 20;

    @Option(names = "--reflow-steps", paramLabel = "N", description = "--reflow: Adam steps of the 2-RF (>= 1). Default: ${DEFAULT-VALUE}")
    int reflowSteps = 1000;

    @Option(names = "--limit-train", paramLabel = "N", description = "Use only the first N training images (>= 1). Default: all")
    int limitTrain = Integer.MAX_VALUE;

    @Option(names = "--limit-test", paramLabel = "N", description = "Use only the first N test images as the Frechet reference (>= 2). Default: all")
    int limitTest = Integer.MAX_VALUE;

    @Override
    public Integer call() throws IOException {
        Checks checks = Checks.of(spec, steps, lr, run);
        Method m = Diffusion2dCommand.parse(checks, Method.class, method, "--method");
        checks.atLeast("--batch-size", batch, 1).atLeast("--channels", channels, 1).atLeast("--groups", groups, 1)
                .that(channels % groups == 0, "--groups must divide --channels, got --groups " + groups + " and --channels " + channels)
                .atLeast("--embed", embed, 2)
                .that(ema >= 0 && ema < 1, "--ema must be a number in [0, 1), got " + Checks.fmt(ema)).atLeast("--eval-every", evalEvery, 1).atLeast("--sample-steps", sampleSteps, 1)
                .atLeast("--samples", samples, 2).atLeast("--sample-batch", sampleBatch, 1).atLeast("--grid", grid, 1)
                .that(threshold > 0 && threshold <= 1, "--threshold must be a number in (0, 1], got " + Checks.fmt(threshold))
                .atLeast("--limit-train", limitTrain, 1).atLeast("--limit-test", limitTest, 2)
                .that(!reflow || m == Method.RF, "--reflow needs --method rf (it straightens a rectified flow), got --method " + method)
                .atLeast("--pairs", pairs, 1).atLeast("--pair-steps", pairSteps, 1).atLeast("--reflow-steps", reflowSteps, 1);
        List<String> offered = DiffusionMnist.samplers(m);
        List<String> chosen = samplers == null || samplers.isEmpty() ? List.of(offered.get(0)) : samplers;
        for (String s : chosen) {
            checks.that(offered.contains(s), "--samplers: " + m.name().toLowerCase(Locale.ROOT) + " offers " + String.join(", ", offered) + ", got " + s);
        }
        int fewest = zerotoml.scratch.diffusion.ScoreSde.fewestDiscreteSteps(Diffusion2d.VP);
        checks.that(!chosen.contains("pc") || sampleSteps >= fewest, "--sample-steps must be >= " + fewest + " for the pc sampler (its discrete VP chain has "
                + "beta_i = beta(t)/N up to beta1/N = " + Checks.fmt(Diffusion2d.VP.b()) + "/N, undefined at 1 or more), got " + sampleSteps);
        PrintWriter o = spec.commandLine().getOut();
        Dataset train, test;
        try {
            train = Dataset.load(data, Dataset.TRAIN).limit(limitTrain);
            test = Dataset.load(data, Dataset.TEST).limit(limitTest);
        } catch (IOException e) {
            throw new Failure(Failure.DATA, e.getMessage());
        }
        if (train.rows() % 2 != 0 || train.cols() % 2 != 0) {
            throw new Failure(Failure.USAGE, "the U-Net needs even image sides, got " + train.rows() + "x" + train.cols());
        }
        DiffusionMnist.Judge judge = classifier == null ? null : DiffusionMnist.loadClassifier(classifier, train.rows(), train.cols());

        DiffusionMnist.Settings s = new DiffusionMnist.Settings(m, channels, groups, embed, batch, lr.lr, run.seed, dtype, ema);
        UNet.Config c = DiffusionMnist.config(s);
        String tag = m.name().toLowerCase(Locale.ROOT);
        DiffusionMnist.ImageTraining t = new DiffusionMnist.ImageTraining(s, c, train);
        Loop.Plan plan = new Loop.Plan(steps.steps, Math.min(evalEvery, steps.steps), Integer.MAX_VALUE, run.out.resolve(tag), run.resume, run.progress(),
                run.threads.threads);
        Loop<UNet.Params, DiffusionMnist.Opt, DiffusionMnist.Eval> loop = new Loop<>("diffusion-mnist " + tag, t, plan, o);
        var start = loop.start();
        o.printf(Locale.ROOT, "Fashion-MNIST: %d training images of %dx%d; %s%n", train.count(), train.rows(), train.cols(), t.config());
        o.flush();
        var trained = loop.run(start);
        if (trained.step() < steps.steps) return 0;

        UNet.Params sampled = sampleLast ? trained.params() : trained.opt().ema();
        Judging seen = inPool(() -> new Judging(judge == null ? null : DiffusionMnist.see(judge, test.images(allOf(test.count()), DType.F64)), judge));
        inPool(() -> sampleAndJudge(m, chosen, sampleSteps, c, sampled, train, seen, tag, true, o));
        if (!reflow) return 0;

        // ---- the 2-RF: couplings from the 1-RF, then its training from the 1-RF's weights
        Path dir = run.out.resolve("rf-reflow");
        String from = "pair-steps=" + pairSteps + " from=[" + t.config() + " step=" + trained.step() + (sampleLast ? " last" : "") + "]";
        Tensor[] zz = inPool(() -> couplings(dir, UNet.denoiser(c, sampled), from, train.rows(), train.cols()));
        DiffusionMnist.Settings s2 = new DiffusionMnist.Settings(m, channels, groups, embed, batch, lr.lr, run.seed + 1, dtype, ema);
        DiffusionMnist.ImageTraining t2 = new DiffusionMnist.ImageTraining(s2, c, train, new DiffusionMnist.Reflow(sampled, zz[0], zz[1], from));
        // --resume continues a 2-RF that has a checkpoint; a 1-RF run resumed to add --reflow starts its 2-RF fresh
        boolean resume2 = run.resume && Files.exists(dir.resolve("checkpoint.safetensors"));
        Loop.Plan plan2 = new Loop.Plan(reflowSteps, Math.min(evalEvery, reflowSteps), Integer.MAX_VALUE, dir, resume2, run.progress(), run.threads.threads);
        var loop2 = new Loop<>("diffusion-mnist rf-reflow", t2, plan2, o);
        var twoRf = loop2.run(loop2.start());
        if (twoRf.step() < reflowSteps) return 0;
        UNet.Params sampled2 = sampleLast ? twoRf.params() : twoRf.opt().ema();
        inPool(() -> sampleAndJudge(m, List.of("euler"), sampleSteps, c, sampled2, train, seen, "2rf", false, o));
        // one Euler step: where a straighter flow should gain most
        inPool(() -> sampleAndJudge(m, List.of("euler"), 1, c, sampled, train, seen, "rf", false, o));
        inPool(() -> sampleAndJudge(m, List.of("euler"), 1, c, sampled2, train, seen, "2rf", false, o));
        inPool(() -> straightness(UNet.denoiser(c, sampled), UNet.denoiser(c, sampled2), train.rows(), train.cols(), o));
        return 0;
    }

    /** The judge and its view of the test set (null without --classifier). */
    record Judging(DiffusionMnist.Seen reference, DiffusionMnist.Judge judge) {}

    /**
     * The reflow couplings, read from dir/pairs.safetensors when it was made from the same 1-RF
     * with the same options, else made and written there (atomically). With --resume, couplings made
     * otherwise are refused rather than silently replaced.
     */
    Tensor[] couplings(Path dir, zerotoml.scratch.diffusion.Denoiser oneRf, String from, int h, int w) throws IOException {
        Path f = dir.resolve("pairs.safetensors");
        String made = "pairs=" + pairs + " " + from;
        if (Files.exists(f)) {
            Safetensors.Contents saved = Safetensors.read(f);
            if (made.equals(saved.metadata().get("made"))) {
                spec.commandLine().getOut().printf(Locale.ROOT, "reflow couplings read from %s%n", f);
                return new Tensor[] {saved.tensors().get("z0"), saved.tensors().get("z1")};
            }
            if (run.resume) {
                throw new Failure(Failure.USAGE, "--resume: " + f + " holds couplings made otherwise ('" + saved.metadata().get("made") + "'), this run makes '"
                        + made + "'; resume with the options of that run, or start a new --out");
            }
        }
        Files.createDirectories(dir);
        long t0 = System.nanoTime();
        int chunks = (pairs + sampleBatch - 1) / sampleBatch;
        Tensor[] zz;
        try (Progress bar = Progress.start("reflow couplings", chunks, 0, run.progress(), System.err)) {
            int[] done = {0};
            zz = DiffusionMnist.reflowPairs(oneRf, pairs, sampleBatch, h, w, pairSteps, run.seed, dtype, () -> bar.stepTo(++done[0], ""));
        }
        Map<String, Tensor> named = new LinkedHashMap<>();
        named.put("z0", zz[0]);
        named.put("z1", zz[1]);
        Safetensors.write(f, named, Map.of("made", made));
        spec.commandLine().getOut().printf(Locale.ROOT, "%d reflow couplings (1-RF Euler, %d steps) in %.1f s, kept in %s%n", pairs, pairSteps,
                (System.nanoTime() - t0) / 1e9, f);
        return zz;
    }

    /**
     * Straightness S = ∫₀¹ E‖(Z1 − Z0) − v(Z_t, t)‖² dt of the 1-RF and the 2-RF along their Euler
     * trajectories over --sample-steps steps, from the same 100 noise images (per pixel: divided by H·W).
     */
    int straightness(zerotoml.scratch.diffusion.Denoiser oneRf, zerotoml.scratch.diffusion.Denoiser twoRf, int h, int w, PrintWriter o) throws IOException {
        Tensor z = Rng.seed(run.seed).split("straightness").normal(dtype, Math.min(100, samples), 1, h, w);
        double s1 = RectifiedFlow.straightness(oneRf, z, sampleSteps, DiffusionMnist.RF_EPS) / (h * w);
        double s2 = RectifiedFlow.straightness(twoRf, z, sampleSteps, DiffusionMnist.RF_EPS) / (h * w);
        o.printf(Locale.ROOT, "straightness per pixel over %d Euler steps: 1-RF %.5f, 2-RF %.5f (0 is a straight flow)%n", sampleSteps, s1, s2);
        String csv = String.format(Locale.ROOT, "flow,euler_steps,noise_images,straightness_per_pixel%n1-RF,%d,%d,%s%n2-RF,%d,%d,%s%n", sampleSteps,
                z.shape().dim(0), s1, sampleSteps, z.shape().dim(0), s2);
        AtomicFile.write(run.out.resolve("straightness.csv"), os -> os.write(csv.getBytes(StandardCharsets.UTF_8)));
        return 0;
    }

    /** Runs the math on --threads threads (the numbers do not depend on how many). */
    <T> T inPool(Callable<T> work) throws IOException {
        return Pool.call(run.threads.threads, work);
    }

    /**
     * Samples p (the averaged weights) with each sampler over k steps, writes the grids and, with a
     * judge, the scores (samples whose sampler diverged are counted, not hidden); with {@code withReal}
     * also the grid and scores of as many training images.
     */
    int sampleAndJudge(Method m, List<String> chosen, int k, UNet.Config c, UNet.Params p, Dataset train, Judging seen, String tag, boolean withReal,
                       PrintWriter o) throws IOException {
        Path out = run.out;
        int h = train.rows(), w = train.cols();
        DiffusionMnist.Judge judge = seen.judge();
        DiffusionMnist.Seen reference = seen.reference();
        List<String> rows = new ArrayList<>();
        if (withReal) {
            int[] realIdx = Arrays.copyOf(Rng.seed(run.seed).split("real").permutation(train.count()), Math.min(samples, train.count()));
            Tensor real = train.images(realIdx, DType.F64);
            writeGrid(out.resolve("real.png"), real, h, w, grid);
            if (judge != null) {
                long t0 = System.nanoTime();
                DiffusionMnist.Scores r = DiffusionMnist.judge(real, DiffusionMnist.see(judge, real), reference, threshold);
                rows.add(row("real", "training images", r, 0));
                report(o, "real training images", r, (System.nanoTime() - t0) / 1e9);
            }
        }
        for (String sampler : chosen) {
            String label = (tag.equals("2rf") ? "2-" : "") + DiffusionMnist.label(m, sampler, k) + (sampleLast ? ", last weights" : ema > 0 ? ", EMA " + ema : "");
            long t0 = System.nanoTime();
            int chunks = (samples + sampleBatch - 1) / sampleBatch;
            Tensor x;
            try (Progress bar = Progress.start("sampling " + label, chunks, 0, run.progress(), System.err)) {
                int[] done = {0};
                x = DiffusionMnist.sample(m, sampler, UNet.denoiser(c, p), samples, sampleBatch, h, w, k, run.seed, dtype,
                        () -> bar.stepTo(++done[0], ""));
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            Tensor px = DiffusionMnist.pixels(x);
            Path png = out.resolve(tag + "-" + sampler + (k != sampleSteps ? "-" + k + "step" : "") + (sampleLast ? "-last" : "") + ".png");
            writeGrid(png, px, h, w, grid);
            o.printf(Locale.ROOT, "%s: %d samples in %.1f s, grid %s%n", label, samples, secs, png);
            if (judge != null) {
                DiffusionMnist.Scores r = DiffusionMnist.judge(px, DiffusionMnist.see(judge, px), reference, threshold);
                rows.add(row(tag, label, r, secs));
                report(o, label, r, secs);
            }
            o.flush();
        }
        if (judge != null) appendScores(out.resolve("scores.csv"), rows);
        return 0;
    }

    static int[] allOf(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    void report(PrintWriter o, String what, DiffusionMnist.Scores r, double secs) {
        if (r.nonFinite() > 0) o.printf(Locale.ROOT, "%s: %d of %d samples have non-finite pixels (the sampler diverged)%n", what, r.nonFinite(), r.n());
        o.printf(Locale.ROOT, "%s: %.1f%% of %d with top-class probability >= %s, class entropy %.3f (ln 10 = %.3f), histogram %s,"
                + " Frechet distance to the test set %.3f%n", what, 100 * r.confident(), r.n(), threshold, r.entropy(), Math.log(10),
                Arrays.toString(r.histogram()), r.frechet());
    }

    String row(String method, String sampler, DiffusionMnist.Scores r, double secs) {
        StringBuilder hist = new StringBuilder();
        for (int k = 0; k < r.histogram().length; k++) hist.append(k == 0 ? "" : " ").append(r.histogram()[k]);
        return String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%d,%s,%s,%s,%s,%s,%.1f", method, sampler.replace(',', ';'), steps.steps, run.seed, r.n(), r.nonFinite(), threshold,
                r.confident(), r.entropy(), hist, r.frechet(), secs);
    }

    static void appendScores(Path f, List<String> rows) throws IOException {
        StringBuilder b = new StringBuilder(Files.exists(f) ? Files.readString(f)
                : "method,sampler,train_steps,seed,samples,non_finite,threshold,confident_share,class_entropy,class_histogram,frechet,sample_seconds\n");
        for (String r : rows) b.append(r).append('\n');
        AtomicFile.write(f, os -> os.write(b.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** The first k x k images of [n, H·W] (values in [0, 1]) as a grey PNG, each image scaled 2x, 2 white pixels apart, atomically. */
    static void writeGrid(Path file, Tensor pixels, int h, int w, int k) throws IOException {
        int n = Math.min(pixels.shape().dim(0), k * k), cols = Math.min(k, n), rowsN = (n + cols - 1) / cols, s = 2, gap = 2;
        double[] v = pixels.toArray();
        BufferedImage img = new BufferedImage(cols * (w * s + gap) + gap, rowsN * (h * s + gap) + gap, BufferedImage.TYPE_BYTE_GRAY);
        var raster = img.getRaster();
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) raster.setSample(x, y, 0, 255);
        for (int i = 0; i < n; i++) {
            int ox = gap + (i % cols) * (w * s + gap), oy = gap + (i / cols) * (h * s + gap);
            for (int r = 0; r < h; r++) {
                for (int q = 0; q < w; q++) {
                    // grey level 255·pixel, as the data set stores it (light clothes on black)
                    int g = (int) Math.round(255 * Math.max(0, Math.min(1, v[i * h * w + r * w + q])));
                    for (int dy = 0; dy < s; dy++) for (int dx = 0; dx < s; dx++) raster.setSample(ox + q * s + dx, oy + r * s + dy, 0, g);
                }
            }
        }
        AtomicFile.write(file, os -> ImageIO.write(img, "png", os));
    }
}
