package zerotoml.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import zerotoml.examples.fashion.FashionMnistCommand;

/** The examples' command line: {@code java -jar examples/target/zerotoml-examples.jar <command> --help}. */
@Command(name = "zerotoml", mixinStandardHelpOptions = true, version = "ZeroToML examples 0.1.0",
        description = "Machine learning from zero in plain Java: long runs on real data.",
        subcommands = {FashionMnistCommand.class, zerotoml.examples.lm.TinyLmCommand.class,
                zerotoml.examples.seq2seq.Seq2SeqCommand.class, zerotoml.examples.lm.QuestionsCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The command line, for tests and for main. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        // the first line of every run says which kernels and how many threads it uses
        if (args.length > 0 && !args[0].startsWith("-") && !args[0].equals("help")) System.out.println(zerotoml.scratch.kernels.Backend.describe());
        System.exit(commandLine().execute(args));
    }
}
