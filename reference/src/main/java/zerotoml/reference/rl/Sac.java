package zerotoml.reference.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import zerotoml.reference.Torch;
import zerotoml.reference.optim.Adam;
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

    // ------------------------------------------------------------------ one full update, CleanRL's loop body

    /** {@code actor(obs)}: [mean, raw log-std], each [B, A]. */
    @FunctionalInterface
    public interface Policy {
        NDList apply(List<NDArray> params, NDArray observations);
    }

    /** {@code qf(obs, actions).view(-1)}: [B]. */
    @FunctionalInterface
    public interface QFunction {
        NDArray apply(List<NDArray> params, NDArray observations, NDArray actions);
    }

    /** actor, qf1, qf2, qf1_target, qf2_target, log_alpha and the three torch.optim.Adam states (q_optimizer holds qf1's then qf2's params). */
    public record Nets(List<NDArray> actor, List<NDArray> q1, List<NDArray> q2, List<NDArray> q1Target, List<NDArray> q2Target, NDArray logAlpha,
                       Adam.State actorOpt, Adam.State criticOpt, Adam.State alphaOpt) {
        public static Nets of(List<NDArray> actor, List<NDArray> q1, List<NDArray> q2, List<NDArray> q1Target, List<NDArray> q2Target, NDArray logAlpha) {
            return new Nets(actor, q1, q2, q1Target, q2Target, logAlpha, Adam.init(actor), Adam.init(concat(q1, q2)), Adam.init(List.of(logAlpha)));
        }
    }

    /** The nets after the step and its losses (actor_loss 0 when the actor is not updated, alpha_loss 0 when α is not). */
    public record Step(Nets nets, double qfLoss, double actorLoss, double alphaLoss) {}

    /** The replay batch, the injected ε of the three {@code rsample()} calls ([B, A] each), and the settings of one step. */
    public record Inputs(NDArray obs, NDArray actions, NDArray rewards, NDArray nextObs, NDArray terminated, NDArray epsNext, NDArray epsActor,
                         NDArray epsAlpha, NDArray scale, NDArray bias, double gamma, double tau, double targetEntropy, double qLr, double policyLr,
                         double adamEps, boolean updateActor, boolean autotune) {}

    /**
     * One pass of CleanRL's training loop after {@code learning_starts} with target_network_frequency 1
     * ({@code sac_continuous_action.py}): under no_grad the next action, next_state_log_pi and
     * next_q_value; {@code qf_loss.backward(); q_optimizer.step()}; when {@code updateActor} (CleanRL:
     * {@code global_step % policy_frequency == 0}, one pass of its actor loop) the actor's loss with
     * {@code alpha} as it was before this step, {@code actor_optimizer.step()}, and with autotune a
     * fresh no_grad sample from the updated actor, {@code alpha_loss.backward(); a_optimizer.step()};
     * then {@code target_param.data.copy_(tau * param.data + (1 - tau) * target_param.data)}. Adam is
     * torch's with betas (0.9, 0.999) and the given eps (CleanRL: the default 1e-8); log_alpha's lr is q_lr. log σ is bounded in [−5, 2].
     */
    public static Step update(Nets n, Policy actor, QFunction qf, Inputs x) {
        // alpha = log_alpha.exp().item(): a Python float
        double alpha = item(n.logAlpha().exp());
        NDArray nextQ;
        {
            NDList g = actor.apply(n.actor(), x.nextObs());
            List<NDArray> next = squashedSample(g.get(0), boundLogStd(g.get(1), -5, 2), x.epsNext(), x.scale(), x.bias());
            nextQ = softTarget(x.rewards(), x.terminated(), qf.apply(n.q1Target(), x.nextObs(), next.get(0)),
                    qf.apply(n.q2Target(), x.nextObs(), next.get(0)), next.get(1), alpha, x.gamma());
        }
        List<NDArray> critics = concat(n.q1(), n.q2());
        int k = n.q1().size();
        Grad qGrad = grad(critics, ps -> criticLoss(qf.apply(ps.subList(0, k), x.obs(), x.actions()), qf.apply(ps.subList(k, ps.size()), x.obs(), x.actions()), nextQ));
        Adam.Result qStep = Adam.adam(critics, qGrad.grads(), n.criticOpt(), x.qLr(), 0.9, 0.999, x.adamEps(), 0, false);
        List<NDArray> q1 = qStep.params().subList(0, k), q2 = qStep.params().subList(k, critics.size());
        List<NDArray> actorParams = n.actor();
        Adam.State actorOpt = n.actorOpt();
        NDArray logAlpha = n.logAlpha();
        Adam.State alphaOpt = n.alphaOpt();
        double actorLoss = 0, alphaLoss = 0;
        if (x.updateActor()) {
            Grad piGrad = grad(n.actor(), ps -> {
                NDList g = actor.apply(ps, x.obs());
                List<NDArray> pi = squashedSample(g.get(0), boundLogStd(g.get(1), -5, 2), x.epsActor(), x.scale(), x.bias());
                return actorLoss(pi.get(1), qf.apply(q1, x.obs(), pi.get(0)), qf.apply(q2, x.obs(), pi.get(0)), alpha);
            });
            Adam.Result piStep = Adam.adam(n.actor(), piGrad.grads(), n.actorOpt(), x.policyLr(), 0.9, 0.999, x.adamEps(), 0, false);
            actorParams = piStep.params();
            actorOpt = piStep.state();
            actorLoss = piGrad.value();
            if (x.autotune()) {
                NDList g = actor.apply(actorParams, x.obs());
                NDArray logPi = squashedSample(g.get(0), boundLogStd(g.get(1), -5, 2), x.epsAlpha(), x.scale(), x.bias()).get(1);
                Grad aGrad = grad(List.of(logAlpha), ps -> alphaLoss(ps.get(0), logPi, x.targetEntropy()));
                Adam.Result aStep = Adam.adam(List.of(logAlpha), aGrad.grads(), alphaOpt, x.qLr(), 0.9, 0.999, x.adamEps(), 0, false);
                logAlpha = aStep.params().get(0);
                alphaOpt = aStep.state();
                alphaLoss = aGrad.value();
            }
        }
        List<NDArray> t1 = new ArrayList<>(), t2 = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            t1.add(polyak(q1.get(i), n.q1Target().get(i), x.tau()));
            t2.add(polyak(q2.get(i), n.q2Target().get(i), x.tau()));
        }
        Nets out = new Nets(actorParams, List.copyOf(q1), List.copyOf(q2), t1, t2, logAlpha, actorOpt, qStep.state(), alphaOpt);
        return new Step(out, qGrad.value(), actorLoss, alphaLoss);
    }

    private record Grad(double value, List<NDArray> grads) {}

    /** loss.backward() on fresh leaves holding {@code params}: the loss's value and each param's .grad. */
    private static Grad grad(List<NDArray> params, Function<List<NDArray>, NDArray> loss) {
        List<NDArray> watched = new ArrayList<>();
        for (NDArray p : params) {
            NDArray w = p.duplicate();
            w.setRequiresGradient(true);
            watched.add(w);
        }
        List<NDArray> grads = new ArrayList<>();
        double value;
        try (GradientCollector gc = Torch.engine().newGradientCollector()) {
            NDArray l = loss.apply(watched);
            value = item(l);
            gc.backward(l);
            for (NDArray w : watched) grads.add(w.getGradient().duplicate());
        }
        return new Grad(value, grads);
    }

    /** tensor.item(): the value as a Python float. */
    private static double item(NDArray scalar) {
        return scalar.getDataType() == DataType.FLOAT32 ? scalar.toFloatArray()[0] : scalar.toDoubleArray()[0];
    }

    private static List<NDArray> concat(List<NDArray> a, List<NDArray> b) {
        List<NDArray> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
