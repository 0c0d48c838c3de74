package zerotoml.examples.diffusion;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import zerotoml.examples.kit.Charts;
import zerotoml.examples.kit.Checks;
import zerotoml.examples.kit.Loop;
import zerotoml.examples.kit.Options;
import zerotoml.scratch.diffusion.RectifiedFlow;
import zerotoml.scratch.diffusion.TimeMlp;
import zerotoml.scratch.tensor.DType;
import zerotoml.examples.diffusion.Diffusion2d.Method;
import zerotoml.examples.diffusion.Diffusion2d.Model;
import zerotoml.examples.diffusion.Toy2d.Data;
import zerotoml.scratch.io.AtomicFile;
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.tensor.Tensor;

/** Trains one diffusion or flow method on 2-D data and judges its samples. */
@Command(name = "diffusion-2d", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a time-conditioned MLP with one method (ddpm, ddim, sde, fm, rf) on 8 Gaussians or two moons, sample it with"
                + " the method's samplers, and write to --out: <data>-<method>.png (samples over held-out data), and one line per sampler"
                + " in results.csv: the sliced-Wasserstein distance to held-out data, the samples per mode and off every mode."
                + " For rf it also reflows once (2-RF) and draws one-step samples before and after. Each training writes history.csv,"
                + " curves.png and checkpoint.safetensors to --out/<data>-<method>[-reflow]/ (--resume continues it).")
public final class Diffusion2dCommand implements Callable<Integer> {
    @Option(names = "--method", required = true, paramLabel = "M", description = "ddpm, ddim, sde, fm or rf.")
    String method;

    @Option(names = "--data", paramLabel = "D", description = "eight-gaussians or two-moons. Default: ${DEFAULT-VALUE}")
    String data = "eight-gaussians";

    @Spec
    CommandSpec spec;

    @Mixin
    Options.Steps steps = new Options.Steps(2000);

    @Mixin
    Options.Lr lr = new Options.Lr(1e-3);

    @Mixin
    Options.Run run = new Options.Run("runs/diffusion-2d");

    @Option(names = "--eval-every", paramLabel = "N", description = "Steps between history rows and checkpoints. Default: ${DEFAULT-VALUE}")
    int evalEvery = 250;

    @Option(names = "--reflow-steps", paramLabel = "N", description = "Adam steps of the 2-RF (rf only). Default: ${DEFAULT-VALUE}")
    int reflowSteps = 2000;

    @Option(names = "--pairs", paramLabel = "N", description = "Reflow couplings (rf only). Default: ${DEFAULT-VALUE}")
    int pairs = 4000;

    @Option(names = "--batch-size", paramLabel = "B", description = "Points per step. Default: ${DEFAULT-VALUE}")
    int batch = 256;

    @Option(names = "--hidden", paramLabel = "H", description = "Hidden width. Default: ${DEFAULT-VALUE}")
    int hidden = 128;

    @Option(names = "--depth", paramLabel = "L", description = "Hidden layers. Default: ${DEFAULT-VALUE}")
    int depth = 3;

    @Option(names = "--samples", paramLabel = "N", description = "Samples per sampler (and held-out points). Default: ${DEFAULT-VALUE}")
    int samples = 1000;

    @Override
    public Integer call() throws IOException {
        Checks checks = Checks.of(spec, steps, lr, run);
        Method m = parse(checks, Method.class, method, "--method");
        Data d = parse(checks, Data.class, data, "--data");
        checks.atLeast("--batch-size", batch, 1).atLeast("--hidden", hidden, 1).atLeast("--depth", depth, 1)
                .atLeast("--samples", samples, 2).atLeast("--reflow-steps", reflowSteps, 1).atLeast("--pairs", pairs, 1).atLeast("--eval-every", evalEvery, 1);
        long seed = run.seed;
        out = run.out;
        Files.createDirectories(out);
        PrintWriter o = spec.commandLine().getOut();
        Diffusion2d.Settings s = new Diffusion2d.Settings(steps.steps, batch, lr.lr, hidden, depth, seed);
        String tag = d.label() + "-" + m.name().toLowerCase(Locale.ROOT);
        TimeMlp.Config c = Diffusion2d.config(m, s);
        Model model = train(new Diffusion2d.Trainer(m, c, s, Diffusion2d.fresh(d, s), null, tag), steps.steps, out.resolve(tag), o, c);
        Tensor heldOut = Toy2d.sample(d, Rng.seed(seed).split("held-out"), samples);
        Tensor fresh = Toy2d.sample(d, Rng.seed(seed).split("fresh"), samples);
        long t1 = System.nanoTime();
        Map<String, Tensor> sets = new LinkedHashMap<>(Diffusion2d.sample(m, model, samples, seed));
        if (m == Method.RF) {
            // reflow: couplings (Z0, Z1 = 100 Euler steps of the 1-RF), then a 2-RF trained on them from the 1-RF weights
            Model twoRf = train(Diffusion2d.reflow(model, s, reflowSteps, pairs, tag + "-reflow"), reflowSteps, out.resolve(tag + "-reflow"), o, c);
            Tensor start = Rng.seed(seed).split("sample").split("start").normal(DType.F64, samples, 2);
            sets.put("2-RF Euler, 1 step", RectifiedFlow.sample(twoRf.denoiser(), start, 1, 1e-3));
            sets.put("2-RF Euler, 100 steps", RectifiedFlow.sample(twoRf.denoiser(), start, 100, 1e-3));
            double s1 = RectifiedFlow.straightness(model.denoiser(), start, 100, 1e-3);
            double s2 = RectifiedFlow.straightness(twoRf.denoiser(), start, 100, 1e-3);
            o.printf(Locale.ROOT, "straightness: 1-RF %.4f, 2-RF %.4f%n", s1, s2);
            appendStraightness(tag, seed, s1, s2);
        }
        double sampleSeconds = (System.nanoTime() - t1) / 1e9;
        o.printf(Locale.ROOT, "sampling (and reflow) took %.1f s%n", sampleSeconds);
        double floor = Toy2d.slicedWasserstein(fresh, heldOut, 200, Rng.seed(seed).split("sw"));
        o.printf(Locale.ROOT, "sliced W2 of fresh data to held-out data (the floor): %.4f%n", floor);
        List<String> rows = new ArrayList<>();
        for (var e : sets.entrySet()) {
            double sw = Toy2d.slicedWasserstein(e.getValue(), heldOut, 200, Rng.seed(seed).split("sw"));
            int[] cov = Toy2d.coverage(d, e.getValue());
            int covered = 0, min = Integer.MAX_VALUE;
            for (int k = 0; k + 1 < cov.length; k++) {
                if (cov[k] > 0) covered++;
                min = Math.min(min, cov[k]);
            }
            rows.add(String.format(Locale.ROOT, "%s,%s,%s,%d,%d,%.4f,%.4f,%d/%d,%d,%d,%.1f", d.label(), m.name().toLowerCase(Locale.ROOT),
                    e.getKey().replace(',', ';'), steps.steps, seed, sw, floor, covered, cov.length - 1, min, cov[cov.length - 1], sampleSeconds));
            o.printf(Locale.ROOT, "%-42s SW %.4f  modes covered %d/%d (fewest %d)  off-mode %d of %d%n", e.getKey(), sw, covered, cov.length - 1, min,
                    cov[cov.length - 1], samples);
        }
        appendResults(rows);
        scatter(out.resolve(tag + ".png"), heldOut, sets);
        o.println("wrote " + out.resolve(tag + ".png") + " and " + out.resolve("results.csv"));
        o.flush();
        return 0;
    }

