package zerotoml.examples.lm;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import zerotoml.examples.kit.Charts;
import zerotoml.examples.lm.Questions.Result;
import zerotoml.examples.lm.Questions.Settings;
import zerotoml.examples.lm.Questions.Spread;

/** The Markdown tables, computed answers and PNG plots of {@link Questions}. */
final class QuestionsReport {
    private final Settings s;
    private final int seeds, arms;
    private final long targetParams;
    private final double trainSeconds;
    private final String figurePrefix;

    /** {@code results}: every arm of this run, for the totals in the header. */
    QuestionsReport(Settings s, int seeds, long targetParams, java.util.Collection<Result> results, String figurePrefix) {
        this.s = s;
        this.seeds = seeds;
        this.targetParams = targetParams;
        this.arms = results.size();
        this.trainSeconds = results.stream().mapToDouble(Result::trainSeconds).sum();
        this.figurePrefix = figurePrefix;
    }

    String header(String commandLine) {
        return String.format(Locale.ROOT, "_Written by the command below on %s from %d arms; their training took %.1f min summed over the arms (the"
                        + " throughput columns are per arm, measured while arms shared the cores)._%n%n```%njava -jar examples/target/zerotoml-examples.jar %s%n```%n%n"
                        + "Every model: decoder-only, pre-LN, GELU, learned positions, %d layers, context %d tokens, batch %d, %d AdamW steps"
                        + " (β 0.9/0.99, weight decay %s, clip %s), warm-up %d then cosine to lr/10 from lr %s, float32; seeds 1..%d give the"
                        + " initial weights and the batches. Held-out text: the first %,d characters of the validation split (the last 10%% of"
                        + " the corpus), cut into windows of %d tokens. \"Separation\" is the difference of means over its standard error"
                        + " (Welch); the confidence word is \"clear\" above 3, \"suggestive\" from 1 to 3, \"within seed noise\" below 1.%n%n",
                Instant.now().truncatedTo(ChronoUnit.SECONDS), arms, trainSeconds / 60, commandLine, s.layers(),
                s.context(), s.batchSize(), s.steps(), s.weightDecay(), s.gradClip(), s.warmup(), s.lr(), seeds, s.heldOutChars(), s.context());
    }

