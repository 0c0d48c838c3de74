package zerotoml.scratch.rl;

import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.optim.Averaging;
import zerotoml.scratch.optim.Step;
import zerotoml.scratch.random.Distributions;
import zerotoml.scratch.tensor.Activations;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.Autodiff.Params;
import zerotoml.scratch.tensor.Reductions;
import zerotoml.scratch.tensor.Selection;
import zerotoml.scratch.tensor.Tensor;

/**
 * Haarnoja, Zhou, Hartikainen, Tucker, Ha, Tan, Kumar, Zhu, Gupta, Abbeel and Levine, "Soft
 * Actor-Critic Algorithms and Applications" (arXiv 1812.05905), with CleanRL's choices
 * ({@code sac_continuous_action.py}) and names:
 *
 * <pre>
 *   u = μ + σ ε,  a = tanh(u)·scale + bias                                   (reparameterised)
 *   log π(a|s) = log N(u; μ, σ) − Σᵢ log(1 − tanh²uᵢ) − Σᵢ log scaleᵢ          (App. C, Eq. 26)
 *   log(1 − tanh²u) = 2(log 2 − u − softplus(−2u))                            (exact and stable)
 *   y = r + γ(1 − terminated)(min(Q̄₁, Q̄₂)(s′, a′) − α log π(a′|s′)),  a′ ~ π(·|s′)   (no gradient)
 *   qf_loss = mse(Q₁(s,a), y) + mse(Q₂(s,a), y)                               (Eq. 5, CleanRL's sum)
 *   actor_loss = mean(α log π(ã|s) − min(Q₁, Q₂)(s, ã))                      (Eq. 7)
 *   alpha_loss = mean(−α (log π(ã|s) + H̄)),  α = exp(log α),  H̄ = −dim(A)    (Eq. 18, CleanRL PR #414)
 *   θ̄ ← τ θ + (1 − τ) θ̄                                                      (Polyak)
 * </pre>
 *
 * CleanRL writes the correction as log(scale(1 − tanh²u) + 1e-6), which is far from the exact value
 * once |u| is large; here it is exact.
 */
public final class Sac {
    private Sac() {}

    /**
     * @param gamma discount
     * @param tau Polyak step (the fraction of the online weights moved into the target)
     * @param targetEntropy H̄, usually −dim(A)
     * @param logStdMin the lower bound of log σ (CleanRL −5)
     * @param logStdMax the upper bound of log σ (CleanRL 2)
     */
    public record Hyper(double gamma, double tau, double targetEntropy, double logStdMin, double logStdMax) {
        public Hyper {
            if (!(gamma >= 0 && gamma <= 1)) throw new IllegalArgumentException("Sac: gamma must be in [0, 1], got " + gamma);
            if (!(tau >= 0 && tau <= 1)) throw new IllegalArgumentException("Sac: tau must be in [0, 1], got " + tau);
            if (!(logStdMax > logStdMin)) throw new IllegalArgumentException("Sac: logStdMax must exceed logStdMin, got [" + logStdMin + ", " + logStdMax + "]");
        }

        /** CleanRL's defaults for an action space of {@code actionDims} dimensions. */
        public static Hyper cleanRl(int actionDims) {
            return new Hyper(0.99, 0.005, -actionDims, -5, 2);
        }
    }

    /** log σ = min + ½(max − min)(tanh(raw) + 1): a smooth squeeze of the network's output into [min, max]. */
    public static Tensor boundLogStd(Tensor raw, double min, double max) {
        return Activations.tanh(raw).add(1).mul(0.5 * (max - min)).add(min);
    }

    /** log(1 − tanh²u) = 2(log 2 − u − softplus(−2u)), element-wise, exact for any u. */
    public static Tensor logOneMinusTanhSquared(Tensor u) {
        return u.neg().sub(Activations.softplus(u.mul(-2))).add(Math.log(2)).mul(2);
    }

    /** A squashed action [B, A], its log-probability [B], and the pre-squash sample u [B, A]. */
    public record SquashedSample(Tensor action, Tensor logProb, Tensor u) {}

    /**
     * The tanh-squashed Gaussian policy's reparameterised sample for noise ε [B, A]:
     * a = tanh(μ + σε)·scale + bias, with its exact log-probability.
     */
    public static SquashedSample squashedSample(Tensor mean, Tensor logStd, Tensor eps, Tensor scale, Tensor bias) {
        if (!mean.shape().equals(eps.shape()) || !mean.shape().equals(logStd.shape()) || mean.rank() != 2)
            throw new IllegalArgumentException("Sac.squashedSample: mean, logStd and eps must be one [B, A] shape, got "
                    + mean.shape() + ", " + logStd.shape() + ", " + eps.shape());
        int a = mean.shape().dim(1);
        if (scale.rank() != 1 || scale.size() != a || bias.rank() != 1 || bias.size() != a)
            throw new IllegalArgumentException("Sac.squashedSample: scale and bias must be [A] = [" + a + "], got " + scale.shape() + ", " + bias.shape());
        // u = μ + σ ε
        Tensor u = Distributions.gaussianSample(mean, logStd, eps);
        // a = tanh(u)·scale + bias
        Tensor action = Activations.tanh(u).mul(scale).add(bias);
        return new SquashedSample(action, squashedLogProb(u, mean, logStd, scale), u);
    }