    Path out;

    /** Runs the kit's loop (progress, history.csv, curves.png, checkpoints, --resume) into dir and returns the trained model. */
    Model train(Diffusion2d.Trainer t, int n, Path dir, PrintWriter o, TimeMlp.Config c) throws IOException {
        return Diffusion2d.train(t, new Loop.Plan(n, Math.min(evalEvery, n), Integer.MAX_VALUE, dir, run.resume, run.progress(), run.threads.threads), o);
    }

    static <E extends Enum<E>> E parse(Checks checks, Class<E> type, String v, String option) {
        return parseOr(checks, type, v, option);
    }

    /** The constant named v (case-insensitive, - for _); otherwise a check failure listing the constants and the other values the option takes. */
    static <E extends Enum<E>> E parseOr(Checks checks, Class<E> type, String v, String option, String... others) {
        for (E e : type.getEnumConstants()) {
            if (e.name().replace('_', '-').equalsIgnoreCase(v)) return e;
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) names.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        names.addAll(List.of(others));
        checks.that(false, option + " must be one of " + names + ", got " + v);
        return null;
    }

    void appendResults(List<String> rows) throws IOException {
        Path f = out.resolve("results.csv");
        StringBuilder b = new StringBuilder();
        if (!Files.exists(f)) b.append("data,method,sampler,train_steps,seed,sliced_w2,floor,modes_covered,fewest_per_mode,off_mode,sample_seconds\n");
        else b.append(Files.readString(f));
        for (String r : rows) b.append(r).append('\n');
        AtomicFile.write(f, o -> o.write(b.toString().getBytes(StandardCharsets.UTF_8)));
    }

    void appendStraightness(String tag, long seed, double s1, double s2) throws IOException {
        Path f = out.resolve("straightness.csv");
        String prev = Files.exists(f) ? Files.readString(f) : "run,seed,one_rf,two_rf\n";
        String all = prev + String.format(Locale.ROOT, "%s,%d,%.5f,%.5f%n", tag, seed, s1, s2);
        AtomicFile.write(f, o -> o.write(all.getBytes(StandardCharsets.UTF_8)));
    }

    /** One panel per sampler: held-out data in grey, samples in colour, the same axes everywhere. */
    static void scatter(Path file, Tensor data, Map<String, Tensor> sets) throws IOException {
        List<XYChart> charts = new ArrayList<>();
        for (var e : sets.entrySet()) {
            XYChart c = new XYChartBuilder().width(360).height(360).title(e.getKey()).build();
            c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            c.getStyler().setMarkerSize(3);
            c.getStyler().setLegendVisible(false);
            c.getStyler().setXAxisMin(-3.0).setXAxisMax(3.0).setYAxisMin(-3.0).setYAxisMax(3.0);
            XYSeries h = c.addSeries("held-out", column(data, 0), column(data, 1));
            h.setMarkerColor(new java.awt.Color(180, 180, 180));
            h.setMarker(SeriesMarkers.CIRCLE);
            XYSeries s = c.addSeries("samples", column(e.getValue(), 0), column(e.getValue(), 1));
            s.setMarkerColor(new java.awt.Color(31, 119, 180, 160));
            s.setMarker(SeriesMarkers.CIRCLE);
            charts.add(c);
        }
        Charts.write(file, charts);
    }

    static double[] column(Tensor x, int j) {
        double[] v = x.toArray(), c = new double[v.length / 2];
        for (int i = 0; i < c.length; i++) c[i] = Math.max(-3, Math.min(3, v[2 * i + j]));
        return c;
    }
}
