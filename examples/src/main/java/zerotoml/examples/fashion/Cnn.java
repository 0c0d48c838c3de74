package zerotoml.examples.fashion;

import java.util.SplittableRandom;
import zerotoml.scratch.cnn.Convolution;
import zerotoml.scratch.cnn.Pooling;
import zerotoml.scratch.tensor.Activations;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * A small LeNet-style convolutional classifier (after LeCun et al., "Gradient-based learning
 * applied to document recognition", Proc. IEEE 1998): two 3x3 convolutions with ReLU and 2x2 max
 * pooling, then one linear layer.
 *
 * <pre>
 *   x [B, 1, H, W] → conv 3x3 pad 1 → relu → maxpool 2 → [B, c, H/2, W/2]
 *                  → conv 3x3 pad 1 → relu → maxpool 2 → [B, 2c, H/4, W/4] → flatten → linear → logits [B, 10]
 * </pre>
 *
 * @param c1w [c, 1, 3, 3]
 * @param c1b [c]
 * @param c2w [2c, c, 3, 3]
 * @param c2b [2c]
 * @param fw  [2c · H/4 · W/4, classes]
 * @param fb  [classes]
 * @param rows image height H (a multiple of 4)
 * @param cols image width W (a multiple of 4)
 */
public record Cnn(Tensor c1w, Tensor c1b, Tensor c2w, Tensor c2b, Tensor fw, Tensor fb, int rows, int cols) {
    public Cnn {
        if (rows % 4 != 0 || cols % 4 != 0) throw new IllegalArgumentException("Cnn: image sides must be multiples of 4, got " + rows + "x" + cols);
    }

    /** torch.nn.Conv2d / Linear default initialisation: uniform in ±1/√fan_in, from a seed. */
    public static Cnn init(DType dt, int rows, int cols, int channels, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int c2 = 2 * channels, flat = c2 * (rows / 4) * (cols / 4);
        double b1 = 1 / Math.sqrt(9), b2 = 1 / Math.sqrt(channels * 9.0), b3 = 1 / Math.sqrt(flat);
        return new Cnn(Mlp.uniform(r, dt, b1, channels, 1, 3, 3), Mlp.uniform(r, dt, b1, channels),
                Mlp.uniform(r, dt, b2, c2, channels, 3, 3), Mlp.uniform(r, dt, b2, c2),
                Mlp.uniform(r, dt, b3, flat, classes), Mlp.uniform(r, dt, b3, classes), rows, cols);
    }

    /** logits [B, classes] for images x [B, rows·cols]. */
    public Tensor logits(Tensor x) {
        // logits = flatten(h₂) W + b
        return features(x).matmul(fw).add(fb);
    }

    /** The penultimate features flatten(h₂) [B, 2c · rows/4 · cols/4], the input of the last (linear) layer. */
    public Tensor features(Tensor x) {
        int b = x.shape().dim(0);
        Pooling.Spec pool = Pooling.Spec.of(2, 2);
        // h₁ = maxpool(relu(conv(x, W₁) + b₁))
        Tensor h = x.reshape(b, 1, rows, cols);
        h = Pooling.maxPool(Activations.relu(Convolution.conv(h, c1w, c1b, 1, 1, 1, 1)), pool);
        // h₂ = maxpool(relu(conv(h₁, W₂) + b₂))
        h = Pooling.maxPool(Activations.relu(Convolution.conv(h, c2w, c2b, 1, 1, 1, 1)), pool);
        return h.reshape(b, fw.shape().dim(0));
    }
}
