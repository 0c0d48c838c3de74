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
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
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
                + " For rf it also reflows once (2-RF) and draws one-step samples before and after.")
public final class Diffusion2dCommand implements Callable<Integer> {
    @Option(names = "--method", required = true, paramLabel = "M", description = "ddpm, ddim, sde, fm or rf.")
    String method;

    @Option(names = "--data", paramLabel = "D", description = "eight-gaussians or two-moons. Default: ${DEFAULT-VALUE}")
    String data = "eight-gaussians";

    @Option(names = "--steps", paramLabel = "N", description = "Adam steps. Default: ${DEFAULT-VALUE}")
    int steps = 3000;

    @Option(names = "--reflow-steps", paramLabel = "N", description = "Adam steps of the 2-RF (rf only). Default: ${DEFAULT-VALUE}")
    int reflowSteps = 2000;

    @Option(names = "--pairs", paramLabel = "N", description = "Reflow couplings (rf only). Default: ${DEFAULT-VALUE}")
    int pairs = 4000;

    @Option(names = "--batch-size", paramLabel = "B", description = "Points per step. Default: ${DEFAULT-VALUE}")
    int batch = 256;

    @Option(names = "--lr", paramLabel = "LR", description = "Adam learning rate. Default: ${DEFAULT-VALUE}")
    double lr = 1e-3;

    @Option(names = "--hidden", paramLabel = "H", description = "Hidden width. Default: ${DEFAULT-VALUE}")
    int hidden = 128;

    @Option(names = "--depth", paramLabel = "L", description = "Hidden layers. Default: ${DEFAULT-VALUE}")
    int depth = 3;

    @Option(names = "--samples", paramLabel = "N", description = "Samples per sampler (and held-out points). Default: ${DEFAULT-VALUE}")
    int samples = 1000;

    @Option(names = "--seed", description = "Seed. Default: ${DEFAULT-VALUE}")
    long seed = 0;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory. Default: ${DEFAULT-VALUE}")
    Path out = Path.of("runs/diffusion-2d");

    @Override
    public Integer call() throws IOException {
        Method m = parse(Method.class, method, "--method");
        Data d = parse(Data.class, data, "--data");
        for (int[] v : new int[][] {{steps, 1}, {batch, 1}, {hidden, 1}, {depth, 1}, {samples, 2}, {reflowSteps, 0}, {pairs, 1}}) {
            if (v[0] < v[1]) throw new IllegalArgumentException("diffusion-2d: a count option is " + v[0] + ", below its minimum " + v[1]);
        }
        if (!(lr > 0)) throw new IllegalArgumentException("diffusion-2d: --lr must be > 0, got " + lr);
        Files.createDirectories(out);
        Diffusion2d.Settings s = new Diffusion2d.Settings(steps, batch, lr, hidden, depth, seed);
        String tag = d.label() + "-" + m.name().toLowerCase(Locale.ROOT);
        long t0 = System.nanoTime();
        Model model = Diffusion2d.train(m, d, s, k -> line(tag + " train", k, steps, t0));
        System.out.printf(Locale.ROOT, "%n%s: trained %d steps in %.1f s, last 100 losses mean %.4f%n", tag, steps, (System.nanoTime() - t0) / 1e9,
                model.losses().subList(Math.max(0, steps - 100), steps).stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
        Tensor heldOut = Toy2d.sample(d, Rng.seed(seed).split("held-out"), samples);
        Tensor fresh = Toy2d.sample(d, Rng.seed(seed).split("fresh"), samples);
        long t1 = System.nanoTime();
        Map<String, Tensor> sets = new LinkedHashMap<>(Diffusion2d.sample(m, model, samples, seed));
        if (m == Method.RF) {
            Tensor z0 = Rng.seed(seed).split("pairs").normal(zerotoml.scratch.tensor.DType.F64, pairs, 2);
            Tensor[] zz = zerotoml.scratch.diffusion.RectifiedFlow.reflowPairs(model.denoiser(), z0, 100, 1e-3);
            Diffusion2d.Settings rs = new Diffusion2d.Settings(reflowSteps, batch, lr, hidden, depth, seed + 1);
            long t2 = System.nanoTime();
            Model twoRf = Diffusion2d.reflow(model, zz[0], zz[1], rs, k -> line(tag + " reflow", k, reflowSteps, t2));
            System.out.println();
            Tensor start = Rng.seed(seed).split("sample").split("start").normal(zerotoml.scratch.tensor.DType.F64, samples, 2);
            sets.put("2-RF Euler, 1 step", zerotoml.scratch.diffusion.RectifiedFlow.sample(twoRf.denoiser(), start, 1, 1e-3));
            sets.put("2-RF Euler, 100 steps", zerotoml.scratch.diffusion.RectifiedFlow.sample(twoRf.denoiser(), start, 100, 1e-3));
            double s1 = zerotoml.scratch.diffusion.RectifiedFlow.straightness(model.denoiser(), start, 100, 1e-3);
            double s2 = zerotoml.scratch.diffusion.RectifiedFlow.straightness(twoRf.denoiser(), start, 100, 1e-3);
            System.out.printf(Locale.ROOT, "straightness: 1-RF %.4f, 2-RF %.4f%n", s1, s2);
            appendStraightness(tag, s1, s2);
        }
        double sampleSeconds = (System.nanoTime() - t1) / 1e9;
        System.out.printf(Locale.ROOT, "sampling (and reflow) took %.1f s%n", sampleSeconds);
        double floor = Toy2d.slicedWasserstein(fresh, heldOut, 200, Rng.seed(seed).split("sw"));
        System.out.printf(Locale.ROOT, "sliced W2 of fresh data to held-out data (the floor): %.4f%n", floor);
        List<String> rows = new ArrayList<>();
        for (var e : sets.entrySet()) {
            double sw = Toy2d.slicedWasserstein(e.getValue(), heldOut, 200, Rng.seed(seed).split("sw"));
            int[] cov = Toy2d.coverage(d, e.getValue());
            int covered = 0, min = Integer.MAX_VALUE;
            for (int k = 0; k + 1 < cov.length; k++) {
                if (cov[k] > 0) covered++;
                min = Math.min(min, cov[k]);
            }
            String row = String.format(Locale.ROOT, "%s,%s,%s,%d,%d,%.4f,%.4f,%d/%d,%d,%d,%.1f", d.label(), m.name().toLowerCase(Locale.ROOT),
                    e.getKey().replace(',', ';'), steps, seed, sw, floor, covered, cov.length - 1, min, cov[cov.length - 1], sampleSeconds);
            rows.add(row);
            System.out.printf(Locale.ROOT, "%-42s SW %.4f  modes covered %d/%d (fewest %d)  off-mode %d of %d%n", e.getKey(), sw, covered, cov.length - 1, min,
                    cov[cov.length - 1], samples);
        }
        appendResults(rows);
        scatter(out.resolve(tag + ".png"), tag, heldOut, sets);
        System.out.println("wrote " + out.resolve(tag + ".png") + " and " + out.resolve("results.csv"));
        return 0;
    }

    static <E extends Enum<E>> E parse(Class<E> type, String v, String option) {
        for (E e : type.getEnumConstants()) {
            if (e.name().replace('_', '-').equalsIgnoreCase(v)) return e;
        }
        throw new IllegalArgumentException("diffusion-2d: " + option + " must be one of " + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT).replace('_', '-') + ", got " + v);
    }

