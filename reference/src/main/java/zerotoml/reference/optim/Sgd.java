package zerotoml.reference.optim;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * torch.optim.SGD's documented update rule written with NDArray ops
 * (https://pytorch.org/docs/stable/generated/torch.optim.SGD.html, "Algorithm"):
 * g ← g + λθ; b ← g at t = 1 else μb + (1 − τ)g; g ← g + μb (nesterov) or b; θ ← θ − γg.
 * DJL's own {@code Optimizer.sgd()} uses MXNet's momentum convention instead; see {@link DjlOptimizers}.
 */
public final class Sgd {
    private Sgd() {}

    public record State(int step, List<NDArray> momentumBuffer) {}

    public record Result(List<NDArray> params, State state) {}

    public static State init(List<NDArray> params) {
        List<NDArray> b = new ArrayList<>();
        for (NDArray p : params) b.add(p.zerosLike());
        return new State(0, b);
    }

    public static Result step(List<NDArray> params, List<NDArray> grads, State s,
                              double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        int t = s.step() + 1;
        List<NDArray> ps = new ArrayList<>(), bs = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i), g = grads.get(i), b = s.momentumBuffer().get(i);
            if (weightDecay != 0) g = g.add(p.mul(Num.of(p, weightDecay)));
            if (momentum != 0) {
                b = t == 1 ? g : b.mul(Num.of(p, momentum)).add(g.mul(Num.of(p, 1 - dampening)));
                g = nesterov ? g.add(b.mul(Num.of(p, momentum))) : b;
            }
            ps.add(p.sub(g.mul(Num.of(p, lr))));
            bs.add(b);
        }
        return new Result(ps, new State(t, bs));
    }
}
