package zerotoml.examples.kit;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a long loop, shown the way the output can take it: a live bar on a terminal
 * ({@link Mode#BAR}); one plain line each time another 5% is done when the output is a log file or
 * CI ({@link Mode#LINES}: no carriage returns, 20 lines a run); or nothing ({@link Mode#OFF}).
 */
public final class Progress implements AutoCloseable {
    /** How progress is shown. */
    public enum Mode {
        BAR, LINES, OFF;

        /** OFF when disabled, BAR on a terminal, LINES otherwise. */
        public static Mode of(boolean disabled) {
            return disabled ? OFF : System.console() != null ? BAR : LINES;
        }
    }

    /** A line every this many percent in {@link Mode#LINES}. */
    public static final int PERCENT_PER_LINE = 5;

    private final String task;
    private final long max;
    private final PrintStream to;
    private final ProgressBar bar;
    private final Mode mode;
    private long nextLine;

    private Progress(String task, long max, long at, Mode mode, PrintStream to) {
        this.task = task;
        this.max = max;
        this.mode = mode;
        this.to = to;
        this.bar = mode != Mode.BAR ? null : new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250).setMaxRenderedLength(120).setConsumer(new ConsoleProgressBarConsumer(to)).build();
        if (bar != null) bar.stepTo(at);
        this.nextLine = threshold(at);
    }

    /** Progress from {@code at} of {@code max}, shown on {@code to} (the error stream, so that it never mixes with results). */
    public static Progress start(String task, long max, long at, Mode mode, PrintStream to) {
        return new Progress(task, max, at, mode, to);
    }

    /** The first count at or after which the next line is due: the next multiple of 5% above {@code n}. */
    private long threshold(long n) {
        long k = n * 100 / Math.max(1, max) / PERCENT_PER_LINE + 1;
        return (k * PERCENT_PER_LINE * max + 99) / 100;
    }

    /** Done {@code n} of max; {@code extra} is the running numbers (" loss 0.1234 ..."). */
    public void stepTo(long n, String extra) {
        if (mode == Mode.BAR) {
            bar.stepTo(n);
            bar.setExtraMessage(extra);
        } else if (mode == Mode.LINES && n >= nextLine) {
            to.printf(Locale.ROOT, "%s: %d%% (%d/%d)%s%n", task, n * 100 / Math.max(1, max), n, max, extra);
            to.flush();
            nextLine = threshold(n);
        }
    }

    /** Before printing other lines: the bar stops and ends its line, so that what follows starts on a line of its own. */
    public void pause() {
        if (bar != null) {
            bar.pause();
            to.println();
            to.flush();
        }
    }

    public void resume() {
        if (bar != null) bar.resume();
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
