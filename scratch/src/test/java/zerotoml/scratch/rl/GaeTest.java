package zerotoml.scratch.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

class GaeTest {
    /** A random rollout [T, N] with episode ends, some of them truncations. */
    record Rollout(int steps, int envs, double[] r, double[] v, double[] nv, double[] term, double[] end) {
        Gae.Estimates gae(double gamma, double lambda) {
            return Gae.estimate(t(r), t(v), t(nv), t(term), t(end), gamma, lambda);
        }

        Tensor t(double[] x) {
            return Tensor.of(DType.F64, x, steps, envs);
        }
    }

    static Rollout rollout(long seed) {
        SplittableRandom g = new SplittableRandom(seed);
        int steps = 2 + g.nextInt(12), envs = 1 + g.nextInt(4), n = steps * envs;
        double[] r = new double[n], v = new double[n], nv = new double[n], term = new double[n], end = new double[n];
        for (int i = 0; i < n; i++) {
            r[i] = g.nextDouble(-1, 1);
            v[i] = g.nextDouble(-2, 2);
            nv[i] = g.nextDouble(-2, 2);
            double u = g.nextDouble();
            end[i] = u < 0.3 ? 1 : 0;
            term[i] = u < 0.15 ? 1 : 0;
        }
        // a consistent rollout: within an episode the next state's value is the next row's value
        for (int t = 0; t + 1 < steps; t++)
            for (int k = 0; k < envs; k++) if (end[t * envs + k] == 0) nv[t * envs + k] = v[(t + 1) * envs + k];
        return new Rollout(steps, envs, r, v, nv, term, end);
    }

    @Test
    void withLambdaZeroTheAdvantageIsTheOneStepTdError() {
        for (long seed = 0; seed < 50; seed++) {
            Rollout ro = rollout(seed);
            double gamma = 0.9;
            double[] delta = new double[ro.r.length];
            for (int i = 0; i < delta.length; i++) delta[i] = ro.r[i] + gamma * (1 - ro.term[i]) * ro.nv[i] - ro.v[i];
            assertArrayEquals(delta, ro.gae(gamma, 0).advantages().toArray(), 1e-12);
        }
    }

    @Test
    void withLambdaOneTheAdvantageIsTheDiscountedReturnBootstrappedAtCutsMinusTheValue() {
        for (long seed = 0; seed < 50; seed++) {
            Rollout ro = rollout(seed);
            double gamma = 0.95;
            double[] expected = new double[ro.r.length];
            for (int n = 0; n < ro.envs; n++)
                for (int t = 0; t < ro.steps; t++) {
                    // Monte-Carlo: sum rewards forward until the episode or the rollout ends, then bootstrap
                    double g = 0, discount = 1;
                    for (int k = t; k < ro.steps; k++) {
                        int i = k * ro.envs + n;
                        g += discount * ro.r[i];
                        discount *= gamma;
                        if (ro.term[i] == 1) break;
                        if (ro.end[i] == 1 || k == ro.steps - 1) {
                            g += discount * ro.nv[i];
                            break;
                        }
                    }
                    expected[t * ro.envs + n] = g - ro.v[t * ro.envs + n];
                }
            var e = ro.gae(gamma, 1);
            assertArrayEquals(expected, e.advantages().toArray(), 1e-12);
            double[] ret = e.returns().toArray();
            for (int i = 0; i < ret.length; i++) assertTrue(Math.abs(ret[i] - (expected[i] + ro.v[i])) < 1e-12);
        }
    }

    @Test
    void aHandComputedTwoEpisodeRolloutMatches() {
        // one env, 4 steps: the first episode terminates at t = 1, the second is cut by the rollout
        double g = 0.5, l = 0.5;
        Rollout ro = new Rollout(4, 1, new double[] {1, 2, 3, 4}, new double[] {0.5, 1, 1.5, 2},
                new double[] {1, 9, 2, 3}, new double[] {0, 1, 0, 0}, new double[] {0, 1, 0, 0});
        double d0 = 1 + g * 1 - 0.5, d1 = 2 - 1, d2 = 3 + g * 2 - 1.5, d3 = 4 + g * 3 - 2;
        double a3 = d3, a2 = d2 + g * l * a3, a1 = d1, a0 = d0 + g * l * a1;
        assertArrayEquals(new double[] {a0, a1, a2, a3}, ro.gae(g, l).advantages().toArray(), 1e-15);
    }

    @Test
    void badShapesFlagsAndCoefficientsAreRejectedByName() {
        Rollout ro = rollout(1);
        Tensor ok = ro.t(ro.r);
        var e = assertThrows(IllegalArgumentException.class,
                () -> Gae.estimate(ok, Tensor.zeros(DType.F64, ro.steps + 1, ro.envs), ok, ro.t(ro.term), ro.t(ro.end), 0.9, 0.9));
        assertTrue(e.getMessage().contains("values") && e.getMessage().contains("Gae.estimate"));
        double[] bad = ro.end.clone();
        bad[0] = 0.5;
        assertThrows(IllegalArgumentException.class, () -> Gae.estimate(ok, ok, ok, ro.t(ro.term), ro.t(bad), 0.9, 0.9));
        double[] termNotEnded = new double[ro.r.length];
        termNotEnded[0] = 1;
        assertThrows(IllegalArgumentException.class, () -> Gae.estimate(ok, ok, ok, ro.t(termNotEnded), ro.t(new double[ro.r.length]), 0.9, 0.9));
        assertThrows(IllegalArgumentException.class, () -> Gae.estimate(ok, ok, ok, ro.t(ro.term), ro.t(ro.end), 1.1, 0.9));
        assertThrows(IllegalArgumentException.class, () -> Gae.estimate(ok, ok, ok, ro.t(ro.term), ro.t(ro.end), 0.9, -0.1));
        assertThrows(IllegalArgumentException.class, () -> Gae.estimate(Tensor.zeros(DType.F64, 3), ok, ok, ok, ok, 0.9, 0.9));
    }
}
