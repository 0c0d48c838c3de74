package zerotoml.scratch.optim;

import java.util.ArrayList;
import java.util.List;
import zerotoml.scratch.tensor.Autodiff.Params;
import zerotoml.scratch.tensor.Tensor;

/**
 * Weight averaging: Polyak and Juditsky, "Acceleration of Stochastic Approximation by Averaging"
 * (SIAM J. Control Optim. 30(4), 1992; no arXiv), in its exponential form, which SAC's target
 * networks (arXiv 1801.01290) and DDPM's sampled weights (arXiv 2006.11239, appendix B: decay
 * 0.9999) both use. Shared by {@code rl/Sac} and the diffusion examples; one function, no copies.
 *
 * <pre>
 *   θ̄ ← τ θ + (1 − τ) θ̄                          (Polyak step τ; τ = 1 copies θ exactly)
 *   θ̄ ← d θ̄ + (1 − d) θ,  d_t = min(d, (1 + t)/(10 + t))   (EMA with decay d, warmed up over the first steps)
 * </pre>
 */
public final class Averaging {
    private Averaging() {}

    /** θ̄ ← τθ + (1 − τ)θ̄ for every tensor of two records of one type (no gradient flows); τ = 1 is a hard copy. */
    public static <P extends Record> P polyak(P online, P target, double tau) {
        if (!(tau >= 0 && tau <= 1)) throw new IllegalArgumentException("Averaging.polyak: tau must be in [0, 1], got " + tau);
        if (online == null || target == null) throw new IllegalArgumentException("Averaging.polyak: online and target must not be null");
        List<Tensor> on = Params.tensors(online), tg = Params.tensors(target);
        if (on.size() != tg.size()) throw new IllegalArgumentException("Averaging.polyak: online has " + on.size() + " tensors, target " + tg.size());
        List<Tensor> out = new ArrayList<>(on.size());
        for (int i = 0; i < on.size(); i++) {
            if (!on.get(i).shape().equals(tg.get(i).shape()))
                throw new IllegalArgumentException("Averaging.polyak: tensor " + i + " is " + on.get(i).shape() + " online but " + tg.get(i).shape() + " in the target");
            if (on.get(i).dtype() != tg.get(i).dtype())
                throw new IllegalArgumentException("Averaging.polyak: tensor " + i + " is " + on.get(i).dtype() + " online but " + tg.get(i).dtype() + " in the target");
            // a hard copy when τ = 1 (exactly, with no rounding through (1 − τ)·θ̄)
            out.add(tau == 1 ? on.get(i).detach() : on.get(i).detach().mul(tau).add(tg.get(i).detach().mul(1 - tau)));
        }
        return Params.rebuild(target, out);
    }

    /**
     * The decay used after {@code updates} earlier updates: d_t = min(d, (1 + t)/(10 + t)), the warm-up
     * of TensorFlow's {@code ExponentialMovingAverage(num_updates=t)}, so that the initial weights
     * do not linger (d_0 = 0.1) in a short run.
     */
    public static double warmDecay(double decay, long updates) {
        if (!(decay >= 0 && decay < 1)) throw new IllegalArgumentException("Averaging.warmDecay: decay must be in [0, 1), got " + decay);
        if (updates < 0) throw new IllegalArgumentException("Averaging.warmDecay: updates must be >= 0, got " + updates);
        return Math.min(decay, (1.0 + updates) / (10.0 + updates));
    }

    /** The EMA after one more update: θ̄ ← d_t θ̄ + (1 − d_t) θ with d_t = {@link #warmDecay}(decay, updates); decay 0 tracks θ exactly. */
    public static <P extends Record> P ema(P average, P params, double decay, long updates) {
        return polyak(params, average, 1 - warmDecay(decay, updates));
    }
}
