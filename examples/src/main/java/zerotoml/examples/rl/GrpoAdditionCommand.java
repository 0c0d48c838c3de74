package zerotoml.examples.rl;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import zerotoml.examples.kit.Charts;
import zerotoml.examples.kit.Checks;
import zerotoml.examples.kit.Loop;
import zerotoml.examples.kit.Options;
import zerotoml.examples.kit.Table;
import zerotoml.examples.rl.GrpoTraining.GrpoEval;
import zerotoml.examples.rl.GrpoTraining.SftEval;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.transformer.Transformer.DecoderOnly;

/**
 * GRPO (Shao et al., "DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open Language
 * Models", arXiv 2402.03300) fine-tuning the project's decoder-only Transformer on two-digit
 * addition with a verifiable reward, on the training-loop kit: per seed, a deliberately weak
 * supervised start, then GRPO against that start frozen as the reference.
 */
@Command(name = "grpo-addition", mixinStandardHelpOptions = true, sortOptions = false,
        description = "GRPO (arXiv 2402.03300) on the prompts \"ab+cd=\" with a reward of the fraction of the sum's three digits that are right"
                + " (500 of the 8,100 pairs held out). Per seed: a supervised start stopped while weak (at the first evaluation reaching --sft-until),"
                + " then GRPO with group-relative advantages, the clipped objective and the k3 KL to that start, frozen. Writes, atomically, into"
                + " --out/seed-S/sft and --out/seed-S: checkpoint.safetensors, history.csv and curves.png; into --out: summary.csv and grpo.png"
                + " (exact match, reward and KL, every seed); --resume continues each seed bit for bit.")
