package zerotoml.examples.kit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import zerotoml.scratch.io.AtomicFile;

/** PNG plots with XChart, written atomically: the curves of a history, and any charts side by side. */
public final class Charts {
    private Charts() {}

    /** One line of a panel: its legend and its y value per history row; {@code dots} marks each row. */
    public record Line<R>(String name, ToDoubleFunction<R> y, boolean dots) {}

    /** One chart of a figure. */
    public record Panel<R>(String title, String yTitle, List<Line<R>> lines) {
        public static <R> Panel<R> of(String title, String yTitle) {
            return new Panel<>(title, yTitle, List.of());
        }

        /** This panel with one more line (with a dot on each row when {@code dots}). */
        public Panel<R> line(String name, ToDoubleFunction<R> y, boolean dots) {
            List<Line<R>> more = new ArrayList<>(lines);
            more.add(new Line<>(name, y, dots));
            return new Panel<>(title, yTitle, List.copyOf(more));
        }
    }

    /** Panels side by side, sharing the x of each history row ({@code x}, titled {@code xTitle}). */
    public record Figure<R>(String xTitle, ToDoubleFunction<R> x, List<Panel<R>> panels) {
        @SafeVarargs
        public static <R> Figure<R> of(String xTitle, ToDoubleFunction<R> x, Panel<R>... panels) {
            return new Figure<>(xTitle, x, List.of(panels));
        }
    }

    /** Draws {@code rows} as the figure says, into a PNG file. */
    public static <R> void curves(Path file, List<R> rows, Figure<R> f) throws IOException {
        double[] x = rows.stream().mapToDouble(f.x()).toArray();
        List<Chart<?, ?>> charts = new ArrayList<>();
        for (Panel<R> p : f.panels()) {
            XYChart c = new XYChartBuilder().width(600).height(400).title(p.title()).xAxisTitle(f.xTitle()).yAxisTitle(p.yTitle()).build();
            for (Line<R> l : p.lines()) {
                c.addSeries(l.name(), x, rows.stream().mapToDouble(l.y()).toArray()).setMarker(l.dots() ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
            }
            charts.add(c);
        }
        write(file, charts);
    }

    /** Charts side by side in one PNG, written atomically (the folder is created if needed). */
    public static void write(Path file, List<? extends Chart<?, ?>> charts) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        List<Chart<?, ?>> cs = List.copyOf(charts);
        if (cs.size() == 1) AtomicFile.write(file, os -> BitmapEncoder.saveBitmap(cs.get(0), os, BitmapEncoder.BitmapFormat.PNG));
        else AtomicFile.write(file, os -> BitmapEncoder.saveBitmap(cs, 1, cs.size(), os, BitmapEncoder.BitmapFormat.PNG));
    }
}
