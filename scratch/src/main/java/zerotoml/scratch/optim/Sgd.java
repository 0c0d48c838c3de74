package zerotoml.scratch.optim;

import java.util.List;
import zerotoml.scratch.tensor.Autodiff.Params;
import zerotoml.scratch.tensor.Tensor;

/**
 * Stochastic gradient descent with momentum, dampening, Nesterov momentum and (L2) weight decay,
 * exactly as {@code torch.optim.SGD} documents it. Nesterov momentum in this form is from
 * Sutskever, Martens, Dahl and Hinton, "On the importance of initialization and momentum in deep
 * learning" (ICML 2013).
 *
 * <pre>
 *   g ← ∇θ + λ θ                        (λ = weightDecay)
 *   b ← g                    at t = 1
 *   b ← μ b + (1 − τ) g      at t &gt; 1  (μ = momentum, τ = dampening)
 *   g ← g + μ b  (Nesterov)  or  g ← b
 *   θ ← θ − γ g                         (γ = lr)
 * </pre>
 */
public final class Sgd {
    private Sgd() {}

    /** torch.optim.SGD's hyper-parameters; defaults are {@code lr, 0, 0, 0, false}. */
    public record Hyper(double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        public Hyper {
            if (!(lr >= 0)) throw new IllegalArgumentException("Sgd: lr must be >= 0, got " + lr);
            if (!(momentum >= 0)) throw new IllegalArgumentException("Sgd: momentum must be >= 0, got " + momentum);
            if (!(dampening >= 0 && dampening <= 1)) throw new IllegalArgumentException("Sgd: dampening must be in [0, 1], got " + dampening);
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("Sgd: weightDecay must be >= 0, got " + weightDecay);
            if (nesterov && (momentum <= 0 || dampening != 0)) {
                throw new IllegalArgumentException("Sgd: Nesterov momentum requires momentum > 0 and dampening 0, got momentum "
                        + momentum + ", dampening " + dampening);
            }
        }

        /** Plain SGD: {@code θ ← θ − γ ∇θ}. */
        public static Hyper plain(double lr) {
            return new Hyper(lr, 0, 0, 0, false);
        }

        /** The same hyper-parameters with another learning rate (what a schedule changes). */
        public Hyper withLr(double newLr) {
            return new Hyper(newLr, momentum, dampening, weightDecay, nesterov);
        }
    }

    /** The step count and the momentum buffer b (zeros until the first step). */
    public record State<P extends Record>(int step, P momentumBuffer) {}

    public static <P extends Record> State<P> init(P params) {
        return new State<>(0, Leaves.zerosLike(params));
    }

    public static <P extends Record> Step<P, State<P>> step(Hyper h, P params, P grads, State<P> state) {
        List<Tensor> ps = Params.tensors(params);
        List<Tensor> gs = Leaves.grads("Sgd.step", params, grads);
        List<Tensor> bs = Leaves.matching("Sgd.step", "state.momentumBuffer", ps, Params.tensors(state.momentumBuffer()));
        Leaves.checkStep("Sgd.step", state.step());
        int t = state.step() + 1;
        List<Tensor> newP = Leaves.list(ps.size()), newB = Leaves.list(ps.size());
        for (int i = 0; i < ps.size(); i++) {
            Tensor p = ps.get(i), g = gs.get(i), b = bs.get(i);
            // g ← g + λ θ
            if (h.weightDecay() != 0) g = g.add(p.mul(h.weightDecay()));
            if (h.momentum() != 0) {
                // b ← g at t = 1, else b ← μ b + (1 − τ) g
                b = t == 1 ? g : b.mul(h.momentum()).add(g.mul(1 - h.dampening()));
                // g ← g + μ b (Nesterov) or g ← b
                g = h.nesterov() ? g.add(b.mul(h.momentum())) : b;
            }
            // θ ← θ − γ g
            newP.add(p.sub(g.mul(h.lr())));
            newB.add(b);
        }
        return new Step<>(Params.rebuild(params, newP), new State<>(t, Params.rebuild(params, newB)));
    }
}
