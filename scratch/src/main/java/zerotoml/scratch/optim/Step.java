package zerotoml.scratch.optim;

/**
 * What an optimiser step returns: the new parameters and the new optimiser state. The inputs are
 * left untouched; the caller keeps the old ones as long as it likes (that is what makes
 * checkpoints and resumption trivial).
 *
 * @param <P> the params record type
 * @param <S> the optimiser's state type
 */
public record Step<P extends Record, S>(P params, S state) {}
