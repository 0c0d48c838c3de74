package zerotoml.scratch.optim;

/**
 * Loshchilov and Hutter, "Decoupled Weight Decay Regularization" (arXiv 1711.05101), as
 * {@code torch.optim.AdamW} documents it: the weight decay shrinks the parameters directly
 * instead of entering the gradient, then the {@link Adam} step follows.
 *
 * <pre>
 *   θ ← θ − γ λ θ                     (evaluated as θ (1 − γ λ), as torch does)
 *   m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²
 *   θ ← θ − γ m̂ / (√v̂ + ε)            (with AMSGrad's v_max when asked)
 * </pre>
 */
public final class AdamW {
    private AdamW() {}

    /** torch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weightDecay 1e-2, amsgrad false. */
    public record Hyper(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
        public Hyper {
            Adam.checkCommon("AdamW", lr, beta1, beta2, eps, weightDecay);
        }

        public static Hyper defaults(double lr) {
            return new Hyper(lr, 0.9, 0.999, 1e-8, 1e-2, false);
        }

        public Hyper withLr(double newLr) {
            return new Hyper(newLr, beta1, beta2, eps, weightDecay, amsgrad);
        }
    }

    /** AdamW keeps exactly Adam's state. */
    public static <P extends Record> Adam.State<P> init(P params) {
        return Adam.init(params);
    }

    public static <P extends Record> Step<P, Adam.State<P>> step(Hyper h, P params, P grads, Adam.State<P> state) {
        return Adam.update("AdamW.step", h.lr(), h.beta1(), h.beta2(), h.eps(), 0, h.weightDecay(), h.amsgrad(), params, grads, state);
    }
}
