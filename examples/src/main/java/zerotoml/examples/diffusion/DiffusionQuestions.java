package zerotoml.examples.diffusion;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import zerotoml.scratch.diffusion.Ddim;
import zerotoml.scratch.diffusion.Ddpm;
import zerotoml.scratch.diffusion.Denoiser;
import zerotoml.scratch.diffusion.FlowMatching;
import zerotoml.scratch.diffusion.RectifiedFlow;
import zerotoml.scratch.diffusion.ScoreSde;
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.tensor.Tensor;

/**
 * Which method gives the best samples per network evaluation? Every sampler of the five papers
 * (DDPM, DDIM, score SDE, flow matching, rectified flow) run at a budget of NFE network
 * evaluations on the networks {@link Diffusion2d} (or {@link DiffusionMnist}) trains: one ε-network
 * serves DDPM and DDIM, one VP-SDE ε-network serves Euler–Maruyama, predictor–corrector and the
 * probability-flow ODE, one FM field, one 1-RF field and its reflow (2-RF). A sampler's steps
 * follow from the budget (Heun and PC cost 2 evaluations a step); where no whole number of steps
 * fits, or the sampler is undefined at that many steps, it does not run and the reason is told.
 */
public final class DiffusionQuestions {
    private DiffusionQuestions() {}

    /** The trained network a sampler needs. */
    public enum Net { DDPM, SDE, FM, RF, RF2 }

    /** The samplers compared, each with its command-line key, label, network and evaluations per step. */
    public enum Sampler {
        DDPM_ANCESTRAL("ddpm", "DDPM ancestral (sigma^2 = beta)", Net.DDPM, 1, true),
        DDIM_ETA1("ddim-eta1", "DDIM eta=1 (= DDPM, sigma^2 = beta~)", Net.DDPM, 1, true),
        DDIM_ETA0("ddim-eta0", "DDIM eta=0", Net.DDPM, 1, false),
        EULER_MARUYAMA("em", "VP-SDE Euler-Maruyama", Net.SDE, 1, true),
        PREDICTOR_CORRECTOR("pc", "VP-SDE PC (reverse diffusion + Langevin)", Net.SDE, 2, true),
        PF_ODE_EULER("pf-euler", "VP PF-ODE Euler", Net.SDE, 1, false),
        PF_ODE_HEUN("pf-heun", "VP PF-ODE Heun", Net.SDE, 2, false),
        FM_EULER("fm-euler", "FM Euler", Net.FM, 1, false),
        FM_HEUN("fm-heun", "FM Heun", Net.FM, 2, false),
        RF_EULER("1rf-euler", "1-RF Euler", Net.RF, 1, false),
        RF2_EULER("2rf-euler", "2-RF Euler", Net.RF2, 1, false);

        public final String key, label;
        public final Net net;
        public final int nfePerStep;
        public final boolean stochastic;

        Sampler(String key, String label, Net net, int nfePerStep, boolean stochastic) {
            this.key = key;
            this.label = label;
            this.net = net;
            this.nfePerStep = nfePerStep;
            this.stochastic = stochastic;
        }

        /** The sampler with this command-line key, or null. */
        public static Sampler of(String key) {
            for (Sampler s : values()) if (s.key.equals(key)) return s;
            return null;
        }
    }

    /** The budgets. */
    public static final List<Integer> NFE = List.of(1, 2, 4, 8, 16, 32, 100, 1000);

    /** Why sampler s cannot spend exactly nfe evaluations, or null when it can. */
    public static String whyNot(Sampler s, int nfe) {
        if (nfe < 1) return "NFE must be >= 1";
        if (nfe % s.nfePerStep != 0) return s.key + " costs " + s.nfePerStep + " evaluations a step, and " + nfe + " is odd";
        int steps = nfe / s.nfePerStep;
        if (s.net == Net.DDPM && steps > Diffusion2d.T) return s.key + " has at most T = " + Diffusion2d.T + " steps";
        int fewest = ScoreSde.fewestDiscreteSteps(Diffusion2d.VP);
        if (s == Sampler.PREDICTOR_CORRECTOR && steps < fewest) {
            return "pc's discrete VP chain (beta_i = beta(t)/N) needs N > beta1, i.e. >= " + fewest + " steps (" + 2 * fewest + " NFE); "
                    + steps + " steps give NaN";
        }
        return null;
    }

    /** The steps sampler s takes for nfe evaluations; 0 where it does not apply ({@link #whyNot}). */
    public static int steps(Sampler s, int nfe) {
        return whyNot(s, nfe) == null ? nfe / s.nfePerStep : 0;
    }

