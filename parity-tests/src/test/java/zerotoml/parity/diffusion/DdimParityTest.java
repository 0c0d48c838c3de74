package zerotoml.parity.diffusion;

import static zerotoml.parity.diffusion.DiffusionCases.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Precision;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.reference.diffusion.Ddim;

/**
 * DDIM against diffusers' DDIMScheduler.step written with DJL: one step (any η in [0, 1], with and
 * without clipping, to any earlier timestep or past the end) and a whole trajectory over a
 * "leading" timestep subsequence through a toy ε-network with the same injected noise.
 */
class DdimParityTest {

    static OpSpec step() {
        return OpSpec.op("Ddim.step (DDIMScheduler.step)")
                .cases(s -> {
                    Map<String, Object> a = new HashMap<>();
                    DiffusionCases.schedule(s, a, 60);
                    int steps = (Integer) a.get("T");
                    int t = s.intBetween(0, steps - 1);
                    a.put("t0", t);
                    a.put("prev", s.intBetween(-1, t - 1));
                    a.put("eta", s.pick(0.0, 0.5, 1.0));
                    a.put("clip", s.bool());
                    int[] shape = batchShape(s);
                    return new Case(List.of(arr(s, shape), arr(s, shape), arr(s, shape)), a, Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> zerotoml.scratch.diffusion.Ddim.step(scratchSchedule(c, dtype(x)), x.get(0), c.intArg("t0"), c.intArg("prev"), x.get(1),
                        c.doubleArg("eta"), c.boolArg("clip"), x.get(2)))
                .reference((c, x) -> Ddim.step(refSchedule(c, x.get(0).getManager(), x.get(0).getDataType()), x.get(0), c.intArg("t0"), c.intArg("prev"),
                        x.get(1), c.doubleArg("eta"), c.boolArg("clip"), x.get(2)))
                .noFiniteDifferences("with clipping, x̂0 can sit on the clamp's kink; Ddim.sample's finite differences cover the unclipped step");
    }

    static OpSpec sample() {
        return OpSpec.op("Ddim.sample (trajectory, toy net)")
                .cases(s -> {
                    Map<String, Object> a = new HashMap<>();
                    int steps = s.pick(10, 50, 100);
                    a.put("schedule", s.bool() ? "cosine" : "linear");
                    a.put("T", steps);
                    a.put("betaStart", 1e-4);
                    a.put("betaEnd", s.pick(0.02, 0.2));
                    int[] ts = zerotoml.scratch.diffusion.Ddim.leading(steps, s.intBetween(1, 8), 0);
                    a.put("timesteps", ts);
                    a.put("eta", s.pick(0.0, 1.0, 0.3));
                    int b = s.intBetween(1, 4), d = s.intBetween(1, 3), h = s.intBetween(1, 6);
                    List<Arr> in = new ArrayList<>(List.of(arr(s, new int[] {b, d})));
                    in.addAll(toyNet(s, d, h));
                    in.add(arr(s, new int[] {ts.length, b, d}));
                    return new Case(in, a, Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> zerotoml.scratch.diffusion.Ddim.sample(scratchSchedule(c, dtype(x)), scratchNet(x, 1, c.intArg("T")), x.get(0),
                        c.intsArg("timesteps"), c.doubleArg("eta"), false, split(x.get(5))))
                .reference((c, x) -> Ddim.sample(refSchedule(c, x.get(0).getManager(), x.get(0).getDataType()), refNet(x, 1, c.intArg("T")), x.get(0),
                        c.intsArg("timesteps"), c.doubleArg("eta"), false, split(x.get(5))))
                .loosen(Precision.F32, OpSpec.Check.GRADIENT, 1.3e-6, 2e-5, DdpmParityTest.TRAJECTORY);
    }

    @TestFactory
    Stream<DynamicTest> ddimMatchesDiffusersDdimScheduler() {
        return Parity.tests(step(), sample());
    }
}
