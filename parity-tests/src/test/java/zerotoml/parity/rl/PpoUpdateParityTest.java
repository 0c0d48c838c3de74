package zerotoml.parity.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gen;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Case.Arg;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.nn.Linear;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.random.Distributions;
import zerotoml.scratch.rl.Ppo;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.Indexing;
import zerotoml.scratch.tensor.Shapes;
import zerotoml.scratch.tensor.Tensor;

/**
 * One whole PPO update (every epoch, every minibatch: loss, backward, global-norm clipping, Adam with
 * ε 1e-5) of a linear actor-critic, with the minibatch permutations injected, against CleanRL's loop
 * on PyTorch autograd; the updated parameters are compared.
 */
class PpoUpdateParityTest {
    static final Arg<Integer> EPOCHS = Arg.integer("epochs");
    static final Arg<Integer> MINIBATCHES = Arg.integer("minibatches");
    static final Arg<int[]> PERMS = Arg.ints("perms");
    static final Arg<Boolean> CLIP_VALUE = Arg.bool("clipValue");
    static final Arg<Boolean> NORM_ADVANTAGES = Arg.bool("normAdvantages");
    static final Arg<Double> MAX_GRAD_NORM = Arg.real("maxGradNorm");
    static final Arg<Double> LR = Arg.real("lr");

    /** A linear actor-critic: logits = x Wₐᵀ + bₐ, V = x w_vᵀ + b_v. */
    record LinearAc(Tensor wA, Tensor bA, Tensor wV, Tensor bV) {}

    static Gen<Case> cases() {
        return s -> {
            int minibatches = s.intBetween(1, 3), m = s.intBetween(2, 4), b = minibatches * m, o = s.intBetween(1, 3), k = s.intBetween(2, 3);
            int epochs = s.intBetween(1, 2);
            double[] actions = new double[b];
            for (int i = 0; i < b; i++) actions[i] = s.intBetween(0, k - 1);
            int[] perms = new int[epochs * b];
            for (int e = 0; e < epochs; e++) {
                List<Integer> left = new ArrayList<>();
                for (int i = 0; i < b; i++) left.add(i);
                for (int i = 0; i < b; i++) perms[e * b + i] = left.remove(s.intBetween(0, left.size() - 1));
            }
            var in = List.of(Cases.arr(s, new int[] {b, o}, Domain.standard()), Cases.arr(s, new int[] {k, o}, Domain.range(-1, 1)),
                    RlCases.vector(s, k, Domain.range(-1, 1)), Cases.arr(s, new int[] {1, o}, Domain.range(-1, 1)), RlCases.vector(s, 1, Domain.range(-1, 1)),
                    new Arr(new int[] {b}, actions), RlCases.vector(s, b, Domain.range(-2, 0)), RlCases.vector(s, b, Domain.standard()),
                    RlCases.vector(s, b, Domain.standard()), RlCases.vector(s, b, Domain.standard()));
            var clipValue = s.bool();
            var normAdvantages = s.bool();
            var maxGradNorm = s.bool() ? 0.05 : 10.0;
            var lr = s.doubleBetween(1e-3, 0.05);
            return new Case(in, Cases.cotangentSeed(s)).with(EPOCHS, epochs).with(MINIBATCHES, minibatches).with(PERMS, perms).with(CLIP_VALUE, clipValue).with(NORM_ADVANTAGES, normAdvantages).with(MAX_GRAD_NORM, maxGradNorm).with(LR, lr);
        };
    }

    static int[][] perms(Case c, int b) {
        int epochs = c.get(EPOCHS);
        int[] flat = c.get(PERMS);
        int[][] out = new int[epochs][];
        for (int e = 0; e < epochs; e++) out[e] = Arrays.copyOfRange(flat, e * b, (e + 1) * b);
        return out;
    }

    static int[] ints(double[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (int) v[i];
        return out;
    }

    static Tensor scratchUpdate(Case c, List<Tensor> x) {
        int b = x.get(0).shape().dim(0);
        int[] actions = ints(x.get(5).toArray());
        var h = new Ppo.Hyper(0.2, c.get(CLIP_VALUE), 0.01, 0.5, c.get(MAX_GRAD_NORM), c.get(NORM_ADVANTAGES), Double.NaN,
                c.get(EPOCHS), c.get(MINIBATCHES));
        LinearAc p = new LinearAc(x.get(1), x.get(2), x.get(3), x.get(4));
        var batch = new Ppo.Batch(x.get(6), x.get(7), x.get(8), x.get(9));
        var up = Ppo.update(h, new Adam.Hyper(c.get(LR), 0.9, 0.999, 1e-5, 0, false), p, Adam.init(p), batch, perms(c, b), (q, idx) -> {
            Tensor obs = Indexing.indexSelect(x.get(0), 0, idx);
            int[] a = new int[idx.length];
            for (int i = 0; i < idx.length; i++) a[i] = actions[idx[i]];
            Tensor logits = Linear.linear(obs, q.wA(), q.bA());
            return new Ppo.Evaluation(Distributions.categoricalLogProb(logits, a), Distributions.categoricalEntropy(logits),
                    Linear.linear(obs, q.wV(), q.bV()).reshape(idx.length));
        });
        List<Tensor> flat = new ArrayList<>();
        for (Tensor t : Autodiff.Params.tensors(up.params())) flat.add(t.reshape(t.size()));
        return Shapes.concat(flat, 0);
    }

    static NDArray referenceUpdate(Case c, List<NDArray> x) {
        int b = (int) x.get(0).getShape().get(0);
        int m = b / c.get(MINIBATCHES);
        NDArray obsAll = x.get(0), actionsAll = x.get(5);
        List<NDArray> params = List.of(x.get(1), x.get(2), x.get(3), x.get(4));
        List<NDArray> out = Ref.ppoUpdate(params, (ps, idx) -> {
            NDArray index = obsAll.getManager().create(idx);
            NDArray obs = obsAll.get(index);
            NDArray logits = obs.matMul(ps.get(0).transpose()).add(ps.get(1));
            NDArray value = obs.matMul(ps.get(2).transpose()).add(ps.get(3)).reshape(idx.length);
            NDArray actions = actionsAll.get(index);
            return new NDList(Ref.categoricalLogProb(logits, actions),
                    Ref.categoricalEntropy(logits), value);
        }, perms(c, b), m, x.get(6), x.get(7), x.get(8), x.get(9), 0.2, c.get(CLIP_VALUE), 0.01, 0.5, c.get(NORM_ADVANTAGES),
                c.get(MAX_GRAD_NORM), c.get(LR), 0.9, 0.999, 1e-5);
        NDList flat = new NDList();
        for (NDArray p : out) flat.add(p.flatten());
        return NDArrays.concat(flat, 0);
    }

    static OpSpec update() {
        return OpSpec.op("Ppo.update (params after)")
                .cases(cases())
                .scratch(PpoUpdateParityTest::scratchUpdate)
                .reference(PpoUpdateParityTest::referenceUpdate)
                .noGradient("the output is the parameters after whole optimiser steps; the gradients inside are each loss's, checked in PpoParityTest");
    }

    @TestFactory
    Stream<DynamicTest> ppoUpdateMatchesCleanRlsLoop() {
        return Parity.tests(update());
    }
}
