package zerotoml.scratch.rl;

/**
 * The cart-pole of Barto, Sutton and Anderson, "Neuronlike adaptive elements that can solve
 * difficult learning control problems" (IEEE SMC 1983), with the constants and Euler integration of
 * Gymnasium's {@code CartPole-v1}: g 9.8, cart mass 1.0, pole mass 0.1, pole half-length 0.5, force
 * ±10, τ 0.02 s. Action 0 pushes left, 1 pushes right. Reward 1 for every step, the terminating one
 * included. The episode <em>terminates</em> when |x| &gt; 2.4 or |θ| &gt; 12° and is <em>truncated</em>
 * after {@code maxSteps} (500) steps; a step that does both reports both.
 *
 * <p>Observation: (x, ẋ, θ, θ̇). Reset draws each from uniform(−0.05, 0.05) with the given seed.
 */
public final class CartPole {
    private CartPole() {}

    public static final int ACTIONS = 2, OBSERVATION_SIZE = 4;

    /** Physical constants and bounds; {@link #v1()} is Gymnasium's CartPole-v1. */
    public record Config(double gravity, double massCart, double massPole, double halfLength, double forceMag, double tau,
                         double xThreshold, double thetaThreshold, int maxSteps) {
        public Config {
            Envs.checkPositive("CartPole", "massCart", massCart);
            Envs.checkPositive("CartPole", "massPole", massPole);
            Envs.checkPositive("CartPole", "halfLength", halfLength);
            Envs.checkPositive("CartPole", "tau", tau);
            Envs.checkPositive("CartPole", "xThreshold", xThreshold);
            Envs.checkPositive("CartPole", "thetaThreshold", thetaThreshold);
            if (!(forceMag >= 0)) throw new IllegalArgumentException("CartPole: forceMag must be >= 0, got " + forceMag);
            if (maxSteps < 1) throw new IllegalArgumentException("CartPole: maxSteps must be >= 1, got " + maxSteps);
        }

        public static Config v1() {
            return new Config(9.8, 1.0, 0.1, 0.5, 10.0, 0.02, 2.4, 12 * 2 * Math.PI / 360, 500);
        }

        public Config withMaxSteps(int n) {
            return new Config(gravity, massCart, massPole, halfLength, forceMag, tau, xThreshold, thetaThreshold, n);
        }

        public Config withForceMag(double f) {
            return new Config(gravity, massCart, massPole, halfLength, f, tau, xThreshold, thetaThreshold, maxSteps);
        }

        public Config withMassPole(double m) {
            return new Config(gravity, massCart, m, halfLength, forceMag, tau, xThreshold, thetaThreshold, maxSteps);
        }
    }

    /** Position, velocity, pole angle (0 = upright, radians), angular velocity, steps taken, and whether the episode is over. */
    public record State(double x, double xDot, double theta, double thetaDot, int steps, boolean done) {
        public double[] observation() {
            return new double[] {x, xDot, theta, thetaDot};
        }
    }

    /** The cart's and the pole's accelerations (ẍ, θ̈) under horizontal force {@code force}. */
    public record Accelerations(double xAcc, double thetaAcc) {}

    public static Transition<State> reset(Config c, long seed) {
        double[] s = new double[4];
        long k = seed;
        for (int i = 0; i < 4; i++) {
            Envs.Draw d = Envs.uniform(k, -0.05, 0.05);
            s[i] = d.value();
            k = d.nextSeed();
        }
        State st = new State(s[0], s[1], s[2], s[3], 0, false);
        return new Transition<>(st.observation(), 0, false, false, st);
    }

    /** Any state, for tests and demonstrations (not reachable from reset alone). */
    public static State at(double x, double xDot, double theta, double thetaDot) {
        return new State(x, xDot, theta, thetaDot, 0, false);
    }

    /** The equations of motion (Florian 2007's correction of Barto et al., as Gymnasium implements them). */
    public static Accelerations accelerations(Config c, State s, double force) {
        double totalMass = c.massCart() + c.massPole();
        double poleMassLength = c.massPole() * c.halfLength();
        double cos = Math.cos(s.theta()), sin = Math.sin(s.theta());
        // temp = (F + m_p l θ̇² sin θ) / (m_c + m_p)
        double temp = (force + poleMassLength * s.thetaDot() * s.thetaDot() * sin) / totalMass;
        // θ̈ = (g sin θ − cos θ · temp) / (l (4/3 − m_p cos²θ / (m_c + m_p)))
        double thetaAcc = (c.gravity() * sin - cos * temp) / (c.halfLength() * (4.0 / 3.0 - c.massPole() * cos * cos / totalMass));
        // ẍ = temp − m_p l θ̈ cos θ / (m_c + m_p)
        double xAcc = temp - poleMassLength * thetaAcc * cos / totalMass;
        return new Accelerations(xAcc, thetaAcc);
    }

    public static Transition<State> step(Config c, State s, int action) {
        Envs.checkDiscrete("CartPole", action, ACTIONS);
        Envs.checkNotDone("CartPole", s.done());
        // F = ±force_mag
        double force = action == 1 ? c.forceMag() : -c.forceMag();
        Accelerations a = accelerations(c, s, force);
        // explicit Euler: positions move with the old velocities, velocities with the accelerations
        double x = s.x() + c.tau() * s.xDot();
        double xDot = s.xDot() + c.tau() * a.xAcc();
        double theta = s.theta() + c.tau() * s.thetaDot();
        double thetaDot = s.thetaDot() + c.tau() * a.thetaAcc();
        boolean terminated = x < -c.xThreshold() || x > c.xThreshold() || theta < -c.thetaThreshold() || theta > c.thetaThreshold();
        int steps = s.steps() + 1;
        boolean truncated = steps >= c.maxSteps();
        State next = new State(x, xDot, theta, thetaDot, steps, terminated || truncated);
        return new Transition<>(next.observation(), 1.0, terminated, truncated, next);
    }
}
