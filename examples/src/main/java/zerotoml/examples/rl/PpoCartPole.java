package zerotoml.examples.rl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import zerotoml.examples.kit.Charts;
import zerotoml.examples.kit.Loop;
import zerotoml.examples.kit.Training;
import zerotoml.scratch.nn.Activation;
import zerotoml.scratch.nn.Mlp;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.random.Distributions;
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.rl.CartPole;
import zerotoml.scratch.rl.Gae;
import zerotoml.scratch.rl.Ppo;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Indexing;
import zerotoml.scratch.tensor.Tensor;

/**
 * PPO on CartPole-v1 as the kit's {@link Training}: step u is one update, a rollout of 4 envs × 128
 * steps then CleanRL's epochs of minibatches. Actions, permutations and resets come from (seed, u),
 * and everything that outlives an update (Adam, the envs mid-episode, the latest returns) is in the
 * checkpointed state, so a resumed run is bit-identical.
 */
final class PpoCartPole implements Training<PpoCartPole.ActorCritic, PpoCartPole.Run, PpoCartPole.Eval> {
    static final int ENVS = 4, STEPS = 128, BATCH = ENVS * STEPS, HIDDEN = 64;
    static final double GAMMA = 0.99, LAMBDA = 0.95;
    static final CartPole.Config CFG = CartPole.Config.v1();

    /** The actor (logits over 2 actions) and the critic (one value), tanh MLPs 64×64. */
    record ActorCritic(Mlp.Params actor, Mlp.Params critic) {}

    /** One env mid-episode: its state, its resets so far, the return of its episode so far. */
    record Env(CartPole.State state, int resets, double ret) {}

    /** What outlives an update: Adam, the envs, env steps so far, the last 20 returns, and the last minibatch's terms. */
    record Run(Adam.State<ActorCritic> adam, List<Env> envs, long global, Rl.Recent recent, double pg, double v, double entropy, double kl) {}

    /** A history row. */
    record Eval(int update, long envSteps, int episodes, double return20, double greedy10, double pgLoss, double vLoss, double entropy, double approxKl,
                double seconds) {}

    private final long seed;
    private final int updates;
    private final double lr;

    PpoCartPole(long seed, int updates, double lr) {
        this.seed = seed;
        this.updates = updates;
        this.lr = lr;
    }

    public String config() {
        return String.format(Locale.ROOT, "ppo-cartpole seed=%d updates=%d lr=%s envs=%d steps=%d hidden=%d", seed, updates, lr, ENVS, STEPS, HIDDEN);
    }

    public ActorCritic init() {
        Rng r = Rng.seed(seed).split("init");
        return new ActorCritic(Rl.mlp(r.split("actor"), CartPole.OBSERVATION_SIZE, HIDDEN, CartPole.ACTIONS, 0.01),
                Rl.mlp(r.split("critic"), CartPole.OBSERVATION_SIZE, HIDDEN, 1, 1.0));
    }

