package zerotoml.examples.kit;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import zerotoml.scratch.io.AtomicFile;

/**
 * The training loop every example command runs: steps of a {@link Training} from a fresh or resumed
 * {@link State}, a progress display, an evaluation every {@link Plan#evalEvery()} steps (and at the
 * last) that appends a history row, prints it and writes, each atomically, into {@link Plan#out()}:
 * {@code checkpoint.safetensors}, {@code history.csv} and {@code curves.png}. A loss that becomes NaN
 * or infinite stops the run with a {@link Failure} (exit 4) and leaves the last good checkpoint as it
 * was; stale temporary files of a killed run are removed when the loop starts. The math runs on
 * {@link Plan#threads()} threads; the numbers do not depend on how many.
 */
public final class Loop<P extends Record, O extends Record, E extends Record> {
    /** What the loop does: steps in all, how often it evaluates, where the files go. */
    public record Plan(int steps, int evalEvery, int stopAfter, Path out, boolean resume, Progress.Mode progress, int threads) {
        public Plan {
            if (steps < 1 || evalEvery < 1 || stopAfter < 1 || threads < 1) {
                throw new IllegalArgumentException("Loop.Plan: steps, evalEvery, stopAfter and threads must be >= 1, got " + steps + ", " + evalEvery + ", "
                        + stopAfter + ", " + threads);
            }
        }

        /** A plan from the shared options: {@code steps} in all, evaluating every {@code evalEvery}. */
        public static Plan of(Options.Run run, int steps, int evalEvery) {
            return new Plan(steps, evalEvery, Integer.MAX_VALUE, run.out, run.resume, run.progress(), run.threads.threads);
        }

        /** This plan, stopping (with a checkpoint) after step {@code n} even if there are more: to split a run. */
        public Plan stopAfter(int n) {
            return new Plan(steps, evalEvery, n, out, resume, progress, threads);
        }
    }

    /** Sums over the steps since the last evaluation: loss × weight, weight (e.g. examples), correct predictions. */
    public record Running(double lossSum, double weight, double correct) {
        public static final Running ZERO = new Running(0, 0, 0);

        Running plus(Stepped<?, ?> s) {
            return new Running(lossSum + s.loss() * s.weight(), weight + s.weight(), correct + s.correct());
        }

        /** The weighted mean loss since the last evaluation; NaN when no step was taken. */
        public double meanLoss() {
            return weight == 0 ? Double.NaN : lossSum / weight;
        }

        /** Correct predictions per unit of weight since the last evaluation. */
        public double accuracy() {
            return weight == 0 ? Double.NaN : correct / weight;
        }
    }

    /** One step's result: the new params and optimiser state, its mean loss, its weight (1, or the examples) and its correct predictions. */
    public record Stepped<P, O>(P params, O opt, double loss, double weight, double correct) {
        /** A step of weight 1 that counts no predictions. */
        public static <P, O> Stepped<P, O> of(P params, O opt, double loss) {
            return new Stepped<>(params, opt, loss, 1, 0);
        }
    }

    /** Everything a checkpoint holds: params, optimiser state, steps done, running sums, history and seconds of training so far. */
    public record State<P extends Record, O extends Record, E extends Record>(P params, O opt, int step, Running running, List<E> history,
                                                                              double seconds) {}

    /** When an evaluation happens: after {@code step} steps, {@code seconds} of training in all, {@code sinceLast} since the last evaluation. */
    public record At(int step, Running running, double seconds, double sinceLast) {}

    private final String name;
    private final Training<P, O, E> training;
    private final Plan plan;
    private final PrintWriter out;
    private final PrintStream progressTo;
    private int lastSaved = -1;

    /** {@code name} labels the progress and messages; {@code out} gets the evaluations; progress goes to the error stream. */
    public Loop(String name, Training<P, O, E> training, Plan plan, PrintWriter out) {
        this.name = name;
        this.training = training;
        this.plan = plan;
        this.out = out;
        this.progressTo = System.err;
    }

    public Path checkpoint() {
        return plan.out().resolve("checkpoint.safetensors");
    }

