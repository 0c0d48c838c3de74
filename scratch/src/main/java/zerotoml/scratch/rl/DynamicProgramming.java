package zerotoml.scratch.rl;

/**
 * Exact answers on a known {@link GridWorld} by dynamic programming (Bellman, "Dynamic Programming",
 * 1957; Sutton and Barto, "Reinforcement Learning: An Introduction", 2nd ed., ch. 4), in the
 * tabular case. They are the oracles the sample-based STOMP learners are checked against: sweeps of
 * expected backups over the whole model, repeated until nothing changes by more than {@code tol}.
 */
public final class DynamicProgramming {
    private DynamicProgramming() {}

    static final int MAX_SWEEPS = 1_000_000;

    /** V*(s) = maxₐ [R(s,a) + γ V*(s′)], with V* = 0 at the terminal goal. */
    public static double[] optimalValues(GridWorld g, double gamma, double tol) {
        double[] v = new double[g.states()];
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double change = 0;
            for (int s = 0; s < g.states(); s++) {
                if (g.isTerminal(s)) continue;
                double best = Double.NEGATIVE_INFINITY;
                for (int a = 0; a < GridWorld.ACTIONS; a++) best = Math.max(best, g.reward(s, a) + gamma * v[g.next(s, a)]);
                change = Math.max(change, Math.abs(best - v[s]));
                v[s] = best;
            }
            if (change <= tol) return v;
        }
        throw new IllegalStateException("DynamicProgramming.optimalValues: no convergence in " + MAX_SWEEPS + " sweeps");
    }

    /**
     * The subtask's optimal action values: q(s,a) = R(s,a) + γ U(s′), U(s′) = max(z(s′), maxₐ q(s′,a))
     * and U = 0 at the terminal goal. Indexed [action][state], as {@link Stomp.Option#theta()} with one-hot features.
     */
    public static double[][] subtaskValues(GridWorld g, Stomp.Subtask t, double gamma, double tol) {
        double[][] q = new double[GridWorld.ACTIONS][g.states()];
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double change = 0;
            for (int s = 0; s < g.states(); s++) {
                if (g.isTerminal(s)) continue;
                for (int a = 0; a < GridWorld.ACTIONS; a++) {
                    int n = g.next(s, a);
                    double u = 0;
                    if (!g.isTerminal(n)) {
                        u = Stomp.stoppingValue(t, g.oneHot(n));
                        for (int b = 0; b < GridWorld.ACTIONS; b++) u = Math.max(u, q[b][n]);
                    }
                    double target = g.reward(s, a) + gamma * u;
                    change = Math.max(change, Math.abs(target - q[a][s]));
                    q[a][s] = target;
                }
            }
            if (change <= tol) return q;
        }
        throw new IllegalStateException("DynamicProgramming.subtaskValues: no convergence in " + MAX_SWEEPS + " sweeps");
    }

    /** An option model in the tabular case: r̂ [state] and p̂ [state][state] (p̂[s][s′] = E[γᵏ 1{Sₖ = s′}]). */
    public record OptionModel(double[] reward, double[][] transition) {}

    /**
     * The exact model of an option started in each state (it acts first, then stops where β says):
     * r̂(s) = R(s, π(s)) + γ(1 − β(s′)) r̂(s′) and p̂(s) = γ(β(s′) e_{s′} + (1 − β(s′)) p̂(s′)), with
     * nothing beyond the terminal goal.
     */
    public static OptionModel optionModel(GridWorld g, Stomp.OptionPolicy option, double gamma, double tol) {
        int n = g.states();
        double[] r = new double[n];
        double[][] p = new double[n][n];
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double change = 0;
            for (int s = 0; s < n; s++) {
                if (g.isTerminal(s)) continue;
                int a = option.action(g.oneHot(s));
                int s2 = g.next(s, a);
                boolean term = g.isTerminal(s2);
                double beta = term || option.stops(g.oneHot(s2)) ? 1 : 0;
                double rs = g.reward(s, a) + (term ? 0 : gamma * (1 - beta) * r[s2]);
                change = Math.max(change, Math.abs(rs - r[s]));
                r[s] = rs;
                for (int j = 0; j < n; j++) {
                    double pj = term ? 0 : gamma * (beta * (j == s2 ? 1 : 0) + (1 - beta) * p[s2][j]);
                    change = Math.max(change, Math.abs(pj - p[s][j]));
                    p[s][j] = pj;
                }
            }
            if (change <= tol) return new OptionModel(r, p);
        }
        throw new IllegalStateException("DynamicProgramming.optionModel: no convergence in " + MAX_SWEEPS + " sweeps");
    }
}
