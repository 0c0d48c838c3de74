package zerotoml.scratch.cnn;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * Draws the convolution-arithmetic figures of {@code notes/ConvolutionArithmetic.md} in the style
 * of Dumoulin &amp; Visin (arXiv 1603.07285): the (padded) input in blue with the kernel's taps in
 * dark blue at one output position, the output grid in cyan above it with that position marked,
 * one frame per output position (a few frames per figure). Every size comes from
 * {@link ConvolutionArithmetic}. Not a test: a tool kept with the tests so that the library stays
 * free of AWT. Regenerate with
 *
 * <pre>
 * mvn -B -o -q test-compile -pl scratch
 * java -Djava.awt.headless=true -cp scratch/target/classes:scratch/target/test-classes zerotoml.scratch.cnn.ArithmeticFigures notes/figures
 * </pre>
 */
public final class ArithmeticFigures {
    private ArithmeticFigures() {}

    static final int CELL = 22, GAP = 30, MARGIN = 16, TITLE = 40;
    static final Color INPUT = new Color(0x4f, 0x8f, 0xd8), TAP = new Color(0x1d, 0x3f, 0x8a), OUTPUT = new Color(0x6f, 0xd5, 0xd8),
            OUTPUT_HIT = new Color(0x10, 0x7a, 0x80), PAD = new Color(0xf4, 0xf4, 0xf4), ZERO = new Color(0xff, 0xff, 0xff), LINE = new Color(0x55, 0x55, 0x55);

    /**
     * One square configuration, the same on both axes: the grid the kernel slides over (size
     * {@code grid}, of which cells for which {@code isData} is false are padding or inserted zeros),
     * the kernel, its stride and dilation, and the output size.
     */
    record Config(String file, String title, int grid, int padLo, int stretch, int dataCount, int k, int s, int d, int out) {
        /** True at padded-grid coordinate c when it holds an input value (not padding, not an inserted zero). */
        boolean isData(int c) {
            int u = c - padLo;
            return u >= 0 && u % stretch == 0 && u / stretch < dataCount;
        }

        boolean isPadding(int c) {
            int u = c - padLo;
            return u < 0 || u > (dataCount - 1) * stretch;
        }
    }

    /** A direct convolution: input i, padding p per side, stride s, dilation d (Relationship 15). */
    static Config conv(String file, String rel, int i, int k, int s, int p, int d) {
        int o = ConvolutionArithmetic.relationship15(i, k, s, p, d);
        String t = rel + ": i = " + i + ", k = " + k + ", s = " + s + ", p = " + p + (d > 1 ? ", d = " + d : "") + "  ->  o = " + o;
        return new Config(file, t, i + 2 * p, p, 1, i, k, s, d, o);
    }

    /**
     * The transposed convolution of a convolution (i, k, s, p) as the paper builds it
     * (Relationship 14): an i'-sized input stretched with s − 1 zeros, padded with k − p − 1 zeros
     * low and k − p − 1 + a high, a unit-stride convolution.
     */
    static Config transposed(String file, String rel, int i, int k, int s, int p) {
        int iT = ConvolutionArithmetic.relationship6(i, k, s, p);
        int a = ConvolutionArithmetic.outputPaddingFor(i, k, s, p);
        int oT = ConvolutionArithmetic.relationship14(iT, k, s, p, a);
        int stretched = s * (iT - 1) + 1, pT = k - p - 1;
        String t = rel + ": transposed of i = " + i + ", k = " + k + ", s = " + s + ", p = " + p + ";  i' = " + iT + ", a = " + a + "  ->  o' = " + oT;
        return new Config(file, t, stretched + 2 * pT + a, pT, s, iT, k, 1, 1, oT);
    }

    static void draw(Config c, File dir) throws IOException {
        int frames = Math.min(4, c.out() * c.out());
        int outPx = c.out() * CELL, gridPx = c.grid() * CELL;
        int frameW = Math.max(outPx, gridPx), frameH = outPx + GAP + gridPx;
        int w = MARGIN * 2 + frames * frameW + (frames - 1) * GAP, h = TITLE + frameH + MARGIN * 2;
        w = Math.max(w, 9 * c.title().length() + 2 * MARGIN);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        g.drawString(c.title(), MARGIN, MARGIN + 14);
        for (int f = 0; f < frames; f++) {
            int oy = f / c.out(), ox = f % c.out();
            int x0 = MARGIN + f * (frameW + GAP), y0 = MARGIN + TITLE;
            int outX = x0 + (frameW - outPx) / 2, gridX = x0 + (frameW - gridPx) / 2, gridY = y0 + outPx + GAP;
            // output grid, the current position marked
            for (int r = 0; r < c.out(); r++) {
                for (int q = 0; q < c.out(); q++) {
                    cell(g, outX + q * CELL, y0 + r * CELL, r == oy && q == ox ? OUTPUT_HIT : OUTPUT, false);
                }
            }
            // input grid: data, padding (grey, dashed) and inserted zeros (white)
            for (int r = 0; r < c.grid(); r++) {
                for (int q = 0; q < c.grid(); q++) {
                    boolean data = c.isData(r) && c.isData(q), pad = c.isPadding(r) || c.isPadding(q);
                    cell(g, gridX + q * CELL, gridY + r * CELL, data ? INPUT : pad ? PAD : ZERO, pad);
                }
            }
            // the kernel's taps for this output position: row oy·s + t·d, column ox·s + t·d
            for (int tr = 0; tr < c.k(); tr++) {
                for (int tq = 0; tq < c.k(); tq++) {
                    int r = oy * c.s() + tr * c.d(), q = ox * c.s() + tq * c.d();
                    g.setColor(new Color(TAP.getRed(), TAP.getGreen(), TAP.getBlue(), 170));
                    g.fillRect(gridX + q * CELL + 3, gridY + r * CELL + 3, CELL - 6, CELL - 6);
                }
            }
        }
        g.dispose();
        ImageIO.write(img, "png", new File(dir, c.file()));
    }

    static void cell(Graphics2D g, int x, int y, Color fill, boolean dashed) {
        g.setColor(fill);
        g.fillRect(x, y, CELL, CELL);
        g.setColor(LINE);
        g.setStroke(dashed ? new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {3f, 3f}, 0f) : new BasicStroke(1f));
        g.drawRect(x, y, CELL, CELL);
        g.setStroke(new BasicStroke(1f));
    }

    public static void main(String[] args) throws IOException {
        File dir = new File(args.length > 0 ? args[0] : "notes/figures");
        if (!dir.isDirectory() && !dir.mkdirs()) throw new IOException("cannot create " + dir);
        Config[] all = {
            conv("no_padding_no_strides.png", "Relationship 1", 4, 3, 1, 0, 1),
            conv("same_padding_no_strides.png", "Relationship 3", 5, 3, 1, 1, 1),
            conv("full_padding_no_strides.png", "Relationship 4", 5, 3, 1, 2, 1),
            conv("padding_strides.png", "Relationship 6", 5, 3, 2, 1, 1),
            conv("dilation.png", "Relationship 15", 7, 3, 1, 0, 2),
            transposed("padding_strides_transposed.png", "Relationship 13", 5, 3, 2, 1),
            transposed("padding_strides_odd_transposed.png", "Relationship 14", 6, 3, 2, 1),
        };
        for (Config c : all) draw(c, dir);
        System.out.println("wrote " + all.length + " figures to " + dir);
    }
}
