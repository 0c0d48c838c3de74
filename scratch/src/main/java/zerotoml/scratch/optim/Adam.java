package zerotoml.scratch.optim;

import java.util.List;
import zerotoml.scratch.kernels.AdamKernel;
import zerotoml.scratch.tensor.Autodiff.Params;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Shape;
import zerotoml.scratch.tensor.Tensor;

/**
 * Kingma and Ba, "Adam: A Method for Stochastic Optimization" (arXiv 1412.6980), with the AMSGrad
 * option of Reddi, Kale and Kumar, "On the Convergence of Adam and Beyond" (arXiv 1904.09237), as
 * {@code torch.optim.Adam} documents it:
 *
 * <pre>
 *   g ← ∇θ + λ θ                      (L2 weight decay, added to the gradient)
 *   m ← β₁ m + (1 − β₁) g
 *   v ← β₂ v + (1 − β₂) g²
 *   m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
 *   amsgrad: v_max ← max(v_max, v),  v̂ = v_max / (1 − β₂ᵗ)
 *   θ ← θ − γ m̂ / (√v̂ + ε)
 * </pre>
 *
 * The last line is evaluated the way torch's implementation arranges it,
 * {@code θ − (γ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)}, which is the same number in exact
 * arithmetic. AMSGrad keeps the maximum of the raw v (torch's implementation; its docs write the
 * maximum of v̂, which differs once the bias correction changes between steps).
 */
public final class Adam {
    private Adam() {}

    /** torch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weightDecay 0, amsgrad false. */
    public record Hyper(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
        public Hyper {
            checkCommon("Adam", lr, beta1, beta2, eps, weightDecay);
        }

        public static Hyper defaults(double lr) {
            return new Hyper(lr, 0.9, 0.999, 1e-8, 0, false);
        }

        public Hyper withLr(double newLr) {
            return new Hyper(newLr, beta1, beta2, eps, weightDecay, amsgrad);
        }
    }

    /** The step count t, the moments m and v, and the running maximum of v (AMSGrad; zeros otherwise). */
    public record State<P extends Record>(int step, P m, P v, P vMax) {}

    public static <P extends Record> State<P> init(P params) {
        return new State<>(0, Leaves.zerosLike(params), Leaves.zerosLike(params), Leaves.zerosLike(params));
    }

    public static <P extends Record> Step<P, State<P>> step(Hyper h, P params, P grads, State<P> state) {
        return update("Adam.step", h.lr(), h.beta1(), h.beta2(), h.eps(), h.weightDecay(), 0, h.amsgrad(), params, grads, state);
    }

    static void checkCommon(String op, double lr, double beta1, double beta2, double eps, double weightDecay) {
        if (!(lr >= 0)) throw new IllegalArgumentException(op + ": lr must be >= 0, got " + lr);
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException(op + ": beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException(op + ": beta2 must be in [0, 1), got " + beta2);
        if (!(eps >= 0)) throw new IllegalArgumentException(op + ": eps must be >= 0, got " + eps);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException(op + ": weightDecay must be >= 0, got " + weightDecay);
    }

    /** One Adam step with L2 decay {@code l2} added to the gradient and decoupled decay {@code decoupled} (AdamW). */
    static <P extends Record> Step<P, State<P>> update(String op, double lr, double beta1, double beta2, double eps,
                                                      double l2, double decoupled, boolean amsgrad,
                                                      P params, P grads, State<P> state) {
        List<Tensor> ps = Params.tensors(params);
        List<Tensor> gs = Leaves.grads(op, params, grads);
        List<Tensor> ms = Leaves.matching(op, "state.m", ps, Params.tensors(state.m()));
        List<Tensor> vs = Leaves.matching(op, "state.v", ps, Params.tensors(state.v()));
        List<Tensor> xs = Leaves.matching(op, "state.vMax", ps, Params.tensors(state.vMax()));
        Leaves.checkStep(op, state.step());
        int t = state.step() + 1;
        // bias corrections 1 − β₁ᵗ and √(1 − β₂ᵗ), and the step size γ / (1 − β₁ᵗ)
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        double stepSize = lr / bc1;
        List<Tensor> newP = Leaves.list(ps.size()), newM = Leaves.list(ps.size()), newV = Leaves.list(ps.size()), newX = Leaves.list(ps.size());
        // every step below, per element and in one pass: kernels.AdamKernel (its twin replays the ops)
        AdamKernel.Step k = new AdamKernel.Step(decoupled != 0, 1 - lr * decoupled, l2, beta1, 1 - beta1, beta2, 1 - beta2, bc2Sqrt, eps, stepSize, amsgrad);
        for (int i = 0; i < ps.size(); i++) {
            Tensor p = ps.get(i), g = gs.get(i), m = ms.get(i), v = vs.get(i), x = xs.get(i);
            int n = p.size();
            Shape s = p.shape();
            if (p.dtype() == DType.F32) {
                float[] np = new float[n], nm = new float[n], nv = new float[n], nx = amsgrad ? new float[n] : null;
                // AdamW: θ ← θ (1 − γ λ);  Adam: g ← g + λ θ;  m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;
                // amsgrad: v_max ← max(v_max, v);  θ ← θ − (γ / (1 − β₁ᵗ)) m / (√v / √(1 − β₂ᵗ) + ε)
                AdamKernel.step(k, p.rawFloats(), g.rawFloats(), m.rawFloats(), v.rawFloats(), amsgrad ? x.rawFloats() : null, np, nm, nv, nx, n);
                newP.add(Tensor.record(op, s, np, null));
                newM.add(Tensor.record(op, s, nm, null));
                newV.add(Tensor.record(op, s, nv, null));
                newX.add(amsgrad ? Tensor.record(op, s, nx, null) : x);
            } else {
                double[] np = new double[n], nm = new double[n], nv = new double[n], nx = amsgrad ? new double[n] : null;
                // the same steps in double
                AdamKernel.step(k, p.rawData(), g.rawData(), m.rawData(), v.rawData(), amsgrad ? x.rawData() : null, np, nm, nv, nx, n);
                newP.add(Tensor.record(op, s, DType.F64, np, null));
                newM.add(Tensor.record(op, s, DType.F64, nm, null));
                newV.add(Tensor.record(op, s, DType.F64, nv, null));
                newX.add(amsgrad ? Tensor.record(op, s, DType.F64, nx, null) : x);
            }
        }
        return new Step<>(Params.rebuild(params, newP),
                new State<>(t, Params.rebuild(params, newM), Params.rebuild(params, newV), Params.rebuild(params, newX)));
    }
}
