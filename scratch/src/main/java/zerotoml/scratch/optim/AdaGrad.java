package zerotoml.scratch.optim;

import java.util.List;
import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.Autodiff.Params;
import zerotoml.scratch.tensor.Tensor;

/**
 * Duchi, Hazan and Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic
 * Optimization" (JMLR 12, 2011), in the form {@code torch.optim.Adagrad} documents:
 *
 * <pre>
 *   γ̃ ← γ / (1 + (t − 1) η)            (η = lrDecay)
 *   g ← ∇θ + λ θ
 *   s ← s + g²                          (s₀ = τ, the initial accumulator value)
 *   θ ← θ − γ̃ g / (√s + ε)
 * </pre>
 */
public final class AdaGrad {
    private AdaGrad() {}

    /** torch's defaults: lr 1e-2, lrDecay 0, weightDecay 0, initialAccumulatorValue 0, eps 1e-10. */
    public record Hyper(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue, double eps) {
        public Hyper {
            if (!(lr >= 0)) throw new IllegalArgumentException("AdaGrad: lr must be >= 0, got " + lr);
            if (!(lrDecay >= 0)) throw new IllegalArgumentException("AdaGrad: lrDecay must be >= 0, got " + lrDecay);
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("AdaGrad: weightDecay must be >= 0, got " + weightDecay);
            if (!(initialAccumulatorValue >= 0)) throw new IllegalArgumentException("AdaGrad: initialAccumulatorValue must be >= 0, got " + initialAccumulatorValue);
            if (!(eps >= 0)) throw new IllegalArgumentException("AdaGrad: eps must be >= 0, got " + eps);
        }

        public static Hyper defaults(double lr) {
            return new Hyper(lr, 0, 0, 0, 1e-10);
        }

        public Hyper withLr(double newLr) {
            return new Hyper(newLr, lrDecay, weightDecay, initialAccumulatorValue, eps);
        }
    }

    /** The step count and the running sum of squared gradients s. */
    public record State<P extends Record>(int step, P sum) {}

    public static <P extends Record> State<P> init(Hyper h, P params) {
        return new State<>(0, Leaves.filledLike(params, h.initialAccumulatorValue()));
    }

    public static <P extends Record> Step<P, State<P>> step(Hyper h, P params, P grads, State<P> state) {
        List<Tensor> ps = Params.tensors(params);
        List<Tensor> gs = Leaves.grads("AdaGrad.step", params, grads);
        List<Tensor> ss = Leaves.matching("AdaGrad.step", "state.sum", ps, Params.tensors(state.sum()));
        Leaves.checkStep("AdaGrad.step", state.step());
        int t = state.step() + 1;
        // γ̃ = γ / (1 + (t − 1) η)
        double clr = h.lr() / (1 + (t - 1) * h.lrDecay());
        List<Tensor> newP = Leaves.list(ps.size()), newS = Leaves.list(ps.size());
        for (int i = 0; i < ps.size(); i++) {
            Tensor p = ps.get(i), g = gs.get(i);
            // g ← g + λ θ
            if (h.weightDecay() != 0) g = g.add(p.mul(h.weightDecay()));
            // s ← s + g²
            Tensor s = ss.get(i).add(g.mul(g));
            // θ ← θ − γ̃ g / (√s + ε)
            Tensor denom = Arithmetic.sqrt(s).add(h.eps());
            newP.add(p.sub(g.div(denom).mul(clr)));
            newS.add(s);
        }
        return new Step<>(Params.rebuild(params, newP), new State<>(t, Params.rebuild(params, newS)));
    }
}
