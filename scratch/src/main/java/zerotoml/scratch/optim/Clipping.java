package zerotoml.scratch.optim;

import java.util.ArrayList;
import java.util.List;
import zerotoml.scratch.kernels.SumOfSquares;
import zerotoml.scratch.tensor.Autodiff.Params;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * Gradient clipping by global norm, as {@code torch.nn.utils.clip_grad_norm_} does it (the global
 * form is from Pascanu, Mikolov and Bengio, "On the difficulty of training Recurrent Neural
 * Networks", arXiv 1211.5063):
 *
 * <pre>
 *   ‖g‖ = √(Σᵢ ‖gᵢ‖²)                 (the 2-norm of the per-tensor 2-norms)
 *   c = max_norm / (‖g‖ + 10⁻⁶)
 *   gᵢ ← gᵢ · min(c, 1)
 * </pre>
 */
public final class Clipping {
    private Clipping() {}

    /** The clipped gradients, the global norm before clipping, and the factor applied (1 when none). */
    public record Clipped<P extends Record>(P grads, double totalNorm, double scale) {}

    public static <P extends Record> Clipped<P> clipGradNorm(P grads, double maxNorm) {
        if (!(maxNorm >= 0)) throw new IllegalArgumentException("clipGradNorm: maxNorm must be >= 0, got " + maxNorm);
        if (grads == null) throw new IllegalArgumentException("clipGradNorm: grads must not be null");
        List<Tensor> gs = Params.tensors(grads);
        if (gs.isEmpty()) return new Clipped<>(grads, 0, 1);
        DType dt = gs.get(0).dtype();
        for (Tensor g : gs) dt = DType.promote(dt, g.dtype());
        // ‖g‖ = √(Σᵢ ‖gᵢ‖²), each norm rounded to the gradient's dtype as torch's per-tensor norms are
        double sumSq = 0;
        for (Tensor g : gs) {
            // Σ g², in index order in double, from the tensor's own array (kernels.SumOfSquares)
            double s = g.dtype() == DType.F32 ? SumOfSquares.of(g.rawFloats()) : SumOfSquares.of(g.rawData());
            double n = g.dtype().round(Math.sqrt(s));
            sumSq += n * n;
        }
        double total = dt.round(Math.sqrt(sumSq));
        // c = max_norm / (‖g‖ + 1e-6), clamped to at most 1
        double coef = dt.round(maxNorm / dt.round(total + 1e-6));
        if (!(coef < 1)) return new Clipped<>(grads, total, 1);
        List<Tensor> out = new ArrayList<>(gs.size());
        // gᵢ ← gᵢ · c
        for (Tensor g : gs) out.add(g.mul(coef));
        return new Clipped<>(Params.rebuild(grads, out), total, coef);
    }
}
