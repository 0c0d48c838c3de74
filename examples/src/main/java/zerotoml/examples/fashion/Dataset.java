package zerotoml.examples.fashion;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import zerotoml.scratch.data.Idx;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * Images and labels in memory as the IDX files hold them (one byte per pixel), turned into
 * tensors one batch at a time.
 */
public record Dataset(byte[] pixels, byte[] labels, int count, int rows, int cols) {

    /** The four IDX files of (Fashion-)MNIST, each raw or gzipped. */
    public static final String[] TRAIN = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"};
    public static final String[] TEST = {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

    /** Thrown when the data set is not where it should be; the message says how to get it. */
    public static final class MissingDataException extends IOException {
        private static final long serialVersionUID = 1L;

        MissingDataException(String message) {
            super(message);
        }
    }

    public static Dataset load(Path dir, String[] names) throws IOException {
        Path images = find(dir, names[0]), labels = find(dir, names[1]);
        Idx.IdxFile im = Idx.read(images), lb = Idx.read(labels);
        if (im.type() != Idx.Type.UBYTE || im.dims().length != 3) {
            throw new IOException("IDX file " + images + ": expected unsigned-byte images [n, rows, cols], got " + im.type() + " " + Arrays.toString(im.dims()));
        }
        if (lb.type() != Idx.Type.UBYTE || lb.dims().length != 1 || lb.dims()[0] != im.dims()[0]) {
            throw new IOException("IDX file " + labels + ": expected " + im.dims()[0] + " unsigned-byte labels, got " + lb.type() + " " + Arrays.toString(lb.dims()));
        }
        return new Dataset(im.data(), lb.data(), im.dims()[0], im.dims()[1], im.dims()[2]);
    }

    static Path find(Path dir, String base) throws MissingDataException {
        for (String name : new String[] {base, base + ".gz"}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        throw new MissingDataException("Fashion-MNIST not found: " + dir.resolve(base) + "[.gz] does not exist.\n"
                + "Install the Debian package with:  sudo apt-get install dataset-fashion-mnist\n"
                + "(it puts the IDX files in /usr/share/datasets/fashion-mnist), or point --data at a directory holding\n"
                + "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (raw or .gz).");
    }

    /** The first n examples (for quick runs). */
    public Dataset limit(int n) {
        if (n >= count) return this;
        int px = rows * cols;
        return new Dataset(Arrays.copyOf(pixels, n * px), Arrays.copyOf(labels, n), n, rows, cols);
    }

    public int features() {
        return rows * cols;
    }

    /** Images of the given examples as [B, rows·cols], scaled to [0, 1]. */
    public Tensor images(int[] idx, DType dt) {
        int px = features();
        double[] x = new double[idx.length * px];
        for (int i = 0; i < idx.length; i++) {
            int o = idx[i] * px;
            for (int k = 0; k < px; k++) x[i * px + k] = (pixels[o + k] & 0xFF) / 255.0;
        }
        return Tensor.of(dt, x, idx.length, px);
    }

    public int[] labels(int[] idx) {
        int[] y = new int[idx.length];
        for (int i = 0; i < idx.length; i++) y[i] = labels[idx[i]] & 0xFF;
        return y;
    }
}
