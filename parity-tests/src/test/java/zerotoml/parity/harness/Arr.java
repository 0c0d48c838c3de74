package zerotoml.parity.harness;

import java.util.Arrays;
import java.util.Locale;

/** A plain array: what crosses between scratch and reference. */
public record Arr(int[] shape, double[] data) {
    public Arr {
        int n = 1;
        for (int d : shape) n *= d;
        if (n != data.length) throw new IllegalArgumentException("Arr: " + data.length + " values for shape " + Arrays.toString(shape));
    }

    /** Shape and values, compactly: {@code [2, 3]{0.5, -1.25, ...}}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(Arrays.toString(shape)).append('{');
        int n = Math.min(data.length, 48);
        for (int i = 0; i < n; i++) b.append(i > 0 ? ", " : "").append(fmt(data[i]));
        if (data.length > n) b.append(", ... ").append(data.length - n).append(" more");
        return b.append('}').toString();
    }

    static String fmt(double v) {
        if (v == 0 && 1 / v < 0) return "-0"; // a shrunk case at a kink must show which zero it is
        if (v == Math.rint(v) && Math.abs(v) < 1e6) return String.valueOf((long) v);
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
