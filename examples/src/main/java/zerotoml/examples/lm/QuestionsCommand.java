package zerotoml.examples.lm;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import zerotoml.examples.kit.Checks;
import zerotoml.examples.kit.Failure;
import zerotoml.examples.kit.Options;
import zerotoml.examples.lm.Questions.Arm;
import zerotoml.examples.lm.Questions.Point;
import zerotoml.examples.lm.Questions.Result;
import zerotoml.examples.lm.Questions.Settings;
import zerotoml.scratch.io.AtomicFile;

/** Runs both research questions of {@link Questions} and writes their tables and plots into the Transformer note. */
@Command(name = "transformer-questions", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Answer the roadmap's two Transformer questions with data: (1) character level against byte-level BPE at several"
                + " vocabulary sizes, at equal parameters and equal training compute, by held-out bits per byte; (2) 1, 2, 4, 8 heads at"
                + " a fixed d_model, by held-out loss. Every arm trains with --seeds seeds. Each finished arm is saved atomically under"
                + " --out and reused when the command runs again with the same settings, so an interrupted run resumes. At the end the"
                + " command rewrites the section between <!-- questions NAME begin --> and <!-- questions NAME end --> of --notes"
                + " (NAME = --section; a new section goes after the last one there, or at the end) and writes its PNG plots,"
                + " questions-NAME-*.png, to the figures folder beside --notes.")
public final class QuestionsCommand implements Callable<Integer> {
    /** The markers around a section of the note: {@code <!-- questions NAME begin -->} … {@code <!-- questions NAME end -->}. */
    static String begin(String section) {
        return "<!-- questions " + section + " begin -->";
    }