    static long lastPrint;

    static void line(String what, int k, int total, long t0) {
        long now = System.nanoTime();
        if (k == total || now - lastPrint > 5_000_000_000L) {
            lastPrint = now;
            double sec = (now - t0) / 1e9;
            System.out.printf(Locale.ROOT, "%s %d/%d  %.1f s  (%.1f steps/s)%n", what, k, total, sec, k / sec);
        }
    }

    void appendResults(List<String> rows) throws IOException {
        Path f = out.resolve("results.csv");
        StringBuilder b = new StringBuilder();
        if (!Files.exists(f)) b.append("data,method,sampler,train_steps,seed,sliced_w2,floor,modes_covered,fewest_per_mode,off_mode,sample_seconds\n");
        else b.append(Files.readString(f));
        for (String r : rows) b.append(r).append('\n');
        AtomicFile.write(f, o -> o.write(b.toString().getBytes(StandardCharsets.UTF_8)));
    }

    void appendStraightness(String tag, double s1, double s2) throws IOException {
        Path f = out.resolve("straightness.csv");
        String prev = Files.exists(f) ? Files.readString(f) : "run,seed,one_rf,two_rf\n";
        String all = prev + String.format(Locale.ROOT, "%s,%d,%.5f,%.5f%n", tag, seed, s1, s2);
        AtomicFile.write(f, o -> o.write(all.getBytes(StandardCharsets.UTF_8)));
    }

    /** One panel per sampler: held-out data in grey, samples in colour, the same axes everywhere. */
    static void scatter(Path file, String title, Tensor data, Map<String, Tensor> sets) throws IOException {
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
        AtomicFile.write(file, o -> BitmapEncoder.saveBitmap(charts, 1, charts.size(), o, BitmapEncoder.BitmapFormat.PNG));
    }

    static double[] column(Tensor x, int j) {
        double[] v = x.toArray(), c = new double[v.length / 2];
        for (int i = 0; i < c.length; i++) c[i] = Math.max(-3, Math.min(3, v[2 * i + j]));
        return c;
    }
}
