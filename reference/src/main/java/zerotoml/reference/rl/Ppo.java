package zerotoml.reference.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import zerotoml.reference.Torch;
import zerotoml.reference.optim.Adam;
import zerotoml.reference.optim.Clipping;
import zerotoml.reference.optim.Num;

/**
 * PPO's loss terms (arXiv 1707.06347) as CleanRL's {@code ppo.py} writes them in PyTorch:
 * {@code logratio = newlogprob - b_logprobs[mb_inds]}, {@code pg_loss = torch.max(pg_loss1,
 * pg_loss2).mean()}, the clipped value loss with {@code 0.5 * v_loss_max.mean()},
 * {@code loss = pg_loss - ent_coef * entropy_loss + v_loss * vf_coef}, and
 * {@code approx_kl = ((ratio - 1) - logratio).mean()}.
 */
public final class Ppo {
    private Ppo() {}

    /** (mb_advantages - mb_advantages.mean()) / (mb_advantages.std() + 1e-8), torch.std with N - 1. */
    public static NDArray normalizeAdvantages(NDArray adv) {
        long n = adv.size();
        NDArray centred = adv.sub(adv.mean());
        NDArray std = centred.square().sum().div(Num.of(adv, n - 1)).sqrt();
        return centred.div(std.add(Num.of(adv, 1e-8)));
    }

    public static NDArray policyLoss(NDArray newLogProb, NDArray oldLogProb, NDArray advantages, double clipCoef) {
        NDArray ratio = newLogProb.sub(oldLogProb).exp();
        NDArray pgLoss1 = advantages.neg().mul(ratio);
        NDArray pgLoss2 = advantages.neg().mul(ratio.clip(Num.of(ratio, 1 - clipCoef), Num.of(ratio, 1 + clipCoef)));
        return pgLoss1.maximum(pgLoss2).mean();
    }

    public static NDArray valueLoss(NDArray newValue, NDArray oldValue, NDArray returns, double clipCoef, boolean clip) {
        NDArray vLossUnclipped = newValue.sub(returns).square();
        if (!clip) return vLossUnclipped.mean().mul(Num.of(newValue, 0.5));
        NDArray vClipped = oldValue.add(newValue.sub(oldValue).clip(Num.of(newValue, -clipCoef), Num.of(newValue, clipCoef)));
        NDArray vLossClipped = vClipped.sub(returns).square();
        return vLossUnclipped.maximum(vLossClipped).mean().mul(Num.of(newValue, 0.5));
    }

    public static NDArray approxKl(NDArray newLogProb, NDArray oldLogProb) {
        NDArray logRatio = newLogProb.sub(oldLogProb);
        return logRatio.exp().sub(Num.of(logRatio, 1)).sub(logRatio).mean();
    }

    /** The whole minibatch loss, advantages normalised when asked. */
    public static NDArray loss(NDArray newLogProb, NDArray entropy, NDArray newValue, NDArray oldLogProb, NDArray oldValue,
                               NDArray advantages, NDArray returns, double clipCoef, boolean clipValue, double entCoef, double vfCoef,
                               boolean normAdvantages) {
        NDArray adv = normAdvantages ? normalizeAdvantages(advantages) : advantages;
        NDArray pg = policyLoss(newLogProb, oldLogProb, adv, clipCoef);
        NDArray v = valueLoss(newValue, oldValue, returns, clipCoef, clipValue);
        NDArray ent = entropy.mean();
        return pg.sub(ent.mul(Num.of(ent, entCoef))).add(v.mul(Num.of(v, vfCoef)));
    }

    /**
     * CleanRL's update loop: for each epoch's permutation, minibatches of {@code minibatchSize};
     * each one {@code optimizer.zero_grad(); loss.backward(); clip_grad_norm_(max_grad_norm); optimizer.step()}.
     * {@code evaluate(params, indices)} returns [newlogprob, entropy, newvalue] for the minibatch.
     * Returns the params after the last step.
     */
    public static List<NDArray> update(List<NDArray> params, BiFunction<List<NDArray>, int[], NDList> evaluate, int[][] permutations,
                                       int minibatchSize, NDArray oldLogProb, NDArray oldValues, NDArray advantages, NDArray returns,
                                       double clipCoef, boolean clipValue, double entCoef, double vfCoef, boolean normAdvantages,
                                       double maxGradNorm, double lr, double beta1, double beta2, double eps) {
        List<NDArray> ps = params;
        Adam.State st = Adam.init(ps);
        for (int[] perm : permutations) {
            for (int start = 0; start < perm.length; start += minibatchSize) {
                int[] idx = java.util.Arrays.copyOfRange(perm, start, start + minibatchSize);
                NDArray index = oldLogProb.getManager().create(idx);
                List<NDArray> watched = new ArrayList<>();
                for (NDArray p : ps) {
                    NDArray w = p.duplicate();
                    w.setRequiresGradient(true);
                    watched.add(w);
                }
                List<NDArray> grads = new ArrayList<>();
                try (GradientCollector gc = Torch.engine().newGradientCollector()) {
                    NDList e = evaluate.apply(watched, idx);
                    NDArray l = loss(e.get(0), e.get(1), e.get(2), oldLogProb.get(index), oldValues.get(index), advantages.get(index),
                            returns.get(index), clipCoef, clipValue, entCoef, vfCoef, normAdvantages);
                    gc.backward(l);
                    for (NDArray w : watched) grads.add(w.getGradient().duplicate());
                }
                List<NDArray> clipped = Clipping.clipGradNorm(grads, maxGradNorm).grads();
                List<NDArray> detached = new ArrayList<>();
                for (NDArray w : watched) detached.add(w.stopGradient());
                Adam.Result r = Adam.adam(detached, clipped, st, lr, beta1, beta2, eps, 0, false);
                ps = r.params();
                st = r.state();
            }
        }
        return ps;
    }
}