    static String end(String section) {
        return "<!-- questions " + section + " end -->";
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--text", paramLabel = "PATH", required = true, description = "The corpus (UTF-8): the first 90%% trains, the rest is held out.")
    Path text;

    @Option(names = "--notes", paramLabel = "PATH", description = "The Markdown note to write the results into. Default: ${DEFAULT-VALUE}")
    Path notes = Path.of("notes", "Transformer.md");

    @Option(names = "--section", paramLabel = "NAME", description = "Which section of the note this run writes (letters, digits, - and _),"
            + " so runs with other settings can sit side by side. Default: ${DEFAULT-VALUE}")
    String section = "main";

    @Option(names = "--out", paramLabel = "DIR", description = "Where each finished arm is saved (and reused). Default: ${DEFAULT-VALUE}")
    Path out = Path.of("target", "transformer-questions");

    /** Which questions a run answers. */
    public enum Only {
        TOKENIZER, HEADS, BOTH;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @Option(names = "--only", paramLabel = "WHICH", description = "tokenizer, heads, or both. Default: ${DEFAULT-VALUE}")
    Only only = Only.BOTH;

    @Option(names = "--seeds", paramLabel = "N", description = "Seeds per arm (1..N). Default: ${DEFAULT-VALUE}")
    int seeds = 3;

    @Option(names = "--vocabs", paramLabel = "V", split = ",", description = "BPE vocabulary sizes (each ≥ 256). Default: ${DEFAULT-VALUE}")
    int[] vocabs = {512, 1024, 2048};

    @Option(names = "--heads", paramLabel = "H", split = ",", description = "Head counts for question 2 (each must divide --d-model). Default: ${DEFAULT-VALUE}")
    int[] headCounts = {1, 2, 4, 8};

    @Option(names = "--d-model", paramLabel = "D", description = "Width of the character model; BPE widths are matched to its parameter count. Default: ${DEFAULT-VALUE}")
    int dModel = 96;

    @Option(names = "--tokenizer-heads", paramLabel = "H", description = "Heads of every model in question 1. Default: ${DEFAULT-VALUE}")
    int tokenizerHeads = 4;

    @Option(names = "--layers", paramLabel = "L", description = "Transformer layers. Default: ${DEFAULT-VALUE}")
    int layers = 2;

    @Option(names = "--context", paramLabel = "T", description = "Tokens per window. Default: ${DEFAULT-VALUE}")
    int context = 64;

    @Option(names = "--batch-size", paramLabel = "B", description = "Windows per AdamW step. Default: ${DEFAULT-VALUE}")
    int batchSize = 12;

    @Mixin
    Options.Steps steps = new Options.Steps(300);

    @Mixin
    Options.Lr lr = new Options.Lr(2e-3);

    @Option(names = "--warmup", paramLabel = "N", description = "Linear warm-up steps. Default: ${DEFAULT-VALUE}")
    int warmup = 50;

    @Option(names = "--held-out-chars", paramLabel = "N", description = "Code points of the validation split every arm is measured on. Default: ${DEFAULT-VALUE}")
    int heldOutChars = 12288;

    @Option(names = "--eval-points", paramLabel = "N", description = "Held-out measurements per arm (besides step 0). Default: ${DEFAULT-VALUE}")
    int evalPoints = 6;

    @Option(names = "--jobs", paramLabel = "N", description = "Arms trained at the same time. Default: ${DEFAULT-VALUE}")
    int jobs = 2;

    @Override
    public Integer call() throws Exception {
        Checks checks = Checks.of(spec, steps, lr);
        checks.that(section.matches("[A-Za-z0-9_-]+"), "--section must be letters, digits, - or _, got '" + section + "'").atLeast("--seeds", seeds, 1)
                .atLeast("--jobs", jobs, 1).atLeast("--d-model", dModel, 1).atLeast("--layers", layers, 1).atLeast("--context", context, 2)
                .atLeast("--batch-size", batchSize, 1).atLeast("--warmup", warmup, 0).atLeast("--held-out-chars", heldOutChars, 2)
                .atLeast("--eval-points", evalPoints, 1);
        for (int v : vocabs) checks.that(v >= 256, "--vocabs: byte-level BPE needs >= 256 ids, got " + v);
        for (int h : headCounts) checks.that(h >= 1 && dModel % h == 0, "--heads: " + h + " does not divide --d-model " + dModel);
        checks.that(tokenizerHeads >= 1 && dModel % tokenizerHeads == 0, "--tokenizer-heads " + tokenizerHeads + " does not divide --d-model " + dModel);
        PrintWriter o = spec.commandLine().getOut();
        Settings s = new Settings(layers, context, batchSize, steps.steps, lr.lr, warmup, 0.1, 1.0, heldOutChars, evalPoints);
        String corpus;
        try {
            corpus = TinyLmCommand.readText(text);
        } catch (IOException e) {
            throw new Failure(Failure.DATA, e.getMessage());
        }
        String[] split = TinyLm.split(corpus);
        String trainText = split[0], valText = split[1];

        // question 1: char at --d-model; each BPE vocabulary at the width that matches its parameter count
        long charVocab = corpus.codePoints().distinct().count();
        long target = Questions.params(s, (int) charVocab, tokenizerHeads, dModel);
        List<Arm> tokenizerArms = new ArrayList<>(), headArms = new ArrayList<>();
        for (int seed = 1; seed <= seeds; seed++) {
            tokenizerArms.add(new Arm("char", 0, tokenizerHeads, dModel, seed));
            for (int v : vocabs) tokenizerArms.add(new Arm("bpe", v, tokenizerHeads, Questions.matchedWidth(s, v, tokenizerHeads, target), seed));
            for (int h : headCounts) headArms.add(new Arm("char", 0, h, dModel, seed));
        }
        Map<String, Arm> arms = new LinkedHashMap<>();
        if (only != Only.HEADS) tokenizerArms.forEach(a -> arms.put(a.key(s), a));
        if (only != Only.TOKENIZER) headArms.forEach(a -> arms.put(a.key(s), a));
        o.printf(Locale.ROOT, "transformer-questions: %d arms (%s), %s; character model %,d parameters%n", arms.size(), only, s.describe(), target);
        o.flush();

        Files.createDirectories(out);
        List<String> stale = AtomicFile.removeStale(out);
        if (!stale.isEmpty()) o.printf(Locale.ROOT, "removed %d temporary file(s) a killed run left in %s: %s%n", stale.size(), out, stale);
        Map<String, Questions.Data> data = new ConcurrentHashMap<>();
        Map<String, Result> results = new ConcurrentHashMap<>();
        long wall0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        try {
            List<Future<?>> futures = new ArrayList<>();
            int[] done = {0};
            for (Arm a : arms.values()) {
                futures.add(pool.submit(() -> {
                    Path file = out.resolve(a.key(s) + ".properties");
                    Result r = load(file, s, a);
                    boolean cached = r != null;
                    if (r == null) {
                        Questions.Data d = data.computeIfAbsent(a.tokenizerLabel(), k -> Questions.Data.of(
                                a.tokenizer().equals("char") ? TinyLm.Tokenizer.chars(corpus) : TinyLm.Tokenizer.bpe(trainText, a.vocab()),
                                trainText, valText, heldOutChars));
                        r = Questions.run(s, a, d);
                        save(file, s, r);
                    }
                    results.put(a.key(s), r);
                    synchronized (o) {
                        o.printf(Locale.ROOT, "[%d/%d] %s, %d heads, d %d, seed %d: held-out %.4f nats/token, %.4f bits/byte; %,d params; %s%n",
                                ++done[0], arms.size(), a.tokenizerLabel(), a.heads(), a.dModel(), a.seed(), r.last().nats(), r.last().bitsPerByte(),
                                r.params(), cached ? "saved earlier" : String.format(Locale.ROOT, "%.0f tokens/s, %.0f s", r.tokensPerSecond(), r.trainSeconds()));
                        o.flush();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Failure f) throw f;
            throw new IllegalStateException("an arm failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        double wall = (System.nanoTime() - wall0) / 1e9;

        QuestionsReport report = new QuestionsReport(s, seeds, target, results.values(), "questions-" + section + "-");
        Path figures = notes.toAbsolutePath().getParent().resolve("figures");
        StringBuilder md = new StringBuilder();
        if (only != Only.HEADS) md.append(report.tokenizer(tokenizerArms.stream().map(a -> results.get(a.key(s))).toList(), figures));
        if (only != Only.TOKENIZER) md.append(report.heads(headArms.stream().map(a -> results.get(a.key(s))).toList(), figures));
        writeSection(notes, section, report.header(commandLine()) + md);
        o.printf(Locale.ROOT, "done in %.0f s: results in %s (between %s and %s), plots in %s%n", wall, notes, begin(section), end(section), figures);
        o.flush();
        return 0;
    }

    /** The options as a command line, for the note. */
    String commandLine() {
        return String.format(Locale.ROOT, "transformer-questions --text %s --section %s --only %s --seeds %d --vocabs %s --heads %s --d-model %d --tokenizer-heads %d"
                        + " --layers %d --context %d --batch-size %d --steps %d --lr %s --warmup %d --held-out-chars %d --eval-points %d", text.getFileName(),
                section, only, seeds, join(vocabs), join(headCounts), dModel, tokenizerHeads, layers, context, batchSize, steps.steps, lr.lr, warmup, heldOutChars, evalPoints);
    }

    static String join(int[] v) {
        return String.join(",", java.util.Arrays.stream(v).mapToObj(Integer::toString).toList());
    }

    /**
     * Replaces the text between the section's markers; a section not there yet goes after the last
     * questions section of the note, or at its end. Written atomically.
     */
    static void writeSection(Path notes, String name, String text) throws IOException {
        String old = Files.exists(notes) ? Files.readString(notes, StandardCharsets.UTF_8) : "";
        String begin = begin(name), end = end(name), body = begin + "\n" + text + end;
        int b = old.indexOf(begin), e = old.indexOf(end);
        String next;
        if (b >= 0 && e > b) {
            next = old.substring(0, b) + body + old.substring(e + end.length());
        } else {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("<!-- questions [A-Za-z0-9_-]+ end -->").matcher(old);
            int at = -1;
            while (m.find()) at = m.end();
            next = at >= 0 ? old.substring(0, at) + "\n\n" + body + old.substring(at)
                    : old + (old.endsWith("\n") || old.isEmpty() ? "" : "\n") + "\n" + body + "\n";
        }
        AtomicFile.write(notes, os -> os.write(next.getBytes(StandardCharsets.UTF_8)));
    }

    static void save(Path file, Settings s, Result r) throws IOException {
        StringBuilder curve = new StringBuilder();
        for (Point p : r.curve()) curve.append(p.step()).append(':').append(p.nats()).append(':').append(p.bitsPerByte()).append(';');
        String body = "settings=" + s.describe() + "\nvocabSize=" + r.vocabSize() + "\nparams=" + r.params() + "\nbytesPerToken=" + r.bytesPerToken()
                + "\ntrainSeconds=" + r.trainSeconds() + "\ntrainTokens=" + r.trainTokens() + "\ncurve=" + curve + "\n";
        AtomicFile.write(file, os -> os.write(body.getBytes(StandardCharsets.UTF_8)));
    }

    /** A saved arm, or null when there is none (or it was made with other settings). */
    static Result load(Path file, Settings s, Arm a) throws IOException {
        if (!Files.exists(file)) return null;
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        if (!s.describe().equals(p.getProperty("settings"))) return null;
        List<Point> curve = new ArrayList<>();
        for (String row : p.getProperty("curve").split(";")) {
            if (row.isBlank()) continue;
            String[] f = row.split(":");
            curve.add(new Point(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])));
        }
        return new Result(a, Integer.parseInt(p.getProperty("vocabSize")), Long.parseLong(p.getProperty("params")),
                Double.parseDouble(p.getProperty("bytesPerToken")), List.copyOf(curve), Double.parseDouble(p.getProperty("trainSeconds")),
                Long.parseLong(p.getProperty("trainTokens")));
    }
}
