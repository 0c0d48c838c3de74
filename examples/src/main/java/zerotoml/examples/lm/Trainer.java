package zerotoml.examples.lm;

import java.io.PrintWriter;
import java.util.Locale;
import zerotoml.examples.kit.Charts;
import zerotoml.examples.kit.Loop;
import zerotoml.examples.kit.Training;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.optim.AdamW;
import zerotoml.scratch.transformer.Generation;
import zerotoml.scratch.transformer.Transformer.DecoderOnly;

/**
 * tiny-lm's training as the kit's {@link Training}: {@link TinyLm#step} on the training tokens,
 * validation loss and bits per byte at every evaluation, and a sample every {@code sampleEvery}
 * steps and at the end.
 */
final class Trainer implements Training<DecoderOnly, Adam.State<DecoderOnly>, TinyLm.Eval> {
    /** How samples are printed: every N steps (0 = only at the end), tokens per sample, and the sampler. */
    record Samples(int every, int length, Generation.Sampler sampler) {}

    private final TinyLm.Config c;
    private final TinyLm.Tokenizer tok;
    private final int[] train, val;
    private final Samples samples;
    private final PrintWriter out;

    Trainer(TinyLm.Config c, TinyLm.Tokenizer tok, int[] train, int[] val, Samples samples, PrintWriter out) {
        this.c = c;
        this.tok = tok;
        this.train = train;
        this.val = val;
        this.samples = samples;
        this.out = out;
    }

    @Override
    public String config() {
        return c.describe();
    }

    @Override
    public DecoderOnly init() {
        return TinyLm.init(c);
    }

    @Override
    public Adam.State<DecoderOnly> optimizer(DecoderOnly params) {
        return AdamW.init(params);
    }

    @Override
    public Loop.Stepped<DecoderOnly, Adam.State<DecoderOnly>> step(DecoderOnly params, Adam.State<DecoderOnly> opt, int t) {
        return TinyLm.step(c, params, opt, t, train);
    }

    @Override
    public TinyLm.Eval evaluate(Loop.State<DecoderOnly, Adam.State<DecoderOnly>, TinyLm.Eval> s, Loop.At at) {
        double[] e = TinyLm.evaluate(c, s.params(), val, tok);
        return new TinyLm.Eval(at.step(), at.running().meanLoss(), e[0], e[1], at.seconds());
    }

    @Override
    public Class<TinyLm.Eval> rowType() {
        return TinyLm.Eval.class;
    }

    @Override
    public String report(TinyLm.Eval e) {
        return String.format(Locale.ROOT, "step %d: train loss %.4f, validation loss %.4f, %.4f bits/byte (%.0f s)", e.step(), e.trainLoss(), e.valLoss(),
                e.valBitsPerByte(), e.seconds());
    }

    @Override
    public Charts.Figure<TinyLm.Eval> curves() {
        return Charts.Figure.of("step", TinyLm.Eval::step,
                Charts.Panel.<TinyLm.Eval>of("Loss", "cross-entropy (nats/token)").line("train (mean since last eval)", TinyLm.Eval::trainLoss, false)
                        .line("validation", TinyLm.Eval::valLoss, true),
                Charts.Panel.<TinyLm.Eval>of("Validation bits per byte", "bits/byte").line("validation", TinyLm.Eval::valBitsPerByte, true));
    }

    @Override
    public void stepped(Loop.State<DecoderOnly, Adam.State<DecoderOnly>, TinyLm.Eval> s) {
        int t = s.step();
        if ((samples.every() > 0 && t % samples.every() == 0) || t == c.steps()) printSample(s.params(), t);
    }

    void printSample(DecoderOnly params, int t) {
        if (samples.length() == 0) return;
        int[] ids = TinyLm.sample(c, params, new int[] {val[0]}, samples.length(), samples.sampler(), TinyLm.mix(c.seed(), 5, t));
        out.printf(Locale.ROOT, "sample at step %d (temperature %s, top-k %d), after \"%s\":%n%s%n%n", t, samples.sampler().temperature(),
                samples.sampler().topK(), tok.decode(new int[] {val[0]}).replace("\n", "\\n"), tok.decode(ids));
        out.flush();
    }
}
