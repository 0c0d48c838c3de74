package zerotoml.examples.rl;

import java.util.Locale;
import zerotoml.examples.kit.Charts;
import zerotoml.examples.kit.Loop;
import zerotoml.examples.kit.Training;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.optim.AdamW;
import zerotoml.scratch.optim.Clipping;
import zerotoml.scratch.optim.Schedule;
import zerotoml.scratch.optim.Step;
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.rl.Grpo;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;
import zerotoml.scratch.transformer.Transformer;
import zerotoml.scratch.transformer.Transformer.DecoderOnly;

/**
 * The two phases of grpo-addition as the kit's {@link Training}s. {@link Supervised}: the weak
 * start, next-token cross-entropy on the answers of a batch drawn from (seed, t), stopped at the
 * first evaluation that reaches {@link Setup#sftUntil()}. {@link Policy}: GRPO from that start,
 * which is also the frozen reference; step t samples G completions for each of its prompts from
 * (seed, t) and takes one AdamW step on the clipped objective with the k3 penalty.
 */
final class GrpoTraining {
    private GrpoTraining() {}

    /** Where the advantages come from: the completion's reward (the paper's outcome supervision) or each digit's (its process supervision). */
    enum Supervision { OUTCOME, PROCESS }

    /** Everything that decides a seed's numbers. */
    record Setup(long seed, int sftSteps, double sftLr, int sftBatch, double sftUntil, int prompts, int group, double lr, int warmup, double clip,
                 int iterations, double beta, double epsilon, Supervision supervision, int heldOut) {
        String supervised() {
            Transformer.Config c = Addition.MODEL;
            return String.format(Locale.ROOT, "decoder-only %d layers, %d heads, d_model %d, d_ff %d, pre-LN, f32; sftSteps=%d sftLr=%s sftBatch=%d"
                    + " sftUntil=%s seed=%d heldOut=%d", c.layers(), c.heads(), c.dModel(), c.dFf(), sftSteps, sftLr, sftBatch, sftUntil, seed, heldOut);
        }

        String policy() {
            return supervised() + String.format(Locale.ROOT, "; prompts=%d group=%d lr=%s warmup=%d clip=%s iterations=%d beta=%s epsilon=%s supervision=%s",
                    prompts, group, lr, warmup, clip, iterations, beta, epsilon, supervision);
        }
    }

    /** A supervised evaluation: a row of sft/history.csv. */
    public record SftEval(int step, double trainLoss, double exactMatch, double seconds) {}

    /** A GRPO evaluation: a row of history.csv (step 0 is the supervised start). */
    public record GrpoEval(int step, double trainReward, double sampledReward, double klToRef, double exactMatch, double seconds) {}

    static final class Supervised implements Training<DecoderOnly, Adam.State<DecoderOnly>, SftEval> {
        private final Setup u;
        private final int[][] train, held;

        Supervised(Setup u) {
            this.u = u;
            this.train = Addition.training();
            this.held = Addition.heldOut(u.heldOut());
        }

        @Override
        public String config() {
            return u.supervised();
        }

        @Override
        public DecoderOnly init() {
            return Transformer.initDecoderOnly(Addition.MODEL, DType.F32, u.seed());
        }

        @Override
        public Adam.State<DecoderOnly> optimizer(DecoderOnly params) {
            return AdamW.init(params);
        }

        @Override
        public Loop.Stepped<DecoderOnly, Adam.State<DecoderOnly>> step(DecoderOnly params, Adam.State<DecoderOnly> opt, int t) {
            int[] idx = Rng.seed(u.seed()).split("sft").split(t).integers(0, train.length, u.sftBatch());
            int[][] batch = new int[idx.length][];
            for (int i = 0; i < idx.length; i++) batch[i] = train[idx[i]];
            int[][] seqs = Addition.solved(batch);
            // loss(θ) = −mean log π_θ(answer token | prompt, earlier answer tokens)
            var vg = Autodiff.valueAndGrad(q -> Addition.answerLogProbs(q, seqs).mean().neg(), params);
            Step<DecoderOnly, Adam.State<DecoderOnly>> st = AdamW.step(new AdamW.Hyper(u.sftLr(), 0.9, 0.99, 1e-8, 0.0, false), params, vg.grad(), opt);
            return Loop.Stepped.of(st.params(), st.state(), vg.value().item());
        }

