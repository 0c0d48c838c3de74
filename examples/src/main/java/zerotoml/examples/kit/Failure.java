package zerotoml.examples.kit;

/**
 * A run that cannot go on for a reason the user can act on (a diverged loss, a checkpoint made by
 * other options, missing data): the command line prints {@code COMMAND: message} on one line and
 * exits with {@link #exitCode()}, without a stack trace.
 */
public final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Bad options or a checkpoint that does not fit them. */
    public static final int USAGE = 2;
    /** Input data that is missing or unreadable. */
    public static final int DATA = 3;
    /** The loss became NaN or infinite. */
    public static final int DIVERGED = 4;

    private final int exitCode;

    public Failure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
