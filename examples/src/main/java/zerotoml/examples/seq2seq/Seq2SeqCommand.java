package zerotoml.examples.seq2seq;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
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
import zerotoml.scratch.transformer.Embeddings;
import zerotoml.scratch.transformer.Transformer;
import zerotoml.scratch.transformer.Transformer.EncoderDecoder;

/** Trains the encoder-decoder Transformer to reverse or sort digit strings, with scratch autodiff and Adam, on the training-loop kit. */
@Command(name = "seq2seq", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train an encoder-decoder Transformer (Vaswani et al., arXiv 1706.03762) to reverse or sort strings of"
                + " 1..L digits, with teacher forcing and a cross-entropy that ignores padding, Adam (betas 0.9, 0.999) with a linear"
                + " warm-up times a cosine decay to 0. Every --eval-every steps it decodes a held-out set of fresh strings greedily, prints"
                + " the exact-match accuracy, and writes, atomically, to --out: checkpoint.safetensors, curves.png (loss and accuracy) and"
                + " history.csv; --resume continues a stopped run bit for bit.")
public final class Seq2SeqCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--task", paramLabel = "KIND", description = "reverse or sort. Default: ${DEFAULT-VALUE}")
    Task.Kind task = Task.Kind.REVERSE;

    @Option(names = "--length", paramLabel = "L", description = "Longest string (1..64); lengths are uniform in 1..L. Default: ${DEFAULT-VALUE}")
    int length = 8;

    @Option(names = "--layers", paramLabel = "N", description = "Encoder layers, and as many decoder layers (>= 1). Default: ${DEFAULT-VALUE}")
    int layers = 2;

    @Option(names = "--heads", paramLabel = "H", description = "Attention heads (>= 1, must divide --d-model). Default: ${DEFAULT-VALUE}")
    int heads = 4;

    @Option(names = "--d-model", paramLabel = "D", description = "Model width (>= 1). Default: ${DEFAULT-VALUE}")
    int dModel = 64;

    @Option(names = "--d-ff", paramLabel = "F", description = "Feed-forward width (>= 1; 0 = 4 x --d-model). Default: 4 x --d-model")
    int dFf = 0;

    @Option(names = "--norm", paramLabel = "KIND", description = "pre (LayerNorm before each sublayer, GPT-2) or post (the paper)."
            + " Default: ${DEFAULT-VALUE}")
    Transformer.Norm norm = Transformer.Norm.PRE;

    @Mixin
    Options.Steps steps = new Options.Steps(3000);

    @Option(names = "--batch-size", paramLabel = "B", description = "Strings per step (>= 1). Default: ${DEFAULT-VALUE}")
    int batchSize = 64;

    @Mixin
    Options.Lr lr = new Options.Lr(1e-3);

    @Option(names = "--warmup", paramLabel = "N", description = "Warm-up steps (>= 0). Default: ${DEFAULT-VALUE}")
    int warmup = 100;

    @Option(names = "--clip", paramLabel = "C", description = "Clip the gradient's global norm to C (>= 0; 0 = no clipping). Default: ${DEFAULT-VALUE}")
    double clip = 1.0;

    @Option(names = "--held-out", paramLabel = "N", description = "Distinct held-out strings, never used in training (>= 1). Default: ${DEFAULT-VALUE}")
    int heldOut = 500;

    @Option(names = "--eval-every", paramLabel = "N", description = "Evaluate, checkpoint and plot every N steps, and at the end (>= 1). Default: ${DEFAULT-VALUE}")
    int evalEvery = 250;

    @Option(names = "--stop-at", paramLabel = "ACC", description = "Stop early once the held-out exact match reaches ACC (0..1). Default: never")
    Double stopAt;

    @Mixin
    Options.Run run = new Options.Run("runs/seq2seq");

    @Override
    public Integer call() throws IOException {
        Checks checks = Checks.of(spec, steps, lr, run);
        checks.atLeast("--length", length, 1).that(length <= 64, "--length must be in 1..64, got " + length).atLeast("--layers", layers, 1)
                .atLeast("--heads", heads, 1).atLeast("--d-model", dModel, 1)
                .that(dModel % heads == 0, "--d-model " + dModel + " is not divisible by --heads " + heads).atLeastOrZero("--d-ff", dFf, 1, "4 x --d-model")
                .atLeast("--batch-size", batchSize, 1).atLeast("--warmup", warmup, 0).nonNegative("--clip", clip, "no clipping")
                .atLeast("--held-out", heldOut, 1).atLeast("--eval-every", evalEvery, 1);
        if (stopAt != null) checks.between("--stop-at", stopAt, 0, 1);
        PrintWriter o = spec.commandLine().getOut();
        List<int[]> held;
        try {
            held = Task.heldOut(run.seed ^ 0x5EEDL << 20, length, heldOut);
        } catch (IllegalArgumentException e) {
            throw new Failure(Failure.USAGE, e.getMessage() + "; lower --held-out or raise --length");
        }
        Transformer.Config c = new Transformer.Config(Task.VOCAB, dModel, heads, dFf == 0 ? 4 * dModel : dFf, layers, length + 1, norm,
                Transformer.Activation.RELU, Embeddings.Positional.SINUSOIDAL);
        Trainer.Setup u = new Trainer.Setup(task, length, batchSize, lr.lr, warmup, steps.steps, clip, run.seed, heldOut, stopAt);
        Loop<EncoderDecoder, Adam.State<EncoderDecoder>, Trainer.Eval> loop = new Loop<>("seq2seq", new Trainer(c, u, held), Loop.Plan.of(run, steps.steps, evalEvery), o);
        var s = loop.start();
        long count = Autodiff.Params.tensors(s.params()).stream().mapToLong(t -> t.size()).sum();
        o.printf(Locale.ROOT, "seq2seq: %s digit strings of length 1..%d; %s; %d parameters; %d held-out strings%n", task, length, Trainer.describe(c), count,
                held.size());
        o.flush();
        s = loop.run(s);
        if (s.history().isEmpty()) return 0;
        Trainer.Eval last = s.history().get(s.history().size() - 1);
        if (stopAt != null && last.exactMatch() >= stopAt && s.step() < steps.steps) {
            o.printf(Locale.ROOT, "reached %.2f%% >= --stop-at %.2f%%; stopping%n", 100 * last.exactMatch(), 100 * stopAt);
        }
        o.printf(Locale.ROOT, "done: %d steps in %.1f s, held-out exact match %.2f%%; outputs in %s%n", last.step(), last.seconds(), 100 * last.exactMatch(),
                run.out.toAbsolutePath());
        o.flush();
        return 0;
    }
}
