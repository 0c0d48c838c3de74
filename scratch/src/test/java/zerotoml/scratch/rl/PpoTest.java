package zerotoml.scratch.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Property;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

class PpoTest {
    record Samples(double[] oldLp, double[] logRatio, double[] adv, double eps) {}

    static final Gen<Samples> SAMPLES = s -> {
        int m = s.intBetween(1, 10);
        double[] o = new double[m], r = new double[m], a = new double[m];
        for (int i = 0; i < m; i++) {
            o[i] = s.doubleBetween(-3, 0);
            r[i] = s.doubleBetween(-1, 1);
            a[i] = s.doubleBetween(-2, 2);
        }
        return new Samples(o, r, a, s.doubleBetween(0.05, 0.4));
    };

    static Tensor v(double[] x) {
        return Tensor.of(DType.F64, x, x.length);
    }

    @Test
    void theClippedSurrogateHasZeroGradientExactlyWhereTheRatioIsClippedInTheAdvantagesDirection() {
        Property.check("ppo clipped region", SAMPLES, c -> {
            double[] newLp = new double[c.oldLp().length];
            for (int i = 0; i < newLp.length; i++) newLp[i] = c.oldLp()[i] + c.logRatio()[i];
            Tensor g = Autodiff.grad(lp -> Ppo.policyLoss(lp, v(c.oldLp()), v(c.adv()), c.eps()), v(newLp));
            for (int i = 0; i < newLp.length; i++) {
                double r = Math.exp(c.logRatio()[i]), a = c.adv()[i];
                boolean clipped = (r > 1 + c.eps() && a > 0) || (r < 1 - c.eps() && a < 0);
                if (clipped) assertEquals(0.0, g.get(i), 0.0, "sample " + i);
                // elsewhere: −Â·ratio / M, the unclipped surrogate's gradient
                else assertEquals(-a * r / newLp.length, g.get(i), 1e-12, "sample " + i);
            }
        });
    }

    @Test
    void atRatioOneTheLossIsMinusTheMeanAdvantageButTheGradientIsNotZero() {
        Property.check("ppo ratio one", SAMPLES, c -> {
            int m = c.adv().length;
            Tensor adv = v(c.adv());
            var vg = Autodiff.valueAndGrad(lp -> Ppo.policyLoss(lp, v(c.oldLp()), adv, c.eps()), v(c.oldLp()));
            double mean = 0;
            for (double a : c.adv()) mean += a / m;
            assertEquals(-mean, vg.value().item(), 1e-12);
            for (int i = 0; i < m; i++) assertEquals(-c.adv()[i] / m, vg.grad().get(i), 1e-12);
        });
    }

    @Test
    void theClippedValueLossIsNeverBelowTheUnclippedOne() {
        Property.check("ppo value clip bound", SAMPLES, c -> {
            Tensor newV = v(c.logRatio()), oldV = v(c.oldLp()), ret = v(c.adv());
            assertTrue(Ppo.valueLoss(newV, oldV, ret, c.eps(), true).item() >= Ppo.valueLoss(newV, oldV, ret, c.eps(), false).item());
        });
    }

    @Test
    void normalisedAdvantagesHaveMeanZeroAndSampleStdOneAndAMinibatchOfOneIsRejected() {
        Tensor n = Ppo.normalizeAdvantages(v(new double[] {1, 2, 3, 10}));
        double mean = 0, ss = 0;
        for (double x : n.toArray()) mean += x / 4;
        for (double x : n.toArray()) ss += (x - mean) * (x - mean);
        assertEquals(0, mean, 1e-12);
        assertEquals(1, Math.sqrt(ss / 3), 1e-7);
        var e = assertThrows(IllegalArgumentException.class, () -> Ppo.normalizeAdvantages(v(new double[] {1})));
        assertTrue(e.getMessage().contains("at least 2"));
    }

    record Linear(Tensor w) {}

