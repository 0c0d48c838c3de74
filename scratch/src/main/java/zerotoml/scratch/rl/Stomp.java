package zerotoml.scratch.rl;

import java.util.Arrays;
import java.util.List;

/**
 * Sutton, Machado, Holland, Szepesvári, Timbers, Tanner and White, "Reward-Respecting Subtasks for
 * Model-Based Reinforcement Learning" (arXiv 2202.03466; Artificial Intelligence 2023): the STOMP
 * progression (SubTask, Option, Model, Planning) with linear function approximation over state
 * features x(s) ∈ ℝᵈ. A terminal state has the zero feature vector.
 *
 * <ol>
 *   <li><b>Subtask.</b> Attain feature i while respecting the main reward: the option collects the
 *       original rewards and, when it stops in s, the stopping value
 *       z(s) = wᵀx(s) − wᵢxᵢ(s) + b·xᵢ(s) (the main-task value with feature i's weight replaced by
 *       the bonus b).</li>
 *   <li><b>Option.</b> Linear action values q(s,a) = θₐᵀx(s), learned off-policy by one-step
 *       Q-learning on the subtask: δ = R + γ·max(z(S′), maxₐ q(S′,a)) − q(S,A). The option acts
 *       greedily and stops in s when z(s) ≥ maxₐ q(s,a).</li>
 *   <li><b>Model.</b> The option's reward model r̂(s) = w_rᵀx(s) ≈ E[R₁ + … + γᵏ⁻¹Rₖ] and transition
 *       model p̂(s) = W_p x(s) ≈ E[γᵏ x(Sₖ)], learned off-policy as general value functions with the
 *       importance ratio ρ = π(A|S)/b(A|S) and the UWT trace update e ← ρ(e + x(S)),
 *       w ← w + αδe, e ← γλ(1 − β(S′))e.</li>
 *   <li><b>Planning.</b> Approximate value iteration with the models, one state at a time:
 *       w ← w + α(maxₒ[r̂ₒ(s) + wᵀp̂ₒ(s)] − wᵀx(s))·x(s). A primitive action is the one-step option
 *       that always stops.</li>
 * </ol>
 *
 * <p>Convention (fixed here, tested for consistency): the option starts by acting (it cannot stop in
 * the state it starts in), and stopping in S′ after k steps is discounted by γᵏ, both in the subtask
 * (the option receives γᵏz(Sₖ)) and in the model (p̂ predicts γᵏx(Sₖ)). DSTOMP (the authors'
 * companion code) adds no γ to the stopping value; with this convention the option's value of
 * stopping is exactly the planner's value of the state it stops in.
 */
public final class Stomp {
    private Stomp() {}

    // ------------------------------------------------------------------ 1. subtask

    /** Attain feature {@code feature}: bonus {@code bonus} replaces its weight in the main value {@code mainWeights}. */
    public record Subtask(int feature, double bonus, double[] mainWeights) {
        public Subtask {
            if (mainWeights == null) throw new IllegalArgumentException("Stomp.Subtask: mainWeights is null");
            if (feature < 0 || feature >= mainWeights.length)
                throw new IllegalArgumentException("Stomp.Subtask: feature must be in [0, " + (mainWeights.length - 1) + "], got " + feature);
            mainWeights = mainWeights.clone();
        }
    }

    /** z(s) = wᵀx(s) − wᵢxᵢ(s) + b·xᵢ(s). */
    public static double stoppingValue(Subtask t, double[] x) {
        checkFeatures("Stomp.stoppingValue", x, t.mainWeights().length);
        int i = t.feature();
        return dot(t.mainWeights(), x) - t.mainWeights()[i] * x[i] + t.bonus() * x[i];
    }

    // ------------------------------------------------------------------ policies that models can be learned for

    /** What a model needs to know of an option: its action in a state and whether it stops there. */
    public interface OptionPolicy {
        int action(double[] x);

        boolean stops(double[] x);
    }

    /** A primitive action as a one-step option: take {@code action}, then stop. */
    public record Primitive(int action) implements OptionPolicy {
        public int action(double[] x) {
            return action;
        }

        public boolean stops(double[] x) {
            return true;
        }
    }

    // ------------------------------------------------------------------ 2. option