    /**
     * The samples of sampler s with the given steps from starting noise x_T (any shape [B, ...]),
     * the network f being the one s needs; the noise of every stochastic step comes from rng. DDPM
     * and DDIM visit the "trailing" timesteps (always starting at T − 1, so one step starts from the
     * prior's timestep); DDPM uses σ² = β (with β̃ it is DDIM η = 1, given the same noise).
     */
    public static Tensor sample(Sampler s, Denoiser f, Tensor start, int steps, Rng rng) {
        return sample(s, f, start, steps, rng, false);
    }

    /**
     * The same, with {@code clipX0}: DDPM and DDIM clip their x̂0 estimate to [−1, 1] at every step,
     * as Ho et al.'s sampler (clip_denoised) and diffusers' DDPM/DDIM schedulers (clip_sample, on by
     * default) do for images in [−1, 1]; the 2-D data is unbounded and is not clipped. The SDE and
     * flow samplers never clip (score_sde_pytorch and the flow papers' samplers do not).
     */
    public static Tensor sample(Sampler s, Denoiser f, Tensor start, int steps, Rng rng, boolean clipX0) {
        String why = whyNot(s, steps * s.nfePerStep);
        if (steps < 1 || why != null) throw new IllegalArgumentException("DiffusionQuestions.sample: " + s.key + " cannot take " + steps + " steps" + (why == null ? "" : ": " + why));
        Ddpm.Schedule sc = Diffusion2d.SCHEDULE;
        return switch (s) {
            case DDPM_ANCESTRAL -> Ddpm.sample(sc, f, start, Ddim.trailing(Diffusion2d.T, steps),
                    new Ddpm.Options(Ddpm.Prediction.EPSILON, Ddpm.Variance.FIXED_LARGE, clipX0, 1), DiffusionMnist.noise(rng, steps, start));
            case DDIM_ETA1 -> Ddim.sample(sc, f, start, Ddim.trailing(Diffusion2d.T, steps), 1, clipX0, DiffusionMnist.noise(rng, steps, start));
            case DDIM_ETA0 -> Ddim.sample(sc, f, start, Ddim.trailing(Diffusion2d.T, steps), 0, clipX0, null);
            case EULER_MARUYAMA -> {
                ScoreSde.Sde vp = ScoreSde.vp(Diffusion2d.VP.a(), Diffusion2d.VP.b(), steps);
                yield ScoreSde.eulerMaruyama(vp, score(f), start, 1e-3, DiffusionMnist.noise(rng, steps, start));
            }
            case PREDICTOR_CORRECTOR -> {
                ScoreSde.Sde vp = ScoreSde.vp(Diffusion2d.VP.a(), Diffusion2d.VP.b(), steps);
                yield ScoreSde.pcSample(vp, score(f), start, ScoreSde.Predictor.REVERSE_DIFFUSION, 1, 0.16, 1e-3, DiffusionMnist.noise(rng, 2 * steps, start));
            }
            case PF_ODE_EULER -> ScoreSde.probabilityFlow(Diffusion2d.VP, score(f), start, 1, 1e-3, steps, ScoreSde.Ode.EULER);
            case PF_ODE_HEUN -> ScoreSde.probabilityFlow(Diffusion2d.VP, score(f), start, 1, 1e-3, steps, ScoreSde.Ode.HEUN);
            case FM_EULER -> FlowMatching.sample(f, start, steps, FlowMatching.Method.EULER);
            case FM_HEUN -> FlowMatching.sample(f, start, steps, FlowMatching.Method.HEUN);
            case RF_EULER, RF2_EULER -> RectifiedFlow.sample(f, start, steps, 1e-3);
        };
    }

    /** s(x, t) = −ε_θ(x, t)/σ(t) of the VP SDE. */
    static Denoiser score(Denoiser eps) {
        return (x, t) -> ScoreSde.scoreFromEps(Diffusion2d.VP, eps.apply(x, t), t);
    }

    // ------------------------------------------------------------------ results

    /**
     * One sampler at one budget and seed on 2-D data: the sliced W₂ to held-out data (and the
     * floor, the same distance between two draws of the data), modes with at least one sample,
     * the fewest samples of a mode, samples off every mode, and the sampling wall time.
     */
    public record Point(String data, String sampler, int nfe, int steps, long seed, double slicedW2, double floor, int modesCovered, int modes,
                        int fewestPerMode, int offMode, double seconds) {}

