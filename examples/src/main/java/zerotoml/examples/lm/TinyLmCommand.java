package zerotoml.examples.lm;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import zerotoml.examples.kit.Checks;
import zerotoml.examples.kit.Failure;
import zerotoml.examples.kit.Loop;
import zerotoml.examples.kit.Options;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.transformer.Generation;
import zerotoml.scratch.transformer.Transformer.DecoderOnly;

/** Trains a small decoder-only (GPT-style) language model on a text file with scratch autodiff and AdamW, on the training-loop kit. */
@Command(name = "tiny-lm", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a decoder-only transformer language model (Vaswani et al., arXiv 1706.03762; GPT's pre-LN layout) on a"
                + " UTF-8 text file: the first 90%% trains, the last 10%% validates. Every --eval-every steps it prints the validation"
                + " loss (nats per token and bits per byte) and writes, atomically, to --out: checkpoint.safetensors, curves.png"
                + " and history.csv; every --sample-every steps it prints a generated sample.")
public final class TinyLmCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** How text becomes tokens. */
    public enum TokenizerKind {
        CHAR, BPE;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What follows the warm-up. */
    public enum ScheduleKind {
        CONSTANT, COSINE;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @Option(names = "--text", paramLabel = "PATH", required = true, description = "The training text (UTF-8).")
    Path text;

    @Option(names = "--tokenizer", paramLabel = "KIND", description = "char (code points) or bpe (byte-level BPE trained on the"
            + " training split). Default: ${DEFAULT-VALUE}")
    TokenizerKind tokenizer = TokenizerKind.CHAR;

    @Option(names = "--vocab", paramLabel = "N", description = "BPE vocabulary size, 256 bytes + merges (>= 256; unused with char). Default: ${DEFAULT-VALUE}")
    int vocab = 512;

    @Option(names = "--layers", paramLabel = "L", description = "Transformer layers (>= 1). Default: ${DEFAULT-VALUE}")
    int layers = 4;

    @Option(names = "--heads", paramLabel = "H", description = "Attention heads (>= 1); must divide --d-model. Default: ${DEFAULT-VALUE}")
    int heads = 4;

    @Option(names = "--d-model", paramLabel = "D", description = "Model width, the FFN has 4D units (>= 1). Default: ${DEFAULT-VALUE}")
    int dModel = 128;

    @Option(names = "--context", paramLabel = "T", description = "Tokens per training window, and learned positions (>= 1). Default: ${DEFAULT-VALUE}")
    int context = 64;

    @Option(names = "--batch-size", paramLabel = "B", description = "Windows per AdamW step (>= 1). Default: ${DEFAULT-VALUE}")
    int batchSize = 12;

    @Mixin
    Options.Steps steps = new Options.Steps(2400);

    @Option(names = "--stop-at", paramLabel = "N", description = "Stop (with a checkpoint) after step N even if --steps is larger, e.g. to split a run"
            + " (>= 1). Default: never")
    int stopAt = Integer.MAX_VALUE;

    @Mixin
    Options.Lr lr = new Options.Lr(2e-3);

    @Option(names = "--schedule", paramLabel = "KIND", description = "constant, or cosine (down to lr/10 at --steps), each after a linear"
            + " warm-up. Default: ${DEFAULT-VALUE}")
    ScheduleKind schedule = ScheduleKind.COSINE;

    @Option(names = "--warmup", paramLabel = "N", description = "Linear warm-up steps (>= 0). Default: ${DEFAULT-VALUE}")
    int warmup = 100;

    @Option(names = "--weight-decay", paramLabel = "W", description = "AdamW decoupled weight decay, applied to every parameter (>= 0). Default: ${DEFAULT-VALUE}")
    double weightDecay = 0.1;

    @Option(names = "--grad-clip", paramLabel = "C", description = "Clip the global gradient norm to C (>= 0; 0 = off). Default: ${DEFAULT-VALUE}")
    double gradClip = 1.0;

    @Option(names = "--dropout", paramLabel = "P", description = "Dropout probability, seeded per step (in [0, 1)). Default: ${DEFAULT-VALUE}")
    double dropout = 0;

    @Option(names = "--eval-every", paramLabel = "N", description = "Evaluate, checkpoint and plot every N steps (>= 1). Default: ${DEFAULT-VALUE}")
    int evalEvery = 200;

    @Option(names = "--eval-batches", paramLabel = "N", description = "Validation batches per evaluation: fixed windows, the same every time (>= 1)."
            + " Default: ${DEFAULT-VALUE}")
    int evalBatches = 10;

    @Option(names = "--sample-every", paramLabel = "N", description = "Print a generated sample every N steps (>= 0; 0 = only at the end). Default: ${DEFAULT-VALUE}")
    int sampleEvery = 400;

    @Option(names = "--sample-length", paramLabel = "N", description = "Tokens per sample (>= 0). Default: ${DEFAULT-VALUE}")
    int sampleLength = 200;

    @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature (finite, >= 0; 0 = greedy). Default: ${DEFAULT-VALUE}")
    double temperature = 0.8;

    @Option(names = "--top-k", paramLabel = "K", description = "Sample among the K most likely tokens (>= 1; 0 = all). Default: ${DEFAULT-VALUE}")
    int topK = 0;

    @Mixin
    Options.Run run = new Options.Run("runs/tiny-lm");

    @Override
    public Integer call() throws IOException {
        Checks checks = Checks.of(spec, steps, lr, run);
        checks.atLeast("--layers", layers, 1).atLeast("--heads", heads, 1).atLeast("--d-model", dModel, 1)
                .that(dModel % heads == 0, "--d-model " + dModel + " is not divisible by --heads " + heads).atLeast("--context", context, 1)
                .atLeast("--batch-size", batchSize, 1).atLeast("--stop-at", stopAt, 1).atLeast("--warmup", warmup, 0)
                .nonNegative("--weight-decay", weightDecay, "no decay").nonNegative("--grad-clip", gradClip, "off").from("--dropout", dropout, 0, 1)
                .atLeast("--eval-every", evalEvery, 1).atLeast("--eval-batches", evalBatches, 1).atLeast("--sample-every", sampleEvery, 0)
                .atLeast("--sample-length", sampleLength, 0).nonNegative("--temperature", temperature, "greedy").atLeastOrZero("--top-k", topK, 1, "all");
        checks.atLeast("--vocab", vocab, 256);
        PrintWriter o = spec.commandLine().getOut();
        String corpus;
        try {
            corpus = readText(text);
        } catch (IOException e) {
            throw new Failure(Failure.DATA, e.getMessage());
        }
        String[] split = TinyLm.split(corpus);
        String trainText = split[0], valText = split[1];
        TinyLm.Tokenizer tok;
        TinyLm.Config c;
        try {
            tok = tokenizer == TokenizerKind.CHAR ? TinyLm.Tokenizer.chars(corpus) : TinyLm.Tokenizer.bpe(trainText, vocab);
            c = new TinyLm.Config(TinyLm.model(tok.vocabSize(), layers, heads, dModel, context), batchSize, steps.steps, lr.lr,
                    schedule == ScheduleKind.COSINE, warmup, weightDecay, gradClip, dropout, evalBatches, run.seed);
        } catch (IllegalArgumentException e) {
            throw new Failure(Failure.USAGE, e.getMessage());
        }
        int[] train = tok.encode(trainText), val = tok.encode(valText);
        if (train.length <= context || val.length <= context) {
            throw new Failure(Failure.DATA, "text file " + text + " is too short: the training split has " + train.length + " and the validation split "
                    + val.length + " tokens, and each needs more than --context " + context);
        }
        Trainer trainer = new Trainer(c, tok, train, val, new Trainer.Samples(sampleEvery, sampleLength, new Generation.Sampler(temperature, topK)), o);
        Loop<DecoderOnly, Adam.State<DecoderOnly>, TinyLm.Eval> loop = new Loop<>("tiny-lm", trainer,
                Loop.Plan.of(run, steps.steps, evalEvery).stopAfter(stopAt), o);
        var s = loop.start();
        long params = Autodiff.Params.tensors(s.params()).stream().mapToLong(t -> t.size()).sum();
        o.printf(Locale.ROOT, "tiny-lm: %s, %d training and %d validation tokens (%.3f bytes/token), %s tokenizer with %d ids; %,d parameters; %s%n",
                text, train.length, val.length, bytes(tok, val) / (double) val.length, tokenizer, tok.vocabSize(), params, c.describe());
        if (s.step() == 0) {
            double[] e0 = TinyLm.evaluate(c, s.params(), val, tok);
            o.printf(Locale.ROOT, "step 0: validation loss %.4f (ln vocab = %.4f), %.4f bits/byte%n", e0[0], Math.log(tok.vocabSize()), e0[1]);
        }
        o.flush();
        s = loop.run(s);
        o.printf(Locale.ROOT, "done: %d of %d steps; outputs in %s%n", s.step(), steps.steps, run.out.toAbsolutePath());
        o.flush();
        return 0;
    }

    /** The whole file as UTF-8 text; an IOException that names the file when it is missing, empty or not UTF-8. */
    static String readText(Path text) throws IOException {
        if (!Files.isRegularFile(text)) throw new IOException("text file " + text + " does not exist (or is not a file); give a UTF-8 text with --text PATH");
        String corpus;
        try {
            corpus = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(text))).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("text file " + text + " is not valid UTF-8");
        }
        if (corpus.isEmpty()) throw new IOException("text file " + text + " is empty");
        return corpus;
    }

    static long bytes(TinyLm.Tokenizer tok, int[] ids) {
        long b = 0;
        for (int id : ids) b += tok.bytes(id);
        return b;
    }
}