    /** The option for a subtask: action values θ [actions][d]. */
    public record Option(Subtask subtask, double[][] theta) implements OptionPolicy {
        public Option {
            if (subtask == null || theta == null || theta.length == 0)
                throw new IllegalArgumentException("Stomp.Option: subtask and theta [actions][d] are required");
            double[][] c = new double[theta.length][];
            for (int a = 0; a < theta.length; a++) {
                if (theta[a].length != subtask.mainWeights().length)
                    throw new IllegalArgumentException("Stomp.Option: theta[" + a + "] has " + theta[a].length + " weights, the features have " + subtask.mainWeights().length);
                c[a] = theta[a].clone();
            }
            theta = c;
        }

        /** q(s,a) = θₐᵀx(s). */
        public double q(double[] x, int a) {
            return dot(theta[a], x);
        }

        /** The greedy action (the first of ties). */
        public int action(double[] x) {
            int best = 0;
            for (int a = 1; a < theta.length; a++) if (q(x, a) > q(x, best)) best = a;
            return best;
        }

        /** maxₐ q(s,a): the value of continuing. */
        public double continuation(double[] x) {
            return q(x, action(x));
        }

        /** β(s) = 1 when z(s) ≥ maxₐ q(s,a). */
        public boolean stops(double[] x) {
            return stoppingValue(subtask, x) >= continuation(x);
        }
    }

    public static Option initialOption(Subtask t, int actions) {
        if (actions < 1) throw new IllegalArgumentException("Stomp.initialOption: actions must be >= 1, got " + actions);
        return new Option(t, new double[actions][t.mainWeights().length]);
    }

    /**
     * One off-policy Q-learning step of the option from (x(S), A, R, x(S′)), whatever policy chose A.
     * A terminal S′ has no value: δ = R − q(S,A).
     */
    public static Option optionStep(Option o, double[] x, int action, double reward, double[] xNext, boolean terminal,
                                    double gamma, double alpha) {
        int d = o.subtask().mainWeights().length;
        checkFeatures("Stomp.optionStep", x, d);
        checkFeatures("Stomp.optionStep", xNext, d);
        if (action < 0 || action >= o.theta().length)
            throw new IllegalArgumentException("Stomp.optionStep: action must be in [0, " + (o.theta().length - 1) + "], got " + action);
        // U(S′) = max(z(S′), maxₐ q(S′,a)), 0 at a terminal state
        double u = terminal ? 0 : Math.max(stoppingValue(o.subtask(), xNext), o.continuation(xNext));
        // δ = R + γU(S′) − q(S,A)
        double delta = reward + gamma * u - o.q(x, action);
        double[][] theta = o.theta().clone();
        // θ_A ← θ_A + αδx(S)
        theta[action] = axpy(alpha * delta, x, theta[action]);
        return new Option(o.subtask(), theta);
    }

    // ------------------------------------------------------------------ 3. model

    /**
     * Reward weights w_r [d], transition weights W_p [d][d] (row j predicts feature j), and the
     * eligibility trace [d]. Treat the arrays as read-only: steps return new models and never write
     * into the arrays of the one they were given.
     */
    public record Model(double[] rewardWeights, double[][] transitionWeights, double[] trace) {
        public Model {
            int d = rewardWeights.length;
            if (transitionWeights.length != d || trace.length != d)
                throw new IllegalArgumentException("Stomp.Model: rewardWeights [" + d + "], transitionWeights [" + transitionWeights.length
                        + "][..] and trace [" + trace.length + "] must agree");
            for (double[] row : transitionWeights)
                if (row.length != d) throw new IllegalArgumentException("Stomp.Model: every transition row must have " + d + " weights, got " + row.length);
            // rows are shared between successive models (a step replaces only the rows it changes); no step writes into an array it was given
            transitionWeights = transitionWeights.clone();
        }

        /** r̂(s) = w_rᵀx(s). */
        public double reward(double[] x) {
            return dot(rewardWeights, x);
        }

        /** p̂(s) = W_p x(s). */
        public double[] transition(double[] x) {
            double[] p = new double[transitionWeights.length];
            for (int j = 0; j < p.length; j++) p[j] = dot(transitionWeights[j], x);
            return p;
        }

        /** The same model with an empty trace (at the start of an episode). */
        public Model clearTrace() {
            return new Model(rewardWeights, transitionWeights, new double[trace.length]);
        }
    }

