package zerotoml.scratch.rl;

import java.util.ArrayList;
import java.util.List;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.optim.Clipping;
import zerotoml.scratch.optim.Step;
import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.Indexing;
import zerotoml.scratch.tensor.Reductions;
import zerotoml.scratch.tensor.Selection;
import zerotoml.scratch.tensor.Tensor;

/**
 * Schulman, Wolski, Dhariwal, Radford and Klimov, "Proximal Policy Optimization Algorithms" (arXiv
 * 1707.06347), with CleanRL's choices ({@code ppo.py}): the loss terms are named as there.
 *
 * <pre>
 *   ratio   = exp(log π_θ(a|s) − log π_old(a|s))
 *   pg_loss = mean(max(−Â·ratio, −Â·clip(ratio, 1 − ε, 1 + ε)))          (−L^CLIP, Eq. 7)
 *   v_loss  = ½ mean((V − R)²), or with value clipping (baselines' ppo2, not in the paper)
 *             ½ mean(max((V − R)², (V_old + clip(V − V_old, ±ε) − R)²))
 *   loss    = pg_loss − c₂·mean(entropy) + c₁·v_loss                     (−Eq. 9)
 *   approx_kl = mean((ratio − 1) − log ratio)                            (k3, never negative)
 * </pre>
 *
 * Advantages come from {@link Gae} and are normalised per minibatch with the N−1 standard
 * deviation plus 1e-8. An update runs {@code epochs} passes over the batch in {@code minibatches}
 * minibatches (the permutations are given, so a test can inject them), each with Adam after
 * global-norm clipping, and stops early after an epoch whose last approx_kl exceeds
 * {@code targetKl}.
 */
public final class Ppo {
    private Ppo() {}

    /**
     * @param clipCoef ε of the ratio (and of the value clip)
     * @param clipValueLoss whether the value loss is clipped
     * @param entCoef c₂, the entropy bonus
     * @param vfCoef c₁, the value-loss weight
     * @param maxGradNorm the global gradient-norm bound
     * @param normAdvantages whether advantages are normalised per minibatch
     * @param targetKl stop the epochs once approx_kl exceeds it (NaN: never)
     */
    public record Hyper(double clipCoef, boolean clipValueLoss, double entCoef, double vfCoef, double maxGradNorm,
                        boolean normAdvantages, double targetKl, int epochs, int minibatches) {
        public Hyper {
            if (!(clipCoef > 0)) throw new IllegalArgumentException("Ppo: clipCoef must be > 0, got " + clipCoef);
            if (!(entCoef >= 0)) throw new IllegalArgumentException("Ppo: entCoef must be >= 0, got " + entCoef);
            if (!(vfCoef >= 0)) throw new IllegalArgumentException("Ppo: vfCoef must be >= 0, got " + vfCoef);
            if (!(maxGradNorm > 0)) throw new IllegalArgumentException("Ppo: maxGradNorm must be > 0, got " + maxGradNorm);
            if (!(targetKl > 0) && !Double.isNaN(targetKl)) throw new IllegalArgumentException("Ppo: targetKl must be > 0 or NaN (off), got " + targetKl);
            if (epochs < 1) throw new IllegalArgumentException("Ppo: epochs must be >= 1, got " + epochs);
            if (minibatches < 1) throw new IllegalArgumentException("Ppo: minibatches must be >= 1, got " + minibatches);
        }

        /** CleanRL's {@code ppo.py} defaults: ε 0.2 with value clipping, c₂ 0.01, c₁ 0.5, norm 0.5, 4 epochs × 4 minibatches. */
        public static Hyper cleanRl() {
            return new Hyper(0.2, true, 0.01, 0.5, 0.5, true, Double.NaN, 4, 4);
        }
    }

    /** What the current policy says about a minibatch: log π(a|s) [M], entropy [M], V(s) [M]. */
    public record Evaluation(Tensor logProb, Tensor entropy, Tensor value) {}

    /** The policy's evaluation of the samples at {@code indices} of the batch, as a differentiable function of its params. */
    @FunctionalInterface
    public interface Policy<P extends Record> {
        Evaluation evaluate(P params, int[] indices);
    }