public final class GrpoAdditionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--sft-steps", paramLabel = "N", description = "Most supervised steps of the start (>= 1). Default: ${DEFAULT-VALUE}")
    int sftSteps = 2000;

    @Option(names = "--sft-until", paramLabel = "ACC", description = "End the supervised start at the first evaluation whose held-out exact match"
            + " reaches ACC (0..1): a deliberately weak start. Default: ${DEFAULT-VALUE}")
    double sftUntil = 0.2;

    @Option(names = "--sft-lr", paramLabel = "LR", description = "AdamW learning rate of the supervised start (finite, > 0). Default: ${DEFAULT-VALUE}")
    double sftLr = 3e-3;

    @Option(names = "--sft-batch", paramLabel = "B", description = "Sums per supervised step (>= 1). Default: ${DEFAULT-VALUE}")
    int sftBatch = 64;

    @Option(names = "--sft-eval-every", paramLabel = "N", description = "Supervised steps between evaluations (>= 1). Default: ${DEFAULT-VALUE}")
    int sftEvalEvery = 50;

    @Mixin
    Options.Steps steps = new Options.Steps(2000);

    @Mixin
    Options.Lr lr = new Options.Lr(5e-4);

    @Option(names = "--warmup", paramLabel = "N", description = "GRPO steps of linear learning-rate warm-up, then constant (>= 0). Default: ${DEFAULT-VALUE}")
    int warmup = 20;

    @Option(names = "--clip", paramLabel = "C", description = "Clip the gradient's global norm to C (>= 0; 0 = no clipping). Default: ${DEFAULT-VALUE}")
    double clip = 1.0;

    @Option(names = "--iterations", paramLabel = "K", description = "Policy updates per sampled batch (>= 1; TRL's num_iterations; 1 = the paper's"
            + " one update, ρ = 1). Default: ${DEFAULT-VALUE}")
    int iterations = 1;

    @Option(names = "--prompts", paramLabel = "N", description = "Prompts per GRPO step (>= 1). Default: ${DEFAULT-VALUE}")
    int prompts = 32;

    @Option(names = "--group", paramLabel = "G", description = "Completions sampled per prompt (>= 2). Default: ${DEFAULT-VALUE}")
    int group = 4;

    @Option(names = "--beta", paramLabel = "B", description = "Weight of the k3 KL to the frozen start (finite, >= 0). Default: ${DEFAULT-VALUE}")
    double beta = 0.2;

    @Option(names = "--epsilon", paramLabel = "E", description = "Ratio clip ε, in (0, 1). Default: ${DEFAULT-VALUE}")
    double epsilon = 0.2;

    @Option(names = "--supervision", paramLabel = "KIND", description = "outcome (every token gets its completion's group-relative advantage) or"
            + " process (each digit is a step: a token's advantage is the sum of the normalised digit rewards from it on), the paper's §4.1.2"
            + " and §4.1.3. Default: ${DEFAULT-VALUE}")
    GrpoTraining.Supervision supervision = GrpoTraining.Supervision.PROCESS;

    @Option(names = "--eval-every", paramLabel = "N", description = "GRPO steps between evaluations (>= 1). Default: ${DEFAULT-VALUE}")
    int evalEvery = 20;

    @Option(names = "--stop-at", paramLabel = "ACC", description = "End a seed's GRPO once held-out exact match reaches ACC (0..1). Default: never")
    Double stopAt;

    @Option(names = "--held-out", paramLabel = "N", description = "Held-out sums evaluated, of the 500 set aside (1..500). Default: ${DEFAULT-VALUE}")
    int heldOut = 500;

    @Option(names = "--seeds", paramLabel = "N", description = "Seeds --seed, --seed + 1, ... (>= 1). Default: ${DEFAULT-VALUE}")
    int seeds = 3;

    @Mixin
    Options.Run run = new Options.Run("runs/grpo-addition");

    /** One seed's outcome: a row of summary.csv. */
    public record Summary(long seed, int sftSteps, double startExactMatch, int grpoSteps, double exactMatch, double klToRef, double sftSeconds,
                          double grpoSeconds) {}

    @Override
    public Integer call() throws IOException {
        Checks checks = Checks.of(spec, steps, lr, run);
        checks.atLeast("--sft-steps", sftSteps, 1).between("--sft-until", sftUntil, 0, 1).positive("--sft-lr", sftLr).atLeast("--sft-batch", sftBatch, 1)
                .atLeast("--sft-eval-every", sftEvalEvery, 1).atLeast("--warmup", warmup, 0).nonNegative("--clip", clip, "no clipping")
                .atLeast("--iterations", iterations, 1).atLeast("--prompts", prompts, 1).atLeast("--group", group, 2)
                .nonNegative("--beta", beta, "no KL penalty").that(epsilon > 0 && epsilon < 1, "--epsilon must be a number in (0, 1), got " + epsilon)
                .atLeast("--eval-every", evalEvery, 1).atLeast("--held-out", heldOut, 1).that(heldOut <= Addition.HELD_OUT,
                        "--held-out must be <= " + Addition.HELD_OUT + " (the sums set aside), got " + heldOut).atLeast("--seeds", seeds, 1);
        if (stopAt != null) checks.between("--stop-at", stopAt, 0, 1);
        PrintWriter o = spec.commandLine().getOut();
        List<Summary> summaries = new ArrayList<>();
        List<List<GrpoEval>> histories = new ArrayList<>();
        for (long seed = run.seed; seed < run.seed + seeds; seed++) {
            var u = new GrpoTraining.Setup(seed, sftSteps, sftLr, sftBatch, sftUntil, prompts, group, lr.lr, warmup, clip, iterations, beta, epsilon, supervision,
                    heldOut);
            Path dir = run.out.resolve("seed-" + seed);
            var sft = new GrpoTraining.Supervised(u);
            Loop<DecoderOnly, Adam.State<DecoderOnly>, SftEval> first = new Loop<>("seed " + seed + " supervised", sft, plan(dir.resolve("sft"), sftSteps,
                    sftEvalEvery), o);
            var s = first.start();
            if (!finished(s.step(), sftSteps, s.history(), sft::stop)) s = first.run(s);
            SftEval start = s.history().get(s.history().size() - 1);
            var policy = new GrpoTraining.Policy(u, s.params(), stopAt);
            Loop<DecoderOnly, Adam.State<DecoderOnly>, GrpoEval> second = new Loop<>("seed " + seed + " GRPO", policy, plan(dir, steps.steps, evalEvery), o);
            var g = second.start();
            if (g.step() == 0) {
                // the history opens with the start: GRPO step 0
                GrpoEval zero = policy.row(g.params(), 0, Double.NaN, 0);
                o.println(policy.report(zero));
                g = new Loop.State<>(g.params(), g.opt(), 0, g.running(), List.of(zero), 0);
            }
            if (!finished(g.step(), steps.steps, g.history(), policy::stop)) g = second.run(g);
            GrpoEval end = g.history().get(g.history().size() - 1);
            summaries.add(new Summary(seed, start.step(), start.exactMatch(), end.step(), end.exactMatch(), end.klToRef(), start.seconds(), end.seconds()));
            histories.add(g.history());
            o.printf(Locale.ROOT, "seed %d: held-out exact match %.1f%% after %d supervised steps (%.0f s) -> %.1f%% after %d GRPO steps (%.0f s);"
                    + " KL to the start %.4f%n", seed, 100 * start.exactMatch(), start.step(), start.seconds(), 100 * end.exactMatch(), end.step(), end.seconds(),
                    end.klToRef());
            o.flush();
            Table.write(run.out.resolve("summary.csv"), summaries, Summary.class);
            figure(run.out.resolve("grpo.png"), histories, run.seed);
        }
        o.printf(Locale.ROOT, "held-out exact match over %d seed(s): start %s -> end %s; outputs in %s%n", seeds, meanSd(summaries, Summary::startExactMatch),
                meanSd(summaries, Summary::exactMatch), run.out.toAbsolutePath());
        o.flush();
        return 0;
    }

    private Loop.Plan plan(Path dir, int n, int every) throws IOException {
        // --resume continues a seed that has a checkpoint and starts one that has none
        boolean resume = run.resume && Files.exists(dir.resolve("checkpoint.safetensors"));
        return new Loop.Plan(n, every, Integer.MAX_VALUE, dir, resume, run.progress(), run.threads.threads);
    }

    /** True when a resumed phase has nothing left: all its steps, or its last evaluation met its stop rule. A fresh phase always runs. */
    private static <E> boolean finished(int step, int n, List<E> history, java.util.function.Predicate<E> stop) {
        return step >= n || (step > 0 && !history.isEmpty() && stop.test(history.get(history.size() - 1)));
    }

    /** Held-out exact match, reward and KL to the start against the GRPO step, one line per seed, side by side. */
    static void figure(Path file, List<List<GrpoEval>> histories, long firstSeed) throws IOException {
        List<XYChart> charts = new ArrayList<>();
        XYChart acc = panel("Held-out exact match (greedy)", "%", histories, firstSeed, e -> 100 * e.exactMatch());
        int last = histories.stream().mapToInt(h -> h.get(h.size() - 1).step()).max().orElse(0);
        acc.addSeries("90% (the issue's target)", new double[] {0, last}, new double[] {90, 90}).setMarker(SeriesMarkers.NONE);
        charts.add(acc);
        charts.add(panel("Reward: fraction of digits right (held-out, sampled)", "mean reward", histories, firstSeed, GrpoEval::sampledReward));
        charts.add(panel("KL to the frozen start (k3, held-out, sampled)", "mean per token", histories, firstSeed, GrpoEval::klToRef));
        Charts.write(file, charts);
    }

    private static XYChart panel(String title, String yTitle, List<List<GrpoEval>> histories, long firstSeed, ToDoubleFunction<GrpoEval> y) {
        XYChart c = new XYChartBuilder().width(600).height(400).title(title).xAxisTitle("GRPO step").yAxisTitle(yTitle).build();
        for (int i = 0; i < histories.size(); i++) {
            List<GrpoEval> h = histories.get(i);
            c.addSeries("seed " + (firstSeed + i), h.stream().mapToDouble(GrpoEval::step).toArray(), h.stream().mapToDouble(y).toArray())
                    .setMarker(SeriesMarkers.NONE);
        }
        return c;
    }

    private static String meanSd(List<Summary> rows, ToDoubleFunction<Summary> f) {
        double[] v = rows.stream().mapToDouble(f).toArray();
        double m = 0, ss = 0;
        for (double x : v) m += x / v.length;
        for (double x : v) ss += (x - m) * (x - m);
        return String.format(Locale.ROOT, "%.1f%% ± %.1f%%", 100 * m, 100 * (v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : 0));
    }
}