        @Override
        public SftEval evaluate(Loop.State<DecoderOnly, Adam.State<DecoderOnly>, SftEval> s, Loop.At at) {
            return new SftEval(at.step(), at.running().meanLoss(), Addition.exactMatch(s.params(), held), at.seconds());
        }

        @Override
        public Class<SftEval> rowType() {
            return SftEval.class;
        }

        @Override
        public String report(SftEval e) {
            return String.format(Locale.ROOT, "seed %d, supervised step %d: train loss %.4f, held-out exact match %.1f%% (%.0f s)", u.seed(), e.step(),
                    e.trainLoss(), 100 * e.exactMatch(), e.seconds());
        }

        @Override
        public Charts.Figure<SftEval> curves() {
            return Charts.Figure.of("supervised step", SftEval::step,
                    Charts.Panel.<SftEval>of("Supervised start: training loss", "cross-entropy (nats)").line("train", SftEval::trainLoss, false),
                    Charts.Panel.<SftEval>of("Held-out exact match (greedy)", "%").line("held-out", e -> 100 * e.exactMatch(), true));
        }

        @Override
        public boolean stop(SftEval row) {
            return row.exactMatch() >= u.sftUntil();
        }
    }

    static final class Policy implements Training<DecoderOnly, Adam.State<DecoderOnly>, GrpoEval> {
        private final Setup u;
        private final DecoderOnly start;
        private final Double stopAt;
        private final int[][] train, held;
        private final Grpo.Hyper h;
        private final Tensor mask;
        private final Schedule schedule;

        /** GRPO from {@code start}, the supervised result, which is also the frozen reference. */
        Policy(Setup u, DecoderOnly start, Double stopAt) {
            this.u = u;
            this.start = start;
            this.stopAt = stopAt;
            this.train = Addition.training();
            this.held = Addition.heldOut(u.heldOut());
            this.h = new Grpo.Hyper(u.epsilon(), u.epsilon(), u.beta(), Grpo.LossType.GRPO, 1);
            this.mask = Tensor.ones(DType.F32, u.prompts() * u.group() * Addition.ANSWER, 1);
            this.schedule = new Schedule.Warmup(u.lr(), u.warmup(), new Schedule.Constant(u.lr()));
        }

        @Override
        public String config() {
            return u.policy();
        }

        @Override
        public DecoderOnly init() {
            return start;
        }

        @Override
        public Adam.State<DecoderOnly> optimizer(DecoderOnly params) {
            return AdamW.init(params);
        }

        /** The completions of step t's prompts [B = prompts × G, 9], their rewards [B] and advantages per answer token [B·3]. */
        record Rollout(int[][] pairs, int[][] seqs, Tensor rewards, Tensor advantages) {}

        /** Step t's prompts, drawn from (seed, t), each completed G times by sampling from {@code params}. */
        Rollout rollout(DecoderOnly params, int t) {
            Rng r = Rng.seed(u.seed()).split("grpo").split(t);
            int[] pick = r.split("prompts").integers(0, train.length, u.prompts());
            int n = u.prompts() * u.group();
            int[][] pairs = new int[n][];
            for (int i = 0; i < n; i++) pairs[i] = train[pick[i / u.group()]];
            // G completions per prompt from π_old = π_θ
            int[][] seqs = Addition.complete(params, Addition.prompts(pairs), r.split("sample"));
            Tensor rewards = Addition.rewards(seqs, pairs);
            return new Rollout(pairs, seqs, rewards, u.supervision() == Supervision.OUTCOME ? outcome(rewards) : process(Addition.digitRewards(seqs, pairs)));
        }

        /** Outcome supervision: Âᵢ,ₜ = (rᵢ − mean(r_group)) / (std(r_group) + 1e-4) for every token t of completion i. */
        Tensor outcome(Tensor rewards) {
            double[] a = Grpo.advantages(rewards, u.group(), Grpo.Scale.GROUP).toArray(), out = new double[a.length * Addition.ANSWER];
            for (int i = 0; i < out.length; i++) out[i] = a[i / Addition.ANSWER];
            return Tensor.of(DType.F32, out, out.length);
        }

        /**
         * Process supervision (§4.1.3): each digit is a step with reward 1 if right; r̃ = (r − mean(R)) / std(R) over the group's
         * G·3 step rewards R, and Âᵢ,ₜ = Σ_{k ≥ t} r̃ᵢ,ₖ.
         */
        Tensor process(Tensor digitRewards) {
            double[] r = Grpo.advantages(digitRewards, u.group() * Addition.ANSWER, Grpo.Scale.GROUP).toArray(), out = new double[r.length];
            for (int i = 0; i < r.length; i += Addition.ANSWER) {
                double sum = 0;
                for (int k = Addition.ANSWER - 1; k >= 0; k--) out[i + k] = sum += r[i + k];
            }
            return Tensor.of(DType.F32, out, out.length);
        }

