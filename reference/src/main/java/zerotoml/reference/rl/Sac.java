package zerotoml.reference.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.List;
import zerotoml.reference.optim.Num;

/**
 * SAC's pieces (arXiv 1812.05905) the way a PyTorch user writes them, after CleanRL's
 * {@code sac_continuous_action.py} and SpinningUp's exact tanh correction:
 * {@code log_std = -5 + 0.5 * (2 - -5) * (torch.tanh(raw) + 1)},
 * {@code Normal(mean, std).log_prob(u).sum(-1) - (2 * (log(2) - u - F.softplus(-2 * u))).sum(-1) - log(scale).sum()},
 * {@code next_q = r + (1 - d) * gamma * (min(qf1_next_target, qf2_next_target) - alpha * next_log_pi)},
 * {@code qf_loss = F.mse_loss(qf1, next_q) + F.mse_loss(qf2, next_q)},
 * {@code actor_loss = (alpha * log_pi - min_qf_pi).mean()},
 * {@code alpha_loss = (-log_alpha.exp() * (log_pi + target_entropy)).mean()} and
 * {@code target.data.copy_(tau * param.data + (1 - tau) * target.data)}.
 */
public final class Sac {
    private Sac() {}

    public static NDArray boundLogStd(NDArray raw, double min, double max) {
        return raw.tanh().add(Num.of(raw, 1)).mul(Num.of(raw, 0.5 * (max - min))).add(Num.of(raw, min));
    }

    public static NDArray logOneMinusTanhSquared(NDArray u) {
        return u.neg().sub(Activation.softPlus(u.mul(Num.of(u, -2)))).add(Num.of(u, Math.log(2))).mul(Num.of(u, 2));
    }

    public static NDArray squashedLogProb(NDArray u, NDArray mean, NDArray logStd, NDArray scale) {
        return zerotoml.reference.random.Distributions.gaussianLogProb(u, mean, logStd).sub(logOneMinusTanhSquared(u).sum(new int[] {-1})).sub(scale.log().sum());
    }

    /** [action; logProb] of the reparameterised sample u = mean + exp(logStd)·eps (rsample with injected noise). */
    public static List<NDArray> squashedSample(NDArray mean, NDArray logStd, NDArray eps, NDArray scale, NDArray bias) {
        NDArray u = mean.add(logStd.exp().mul(eps));
        NDArray action = u.tanh().mul(scale).add(bias);
        List<NDArray> out = new ArrayList<>();
        out.add(action);
        out.add(squashedLogProb(u, mean, logStd, scale));
        return out;
    }

    public static NDArray softTarget(NDArray reward, NDArray terminated, NDArray q1Next, NDArray q2Next, NDArray nextLogProb, double alpha, double gamma) {
        NDArray minQ = q1Next.minimum(q2Next).sub(nextLogProb.mul(Num.of(nextLogProb, alpha)));
        return reward.add(terminated.neg().add(Num.of(terminated, 1)).mul(Num.of(terminated, gamma)).mul(minQ));
    }

    public static NDArray criticLoss(NDArray q1, NDArray q2, NDArray target) {
        return q1.sub(target).square().mean().add(q2.sub(target).square().mean());
    }

    public static NDArray actorLoss(NDArray logProb, NDArray q1, NDArray q2, double alpha) {
        return logProb.mul(Num.of(logProb, alpha)).sub(q1.minimum(q2)).mean();
    }

    public static NDArray alphaLoss(NDArray logAlpha, NDArray logProb, double targetEntropy) {
        return logAlpha.exp().neg().mul(logProb.add(Num.of(logProb, targetEntropy))).mean();
    }

    public static NDArray polyak(NDArray online, NDArray target, double tau) {
        return online.mul(Num.of(online, tau)).add(target.mul(Num.of(target, 1 - tau)));
    }
}
