package zerotoml.scratch.rl;

import zerotoml.scratch.tensor.Shape;
import zerotoml.scratch.tensor.Tensor;

/**
 * Schulman, Moritz, Levine, Jordan and Abbeel, "High-Dimensional Continuous Control Using
 * Generalized Advantage Estimation" (arXiv 1506.02438), Eq. 11–16, over a rollout of T steps from N
 * parallel environments (every input is [T, N], time first):
 *
 * <pre>
 *   δₜ = rₜ + γ (1 − terminatedₜ) V(s′ₜ) − V(sₜ)
 *   Âₜ = δₜ + γλ (1 − endedₜ) Âₜ₊₁          (Âₜ = Σₗ (γλ)ˡ δₜ₊ₗ within the episode)
 *   Rₜ = Âₜ + V(sₜ)                          (the λ-return, PPO's value target)
 * </pre>
 *
 * {@code nextValues[t]} is V of the state reached by step t: for a truncated step, the value of the
 * final observation (so time limits bootstrap), and for the last step of the rollout the value of the
 * observation it ends in. {@code terminated} (no value beyond) and {@code ended} (terminated or
 * truncated: the next row belongs to a new episode) are 0/1. CleanRL's loop is the special case
 * {@code nextValues[t] = values[t+1]}, {@code terminated = ended = dones[t+1]} (truncation treated
 * as termination). The estimate carries no gradient: it is computed from detached values.
 */
public final class Gae {
    private Gae() {}

    public record Estimates(Tensor advantages, Tensor returns) {}

    public static Estimates estimate(Tensor rewards, Tensor values, Tensor nextValues, Tensor terminated, Tensor ended,
                                     double gamma, double lambda) {
        String op = "Gae.estimate";
        check(op, "rewards", rewards, null);
        Shape shape = rewards.shape();
        check(op, "values", values, shape);
        check(op, "nextValues", nextValues, shape);
        check(op, "terminated", terminated, shape);
        check(op, "ended", ended, shape);
        if (!(gamma >= 0 && gamma <= 1)) throw new IllegalArgumentException(op + ": gamma must be in [0, 1], got " + gamma);
        if (!(lambda >= 0 && lambda <= 1)) throw new IllegalArgumentException(op + ": lambda must be in [0, 1], got " + lambda);
        int steps = shape.dims()[0], envs = shape.dims()[1];
        double[] r = rewards.toArray(), v = values.toArray(), nv = nextValues.toArray(), term = terminated.toArray(), end = ended.toArray();
        checkFlags(op, "terminated", term);
        checkFlags(op, "ended", end);
        for (int i = 0; i < term.length; i++)
            if (term[i] == 1 && end[i] == 0)
                throw new IllegalArgumentException(op + ": a terminated step must also be ended, at flat index " + i + " of " + shape);
        var dt = rewards.dtype();
        double[] adv = new double[r.length], ret = new double[r.length];
        for (int n = 0; n < envs; n++) {
            double next = 0;
            for (int t = steps - 1; t >= 0; t--) {
                int i = t * envs + n;
                // δₜ = rₜ + γ (1 − terminatedₜ) V(s′ₜ) − V(sₜ)
                double delta = dt.round(dt.round(r[i] + dt.round(gamma * dt.round(nv[i] * (1 - term[i])))) - v[i]);
                // Âₜ = δₜ + γλ (1 − endedₜ) Âₜ₊₁
                next = dt.round(delta + dt.round(dt.round(gamma * lambda) * dt.round(next * (1 - end[i]))));
                adv[i] = next;
                // Rₜ = Âₜ + V(sₜ)
                ret[i] = dt.round(next + v[i]);
            }
        }
        return new Estimates(Tensor.of(dt, adv, shape), Tensor.of(dt, ret, shape));
    }

    private static void check(String op, String name, Tensor x, Shape shape) {
        if (x == null) throw new IllegalArgumentException(op + ": " + name + " is null");
        if (shape == null && x.rank() != 2)
            throw new IllegalArgumentException(op + ": " + name + " must be [T, N] (time, environments), got " + x.shape());
        if (shape != null && !x.shape().equals(shape))
            throw new IllegalArgumentException(op + ": " + name + " has shape " + x.shape() + " but rewards have " + shape);
    }

    private static void checkFlags(String op, String name, double[] f) {
        for (int i = 0; i < f.length; i++)
            if (f[i] != 0 && f[i] != 1) throw new IllegalArgumentException(op + ": " + name + " must be 0 or 1, got " + f[i] + " at flat index " + i);
    }
}
