package zerotoml.reference.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.List;

/**
 * torch.nn.utils.clip_grad_norm_ with NDArray ops: the 2-norm of the stacked per-tensor 2-norms,
 * {@code c = max_norm / (total + 1e-6)} clamped to at most 1, each gradient times c.
 */
public final class Clipping {
    private Clipping() {}

    public record Clipped(List<NDArray> grads, NDArray totalNorm) {}

    public static Clipped clipGradNorm(List<NDArray> grads, double maxNorm) {
        NDList norms = new NDList();
        for (NDArray g : grads) norms.add(g.square().sum().sqrt());
        NDArray total = NDArrays.stack(norms).square().sum().sqrt();
        NDArray coef = total.onesLike().mul(Num.of(total, maxNorm)).div(total.add(Num.of(total, 1e-6))).minimum(Num.of(total, 1.0));
        List<NDArray> out = new ArrayList<>();
        for (NDArray g : grads) out.add(g.mul(coef));
        return new Clipped(out, total);
    }
}