    /** log π = log N(u; μ, σ) − Σ log(1 − tanh²u) − Σ log scale, summed over the action axis. */
    public static Tensor squashedLogProb(Tensor u, Tensor mean, Tensor logStd, Tensor scale) {
        Tensor gaussian = Distributions.gaussianLogProb(u, mean, logStd);
        Tensor correction = Reductions.sum(logOneMinusTanhSquared(u), new int[] {-1}, false);
        return gaussian.sub(correction).sub(scale.log().sum());
    }

    /** y = r + γ(1 − terminated)(min(Q̄₁′, Q̄₂′) − α log π′), detached. All inputs [B]. */
    public static Tensor softTarget(Tensor reward, Tensor terminated, Tensor q1Next, Tensor q2Next, Tensor nextLogProb, double alpha, double gamma) {
        sameVector("Sac.softTarget", reward, terminated, q1Next, q2Next, nextLogProb);
        Tensor softV = Selection.minimum(q1Next.detach(), q2Next.detach()).sub(nextLogProb.detach().mul(alpha));
        return reward.detach().add(terminated.detach().neg().add(1).mul(softV).mul(gamma));
    }

    /** qf_loss = mean((Q₁ − y)²) + mean((Q₂ − y)²). */
    public static Tensor criticLoss(Tensor q1, Tensor q2, Tensor target) {
        sameVector("Sac.criticLoss", q1, q2, target);
        Tensor y = target.detach();
        return q1.sub(y).pow(2).mean().add(q2.sub(y).pow(2).mean());
    }

    /** actor_loss = mean(α log π − min(Q₁, Q₂)). */
    public static Tensor actorLoss(Tensor logProb, Tensor q1, Tensor q2, double alpha) {
        sameVector("Sac.actorLoss", logProb, q1, q2);
        return logProb.mul(alpha).sub(Selection.minimum(q1, q2)).mean();
    }

    /** alpha_loss = mean(−exp(log α)(log π + H̄)), with log π detached: its gradient moves log α only. */
    public static Tensor alphaLoss(Tensor logAlpha, Tensor logProb, double targetEntropy) {
        if (logAlpha.rank() != 0) throw new IllegalArgumentException("Sac.alphaLoss: logAlpha must be a scalar, got " + logAlpha.shape());
        return logAlpha.exp().neg().mul(logProb.detach().add(targetEntropy)).mean();
    }

    /** θ̄ ← τθ + (1 − τ)θ̄ for every tensor of two records of one type; τ = 1 is a hard copy ({@link Averaging#polyak}, shared). */
    public static <P extends Record> P polyak(P online, P target, double tau) {
        return Averaging.polyak(online, target, tau);
    }

    // ------------------------------------------------------------------ one full update

    /** The policy head: a mean and a raw (unbounded) log-std, each [B, A]. */
    public record Gaussian(Tensor mean, Tensor rawLogStd) {}

    @FunctionalInterface
    public interface Actor<A extends Record> {
        Gaussian apply(A params, Tensor observations);
    }

    /** Q(s, a) [B] for observations [B, O] and actions [B, A]. */
    @FunctionalInterface
    public interface Critic<Q extends Record> {
        Tensor apply(Q params, Tensor observations, Tensor actions);
    }

    public record Critics<Q extends Record>(Q q1, Q q2) {}

    public record Temperature(Tensor logAlpha) {}

    /** Everything SAC learns and keeps: actor, twin critics, their targets, log α and three Adam states. */
    public record State<A extends Record, Q extends Record>(A actor, Critics<Q> critics, Critics<Q> targets, Temperature temperature,
                                                           Adam.State<A> actorOpt, Adam.State<Critics<Q>> criticOpt,
                                                           Adam.State<Temperature> alphaOpt) {
        public static <A extends Record, Q extends Record> State<A, Q> init(A actor, Q q1, Q q2) {
            Critics<Q> c = new Critics<>(q1, q2);
            Temperature t = new Temperature(Tensor.scalar(Params.tensors(actor).get(0).dtype(), 0));
            return new State<>(actor, c, c, t, Adam.init(actor), Adam.init(c), Adam.init(t));
        }

        public double alpha() {
            return Math.exp(temperature.logAlpha().item());
        }
    }

    /** A replay minibatch: observations [B, O], actions [B, A], rewards [B], next observations [B, O], terminated [B] (0/1). */
    public record Batch(Tensor observations, Tensor actions, Tensor rewards, Tensor nextObservations, Tensor terminated) {}

    /** The injected noise: ε for a′ at s′, ε for the actor's ã at s, ε for the temperature's sample at s; each [B, A]. */
    public record Noise(Tensor next, Tensor actor, Tensor alpha) {}

