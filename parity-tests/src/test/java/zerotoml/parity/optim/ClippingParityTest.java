package zerotoml.parity.optim;

import static zerotoml.parity.optim.Trajectories.arrays;
import static zerotoml.parity.optim.Trajectories.flat;
import static zerotoml.parity.optim.Trajectories.logBetween;
import static zerotoml.parity.optim.Trajectories.net;
import static zerotoml.parity.optim.Trajectories.withManager;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Precision;
import zerotoml.fixtures.Tolerance;
import zerotoml.parity.harness.TrajectoryParity;
import zerotoml.parity.optim.Trajectories.Net;
import zerotoml.parity.optim.Trajectories.Run;
import zerotoml.reference.Torch;
import zerotoml.scratch.optim.Clipping;

/**
 * Gradient clipping by global norm ({@code scratch/optim/Clipping}) against torch
 * {@code clip_grad_norm_}, written in NDArray ops in the reference, in f32 and f64.
 */
class ClippingParityTest {
    record ClipCase(Run run, double maxNorm) {
        @Override
        public String toString() {
            return run + ", maxNorm " + maxNorm;
        }
    }

    @TestFactory
    Stream<DynamicTest> clippingByGlobalNormFollowsTorch() {
        Gen<ClipCase> gen = s -> new ClipCase(Trajectories.runs().draw(s), logBetween(s, 0.01, 30));
        TrajectoryParity.Side<ClipCase> scratch = (c, p) -> {
            Run r = c.run();
            Clipping.Clipped<Net> out = Clipping.clipGradNorm(net(p, r.shapes(), r.grads()[0]), c.maxNorm());
            List<double[]> parts = new ArrayList<>(List.of(flat(out.grads()), new double[] {out.totalNorm()}));
            return new double[][] {Trajectories.concat(parts)};
        };
        TrajectoryParity.Side<ClipCase> reference = (c, p) -> withManager(m -> {
            Run r = c.run();
            var out = Ref.clipGradNorm(arrays(m, p, r.shapes(), r.grads()[0]), c.maxNorm());
            List<double[]> parts = new ArrayList<>(List.of(flat(out.grads()), Torch.values(out.totalNorm())));
            return new double[][] {Trajectories.concat(parts)};
        });
        String check = "clipped grads and norm match torch clip_grad_norm_";
        return Stream.of(
                DynamicTest.dynamicTest("clipGradNorm f32 " + check, () -> Trajectories.check("clipGradNorm", check, Precision.F32, gen, scratch, reference, Tolerance.of(Precision.F32), false)),
                DynamicTest.dynamicTest("clipGradNorm f64 " + check, () -> Trajectories.check("clipGradNorm", check, Precision.F64, gen, scratch, reference, Tolerance.of(Precision.F64), false)));
    }
}
