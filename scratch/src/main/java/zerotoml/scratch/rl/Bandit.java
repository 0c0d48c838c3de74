package zerotoml.scratch.rl;

import java.util.Arrays;

/**
 * A k-armed Gaussian bandit (Sutton and Barto, "Reinforcement Learning: An Introduction", 2nd ed.,
 * §2.3, the 10-armed testbed): pulling arm a pays Normal(q*(a), σ²). Each pull is a whole episode
 * (it terminates), and the observation is the constant (1). The state carries only the seed of the
 * next reward draw, so the same seed gives the same rewards.
 */
public final class Bandit {
    private Bandit() {}

    public record Config(double[] means, double rewardStd) {
        public Config {
            if (means == null || means.length == 0) throw new IllegalArgumentException("Bandit: need at least one arm");
            for (double m : means) if (!Double.isFinite(m)) throw new IllegalArgumentException("Bandit: arm means must be finite, got " + Arrays.toString(means));
            if (!(rewardStd >= 0) || Double.isInfinite(rewardStd)) throw new IllegalArgumentException("Bandit: rewardStd must be finite and >= 0, got " + rewardStd);
            means = means.clone();
        }

        /** The testbed: k means drawn from Normal(0, 1) with {@code seed}, rewards with σ = 1. */
        public static Config testbed(int arms, long seed) {
            if (arms < 1) throw new IllegalArgumentException("Bandit.testbed: arms must be >= 1, got " + arms);
            double[] m = new double[arms];
            long k = seed;
            for (int i = 0; i < arms; i++) {
                Envs.Draw d = Envs.normal(k, 0, 1);
                m[i] = d.value();
                k = d.nextSeed();
            }
            return new Config(m, 1.0);
        }

        public int arms() {
            return means.length;
        }

        /** The arm with the highest mean (the first on ties). */
        public int bestArm() {
            int best = 0;
            for (int i = 1; i < means.length; i++) if (means[i] > means[best]) best = i;
            return best;
        }
    }

    public record State(long seed) {}

    public static Transition<State> reset(Config c, long seed) {
        return new Transition<>(new double[] {1}, 0, false, false, new State(seed));
    }

    public static Transition<State> step(Config c, State s, int arm) {
        Envs.checkDiscrete("Bandit", arm, c.arms());
        // R ~ Normal(q*(a), σ²)
        Envs.Draw r = Envs.normal(s.seed(), c.means()[arm], c.rewardStd());
        return new Transition<>(new double[] {1}, r.value(), true, false, new State(r.nextSeed()));
    }
}
