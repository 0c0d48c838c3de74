package zerotoml.examples;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the examples' command line in-process, as the tests of every command do. */
public final class Cli {
    private Cli() {}

    /** What one run printed and returned. */
    public record Run(int exit, String out, String err) {}

    /** {@code zerotoml <args>} with its output captured. */
    public static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOverwrittenOptionsAllowed(true); // a test may override a default it passed by repeating the option
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /**
     * {@code zerotoml COMMAND --help} succeeds and lists every option the command really declares,
     * each with a description; returns the help text for further checks.
     */
    public static String assertHelpExplainsEveryOption(String command) {
        Run r = run(command, "--help");
        if (r.exit() != 0) throw new AssertionError(command + " --help exited " + r.exit() + ": " + r.err());
        for (var opt : Main.commandLine().getSubcommands().get(command).getCommandSpec().options()) {
            if (opt.description().length == 0 || opt.description()[0].isBlank()) {
                throw new AssertionError(command + ": " + opt.longestName() + " has no description");
            }
            if (!r.out().contains(opt.longestName())) throw new AssertionError(command + ": " + opt.longestName() + " is not in --help:\n" + r.out());
        }
        return r.out();
    }
}
