package zerotoml.examples.rl;

import java.io.IOException;
import java.io.PrintWriter;
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

/** SAC (arXiv 1812.05905) on Pendulum-v1 with CleanRL's settings (smaller networks), on the training-loop kit. */
@Command(name = "sac-pendulum", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Trains SAC on Pendulum-v1 with CleanRL's settings (gamma 0.99, tau 0.005, critic and alpha lr 1e-3, actor lr 3e-4,"
                + " automatic temperature, uniformly random actions first; ReLU MLPs of --hidden units). Every --eval-every steps it prints the"
                + " mean return of the last 5 training episodes and of 10 deterministic episodes, and writes, atomically, to --out:"
                + " checkpoint.safetensors (with the replay buffer), history.csv and curves.png; --resume continues a stopped run bit for bit."
                + " Run it once per --seed.")
public final class SacPendulumCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Options.Steps steps = new Options.Steps(12_000);

    @Option(names = "--learning-starts", paramLabel = "N", description = "Uniformly random actions before learning (>= 0). Default: ${DEFAULT-VALUE}")
    int learningStarts = 1_000;

    @Option(names = "--hidden", paramLabel = "H", description = "Hidden units per layer (>= 1). Default: ${DEFAULT-VALUE}")
    int hidden = 64;

    @Option(names = "--batch", paramLabel = "B", description = "Replay minibatch (>= 1). Default: ${DEFAULT-VALUE}")
    int batch = 256;

    @Option(names = "--eval-every", paramLabel = "N", description = "Evaluate, checkpoint and plot every N steps, and at the end (>= 1). Default: ${DEFAULT-VALUE}")
    int evalEvery = 1000;

    @Option(names = "--stop-after", paramLabel = "N", description = "Stop after step N with a checkpoint, to split a run (>= 1; --resume goes on)."
            + " Default: never")
    int stopAfter = Integer.MAX_VALUE;

    @Mixin
    Options.Run run = new Options.Run("runs/sac-pendulum");

    @Override
    public Integer call() throws IOException {
        Checks.of(spec, steps, run).atLeast("--learning-starts", learningStarts, 0).atLeast("--hidden", hidden, 1).atLeast("--batch", batch, 1)
                .atLeast("--eval-every", evalEvery, 1).atLeast("--stop-after", stopAfter, 1);
        PrintWriter o = spec.commandLine().getOut();
        SacPendulum training = new SacPendulum(run.seed, steps.steps, learningStarts, hidden, batch);
        var loop = new Loop<>("sac-pendulum", training, Loop.Plan.of(run, steps.steps, evalEvery).stopAfter(stopAfter), o);
        var s = loop.run(loop.start());
        if (s.history().isEmpty()) return 0;
        SacPendulum.Eval e = s.history().get(s.history().size() - 1);
        o.printf(Locale.ROOT, "seed %d after %d steps: mean return of the last 5 training episodes %.1f, deterministic evaluation (10 episodes) %.1f;"
                + " %.0f s; outputs in %s%n", run.seed, e.step(), e.return5(), e.deterministic10(), e.seconds(), run.out.toAbsolutePath());
        o.flush();
        return 0;
    }
}
