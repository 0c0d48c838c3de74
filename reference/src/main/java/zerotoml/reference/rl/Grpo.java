package zerotoml.reference.rl;

import ai.djl.ndarray.NDArray;
import zerotoml.reference.optim.Num;

/**
 * GRPO (arXiv 2402.03300) as TRL's {@code GRPOTrainer} computes it in PyTorch:
 * {@code advantages = (rewards - mean_grouped) / (std_grouped + 1e-4)} with the unbiased std,
 * {@code per_token_kl = torch.exp(ref - logp) - (ref - logp) - 1},
 * {@code per_token_loss = -torch.min(coef_1 * A, torch.clamp(coef_1, 1 - eps_low, 1 + eps_high) * A) + beta * kl},
 * and the loss types {@code grpo}, {@code bnpo} and {@code dr_grpo}.
 */
public final class Grpo {
    private Grpo() {}

    /** scale: "group", "batch" or "none". */
    public static NDArray advantages(NDArray rewards, int groupSize, String scale) {
        long b = rewards.size();
        NDArray grouped = rewards.reshape(b / groupSize, groupSize);
        NDArray centred = grouped.sub(grouped.mean(new int[] {1}, true)).reshape(b);
        if (scale.equals("none")) return centred;
        NDArray std;
        if (scale.equals("group")) {
            NDArray c = grouped.sub(grouped.mean(new int[] {1}, true));
            std = c.square().sum(new int[] {1}, true).div(Num.of(rewards, groupSize - 1)).sqrt().repeat(1, groupSize).reshape(b);
        } else {
            std = rewards.sub(rewards.mean()).square().sum().div(Num.of(rewards, b - 1)).sqrt();
        }
        return centred.div(std.add(Num.of(rewards, 1e-4)));
    }

    public static NDArray k3(NDArray logProb, NDArray refLogProb) {
        NDArray d = refLogProb.sub(logProb);
        return d.exp().sub(d).sub(Num.of(d, 1));
    }

    public static NDArray perTokenLoss(NDArray logProb, NDArray oldLogProb, NDArray refLogProb, NDArray advantages,
                                       double epsLow, double epsHigh, double beta) {
        NDArray coef1 = logProb.sub(oldLogProb).exp();
        NDArray coef2 = coef1.clip(Num.of(coef1, 1 - epsLow), Num.of(coef1, 1 + epsHigh));
        NDArray a = advantages.expandDims(1);
        NDArray loss = coef1.mul(a).minimum(coef2.mul(a)).neg();
        return beta == 0 ? loss : loss.add(k3(logProb, refLogProb).mul(Num.of(loss, beta)));
    }

    /** lossType: "grpo", "bnpo" or "dr_grpo". */
    public static NDArray reduce(NDArray perToken, NDArray mask, String lossType, int maxCompletionLength) {
        NDArray masked = perToken.mul(mask);
        long b = perToken.getShape().get(0);
        return switch (lossType) {
            case "grpo" -> masked.sum(new int[] {-1}).div(mask.sum(new int[] {-1}).clip(Num.of(mask, 1), Num.of(mask, Float.MAX_VALUE))).mean();
            case "bnpo" -> masked.sum().div(mask.sum().clip(Num.of(mask, 1), Num.of(mask, Float.MAX_VALUE)));
            case "dr_grpo" -> masked.sum().div(Num.of(masked, (double) b * maxCompletionLength));
            default -> throw new IllegalArgumentException("Grpo.reduce: unknown loss type " + lossType);
        };
    }
}