    /** The learning rates (Adam's other settings as given): CleanRL uses 1e-3 for the critics and α, 3e-4 for the actor. */
    public record Optimizers(Adam.Hyper critic, Adam.Hyper actor, Adam.Hyper alpha) {}

    public record Losses(double qfLoss, double actorLoss, double alphaLoss, double alpha) {}

    public record Update<A extends Record, Q extends Record>(State<A, Q> state, Losses losses) {}

    /**
     * One SAC step in CleanRL's order: the critics on the soft target, then (when {@code updateActor})
     * the actor and the temperature, then Polyak averaging of the target critics.
     */
    public static <A extends Record, Q extends Record> Update<A, Q> update(Hyper h, Optimizers opt, State<A, Q> s, Batch b, Noise noise,
                                                                        Tensor actionScale, Tensor actionBias,
                                                                        Actor<A> actor, Critic<Q> critic, boolean updateActor, boolean autotune) {
        double alpha = s.alpha();
        // a′ ~ π(·|s′) and y, without gradient
        Gaussian gNext = actor.apply(s.actor(), b.nextObservations());
        SquashedSample next = squashedSample(gNext.mean().detach(), boundLogStd(gNext.rawLogStd().detach(), h.logStdMin(), h.logStdMax()),
                noise.next(), actionScale, actionBias);
        Tensor y = softTarget(b.rewards(), b.terminated(), critic.apply(s.targets().q1(), b.nextObservations(), next.action()),
                critic.apply(s.targets().q2(), b.nextObservations(), next.action()), next.logProb(), alpha, h.gamma());
        // critics: qf_loss = mse(Q₁, y) + mse(Q₂, y)
        var qf = Autodiff.valueAndGrad(c -> criticLoss(critic.apply(c.q1(), b.observations(), b.actions()),
                critic.apply(c.q2(), b.observations(), b.actions()), y), s.critics());
        Step<Critics<Q>, Adam.State<Critics<Q>>> qStep = Adam.step(opt.critic(), s.critics(), qf.grad(), s.criticOpt());
        Critics<Q> critics = qStep.params();
        A actorParams = s.actor();
        Adam.State<A> actorOpt = s.actorOpt();
        Temperature temp = s.temperature();
        Adam.State<Temperature> alphaOpt = s.alphaOpt();
        double actorLossValue = Double.NaN, alphaLossValue = Double.NaN;
        if (updateActor) {
            // actor: mean(α log π(ã|s) − min Q(s, ã)), with the critics just updated
            Critics<Q> frozen = critics;
            var pi = Autodiff.valueAndGrad(p -> {
                Gaussian g = actor.apply(p, b.observations());
                SquashedSample x = squashedSample(g.mean(), boundLogStd(g.rawLogStd(), h.logStdMin(), h.logStdMax()), noise.actor(), actionScale, actionBias);
                return actorLoss(x.logProb(), critic.apply(frozen.q1(), b.observations(), x.action()),
                        critic.apply(frozen.q2(), b.observations(), x.action()), alpha);
            }, actorParams);
            Step<A, Adam.State<A>> aStep = Adam.step(opt.actor(), actorParams, pi.grad(), actorOpt);
            actorParams = aStep.params();
            actorOpt = aStep.state();
            actorLossValue = pi.value().item();
            if (autotune) {
                // temperature: a fresh sample from the updated actor, without gradient
                Gaussian g = actor.apply(actorParams, b.observations());
                SquashedSample x = squashedSample(g.mean().detach(), boundLogStd(g.rawLogStd().detach(), h.logStdMin(), h.logStdMax()),
                        noise.alpha(), actionScale, actionBias);
                var al = Autodiff.valueAndGrad(t -> alphaLoss(t.logAlpha(), x.logProb(), h.targetEntropy()), temp);
                Step<Temperature, Adam.State<Temperature>> tStep = Adam.step(opt.alpha(), temp, al.grad(), alphaOpt);
                temp = tStep.params();
                alphaOpt = tStep.state();
                alphaLossValue = al.value().item();
            }
        }
        // θ̄ ← τθ + (1 − τ)θ̄
        Critics<Q> targets = polyak(critics, s.targets(), h.tau());
        State<A, Q> next2 = new State<>(actorParams, critics, targets, temp, actorOpt, qStep.state(), alphaOpt);
        return new Update<>(next2, new Losses(qf.value().item(), actorLossValue, alphaLossValue, Math.exp(temp.logAlpha().item())));
    }

    private static void sameVector(String op, Tensor... ts) {
        for (Tensor t : ts) if (t == null) throw new IllegalArgumentException(op + ": an input is null");
        for (Tensor t : ts)
            if (t.rank() != 1 || !t.shape().equals(ts[0].shape()))
                throw new IllegalArgumentException(op + ": inputs must all be [B] of one length, got " + ts[0].shape() + " and " + t.shape());
    }
}
