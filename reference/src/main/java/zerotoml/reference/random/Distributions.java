package zerotoml.reference.random;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import zerotoml.reference.tensor.Indexing;

/**
 * The categorical and diagonal-Gaussian distributions as {@code torch.distributions} writes them
 * (torch/distributions/categorical.py and normal.py); DJL has no distributions package, so each
 * method is that file's formula in NDArray ops.
 */
public final class Distributions {
    private Distributions() {}

    /**
     * Categorical(logits=logits).log_prob(actions): the logits are normalised with
     * {@code logits - logits.logsumexp(-1, keepdim=True)} (log_softmax), then the action's entry is
     * gathered along the last axis.
     */
    public static NDArray categoricalLogProb(NDArray logits, NDArray actions) {
        NDArray logp = logits.logSoftmax(-1);
        NDArray idx = Indexing.int64(actions).expandDims(-1);
        return logp.gather(idx, -1).squeeze(-1);
    }

    /**
     * Categorical.entropy(): {@code min_real = finfo(logits.dtype).min;
     * logits = clamp(logits, min=min_real); p_log_p = logits * probs; return -p_log_p.sum(-1)},
     * with the normalised logits (log_softmax) and probs = softmax.
     */
    public static NDArray categoricalEntropy(NDArray logits) {
        double minReal = logits.getDataType() == DataType.FLOAT32 ? -Float.MAX_VALUE : -Double.MAX_VALUE;
        NDArray logp = logits.logSoftmax(-1);
        NDArray clamped = logp.getDataType() == DataType.FLOAT32 ? logp.maximum((float) minReal) : logp.maximum(minReal);
        return clamped.mul(logits.softmax(-1)).sum(new int[] {-1}).neg();
    }

    /**
     * Normal(mean, std).log_prob(x).sum(-1) with std = exp(logStd): normal.py computes
     * {@code -((value - loc) ** 2) / (2 * var) - log_scale - math.log(math.sqrt(2 * math.pi))},
     * var = scale², log_scale = scale.log().
     */
    public static NDArray gaussianLogProb(NDArray x, NDArray mean, NDArray logStd) {
        NDArray std = logStd.exp();
        NDArray var = std.square();
        NDArray lp = x.sub(mean).square().neg().div(var.mul(num(x, 2))).sub(std.log()).sub(num(x, Math.log(Math.sqrt(2 * Math.PI))));
        return lp.sum(new int[] {-1});
    }

    /**
     * Normal(mean, std).entropy().sum(-1): normal.py computes {@code 0.5 + 0.5 * math.log(2 * math.pi)
     * + torch.log(self.scale)}, broadcast to the batch shape of (mean, std).
     */
    public static NDArray gaussianEntropy(NDArray mean, NDArray logStd) {
        NDArray h = logStd.exp().log().add(num(mean, 0.5 + 0.5 * Math.log(2 * Math.PI)));
        NDArray full = h.add(mean.zerosLike().stopGradient());
        return full.sum(new int[] {-1});
    }

    /** Normal(mean, std).rsample() with the noise given: {@code loc + eps * scale}. */
    public static NDArray gaussianSample(NDArray mean, NDArray logStd, NDArray eps) {
        return mean.add(eps.mul(logStd.exp()));
    }

    private static Number num(NDArray x, double v) {
        return x.getDataType() == DataType.FLOAT32 ? (Number) (float) v : (Number) v;
    }
}