    public Run optimizer(ActorCritic p) {
        List<Env> envs = new ArrayList<>();
        for (int e = 0; e < ENVS; e++) envs.add(new Env(CartPole.reset(CFG, resetSeed(e, 0)).state(), 0, 0));
        return new Run(Adam.init(p), List.copyOf(envs), 0, Rl.Recent.of(20), Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    long resetSeed(int env, int resets) {
        return (seed << 32) + env * 100_000L + resets;
    }

    static Tensor rows(List<double[]> obs) {
        int d = obs.get(0).length;
        double[] x = new double[obs.size() * d];
        for (int i = 0; i < obs.size(); i++) System.arraycopy(obs.get(i), 0, x, i * d, d);
        return Tensor.of(DType.F64, x, obs.size(), d);
    }

    static Tensor logits(ActorCritic p, Tensor x) {
        return Mlp.mlp(x, p.actor(), Activation.TANH);
    }

    static Tensor value(ActorCritic p, Tensor x) {
        return Mlp.mlp(x, p.critic(), Activation.TANH).reshape(x.shape().dim(0));
    }

    public Loop.Stepped<ActorCritic, Run> step(ActorCritic p, Run run, int u) {
        Rng rng = Rng.seed(seed);
        List<Env> env = new ArrayList<>(run.envs());
        Rl.Recent recent = run.recent();
        long global = run.global();
        double[] obsBuf = new double[BATCH * 4], rew = new double[BATCH], vals = new double[BATCH], nextVals = new double[BATCH], term = new double[BATCH],
                ended = new double[BATCH], logps = new double[BATCH];
        int[] acts = new int[BATCH];
        double[][] finalObs = new double[BATCH][];
        for (int t = 0; t < STEPS; t++) {
            List<double[]> obs = new ArrayList<>();
            for (Env e : env) obs.add(e.state().observation());
            Tensor x = rows(obs), logits = logits(p, x);
            int[] a = Distributions.categoricalSample(logits, rng.split(u).split(t));
            double[] lp = Distributions.categoricalLogProb(logits, a).toArray(), v = value(p, x).toArray();
            for (int e = 0; e < ENVS; e++) {
                int i = t * ENVS + e;
                System.arraycopy(obs.get(e), 0, obsBuf, i * 4, 4);
                acts[i] = a[e];
                logps[i] = lp[e];
                vals[i] = v[e];
                var tr = CartPole.step(CFG, env.get(e).state(), a[e]);
                global++;
                rew[i] = tr.reward();
                double ret = env.get(e).ret() + tr.reward();
                term[i] = tr.terminated() ? 1 : 0;
                ended[i] = tr.done() ? 1 : 0;
                if (tr.done()) {
                    recent = recent.add(ret);
                    if (tr.truncated() && !tr.terminated()) finalObs[i] = tr.observation();
                    int resets = env.get(e).resets() + 1;
                    env.set(e, new Env(CartPole.reset(CFG, resetSeed(e, resets)).state(), resets, 0));
                } else {
                    env.set(e, new Env(tr.state(), env.get(e).resets(), ret));
                }
            }
        }
        // V(s′): the next row's value inside an episode, the final observation's value at a truncation, V of the current obs at the end
        List<double[]> last = new ArrayList<>();
        for (Env e : env) last.add(e.state().observation());
        double[] vLast = value(p, rows(last)).toArray();
        for (int i = 0; i < BATCH; i++) {
            int t = i / ENVS, e = i % ENVS;
            if (finalObs[i] != null) nextVals[i] = value(p, rows(List.of(finalObs[i]))).item();
            else if (ended[i] == 1) nextVals[i] = 0;
            else nextVals[i] = t + 1 < STEPS ? vals[i + ENVS] : vLast[e];
        }
        var gae = Gae.estimate(Tensor.of(DType.F64, rew, STEPS, ENVS), Tensor.of(DType.F64, vals, STEPS, ENVS), Tensor.of(DType.F64, nextVals, STEPS, ENVS),
                Tensor.of(DType.F64, term, STEPS, ENVS), Tensor.of(DType.F64, ended, STEPS, ENVS), GAMMA, LAMBDA);
        Ppo.Batch b = new Ppo.Batch(Tensor.of(DType.F64, logps, BATCH), Tensor.of(DType.F64, vals, BATCH), gae.advantages().reshape(BATCH),
                gae.returns().reshape(BATCH));
        Ppo.Hyper h = Ppo.Hyper.cleanRl();
        int[][] perms = new int[h.epochs()][];
        for (int k = 0; k < h.epochs(); k++) perms[k] = rng.split("perm").split(u).split(k).permutation(BATCH);
        Tensor obsAll = Tensor.of(DType.F64, obsBuf, BATCH, 4);
        // lr annealed linearly to 0 over the updates
        double lrNow = lr * (1 - (double) u / updates);
        Ppo.Update<ActorCritic> up = Ppo.update(h, new Adam.Hyper(lrNow, 0.9, 0.999, 1e-5, 0, false), p, run.adam(), b, perms, (q, idx) -> {
            Tensor xs = Indexing.indexSelect(obsAll, 0, idx);
            int[] ai = new int[idx.length];
            for (int k = 0; k < idx.length; k++) ai[k] = acts[idx[k]];
            Tensor l = logits(q, xs);
            return new Ppo.Evaluation(Distributions.categoricalLogProb(l, ai), Distributions.categoricalEntropy(l), value(q, xs));
        });
        Ppo.Losses l = up.last();
        Run next = new Run(up.optimizer(), List.copyOf(env), global, recent, l.pgLoss().item(), l.vLoss().item(), l.entropyLoss().item(), l.approxKl().item());
        return Loop.Stepped.of(up.params(), next, l.loss().item());
    }

    /** The mean return of {@code episodes} greedy episodes (argmax of the logits), resets seeded from {@code seed}. */
    static double greedy(ActorCritic p, int episodes, long seed) {
        double total = 0;
        for (int k = 0; k < episodes; k++) {
            var tr = CartPole.reset(CFG, seed + k);
            while (!tr.done()) {
                double[] l = logits(p, Tensor.of(DType.F64, tr.observation(), 1, 4)).toArray();
                tr = CartPole.step(CFG, tr.state(), l[1] > l[0] ? 1 : 0);
                total += tr.reward();
            }
        }
        return total / episodes;
    }

    public Eval evaluate(Loop.State<ActorCritic, Run, Eval> s, Loop.At at) {
        Run r = s.opt();
        return new Eval(at.step(), r.global(), r.recent().count(), r.recent().mean(), greedy(s.params(), 10, 10_000L * seed), r.pg(), r.v(), r.entropy(),
                r.kl(), at.seconds());
    }

    public Class<Eval> rowType() {
        return Eval.class;
    }

    public String report(Eval e) {
        return String.format(Locale.ROOT, "update %d/%d, %d env steps: return (last 20 episodes) %.1f, greedy (10 episodes) %.1f; pg %.4f, v %.4f,"
                + " entropy %.3f, approx_kl %.5f", e.update(), updates, e.envSteps(), e.return20(), e.greedy10(), e.pgLoss(), e.vLoss(), e.entropy(), e.approxKl());
    }

    public Charts.Figure<Eval> curves() {
        return Charts.Figure.of("environment steps", e -> e.envSteps(),
                Charts.Panel.<Eval>of("PPO on CartPole-v1", "episodic return").line("last 20 training episodes", Eval::return20, false)
                        .line("greedy, 10 episodes", Eval::greedy10, true).line("target 475", e -> 475, false),
                Charts.Panel.<Eval>of("Last minibatch", "approx KL (k3)").line("approx_kl", Eval::approxKl, false));
    }
}
