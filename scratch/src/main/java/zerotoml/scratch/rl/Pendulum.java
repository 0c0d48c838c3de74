package zerotoml.scratch.rl;

/**
 * The inverted pendulum swing-up of Gymnasium's {@code Pendulum-v1}: a rod of mass m and length l
 * on a frictionless pivot, θ = 0 upright, torque u ∈ [−2, 2] (larger torques are clipped, as Gymnasium
 * does; a non-finite torque is an error). g 10, m 1, l 1, dt 0.05, |θ̇| ≤ 8.
 *
 * <pre>
 *   reward = −(norm(θ)² + 0.1 θ̇² + 0.001 u²)        norm wraps θ into [−π, π)
 *   θ̇ ← clip(θ̇ + (3g/(2l) sin θ + 3/(m l²) u) dt, −8, 8)
 *   θ ← θ + θ̇ dt                                      (semi-implicit Euler: the new θ̇)
 * </pre>
 *
 * It never terminates; it is truncated after {@code maxSteps} (200). Observation: (cos θ, sin θ, θ̇).
 * Reset draws θ from uniform(−π, π) and θ̇ from uniform(−1, 1).
 */
public final class Pendulum {
    private Pendulum() {}

    public static final int OBSERVATION_SIZE = 3, ACTION_SIZE = 1;

    public record Config(double gravity, double mass, double length, double dt, double maxSpeed, double maxTorque, int maxSteps) {
        public Config {
            Envs.checkPositive("Pendulum", "mass", mass);
            Envs.checkPositive("Pendulum", "length", length);
            Envs.checkPositive("Pendulum", "dt", dt);
            Envs.checkPositive("Pendulum", "maxSpeed", maxSpeed);
            if (!(maxTorque >= 0)) throw new IllegalArgumentException("Pendulum: maxTorque must be >= 0, got " + maxTorque);
            if (maxSteps < 1) throw new IllegalArgumentException("Pendulum: maxSteps must be >= 1, got " + maxSteps);
        }

        public static Config v1() {
            return new Config(10.0, 1.0, 1.0, 0.05, 8.0, 2.0, 200);
        }

        public Config withDt(double newDt) {
            return new Config(gravity, mass, length, newDt, maxSpeed, maxTorque, maxSteps);
        }

        public Config withMaxSpeed(double s) {
            return new Config(gravity, mass, length, dt, s, maxTorque, maxSteps);
        }

        public Config withMaxSteps(int n) {
            return new Config(gravity, mass, length, dt, maxSpeed, maxTorque, n);
        }
    }

    public record State(double theta, double thetaDot, int steps, boolean done) {
        public double[] observation() {
            return new double[] {Math.cos(theta), Math.sin(theta), thetaDot};
        }
    }

    public static Transition<State> reset(Config c, long seed) {
        Envs.Draw th = Envs.uniform(seed, -Math.PI, Math.PI);
        Envs.Draw thDot = Envs.uniform(th.nextSeed(), -1, 1);
        State s = new State(th.value(), thDot.value(), 0, false);
        return new Transition<>(s.observation(), 0, false, false, s);
    }

    public static State at(double theta, double thetaDot) {
        return new State(theta, thetaDot, 0, false);
    }

    /** θ wrapped into [−π, π). */
    public static double normalizeAngle(double theta) {
        return ((theta + Math.PI) % (2 * Math.PI) + 2 * Math.PI) % (2 * Math.PI) - Math.PI;
    }

    /** Total mechanical energy ½ I θ̇² + m g (l/2) cos θ with I = m l²/3: conserved by the continuous dynamics at u = 0. */
    public static double energy(Config c, State s) {
        double inertia = c.mass() * c.length() * c.length() / 3;
        return 0.5 * inertia * s.thetaDot() * s.thetaDot() + c.mass() * c.gravity() * c.length() / 2 * Math.cos(s.theta());
    }

    public static Transition<State> step(Config c, State s, double[] action) {
        if (action == null || action.length != ACTION_SIZE)
            throw new IllegalArgumentException("Pendulum.step: action must have length " + ACTION_SIZE + ", got "
                    + (action == null ? "null" : "length " + action.length));
        if (!Double.isFinite(action[0])) throw new IllegalArgumentException("Pendulum.step: torque must be finite, got " + action[0]);
        Envs.checkNotDone("Pendulum", s.done());
        // u = clip(u, −max_torque, max_torque)
        double u = Math.max(-c.maxTorque(), Math.min(c.maxTorque(), action[0]));
        double th = s.theta(), thDot = s.thetaDot();
        // cost = norm(θ)² + 0.1 θ̇² + 0.001 u²
        double cost = normalizeAngle(th) * normalizeAngle(th) + 0.1 * thDot * thDot + 0.001 * u * u;
        // θ̇ ← clip(θ̇ + (3g/(2l) sin θ + 3/(m l²) u) dt, ±max_speed)
        double newThDot = thDot + (3 * c.gravity() / (2 * c.length()) * Math.sin(th) + 3.0 / (c.mass() * c.length() * c.length()) * u) * c.dt();
        newThDot = Math.max(-c.maxSpeed(), Math.min(c.maxSpeed(), newThDot));
        // θ ← θ + θ̇ dt
        double newTh = th + newThDot * c.dt();
        int steps = s.steps() + 1;
        boolean truncated = steps >= c.maxSteps();
        State next = new State(newTh, newThDot, steps, truncated);
        return new Transition<>(next.observation(), -cost, false, truncated, next);
    }
}
