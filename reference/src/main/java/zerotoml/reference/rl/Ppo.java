package zerotoml.reference.rl;

import ai.djl.ndarray.NDArray;
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
}
