package zerotoml.scratch.optim;

import java.util.List;
import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.Autodiff.Params;
import zerotoml.scratch.tensor.Tensor;

/**
 * RMSProp (Tieleman and Hinton, Coursera "Neural Networks for Machine Learning", lecture 6.5,
 * 2012); the centered form is from Graves, "Generating Sequences With Recurrent Neural Networks"
 * (arXiv 1308.0850). As {@code torch.optim.RMSprop} documents it:
 *
 * <pre>
 *   g ← ∇θ + λ θ
 *   v ← α v + (1 − α) g²
 *   ṽ ← v;   centered:  ḡ ← α ḡ + (1 − α) g,  ṽ ← ṽ − ḡ²
 *   μ &gt; 0:  b ← μ b + g / (√ṽ + ε),  θ ← θ − γ b
 *   else:   θ ← θ − γ g / (√ṽ + ε)
 * </pre>
 */
public final class RmsProp {
    private RmsProp() {}

    /** torch's defaults: lr 1e-2, alpha 0.99, eps 1e-8, weightDecay 0, momentum 0, centered false. */
    public record Hyper(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        public Hyper {
            if (!(lr >= 0)) throw new IllegalArgumentException("RmsProp: lr must be >= 0, got " + lr);
            if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("RmsProp: alpha must be in [0, 1], got " + alpha);
            if (!(eps >= 0)) throw new IllegalArgumentException("RmsProp: eps must be >= 0, got " + eps);
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("RmsProp: weightDecay must be >= 0, got " + weightDecay);
            if (!(momentum >= 0)) throw new IllegalArgumentException("RmsProp: momentum must be >= 0, got " + momentum);
        }

        public static Hyper defaults(double lr) {
            return new Hyper(lr, 0.99, 1e-8, 0, 0, false);
        }

        public Hyper withLr(double newLr) {
            return new Hyper(newLr, alpha, eps, weightDecay, momentum, centered);
        }
    }

    /** The step count, the square average v, the gradient average ḡ (centered) and the momentum buffer b. */
    public record State<P extends Record>(int step, P squareAvg, P gradAvg, P momentumBuffer) {}

    public static <P extends Record> State<P> init(P params) {
        return new State<>(0, Leaves.zerosLike(params), Leaves.zerosLike(params), Leaves.zerosLike(params));
    }

    public static <P extends Record> Step<P, State<P>> step(Hyper h, P params, P grads, State<P> state) {
        String op = "RmsProp.step";
        List<Tensor> ps = Params.tensors(params);
        List<Tensor> gs = Leaves.grads(op, params, grads);
        List<Tensor> vs = Leaves.matching(op, "state.squareAvg", ps, Params.tensors(state.squareAvg()));
        List<Tensor> as = Leaves.matching(op, "state.gradAvg", ps, Params.tensors(state.gradAvg()));
        List<Tensor> bs = Leaves.matching(op, "state.momentumBuffer", ps, Params.tensors(state.momentumBuffer()));
        Leaves.checkStep(op, state.step());
        double a = h.alpha();
        List<Tensor> newP = Leaves.list(ps.size()), newV = Leaves.list(ps.size()), newA = Leaves.list(ps.size()), newB = Leaves.list(ps.size());
        for (int i = 0; i < ps.size(); i++) {
            Tensor p = ps.get(i), g = gs.get(i), gAvg = as.get(i), b = bs.get(i);
            // g ← g + λ θ
            if (h.weightDecay() != 0) g = g.add(p.mul(h.weightDecay()));
            // v ← α v + (1 − α) g²
            Tensor v = vs.get(i).mul(a).add(g.mul(g).mul(1 - a));
            Tensor vTilde = v;
            if (h.centered()) {
                // ḡ ← α ḡ + (1 − α) g;  ṽ ← v − ḡ²
                gAvg = gAvg.mul(a).add(g.mul(1 - a));
                vTilde = v.sub(gAvg.mul(gAvg));
            }
            // denom = √ṽ + ε
            Tensor denom = Arithmetic.sqrt(vTilde).add(h.eps());
            if (h.momentum() > 0) {
                // b ← μ b + g / denom;  θ ← θ − γ b
                b = b.mul(h.momentum()).add(g.div(denom));
                newP.add(p.sub(b.mul(h.lr())));
            } else {
                // θ ← θ − γ g / denom
                newP.add(p.sub(g.div(denom).mul(h.lr())));
            }
            newV.add(v);
            newA.add(gAvg);
            newB.add(b);
        }
        return new Step<>(Params.rebuild(params, newP),
                new State<>(state.step() + 1, Params.rebuild(params, newV), Params.rebuild(params, newA), Params.rebuild(params, newB)));
    }
}
