package zerotoml.parity.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import zerotoml.fixtures.ParityLedger;
import zerotoml.fixtures.Precision;
import zerotoml.fixtures.Property;
import zerotoml.fixtures.Source;
import zerotoml.fixtures.Tolerance;
import zerotoml.parity.harness.Arr;
import zerotoml.reference.Torch;
import zerotoml.scratch.nn.Dropout;
import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;
import zerotoml.scratch.transformer.Transformer;
import zerotoml.scratch.transformer.Transformer.Config;

/**
 * Five Adam steps on a decoder-only model, scratch against PyTorch, from the same parameters on the
 * same batch: the loss trajectories must agree. There is no optim package yet, so both sides write
 * torch.optim.Adam's update (its documented, non-fused form) inline:
 * {@code m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  p ← p − (lr/(1−β₁ᵗ)) · m / (√v/√(1−β₂ᵗ) + ε)},
 * with the paper's β₁ = 0.9, β₂ = 0.98, ε = 1e-9 and lr = 1e-2 (large, so that the steps move).
 */
class TransformerTrainingParityTest {
    static final double LR = 1e-2, B1 = 0.9, B2 = 0.98, EPS = 1e-9;
    static final int STEPS = 5;

    record Run(Config config, List<Arr> params, int batch, int time, double[] ids, double[] targets) {
        @Override
        public String toString() {
            return config + ", batch " + batch + ", time " + time;
        }
    }

    static Run draw(Source s) {
        Config c = TransformerCases.config(s, 3, 16);
        int b = s.intBetween(1, 3), t = s.intBetween(1, 16);
        List<Arr> p = TransformerCases.params(s, Transformer.initDecoderOnly(c, DType.F64, 0));
        return new Run(c, p, b, t, TransformerCases.ints(s, new int[] {b, t}, c.vocab()).data(), TransformerCases.ints(s, new int[] {b, t}, c.vocab()).data());
    }

