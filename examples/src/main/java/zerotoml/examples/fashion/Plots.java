package zerotoml.examples.fashion;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import zerotoml.scratch.io.AtomicFile;

/** PNG plots with XChart, written atomically. */
public final class Plots {
    private Plots() {}

    public static final String[] FASHION_CLASSES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

    /** Train loss, and train and test accuracy, per epoch, side by side. */
    public static void curves(Path file, List<Trainer.EpochStats> history) throws IOException {
        double[] ep = new double[history.size()], loss = new double[ep.length], tr = new double[ep.length], te = new double[ep.length];
        for (int i = 0; i < ep.length; i++) {
            Trainer.EpochStats s = history.get(i);
            ep[i] = s.epoch();
            loss[i] = s.trainLoss();
            tr[i] = 100 * s.trainAccuracy();
            te[i] = 100 * s.testAccuracy();
        }
        XYChart l = new XYChartBuilder().width(600).height(400).title("Training loss").xAxisTitle("epoch").yAxisTitle("cross-entropy").build();
        l.addSeries("train loss", ep, loss).setMarker(SeriesMarkers.CIRCLE);
        XYChart a = new XYChartBuilder().width(600).height(400).title("Accuracy").xAxisTitle("epoch").yAxisTitle("%").build();
        a.addSeries("train", ep, tr).setMarker(SeriesMarkers.CIRCLE);
        a.addSeries("test", ep, te).setMarker(SeriesMarkers.DIAMOND);
        List<Chart<?, ?>> charts = List.of(l, a);
        AtomicFile.write(file, out -> BitmapEncoder.saveBitmap(charts, 1, 2, out, BitmapEncoder.BitmapFormat.PNG));
    }

    /** The confusion matrix of the test set: rows true class, columns predicted class. */
    public static void confusion(Path file, int[][] counts, String title) throws IOException {
        int n = counts.length;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) names.add(n == FASHION_CLASSES.length ? FASHION_CLASSES[i] : Integer.toString(i));
        // rows top to bottom in class order: true class t sits at y index n − 1 − t
        List<String> yNames = new ArrayList<>(names);
        java.util.Collections.reverse(yNames);
        List<Number[]> heat = new ArrayList<>();
        for (int t = 0; t < n; t++) for (int p = 0; p < n; p++) heat.add(new Number[] {p, n - 1 - t, counts[t][p]});
        HeatMapChart c = new HeatMapChartBuilder().width(800).height(700).title(title).xAxisTitle("predicted").yAxisTitle("true").build();
        c.getStyler().setShowValue(true);
        c.getStyler().setXAxisLabelRotation(45);
        c.getStyler().setRangeColors(new java.awt.Color[] {java.awt.Color.WHITE, new java.awt.Color(0x99, 0xBB, 0xEE), new java.awt.Color(0x11, 0x33, 0x99)});
        c.addSeries("test examples", names, yNames, heat);
        AtomicFile.write(file, out -> BitmapEncoder.saveBitmap(c, out, BitmapEncoder.BitmapFormat.PNG));
    }
}
