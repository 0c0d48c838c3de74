package zerotoml.examples.diffusion;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.knowm.xchart.XYChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import zerotoml.examples.diffusion.Diffusion2d.Method;
import zerotoml.examples.diffusion.Diffusion2d.Model;
import zerotoml.examples.diffusion.DiffusionQuestions.ImagePoint;
import zerotoml.examples.diffusion.DiffusionQuestions.Net;
import zerotoml.examples.diffusion.DiffusionQuestions.Point;
import zerotoml.examples.diffusion.DiffusionQuestions.Sampler;
import zerotoml.examples.fashion.Dataset;
import zerotoml.examples.kit.Charts;
import zerotoml.examples.kit.Checks;
import zerotoml.examples.kit.Failure;
import zerotoml.examples.kit.Loop;
import zerotoml.examples.kit.Options;
import zerotoml.examples.kit.Pool;
import zerotoml.scratch.diffusion.Denoiser;
import zerotoml.scratch.diffusion.TimeMlp;
import zerotoml.scratch.diffusion.UNet;
import zerotoml.scratch.io.AtomicFile;
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/** Sample quality against the number of network evaluations, for every sampler of the five diffusion and flow papers. */
@Command(name = "diffusion-questions", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Which method gives the best samples per network evaluation? On 8 Gaussians or two moons, for each of --seeds seeds"
                + " (--seed, --seed + 1, ...; the seed sets the networks' init, the training data and the sampling noise) it trains what"
                + " diffusion-2d trains (a DDPM eps-network for DDPM and DDIM, a VP-SDE eps-network for Euler-Maruyama, PC and the PF-ODE,"
                + " an FM field, a 1-RF field and its reflow), then runs every sampler at each budget of --nfe network evaluations"
                + " (Heun and PC cost 2 a step; a sampler that cannot spend a budget exactly, or is undefined there, is skipped with the"
                + " reason) from the same starting noise, and writes to --out: results.csv (one row per sampler, NFE and seed: sliced"
                + " W2 to held-out data and modes covered), nfe.png (sliced W2 against NFE, mean over seeds with min-max bars) and"
                + " summary.md (the tables and, per NFE, the best sampler and whether the seeds separate it from the runner-up)."
                + " Each seed's trainings and rows live in --out/seed-S/; with --resume finished trainings and seeds are reused."
                + " With --data fashion-mnist it runs the same sweep on the U-Nets of a diffusion-mnist run (--mnist-runs, judged by"
                + " --classifier): the seed then changes only the sampling noise.")
