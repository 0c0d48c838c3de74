package zerotoml.reference.optim;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * torch.optim.RMSprop's documented update rule with NDArray ops
 * (https://pytorch.org/docs/stable/generated/torch.optim.RMSprop.html):
 * g ← g + λθ; v ← αv + (1 − α)g²; ṽ ← v, centered: ḡ ← αḡ + (1 − α)g, ṽ ← ṽ − ḡ²;
 * μ &gt; 0: b ← μb + g/(√ṽ + ε), θ ← θ − γb; else θ ← θ − γ g/(√ṽ + ε).
 * DJL's {@code Optimizer.rmsprop()} is not implemented on the PyTorch engine (DJL.md §3).
 */
public final class RmsProp {
    private RmsProp() {}

    public record State(int step, List<NDArray> squareAvg, List<NDArray> gradAvg, List<NDArray> momentumBuffer) {}

    public record Result(List<NDArray> params, State state) {}

    public static State init(List<NDArray> params) {
        List<NDArray> v = new ArrayList<>(), a = new ArrayList<>(), b = new ArrayList<>();
        for (NDArray p : params) {
            v.add(p.zerosLike());
            a.add(p.zerosLike());
            b.add(p.zerosLike());
        }
        return new State(0, v, a, b);
    }

    public static Result step(List<NDArray> params, List<NDArray> grads, State st,
                              double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        List<NDArray> ps = new ArrayList<>(), vs = new ArrayList<>(), as = new ArrayList<>(), bs = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i), g = grads.get(i), gAvg = st.gradAvg().get(i), b = st.momentumBuffer().get(i);
            if (weightDecay != 0) g = g.add(p.mul(Num.of(p, weightDecay)));
            NDArray v = st.squareAvg().get(i).mul(Num.of(p, alpha)).add(g.mul(g).mul(Num.of(p, 1 - alpha)));
            NDArray vTilde = v;
            if (centered) {
                gAvg = gAvg.mul(Num.of(p, alpha)).add(g.mul(Num.of(p, 1 - alpha)));
                vTilde = v.sub(gAvg.mul(gAvg));
            }
            NDArray denom = vTilde.sqrt().add(Num.of(p, eps));
            if (momentum > 0) {
                b = b.mul(Num.of(p, momentum)).add(g.div(denom));
                ps.add(p.sub(b.mul(Num.of(p, lr))));
            } else {
                ps.add(p.sub(g.div(denom).mul(Num.of(p, lr))));
            }
            vs.add(v);
            as.add(gAvg);
            bs.add(b);
        }
        return new Result(ps, new State(st.step() + 1, vs, as, bs));
    }
}
