package zerotoml.examples.seq2seq;

import zerotoml.scratch.nn.Dropout;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import zerotoml.examples.kit.Charts;
import zerotoml.examples.kit.Loop;
import zerotoml.examples.kit.Training;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.optim.Clipping;
import zerotoml.scratch.optim.Schedule;
import zerotoml.scratch.optim.Step;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.transformer.Transformer;
import zerotoml.scratch.transformer.Transformer.EncoderDecoder;

/**
 * Seq2seq training as the kit's {@link Training}: step t draws a fresh batch from (seed, t) that
 * never holds a held-out string, takes Adam at the warm-up × cosine learning rate with the gradient
 * norm clipped; an evaluation decodes the held-out strings greedily.
 */
final class Trainer implements Training<EncoderDecoder, Adam.State<EncoderDecoder>, Trainer.Eval> {
    /** One evaluation's numbers: a row of history.csv. */
    public record Eval(int step, double trainLoss, double exactMatch, double seconds) {}

    /** Everything that decides a run's numbers besides the model. */
    record Setup(Task.Kind kind, int length, int batchSize, double lr, int warmup, int steps, double clip, long seed, int heldOut, Double stopAt) {}

    private final Transformer.Config c;
    private final Setup u;
    private final List<int[]> held;
    private final Set<String> exclude = new HashSet<>();
    private final Schedule schedule;

    Trainer(Transformer.Config c, Setup u, List<int[]> held) {
        this.c = c;
        this.u = u;
        this.held = held;
        for (int[] h : held) exclude.add(Task.key(h));
        // γₜ = γ · min(1, (t+1)/warmup) · ½(1 + cos(π t / steps))
        this.schedule = new Schedule.WarmupCosine(u.lr(), u.warmup(), u.steps());
    }

    @Override
    public String config() {
        return describe(c) + String.format(Locale.ROOT, " task=%s length=%d batchSize=%d lr=%s warmup=%d steps=%d clip=%s seed=%d heldOut=%d", u.kind(),
                u.length(), u.batchSize(), u.lr(), u.warmup(), u.steps(), u.clip(), u.seed(), u.heldOut());
    }

    static String describe(Transformer.Config c) {
        return String.format(Locale.ROOT, "%d+%d layers, %d heads, d_model %d, d_ff %d, %s-LN, f32", c.layers(), c.layers(), c.heads(), c.dModel(), c.dFf(),
                c.norm() == Transformer.Norm.PRE ? "pre" : "post");
    }

    @Override
    public EncoderDecoder init() {
        return Transformer.initEncoderDecoder(c, Seq2Seq.dtype(), u.seed());
    }

    @Override
    public Adam.State<EncoderDecoder> optimizer(EncoderDecoder params) {
        return Adam.init(params);
    }

    @Override
    public Loop.Stepped<EncoderDecoder, Adam.State<EncoderDecoder>> step(EncoderDecoder params, Adam.State<EncoderDecoder> opt, int t) {
        Task.Batch b = Task.trainingBatch(u.kind(), u.seed(), t, u.batchSize(), u.length(), exclude);
        // loss(θ) = masked CE(decoder(encoder(x), BOS·y), y·EOS)
        Autodiff.ValueAndGrad<EncoderDecoder> vg = Autodiff.valueAndGrad(p -> Seq2Seq.loss(c, p, b, Dropout.OFF), params);
        // g ← g · min(1, clip / ‖g‖)
        EncoderDecoder g = u.clip() > 0 ? Clipping.clipGradNorm(vg.grad(), u.clip()).grads() : vg.grad();
        Step<EncoderDecoder, Adam.State<EncoderDecoder>> st = Adam.step(Adam.Hyper.defaults(u.lr()).withLr(schedule.lr(t)), params, g, opt);
        return Loop.Stepped.of(st.params(), st.state(), vg.value().item());
    }

    @Override
    public Eval evaluate(Loop.State<EncoderDecoder, Adam.State<EncoderDecoder>, Eval> s, Loop.At at) {
        double acc = Seq2Seq.exactMatch(c, s.params(), u.kind(), held, u.length(), 256);
        return new Eval(at.step(), at.running().meanLoss(), acc, at.seconds());
    }

    @Override
    public Class<Eval> rowType() {
        return Eval.class;
    }

    @Override
    public String report(Eval e) {
        return String.format(Locale.ROOT, "step %d: train loss %.4f, held-out exact match %.2f%% (%.1f s)", e.step(), e.trainLoss(), 100 * e.exactMatch(),
                e.seconds());
    }

    @Override
    public Charts.Figure<Eval> curves() {
        return Charts.Figure.of("step", Eval::step,
                Charts.Panel.<Eval>of("Training loss (padding masked)", "cross-entropy").line("train", Eval::trainLoss, false),
                Charts.Panel.<Eval>of("Held-out exact match (greedy)", "%").line("held-out", e -> 100 * e.exactMatch(), false));
    }

    @Override
    public boolean stop(Eval row) {
        return u.stopAt() != null && row.exactMatch() >= u.stopAt();
    }
}
