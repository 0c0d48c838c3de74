package zerotoml.examples.rl;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import zerotoml.examples.kit.Checks;
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
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.random.Distributions;
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.rl.CartPole;
import zerotoml.scratch.rl.Gae;
import zerotoml.scratch.rl.Ppo;
import zerotoml.scratch.rl.Transition;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Indexing;
import zerotoml.scratch.tensor.Tensor;

/** PPO (arXiv 1707.06347) on CartPole-v1 with CleanRL's {@code ppo.py} settings, over several seeds. */
@Command(name = "ppo-cartpole", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Trains PPO on CartPole-v1 (CleanRL's settings: 4 envs x 128 steps, 4 epochs x 4 minibatches, clip 0.2,"
                + " lr 2.5e-4 annealed, Adam eps 1e-5, tanh MLPs 64x64) for each seed, and writes returns.csv, returns.png and a"
                + " checkpoint per seed into --out.")
public final class PpoCartPoleCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--steps", description = "Environment steps per seed. Default: ${DEFAULT-VALUE}")
    int totalSteps = 500_000;

    @Option(names = "--seeds", description = "Seeds 1..N. Default: ${DEFAULT-VALUE}")
    int seeds = 3;

    @Option(names = "--out", description = "Output directory. Default: ${DEFAULT-VALUE}")
    Path out = Path.of("runs/ppo-cartpole");

    @Option(names = "--lr", description = "Initial learning rate (linearly annealed to 0). Default: ${DEFAULT-VALUE}")
    double lr = 2.5e-4;

    static final int ENVS = 4, STEPS = 128, HIDDEN = 64;
    static final double GAMMA = 0.99, LAMBDA = 0.95;

    /** The actor (logits over 2 actions) and the critic (one value). */
    public record ActorCritic(Mlp actor, Mlp critic) {}

    record Episode(int seed, long step, double ret) {}

    @Override
    public Integer call() throws Exception {
        // every numeric option is checked before any work (one line naming the option, exit 2)
        Checks.of(spec).atLeast("--steps", totalSteps, 1).atLeast("--seeds", seeds, 1).positive("--lr", lr);
        Files.createDirectories(out);
        List<Episode> all = new ArrayList<>();
        List<Curves.Line> lines = new ArrayList<>();
        double[] lastMeans = new double[seeds], greedy = new double[seeds];
        for (int seed = 1; seed <= seeds; seed++) {
            long t0 = System.nanoTime();
            List<Episode> eps = new ArrayList<>();
            ActorCritic p = train(seed, eps);
            all.addAll(eps);
            double[] x = new double[eps.size()], y = new double[eps.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = eps.get(i).step();
                y[i] = eps.get(i).ret();
            }
            lines.add(new Curves.Line("seed " + seed, x, Curves.movingAverage(y, 20)));
            double last = 0;
            int n = Math.min(20, y.length);
            for (int i = y.length - n; i < y.length; i++) last += y[i] / n;
            lastMeans[seed - 1] = last;
            greedy[seed - 1] = evaluateGreedy(p, 10, 10_000L * seed);
            Safetensors.save(out.resolve("checkpoint-seed" + seed + ".safetensors"), p, Map.of("steps", Integer.toString(totalSteps)));
            System.out.printf(Locale.ROOT, "seed %d: mean return of the last %d training episodes %.1f, greedy evaluation (10 episodes) %.1f, %.0f s%n",
                    seed, n, last, greedy[seed - 1], (System.nanoTime() - t0) / 1e9);
            List<String> rows = new ArrayList<>();
            for (Episode e : all) rows.add(e.seed() + "," + e.step() + "," + e.ret());
            Curves.csv(out.resolve("returns.csv"), "seed,global_step,episodic_return", rows);
            Curves.png(out.resolve("returns.png"), List.of(new Curves.Panel("PPO on CartPole-v1 (20-episode moving average)",
                    "environment steps", "episodic return", lines, 475)));
        }
        System.out.println("last-20 training return over seeds: " + Curves.meanSd(lastMeans) + "; greedy: " + Curves.meanSd(greedy));
        return 0;
    }

    static ActorCritic init(int seed) {
        Rng r = Rng.seed(seed).split("init");
        return new ActorCritic(Mlp.init(r.split("actor"), CartPole.OBSERVATION_SIZE, HIDDEN, CartPole.ACTIONS, 0.01),
                Mlp.init(r.split("critic"), CartPole.OBSERVATION_SIZE, HIDDEN, 1, 1.0));
    }

    static Tensor rows(List<double[]> obs) {
        int d = obs.get(0).length;
        double[] x = new double[obs.size() * d];
        for (int i = 0; i < obs.size(); i++) System.arraycopy(obs.get(i), 0, x, i * d, d);
        return Tensor.of(DType.F64, x, obs.size(), d);
    }

    static Tensor value(ActorCritic p, Tensor x) {
        return p.critic().forward(x, true).reshape(x.shape().dim(0));
    }

    ActorCritic train(int seed, List<Episode> episodes) {
        CartPole.Config cfg = CartPole.Config.v1();
        Rng rng = Rng.seed(seed);
        ActorCritic p = init(seed);
        Adam.State<ActorCritic> opt = Adam.init(p);
        Ppo.Hyper h = Ppo.Hyper.cleanRl();
        int batch = ENVS * STEPS, updates = totalSteps / batch;
        List<Transition<CartPole.State>> env = new ArrayList<>();
        int[] resets = new int[ENVS];
        double[] epReturn = new double[ENVS];
        for (int e = 0; e < ENVS; e++) env.add(CartPole.reset(cfg, ((long) seed << 32) + e * 100_000L));
        long global = 0;
        for (int u = 0; u < updates; u++) {
            double lrNow = lr * (1 - (double) u / updates);
            double[] obsBuf = new double[batch * 4], rew = new double[batch], vals = new double[batch], nextVals = new double[batch],
                    term = new double[batch], ended = new double[batch], logps = new double[batch];
            int[] acts = new int[batch];
            boolean[] truncatedAt = new boolean[batch];
            double[][] finalObs = new double[batch][];
            for (int t = 0; t < STEPS; t++) {
                List<double[]> obs = new ArrayList<>();
                for (var tr : env) obs.add(tr.observation());
                Tensor x = rows(obs);
                Tensor logits = p.actor().forward(x, true);
                int[] a = Distributions.categoricalSample(logits, rng.split(u).split(t));
                double[] lp = Distributions.categoricalLogProb(logits, a).toArray();
                double[] v = value(p, x).toArray();
                for (int e = 0; e < ENVS; e++) {
                    int i = t * ENVS + e;
                    System.arraycopy(obs.get(e), 0, obsBuf, i * 4, 4);
                    acts[i] = a[e];
                    logps[i] = lp[e];
                    vals[i] = v[e];
                    var tr = CartPole.step(cfg, env.get(e).state(), a[e]);
                    global++;
                    rew[i] = tr.reward();
                    epReturn[e] += tr.reward();
                    term[i] = tr.terminated() ? 1 : 0;
                    ended[i] = tr.done() ? 1 : 0;
                    if (tr.done()) {
                        episodes.add(new Episode(seed, global, epReturn[e]));
                        epReturn[e] = 0;
                        if (tr.truncated() && !tr.terminated()) {
                            truncatedAt[i] = true;
                            finalObs[i] = tr.observation();
                        }
                        resets[e]++;
                        env.set(e, CartPole.reset(cfg, ((long) seed << 32) + e * 100_000L + resets[e]));
                    } else {
                        env.set(e, tr);
                    }
                }
            }
            // V(s′): the next row's value inside an episode, the final observation's value at a truncation, V of the current obs at the end
            List<double[]> last = new ArrayList<>();
            for (var tr : env) last.add(tr.observation());
            double[] vLast = value(p, rows(last)).toArray();
            for (int i = 0; i < batch; i++) {
                int t = i / ENVS, e = i % ENVS;
                if (truncatedAt[i]) nextVals[i] = value(p, rows(List.of(finalObs[i]))).item();
                else if (ended[i] == 1) nextVals[i] = 0;
                else nextVals[i] = t + 1 < STEPS ? vals[i + ENVS] : vLast[e];
            }
            var gae = Gae.estimate(Tensor.of(DType.F64, rew, STEPS, ENVS), Tensor.of(DType.F64, vals, STEPS, ENVS),
                    Tensor.of(DType.F64, nextVals, STEPS, ENVS), Tensor.of(DType.F64, term, STEPS, ENVS), Tensor.of(DType.F64, ended, STEPS, ENVS),
                    GAMMA, LAMBDA);
            Ppo.Batch b = new Ppo.Batch(Tensor.of(DType.F64, logps, batch), Tensor.of(DType.F64, vals, batch),
                    gae.advantages().reshape(batch), gae.returns().reshape(batch));
            int[][] perms = new int[h.epochs()][];
            for (int k = 0; k < h.epochs(); k++) perms[k] = rng.split("perm").split(u).split(k).permutation(batch);
            Tensor obsAll = Tensor.of(DType.F64, obsBuf, batch, 4);
            Ppo.Update<ActorCritic> up = Ppo.update(h, new Adam.Hyper(lrNow, 0.9, 0.999, 1e-5, 0, false), p, opt, b, perms, (q, idx) -> {
                Tensor xs = Indexing.indexSelect(obsAll, 0, idx);
                int[] ai = new int[idx.length];
                for (int k = 0; k < idx.length; k++) ai[k] = acts[idx[k]];
                Tensor logits = q.actor().forward(xs, true);
                return new Ppo.Evaluation(Distributions.categoricalLogProb(logits, ai), Distributions.categoricalEntropy(logits), value(q, xs));
            });
            p = up.params();
            opt = up.optimizer();
            if ((u + 1) % 50 == 0 || u == updates - 1) {
                double recent = 0;
                int n = Math.min(20, episodes.size());
                for (int k = episodes.size() - n; k < episodes.size(); k++) recent += episodes.get(k).ret() / Math.max(1, n);
                System.out.printf(Locale.ROOT, "seed %d update %d/%d step %d: return(last %d) %.1f, pg %.4f, v %.4f, entropy %.3f, approx_kl %.5f%n",
                        seed, u + 1, updates, global, n, recent, up.last().pgLoss().item(), up.last().vLoss().item(),
                        up.last().entropyLoss().item(), up.last().approxKl().item());
            }
        }
        return p;
    }

    static double evaluateGreedy(ActorCritic p, int episodes, long seed) {
        CartPole.Config cfg = CartPole.Config.v1();
        double total = 0;
        for (int k = 0; k < episodes; k++) {
            var tr = CartPole.reset(cfg, seed + k);
            while (!tr.done()) {
                double[] logits = p.actor().forward(Tensor.of(DType.F64, tr.observation(), 1, 4), true).toArray();
                tr = CartPole.step(cfg, tr.state(), logits[1] > logits[0] ? 1 : 0);
                total += tr.reward();
            }
        }
        return total / episodes;
    }

}