        @Override
        public Loop.Stepped<DecoderOnly, Adam.State<DecoderOnly>> step(DecoderOnly params, Adam.State<DecoderOnly> opt, int t) {
            Rollout ro = rollout(params, t);
            int tokens = ro.seqs().length * Addition.ANSWER;
            Tensor refLp = Addition.answerLogProbs(start, ro.seqs()).detach().reshape(tokens, 1);
            // γₜ = γ (t+1)/W during the warm-up, then γ
            AdamW.Hyper adamW = new AdamW.Hyper(schedule.lr(t), 0.9, 0.99, 1e-8, 0.0, false);
            DecoderOnly p = params;
            Adam.State<DecoderOnly> o = opt;
            double loss = 0;
            Tensor[] oldLp = new Tensor[1];
            for (int k = 0; k < u.iterations(); k++) {
                // update k of this batch: ρ = π_θ/π_old, with π_old the policy that sampled it (ρ = 1 at k = 0)
                var vg = Autodiff.valueAndGrad(q -> {
                    // every answer token as a completion of length 1: the advantage may differ per token (process supervision), and as
                    // every completion has 3 tokens, the paper's per-sequence mean equals the mean over tokens
                    Tensor lp = Addition.answerLogProbs(q, ro.seqs()).reshape(tokens, 1);
                    if (oldLp[0] == null) oldLp[0] = lp.detach();
                    return Grpo.reduce(Grpo.perTokenLoss(h, lp, oldLp[0], refLp, ro.advantages()), mask, h.lossType(), h.maxCompletionLength());
                }, p);
                // g ← g · min(1, clip / ‖g‖)
                DecoderOnly g = u.clip() > 0 ? Clipping.clipGradNorm(vg.grad(), u.clip()).grads() : vg.grad();
                Step<DecoderOnly, Adam.State<DecoderOnly>> st = AdamW.step(adamW, p, g, o);
                p = st.params();
                o = st.state();
                if (k == 0) loss = vg.value().item();
            }
            return new Loop.Stepped<>(p, o, loss, 1, ro.rewards().mean().item());
        }

        /** The row of {@code params} after {@code step} GRPO steps: greedy exact match, and reward and k3 of one sample per held-out prompt. */
        GrpoEval row(DecoderOnly params, int step, double trainReward, double seconds) {
            Addition.Sampled s = Addition.sampled(params, start, held, Rng.seed(u.seed()).split("eval").split(step));
            return new GrpoEval(step, trainReward, s.reward(), s.klToRef(), Addition.exactMatch(params, held), seconds);
        }

        @Override
        public GrpoEval evaluate(Loop.State<DecoderOnly, Adam.State<DecoderOnly>, GrpoEval> s, Loop.At at) {
            return row(s.params(), at.step(), at.running().accuracy(), at.seconds());
        }

        @Override
        public Class<GrpoEval> rowType() {
            return GrpoEval.class;
        }

        @Override
        public String report(GrpoEval e) {
            return String.format(Locale.ROOT, "seed %d, GRPO step %d: mean reward %.3f (training), %.3f (held-out, sampled); KL to the start %.4f;"
                    + " held-out exact match %.1f%% (%.0f s)", u.seed(), e.step(), e.trainReward(), e.sampledReward(), e.klToRef(), 100 * e.exactMatch(),
                    e.seconds());
        }

        @Override
        public Charts.Figure<GrpoEval> curves() {
            return Charts.Figure.of("GRPO step", GrpoEval::step,
                    Charts.Panel.<GrpoEval>of("Held-out exact match (greedy)", "%").line("held-out", e -> 100 * e.exactMatch(), true),
                    Charts.Panel.<GrpoEval>of("Reward (fraction of digits right)", "mean reward").line("held-out, sampled", GrpoEval::sampledReward, false),
                    Charts.Panel.<GrpoEval>of("KL to the frozen start (k3)", "mean per token").line("held-out, sampled", GrpoEval::klToRef, false));
        }

        @Override
        public boolean stop(GrpoEval row) {
            return stopAt != null && row.exactMatch() >= stopAt;
        }
    }
}
