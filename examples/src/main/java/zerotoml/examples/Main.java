package zerotoml.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import zerotoml.examples.fashion.FashionMnistCommand;
import zerotoml.examples.kit.Failure;
import zerotoml.examples.lm.QuestionsCommand;
import zerotoml.examples.lm.TinyLmCommand;
import zerotoml.examples.rl.GrpoAdditionCommand;
import zerotoml.examples.rl.PpoCartPoleCommand;
import zerotoml.examples.rl.SacPendulumCommand;
import zerotoml.examples.rl.StompGridCommand;
import zerotoml.examples.seq2seq.Seq2SeqCommand;

/** The examples' command line: {@code java -jar examples/target/zerotoml-examples.jar <command> --help}. */
@Command(name = "zerotoml", mixinStandardHelpOptions = true, version = "ZeroToML examples 0.1.0",
        description = "Machine learning from zero in plain Java: long runs on real data.",
        subcommands = {FashionMnistCommand.class, TinyLmCommand.class, Seq2SeqCommand.class, QuestionsCommand.class,
                PpoCartPoleCommand.class, SacPendulumCommand.class, GrpoAdditionCommand.class, StompGridCommand.class,
                zerotoml.examples.diffusion.Diffusion2dCommand.class, zerotoml.examples.diffusion.DiffusionMnistCommand.class,
                zerotoml.examples.diffusion.DiffusionQuestionsCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * The command line, for tests and for main. A bad option value is one line on the error stream,
     * {@code COMMAND: message}, and exit code 2; a {@link Failure} (a diverged loss, missing data, a
     * checkpoint of other options) is one line too, with its own exit code.
     */
    public static CommandLine commandLine() {
        return configure(new CommandLine(new Main()));
    }

    /** Gives any command line the examples' error handling (one line, exit codes of {@link Failure}) and case-insensitive enum values. */
    public static CommandLine configure(CommandLine cl) {
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println(c.getCommandName() + ": " + ex.getMessage() + " (see " + c.getCommandName() + " --help)");
            c.getErr().flush();
            return Failure.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (!(ex instanceof Failure f)) throw ex;
            c.getErr().println(c.getCommandName() + ": " + f.getMessage());
            c.getErr().flush();
            return f.exitCode();
        });
        return cl;
    }

    /** A valid {@code --threads N} (or {@code --threads=N}) sets {@code zerotoml.threads} unless given; picocli reports an invalid one. */
    static void threadsOption(String[] args) {
        if (System.getProperty("zerotoml.threads") != null) return;
        for (int i = 0; i < args.length; i++) {
            String v = args[i].equals("--threads") && i + 1 < args.length ? args[i + 1]
                    : args[i].startsWith("--threads=") ? args[i].substring("--threads=".length()) : null;
            if (v != null && v.matches("[1-9][0-9]{0,5}")) System.setProperty("zerotoml.threads", v);
        }
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        // --threads N is also the kernels' own pool size (read once, when they first run), so that the first line says it
        threadsOption(args);
        // the first line of every run says which kernels and how many threads it uses
        if (args.length > 0 && !args[0].startsWith("-") && !args[0].equals("help")) System.out.println(zerotoml.scratch.kernels.Backend.describe());
        System.exit(commandLine().execute(args));
    }
}
