package zerotoml.examples.rl;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import zerotoml.examples.kit.Checks;
import zerotoml.scratch.nn.Dropout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import zerotoml.scratch.io.Safetensors;
import zerotoml.scratch.optim.AdamW;
import zerotoml.scratch.random.Distributions;
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.rl.Grpo;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Shapes;
import zerotoml.scratch.tensor.Tensor;
import zerotoml.scratch.transformer.Embeddings;
import zerotoml.scratch.transformer.Transformer;

/**
 * GRPO (arXiv 2402.03300) fine-tuning the project's decoder-only Transformer on two-digit addition:
 * the prompt "ab+cd=" and a completion of the sum's three digits, least significant first; the
 * reward is the fraction of the three digits that are right. The policy starts from a deliberately
 * short supervised run; the reference policy is that start, frozen.
 */
@Command(name = "grpo-addition", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Supervised warm-up (deliberately short), then GRPO with group-relative advantages, the clipped objective and"
                + " the k3 KL to the frozen start, for each seed; writes grpo.csv, grpo.png and a checkpoint per seed into --out.")
public final class GrpoAdditionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--sft-steps", description = "Supervised steps for the weak start. Default: ${DEFAULT-VALUE}")
    int sftSteps = 150;

    @Option(names = "--steps", description = "GRPO steps. Default: ${DEFAULT-VALUE}")
    int steps = 200;

    @Option(names = "--prompts", description = "Prompts per GRPO step. Default: ${DEFAULT-VALUE}")
    int prompts = 16;

    @Option(names = "--group", description = "Completions per prompt (G). Default: ${DEFAULT-VALUE}")
    int group = 8;

    @Option(names = "--lr", description = "GRPO learning rate. Default: ${DEFAULT-VALUE}")
    double lr = 1e-3;

    @Option(names = "--beta", description = "KL weight. Default: ${DEFAULT-VALUE}")
    double beta = 0.04;

    @Option(names = "--eval-every", description = "GRPO steps between held-out evaluations. Default: ${DEFAULT-VALUE}")
    int evalEvery = 20;

    @Option(names = "--stop-at", description = "Stop a seed once held-out accuracy reaches this. Default: ${DEFAULT-VALUE}")
    double stopAt = 2;

    @Option(names = "--held-out", description = "Held-out sums evaluated (of the 500 set aside). Default: ${DEFAULT-VALUE}")
    int heldOutCount = 500;

    @Option(names = "--seeds", description = "Seeds 1..N. Default: ${DEFAULT-VALUE}")
    int seeds = 3;

    @Option(names = "--out", description = "Output directory. Default: ${DEFAULT-VALUE}")
    Path out = Path.of("runs/grpo-addition");

    static final int PLUS = 10, EQUALS = 11, VOCAB = 12, PROMPT = 6, ANSWER = 3, HELD_OUT = 500;
    static final Transformer.Config CONFIG = new Transformer.Config(VOCAB, 64, 4, 256, 2, PROMPT + ANSWER, Transformer.Norm.PRE,
            Transformer.Activation.GELU, Embeddings.Positional.LEARNED);

    record Row(int seed, int step, double reward, double kl, double heldOutAccuracy) {}

    /** The prompt tokens of a + b: a₁ a₀ + b₁ b₀ =. */
    static int[] prompt(int a, int b) {
        return new int[] {a / 10, a % 10, PLUS, b / 10, b % 10, EQUALS};
    }

    /** The answer tokens: the digits of a + b, least significant first, three of them. */
    static int[] answer(int a, int b) {
        int s = a + b;
        return new int[] {s % 10, (s / 10) % 10, s / 100};
    }

    /** Every pair (a, b) of two-digit numbers, split by a fixed seed: the first HELD_OUT are held out. */
    static int[][] pairs() {
        int[] order = Rng.seed(2402_03300L).permutation(90 * 90);
        int[][] out = new int[order.length][];
        for (int i = 0; i < order.length; i++) out[i] = new int[] {10 + order[i] / 90, 10 + order[i] % 90};
        return out;
    }

    static Tensor logits(Transformer.DecoderOnly p, int[] ids, int batch, int time) {
        return Transformer.decoderOnly(CONFIG, p, ids, batch, time, Dropout.OFF);
    }

    /** log π(answer tokens) [B, 3] for full sequences [B, 9]: the logits at positions 5..7 scored against tokens 6..8. */
    static Tensor answerLogProbs(Transformer.DecoderOnly p, int[][] seqs) {
        int b = seqs.length, t = PROMPT + ANSWER - 1;
        int[] ids = new int[b * t], targets = new int[b * ANSWER];
        for (int i = 0; i < b; i++) {
            System.arraycopy(seqs[i], 0, ids, i * t, t);
            System.arraycopy(seqs[i], PROMPT, targets, i * ANSWER, ANSWER);
        }
        Tensor l = Shapes.slice(logits(p, ids, b, t), 1, PROMPT - 1, t);
        return Distributions.categoricalLogProb(l, targets).reshape(b, ANSWER);
    }

    /** Completes prompts token by token: greedy when rng is null, else sampled. */
    static int[][] complete(Transformer.DecoderOnly p, int[][] prompts, Rng rng) {
        int b = prompts.length;
        int[][] seqs = new int[b][PROMPT + ANSWER];
        for (int i = 0; i < b; i++) System.arraycopy(prompts[i], 0, seqs[i], 0, PROMPT);
        for (int k = 0; k < ANSWER; k++) {
            int t = PROMPT + k;
            int[] ids = new int[b * t];
            for (int i = 0; i < b; i++) System.arraycopy(seqs[i], 0, ids, i * t, t);
            Tensor last = Shapes.slice(logits(p, ids, b, t), 1, t - 1, t).reshape(b, VOCAB);
            int[] next;
            if (rng == null) {
                next = new int[b];
                double[] z = last.toArray();
                for (int i = 0; i < b; i++) {
                    int best = 0;
                    for (int v = 1; v < VOCAB; v++) if (z[i * VOCAB + v] > z[i * VOCAB + best]) best = v;
                    next[i] = best;
                }
            } else next = Distributions.categoricalSample(last, rng.split(k));
            for (int i = 0; i < b; i++) seqs[i][t] = next[i];
        }
        return seqs;
    }

    static double reward(int[] seq, int a, int b) {
        int[] ans = answer(a, b);
        double r = 0;
        for (int k = 0; k < ANSWER; k++) if (seq[PROMPT + k] == ans[k]) r += 1.0 / ANSWER;
        return r;
    }

    static double accuracy(Transformer.DecoderOnly p, int[][] pairs) {
        int[][] prompts = new int[pairs.length][];
        for (int i = 0; i < pairs.length; i++) prompts[i] = prompt(pairs[i][0], pairs[i][1]);
        int[][] seqs = complete(p, prompts, null);
        int right = 0;
        for (int i = 0; i < pairs.length; i++) if (reward(seqs[i], pairs[i][0], pairs[i][1]) > 0.999) right++;
        return (double) right / pairs.length;
    }

    @Override
    public Integer call() throws Exception {
        // every numeric option is checked before any work (one line naming the option, exit 2)
        Checks.of(spec).atLeast("--sft-steps", sftSteps, 0).atLeast("--steps", steps, 1).atLeast("--prompts", prompts, 1)
                .atLeast("--group", group, 2).positive("--lr", lr)
                .that(beta >= 0 && Double.isFinite(beta), "--beta must be a finite number >= 0, got " + beta)
                .atLeast("--eval-every", evalEvery, 1).that(stopAt >= 0 && Double.isFinite(stopAt), "--stop-at must be a finite number >= 0, got " + stopAt)
                .atLeast("--held-out", heldOutCount, 1).atLeast("--seeds", seeds, 1);
        Files.createDirectories(out);
        int[][] all = pairs();
        int[][] heldOut = java.util.Arrays.copyOfRange(all, 0, Math.max(1, Math.min(HELD_OUT, heldOutCount))), train = java.util.Arrays.copyOfRange(all, HELD_OUT, all.length);
        List<Row> rows = new ArrayList<>();
        List<Curves.Line> acc = new ArrayList<>(), rew = new ArrayList<>(), kls = new ArrayList<>();
        double[] starts = new double[seeds], ends = new double[seeds];
        for (int seed = 1; seed <= seeds; seed++) {
            long t0 = System.nanoTime();
            Rng rng = Rng.seed(seed);
            Transformer.DecoderOnly p = Transformer.initDecoderOnly(CONFIG, DType.F32, seed);
            // the weak supervised start: a few steps of next-token cross-entropy on the answers
            var sftState = AdamW.init(p);
            for (int s = 0; s < sftSteps; s++) {
                int[] idx = rng.split("sft").split(s).integers(0, train.length, 64);
                int[][] seqs = new int[64][];
                for (int i = 0; i < 64; i++) {
                    int a = train[idx[i]][0], b = train[idx[i]][1];
                    int[] q = prompt(a, b), ans = answer(a, b);
                    seqs[i] = new int[PROMPT + ANSWER];
                    System.arraycopy(q, 0, seqs[i], 0, PROMPT);
                    System.arraycopy(ans, 0, seqs[i], PROMPT, ANSWER);
                }
                var g = Autodiff.grad(q -> answerLogProbs(q, seqs).mean().neg(), p);
                var st = AdamW.step(new AdamW.Hyper(3e-3, 0.9, 0.99, 1e-8, 0.0, false), p, g, sftState);
                p = st.params();
                sftState = st.state();
            }
            Transformer.DecoderOnly ref = p;
            double start = accuracy(p, heldOut);
            starts[seed - 1] = start;
            System.out.printf(Locale.ROOT, "seed %d: after %d supervised steps, held-out exact match %.1f%% (%.0f s)%n", seed, sftSteps, 100 * start,
                    (System.nanoTime() - t0) / 1e9);
            List<Double> xs = new ArrayList<>(), accY = new ArrayList<>(), rs = new ArrayList<>(), kl = new ArrayList<>(), stepX = new ArrayList<>();
            xs.add(0.0);
            accY.add(start);
            rows.add(new Row(seed, 0, Double.NaN, 0, start));
            var opt = AdamW.init(p);
            Grpo.Hyper h = new Grpo.Hyper(0.2, 0.2, beta, Grpo.LossType.GRPO, ANSWER);
            double last = start;
            for (int s = 1; s <= steps; s++) {
                Rng r = rng.split("grpo").split(s);
                int[] pick = r.split("prompts").integers(0, train.length, prompts);
                int n = prompts * group;
                int[][] qs = new int[n][];
                int[][] ab = new int[n][];
                for (int i = 0; i < n; i++) {
                    ab[i] = train[pick[i / group]];
                    qs[i] = prompt(ab[i][0], ab[i][1]);
                }
                int[][] seqs = complete(p, qs, r.split("sample"));
                double[] rewards = new double[n];
                double meanR = 0;
                for (int i = 0; i < n; i++) {
                    rewards[i] = reward(seqs[i], ab[i][0], ab[i][1]);
                    meanR += rewards[i] / n;
                }
                Tensor adv = Grpo.advantages(Tensor.of(DType.F32, rewards, n), group, Grpo.Scale.GROUP);
                Tensor refLp = answerLogProbs(ref, seqs).detach();
                Tensor oldLp = answerLogProbs(p, seqs).detach();
                Tensor mask = Tensor.ones(DType.F32, n, ANSWER);
                List<Grpo.Losses> parts = new ArrayList<>(1);
                var g = Autodiff.grad(q -> {
                    Grpo.Losses l = Grpo.losses(h, answerLogProbs(q, seqs), oldLp, refLp, adv, mask);
                    parts.add(l);
                    return l.loss();
                }, p);
                var st = AdamW.step(new AdamW.Hyper(lr, 0.9, 0.99, 1e-8, 0.0, false), p, g, opt);
                p = st.params();
                opt = st.state();
                stepX.add((double) s);
                rs.add(meanR);
                kl.add(parts.get(0).kl().item());
                if (s % evalEvery == 0 || s == steps) {
                    last = accuracy(p, heldOut);
                    xs.add((double) s);
                    accY.add(last);
                    rows.add(new Row(seed, s, meanR, parts.get(0).kl().item(), last));
                    System.out.printf(Locale.ROOT, "seed %d step %d: mean reward %.3f, KL to the start %.4f, held-out exact match %.1f%%%n",
                            seed, s, meanR, parts.get(0).kl().item(), 100 * last);
                    if (last >= stopAt) break;
                }
            }
            ends[seed - 1] = last;
            acc.add(new Curves.Line("seed " + seed, Curves.toArray(xs), Curves.toArray(accY)));
            rew.add(new Curves.Line("seed " + seed, Curves.toArray(stepX), Curves.movingAverage(Curves.toArray(rs), 10)));
            kls.add(new Curves.Line("seed " + seed, Curves.toArray(stepX), Curves.toArray(kl)));
            Safetensors.save(out.resolve("checkpoint-seed" + seed + ".safetensors"), p, Map.of("seed", Integer.toString(seed)));
            List<String> csv = new ArrayList<>();
            for (Row x : rows) csv.add(x.seed() + "," + x.step() + "," + x.reward() + "," + x.kl() + "," + x.heldOutAccuracy());
            Curves.csv(out.resolve("grpo.csv"), "seed,step,mean_reward,kl_to_start,held_out_exact_match", csv);
            Curves.png(out.resolve("grpo.png"), List.of(
                    new Curves.Panel("Held-out exact match (" + heldOut.length + " sums)", "GRPO step", "accuracy", acc, 0.9),
                    new Curves.Panel("Mean reward (10-step average)", "GRPO step", "fraction of digits right", rew, Double.NaN),
                    new Curves.Panel("KL to the frozen start (k3)", "GRPO step", "mean per-token k3", kls, Double.NaN)));
            System.out.printf(Locale.ROOT, "seed %d: held-out exact match %.1f%% -> %.1f%% (%.0f s)%n", seed, 100 * start, 100 * last, (System.nanoTime() - t0) / 1e9);
        }
        System.out.println("held-out exact match over seeds: start " + Curves.meanSd(starts) + " -> end " + Curves.meanSd(ends));
        return 0;
    }
}