    /** Question 1: one row per tokenizer, plots of final bits/byte against vocabulary size and of the curves. */
    String tokenizer(List<Result> results, Path figures) throws IOException {
        Map<String, List<Result>> by = group(results, r -> r.arm().tokenizerLabel());
        Spread charSpread = spread(by.get("char"), r -> r.last().bitsPerByte());
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "### Question 1: does BPE beat character level? (%d steps)%n%n", s.steps()));
        double worst = results.stream().mapToDouble(r -> Math.abs(r.params() - targetParams) / (double) targetParams).max().orElse(0);
        md.append(String.format(Locale.ROOT, "Each BPE model's width is the multiple of 8 whose parameter count is closest to the character model's"
                + " %,d (the largest gap is %.1f%%); every model sees the same %,d training tokens, so training compute C ≈ 6·params·tokens is"
                + " equal to within that gap. A bigger vocabulary pays for its embedding and output rows with a narrower model.%n%n", targetParams,
                100 * worst, (long) s.steps() * s.batchSize() * s.context()));
        md.append("| tokenizer | vocab | d_model | params | bytes/token | held-out bits/byte (mean ± sd) | min – max | vs char | separation"
                + " | at char's bytes | tokens/s | bytes/s |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        double charBytes = (double) s.steps() * s.batchSize() * s.context() * by.get("char").get(0).bytesPerToken();
        String best = null;
        double bestMean = Double.POSITIVE_INFINITY;
        StringBuilder versusChar = new StringBuilder();
        for (var e : by.entrySet()) {
            List<Result> rs = e.getValue();
            Result r0 = rs.get(0);
            Spread sp = spread(rs, r -> r.last().bitsPerByte());
            double tps = mean(rs, Result::tokensPerSecond);
            boolean isChar = e.getKey().equals("char");
            double z = sp.separation(charSpread);
            double equalBytesStep = charBytes / (s.batchSize() * s.context() * r0.bytesPerToken());
            double atCharBytes = meanCurveAt(rs, equalBytesStep, p -> p.bitsPerByte());
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %,d | %.2f | %.4f ± %.4f | %.4f – %.4f | %s | %s | %s | %.0f | %.0f |%n", e.getKey(),
                    r0.vocabSize(), r0.arm().dModel(), r0.params(), r0.bytesPerToken(), sp.mean(), sp.sd(), sp.min(), sp.max(),
                    isChar ? "" : String.format(Locale.ROOT, "%+.4f", sp.mean() - charSpread.mean()),
                    isChar ? "" : String.format(Locale.ROOT, "%.1f (%s)", z, Questions.confidence(z)),
                    Double.isNaN(atCharBytes) ? "–" : String.format(Locale.ROOT, "%.4f (step %.0f)", atCharBytes, equalBytesStep), tps,
                    tps * r0.bytesPerToken()));
            if (!isChar) {
                versusChar.append(String.format(Locale.ROOT, " %s is %s than char by %.4f bits/byte (%s).", e.getKey(),
                        sp.mean() < charSpread.mean() ? "better" : "worse", Math.abs(sp.mean() - charSpread.mean()), Questions.confidence(z)));
            }
            if (sp.mean() < bestMean) {
                bestMean = sp.mean();
                best = e.getKey();
            }
        }
        md.append("\n\"At char's bytes\": the held-out bits per byte (mean curve of the seeds, linear between measurements) at the step where the"
                + " arm had read as many bytes of training text as the character model read in its whole run: equal data instead of equal"
                + " compute.\n");
        md.append("\n![held-out bits per byte against vocabulary size, and the held-out curves](figures/" + figurePrefix + "tokenizer.png)\n\n");
        md.append(String.format(Locale.ROOT, "**Computed answer.** Lowest held-out bits per byte: **%s** (%.4f).", best, bestMean)).append(versusChar)
                .append("\n\n");
        plot(figures.resolve(figurePrefix + "tokenizer.png"), by, "vocabulary size (log)", true, r -> r.vocabSize(), r -> r.last().bitsPerByte(),
                "held-out bits/byte", p -> p.bitsPerByte());
        return md.toString();
    }

    /** Question 2: one row per head count, plots of final loss against heads and of the curves. */
    String heads(List<Result> results, Path figures) throws IOException {
        int dModel = results.get(0).arm().dModel();
        Map<String, List<Result>> by = group(results, r -> r.arm().heads() + (r.arm().heads() == 1 ? " head" : " heads"));
        String best = null;
        Spread bestSpread = null;
        for (var e : by.entrySet()) {
            Spread sp = spread(e.getValue(), r -> r.last().nats());
            if (bestSpread == null || sp.mean() < bestSpread.mean()) {
                bestSpread = sp;
                best = e.getKey();
            }
        }
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "### Question 2: what does the number of heads do? (%d steps)%n%n", s.steps()));
        md.append(String.format(Locale.ROOT, "Character level, d_model %d (so every row has the same parameters).%n%n", dModel));
        md.append("| heads | d_k | params | held-out loss, nats/char (mean ± sd) | min – max | bits/byte | vs best | separation | tokens/s |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        StringBuilder answer = new StringBuilder(String.format(Locale.ROOT, "**Computed answer.** Lowest held-out loss: **%s** (%.4f nats/char).", best,
                bestSpread.mean()));
        for (var e : by.entrySet()) {
            List<Result> rs = e.getValue();
            Result r0 = rs.get(0);
            Spread sp = spread(rs, r -> r.last().nats());
            boolean isBest = e.getKey().equals(best);
            double z = sp.separation(bestSpread);
            md.append(String.format(Locale.ROOT, "| %d | %d | %,d | %.4f ± %.4f | %.4f – %.4f | %.4f | %s | %s | %.0f |%n", r0.arm().heads(),
                    dModel / r0.arm().heads(), r0.params(), sp.mean(), sp.sd(), sp.min(), sp.max(), mean(rs, r -> r.last().bitsPerByte()),
                    isBest ? "best" : String.format(Locale.ROOT, "%+.4f", sp.mean() - bestSpread.mean()),
                    isBest ? "" : String.format(Locale.ROOT, "%.1f (%s)", z, Questions.confidence(z)), mean(rs, Result::tokensPerSecond)));
            if (!isBest) answer.append(String.format(Locale.ROOT, " %s: %+.4f (%s).", e.getKey(), sp.mean() - bestSpread.mean(), Questions.confidence(z)));
        }
        md.append("\n![held-out loss against the number of heads, and the held-out curves](figures/" + figurePrefix + "heads.png)\n\n").append(answer).append("\n\n");
        plot(figures.resolve(figurePrefix + "heads.png"), by, "heads (log)", true, r -> r.arm().heads(), r -> r.last().nats(), "held-out nats/char",
                p -> p.nats());
        return md.toString();
    }

    /** Left: every seed's final value against x, with the mean ± sd; right: each arm's held-out curve, averaged over seeds. */
    private void plot(Path file, Map<String, List<Result>> by, String xTitle, boolean logX, ToDoubleFunction<Result> x, ToDoubleFunction<Result> y,
                      String yTitle, ToDoubleFunction<Questions.Point> curveY) throws IOException {
        XYChart finals = new XYChartBuilder().width(600).height(420).title("After training, per seed").xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        finals.getStyler().setXAxisLogarithmic(logX);
        XYChart curves = new XYChartBuilder().width(600).height(420).title("Held out during training (mean of seeds)").xAxisTitle("step")
                .yAxisTitle(yTitle).build();
        List<Double> mx = new ArrayList<>(), my = new ArrayList<>(), sd = new ArrayList<>();
        for (var e : by.entrySet()) {
            List<Result> rs = e.getValue();
            double[] xs = rs.stream().mapToDouble(x).toArray(), ys = rs.stream().mapToDouble(y).toArray();
            finals.addSeries(e.getKey(), xs, ys).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            Spread sp = Spread.of(ys);
            mx.add(xs[0]);
            my.add(sp.mean());
            sd.add(Double.isNaN(sp.sd()) ? 0 : sp.sd());
            int n = rs.get(0).curve().size();
            double[] steps = new double[n], mean = new double[n];
            for (int i = 0; i < n; i++) {
                steps[i] = rs.get(0).curve().get(i).step();
                for (Result r : rs) mean[i] += curveY.applyAsDouble(r.curve().get(i)) / rs.size();
            }
            // step 0 is the untrained model: far above the rest, it would flatten the curves
            curves.addSeries(e.getKey(), java.util.Arrays.copyOfRange(steps, 1, n), java.util.Arrays.copyOfRange(mean, 1, n)).setMarker(SeriesMarkers.CIRCLE);
        }
        finals.addSeries("mean ± sd", mx.stream().mapToDouble(d -> d).toArray(), my.stream().mapToDouble(d -> d).toArray(),
                sd.stream().mapToDouble(d -> d).toArray()).setMarker(SeriesMarkers.NONE);
        Charts.write(file, List.of(finals, curves));
    }

    /** The seeds' mean curve at a (fractional) step, linear between measurements; NaN outside the measured steps. */
    static double meanCurveAt(List<Result> rs, double step, ToDoubleFunction<Questions.Point> f) {
        List<Questions.Point> c = rs.get(0).curve();
        for (int i = 1; i < c.size(); i++) {
            int a = c.get(i - 1).step(), b = c.get(i).step();
            if (step < a || step > b) continue;
            double w = (step - a) / (b - a), m = 0;
            for (Result r : rs) m += ((1 - w) * f.applyAsDouble(r.curve().get(i - 1)) + w * f.applyAsDouble(r.curve().get(i))) / rs.size();
            return m;
        }
        return Double.NaN;
    }

    private static Map<String, List<Result>> group(List<Result> rs, Function<Result, String> key) {
        Map<String, List<Result>> by = new LinkedHashMap<>();
        for (Result r : rs) by.computeIfAbsent(key.apply(r), k -> new ArrayList<>()).add(r);
        return by;
    }

    private static Spread spread(List<Result> rs, ToDoubleFunction<Result> f) {
        return Spread.of(rs.stream().mapToDouble(f).toArray());
    }

    private static double mean(List<Result> rs, ToDoubleFunction<Result> f) {
        return rs.stream().mapToDouble(f).average().orElse(Double.NaN);
    }
}