public final class DiffusionQuestionsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "D", description = "eight-gaussians, two-moons or fashion-mnist. Default: ${DEFAULT-VALUE}")
    String data = "eight-gaussians";

    @Option(names = "--seeds", paramLabel = "N", description = "How many seeds, from --seed on (>= 1). Default: ${DEFAULT-VALUE}")
    int seeds = 3;

    @Option(names = "--nfe", split = ",", paramLabel = "N", description = "Budgets of network evaluations, comma-separated (each >= 1, no repeats)."
            + " Default: 1,2,4,8,16,32,100,1000")
    List<Integer> nfe = new ArrayList<>(DiffusionQuestions.NFE);

    @Option(names = "--samplers", split = ",", paramLabel = "S", description = "Samplers, comma-separated: ddpm, ddim-eta1, ddim-eta0, em, pc,"
            + " pf-euler, pf-heun, fm-euler, fm-heun, 1rf-euler, 2rf-euler. Default: all")
    List<String> samplers;

    @Mixin
    Options.Steps steps = new Options.Steps(2000);

    @Mixin
    Options.Lr lr = new Options.Lr(1e-3);

    @Mixin
    Options.Run run = new Options.Run("runs/diffusion-questions");

    @Option(names = "--eval-every", paramLabel = "N", description = "Training steps between history rows and checkpoints (>= 1). Default: ${DEFAULT-VALUE}")
    int evalEvery = 250;

    @Option(names = "--reflow-steps", paramLabel = "N", description = "Adam steps of the 2-RF (>= 1). Default: ${DEFAULT-VALUE}")
    int reflowSteps = 1000;

    @Option(names = "--pairs", paramLabel = "N", description = "Reflow couplings (>= 1). Default: ${DEFAULT-VALUE}")
    int pairs = 2000;

    @Option(names = "--batch-size", paramLabel = "B", description = "Points per training step (>= 1). Default: ${DEFAULT-VALUE}")
    int batch = 256;

    @Option(names = "--hidden", paramLabel = "H", description = "Hidden width of the MLPs (>= 1). Default: ${DEFAULT-VALUE}")
    int hidden = 64;

    @Option(names = "--depth", paramLabel = "L", description = "Hidden layers of the MLPs (>= 1). Default: ${DEFAULT-VALUE}")
    int depth = 3;

    @Option(names = "--samples", paramLabel = "N", description = "Samples per sampler, NFE and seed, and held-out points (>= 2). Default: ${DEFAULT-VALUE}")
    int samples = 1000;

    @Option(names = "--mnist-runs", paramLabel = "DIR", description = "fashion-mnist only: the --out of diffusion-mnist runs; DIR/<method>/checkpoint.safetensors"
            + " for method ddpm, sde, fm, rf, and rf-reflow/ for the 2-RF of `diffusion-mnist --method rf --reflow` (those present are used).")
    Path mnistRuns;

    @Option(names = "--classifier", paramLabel = "FILE", description = "fashion-mnist only: checkpoint.safetensors of a fashion-mnist run that judges the samples.")
    Path classifier;

    @Option(names = "--mnist-data", paramLabel = "DIR", description = "fashion-mnist only: the four IDX files. Default: ${DEFAULT-VALUE}")
    Path mnistData = Path.of("/usr/share/datasets/fashion-mnist");

    @Option(names = "--channels", paramLabel = "C", description = "fashion-mnist only: the runs' U-Net base channels (>= 1). Default: ${DEFAULT-VALUE}")
    int channels = 32;

    @Option(names = "--groups", paramLabel = "G", description = "fashion-mnist only: the runs' GroupNorm groups; must divide --channels. Default: ${DEFAULT-VALUE}")
    int groups = 8;

    @Option(names = "--embed", paramLabel = "E", description = "fashion-mnist only: the runs' time-embedding width (>= 2). Default: ${DEFAULT-VALUE}")
    int embed = 64;

    @Option(names = "--sample-batch", paramLabel = "N", description = "fashion-mnist only: images sampled at once (>= 1). Default: ${DEFAULT-VALUE}")
    int sampleBatch = 100;

    @Option(names = "--threshold", paramLabel = "P", description = "fashion-mnist only: top-class probability that counts as recognised, in (0, 1]."
            + " Default: ${DEFAULT-VALUE}")
    double threshold = 0.9;

    @Option(names = "--limit-test", paramLabel = "N", description = "fashion-mnist only: the first N test images are the Frechet reference (>= 2). Default: all")
    int limitTest = Integer.MAX_VALUE;

    @Option(names = "--merge", split = ",", paramLabel = "CSV", description = "fashion-mnist only: instead of sampling, merge the results.csv of earlier"
            + " sweeps (run on networks trained at different times) into one results.csv, summary.md and nfe.png in --out; --samplers and --nfe"
            + " select the rows (default: all of them).")
    List<Path> merge;

    static final String MNIST = "fashion-mnist";

    @Override
    public Integer call() throws IOException {
        Checks checks = Checks.of(spec, steps, lr, run);
        boolean mnist = MNIST.equalsIgnoreCase(data);
        Toy2d.Data d = mnist ? null : Diffusion2dCommand.parseOr(checks, Toy2d.Data.class, data, "--data", MNIST);
        checks.atLeast("--seeds", seeds, 1).atLeast("--eval-every", evalEvery, 1).atLeast("--reflow-steps", reflowSteps, 1).atLeast("--pairs", pairs, 1)
                .atLeast("--batch-size", batch, 1).atLeast("--hidden", hidden, 1).atLeast("--depth", depth, 1).atLeast("--samples", samples, 2)
                .atLeast("--channels", channels, 1).atLeast("--groups", groups, 1)
                .that(channels % groups == 0, "--groups must divide --channels, got --groups " + groups + " and --channels " + channels)
                .atLeast("--embed", embed, 2).atLeast("--sample-batch", sampleBatch, 1)
                .that(threshold > 0 && threshold <= 1, "--threshold must be a number in (0, 1], got " + Checks.fmt(threshold))
                .atLeast("--limit-test", limitTest, 2)
                .that(nfe != null && !nfe.isEmpty(), "--nfe needs at least one budget");
        for (int n : nfe) checks.atLeast("--nfe", n, 1);
        checks.that(new LinkedHashSet<>(nfe).size() == nfe.size(), "--nfe must not repeat a budget, got " + nfe);
        List<Sampler> chosen = new ArrayList<>();
        for (String k : samplers == null ? Arrays.stream(Sampler.values()).map(s -> s.key).toList() : samplers) {
            Sampler s = Sampler.of(k);
            checks.that(s != null, "--samplers: unknown sampler " + k + "; choose from "
                    + String.join(", ", Arrays.stream(Sampler.values()).map(x -> x.key).toList()));
            checks.that(!chosen.contains(s), "--samplers must not repeat a sampler, got " + k + " twice");
            chosen.add(s);
        }
        checks.that(merge == null || mnist, "--merge needs --data fashion-mnist");
        if (mnist && merge != null) {
            for (Path f : merge) checks.that(Files.isRegularFile(f), "--merge: " + f + " does not exist (the results.csv of a fashion-mnist sweep)");
        } else if (mnist) {
            checks.that(mnistRuns != null, "--data fashion-mnist needs --mnist-runs (the --out of diffusion-mnist runs)")
                    .that(classifier != null, "--data fashion-mnist needs --classifier (a fashion-mnist checkpoint that judges the samples)");
        }
        List<Integer> budgets = nfe.stream().sorted().toList();
        Files.createDirectories(run.out);
        PrintWriter o = spec.commandLine().getOut();
        for (Sampler s : chosen) {
            for (int n : budgets) {
                String why = DiffusionQuestions.whyNot(s, n);
                if (why != null) o.printf(Locale.ROOT, "skipped: %s at NFE %d (%s)%n", s.key, n, why);
            }
        }
        o.flush();
        if (merge != null) return merged(chosen, budgets, o);
        return mnist ? images(chosen, budgets, o) : points(d, chosen, budgets, o);
    }

    // ------------------------------------------------------------------ 2-D

    int points(Toy2d.Data d, List<Sampler> chosen, List<Integer> budgets, PrintWriter o) throws IOException {
        List<Point> all = new ArrayList<>();
        List<Long> done = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            long seed = run.seed + i;
            Path dir = run.out.resolve("seed-" + seed);
            Files.createDirectories(dir);
            Path rows = dir.resolve("results.csv"), settings = dir.resolve("settings.txt");
            String mine = settings(d, chosen, budgets, seed);
            List<Point> pts;
            if (run.resume && Files.exists(rows) && Files.exists(settings) && Files.readString(settings).equals(mine)) {
                pts = Files.readAllLines(rows).stream().skip(1).map(DiffusionQuestions::parsePoint).toList();
                o.printf(Locale.ROOT, "seed %d: reusing %d rows of %s%n", seed, pts.size(), rows);
            } else {
                pts = seed2d(d, chosen, budgets, seed, dir, o);
                write(settings, mine);
                write(rows, DiffusionQuestions.POINT_HEADER + "\n" + String.join("\n", pts.stream().map(DiffusionQuestions::csv).toList()) + "\n");
            }
            all.addAll(pts);
            done.add(seed);
            report2d(all, done, chosen, budgets, o);
        }
        return 0;
    }

    String settings(Toy2d.Data d, List<Sampler> chosen, List<Integer> budgets, long seed) {
        return String.format(Locale.ROOT, "data=%s seed=%d steps=%d lr=%s batch=%d hidden=%d depth=%d reflow-steps=%d pairs=%d samples=%d nfe=%s samplers=%s%n",
                d.label(), seed, steps.steps, lr.lr, batch, hidden, depth, reflowSteps, pairs, samples, budgets, chosen.stream().map(s -> s.key).toList());
    }

    /** One seed: train the networks the chosen samplers need, then every sampler at every budget it can spend. */
    List<Point> seed2d(Toy2d.Data d, List<Sampler> chosen, List<Integer> budgets, long seed, Path dir, PrintWriter o) throws IOException {
        Diffusion2d.Settings s = new Diffusion2d.Settings(steps.steps, batch, lr.lr, hidden, depth, seed);
        Map<Net, Denoiser> nets = new EnumMap<>(Net.class);
        long t0 = System.nanoTime();
        Model oneRf = null;
        for (Net n : Net.values()) {
            boolean needed = chosen.stream().anyMatch(c -> c.net == n || (n == Net.RF && c.net == Net.RF2));
            if (!needed || n == Net.RF2) continue;
            Method m = switch (n) {
                case DDPM -> Method.DDPM;
                case SDE -> Method.SDE;
                case FM -> Method.FM;
                default -> Method.RF;
            };
            String tag = d.label() + "-" + m.name().toLowerCase(Locale.ROOT);
            TimeMlp.Config c = Diffusion2d.config(m, s);
            Model model = Diffusion2d.train(new Diffusion2d.Trainer(m, c, s, Diffusion2d.fresh(d, s), null, "seed " + seed + " " + tag),
                    plan(dir.resolve(tag), steps.steps), o);
            nets.put(n, model.denoiser());
            if (n == Net.RF) oneRf = model;
        }
        if (chosen.stream().anyMatch(c -> c.net == Net.RF2)) {
            String tag = d.label() + "-rf-reflow";
            Model twoRf = Diffusion2d.train(Diffusion2d.reflow(oneRf, s, reflowSteps, pairs, "seed " + seed + " " + tag),
                    plan(dir.resolve(tag), reflowSteps), o);
            nets.put(Net.RF2, twoRf.denoiser());
        }
        o.printf(Locale.ROOT, "seed %d: networks %s trained (or resumed) in %.1f s%n", seed, nets.keySet(), (System.nanoTime() - t0) / 1e9);
        Tensor heldOut = Toy2d.sample(d, Rng.seed(seed).split("held-out"), samples);
        Tensor fresh = Toy2d.sample(d, Rng.seed(seed).split("fresh"), samples);
        double floor = Toy2d.slicedWasserstein(fresh, heldOut, 200, Rng.seed(seed).split("sw"));
        // the same starting noise as diffusion-2d's samplers, for every sampler and budget
        Tensor start = Rng.seed(seed).split("sample").split("start").normal(DType.F64, samples, 2);
        List<Point> pts = new ArrayList<>();
        for (Sampler sm : chosen) {
            for (int n : budgets) {
                int k = DiffusionQuestions.steps(sm, n);
                if (k == 0) continue;
                long t1 = System.nanoTime();
                Tensor x = inPool(() -> DiffusionQuestions.sample(sm, nets.get(sm.net), start, k, Rng.seed(seed).split("sample").split(sm.key).split(n)));
                Point p = DiffusionQuestions.judge(d, sm, n, seed, x, heldOut, floor, (System.nanoTime() - t1) / 1e9);
                pts.add(p);
                o.printf(Locale.ROOT, "seed %d  %-40s NFE %4d (%4d steps): sliced W2 %.4f (floor %.4f), modes %d/%d, off-mode %d, %.1f s%n", seed,
                        sm.label, n, k, p.slicedW2(), floor, p.modesCovered(), p.modes(), p.offMode(), p.seconds());
                o.flush();
            }
        }
        return pts;
    }

    /** A training's plan: with --resume, a training whose checkpoint exists continues (a finished one is reused), any other starts fresh. */
    Loop.Plan plan(Path dir, int n) {
        boolean resume = run.resume && Files.exists(dir.resolve("checkpoint.safetensors"));
        return new Loop.Plan(n, Math.min(evalEvery, n), Integer.MAX_VALUE, dir, resume, run.progress(), run.threads.threads);
    }

    void report2d(List<Point> all, List<Long> done, List<Sampler> chosen, List<Integer> budgets, PrintWriter o) throws IOException {
        write(run.out.resolve("results.csv"), DiffusionQuestions.POINT_HEADER + "\n" + String.join("\n", all.stream().map(DiffusionQuestions::csv).toList()) + "\n");
        var sw = DiffusionQuestions.spreads(all, Point::sampler, Point::nfe, Point::slicedW2);
        var swRows = DiffusionQuestions.measures(all, Point::sampler, Point::nfe, Point::seed, Point::slicedW2);
        var modes = DiffusionQuestions.measures(all, Point::sampler, Point::nfe, Point::seed, Point::modesCovered);
        var off = DiffusionQuestions.measures(all, Point::sampler, Point::nfe, Point::seed, p -> (double) p.offMode() / samples);
        double floor = all.stream().mapToDouble(Point::floor).average().orElse(Double.NaN);
        String head = String.format(Locale.ROOT, "%s, seeds %s of %d asked, %d training steps, hidden %d x %d, %d samples; floor (data vs data) %.4f%n%n",
                all.isEmpty() ? "" : all.get(0).data(), done, seeds, steps.steps, hidden, depth, samples, floor);
        String md = head + "Sliced W2 to held-out data, mean (min-max) over seeds; lower is better\n\n"
                + DiffusionQuestions.summary("sampler \\ NFE", swRows, budgets, true, "%.3f")
                + "\nFlows (FM, 1-RF, 2-RF) against diffusion (DDPM, DDIM, SDE, PF-ODE), sliced W2\n\n"
                + DiffusionQuestions.families(swRows, budgets, true, "%.3f")
                + "\nModes covered (of " + (all.isEmpty() ? 0 : all.get(0).modes()) + "), mean (min-max)\n\n"
                + DiffusionQuestions.summary("sampler \\ NFE", modes, budgets, false, "%.1f")
                + "\nShare of samples off every mode, mean (min-max)\n\n"
                + DiffusionQuestions.summary("sampler \\ NFE", off, budgets, true, "%.2f");
        write(run.out.resolve("summary.md"), md);
        List<String> keys = chosen.stream().map(s -> s.key).toList();
        List<String> det = chosen.stream().filter(s -> !s.stochastic).map(s -> s.key).toList(), sto = chosen.stream().filter(s -> s.stochastic).map(s -> s.key).toList();
        List<XYChart> charts = new ArrayList<>();
        if (!det.isEmpty()) charts.add(DiffusionQuestions.panel("Deterministic samplers (ODEs)", "sliced W2 to held-out data", sw, det, true, floor));
        if (!sto.isEmpty()) charts.add(DiffusionQuestions.panel("Stochastic samplers", "sliced W2 to held-out data", sw, sto, true, floor));
        if (charts.isEmpty()) charts.add(DiffusionQuestions.panel("Samplers", "sliced W2", sw, keys, true, floor));
        Charts.write(run.out.resolve("nfe.png"), charts);
        o.printf(Locale.ROOT, "wrote %s, %s and %s (seeds %s)%n", run.out.resolve("results.csv"), run.out.resolve("nfe.png"), run.out.resolve("summary.md"), done);
        o.flush();
    }

    // ------------------------------------------------------------------ Fashion-MNIST

    int images(List<Sampler> chosen, List<Integer> budgets, PrintWriter o) throws IOException {
        Dataset test;
        try {
            test = Dataset.load(mnistData, Dataset.TEST).limit(limitTest);
        } catch (IOException e) {
            throw new Failure(Failure.DATA, e.getMessage());
        }
        int h = test.rows(), w = test.cols();
        DiffusionMnist.Judge judge = DiffusionMnist.loadClassifier(classifier, h, w);
        DiffusionMnist.Seen reference = inPool(() -> DiffusionMnist.see(judge, test.images(DiffusionMnistCommand.allOf(test.count()), DType.F64)));
        Map<Net, Denoiser> nets = new EnumMap<>(Net.class);
        Map<Net, String> methods = new EnumMap<>(Net.class);
        Map<Net, DType> dtypes = new EnumMap<>(Net.class);
        for (Net n : new Net[] {Net.DDPM, Net.SDE, Net.FM, Net.RF, Net.RF2}) {
            if (chosen.stream().noneMatch(c -> c.net == n)) continue;
            // the 2-RF is a rectified flow too, trained by `diffusion-mnist --method rf --reflow` into rf-reflow/
            Method m = n == Net.RF2 ? Method.RF : Method.valueOf(n.name());
            String tag = n == Net.RF2 ? "rf-reflow" : m.name().toLowerCase(Locale.ROOT);
            Path file = mnistRuns.resolve(tag).resolve("checkpoint.safetensors");
            if (!Files.exists(file)) {
                o.printf(Locale.ROOT, "skipped: the %s samplers (no %s)%n", tag, file);
                continue;
            }
            UNet.Config c = DiffusionMnist.config(new DiffusionMnist.Settings(m, channels, groups, embed, 1, 1, 0, DType.F64, 0));
            UNet.Params p = DiffusionMnist.loadUNet(file, m, c);
            nets.put(n, UNet.denoiser(c, p));
            dtypes.put(n, zerotoml.scratch.tensor.Autodiff.Params.tensors(p).get(0).dtype());
            methods.put(n, tag);
        }
        if (nets.isEmpty()) throw new Failure(Failure.DATA, "--mnist-runs " + mnistRuns + " holds no checkpoint for the chosen samplers (need <method>/checkpoint.safetensors)");
        List<ImagePoint> all = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            long seed = run.seed + i;
            for (Sampler sm : chosen) {
                Denoiser f = nets.get(sm.net);
                if (f == null) continue;
                for (int n : budgets) {
                    int k = DiffusionQuestions.steps(sm, n);
                    if (k == 0) continue;
                    long t1 = System.nanoTime();
                    // chunk j starts from (seed, "questions", j) for every sampler; its step noise is the sampler's and the budget's
                    Tensor x = inPool(() -> DiffusionMnist.sample((start, rng) -> DiffusionQuestions.sample(sm, f, start, k, rng.split(sm.key).split(n), true),
                            "questions", samples, sampleBatch, h, w, seed, dtypes.get(sm.net), () -> {}));
                    double secs = (System.nanoTime() - t1) / 1e9;
                    Tensor px = DiffusionMnist.pixels(x);
                    DiffusionMnist.Scores r = inPool(() -> DiffusionMnist.judge(px, DiffusionMnist.see(judge, px), reference, threshold));
                    ImagePoint p = new ImagePoint(methods.get(sm.net), sm.key, n, k, seed, r.n(), r.nonFinite(), r.confident(), r.entropy(), r.frechet(), secs);
                    all.add(p);
                    o.printf(Locale.ROOT, "seed %d  %-40s NFE %4d (%4d steps): p >= %s for %.1f%%, Frechet %.3f, %d not finite, %.1f s%n", seed, sm.label, n, k,
                            threshold, 100 * r.confident(), r.frechet(), r.nonFinite(), secs);
                    o.flush();
                }
            }
            write(run.out.resolve("results.csv"), DiffusionQuestions.IMAGE_HEADER + "\n" + String.join("\n", all.stream().map(DiffusionQuestions::csv).toList()) + "\n");
        }
        writeImageSummary(all, chosen.stream().map(s -> s.key).toList(), budgets, o);
        return 0;
    }

    /**
     * The rows of earlier sweeps' results.csv (header checked) for the chosen samplers and budgets,
     * written as one results.csv, summary.md and nfe.png; a row repeated across files (same sampler,
     * NFE and seed) is refused rather than counted twice.
     */
    int merged(List<Sampler> chosen, List<Integer> budgets, PrintWriter o) throws IOException {
        Set<String> keys = new HashSet<>(chosen.stream().map(s -> s.key).toList());
        boolean allBudgets = nfe.equals(DiffusionQuestions.NFE);
        List<ImagePoint> all = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Path f : merge) {
            List<String> lines = Files.readAllLines(f);
            if (lines.isEmpty() || !lines.get(0).equals(DiffusionQuestions.IMAGE_HEADER)) {
                throw new Failure(Failure.USAGE, "--merge: " + f + " is not the results.csv of a fashion-mnist sweep (its header is not '"
                        + DiffusionQuestions.IMAGE_HEADER + "')");
            }
            for (int i = 1; i < lines.size(); i++) {
                ImagePoint p;
                try {
                    p = DiffusionQuestions.parseImagePoint(lines.get(i));
                } catch (RuntimeException e) {
                    throw new Failure(Failure.USAGE, "--merge: " + f + " line " + (i + 1) + " is not a row of " + DiffusionQuestions.IMAGE_HEADER + ": " + e.getMessage());
                }
                if (!keys.contains(p.sampler()) || !(allBudgets || budgets.contains(p.nfe()))) continue;
                if (!seen.add(p.sampler() + "@" + p.nfe() + "#" + p.seed())) {
                    throw new Failure(Failure.USAGE, "--merge: " + p.sampler() + " at NFE " + p.nfe() + " with seed " + p.seed() + " appears twice (again in " + f + ")");
                }
                all.add(p);
            }
        }
        if (all.isEmpty()) throw new Failure(Failure.DATA, "--merge: no row of " + merge + " is for the chosen samplers and budgets");
        List<Integer> found = all.stream().map(ImagePoint::nfe).distinct().sorted().toList();
        List<String> order = chosen.stream().map(s -> s.key).filter(k -> all.stream().anyMatch(p -> p.sampler().equals(k))).toList();
        write(run.out.resolve("results.csv"), DiffusionQuestions.IMAGE_HEADER + "\n" + String.join("\n", all.stream().map(DiffusionQuestions::csv).toList()) + "\n");
        o.printf(Locale.ROOT, "merged %d rows of %d file(s)%n", all.size(), merge.size());
        writeImageSummary(all, order, found, o);
        return 0;
    }

    /** summary.md (share and Fréchet distance per sampler and NFE, over seeds) and nfe.png of image rows. */
    void writeImageSummary(List<ImagePoint> all, List<String> keys, List<Integer> budgets, PrintWriter o) throws IOException {
        var shareRows = DiffusionQuestions.measures(all, ImagePoint::sampler, ImagePoint::nfe, ImagePoint::seed, ImagePoint::confidentShare);
        var fidRows = DiffusionQuestions.measures(all, ImagePoint::sampler, ImagePoint::nfe, ImagePoint::seed, ImagePoint::frechet);
        var share = DiffusionQuestions.spreads(shareRows, DiffusionQuestions.Measure::sampler, DiffusionQuestions.Measure::nfe, DiffusionQuestions.Measure::value);
        var fid = DiffusionQuestions.spreads(fidRows, DiffusionQuestions.Measure::sampler, DiffusionQuestions.Measure::nfe, DiffusionQuestions.Measure::value);
        write(run.out.resolve("summary.md"), "Share of samples with top-class probability >= " + threshold + ", mean (min-max) over seeds\n\n"
                + DiffusionQuestions.summary("sampler \\ NFE", shareRows, budgets, false, "%.3f") + "\nFrechet distance to the test set, mean (min-max)\n\n"
                + DiffusionQuestions.summary("sampler \\ NFE", fidRows, budgets, true, "%.2f"));
        Charts.write(run.out.resolve("nfe.png"), List.of(DiffusionQuestions.panel("Recognised samples", "share with p >= " + threshold, share, keys, false, Double.NaN),
                DiffusionQuestions.panel("Frechet distance to the test set", "Frechet distance", fid, keys, true, Double.NaN)));
        o.printf(Locale.ROOT, "wrote %s, %s and %s%n", run.out.resolve("results.csv"), run.out.resolve("nfe.png"), run.out.resolve("summary.md"));
        o.flush();
    }

    /** Runs the math on --threads threads (the numbers do not depend on how many). */
    <T> T inPool(Callable<T> work) throws IOException {
        return Pool.call(run.threads.threads, work);
    }

    static void write(Path f, String text) throws IOException {
        AtomicFile.write(f, os -> os.write(text.getBytes(StandardCharsets.UTF_8)));
    }
}