    /** The rollout, flattened to [B]: log π_old(a|s), V_old(s), GAE advantages and returns, all without gradient. */
    public record Batch(Tensor oldLogProb, Tensor oldValues, Tensor advantages, Tensor returns) {
        public Batch {
            int b = oldLogProb.size();
            for (Tensor t : new Tensor[] {oldLogProb, oldValues, advantages, returns})
                if (t.rank() != 1 || t.size() != b)
                    throw new IllegalArgumentException("Ppo.Batch: every field must be [B] with B = " + b + ", got " + t.shape());
            oldLogProb = oldLogProb.detach();
            oldValues = oldValues.detach();
            advantages = advantages.detach();
            returns = returns.detach();
        }

        public int size() {
            return oldLogProb.size();
        }

        public Batch select(int[] indices) {
            return new Batch(Indexing.indexSelect(oldLogProb, 0, indices), Indexing.indexSelect(oldValues, 0, indices),
                    Indexing.indexSelect(advantages, 0, indices), Indexing.indexSelect(returns, 0, indices));
        }
    }

    /** The named loss terms; {@code approxKl} and {@code clipFrac} carry no gradient. */
    public record Losses(Tensor loss, Tensor pgLoss, Tensor vLoss, Tensor entropyLoss, Tensor approxKl, Tensor clipFrac) {}

    /** Â ← (Â − mean Â) / (std Â + 1e-8), std with N − 1 as torch.std; needs at least 2 samples. */
    public static Tensor normalizeAdvantages(Tensor adv) {
        if (adv == null || adv.rank() != 1) throw new IllegalArgumentException("Ppo.normalizeAdvantages: advantages must be [M], got " + (adv == null ? null : adv.shape()));
        if (adv.size() < 2)
            throw new IllegalArgumentException("Ppo.normalizeAdvantages: needs a minibatch of at least 2 (the N−1 std of one sample is NaN), got " + adv.shape());
        // σ = √(Σ(Â − Â̄)² / (N − 1))
        Tensor std = Arithmetic.sqrt(Reductions.var(adv, new int[] {0}, 1, false));
        // (Â − Â̄) / (σ + 1e-8)
        return adv.sub(adv.mean()).div(std.add(1e-8));
    }

    /** pg_loss = mean(max(−Â·ratio, −Â·clip(ratio, 1 − ε, 1 + ε))), ratio = exp(log π − log π_old). */
    public static Tensor policyLoss(Tensor newLogProb, Tensor oldLogProb, Tensor advantages, double clipCoef) {
        sameVector("Ppo.policyLoss", newLogProb, oldLogProb, advantages);
        // ratio = exp(log π_θ − log π_old)
        Tensor ratio = newLogProb.sub(oldLogProb.detach()).exp();
        // −Â·ratio and −Â·clip(ratio, 1 − ε, 1 + ε)
        Tensor pg1 = advantages.neg().mul(ratio);
        Tensor pg2 = advantages.neg().mul(Selection.clamp(ratio, 1 - clipCoef, 1 + clipCoef));
        return Selection.maximum(pg1, pg2).mean();
    }

    /** v_loss = ½ mean((V − R)²), or ½ mean(max((V − R)², (V_old + clip(V − V_old, ±ε) − R)²)) when clipped. */
    public static Tensor valueLoss(Tensor newValue, Tensor oldValue, Tensor returns, double clipCoef, boolean clip) {
        sameVector("Ppo.valueLoss", newValue, oldValue, returns);
        // (V − R)²
        Tensor unclipped = newValue.sub(returns).pow(2);
        if (!clip) return unclipped.mean().mul(0.5);
        // V_clip = V_old + clip(V − V_old, −ε, ε)
        Tensor vClipped = oldValue.add(Selection.clamp(newValue.sub(oldValue), -clipCoef, clipCoef));
        Tensor clipped = vClipped.sub(returns).pow(2);
        return Selection.maximum(unclipped, clipped).mean().mul(0.5);
    }

    /** approx_kl = mean((ratio − 1) − log ratio), without gradient. */
    public static Tensor approxKl(Tensor newLogProb, Tensor oldLogProb) {
        Tensor logRatio = newLogProb.detach().sub(oldLogProb.detach());
        return logRatio.exp().add(-1).sub(logRatio).mean();
    }

    /** The fraction of samples whose ratio is outside [1 − ε, 1 + ε], without gradient. */
    public static Tensor clipFraction(Tensor newLogProb, Tensor oldLogProb, double clipCoef) {
        double[] n = newLogProb.toArray(), o = oldLogProb.toArray();
        int c = 0;
        for (int i = 0; i < n.length; i++) if (Math.abs(Math.exp(n[i] - o[i]) - 1) > clipCoef) c++;
        return Tensor.scalar(newLogProb.dtype(), (double) c / n.length);
    }

