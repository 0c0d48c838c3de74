package zerotoml.benchmarks;

import java.util.ArrayList;
import java.util.List;

/** The benchmark mains' command lines. */
public final class Cli {
    private Cli() {}

    /** The words of the arguments: the pom passes {@code -Dbench.args} as one argument, maybe empty. */
    public static List<String> words(String[] args) {
        List<String> words = new ArrayList<>();
        for (String a : args) for (String w : a.trim().split("\\s+")) if (!w.isEmpty()) words.add(w);
        return words;
    }

    /** {@code v} as an integer ≥ {@code min}, or a one-line error naming the program and {@code what}, and exit code 2. */
    static int count(String program, String what, String v, int min) {
        try {
            int n = Integer.parseInt(v);
            if (n >= min) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        System.err.println(program + ": " + what + " must be an integer >= " + min + ", got '" + v + "'");
        System.exit(2);
        return 0;
    }
}
