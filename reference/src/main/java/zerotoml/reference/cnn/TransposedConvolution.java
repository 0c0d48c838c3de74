package zerotoml.reference.cnn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * {@code torch.nn.functional.conv_transpose{1,2,3}d}. DJL's {@code Conv*dTranspose} throws "Not
 * implemented" on the PyTorch engine, and DJL exposes no second-order gradients, so the gradient
 * of conv with respect to its input cannot serve as a differentiable reference. This uses the
 * workaround measured in the project's DJL notes (matches a naive ConvTranspose to 2.6e-16, with
 * gradients): zero insertion between input units (concat zeros, reshape), slices for negative widths (crops)
 * and {@code pad} for positive ones (output padding on the high side), and a PyTorch convolution with dilation
 * d and groups g whose kernel is reshaped [g, in/g, out/g, k] → [out, in/g, k] and flipped.
 */
public final class TransposedConvolution {
    private TransposedConvolution() {}

    /** w is [C_in, C_out/groups, k...] as in PyTorch; {@code bias} may be null. */
    public static NDArray convTranspose(NDArray x, NDArray w, NDArray bias, int[] stride, int[] padding, int[] outputPadding, int[] dilation, int groups) {
        int dims = stride.length;
        // PyTorch's conv_transpose{1,2,3}d rejects an argument with the wrong number of entries; the
        // composed reference must too, or it reads the first entries and ignores the rest
        // (notes/ReferenceDefects.md, defect 5)
        int spatial = x.getShape().dimension() - 2;
        String[] names = {"stride", "padding", "output padding", "dilation"};
        int[][] values = {stride, padding, outputPadding, dilation};
        for (int i = 0; i < names.length; i++) {
            if (spatial >= 1 && values[i].length != spatial) {
                throw new IllegalArgumentException("convTranspose: " + names[i] + " has " + values[i].length + " entries for " + spatial
                        + " spatial axes (input " + x.getShape() + ")");
            }
        }
        long[] xs = x.getShape().getShape(), ws = w.getShape().getShape();
        // zero insertion: [.., i, ..] → [.., i, s, ..] (value then s − 1 zeros) → [.., i·s, ..]
        NDArray z = x;
        for (int j = 0; j < dims; j++) {
            int s = stride[j];
            if (s == 1) continue;
            int ax = 2 + j;
            long[] cur = z.getShape().getShape();
            long[] zeros = new long[cur.length + 1];
            for (int a = 0, b = 0; a < zeros.length; a++) zeros[a] = a == ax + 1 ? s - 1 : cur[b++];
            NDArray withZeros = z.expandDims(ax + 1).concat(z.getManager().zeros(new Shape(zeros), z.getDataType()), ax + 1);
            long[] merged = cur.clone();
            merged[ax] = cur[ax] * s;
            z = withZeros.reshape(new Shape(merged));
        }
        // pad d(k − 1) − p low, d(k − 1) − p + a high, minus the s − 1 trailing zeros
        int[] lo = new int[dims], hi = new int[dims];
        for (int j = 0; j < dims; j++) {
            int dk = dilation[j] * (int) (ws[2 + j] - 1);
            lo[j] = dk - padding[j];
            hi[j] = dk - padding[j] + outputPadding[j] - (stride[j] - 1);
        }
        // DJL's Shape cannot hold a negative width, so the crops are slices and only the rest is padding
        StringBuilder crop = new StringBuilder(":, :");
        long[] zs = z.getShape().getShape();
        for (int j = 0; j < dims; j++) {
            long from = Math.max(0, -lo[j]), to = zs[2 + j] - Math.max(0, -hi[j]);
            crop.append(", ").append(from).append(':').append(to);
            lo[j] = Math.max(0, lo[j]);
            hi[j] = Math.max(0, hi[j]);
        }
        z = z.get(new ai.djl.ndarray.index.NDIndex(crop.toString())).pad(Convolution.padWidths(lo, hi), 0);
        // kernel [C_in, C_out/g, k] → [g, C_in/g, C_out/g, k] → [g, C_out/g, C_in/g, k] → [C_out, C_in/g, k], flipped
        long cIn = ws[0], cOutG = ws[1];
        long[] grouped = new long[dims + 3], swapped = new long[dims + 2];
        grouped[0] = groups;
        grouped[1] = cIn / groups;
        grouped[2] = cOutG;
        swapped[0] = cOutG * groups;
        swapped[1] = cIn / groups;
        int[] flip = new int[dims];
        for (int j = 0; j < dims; j++) {
            grouped[3 + j] = ws[2 + j];
            swapped[2 + j] = ws[2 + j];
            flip[j] = 2 + j;
        }
        NDArray wT = w.reshape(new Shape(grouped)).swapAxes(1, 2).reshape(new Shape(swapped)).flip(flip);
        int[] ones = new int[dims];
        java.util.Arrays.fill(ones, 1);
        if (xs.length != dims + 2) throw new IllegalArgumentException("convTranspose: input rank " + xs.length);
        return Convolution.conv(z, wT, bias, ones, new int[dims], new int[dims], dilation, groups);
    }
}
