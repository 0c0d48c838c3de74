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

    /**
     * F.huber_loss(a, b, reduction, delta), as its documentation defines it: with d = a − b,
     * ½ d² where |d| < δ, else δ (|d| − ½ δ). PyTorch rejects δ ≤ 0 ("huber_loss does not support
     * non-positive values for delta"); DJL has no Huber loss, so that check is written here.
     */
    public static NDArray huber(NDArray a, NDArray b, double delta, boolean mean) {
        if (!(delta > 0)) throw new IllegalArgumentException("huber_loss does not support non-positive values for delta, got " + delta);
        NDArray d = a.sub(b), ad = d.abs();
        NDArray quad = d.square().mul(Activations.num(d, 0.5));
        NDArray lin = ad.sub(Activations.num(d, 0.5 * delta)).mul(Activations.num(d, delta));
        NDArray l = ai.djl.ndarray.NDArrays.where(ad.lt(Activations.num(d, delta)), quad, lin);
        return mean ? l.mean() : l.sum();
    }

    /**
     * F.smooth_l1_loss(a, b, reduction, beta): ½ d²/β where |d| < β, else |d| − ½ β; β = 0 is the
     * L1 loss. PyTorch rejects β &lt; 0 ("smooth_l1_loss does not support negative values for beta").
     */
    public static NDArray smoothL1(NDArray a, NDArray b, double beta, boolean mean) {
        if (beta < 0) throw new IllegalArgumentException("smooth_l1_loss does not support negative values for beta, got " + beta);
        if (beta == 0) return l1(a, b, mean);
        NDArray d = a.sub(b), ad = d.abs();
        NDArray quad = d.square().mul(Activations.num(d, 0.5 / beta));
        NDArray lin = ad.sub(Activations.num(d, 0.5 * beta));
        NDArray l = ai.djl.ndarray.NDArrays.where(ad.lt(Activations.num(d, beta)), quad, lin);
        return mean ? l.mean() : l.sum();
    }
}
