package zerotoml.reference.optim;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * torch.optim.Adagrad's documented update rule with NDArray ops
 * (https://pytorch.org/docs/stable/generated/torch.optim.Adagrad.html):
 * γ̃ = γ / (1 + (t − 1)η); g ← g + λθ; s ← s + g²; θ ← θ − γ̃ g / (√s + ε), with s₀ = the initial
 * accumulator value. DJL's {@code Optimizer.adagrad()} fails on the PyTorch engine (DJL.md §3).
 */
public final class AdaGrad {
    private AdaGrad() {}

    public record State(int step, List<NDArray> sum) {}

    public record Result(List<NDArray> params, State state) {}

    public static State init(List<NDArray> params, double initialAccumulatorValue) {
        List<NDArray> s = new ArrayList<>();
        for (NDArray p : params) s.add(p.zerosLike().add(Num.of(p, initialAccumulatorValue)));
        return new State(0, s);
    }

    public static Result step(List<NDArray> params, List<NDArray> grads, State st,
                              double lr, double lrDecay, double weightDecay, double eps) {
        int t = st.step() + 1;
        double clr = lr / (1 + (t - 1) * lrDecay);
        List<NDArray> ps = new ArrayList<>(), ss = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i), g = grads.get(i);
            if (weightDecay != 0) g = g.add(p.mul(Num.of(p, weightDecay)));
            NDArray s = st.sum().get(i).add(g.mul(g));
            NDArray denom = s.sqrt().add(Num.of(p, eps));
            ps.add(p.sub(g.div(denom).mul(Num.of(p, clr))));
            ss.add(s);
        }
        return new Result(ps, new State(t, ss));
    }
}
