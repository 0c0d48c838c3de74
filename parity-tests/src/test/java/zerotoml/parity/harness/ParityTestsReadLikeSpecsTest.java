package zerotoml.parity.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the parity tests readable: scratch and reference share class names by design, and a test
 * that spells out {@code zerotoml.scratch.tensor.Arithmetic.add} beside
 * {@code zerotoml.reference.tensor.Arithmetic.add} reads like a stack trace. Each package imports
 * scratch's classes by their simple names and calls PyTorch through its {@code Ref} facade.
 */
class ParityTestsReadLikeSpecsTest {
    /** Surefire runs in the module directory, so this is parity-tests' own test tree. */
    static final Path TESTS = Path.of("src", "test", "java");

    /** A package path (two or more lower-case names) followed by a class name: {@code java.util.Arrays}, {@code zerotoml.scratch.nn.Linear}. */
    static final Pattern QUALIFIED = Pattern.compile("(?<![\\w.])[a-z][a-z0-9_]*(?:\\.[a-z][a-z0-9_]*)+\\.[A-Z]\\w*");

    @Test
    void noParityTestNamesAClassByItsFullPackagePathOutsideImports() throws IOException {
        assertTrue(Files.isDirectory(TESTS), "expected to run in the parity-tests module directory, found no " + TESTS.toAbsolutePath());
        List<String> offenders = new ArrayList<>();
        int files = 0;
        try (Stream<Path> walk = Files.walk(TESTS)) {
            for (Path f : (Iterable<Path>) walk.filter(p -> p.toString().endsWith(".java")).sorted()::iterator) {
                files++;
                for (String hit : qualifiedNames(read(f))) offenders.add(TESTS.relativize(f) + ":" + hit);
            }
        }
        assertTrue(files > 50, "scanned only " + files + " files under " + TESTS.toAbsolutePath());
        assertTrue(offenders.isEmpty(), () -> offenders.size() + " qualified class name(s) in parity-test code; import them, or call the reference "
                + "through the package's Ref facade:\n" + String.join("\n", offenders));
    }

    @Test
    void theScanFindsQualifiedNamesInCodeOnly() {
        String source = String.join("\n",
                "package zerotoml.parity.tensor;",
                "",
                "import zerotoml.scratch.tensor.Arithmetic;",
                "import static zerotoml.parity.harness.Cases.AXIS;",
                "",
                "/** Compares {@link zerotoml.reference.tensor.Arithmetic} with scratch. */",
                "class T {",
                "    // zerotoml.scratch.tensor.Shapes in a comment is fine",
                "    String s = \"zerotoml.scratch.tensor.Shapes in a string is fine, \\\"even java.util.List\\\"\";",
                "    char c = '.';",
                "    Object a = zerotoml.scratch.tensor.Arithmetic.add(x, y), b = c.input(0).shape(), d = Cases.AXIS;",
                "    java.util.function.UnaryOperator<ai.djl.ndarray.NDArray> f; /* java.util.Map */ int n = s.length();",
                "}");
        assertEquals(List.of("11: zerotoml.scratch.tensor.Arithmetic", "12: java.util.function.UnaryOperator", "12: ai.djl.ndarray.NDArray"),
                qualifiedNames(source));
    }

    /** Every qualified class name in code (not in package or import lines, comments or literals), as "line: name". */
    static List<String> qualifiedNames(String source) {
        String[] lines = codeOnly(source).split("\n", -1);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.startsWith("package ") || line.startsWith("import ")) continue;
            Matcher m = QUALIFIED.matcher(lines[i]);
            while (m.find()) out.add((i + 1) + ": " + m.group());
        }
        return out;
    }

    /** The source with comments and string, text-block and char literals blanked out, line breaks kept. */
    static String codeOnly(String s) {
        StringBuilder b = new StringBuilder(s.length());
        int i = 0, n = s.length();
        while (i < n) {
            int end;
            if (s.startsWith("//", i)) end = indexOrEnd(s, "\n", i);
            else if (s.startsWith("/*", i)) end = indexOrEnd(s, "*/", i + 2) + 2;
            else if (s.startsWith("\"\"\"", i)) end = indexOrEnd(s, "\"\"\"", i + 3) + 3;
            else if (s.charAt(i) == '"' || s.charAt(i) == '\'') end = literalEnd(s, i);
            else {
                b.append(s.charAt(i++));
                continue;
            }
            end = Math.min(end, n);
            for (int k = i; k < end; k++) b.append(s.charAt(k) == '\n' ? '\n' : ' ');
            i = end;
        }
        return b.toString();
    }

    private static int indexOrEnd(String s, String what, int from) {
        int k = s.indexOf(what, from);
        return k < 0 ? s.length() : k;
    }

    /** The index just past the string or char literal that opens at {@code start}. */
    private static int literalEnd(String s, int start) {
        char quote = s.charAt(start);
        int k = start + 1;
        while (k < s.length() && s.charAt(k) != quote && s.charAt(k) != '\n') k += s.charAt(k) == '\\' ? 2 : 1;
        return k + 1;
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
