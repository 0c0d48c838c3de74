package zerotoml.scratch.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EnvironmentsTest {
    static final CartPole.Config CP = CartPole.Config.v1();
    static final Pendulum.Config PD = Pendulum.Config.v1();

    // ------------------------------------------------------------------ CartPole

    @Test
    void cartPoleResetDrawsEachStateVariableWithinFiveHundredthsAndTheSameSeedGivesTheSameTrajectory() {
        List<double[]> a = cartPoleRollout(7), b = cartPoleRollout(7), c = cartPoleRollout(8);
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), 0.0);
        assertFalse(java.util.Arrays.equals(a.get(0), c.get(0)));
        for (double v : a.get(0)) assertTrue(Math.abs(v) <= 0.05);
    }

    static List<double[]> cartPoleRollout(long seed) {
        SplittableRandom policy = new SplittableRandom(seed);
        var t = CartPole.reset(CP, seed);
        List<double[]> obs = new ArrayList<>(List.of(t.observation()));
        while (!t.done()) {
            t = CartPole.step(CP, t.state(), policy.nextInt(2));
            obs.add(t.observation());
        }
        return obs;
    }

    @Test
    void cartPoleAccelerationsConserveHorizontalMomentumExceptForTheAppliedForce() {
        // (m_c + m_p) ẍ + m_p l (θ̈ cos θ − θ̇² sin θ) = F: the pole's reaction is internal
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 200; i++) {
            var s = CartPole.at(r.nextDouble(-2, 2), r.nextDouble(-3, 3), r.nextDouble(-1.5, 1.5), r.nextDouble(-4, 4));
            double f = r.nextDouble(-10, 10);
            var a = CartPole.accelerations(CP, s, f);
            double lhs = (CP.massCart() + CP.massPole()) * a.xAcc()
                    + CP.massPole() * CP.halfLength() * (a.thetaAcc() * Math.cos(s.theta()) - s.thetaDot() * s.thetaDot() * Math.sin(s.theta()));
            assertEquals(f, lhs, 1e-12);
        }
    }

    @Test
    void anUprightPoleAtRestWithNoForceStaysUprightWhileTheCartCoastsAtConstantVelocity() {
        var c = CP.withForceMag(0);
        var t = new Transition<>(null, 0, false, false, CartPole.at(0, 0.3, 0, 0));
        for (int i = 0; i < 100; i++) t = CartPole.step(c, t.state(), i % 2);
        assertEquals(0.0, t.state().theta(), 0.0);
        assertEquals(0.3, t.state().xDot(), 0.0);
        assertEquals(100 * 0.02 * 0.3, t.state().x(), 1e-12);
    }

    @Test
    void withAVanishingPoleTheCartAcceleratesAsAFreeMassAndAPoleWithoutForceFallsTowardItsLean() {
        var light = CP.withMassPole(1e-9);
        var a = CartPole.accelerations(light, CartPole.at(0, 0, 0.1, 0), 10);
        assertEquals(10 / light.massCart(), a.xAcc(), 1e-6);
        var b = CartPole.accelerations(CP, CartPole.at(0, 0, 0.1, 0), 0);
        assertTrue(b.thetaAcc() > 0);
        var d = CartPole.accelerations(CP, CartPole.at(0, 0, -0.1, 0), 0);
        assertEquals(-b.thetaAcc(), d.thetaAcc(), 1e-15);
    }

    @Test
    void cartPoleTerminatesJustPastTwoPointFourOrTwelveDegreesAndNotBefore() {
        // x = 2.39 moving right at 0.4: after one step x = 2.398 (inside), after two 2.406 (outside)
        var t = CartPole.step(CP, CartPole.at(2.39, 0.4, 0, 0), 1);
        assertFalse(t.terminated());
        t = CartPole.step(CP, t.state(), 1);
        assertTrue(t.state().x() > 2.4);
        assertTrue(t.terminated());
        assertEquals(1.0, t.reward());
        double limit = 12 * 2 * Math.PI / 360;
        var u = CartPole.step(CP, CartPole.at(0, 0, limit - 0.001, 0.1), 1); // θ + 0.02·0.1 = limit + 0.001
        assertTrue(u.terminated());
        var v = CartPole.step(CP, CartPole.at(0, 0, -(limit - 0.003), 0.1), 1);
        assertFalse(v.terminated());
    }

    @Test
    void cartPoleTruncationAtTheStepLimitIsReportedApartFromTermination() {
        var c = CP.withMaxSteps(3);
        var t = CartPole.reset(c, 0);
        for (int i = 0; i < 2; i++) {
            t = CartPole.step(c, t.state(), i % 2);
            assertFalse(t.truncated());
        }
        t = CartPole.step(c, t.state(), 0);
        assertTrue(t.truncated());
        assertFalse(t.terminated());
        var end = t.state();
        var e = assertThrows(IllegalStateException.class, () -> CartPole.step(c, end, 0));
        assertTrue(e.getMessage().contains("reset"));
    }

    @Test
    void cartPoleRejectsActionsOtherThanZeroAndOne() {
        var s = CartPole.reset(CP, 0).state();
        var e = assertThrows(IllegalArgumentException.class, () -> CartPole.step(CP, s, 2));
        assertTrue(e.getMessage().contains("CartPole.step") && e.getMessage().contains("[0, 1]") && e.getMessage().contains("2"));
        assertThrows(IllegalArgumentException.class, () -> CartPole.step(CP, s, -1));
        assertThrows(IllegalArgumentException.class, () -> CP.withMaxSteps(0));
    }

    @Test
    void aStepLeavesTheCallersStateUntouched() {
        var s = CartPole.reset(CP, 3).state();
        var copy = new CartPole.State(s.x(), s.xDot(), s.theta(), s.thetaDot(), s.steps(), s.done());
        var t = CartPole.step(CP, s, 1);
        assertEquals(copy, s);
        assertNotEquals(s, t.state());
    }

    // ------------------------------------------------------------------ Pendulum

    @Test
    void pendulumWithoutTorqueConservesEnergyToFirstOrderInTheTimeStep() {
        // semi-implicit Euler keeps the energy within O(dt) of its start, with no drift
        var c = PD.withDt(0.001).withMaxSpeed(1e9).withMaxSteps(100_000);
        var s = Pendulum.at(2.0, 0.0);
        double e0 = Pendulum.energy(c, s), worst = 0;
        for (int i = 0; i < 20_000; i++) {
            s = Pendulum.step(c, s, new double[] {0}).state();
            worst = Math.max(worst, Math.abs(Pendulum.energy(c, s) - e0));
        }
        assertTrue(worst < 0.01 * Math.abs(e0), "energy drift " + worst + " of " + e0);
        // and a ten-times larger step drifts about ten times more: the error is first order
        var c10 = c.withDt(0.01);
        var s10 = Pendulum.at(2.0, 0.0);
        double worst10 = 0;
        for (int i = 0; i < 2_000; i++) {
            s10 = Pendulum.step(c10, s10, new double[] {0}).state();
            worst10 = Math.max(worst10, Math.abs(Pendulum.energy(c10, s10) - e0));
        }
        assertTrue(worst10 > 5 * worst && worst10 < 20 * worst, worst + " vs " + worst10);
    }

    @Test
    void theUprightPendulumAtRestIsAnEquilibriumAndTheRewardIsZeroThere() {
        var t = Pendulum.step(PD, Pendulum.at(0, 0), new double[] {0});
        assertEquals(0.0, t.state().theta(), 0.0);
        assertEquals(0.0, t.state().thetaDot(), 0.0);
        assertEquals(0.0, t.reward(), 0.0);
        // hanging down at rest costs π² per step: the worst angle
        var d = Pendulum.step(PD, Pendulum.at(Math.PI, 0), new double[] {0});
        assertEquals(-Math.PI * Math.PI, d.reward(), 1e-12);
    }

    @Test
    void pendulumSpeedIsClippedAtEightAndTorqueAtTwo() {
        var t = Pendulum.step(PD, Pendulum.at(1.0, 7.9), new double[] {2});
        assertEquals(8.0, t.state().thetaDot(), 0.0);
        var big = Pendulum.step(PD, Pendulum.at(0.5, 0), new double[] {50});
        var two = Pendulum.step(PD, Pendulum.at(0.5, 0), new double[] {2});
        assertEquals(two.state(), big.state());
        assertEquals(two.reward(), big.reward(), 0.0);
    }

    @Test
    void pendulumNeverTerminatesAndIsTruncatedAfterTwoHundredSteps() {
        var t = Pendulum.reset(PD, 5);
        int n = 0;
        while (!t.done()) {
            t = Pendulum.step(PD, t.state(), new double[] {Math.sin(n)});
            n++;
            assertFalse(t.terminated());
        }
        assertEquals(200, n);
        assertTrue(t.truncated());
    }

    @Test
    void pendulumSameSeedSameTrajectoryAndItsObservationIsCosSinAndSpeed() {
        var a = Pendulum.reset(PD, 11);
        var b = Pendulum.reset(PD, 11);
        for (int i = 0; i < 50; i++) {
            a = Pendulum.step(PD, a.state(), new double[] {1.5});
            b = Pendulum.step(PD, b.state(), new double[] {1.5});
            assertArrayEquals(a.observation(), b.observation(), 0.0);
        }
        double[] o = a.observation();
        assertEquals(1.0, o[0] * o[0] + o[1] * o[1], 1e-12);
        assertEquals(a.state().thetaDot(), o[2], 0.0);
        var r = Pendulum.reset(PD, 12).state();
        assertTrue(Math.abs(r.theta()) <= Math.PI && Math.abs(r.thetaDot()) <= 1);
    }

    @Test
    void pendulumRejectsNonFiniteTorqueAndActionsOfTheWrongLength() {
        var s = Pendulum.at(0, 0);
        var e = assertThrows(IllegalArgumentException.class, () -> Pendulum.step(PD, s, new double[] {Double.NaN}));
        assertTrue(e.getMessage().contains("torque"));
        var f = assertThrows(IllegalArgumentException.class, () -> Pendulum.step(PD, s, new double[] {0, 1}));
        assertTrue(f.getMessage().contains("length 1") && f.getMessage().contains("length 2"));
    }

    @Test
    void normalizedAnglesLieInMinusPiToPi() {
        for (double th = -20; th < 20; th += 0.37) {
            double n = Pendulum.normalizeAngle(th);
            assertTrue(n >= -Math.PI && n < Math.PI);
            assertEquals(Math.sin(th), Math.sin(n), 1e-12);
            assertEquals(Math.cos(th), Math.cos(n), 1e-12);
        }
    }

    // ------------------------------------------------------------------ GridWorld

    @Test
    void theTwoRoomWorldHasItsCellsWhereTheMapDrawsThem() {
        GridWorld g = GridWorld.twoRooms();
        assertEquals(g.stateAt(5, 1), g.start());
        assertEquals(g.stateAt(5, 11), g.goal());
        assertEquals(g.stateAt(3, 6), g.hallway());
        assertTrue(g.isPenalty(g.stateAt(4, 3)));
        assertFalse(g.isPenalty(g.stateAt(1, 3)));
        assertEquals(5 * 5 * 2 + 1, g.states());
    }

    @Test
    void gridMovesIntoWallsStayPutAndTheHallwayConnectsTheRooms() {
        GridWorld g = GridWorld.twoRooms();
        int s = g.start();
        assertEquals(s, g.next(s, GridWorld.LEFT));
        assertEquals(s, g.next(s, GridWorld.DOWN));
        assertEquals(g.stateAt(4, 1), g.next(s, GridWorld.UP));
        int beforeHall = g.stateAt(3, 5);
        assertEquals(g.hallway(), g.next(beforeHall, GridWorld.RIGHT));
        assertEquals(g.stateAt(3, 7), g.next(g.hallway(), GridWorld.RIGHT));
        assertEquals(g.hallway(), g.next(g.hallway(), GridWorld.UP));
        assertEquals(g.stateAt(2, 5), g.next(g.stateAt(2, 5), GridWorld.RIGHT));
    }

    @Test
    void gridRewardsArePlusOneIntoTheGoalWhichTerminatesAndMinusOneIntoPenaltyCells() {
        GridWorld g = GridWorld.twoRooms();
        var t = g.step(new GridWorld.State(g.stateAt(5, 2), 0, false), GridWorld.RIGHT);
        assertEquals(-1.0, t.reward());
        assertFalse(t.done());
        t = g.step(t.state(), GridWorld.UP); // from one penalty cell into the next
        assertEquals(-1.0, t.reward());
        t = g.step(new GridWorld.State(g.stateAt(5, 10), 0, false), GridWorld.RIGHT);
        assertEquals(1.0, t.reward());
        assertTrue(t.terminated());
        assertFalse(t.truncated());
        assertArrayEquals(g.oneHot(g.goal()), t.observation(), 0.0);
    }

    @Test
    void gridTruncatesAtItsStepLimitApartFromTermination() {
        GridWorld g = new GridWorld(new String[] {"#####", "#S.G#", "#####"}, 2);
        var t = g.step(g.reset(0).state(), GridWorld.LEFT);
        t = g.step(t.state(), GridWorld.LEFT);
        assertTrue(t.truncated());
        assertFalse(t.terminated());
    }

    @Test
    void gridRejectsBadActionsStatesAndMaps() {
        GridWorld g = GridWorld.twoRooms();
        var e = assertThrows(IllegalArgumentException.class, () -> g.step(g.reset(0).state(), 4));
        assertTrue(e.getMessage().contains("GridWorld") && e.getMessage().contains("[0, 3]"));
        assertThrows(IllegalArgumentException.class, () -> g.next(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> g.stateAt(0, 0));
        assertThrows(IllegalArgumentException.class, () -> g.resetAt(g.goal()));
        var m = assertThrows(IllegalArgumentException.class, () -> new GridWorld(new String[] {"####", "#S.G", "####"}, 5));
        assertTrue(m.getMessage().contains("border"));
        assertThrows(IllegalArgumentException.class, () -> new GridWorld(new String[] {"#####", "#S?G#", "#####"}, 5));
        assertThrows(IllegalArgumentException.class, () -> new GridWorld(new String[] {"#####", "#S.S#", "#####"}, 5));
    }

    // ------------------------------------------------------------------ Bandit

    @Test
    void banditRewardsAverageToTheArmMeansAndEachPullEndsTheEpisode() {
        var c = Bandit.Config.testbed(5, 3);
        double[] sum = new double[5];
        var t = Bandit.reset(c, 9);
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            int arm = i % 5;
            t = Bandit.step(c, t.state(), arm);
            assertTrue(t.terminated());
            sum[arm] += t.reward();
        }
        // each mean is estimated from 4,000 draws of σ 1: a 5σ band is 5/√4000 ≈ 0.08
        for (int a = 0; a < 5; a++) assertEquals(c.means()[a], sum[a] / (n / 5), 0.08);
    }

    @Test
    void banditSameSeedSameRewardsAndBadArmsAreRejected() {
        var c = Bandit.Config.testbed(3, 1);
        var a = Bandit.reset(c, 4);
        var b = Bandit.reset(c, 4);
        for (int i = 0; i < 10; i++) {
            a = Bandit.step(c, a.state(), i % 3);
            b = Bandit.step(c, b.state(), i % 3);
            assertEquals(a.reward(), b.reward(), 0.0);
        }
        var s = a.state();
        var e = assertThrows(IllegalArgumentException.class, () -> Bandit.step(c, s, 3));
        assertTrue(e.getMessage().contains("Bandit.step") && e.getMessage().contains("[0, 2]"));
        assertThrows(IllegalArgumentException.class, () -> new Bandit.Config(new double[0], 1));
        assertEquals(0.0, new Bandit.Config(new double[] {0.5, 2, 1}, 0).means()[0], 0.5);
        assertEquals(1, new Bandit.Config(new double[] {0.5, 2, 1}, 0).bestArm());
    }
}
