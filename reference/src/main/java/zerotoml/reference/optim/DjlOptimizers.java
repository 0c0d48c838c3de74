package zerotoml.reference.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.List;

/**
 * DJL's built-in optimisers, used as they come. Their conventions (DJL.md §3):
 * SGD uses MXNet's momentum {@code v ← μv + γ(g + λθ); θ ← θ − v}, equal to torch's only while γ
 * is constant and there is no dampening or Nesterov; Adam computes
 * {@code θ ← θ − γ √(1 − β₂ᵗ)/(1 − β₁ᵗ) · m/(√v + ε)}, so its ε is not bias-corrected as torch's is.
 */
public final class DjlOptimizers {
    private DjlOptimizers() {}

    public static Optimizer sgd(double lr, double momentum, double weightDecay) {
        return Optimizer.sgd().setLearningRateTracker(Tracker.fixed((float) lr))
                .optMomentum((float) momentum).optWeightDecays((float) weightDecay).build();
    }

    public static Optimizer adam(double lr, double beta1, double beta2, double eps) {
        return Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) lr))
                .optBeta1((float) beta1).optBeta2((float) beta2).optEpsilon((float) eps).build();
    }

    /**
     * One in-place step of a DJL optimizer over the parameters (ids "p0", "p1", ...). DJL mutates
     * the weights; this returns copies of their new values so the caller sees a trajectory.
     */
    public static List<NDArray> update(Optimizer opt, List<NDArray> params, List<NDArray> grads) {
        List<NDArray> out = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            opt.update("p" + i, params.get(i), grads.get(i));
            out.add(params.get(i).duplicate());
        }
        return out;
    }
}
