package zerotoml.reference.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * torch.optim.lr_scheduler's closed forms, evaluated with NDArray ops over a vector of step
 * counts t (float64): StepLR {@code γ·decay^⌊t/stepSize⌋}, CosineAnnealingLR
 * {@code η_min + (γ − η_min)(1 + cos(πt/T))/2}, LinearLR {@code γ(s + (e − s)·min(t,T)/T)}, and
 * the schedule of "Attention Is All You Need" §5.3 {@code d^(−½)·min(n^(−½), n·warmup^(−3/2))}
 * with n = t + 1; and the warm-ups written as torch LambdaLR / SequentialLR would compute them.
 */
public final class Schedules {
    private Schedules() {}

    static NDArray steps(NDManager m, int[] t) {
        double[] d = new double[t.length];
        for (int i = 0; i < d.length; i++) d[i] = t[i];
        return m.create(d, new Shape(d.length));
    }

    public static NDArray constant(NDManager m, int[] t, double lr) {
        return steps(m, t).zerosLike().add(lr);
    }

    public static NDArray stepDecay(NDManager m, int[] t, double lr, int stepSize, double decay) {
        NDArray k = steps(m, t).div((double) stepSize).floor();
        return m.create(decay).pow(k).mul(lr);
    }

    public static NDArray cosine(NDManager m, int[] t, double lr, int tMax, double etaMin) {
        return steps(m, t).mul(Math.PI / tMax).cos().add(1.0).mul((lr - etaMin) / 2).add(etaMin);
    }

    public static NDArray linearWarmup(NDManager m, int[] t, double lr, double startFactor, double endFactor, int totalIters) {
        NDArray frac = steps(m, t).minimum((double) totalIters).div((double) totalIters);
        return frac.mul(endFactor - startFactor).add(startFactor).mul(lr);
    }

    public static NDArray transformer(NDManager m, int[] t, int dModel, int warmup, double scale) {
        NDArray n = steps(m, t).add(1.0);
        NDArray a = n.pow(-0.5);
        NDArray b = n.mul(Math.pow(warmup, -1.5));
        return a.minimum(b).mul(scale * Math.pow(dModel, -0.5));
    }

    /**
     * torch SequentialLR([LambdaLR(t ↦ (t+1)/W), after], milestones=[W]): {@code γ(t+1)/W} for
     * t &lt; W, else {@code after} evaluated at t − W ({@code afterShifted[i]} = after(max(t_i − W, 0))).
     */
    public static NDArray warmup(NDManager m, int[] t, double lr, int warmup, NDArray afterShifted) {
        NDArray steps = steps(m, t);
        if (warmup == 0) return afterShifted;
        NDArray ramp = steps.add(1.0).div((double) warmup).mul(lr);
        return NDArrays.where(steps.lt((double) warmup), ramp, afterShifted);
    }

    /** torch LambdaLR with t ↦ min(1, (t+1)/W) · ½(1 + cos(πt/T)); W = 0 is no warm-up. */
    public static NDArray warmupCosine(NDManager m, int[] t, double lr, int warmup, int tMax) {
        NDArray steps = steps(m, t);
        NDArray w = warmup == 0 ? steps.onesLike() : steps.add(1.0).div((double) warmup).minimum(1.0);
        return steps.mul(Math.PI / tMax).cos().add(1.0).mul(0.5).mul(w).mul(lr);
    }
}
