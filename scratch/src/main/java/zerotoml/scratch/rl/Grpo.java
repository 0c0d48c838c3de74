package zerotoml.scratch.rl;

import zerotoml.scratch.tensor.Selection;
import zerotoml.scratch.tensor.Tensor;

/**
 * Shao et al., "DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open Language Models"
 * (arXiv 2402.03300), §4.1: Group Relative Policy Optimization, with outcome supervision. G
 * completions are sampled per prompt; completion i of a group gets reward rᵢ, and every one of its
 * tokens the advantage
 *
 * <pre>
 *   Âᵢ = (rᵢ − mean(r)) / (std(r) + 1e-4)                         (std with N − 1, as TRL's nanstd)
 *   ρᵢₜ = π_θ(oᵢₜ | q, oᵢ,&lt;ₜ) / π_old(oᵢₜ | …)
 *   D_KL,ᵢₜ = π_ref/π_θ − log(π_ref/π_θ) − 1                       (k3, Eq. 4: unbiased, ≥ 0)
 *   ℓᵢₜ = −min(ρᵢₜÂᵢ, clip(ρᵢₜ, 1 − ε, 1 + ε_high)Âᵢ) + β·D_KL,ᵢₜ
 * </pre>
 *
 * and the masked per-token loss is reduced by one of the {@link LossType}s. TRL's names and choices
 * ({@code GRPOTrainer}) are kept: {@code scale_rewards} group / batch / none, {@code loss_type}
 * grpo / bnpo / dr_grpo.
 */
public final class Grpo {
    private Grpo() {}

    /** How rewards are scaled into advantages: divide by the group's std, the whole batch's std, or not at all (Dr. GRPO). */
    public enum Scale { GROUP, BATCH, NONE }

    /** How the masked per-token loss [B, T] becomes one number. */
    public enum LossType {
        /** The paper's Eq. 3: mean over sequences of Σₜ ℓ·mask / |oᵢ| (a length bias: long answers weigh less per token). */
        GRPO,
        /** Σ ℓ·mask / Σ mask over the batch: every token weighs the same (TRL's bnpo; equal to its dapo on one process without accumulation). */
        BNPO,
        /** Σ ℓ·mask / (B · max completion length): a constant divisor (Dr. GRPO, arXiv 2503.20783). */
        DR_GRPO
    }

    /** ε and ε_high of the ratio clip, β of the KL term, and the reduction. */
    public record Hyper(double epsilon, double epsilonHigh, double beta, LossType lossType, int maxCompletionLength) {
        public Hyper {
            if (!(epsilon > 0 && epsilon < 1)) throw new IllegalArgumentException("Grpo: epsilon must be in (0, 1), got " + epsilon);
            if (!(epsilonHigh > 0)) throw new IllegalArgumentException("Grpo: epsilonHigh must be > 0, got " + epsilonHigh);
            if (!(beta >= 0)) throw new IllegalArgumentException("Grpo: beta must be >= 0, got " + beta);
            if (lossType == null) throw new IllegalArgumentException("Grpo: lossType is null");
            if (maxCompletionLength < 1) throw new IllegalArgumentException("Grpo: maxCompletionLength must be >= 1, got " + maxCompletionLength);
        }

        /** The paper's settings: ε 0.2, β 0.04, per-sequence normalisation. */
        public static Hyper paper(int maxCompletionLength) {
            return new Hyper(0.2, 0.2, 0.04, LossType.GRPO, maxCompletionLength);
        }
    }

    /** The named terms: the reduced loss, its policy part and KL part (each reduced the same way), and the fraction of clipped tokens. */
    public record Losses(Tensor loss, Tensor policyLoss, Tensor kl, Tensor clipRatio) {}

    /** Â = (r − group mean) / (std + 1e-4) for rewards [B] in consecutive groups of {@code groupSize}; no gradient. */
    public static Tensor advantages(Tensor rewards, int groupSize, Scale scale) {
        if (rewards == null || rewards.rank() != 1) throw new IllegalArgumentException("Grpo.advantages: rewards must be [B], got " + (rewards == null ? null : rewards.shape()));
        if (groupSize < 2 || rewards.size() % groupSize != 0)
            throw new IllegalArgumentException("Grpo.advantages: groupSize must be >= 2 and divide B = " + rewards.size() + ", got " + groupSize);
        // computed in double and rounded once per step, so a group of equal rewards centres to exactly 0 in float32 too
        var dt = rewards.dtype();
        double[] r = rewards.toArray(), out = new double[r.length];
        int groups = r.length / groupSize;
        double batchStd = scale == Scale.BATCH ? std(r, 0, r.length, dt) : 0;
        for (int q = 0; q < groups; q++) {
            int from = q * groupSize, to = from + groupSize;
            // r − mean over the group
            double mean = dt.round(sum(r, from, to) / groupSize);
            // std with N − 1: per group, or over the whole batch
            double std = scale == Scale.GROUP ? std(r, from, to, dt) : batchStd;
            for (int i = from; i < to; i++) {
                double centred = dt.round(r[i] - mean);
                out[i] = scale == Scale.NONE ? centred : dt.round(centred / dt.round(std + 1e-4));
            }
        }
        return Tensor.of(dt, out, rewards.shape());
    }

    private static double sum(double[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) s += x[i];
        return s;
    }

    /** √(Σ(x − x̄)² / (n − 1)) over x[from, to), rounded to the dtype. */
    private static double std(double[] x, int from, int to, zerotoml.scratch.tensor.DType dt) {
        int n = to - from;
        double mean = dt.round(sum(x, from, to) / n), ss = 0;
        for (int i = from; i < to; i++) {
            double d = dt.round(x[i] - mean);
            ss += d * d;
        }
        return dt.round(Math.sqrt(dt.round(ss / (n - 1))));
    }