    static int[] ints(double[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (int) v[i];
        return out;
    }

    static double[] scratchLosses(Run r, DType dt) {
        List<Tensor> init = new ArrayList<>();
        for (Arr a : r.params()) init.add(Tensor.of(dt, a.data(), a.shape()));
        Transformer.DecoderOnly p = Autodiff.Params.rebuild(Transformer.initDecoderOnly(r.config(), dt, 0), init);
        List<Tensor> m = new ArrayList<>(), v = new ArrayList<>();
        for (Tensor x : init) {
            m.add(Tensor.zeros(dt, x.shape().dims()));
            v.add(Tensor.zeros(dt, x.shape().dims()));
        }
        int[] ids = ints(r.ids()), targets = ints(r.targets());
        double[] losses = new double[STEPS];
        for (int step = 1; step <= STEPS; step++) {
            var vg = Autodiff.valueAndGrad(q -> Transformer.loss(Transformer.decoderOnly(r.config(), q, ids, r.batch(), r.time(), Dropout.OFF), targets), p);
            losses[step - 1] = vg.value().item();
            List<Tensor> ps = Autodiff.Params.tensors(p), gs = Autodiff.Params.tensors(vg.grad()), next = new ArrayList<>();
            double bc1 = 1 - Math.pow(B1, step), bc2 = 1 - Math.pow(B2, step);
            for (int i = 0; i < ps.size(); i++) {
                Tensor g = gs.get(i);
                // m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²
                m.set(i, Arithmetic.add(Arithmetic.mul(m.get(i), B1), Arithmetic.mul(g, 1 - B1)));
                v.set(i, Arithmetic.add(Arithmetic.mul(v.get(i), B2), Arithmetic.mul(Arithmetic.mul(g, g), 1 - B2)));
                // denom = √v / √(1 − β₂ᵗ) + ε;  p ← p − (lr / (1 − β₁ᵗ)) · m / denom
                Tensor denom = Arithmetic.add(Arithmetic.mul(Arithmetic.sqrt(v.get(i)), 1 / Math.sqrt(bc2)), EPS);
                next.add(Arithmetic.sub(ps.get(i), Arithmetic.mul(Arithmetic.div(m.get(i), denom), LR / bc1)));
            }
            p = Autodiff.Params.rebuild(p, next);
        }
        return losses;
    }

    static Number num(DataType dt, double v) {
        return dt == DataType.FLOAT32 ? (Number) (float) v : (Number) v;
    }

    static double[] referenceLosses(Run r, DataType dt) {
        double[] losses = new double[STEPS];
        try (NDManager mgr = Torch.engine().newBaseManager()) {
            List<NDArray> ps = new ArrayList<>(), m = new ArrayList<>(), v = new ArrayList<>();
            for (Arr a : r.params()) {
                NDArray x = Torch.array(mgr, a.data(), a.shape(), dt);
                x.setRequiresGradient(true);
                ps.add(x);
                m.add(x.zerosLike());
                v.add(x.zerosLike());
            }
            NDArray ids = Torch.array(mgr, r.ids(), new int[] {r.batch(), r.time()}, dt);
            NDArray targets = Torch.array(mgr, r.targets(), new int[] {r.batch(), r.time()}, dt);
            for (int step = 1; step <= STEPS; step++) {
                double bc1 = 1 - Math.pow(B1, step), bc2 = 1 - Math.pow(B2, step);
                try (GradientCollector gc = Torch.engine().newGradientCollector()) {
                    NDArray loss = Ref.loss(Ref.decoderOnly(r.config(), ps.iterator(), ids), targets);
                    gc.backward(loss);
                    losses[step - 1] = Torch.values(loss)[0];
                    for (int i = 0; i < ps.size(); i++) {
                        NDArray g = ps.get(i).getGradient().stopGradient();
                        m.set(i, m.get(i).mul(num(dt, B1)).add(g.mul(num(dt, 1 - B1))));
                        v.set(i, v.get(i).mul(num(dt, B2)).add(g.mul(g).mul(num(dt, 1 - B2))));
                        NDArray denom = v.get(i).sqrt().mul(num(dt, 1 / Math.sqrt(bc2))).add(num(dt, EPS));
                        NDArray next = ps.get(i).stopGradient().sub(m.get(i).div(denom).mul(num(dt, LR / bc1)));
                        next.setRequiresGradient(true);
                        ps.set(i, next);
                    }
                }
            }
        }
        return losses;
    }

    /** The run with its weights rounded to float32: what both float32 sides start from, for the float64 oracle. */
    static Run roundedToFloat(Run r) {
        List<Arr> ps = new ArrayList<>();
        for (Arr a : r.params()) {
            double[] v = a.data().clone();
            for (int i = 0; i < v.length; i++) v[i] = (float) v[i];
            ps.add(new Arr(a.shape(), v));
        }
        return new Run(r.config(), ps, r.batch(), r.time(), r.ids(), r.targets());
    }

    static double farthest(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }

    /**
     * Adjudication of a float32 trajectory that disagrees (the harness's rule, DESIGN.md): both sides
     * run again on identical inputs. Scratch is deterministic; when PyTorch's float32 trajectory is
     * not (ReferenceDefects.md, defect 2), it is no oracle, and the float64 trajectory from the same
     * float32 weights decides: the case passes, as a reference defect, only if scratch is at least as
     * close to it as every PyTorch run is. Returns the evidence, and whether scratch is cleared.
     */
    static Verdict adjudicate(Run r, double[] mine, double[] ref) {
        double[] mineAgain = scratchLosses(r, DType.F32);
        double[] ref2 = referenceLosses(r, DataType.FLOAT32), ref3 = referenceLosses(r, DataType.FLOAT32);
        double[] truth = referenceLosses(roundedToFloat(r), DataType.FLOAT64);
        return decide(mine, mineAgain, List.of(ref, ref2, ref3), truth);
    }

    /** The verdict from the evidence: scratch's two runs, PyTorch's float32 runs, and the float64 trajectory. */
    static Verdict decide(double[] mine, double[] mineAgain, List<double[]> refs, double[] truth) {
        double[] ref = refs.get(0);
        boolean scratchSame = Arrays.equals(mine, mineAgain);
        boolean refSame = refs.stream().allMatch(x -> Arrays.equals(ref, x));
        double dMine = farthest(mine, truth), dRef = refs.stream().mapToDouble(x -> farthest(x, truth)).max().orElseThrow();
        boolean cleared = scratchSame && !refSame && dMine <= dRef;
        String evidence = String.format(Locale.ROOT, "Adjudication: scratch %s on a second run; PyTorch float32 %s on identical inputs (runs %s, %s, %s);"
                        + " float64 trajectory from the same float32 weights %s: scratch is %.3g from it, PyTorch's runs up to %.3g. Verdict: %s",
                scratchSame ? "is bit-identical" : "DIFFERS", refSame ? "is reproducible" : "is NOT reproducible",
                Arrays.toString(refs.get(0)), Arrays.toString(refs.get(1)), Arrays.toString(refs.get(2)), Arrays.toString(truth),
                dMine, dRef, cleared ? "reference defect (not reproducible; scratch at least as close to float64)" : refSame ? "scratch wrong" : "undecided");
        return new Verdict(cleared, evidence);
    }

    record Verdict(boolean cleared, String evidence) {}

    /**
     * A float64 disagreement has no wider oracle, so only a non-reproducible reference is forgiven,
     * by {@code Parity.reproducible}'s rule: two more PyTorch runs on identical inputs agree with
     * each other bit for bit, contradict the first run, and agree with scratch within the tolerance.
     * (A rare first run of garbage on identical inputs is PyTorch's: ReferenceDefects.md, defect 2.)
     */
    static Verdict reproduce(Run r, double[] mine, double[] ref, Tolerance tol) {
        double[] ref2 = referenceLosses(r, DataType.FLOAT64), ref3 = referenceLosses(r, DataType.FLOAT64);
        return decideReproduced(mine, ref, ref2, ref3, tol);
    }

    /** The float64 verdict from PyTorch's three runs and scratch's trajectory. */
    static Verdict decideReproduced(double[] mine, double[] ref, double[] ref2, double[] ref3, Tolerance tol) {
        boolean reproduced = Arrays.equals(ref2, ref3), contradicted = !Arrays.equals(ref, ref2);
        boolean cleared = reproduced && contradicted && tol.compare(mine, ref2).ok();
        String evidence = String.format(Locale.ROOT, "Reproduction: PyTorch float64 runs on identical inputs %s, %s, %s; %s. Verdict: %s",
                Arrays.toString(ref), Arrays.toString(ref2), Arrays.toString(ref3),
                !contradicted ? "the first run is reproduced" : reproduced ? "the two re-runs agree with each other, not with the first" : "three different answers",
                cleared ? "reference defect (a first run the re-runs contradict; scratch agrees with the re-runs)" : reproduced ? "scratch wrong" : "undecided");
        return new Verdict(cleared, evidence);
    }

    void trajectory(Precision p) {
        Tolerance tol = Tolerance.of(p);
        double[] worst = new double[3];
        int[] adjudicated = new int[1], flat = new int[1];
        String name = "transformer adam 5 steps/" + p.label() + "/trajectory";
        var o = Property.run(name, TransformerTrainingParityTest::draw, r -> {
            double[] mine = scratchLosses(r, p == Precision.F32 ? DType.F32 : DType.F64);
            double[] ref = referenceLosses(r, Torch.dtype(p == Precision.F32));
            // a case whose loss does not move compares nothing about the steps: counted, and most cases must move (below)
            if (!Property.shrinking() && mine[0] == mine[STEPS - 1]) flat[0]++;
            Tolerance.Comparison cmp = tol.compare(mine, ref);
            if (!Property.shrinking()) {
                worst[0] = Math.max(worst[0], cmp.worstAbs());
                worst[1] = Math.max(worst[1], cmp.worstRel());
                worst[2] = Math.max(worst[2], cmp.share());
            }
            if (!cmp.ok()) {
                String differ = String.format(Locale.ROOT, "loss trajectories differ at step %d: scratch %s, PyTorch %s (%s)",
                        cmp.worstIndex() + 1, Arrays.toString(mine), Arrays.toString(ref), tol);
                Verdict v = p == Precision.F32 ? adjudicate(r, mine, ref) : reproduce(r, mine, ref, tol);
                if (!v.cleared()) throw new AssertionError(differ + "\n" + v.evidence());
                if (!Property.shrinking()) {
                    adjudicated[0]++;
                    System.out.println(name + ", case " + r + ": " + differ + "\n" + v.evidence());
                }
            }
        }, Math.min(Property.cases(), 20));
        if (o.skipped()) return;
        String failure = o.failure().map(f -> o.report()).orElse(null);
        if (failure == null && 2 * flat[0] > o.casesRun()) {
            failure = name + ": the loss did not move in " + flat[0] + " of " + o.casesRun() + " cases, so the trajectories compared little";
        }
        // the flat cases are shown, not hidden: the row's note counts them
        String note = flat[0] == 0 ? null : flat[0] + " of " + o.casesRun() + " cases had a loss that did not move in " + STEPS + " steps";
        ParityLedger.record(new ParityLedger.Row("transformer adam 5 steps", p.label(), "trajectory", o.casesRun(), o.casesPassed(),
                worst[0], worst[1], worst[2], tol, failure, o.failure().map(f -> f.replay()).orElse(null), note, worst[2], adjudicated[0]));
        if (failure != null) throw new AssertionError(failure, o.failure().map(f -> f.error()).orElse(null));
    }

    @Test
    void aFloat64TrajectoryIsClearedOnlyWhenTwoReRunsOfPyTorchAgreeWithEachOtherAndWithScratchButNotWithTheFirst() {
        Tolerance tol = Tolerance.of(Precision.F64);
        double[] mine = {2.0, 1.5}, same = {2.0, 1.5}, garbage = {2.0, 5.1e24}, other = {2.0, 1.4};
        // the first run is contradicted by two identical re-runs that agree with scratch: PyTorch's defect
        Assertions.assertTrue(decideReproduced(mine, garbage, same, same.clone(), tol).cleared());
        // the first run is reproduced: its answer stands, scratch is wrong
        Verdict v = decideReproduced(other, garbage, garbage.clone(), garbage.clone(), tol);
        Assertions.assertFalse(v.cleared());
        Assertions.assertTrue(v.evidence().endsWith("scratch wrong"), v.evidence());
        // the re-runs agree with each other but not with scratch: not cleared
        Assertions.assertFalse(decideReproduced(other, garbage, same, same.clone(), tol).cleared());
        // three different answers: undecided, never cleared
        Verdict u = decideReproduced(mine, garbage, same, other, tol);
        Assertions.assertFalse(u.cleared());
        Assertions.assertTrue(u.evidence().endsWith("undecided"), u.evidence());
    }

    @Test
    void aTrajectoryIsClearedOnlyWhenPyTorchIsNotReproducibleAndScratchIsAtLeastAsCloseToFloat64() {
        double[] truth = {1.0, 0.9}, mine = {1.0, 0.90001}, near = {1.0, 0.90002}, far = {1.0, 0.90004};
        // PyTorch gives two answers, both farther from float64 than scratch: a reference defect
        Assertions.assertTrue(decide(mine, mine.clone(), List.of(near, far, near), truth).cleared());
        // PyTorch reproducible: its answer stands, scratch is wrong
        Verdict v = decide(mine, mine.clone(), List.of(far, far, far), truth);
        Assertions.assertFalse(v.cleared());
        Assertions.assertTrue(v.evidence().endsWith("scratch wrong"), v.evidence());
        // PyTorch not reproducible, but scratch farther from float64 than any PyTorch run: undecided
        Assertions.assertFalse(decide(far, far.clone(), List.of(mine, near, mine), truth).cleared());
        // scratch not reproducible: never cleared
        Assertions.assertFalse(decide(mine, near, List.of(near, far, near), truth).cleared());
    }

    @Test
    void fiveAdamStepsGiveTheSameFloat64LossTrajectoryAsPyTorch() {
        trajectory(Precision.F64);
    }

    @Test
    void fiveAdamStepsGiveTheSameFloat32LossTrajectoryAsPyTorch() {
        trajectory(Precision.F32);
    }
}
