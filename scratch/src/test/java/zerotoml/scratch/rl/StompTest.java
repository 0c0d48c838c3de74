package zerotoml.scratch.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** With one-hot features STOMP is tabular, so every learned quantity must equal exact dynamic programming. */
class StompTest {
    static final GridWorld G = GridWorld.twoRooms();
    static final double GAMMA = 0.99, TOL = 1e-13;

    static Stomp.Subtask hallwaySubtask() {
        return new Stomp.Subtask(G.hallway(), 1.0, new double[G.states()]);
    }

    /** One transition of a uniformly random behaviour with exploring starts (episodes of at most 30 steps). */
    record Sample(int s, int a, double r, int next, boolean terminal, boolean episodeEnds) {}

    static List<Sample> uniformBehaviour(long seed, int steps) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Sample> out = new ArrayList<>(steps);
        int s = -1, t = 0;
        for (int i = 0; i < steps; i++) {
            if (s < 0) {
                do s = rnd.nextInt(G.states()); while (G.isTerminal(s));
                t = 0;
            }
            int a = rnd.nextInt(GridWorld.ACTIONS);
            int n = G.next(s, a);
            boolean term = G.isTerminal(n);
            boolean ends = term || ++t >= 30;
            out.add(new Sample(s, a, G.reward(s, a), n, term, ends));
            s = ends ? -1 : n;
        }
        return out;
    }

    static Stomp.Option learnOption(List<Sample> data, double alpha) {
        Stomp.Option o = Stomp.initialOption(hallwaySubtask(), GridWorld.ACTIONS);
        for (Sample x : data) o = Stomp.optionStep(o, G.oneHot(x.s()), x.a(), x.r(), G.oneHot(x.next()), x.terminal(), GAMMA, alpha);
        return o;
    }

    static Stomp.Model learnModel(List<Sample> data, Stomp.OptionPolicy p, double behaviourProb, double lambda, double alpha) {
        Stomp.Model m = Stomp.initialModel(G.states());
        for (Sample x : data) {
            m = Stomp.modelStep(m, p, G.oneHot(x.s()), x.a(), behaviourProb, x.r(), G.oneHot(x.next()), x.terminal(), GAMMA, lambda, alpha);
            if (x.episodeEnds()) m = m.clearTrace();
        }
        return m;
    }

    static double maxError(Stomp.Model m, DynamicProgramming.OptionModel exact) {
        double worst = 0;
        for (int s = 0; s < G.states(); s++) {
            if (G.isTerminal(s)) continue;
            double[] x = G.oneHot(s);
            worst = Math.max(worst, Math.abs(m.reward(x) - exact.reward()[s]));
            double[] p = m.transition(x);
            for (int j = 0; j < p.length; j++) worst = Math.max(worst, Math.abs(p[j] - exact.transition()[s][j]));
        }
        return worst;
    }

    @Test
    void theStoppingValueReplacesTheSubtaskFeaturesWeightByTheBonus() {
        double[] w = {0.5, -2, 3};
        var t = new Stomp.Subtask(1, 10, w);
        assertEquals(0.5 * 1 + 10 * 2 + 3 * 0.25, Stomp.stoppingValue(t, new double[] {1, 2, 0.25}), 1e-15);
        assertEquals(3.0, Stomp.stoppingValue(t, new double[] {0, 0, 1}), 0.0);
        assertThrows(IllegalArgumentException.class, () -> new Stomp.Subtask(3, 1, w));
        var e = assertThrows(IllegalArgumentException.class, () -> Stomp.stoppingValue(t, new double[2]));
        assertTrue(e.getMessage().contains("3 entries"));
    }

    @Test
    void offPolicyQLearningOfTheHallwayOptionConvergesToTheSubtasksExactActionValues() {
        Stomp.Option o = learnOption(uniformBehaviour(1, 150_000), 0.5);
        double[][] exact = DynamicProgramming.subtaskValues(G, hallwaySubtask(), GAMMA, TOL);
        for (int a = 0; a < GridWorld.ACTIONS; a++)
            for (int s = 0; s < G.states(); s++) if (!G.isTerminal(s)) assertEquals(exact[a][s], o.theta()[a][s], 1e-9, "q(" + s + "," + a + ")");
    }

    @Test
    void theHallwayOptionFromTheStartDetoursAroundThePenaltyBandAndStopsInTheHallway() {
        Stomp.Subtask t = hallwaySubtask();
        Stomp.Option o = new Stomp.Option(t, DynamicProgramming.subtaskValues(G, t, GAMMA, TOL));
        int s = G.start(), steps = 0;
        do {
            s = G.next(s, o.action(G.oneHot(s)));
            steps++;
            assertFalse(G.isPenalty(s), "entered a penalty cell at step " + steps);
        } while (!o.stops(G.oneHot(s)) && steps < 100);
        assertEquals(G.hallway(), s);
        assertEquals(11, steps); // 4 up, 4 right along the top, 2 down, 1 into the hallway; the straight route is 7 steps
        assertTrue(o.stops(G.oneHot(G.hallway())));
        assertFalse(o.stops(G.oneHot(G.start())));
    }

    @Test
    void offPolicyModelsOfTheOptionAndOfEachPrimitiveConvergeToTheirExactModels() {
        Stomp.Subtask t = hallwaySubtask();
        Stomp.Option o = new Stomp.Option(t, DynamicProgramming.subtaskValues(G, t, GAMMA, TOL));
        List<Sample> data = uniformBehaviour(2, 50_000);
        assertTrue(maxError(learnModel(data, o, 0.25, 0, 0.2), DynamicProgramming.optionModel(G, o, GAMMA, TOL)) < 1e-9);
        for (int a = 0; a < GridWorld.ACTIONS; a++) {
            var p = new Stomp.Primitive(a);
            assertTrue(maxError(learnModel(data, p, 0.25, 0, 0.2), DynamicProgramming.optionModel(G, p, GAMMA, TOL)) < 1e-9, "action " + a);
        }
    }

    @Test
    void aPrimitivesModelIsTheOneStepModel() {
        for (int a = 0; a < GridWorld.ACTIONS; a++) {
            var m = DynamicProgramming.optionModel(G, new Stomp.Primitive(a), GAMMA, TOL);
            for (int s = 0; s < G.states(); s++) {
                if (G.isTerminal(s)) continue;
                assertEquals(G.reward(s, a), m.reward()[s], 0.0);
                int n = G.next(s, a);
                double[] expected = G.isTerminal(n) ? new double[G.states()] : G.oneHot(n);
                for (int j = 0; j < expected.length; j++) expected[j] *= GAMMA;
                assertArrayEquals(expected, m.transition()[s], 0.0);
            }
        }
    }

    @Test
    void whenTheBehaviourIsTheOptionsOwnPolicyTheUpdateIsOnPolicyTdLambdaAndConvergesToo() {
        Stomp.Subtask t = hallwaySubtask();
        Stomp.Option o = new Stomp.Option(t, DynamicProgramming.subtaskValues(G, t, GAMMA, TOL));
        // on-policy data: exploring starts, then the option's own actions (ρ = 1)
        SplittableRandom rnd = new SplittableRandom(3);
        Stomp.Model m = Stomp.initialModel(G.states());
        double lambda = 0.9, alpha = 0.3;
        double[] wr = new double[G.states()], e = new double[G.states()];
        for (int episode = 0; episode < 8000; episode++) {
            int s;
            do s = rnd.nextInt(G.states()); while (G.isTerminal(s));
            m = m.clearTrace();
            java.util.Arrays.fill(e, 0);
            for (int k = 0; k < 30; k++) {
                int a = o.action(G.oneHot(s)), n = G.next(s, a);
                boolean term = G.isTerminal(n);
                m = Stomp.modelStep(m, o, G.oneHot(s), a, 1.0, G.reward(s, a), G.oneHot(n), term, GAMMA, lambda, alpha);
                // on-policy TD(λ) with accumulating traces, written out for the reward model
                double beta = term || o.stops(G.oneHot(n)) ? 1 : 0;
                double delta = G.reward(s, a) + (term ? 0 : GAMMA * (1 - beta) * wr[n]) - wr[s];
                e[s] += 1;
                for (int j = 0; j < wr.length; j++) wr[j] += alpha * delta * e[j];
                for (int j = 0; j < e.length; j++) e[j] *= GAMMA * lambda * (1 - beta);
                if (term) break;
                s = n;
            }
            if (episode == 10) assertArrayEquals(wr, m.rewardWeights(), 1e-12);
        }
        assertArrayEquals(wr, m.rewardWeights(), 1e-12);
        var exact = DynamicProgramming.optionModel(G, o, GAMMA, TOL);
        assertTrue(maxError(m, exact) < 1e-9, "error " + maxError(m, exact));
    }

    @Test
    void planningWithExactModelsReachesTheOptimalValuesWithOrWithoutTheOption() {
        Stomp.Subtask t = hallwaySubtask();
        Stomp.Option o = new Stomp.Option(t, DynamicProgramming.subtaskValues(G, t, GAMMA, TOL));
        List<Stomp.Model> primitives = new ArrayList<>();
        for (int a = 0; a < GridWorld.ACTIONS; a++) primitives.add(asModel(DynamicProgramming.optionModel(G, new Stomp.Primitive(a), GAMMA, TOL)));
        List<Stomp.Model> withOption = new ArrayList<>(primitives);
        withOption.add(asModel(DynamicProgramming.optionModel(G, o, GAMMA, TOL)));
        double[] vStar = DynamicProgramming.optimalValues(G, GAMMA, TOL);
        for (List<Stomp.Model> models : List.of(primitives, withOption)) {
            double[] w = new double[G.states()];
            SplittableRandom rnd = new SplittableRandom(4);
            for (int i = 0; i < 30_000; i++) {
                int s = rnd.nextInt(G.states());
                if (!G.isTerminal(s)) w = Stomp.planningBackup(w, models, G.oneHot(s), 1.0);
            }
            for (int s = 0; s < G.states(); s++) assertEquals(vStar[s], w[s], 1e-10, "state " + s);
        }
        assertEquals(Math.pow(GAMMA, 17), vStar[G.start()], 1e-12); // 18 steps, the last one into the goal
    }

    static Stomp.Model asModel(DynamicProgramming.OptionModel m) {
        int d = m.reward().length;
        double[][] wp = new double[d][d];
        for (int s = 0; s < d; s++) for (int j = 0; j < d; j++) wp[j][s] = m.transition()[s][j];
        return new Stomp.Model(m.reward(), wp, new double[d]);
    }

    @Test
    void stepsLeaveTheirInputsUntouchedAndBadArgumentsAreRejected() {
        Stomp.Option o = Stomp.initialOption(hallwaySubtask(), GridWorld.ACTIONS);
        Stomp.Option o2 = Stomp.optionStep(o, G.oneHot(0), 1, 1.0, G.oneHot(1), false, GAMMA, 0.5);
        assertEquals(0.0, o.theta()[1][0], 0.0);
        assertEquals(0.5, o2.theta()[1][0], 1e-15);
        Stomp.Model m = Stomp.initialModel(G.states());
        Stomp.Model m2 = Stomp.modelStep(m, new Stomp.Primitive(1), G.oneHot(0), 1, 0.25, 1.0, G.oneHot(1), false, GAMMA, 0, 0.2);
        assertEquals(0.0, m.rewardWeights()[0], 0.0);
        assertEquals(0.8, m2.rewardWeights()[0], 1e-15);
        assertEquals(0.0, m.transitionWeights()[1][0], 0.0);
        assertThrows(IllegalArgumentException.class, () -> Stomp.optionStep(o, G.oneHot(0), 4, 0, G.oneHot(1), false, GAMMA, 0.5));
        assertThrows(IllegalArgumentException.class, () -> Stomp.modelStep(m, new Stomp.Primitive(0), G.oneHot(0), 0, 0, 0, G.oneHot(1), false, GAMMA, 0, 0.1));
        assertThrows(IllegalArgumentException.class, () -> Stomp.planningBackup(new double[3], List.of(), new double[3], 1));
        assertThrows(IllegalArgumentException.class, () -> Stomp.planningBackup(new double[3], List.of(m), new double[2], 1));
    }
}