    /** k3 per token: exp(ref − logp) − (ref − logp) − 1; differentiable in logp. */
    public static Tensor k3(Tensor logProb, Tensor refLogProb) {
        if (!logProb.shape().equals(refLogProb.shape()))
            throw new IllegalArgumentException("Grpo.k3: logProb " + logProb.shape() + " and refLogProb " + refLogProb.shape() + " differ");
        // d = log π_ref − log π_θ
        Tensor d = refLogProb.detach().sub(logProb);
        return d.exp().sub(d).add(-1);
    }

    /** ℓ = −min(ρÂ, clip(ρ, 1 − ε, 1 + ε_high)Â) + β·k3 per token [B, T]; advantages [B] broadcast over tokens. */
    public static Tensor perTokenLoss(Hyper h, Tensor logProb, Tensor oldLogProb, Tensor refLogProb, Tensor advantages) {
        checkTokens("Grpo.perTokenLoss", logProb, oldLogProb, refLogProb, null, advantages);
        // ρ = exp(log π_θ − log π_old)
        Tensor ratio = logProb.sub(oldLogProb.detach()).exp();
        Tensor adv = advantages.detach().reshape(advantages.size(), 1);
        // min(ρÂ, clip(ρ)Â)
        Tensor surrogate = Selection.minimum(ratio.mul(adv), Selection.clamp(ratio, 1 - h.epsilon(), 1 + h.epsilonHigh()).mul(adv));
        Tensor loss = surrogate.neg();
        return h.beta() == 0 ? loss : loss.add(k3(logProb, refLogProb).mul(h.beta()));
    }

    /** Reduces a per-token quantity [B, T] under the 0/1 completion mask [B, T] as the loss type says. */
    public static Tensor reduce(Tensor perToken, Tensor mask, LossType type, int maxCompletionLength) {
        if (!perToken.shape().equals(mask.shape()) || perToken.rank() != 2)
            throw new IllegalArgumentException("Grpo.reduce: perToken " + perToken.shape() + " and mask " + mask.shape() + " must be one [B, T] shape");
        Tensor m = mask.detach();
        Tensor masked = perToken.mul(m);
        int b = perToken.shape().dim(0);
        return switch (type) {
            // (1/G) Σᵢ (1/|oᵢ|) Σₜ ℓᵢₜ
            case GRPO -> masked.sum(new int[] {1}, false).div(Selection.clamp(m.sum(new int[] {1}, false), 1, Double.POSITIVE_INFINITY)).mean();
            // Σ ℓ·mask / Σ mask
            case BNPO -> masked.sum().div(Selection.clamp(m.sum(), 1, Double.POSITIVE_INFINITY));
            // Σ ℓ·mask / (B · L_max)
            case DR_GRPO -> masked.sum().mul(1.0 / ((double) b * maxCompletionLength));
        };
    }

    /** The GRPO loss and its named parts for log-probs [B, T], old and reference log-probs [B, T], advantages [B] and mask [B, T]. */
    public static Losses losses(Hyper h, Tensor logProb, Tensor oldLogProb, Tensor refLogProb, Tensor advantages, Tensor mask) {
        checkTokens("Grpo.losses", logProb, oldLogProb, refLogProb, mask, advantages);
        Tensor perToken = perTokenLoss(h, logProb, oldLogProb, refLogProb, advantages);
        Tensor loss = reduce(perToken, mask, h.lossType(), h.maxCompletionLength());
        Tensor kl = reduce(k3(logProb.detach(), refLogProb), mask, h.lossType(), h.maxCompletionLength());
        Tensor policy = reduce(perTokenLoss(new Hyper(h.epsilon(), h.epsilonHigh(), 0, h.lossType(), h.maxCompletionLength()),
                logProb.detach(), oldLogProb, refLogProb, advantages), mask, h.lossType(), h.maxCompletionLength());
        return new Losses(loss, policy, kl, clipRatio(h, logProb, oldLogProb, advantages, mask));
    }

    /** The share of unmasked tokens whose ratio is clipped in the direction of its advantage (no gradient flows there). */
    public static Tensor clipRatio(Hyper h, Tensor logProb, Tensor oldLogProb, Tensor advantages, Tensor mask) {
        double[] lp = logProb.toArray(), old = oldLogProb.toArray(), a = advantages.toArray(), m = mask.toArray();
        int t = logProb.shape().dim(1), clipped = 0, total = 0;
        for (int i = 0; i < lp.length; i++) {
            if (m[i] == 0) continue;
            total++;
            double r = Math.exp(lp[i] - old[i]), adv = a[i / t];
            if ((adv > 0 && r > 1 + h.epsilonHigh()) || (adv < 0 && r < 1 - h.epsilon())) clipped++;
        }
        return Tensor.scalar(logProb.dtype(), total == 0 ? 0 : (double) clipped / total);
    }

    private static void checkTokens(String op, Tensor logProb, Tensor oldLogProb, Tensor refLogProb, Tensor mask, Tensor advantages) {
        if (logProb == null || oldLogProb == null || refLogProb == null || advantages == null)
            throw new IllegalArgumentException(op + ": an input is null");
        if (logProb.rank() != 2) throw new IllegalArgumentException(op + ": logProb must be [B, T], got " + logProb.shape());
        for (Tensor t : new Tensor[] {oldLogProb, refLogProb, mask})
            if (t != null && !t.shape().equals(logProb.shape()))
                throw new IllegalArgumentException(op + ": every per-token input must be " + logProb.shape() + ", got " + t.shape());
        if (advantages.rank() != 1 || advantages.size() != logProb.shape().dim(0))
            throw new IllegalArgumentException(op + ": advantages must be [B] = [" + logProb.shape().dim(0) + "], got " + advantages.shape());
    }
}