    public static Model initialModel(int features) {
        if (features < 1) throw new IllegalArgumentException("Stomp.initialModel: features must be >= 1, got " + features);
        return new Model(new double[features], new double[features][features], new double[features]);
    }

    /**
     * One off-policy step of the option model from (x(S), A, R, x(S′)) taken by a behaviour policy
     * that chose A with probability {@code behaviourProb}.
     */
    public static Model modelStep(Model m, OptionPolicy option, double[] x, int action, double behaviourProb, double reward,
                                  double[] xNext, boolean terminal, double gamma, double lambda, double alpha) {
        int d = m.rewardWeights().length;
        checkFeatures("Stomp.modelStep", x, d);
        checkFeatures("Stomp.modelStep", xNext, d);
        if (!(behaviourProb > 0 && behaviourProb <= 1))
            throw new IllegalArgumentException("Stomp.modelStep: behaviourProb must be in (0, 1], got " + behaviourProb);
        // ρ = π(A|S) / b(A|S), with the option's deterministic greedy policy
        double rho = option.action(x) == action ? 1 / behaviourProb : 0;
        // β(S′): 1 when the option stops there; a terminal state ends it with nothing more to predict
        double beta = terminal || option.stops(xNext) ? 1 : 0;
        double[] xStop = terminal ? new double[d] : xNext;
        double[] pNext = terminal ? new double[d] : m.transition(xNext);
        // δ_r = R + γ(1 − β′) r̂(S′) − r̂(S)
        double deltaR = reward + gamma * (1 - beta) * (terminal ? 0 : m.reward(xNext)) - m.reward(x);
        // e ← ρ(e + x(S))
        double[] e = new double[d];
        for (int k = 0; k < d; k++) e[k] = rho * (m.trace()[k] + x[k]);
        // w_r ← w_r + αδ_r e
        double[] wr = axpy(alpha * deltaR, e, m.rewardWeights());
        double[][] wp = m.transitionWeights().clone();
        double[] pNow = m.transition(x);
        for (int j = 0; j < d; j++) {
            // δ_p,j = γ(β′ xⱼ(S′) + (1 − β′) p̂ⱼ(S′)) − p̂ⱼ(S)
            double deltaP = gamma * (beta * xStop[j] + (1 - beta) * pNext[j]) - pNow[j];
            if (deltaP != 0) wp[j] = axpy(alpha * deltaP, e, wp[j]);
        }
        // e ← γλ(1 − β′) e
        double decay = gamma * lambda * (1 - beta);
        for (int k = 0; k < d; k++) e[k] *= decay;
        return new Model(wr, wp, e);
    }

    // ------------------------------------------------------------------ 4. planning

    /** v(s) = wᵀx(s). */
    public static double value(double[] w, double[] x) {
        checkFeatures("Stomp.value", x, w.length);
        return dot(w, x);
    }

    /** maxₒ [r̂ₒ(s) + wᵀp̂ₒ(s)]: the best one-option look-ahead from s. */
    public static double backupTarget(double[] w, List<Model> models, double[] x) {
        if (models == null || models.isEmpty()) throw new IllegalArgumentException("Stomp.backupTarget: need at least one model");
        double best = Double.NEGATIVE_INFINITY;
        for (Model m : models) best = Math.max(best, m.reward(x) + dot(w, m.transition(x)));
        return best;
    }

    /** One planning backup at s: w ← w + α(maxₒ[r̂ₒ(s) + wᵀp̂ₒ(s)] − wᵀx(s))·x(s). */
    public static double[] planningBackup(double[] w, List<Model> models, double[] x, double alpha) {
        checkFeatures("Stomp.planningBackup", x, w.length);
        double delta = backupTarget(w, models, x) - dot(w, x);
        return axpy(alpha * delta, x, w);
    }

    // ------------------------------------------------------------------ small vector helpers

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** c·x + y, as a new array. */
    static double[] axpy(double c, double[] x, double[] y) {
        double[] out = y.clone();
        if (c != 0) for (int i = 0; i < out.length; i++) out[i] += c * x[i];
        return out;
    }

    private static void checkFeatures(String op, double[] x, int d) {
        if (x == null || x.length != d)
            throw new IllegalArgumentException(op + ": feature vector must have " + d + " entries, got " + (x == null ? "null" : x.length));
        for (double v : x) if (!Double.isFinite(v)) throw new IllegalArgumentException(op + ": features must be finite, got " + Arrays.toString(x));
    }
}
