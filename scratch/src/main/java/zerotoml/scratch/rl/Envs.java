package zerotoml.scratch.rl;

import java.util.SplittableRandom;

/** What the environments share: argument checks and the pure seeded draws their states carry. */
final class Envs {
    private Envs() {}

    /** A draw and the seed of the next draw: a state keeps the seed, so stepping is a pure function. */
    record Draw(double value, long nextSeed) {}

    /** Uniform in [lo, hi), from {@code seed}. */
    static Draw uniform(long seed, double lo, double hi) {
        SplittableRandom r = new SplittableRandom(seed);
        double u = lo + (hi - lo) * r.nextDouble();
        return new Draw(u, r.nextLong());
    }

    /** Normal(mean, std²), from {@code seed}. */
    static Draw normal(long seed, double mean, double std) {
        SplittableRandom r = new SplittableRandom(seed);
        double z = r.nextGaussian();
        return new Draw(mean + std * z, r.nextLong());
    }

    static void checkDiscrete(String env, int action, int actions) {
        if (action < 0 || action >= actions)
            throw new IllegalArgumentException(env + ".step: action must be in [0, " + (actions - 1) + "], got " + action);
    }

    static void checkNotDone(String env, boolean done) {
        if (done) throw new IllegalStateException(env + ".step: the episode has ended (terminated or truncated); call reset first");
    }

    static void checkPositive(String env, String name, double v) {
        if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException(env + ": " + name + " must be finite and > 0, got " + v);
    }
}