    static final String POINT_HEADER = "data,sampler,nfe,steps,seed,sliced_w2,floor,modes_covered,modes,fewest_per_mode,off_mode,sample_seconds";

    static String csv(Point p) {
        return String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%.6f,%.6f,%d,%d,%d,%d,%.3f", p.data(), p.sampler(), p.nfe(), p.steps(), p.seed(), p.slicedW2(),
                p.floor(), p.modesCovered(), p.modes(), p.fewestPerMode(), p.offMode(), p.seconds());
    }

    static Point parsePoint(String line) {
        String[] f = line.split(",");
        if (f.length != 12) throw new IllegalArgumentException("DiffusionQuestions.parsePoint: need 12 fields, got " + f.length + " in '" + line + "'");
        return new Point(f[0], f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]), Long.parseLong(f[4]), Double.parseDouble(f[5]),
                Double.parseDouble(f[6]), Integer.parseInt(f[7]), Integer.parseInt(f[8]), Integer.parseInt(f[9]), Integer.parseInt(f[10]),
                Double.parseDouble(f[11]));
    }

    /**
     * One sampler at one budget and seed on images: the share of samples the classifier gives a
     * top-class probability ≥ the threshold, the entropy of their class histogram, the Fréchet
     * distance to the test set in the classifier's features (NaN if any sample is not finite), and
     * how many samples are not finite.
     */
    public record ImagePoint(String method, String sampler, int nfe, int steps, long seed, int samples, int nonFinite, double confidentShare,
                             double classEntropy, double frechet, double seconds) {}

    static final String IMAGE_HEADER = "method,sampler,nfe,steps,seed,samples,non_finite,confident_share,class_entropy,frechet,sample_seconds";

    /** A row of {@link #IMAGE_HEADER}, as {@link #csv(ImagePoint)} writes it. */
    static ImagePoint parseImagePoint(String line) {
        String[] f = line.split(",", -1);
        if (f.length != 11) throw new IllegalArgumentException("expected 11 fields, got " + f.length);
        return new ImagePoint(f[0], f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]), Long.parseLong(f[4]), Integer.parseInt(f[5]), Integer.parseInt(f[6]),
                Double.parseDouble(f[7]), Double.parseDouble(f[8]), Double.parseDouble(f[9]), Double.parseDouble(f[10]));
    }

    static String csv(ImagePoint p) {
        return String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%d,%d,%.6f,%.6f,%.6f,%.3f", p.method(), p.sampler(), p.nfe(), p.steps(), p.seed(), p.samples(),
                p.nonFinite(), p.confidentShare(), p.classEntropy(), p.frechet(), p.seconds());
    }

    /** Judges 2-D samples: sliced W₂ (200 directions from (seed, "sw"), as diffusion-2d) and mode coverage. */
    static Point judge(Toy2d.Data d, Sampler s, int nfe, long seed, Tensor samples, Tensor heldOut, double floor, double seconds) {
        double sw = Toy2d.slicedWasserstein(samples, heldOut, 200, Rng.seed(seed).split("sw"));
        int[] cov = Toy2d.coverage(d, samples);
        int covered = 0, fewest = Integer.MAX_VALUE;
        for (int k = 0; k + 1 < cov.length; k++) {
            if (cov[k] > 0) covered++;
            fewest = Math.min(fewest, cov[k]);
        }
        return new Point(d.label(), s.key, nfe, steps(s, nfe), seed, sw, floor, covered, cov.length - 1, fewest, cov[cov.length - 1], seconds);
    }

    /** Mean, min and max over seeds, and how many seeds. */
    record Spread(double mean, double min, double max, int n) {
        static Spread of(double[] v) {
            double sum = 0, lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (double x : v) {
                sum += x;
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
            return new Spread(sum / v.length, lo, hi, v.length);
        }
    }

    /** The values of one measure per (sampler, NFE), over seeds, in the order the rows come. */
    static <R> Map<String, Map<Integer, Spread>> spreads(List<R> rows, java.util.function.Function<R, String> sampler, ToDoubleFunction<R> nfe,
                                                         ToDoubleFunction<R> y) {
        Map<String, Map<Integer, List<Double>>> by = new LinkedHashMap<>();
        for (R r : rows) by.computeIfAbsent(sampler.apply(r), k -> new java.util.TreeMap<>()).computeIfAbsent((int) nfe.applyAsDouble(r), k -> new ArrayList<>())
                .add(y.applyAsDouble(r));
        Map<String, Map<Integer, Spread>> out = new LinkedHashMap<>();
        by.forEach((s, m) -> {
            Map<Integer, Spread> row = new java.util.TreeMap<>();
            m.forEach((n, v) -> row.put(n, Spread.of(v.stream().mapToDouble(Double::doubleValue).toArray())));
            out.put(s, row);
        });
        return out;
    }

    /** One measured value: a sampler at a budget and seed. */
    record Measure(String sampler, int nfe, long seed, double value) {}

    /** The rows as measures of one quantity. */
    static <R> List<Measure> measures(List<R> rows, java.util.function.Function<R, String> sampler, ToDoubleFunction<R> nfe, ToDoubleFunction<R> seed,
                                      ToDoubleFunction<R> y) {
        return rows.stream().map(r -> new Measure(sampler.apply(r), (int) nfe.applyAsDouble(r), (long) seed.applyAsDouble(r), y.applyAsDouble(r))).toList();
    }

    /**
     * The Markdown summary of one quantity: a table of mean (min–max over seeds) per sampler and
     * NFE, and per NFE the best sampler by mean against the runner-up, with how many seeds it wins
     * (the seed fixes the held-out data and the starting noise, so seeds pair the samplers) and
     * whether even its worst seed beats the runner-up's best ("no seed overlap"). Samplers with the
     * same mean are reported as a tie.
     */
    static String summary(String title, List<Measure> rows, List<Integer> nfes, boolean lowerIsBetter, String format) {
        Map<String, Map<Integer, Spread>> sp = spreads(rows, Measure::sampler, Measure::nfe, Measure::value);
        StringBuilder b = new StringBuilder("| " + title + " |");
        for (int n : nfes) b.append(' ').append(n).append(" |");
        b.append("\n|---|").append("---:|".repeat(nfes.size())).append('\n');
        for (var e : sp.entrySet()) {
            Sampler s = Sampler.of(e.getKey());
            b.append("| ").append(s == null ? e.getKey() : s.label).append(" |");
            for (int n : nfes) {
                Spread v = e.getValue().get(n);
                b.append(' ').append(v == null ? "—" : String.format(Locale.ROOT, format + " (" + format + "–" + format + ")", v.mean(), v.min(), v.max()))
                        .append(" |");
            }
            b.append('\n');
        }
        b.append('\n');
        for (int n : nfes) {
            List<Map.Entry<String, Spread>> at = new ArrayList<>();
            sp.forEach((s, m) -> {
                if (m.containsKey(n)) at.add(Map.entry(s, m.get(n)));
            });
            if (at.isEmpty()) continue;
            at.sort((x, y) -> lowerIsBetter ? Double.compare(x.getValue().mean(), y.getValue().mean()) : Double.compare(y.getValue().mean(), x.getValue().mean()));
            Spread best = at.get(0).getValue();
            String fb = String.format(Locale.ROOT, format, best.mean());
            List<String> tied = at.stream().filter(e -> String.format(Locale.ROOT, format, e.getValue().mean()).equals(fb)).map(Map.Entry::getKey).toList();
            if (tied.size() > 1) {
                b.append(String.format(Locale.ROOT, "* NFE %d: a tie of %d samplers at %s (%s)%n", n, tied.size(), fb, String.join(", ", tied)));
                continue;
            }
            b.append(String.format(Locale.ROOT, "* NFE %d: best %s, %s", n, at.get(0).getKey(), fb));
            if (at.size() > 1) {
                String a = at.get(0).getKey(), r = at.get(1).getKey();
                Spread next = at.get(1).getValue();
                int wins = 0, pairs = 0;
                for (Measure x : rows) {
                    if (!x.sampler().equals(a) || x.nfe() != n) continue;
                    for (Measure y : rows) {
                        if (y.sampler().equals(r) && y.nfe() == n && y.seed() == x.seed()) {
                            pairs++;
                            if (lowerIsBetter ? x.value() < y.value() : x.value() > y.value()) wins++;
                        }
                    }
                }
                boolean clear = lowerIsBetter ? best.max() < next.min() : best.min() > next.max();
                b.append(String.format(Locale.ROOT, "; runner-up %s, " + format + "; better on %d of %d seeds; %s", r, next.mean(), wins, pairs,
                        clear ? "no seed overlap" : "the seeds' ranges overlap"));
            } else {
                b.append(String.format(Locale.ROOT, " (%d seeds)", best.n()));
            }
            b.append('\n');
        }
        return b.toString();
    }

    /**
     * Flows against diffusion, per NFE: on each seed the best flow sampler (FM, 1-RF, 2-RF) against
     * the best diffusion sampler (DDPM, DDIM, SDE, PF-ODE), both picked after the fact; the mean of
     * those per-seed bests and on how many seeds the flows win. With noisy scores the side with more
     * samplers (7 diffusion against 4 flows) gets more chances, so a flow win is the conservative one.
     */
    static String families(List<Measure> rows, List<Integer> nfes, boolean lowerIsBetter, String format) {
        StringBuilder b = new StringBuilder();
        for (int n : nfes) {
            Map<Long, double[]> best = new java.util.TreeMap<>();
            for (Measure m : rows) {
                Sampler s = Sampler.of(m.sampler());
                if (m.nfe() != n || s == null) continue;
                int side = s.net == Net.DDPM || s.net == Net.SDE ? 1 : 0;
                double[] v = best.computeIfAbsent(m.seed(), k -> new double[] {Double.NaN, Double.NaN});
                if (Double.isNaN(v[side]) || (lowerIsBetter ? m.value() < v[side] : m.value() > v[side])) v[side] = m.value();
            }
            int wins = 0, pairs = 0;
            double flow = 0, diffusion = 0;
            for (double[] v : best.values()) {
                if (Double.isNaN(v[0]) || Double.isNaN(v[1])) continue;
                pairs++;
                flow += v[0];
                diffusion += v[1];
                if (lowerIsBetter ? v[0] < v[1] : v[0] > v[1]) wins++;
            }
            if (pairs == 0) continue;
            b.append(String.format(Locale.ROOT, "* NFE %d: best flow sampler " + format + ", best diffusion sampler " + format
                    + " (means of the per-seed bests); flows better on %d of %d seeds%n", n, flow / pairs, diffusion / pairs, wins, pairs));
        }
        return b.toString();
    }

    static final Color[] PALETTE = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(214, 39, 40),
        new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194), new Color(0, 110, 110), new Color(188, 189, 34),
        new Color(23, 190, 207), new Color(0, 0, 0)};

    /**
     * One panel: a line per sampler through the mean over seeds, with a vertical min–max bar at each
     * NFE (the seeds' range), log x; {@code floor} (if not NaN) as a dashed grey line.
     */
    static XYChart panel(String title, String yTitle, Map<String, Map<Integer, Spread>> sp, List<String> samplers, boolean logY, double floor) {
        XYChart c = new XYChartBuilder().width(640).height(480).title(title).xAxisTitle("network evaluations (NFE)").yAxisTitle(yTitle).build();
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setYAxisLogarithmic(logY);
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        c.getStyler().setLegendFont(c.getStyler().getLegendFont().deriveFont(10f));
        int k = 0;
        double xMin = Double.POSITIVE_INFINITY, xMax = 0;
        for (String s : samplers) {
            Map<Integer, Spread> m = sp.get(s);
            if (m == null || m.isEmpty()) continue;
            Sampler known = Sampler.of(s);
            Color col = PALETTE[(known == null ? k : known.ordinal()) % PALETTE.length];
            k++;
            double[] x = m.keySet().stream().mapToDouble(Integer::doubleValue).toArray();
            double[] y = m.values().stream().mapToDouble(Spread::mean).toArray();
            XYSeries line = c.addSeries(known == null ? s : known.label, x, y);
            line.setLineColor(col);
            line.setMarkerColor(col);
            line.setMarker(SeriesMarkers.CIRCLE);
            line.setLineStyle(known != null && known.stochastic ? SeriesLines.DASH_DASH : SeriesLines.SOLID);
            for (var e : m.entrySet()) {
                XYSeries bar = c.addSeries(s + " seeds " + e.getKey(), new double[] {e.getKey(), e.getKey()}, new double[] {e.getValue().min(), e.getValue().max()});
                bar.setLineColor(col);
                bar.setMarker(SeriesMarkers.NONE);
                bar.setLineStyle(SeriesLines.SOLID);
                bar.setShowInLegend(false);
            }
            xMin = Math.min(xMin, x[0]);
            xMax = Math.max(xMax, x[x.length - 1]);
        }
        if (!Double.isNaN(floor) && xMax > 0) {
            XYSeries f = c.addSeries("floor (data vs data)", new double[] {xMin, xMax}, new double[] {floor, floor});
            f.setLineColor(new Color(170, 170, 170));
            f.setLineStyle(SeriesLines.DOT_DOT);
            f.setMarker(SeriesMarkers.NONE);
        }
        return c;
    }
}
