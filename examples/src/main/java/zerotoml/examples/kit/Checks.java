package zerotoml.examples.kit;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The checks every numeric option gets before any work starts. The first that fails throws a
 * picocli {@link ParameterException} whose message names the option, the allowed range and the
 * value; the command line prints it as one line ({@code tiny-lm: --top-k must be 0 (all) or >= 1,
 * got -1}) and exits with 2.
 */
public final class Checks {
    private final CommandSpec spec;

    private Checks(CommandSpec spec) {
        this.spec = spec;
    }

    /** Something with options to check, such as the kit's {@link Options} mixins. */
    public interface Checked {
        void check(Checks c);
    }

    /** The checks of {@code spec}'s command, after those of the given mixins have passed. */
    public static Checks of(CommandSpec spec, Checked... mixins) {
        Checks c = new Checks(spec);
        for (Checked m : mixins) m.check(c);
        return c;
    }

    /** Fails with {@code message} unless {@code ok}. */
    public Checks that(boolean ok, String message) {
        if (!ok) throw new ParameterException(spec.commandLine(), message);
        return this;
    }

    /** A count or size: {@code value >= min}. */
    public Checks atLeast(String option, long value, long min) {
        return that(value >= min, option + " must be >= " + min + ", got " + value);
    }

    /** A count where 0 has a meaning of its own ({@code zeroMeans}, e.g. "all"): 0 or {@code value >= min}. */
    public Checks atLeastOrZero(String option, long value, long min, String zeroMeans) {
        return that(value == 0 || value >= min, option + " must be 0 (" + zeroMeans + ") or >= " + min + ", got " + value);
    }

    /** A finite number in [lo, hi]. */
    public Checks between(String option, double value, double lo, double hi) {
        return that(value >= lo && value <= hi, option + " must be a number in [" + fmt(lo) + ", " + fmt(hi) + "], got " + fmt(value));
    }

    /** A finite number in [lo, hi). */
    public Checks from(String option, double value, double lo, double hiExclusive) {
        return that(value >= lo && value < hiExclusive, option + " must be a number in [" + fmt(lo) + ", " + fmt(hiExclusive) + "), got " + fmt(value));
    }

    /** A finite number &gt; 0 (a learning rate, a temperature). */
    public Checks positive(String option, double value) {
        return that(value > 0 && Double.isFinite(value), option + " must be a finite number > 0, got " + fmt(value));
    }

    /** A finite number &ge; 0 ({@code zeroMeans} says what 0 does, e.g. "no clipping"). */
    public Checks nonNegative(String option, double value, String zeroMeans) {
        return that(value >= 0 && Double.isFinite(value), option + " must be a finite number >= 0 (0 = " + zeroMeans + "), got " + fmt(value));
    }

    /** A number as the messages print it: whole numbers without ".0". */
    public static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
