package zerotoml.parity.optim;

import static zerotoml.parity.optim.Trajectories.floatBetween;
import static zerotoml.parity.optim.Trajectories.logBetween;
import static zerotoml.parity.optim.Trajectories.withManager;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Precision;
import zerotoml.fixtures.Tolerance;
import zerotoml.reference.Torch;
import zerotoml.reference.optim.Schedules;
import zerotoml.scratch.optim.Schedule;

/**
 * Learning-rate schedules ({@code scratch/optim/Schedule}: torch lr_scheduler closed forms and the
 * warm-ups the examples use, over 0..80 steps, f64) against the reference.
 */
class ScheduleParityTest {

    /** A schedule and the steps at which to evaluate it. */
    record ScheduleCase(Schedule schedule, int[] steps) {
        @Override
        public String toString() {
            return schedule + " at steps 0.." + (steps.length - 1);
        }
    }

    static Gen<ScheduleCase> over(Gen<Schedule> g) {
        return s -> {
            Schedule sc = g.draw(s);
            int n = s.intBetween(1, 80);
            int[] t = new int[n];
            for (int i = 0; i < n; i++) t[i] = i;
            return new ScheduleCase(sc, t);
        };
    }

    static DynamicTest schedule(String name, Gen<Schedule> g, BiFunction<NDManager, ScheduleCase, NDArray> ref) {
        return DynamicTest.dynamicTest(name + " f64 matches torch lr_scheduler closed form", () -> Trajectories.check(
                name, "values match torch lr_scheduler", Precision.F64, over(g),
                (c, p) -> {
                    double[] out = new double[c.steps().length];
                    for (int i = 0; i < out.length; i++) out[i] = c.schedule().lr(c.steps()[i]);
                    return new double[][] {out};
                },
                (c, p) -> withManager(m -> new double[][] {Torch.values(ref.apply(m, c))}),
                Tolerance.of(Precision.F64), false));
    }

    @TestFactory
    Stream<DynamicTest> schedulesFollowTorchClosedForms() {
        return Stream.of(
                schedule("Schedule.Constant", s -> new Schedule.Constant(logBetween(s, 1e-5, 1)),
                        (m, c) -> Schedules.constant(m, c.steps(), ((Schedule.Constant) c.schedule()).lr())),
                schedule("Schedule.StepDecay", s -> new Schedule.StepDecay(logBetween(s, 1e-5, 1), s.intBetween(1, 20), floatBetween(s, 0.05, 1)),
                        (m, c) -> {
                            var h = (Schedule.StepDecay) c.schedule();
                            return Schedules.stepDecay(m, c.steps(), h.lr(), h.stepSize(), h.decay());
                        }),
                schedule("Schedule.Cosine", s -> new Schedule.Cosine(logBetween(s, 1e-5, 1), s.intBetween(1, 100), s.bool() ? logBetween(s, 1e-7, 1e-5) : 0),
                        (m, c) -> {
                            var h = (Schedule.Cosine) c.schedule();
                            return Schedules.cosine(m, c.steps(), h.lr(), h.tMax(), h.etaMin());
                        }),
                schedule("Schedule.LinearWarmup", s -> new Schedule.LinearWarmup(logBetween(s, 1e-5, 1), floatBetween(s, 0.01, 1), floatBetween(s, 0, 1), s.intBetween(1, 40)),
                        (m, c) -> {
                            var h = (Schedule.LinearWarmup) c.schedule();
                            return Schedules.linearWarmup(m, c.steps(), h.lr(), h.startFactor(), h.endFactor(), h.totalIters());
                        }),
                schedule("Schedule.Transformer", s -> new Schedule.Transformer(s.pick(16, 64, 512, 1024), s.intBetween(1, 60), s.pick(1.0, 2.0, 0.5)),
                        (m, c) -> {
                            var h = (Schedule.Transformer) c.schedule();
                            return Schedules.transformer(m, c.steps(), h.dModel(), h.warmup(), h.scale());
                        }),
                schedule("Schedule.Warmup", s -> {
                            double lr = logBetween(s, 1e-5, 1);
                            int warmup = s.intBetween(0, 30);
                            Schedule after = s.bool() ? new Schedule.Constant(lr) : new Schedule.Cosine(lr, s.intBetween(1, 80), s.bool() ? lr / 10 : 0);
                            return new Schedule.Warmup(lr, warmup, after);
                        },
                        (m, c) -> {
                            var h = (Schedule.Warmup) c.schedule();
                            int[] shifted = new int[c.steps().length];
                            for (int i = 0; i < shifted.length; i++) shifted[i] = Math.max(0, c.steps()[i] - h.warmup());
                            NDArray after = h.after() instanceof Schedule.Cosine a ? Schedules.cosine(m, shifted, a.lr(), a.tMax(), a.etaMin())
                                    : Schedules.constant(m, shifted, ((Schedule.Constant) h.after()).lr());
                            return Schedules.warmup(m, c.steps(), h.lr(), h.warmup(), after);
                        }),
                schedule("Schedule.WarmupCosine", s -> new Schedule.WarmupCosine(logBetween(s, 1e-5, 1), s.intBetween(0, 30), s.intBetween(1, 100)),
                        (m, c) -> {
                            var h = (Schedule.WarmupCosine) c.schedule();
                            return Schedules.warmupCosine(m, c.steps(), h.lr(), h.warmup(), h.tMax());
                        }));
    }
}
