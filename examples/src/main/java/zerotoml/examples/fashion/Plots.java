package zerotoml.examples.fashion;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import zerotoml.examples.kit.Charts;

/** The confusion matrix as a PNG heat map (the curves are the kit's {@link Charts}). */
public final class Plots {
    private Plots() {}

    public static final String[] FASHION_CLASSES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

    /** The confusion matrix of the test set: rows true class, columns predicted class. */
    public static void confusion(Path file, int[][] counts, String title) throws IOException {
        int n = counts.length;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) names.add(n == FASHION_CLASSES.length ? FASHION_CLASSES[i] : Integer.toString(i));
        // rows top to bottom in class order: true class t sits at y index n − 1 − t
        List<String> yNames = new ArrayList<>(names);
        Collections.reverse(yNames);
        List<Number[]> heat = new ArrayList<>();
        for (int t = 0; t < n; t++) for (int p = 0; p < n; p++) heat.add(new Number[] {p, n - 1 - t, counts[t][p]});
        HeatMapChart c = new HeatMapChartBuilder().width(800).height(700).title(title).xAxisTitle("predicted").yAxisTitle("true").build();
        c.getStyler().setShowValue(true);
        c.getStyler().setXAxisLabelRotation(45);
        c.getStyler().setRangeColors(new Color[] {Color.WHITE, new Color(0x99, 0xBB, 0xEE), new Color(0x11, 0x33, 0x99)});
        c.addSeries("test examples", names, yNames, heat);
        Charts.write(file, List.of(c));
    }
}