    /** loss = pg_loss − c₂·mean(entropy) + c₁·v_loss on one minibatch (its advantages normalised here when asked). */
    public static Losses losses(Hyper h, Evaluation e, Batch mb) {
        Tensor adv = h.normAdvantages() ? normalizeAdvantages(mb.advantages()) : mb.advantages();
        Tensor pg = policyLoss(e.logProb(), mb.oldLogProb(), adv, h.clipCoef());
        Tensor v = valueLoss(e.value(), mb.oldValues(), mb.returns(), h.clipCoef(), h.clipValueLoss());
        Tensor ent = e.entropy().mean();
        Tensor loss = pg.sub(ent.mul(h.entCoef())).add(v.mul(h.vfCoef()));
        return new Losses(loss, pg, v, ent, approxKl(e.logProb(), mb.oldLogProb()), clipFraction(e.logProb(), mb.oldLogProb(), h.clipCoef()));
    }

    /** The params and Adam state after the update, the last minibatch's losses, and how many epochs ran. */
    public record Update<P extends Record>(P params, Adam.State<P> optimizer, Losses last, int epochsRun, int minibatchesRun) {}

    /**
     * One PPO update: for each epoch e, the batch in the order {@code permutations[e]} is cut into
     * {@code minibatches} equal parts; each part takes one clipped-gradient Adam step.
     */
    public static <P extends Record> Update<P> update(Hyper h, Adam.Hyper opt, P params, Adam.State<P> state, Batch batch,
                                                      int[][] permutations, Policy<P> policy) {
        int b = batch.size();
        if (permutations == null || permutations.length < h.epochs())
            throw new IllegalArgumentException("Ppo.update: need " + h.epochs() + " permutations (one per epoch), got " + (permutations == null ? null : permutations.length));
        if (b % h.minibatches() != 0)
            throw new IllegalArgumentException("Ppo.update: batch size " + b + " is not divisible by " + h.minibatches() + " minibatches");
        int m = b / h.minibatches();
        P p = params;
        Adam.State<P> s = state;
        Losses last = null;
        int epochs = 0, steps = 0;
        for (int epoch = 0; epoch < h.epochs(); epoch++) {
            checkPermutation(permutations[epoch], b, epoch);
            for (int start = 0; start < b; start += m) {
                int[] idx = java.util.Arrays.copyOfRange(permutations[epoch], start, start + m);
                Batch mb = batch.select(idx);
                List<Losses> out = new ArrayList<>(1);
                P grads = Autodiff.grad(q -> {
                    Losses l = losses(h, policy.evaluate(q, idx), mb);
                    out.add(l);
                    return l.loss();
                }, p);
                // g ← g · min(1, max_norm / (‖g‖ + 1e-6))
                P clipped = Clipping.clipGradNorm(grads, h.maxGradNorm()).grads();
                Step<P, Adam.State<P>> st = Adam.step(opt, p, clipped, s);
                p = st.params();
                s = st.state();
                last = out.get(0);
                steps++;
            }
            epochs++;
            if (!Double.isNaN(h.targetKl()) && last.approxKl().item() > h.targetKl()) break;
        }
        return new Update<>(p, s, last, epochs, steps);
    }

    private static void checkPermutation(int[] perm, int n, int epoch) {
        if (perm == null || perm.length != n) throw new IllegalArgumentException("Ppo.update: permutation " + epoch + " must have length " + n);
        boolean[] seen = new boolean[n];
        for (int i : perm) {
            if (i < 0 || i >= n || seen[i]) throw new IllegalArgumentException("Ppo.update: permutation " + epoch + " is not a permutation of 0.." + (n - 1));
            seen[i] = true;
        }
    }

    private static void sameVector(String op, Tensor... ts) {
        for (Tensor t : ts) if (t == null) throw new IllegalArgumentException(op + ": an input is null");
        for (Tensor t : ts)
            if (t.rank() != 1 || !t.shape().equals(ts[0].shape()))
                throw new IllegalArgumentException(op + ": inputs must all be [M] of one length, got " + ts[0].shape() + " and " + t.shape());
    }
}
