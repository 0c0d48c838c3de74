package zerotoml.examples.rl;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import zerotoml.examples.kit.Checks;
import zerotoml.examples.kit.Loop;
import zerotoml.examples.kit.Options;
import zerotoml.scratch.rl.GridWorld;
import zerotoml.scratch.rl.Stomp;

/**
 * STOMP (arXiv 2202.03466) on the two-room grid world with one-hot features, on the training-loop
 * kit: the hallway subtask, its option and its model learned off-policy from a uniformly random
 * behaviour, then planning with and without the option model.
 */
@Command(name = "stomp-gridworld", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs the four STOMP steps on the two-room grid world: --steps behaviour steps learn the hallway option, as many again"
                + " learn the models of the option and of the four primitives, then --backups planning backups run with the primitive models"
                + " alone and with the option model added. Every --eval-every chunks (of 500 behaviour steps or 50 backups) it prints each"
                + " learned quantity's distance to exact dynamic programming, and writes, atomically, to --out: checkpoint.safetensors,"
                + " history.csv, model-error.png and planning.png; --resume continues a stopped run bit for bit. Run it once per --seed.")
public final class StompGridCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--steps", paramLabel = "N", description = "Behaviour steps for the option, and as many again for the models (>= 1). Default: ${DEFAULT-VALUE}")
    int steps = 50_000;

    @Option(names = "--backups", paramLabel = "N", description = "Planning backups (>= 1). Default: ${DEFAULT-VALUE}")
    int backups = 6_000;

    @Option(names = "--eval-every", paramLabel = "N", description = "Evaluate, checkpoint and plot every N chunks, and at the end (>= 1). Default: ${DEFAULT-VALUE}")
    int evalEvery = 10;

    @Option(names = "--stop-after", paramLabel = "N", description = "Stop after chunk N with a checkpoint, to split a run (>= 1; --resume goes on)."
            + " Default: never")
    int stopAfter = Integer.MAX_VALUE;

    @Mixin
    Options.Run run = new Options.Run("runs/stomp");

    @Override
    public Integer call() throws IOException {
        Checks.of(spec, run).atLeast("--steps", steps, 1).atLeast("--backups", backups, 1).atLeast("--eval-every", evalEvery, 1)
                .atLeast("--stop-after", stopAfter, 1);
        PrintWriter o = spec.commandLine().getOut();
        StompGrid training = new StompGrid(run.seed, steps, backups, run.out);
        var loop = new Loop<>("stomp-gridworld", training, Loop.Plan.of(run, training.totalSteps(), evalEvery).stopAfter(stopAfter), o);
        var s = loop.run(loop.start());
        if (s.step() < training.totalSteps()) return 0;
        GridWorld g = StompGrid.G;
        List<Integer> path = followOption(g, training.option(s.params()));
        boolean detours = path.get(path.size() - 1) == g.hallway() && path.stream().noneMatch(g::isPenalty);
        char[] marks = new char[g.states()];
        for (int k = 1; k < path.size() - 1; k++) marks[path.get(k)] = '*';
        o.print(g.render(marks));
        double[] err = s.opt().modelError().toArray();
        StompGrid.Eval e = s.history().get(s.history().size() - 1);
        o.printf(Locale.ROOT, "seed %d: the hallway option takes %d steps from S and %s; option model RMS error %.4f after %d steps -> %.2e; backups to"
                        + " within 1%% of V*(start) = %.6f: primitives %d, with the option %d; v(start) %.5f / %.5f; outputs in %s%n", run.seed, path.size() - 1,
                detours ? "detours the penalty, stopping in the hallway" : "DOES NOT detour the penalty", err[0], Math.min(steps, StompGrid.CHUNK),
                err[err.length - 1], training.vStar[g.start()], e.backupsPrimitives(), e.backupsWithOption(), e.vStartPrimitives(), e.vStartWithOption(),
                run.out.toAbsolutePath());
        o.flush();
        return 0;
    }

    /** The option's greedy path from S until it stops (at most 200 steps). */
    static List<Integer> followOption(GridWorld g, Stomp.Option option) {
        List<Integer> path = new ArrayList<>(List.of(g.start()));
        int s = g.start();
        do {
            s = g.next(s, option.action(g.oneHot(s)));
            path.add(s);
        } while (!g.isTerminal(s) && !option.stops(g.oneHot(s)) && path.size() < 200);
        return path;
    }
}