    /**
     * The state to start from: the checkpoint with --resume (a {@link Failure} when there is none or
     * it was made with another config), else fresh params and optimiser state. Creates the output
     * folder and removes the temporary files a killed run left there.
     */
    public State<P, O, E> start() throws IOException {
        Files.createDirectories(plan.out());
        List<String> stale = AtomicFile.removeStale(plan.out());
        if (!stale.isEmpty()) out.printf(Locale.ROOT, "removed %d temporary file(s) a killed run left in %s: %s%n", stale.size(), plan.out(), stale);
        P fresh = training.init();
        if (!plan.resume()) return new State<>(fresh, training.optimizer(fresh), 0, Running.ZERO, List.of(), 0);
        if (!Files.exists(checkpoint())) throw new Failure(Failure.USAGE, "--resume given but " + checkpoint() + " does not exist");
        State<P, O, E> s = Checkpoint.load(checkpoint(), training.config(), fresh, training.optimizer(fresh), training.rowType());
        lastSaved = s.step();
        out.printf(Locale.ROOT, "resumed from %s after step %d%n", checkpoint(), s.step());
        out.flush();
        return s;
    }

    /** Trains from {@code s} until the plan's steps are done, it stops after {@link Plan#stopAfter()}, or {@link Training#stop} says so. */
    public State<P, O, E> run(State<P, O, E> s) throws IOException {
        // parallel kernels called from a task of this pool run in this pool
        return Pool.call(plan.threads(), () -> loop(s));
    }

    private State<P, O, E> loop(State<P, O, E> start) throws IOException {
        State<P, O, E> s = start;
        int end = Math.min(plan.steps(), plan.stopAfter()), first = s.step();
        long t0 = System.nanoTime(), lastEval = t0;
        double before = s.seconds(), weightDone = 0;
        boolean stopped = false;
        try (Progress progress = Progress.start(name, plan.steps(), s.step(), plan.progress(), progressTo)) {
            while (s.step() < end) {
                int t = s.step();
                Stepped<P, O> st = training.step(s.params(), s.opt(), t);
                if (!Double.isFinite(st.loss())) throw diverged(t, st.loss());
                long now = System.nanoTime();
                double secs = before + (now - t0) / 1e9, wall = Math.max(1e-9, (now - t0) / 1e9);
                weightDone += st.weight();
                s = new State<>(st.params(), st.opt(), t + 1, s.running().plus(st), s.history(), secs);
                String unit = training.unit();
                progress.stepTo(s.step(), String.format(Locale.ROOT, " loss %.4f%s  %s", s.running().meanLoss(),
                        s.running().correct() > 0 ? String.format(Locale.ROOT, "  acc %.2f%%", 100 * s.running().accuracy()) : "",
                        unit == null ? String.format(Locale.ROOT, "%.2f steps/s", (s.step() - first) / wall) : String.format(Locale.ROOT, "%.0f %s/s", weightDone / wall, unit)));
                if (s.step() % plan.evalEvery() == 0 || s.step() == plan.steps()) {
                    E row = training.evaluate(s, new At(s.step(), s.running(), secs, (now - lastEval) / 1e9));
                    lastEval = System.nanoTime();
                    List<E> history = new ArrayList<>(s.history());
                    history.add(row);
                    s = new State<>(s.params(), s.opt(), s.step(), Running.ZERO, List.copyOf(history), secs);
                    progress.pause();
                    out.println(training.report(row));
                    out.flush();
                    save(s);
                    training.evaluated(s);
                    progress.resume();
                    training.stepped(s);
                    if (training.stop(row)) {
                        stopped = true;
                        break;
                    }
                } else {
                    training.stepped(s);
                }
            }
        }
        if (!stopped && s.step() < plan.steps() && lastSaved != s.step()) {
            // stopped by stopAfter between evaluations: keep the running sums in the checkpoint
            save(s);
        }
        return s;
    }

    private void save(State<P, O, E> s) throws IOException {
        Checkpoint.save(checkpoint(), training.config(), s, training.rowType());
        Table.write(plan.out().resolve("history.csv"), s.history(), training.rowType());
        Charts.Figure<E> f = training.curves();
        if (f != null && !s.history().isEmpty()) Charts.curves(plan.out().resolve("curves.png"), s.history(), f);
        lastSaved = s.step();
    }

    private Failure diverged(int t, double loss) {
        String kept = lastSaved < 0 ? "no checkpoint was written before it" : "the last good checkpoint, after step " + lastSaved + ", is kept in " + checkpoint();
        return new Failure(Failure.DIVERGED, String.format(Locale.ROOT, "the loss became %s at step %d; stopping (%s). A lower --lr usually helps.",
                loss, t + 1, kept));
    }
}
