package zerotoml.reference.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import zerotoml.reference.optim.Num;

/**
 * Generalized advantage estimation (arXiv 1506.02438) as CleanRL's {@code ppo.py} writes the
 * backward loop over time with tensor rows ([T, N] inputs), generalised so that truncated steps
 * bootstrap: {@code nextValues[t]} is V(s′ₜ), {@code terminated} cuts the bootstrap and
 * {@code ended} cuts the recursion. With nextValues[t] = values[t+1] and terminated = ended =
 * dones[t+1] it is CleanRL's loop line for line.
 */
public final class Gae {
    private Gae() {}

    /** [advantages; returns] stacked on a new first axis: [2, T, N]. */
    public static NDArray estimate(NDArray rewards, NDArray values, NDArray nextValues, NDArray terminated, NDArray ended,
                                   double gamma, double lambda) {
        long steps = rewards.getShape().get(0);
        NDArray lastGaeLam = rewards.get(new NDIndex(0)).zerosLike();
        NDArray[] adv = new NDArray[(int) steps];
        for (long t = steps - 1; t >= 0; t--) {
            NDIndex row = new NDIndex(t);
            NDArray nextNonTerminal = terminated.get(row).neg().add(Num.of(rewards, 1));
            NDArray nextNotEnded = ended.get(row).neg().add(Num.of(rewards, 1));
            // delta = r + gamma * nextvalues * nextnonterminal - values
            NDArray delta = rewards.get(row).add(nextValues.get(row).mul(nextNonTerminal).mul(Num.of(rewards, gamma))).sub(values.get(row));
            // lastgaelam = delta + gamma * gae_lambda * nextnonterminal * lastgaelam
            lastGaeLam = delta.add(lastGaeLam.mul(nextNotEnded).mul(Num.of(rewards, gamma * lambda)));
            adv[(int) t] = lastGaeLam;
        }
        NDArray advantages = NDArrays.stack(new NDList(adv));
        NDArray returns = advantages.add(values);
        return NDArrays.stack(new NDList(advantages, returns));
    }
}
