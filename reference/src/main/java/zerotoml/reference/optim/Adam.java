package zerotoml.reference.optim;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * torch.optim.Adam and torch.optim.AdamW, their documented update rules with NDArray ops
 * (https://pytorch.org/docs/stable/generated/torch.optim.Adam.html and .AdamW.html):
 * AdamW first θ ← θ(1 − γλ); Adam g ← g + λθ; m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
 * θ ← θ − (γ/(1 − β₁ᵗ)) · m / (√v/√(1 − β₂ᵗ) + ε), the arrangement of torch's
 * {@code _single_tensor_adam}; AMSGrad replaces v in the denominator by v_max = max(v_max, v).
 * DJL's own Adam places ε differently; see {@link DjlOptimizers}.
 */
public final class Adam {
    private Adam() {}

    public record State(int step, List<NDArray> m, List<NDArray> v, List<NDArray> vMax) {}

    public record Result(List<NDArray> params, State state) {}

    public static State init(List<NDArray> params) {
        List<NDArray> m = new ArrayList<>(), v = new ArrayList<>(), x = new ArrayList<>();
        for (NDArray p : params) {
            m.add(p.zerosLike());
            v.add(p.zerosLike());
            x.add(p.zerosLike());
        }
        return new State(0, m, v, x);
    }

    /** torch.optim.Adam (L2 weight decay added to the gradient). */
    public static Result adam(List<NDArray> params, List<NDArray> grads, State s,
                              double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
        return update(params, grads, s, lr, beta1, beta2, eps, weightDecay, 0, amsgrad);
    }

    /** torch.optim.AdamW (decoupled weight decay). */
    public static Result adamW(List<NDArray> params, List<NDArray> grads, State s,
                               double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
        return update(params, grads, s, lr, beta1, beta2, eps, 0, weightDecay, amsgrad);
    }

    private static Result update(List<NDArray> params, List<NDArray> grads, State s, double lr, double beta1, double beta2,
                                 double eps, double l2, double decoupled, boolean amsgrad) {
        int t = s.step() + 1;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        double stepSize = lr / bc1;
        List<NDArray> ps = new ArrayList<>(), ms = new ArrayList<>(), vs = new ArrayList<>(), xs = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i), g = grads.get(i);
            if (decoupled != 0) p = p.mul(Num.of(p, 1 - lr * decoupled));
            if (l2 != 0) g = g.add(p.mul(Num.of(p, l2)));
            NDArray m = s.m().get(i).mul(Num.of(p, beta1)).add(g.mul(Num.of(p, 1 - beta1)));
            NDArray v = s.v().get(i).mul(Num.of(p, beta2)).add(g.mul(g).mul(Num.of(p, 1 - beta2)));
            NDArray vMax = amsgrad ? s.vMax().get(i).maximum(v) : s.vMax().get(i);
            NDArray denom = (amsgrad ? vMax : v).sqrt().div(Num.of(p, bc2Sqrt)).add(Num.of(p, eps));
            ps.add(p.sub(m.div(denom).mul(Num.of(p, stepSize))));
            ms.add(m);
            vs.add(v);
            xs.add(vMax);
        }
        return new Result(ps, new State(t, ms, vs, xs));
    }
}
