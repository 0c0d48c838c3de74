package zerotoml.scratch.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Property;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

class GrpoTest {
    /** B = groups · G completions of T tokens: log-probs, reference log-probs, a mask with at least one token per row, rewards. */
    record Batch(int groups, int g, int t, double[] logp, double[] ref, double[] mask, double[] rewards) {
        int b() {
            return groups * g;
        }
    }

    static final Gen<Batch> BATCHES = s -> {
        int groups = s.intBetween(1, 3), g = s.intBetween(2, 5), t = s.intBetween(1, 5), b = groups * g;
        double[] lp = new double[b * t], ref = new double[b * t], mask = new double[b * t], r = new double[b];
        for (int i = 0; i < b * t; i++) {
            lp[i] = s.doubleBetween(-4, 0);
            ref[i] = s.doubleBetween(-4, 0);
        }
        for (int i = 0; i < b; i++) {
            int len = s.intBetween(1, t);
            for (int k = 0; k < len; k++) mask[i * t + k] = 1;
            r[i] = s.bool() ? 1 : s.doubleBetween(0, 1);
        }
        return new Batch(groups, g, t, lp, ref, mask, r);
    };

    static Tensor m(Batch c, double[] x) {
        return Tensor.of(DType.F64, x, c.b(), c.t());
    }

    @Test
    void aGroupWhoseRewardsAreAllEqualHasZeroAdvantageUnderEveryScaling() {
        Property.check("grpo equal group", BATCHES, c -> {
            double[] r = c.rewards().clone();
            for (int k = 0; k < c.g(); k++) r[k] = 0.75; // the first group all equal
            for (DType dt : DType.values())
                for (Grpo.Scale sc : Grpo.Scale.values()) {
                    Tensor a = Grpo.advantages(Tensor.of(dt, r, r.length), c.g(), sc);
                    for (int k = 0; k < c.g(); k++) assertEquals(0.0, a.get(k), 0.0, dt + " " + sc + " completion " + k);
                }
        });
    }

    @Test
    void groupAdvantagesSumToZeroWithinEachGroup() {
        Property.check("grpo centred", BATCHES, c -> {
            Tensor a = Grpo.advantages(Tensor.of(DType.F64, c.rewards(), c.b()), c.g(), Grpo.Scale.GROUP);
            for (int q = 0; q < c.groups(); q++) {
                double sum = 0;
                for (int k = 0; k < c.g(); k++) sum += a.get(q * c.g() + k);
                assertEquals(0, sum, 1e-9);
            }
        });
    }

    @Test
    void k3IsNeverNegativeIsZeroExactlyWhenThePoliciesMatchAndHasTheStatedGradient() {
        Property.check("grpo k3", BATCHES, c -> {
            Tensor lp = m(c, c.logp()), ref = m(c, c.ref());
            double[] k = Grpo.k3(lp, ref).toArray();
            for (int i = 0; i < k.length; i++) {
                assertTrue(k[i] >= 0, "k3 = " + k[i]);
                if (c.logp()[i] != c.ref()[i]) assertTrue(k[i] > 0);
            }
            for (double z : Grpo.k3(lp, lp).toArray()) assertEquals(0.0, z, 0.0);
            Tensor g = Autodiff.grad(x -> Grpo.k3(x, ref).sum(), lp);
            // ∂k3/∂logp = 1 − e^{ref − logp}
            for (int i = 0; i < k.length; i++) assertEquals(1 - Math.exp(c.ref()[i] - c.logp()[i]), g.toArray()[i], 1e-12);
        });
    }

    @Test
    void atRatioOneWithoutKlEachLossTypeGivesItsStatedPerTokenGradientAndPaddingGetsNone() {
        Property.check("grpo gradients", BATCHES, c -> {
            Tensor lp = m(c, c.logp()), mask = m(c, c.mask());
            Tensor adv = Grpo.advantages(Tensor.of(DType.F64, c.rewards(), c.b()), c.g(), Grpo.Scale.GROUP);
            double total = 0;
            for (double x : c.mask()) total += x;
            for (Grpo.LossType type : Grpo.LossType.values()) {
                var h = new Grpo.Hyper(0.2, 0.2, 0, type, c.t());
                Tensor g = Autodiff.grad(x -> Grpo.losses(h, x, lp, lp, adv, mask).loss(), lp);
                for (int i = 0; i < c.b(); i++) {
                    double len = 0;
                    for (int k = 0; k < c.t(); k++) len += c.mask()[i * c.t() + k];
                    double expected = switch (type) {
                        case GRPO -> -adv.get(i) / (c.b() * len);
                        case BNPO -> -adv.get(i) / total;
                        case DR_GRPO -> -adv.get(i) / (c.b() * (double) c.t());
                    };
                    for (int k = 0; k < c.t(); k++)
                        assertEquals(c.mask()[i * c.t() + k] == 1 ? expected : 0.0, g.get(i, k), 1e-12, type + " token (" + i + ", " + k + ")");
                }
            }
        });
    }

    @Test
    void tokensClippedInTheDirectionOfTheirAdvantageGetNoPolicyGradient() {
        Property.check("grpo clipped", BATCHES, c -> {
            Tensor old = m(c, c.ref()), lp = m(c, c.logp()), mask = m(c, c.mask());
            double[] a = new double[c.b()];
            for (int i = 0; i < a.length; i++) a[i] = i % 2 == 0 ? 1 : -1;
            Tensor adv = Tensor.of(DType.F64, a, a.length);
            var h = new Grpo.Hyper(0.2, 0.28, 0, Grpo.LossType.BNPO, c.t());
            Tensor g = Autodiff.grad(x -> Grpo.losses(h, x, old, old, adv, mask).loss(), lp);
            for (int i = 0; i < c.b(); i++)
                for (int k = 0; k < c.t(); k++) {
                    double r = Math.exp(c.logp()[i * c.t() + k] - c.ref()[i * c.t() + k]);
                    if ((a[i] > 0 && r > 1.28) || (a[i] < 0 && r < 0.8)) assertEquals(0.0, g.get(i, k), 0.0);
                }
        });
    }

    @Test
    void badGroupsAndShapesAreRejectedByName() {
        Tensor r = Tensor.of(DType.F64, new double[] {1, 0, 1}, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> Grpo.advantages(r, 2, Grpo.Scale.GROUP));
        assertTrue(e.getMessage().contains("groupSize") && e.getMessage().contains("3"));
        Tensor lp = Tensor.zeros(DType.F64, 2, 3);
        var f = assertThrows(IllegalArgumentException.class,
                () -> Grpo.losses(Grpo.Hyper.paper(3), lp, lp, lp, Tensor.zeros(DType.F64, 3), Tensor.ones(DType.F64, 2, 3)));
        assertTrue(f.getMessage().contains("advantages"));
        assertThrows(IllegalArgumentException.class, () -> Grpo.k3(lp, Tensor.zeros(DType.F64, 3, 2)));
    }
}