    /** A two-action policy on fixed features: logits = x·W, value 0; enough to run the update loop. */
    static Ppo.Evaluation evaluate(Linear p, double[][] x, int[] actions, int[] idx) {
        double[] rows = new double[idx.length * 2];
        for (int i = 0; i < idx.length; i++) System.arraycopy(x[idx[i]], 0, rows, 2 * i, 2);
        Tensor logits = Tensor.of(DType.F64, rows, idx.length, 2).matmul(p.w());
        Tensor logp = zerotoml.scratch.tensor.Softmax.logSoftmax(logits, 1);
        int[] picked = new int[idx.length];
        for (int i = 0; i < idx.length; i++) picked[i] = actions[idx[i]];
        Tensor lp = zerotoml.scratch.tensor.Indexing.gather(logp, 1, picked, zerotoml.scratch.tensor.Shape.of(idx.length, 1)).reshape(idx.length);
        Tensor ent = Tensor.zeros(DType.F64, idx.length);
        return new Ppo.Evaluation(lp, ent, Tensor.zeros(DType.F64, idx.length));
    }

    @Test
    void anUpdateMovesLogProbabilitiesTowardTheAdvantageAndTheKlTargetStopsItEarly() {
        double[][] x = {{1, 0}, {0, 1}, {1, 1}, {1, -1}};
        int[] actions = {0, 1, 0, 1};
        Linear p0 = new Linear(Tensor.zeros(DType.F64, 2, 2));
        int[] all = {0, 1, 2, 3};
        Tensor oldLp = evaluate(p0, x, actions, all).logProb();
        var batch = new Ppo.Batch(oldLp, Tensor.zeros(DType.F64, 4), v(new double[] {1, 1, -1, 2}), Tensor.zeros(DType.F64, 4));
        int[][] perms = {{3, 1, 0, 2}, {0, 1, 2, 3}, {2, 3, 1, 0}, {1, 0, 3, 2}};
        var h = new Ppo.Hyper(0.2, true, 0, 0.5, 0.5, false, Double.NaN, 4, 2);
        var up = Ppo.update(h, Adam.Hyper.defaults(0.05), p0, Adam.init(p0), batch, perms, (p, idx) -> evaluate(p, x, actions, idx));
        assertEquals(4, up.epochsRun());
        assertEquals(8, up.minibatchesRun());
        Tensor newLp = evaluate(up.params(), x, actions, all).logProb();
        double[] adv = {1, 1, -1, 2};
        double gain = 0;
        for (int i = 0; i < 4; i++) gain += adv[i] * (newLp.get(i) - oldLp.get(i));
        assertTrue(gain > 0, "Σ Â Δlog π = " + gain);
        assertEquals(0.0, p0.w().get(0, 0), 0.0); // the caller's params are untouched
        var early = Ppo.update(new Ppo.Hyper(0.2, true, 0, 0.5, 0.5, false, 1e-9, 4, 2), Adam.Hyper.defaults(0.05), p0, Adam.init(p0), batch, perms,
                (p, idx) -> evaluate(p, x, actions, idx));
        assertEquals(1, early.epochsRun());
        assertNotEquals(0.0, early.params().w().get(0, 0));
        // the same permutations give the same result, bit for bit
        var again = Ppo.update(h, Adam.Hyper.defaults(0.05), p0, Adam.init(p0), batch, perms, (p, idx) -> evaluate(p, x, actions, idx));
        assertEquals(up.params().w().get(1, 1), again.params().w().get(1, 1), 0.0);
        var bad = assertThrows(IllegalArgumentException.class, () -> Ppo.update(h, Adam.Hyper.defaults(0.05), p0, Adam.init(p0), batch,
                new int[][] {{0, 0, 1, 2}, all, all, all}, (p, idx) -> evaluate(p, x, actions, idx)));
        assertTrue(bad.getMessage().contains("permutation"));
        assertThrows(IllegalArgumentException.class, () -> Ppo.update(new Ppo.Hyper(0.2, true, 0, 0.5, 0.5, false, Double.NaN, 1, 3),
                Adam.Hyper.defaults(0.05), p0, Adam.init(p0), batch, perms, (p, idx) -> evaluate(p, x, actions, idx)));
    }
}
