package zerotoml.reference.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Losses written the way PyTorch defines F.cross_entropy, F.mse_loss and F.l1_loss, from NDArray
 * ops. DJL's own loss classes are not used on purpose (DJL.md §1.6 and §11.7):
 * SoftmaxCrossEntropyLoss needs [B, T, 1] labels for [B, T, V] logits, L1Loss mishandles a
 * weight other than 1, and L2Loss is half the MSE.
 */
public final class Losses {
    private Losses() {}

    /**
     * F.cross_entropy(logits.view(-1, C), targets.view(-1), reduction) with the class axis last:
     * {@code -log_softmax(logits)[..., target]} via gather, then mean or sum. gather rejects a
     * target outside [0, C); the shape check is the one F.cross_entropy makes.
     */
    public static NDArray crossEntropy(NDArray logits, NDArray targets, boolean mean) {
        Shape ls = logits.getShape();
        if (ls.dimension() == 0) throw new IllegalArgumentException("cross_entropy: logits must have a class dimension, got " + ls);
        long[] lead = Arrays.copyOf(ls.getShape(), ls.dimension() - 1);
        if (!Arrays.equals(lead, targets.getShape().getShape())) {
            throw new IllegalArgumentException("cross_entropy: expected target size " + new Shape(lead) + ", got " + targets.getShape());
        }
        NDArray lp = logits.logSoftmax(-1);
        NDArray picked = lp.gather(Indexing.int64(targets).expandDims(-1), -1);
        NDArray nll = picked.neg();
        return mean ? nll.mean() : nll.sum();
    }

    /** F.mse_loss(a, b, reduction): mean or sum of (a - b)². */
    public static NDArray mse(NDArray a, NDArray b, boolean mean) {
        NDArray sq = a.sub(b).square();
        return mean ? sq.mean() : sq.sum();
    }

    /** F.l1_loss(a, b, reduction): mean or sum of |a - b|. */
    public static NDArray l1(NDArray a, NDArray b, boolean mean) {
        NDArray abs = a.sub(b).abs();
        return mean ? abs.mean() : abs.sum();
    }
}
