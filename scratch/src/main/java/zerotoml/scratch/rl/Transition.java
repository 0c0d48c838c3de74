package zerotoml.scratch.rl;

/**
 * What {@code reset} and {@code step} return, as in Gymnasium: the observation, the reward, and two
 * distinct ends. {@code terminated} means the MDP reached a terminal state (no value beyond it);
 * {@code truncated} means a time limit cut the episode short (the state still has a value, so a
 * learner should bootstrap from it). {@code state} is the new environment state: environments are
 * pure functions, so the caller's old state is never changed. {@code reset} returns reward 0 and
 * both flags false.
 *
 * @param <S> the environment's state record
 */
public record Transition<S>(double[] observation, double reward, boolean terminated, boolean truncated, S state) {
    /** The episode is over, for either reason. */
    public boolean done() {
        return terminated || truncated;
    }
}
