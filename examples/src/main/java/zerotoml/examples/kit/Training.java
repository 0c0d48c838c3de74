package zerotoml.examples.kit;

import java.io.IOException;

/**
 * What a command tells the {@link Loop}: how to start, one optimiser step, and one evaluation.
 * Everything else (progress, checkpoints, --resume, history.csv, curves.png, the NaN guard,
 * threads) is the loop's.
 *
 * <p>For a resumed run to be bit-identical to an uninterrupted one, {@link #step} must be a pure
 * function of (params, optimiser state, t): draw step t's batch and noise from (seed, t), never
 * from a generator that lives across steps.
 *
 * @param <P> the params record
 * @param <O> the optimiser state record (e.g. {@code Adam.State<P>})
 * @param <E> one row of the history: the numbers of one evaluation (int, long, double, boolean or String components)
 */
public interface Training<P extends Record, O extends Record, E extends Record> {
    /** Everything that decides the run's numbers, as one line: a checkpoint made with another config is refused. */
    String config();

    /** The initial params (from the seed). Also the template a checkpoint is loaded into. */
    P init();

    /** A fresh optimiser state for {@code params}. */
    O optimizer(P params);

    /** Optimiser step t (0-based): the new params and optimiser state, and the step's loss. */
    Loop.Stepped<P, O> step(P params, O opt, int t);

    /** The history row of an evaluation after {@code at.step()} steps. */
    E evaluate(Loop.State<P, O, E> s, Loop.At at);

    /** The class of the history rows (history.csv's columns are its components). */
    Class<E> rowType();

    /** The line printed after an evaluation. */
    String report(E row);

    /** The panels of curves.png; null for none. */
    default Charts.Figure<E> curves() {
        return null;
    }

    /** What the progress display calls one unit of {@link Loop.Stepped#weight()} ("img" gives "img/s"); null shows steps/s. */
    default String unit() {
        return null;
    }

    /** Called after each evaluation's checkpoint is written (extra plots). */
    default void evaluated(Loop.State<P, O, E> s) throws IOException {}

    /** Called after every step, after its evaluation if it had one (e.g. printing samples). */
    default void stepped(Loop.State<P, O, E> s) {}

    /** True to end the run after this evaluation (e.g. a target accuracy reached). */
    default boolean stop(E row) {
        return false;
    }
}
