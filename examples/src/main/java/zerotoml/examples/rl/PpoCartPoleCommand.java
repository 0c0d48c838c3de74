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

/** PPO (arXiv 1707.06347) on CartPole-v1 with CleanRL's {@code ppo.py} settings, on the training-loop kit. */
@Command(name = "ppo-cartpole", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Trains PPO on CartPole-v1 with CleanRL's settings (4 envs x 128 steps per update, 4 epochs x 4 minibatches, clip 0.2,"
                + " lr 2.5e-4 annealed to 0, Adam eps 1e-5, tanh MLPs 64x64). Every --eval-every updates it prints the mean return of the last"
                + " 20 training episodes and of 10 greedy episodes, and writes, atomically, to --out: checkpoint.safetensors, history.csv and"
                + " curves.png; --resume continues a stopped run bit for bit. Run it once per --seed.")
public final class PpoCartPoleCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--steps", paramLabel = "N", description = "Environment steps in all (>= 1), in updates of 512 (at least one). Default: ${DEFAULT-VALUE}")
    int totalSteps = 500_000;

    @Mixin
    Options.Lr lr = new Options.Lr(2.5e-4);

    @Option(names = "--eval-every", paramLabel = "N", description = "Evaluate, checkpoint and plot every N updates, and at the end (>= 1). Default: ${DEFAULT-VALUE}")
    int evalEvery = 50;

    @Option(names = "--stop-after", paramLabel = "N", description = "Stop after update N with a checkpoint, to split a run (>= 1; --resume goes on)."
            + " Default: never")
    int stopAfter = Integer.MAX_VALUE;

    @Mixin
    Options.Run run = new Options.Run("runs/ppo-cartpole");

    @Override
    public Integer call() throws IOException {
        Checks.of(spec, lr, run).atLeast("--steps", totalSteps, 1).atLeast("--eval-every", evalEvery, 1).atLeast("--stop-after", stopAfter, 1);
        PrintWriter o = spec.commandLine().getOut();
        int updates = Math.max(1, totalSteps / PpoCartPole.BATCH);
        PpoCartPole training = new PpoCartPole(run.seed, updates, lr.lr);
        var loop = new Loop<>("ppo-cartpole", training, Loop.Plan.of(run, updates, evalEvery).stopAfter(stopAfter), o);
        var s = loop.run(loop.start());
        if (s.history().isEmpty()) return 0;
        PpoCartPole.Eval e = s.history().get(s.history().size() - 1);
        o.printf(Locale.ROOT, "seed %d after %d updates (%d env steps): mean return of the last 20 training episodes %.1f, greedy evaluation"
                + " (10 episodes) %.1f; %.0f s; outputs in %s%n", run.seed, e.update(), e.envSteps(), e.return20(), e.greedy10(), e.seconds(), run.out.toAbsolutePath());
        o.flush();
        return 0;
    }
}
