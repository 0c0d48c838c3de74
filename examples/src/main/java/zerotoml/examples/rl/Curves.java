package zerotoml.examples.rl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import zerotoml.scratch.io.AtomicFile;

/** The RL examples' outputs: one panel per quantity with one line per seed, as PNG; and CSV rows; both written atomically. */
final class Curves {
    private Curves() {}

    /** One line of a panel. */
    record Line(String name, double[] x, double[] y) {}

    /** One panel. */
    record Panel(String title, String xTitle, String yTitle, List<Line> lines, double target) {}

    static void png(Path file, List<Panel> panels) throws IOException {
        List<Chart<?, ?>> charts = new ArrayList<>();
        for (Panel p : panels) {
            XYChart c = new XYChartBuilder().width(600).height(400).title(p.title()).xAxisTitle(p.xTitle()).yAxisTitle(p.yTitle()).build();
            for (Line l : p.lines()) {
                if (l.x().length == 0) continue;
                c.addSeries(l.name(), l.x(), l.y()).setMarker(SeriesMarkers.NONE);
            }
            if (!Double.isNaN(p.target()) && !p.lines().isEmpty() && p.lines().get(0).x().length > 0) {
                double[] xs = p.lines().get(0).x();
                c.addSeries("target", new double[] {xs[0], xs[xs.length - 1]}, new double[] {p.target(), p.target()}).setMarker(SeriesMarkers.NONE);
            }
            charts.add(c);
        }
        AtomicFile.write(file, out -> BitmapEncoder.saveBitmap(charts, 1, charts.size(), out, BitmapEncoder.BitmapFormat.PNG));
    }

    static void csv(Path file, String header, List<String> rows) throws IOException {
        StringBuilder b = new StringBuilder(header).append('\n');
        for (String r : rows) b.append(r).append('\n');
        AtomicFile.write(file, out -> out.write(b.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** The trailing mean over a window of {@code w} points. */
    static double[] movingAverage(double[] y, int w) {
        double[] out = new double[y.length];
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += y[i];
            if (i >= w) s -= y[i - w];
            out[i] = s / Math.min(i + 1, w);
        }
        return out;
    }

    static double[] toArray(List<Double> xs) {
        double[] out = new double[xs.size()];
        for (int i = 0; i < out.length; i++) out[i] = xs.get(i);
        return out;
    }

    /** Mean and sample standard deviation. */
    static String meanSd(double[] v) {
        double m = 0;
        for (double x : v) m += x / v.length;
        double ss = 0;
        for (double x : v) ss += (x - m) * (x - m);
        double sd = v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : 0;
        return String.format(java.util.Locale.ROOT, "%.2f ± %.2f", m, sd);
    }
}
