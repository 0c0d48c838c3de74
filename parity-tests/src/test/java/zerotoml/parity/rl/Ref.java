package zerotoml.parity.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.List;
import java.util.function.BiFunction;
import zerotoml.reference.random.Distributions;
import zerotoml.reference.rl.Gae;
import zerotoml.reference.rl.Grpo;
import zerotoml.reference.rl.Ppo;
import zerotoml.reference.rl.Sac;

/**
 * The reference's RL functions (PyTorch through DJL, written as CleanRL and TRL write them) under one
 * short name, so that the parity tests name scratch's classes simply ({@code Ppo.policyLoss} is
 * scratch, {@code Ref.policyLoss} is PyTorch). The two sides share class names on purpose
 * (DESIGN.md: the packages mirror each other); this is where they meet. Where two papers share a
 * function name, it carries the paper: {@code Ref.ppoUpdate}, {@code Ref.sacUpdate}.
 */
final class Ref {
    private Ref() {}

    // Distributions
    static NDArray categoricalEntropy(NDArray logits) { return Distributions.categoricalEntropy(logits); }
    static NDArray categoricalLogProb(NDArray logits, NDArray actions) { return Distributions.categoricalLogProb(logits, actions); }

    // Gae
    static NDArray estimate(NDArray rewards, NDArray values, NDArray nextValues, NDArray terminated, NDArray ended, double gamma, double lambda) {
        return Gae.estimate(rewards, values, nextValues, terminated, ended, gamma, lambda);
    }

    // Grpo
    static NDArray advantages(NDArray rewards, int groupSize, String scale) { return Grpo.advantages(rewards, groupSize, scale); }
    static NDArray k3(NDArray logProb, NDArray refLogProb) { return Grpo.k3(logProb, refLogProb); }
    static NDArray perTokenLoss(NDArray logProb, NDArray oldLogProb, NDArray refLogProb, NDArray advantages, double epsLow, double epsHigh, double beta) {
        return Grpo.perTokenLoss(logProb, oldLogProb, refLogProb, advantages, epsLow, epsHigh, beta);
    }
    static NDArray reduce(NDArray perToken, NDArray mask, String lossType, int maxCompletionLength) {
        return Grpo.reduce(perToken, mask, lossType, maxCompletionLength);
    }

    // Ppo
    static NDArray approxKl(NDArray newLogProb, NDArray oldLogProb) { return Ppo.approxKl(newLogProb, oldLogProb); }
    static NDArray loss(NDArray newLogProb, NDArray entropy, NDArray newValue, NDArray oldLogProb, NDArray oldValue, NDArray advantages, NDArray returns, double clipCoef, boolean clipValue, double entCoef, double vfCoef, boolean normAdvantages) {
        return Ppo.loss(newLogProb, entropy, newValue, oldLogProb, oldValue, advantages, returns, clipCoef, clipValue, entCoef, vfCoef, normAdvantages);
    }
    static NDArray normalizeAdvantages(NDArray adv) { return Ppo.normalizeAdvantages(adv); }
    static NDArray policyLoss(NDArray newLogProb, NDArray oldLogProb, NDArray advantages, double clipCoef) {
        return Ppo.policyLoss(newLogProb, oldLogProb, advantages, clipCoef);
    }
    static List<NDArray> ppoUpdate(List<NDArray> params, BiFunction<List<NDArray>, int[], NDList> evaluate, int[][] permutations,
                                   int minibatchSize, NDArray oldLogProb, NDArray oldValues, NDArray advantages, NDArray returns,
                                   double clipCoef, boolean clipValue, double entCoef, double vfCoef, boolean normAdvantages,
                                   double maxGradNorm, double lr, double beta1, double beta2, double eps) {
        return Ppo.update(params, evaluate, permutations, minibatchSize, oldLogProb, oldValues, advantages, returns, clipCoef, clipValue,
                entCoef, vfCoef, normAdvantages, maxGradNorm, lr, beta1, beta2, eps);
    }
    static NDArray valueLoss(NDArray newValue, NDArray oldValue, NDArray returns, double clipCoef, boolean clip) {
        return Ppo.valueLoss(newValue, oldValue, returns, clipCoef, clip);
    }

    // Sac
    /** The networks and their fresh Adam states, from the parameter lists: actor, q1, q2, their targets, log α. */
    static Sac.Nets sacNets(List<NDArray> actor, List<NDArray> q1, List<NDArray> q2, List<NDArray> q1Target, List<NDArray> q2Target, NDArray logAlpha) {
        return Sac.Nets.of(actor, q1, q2, q1Target, q2Target, logAlpha);
    }

    /** One CleanRL SAC update (critics, actor, temperature, targets) on one batch with injected noise. */
    static Sac.Step sacUpdate(Sac.Nets nets, Sac.Policy actor, Sac.QFunction qf, NDArray obs, NDArray actions, NDArray rewards, NDArray nextObs,
                              NDArray terminated, NDArray epsNext, NDArray epsActor, NDArray epsAlpha, NDArray scale, NDArray bias,
                              double gamma, double tau, double targetEntropy, double qLr, double policyLr, double adamEps, boolean updateActor,
                              boolean autotune) {
        return Sac.update(nets, actor, qf, new Sac.Inputs(obs, actions, rewards, nextObs, terminated, epsNext, epsActor, epsAlpha, scale, bias,
                gamma, tau, targetEntropy, qLr, policyLr, adamEps, updateActor, autotune));
    }

    static NDArray actorLoss(NDArray logProb, NDArray q1, NDArray q2, double alpha) { return Sac.actorLoss(logProb, q1, q2, alpha); }
    static NDArray alphaLoss(NDArray logAlpha, NDArray logProb, double targetEntropy) { return Sac.alphaLoss(logAlpha, logProb, targetEntropy); }
    static NDArray boundLogStd(NDArray raw, double min, double max) { return Sac.boundLogStd(raw, min, max); }
    static NDArray criticLoss(NDArray q1, NDArray q2, NDArray target) { return Sac.criticLoss(q1, q2, target); }
    static NDArray logOneMinusTanhSquared(NDArray u) { return Sac.logOneMinusTanhSquared(u); }
    static NDArray polyak(NDArray online, NDArray target, double tau) { return Sac.polyak(online, target, tau); }
    static NDArray softTarget(NDArray reward, NDArray terminated, NDArray q1Next, NDArray q2Next, NDArray nextLogProb, double alpha, double gamma) {
        return Sac.softTarget(reward, terminated, q1Next, q2Next, nextLogProb, alpha, gamma);
    }
    static NDArray squashedLogProb(NDArray u, NDArray mean, NDArray logStd, NDArray scale) { return Sac.squashedLogProb(u, mean, logStd, scale); }
    static List<NDArray> squashedSample(NDArray mean, NDArray logStd, NDArray eps, NDArray scale, NDArray bias) {
        return Sac.squashedSample(mean, logStd, eps, scale, bias);
    }
}
