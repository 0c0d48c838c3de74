package zerotoml.examples.rl;

import java.util.List;
import java.util.Locale;
import zerotoml.examples.kit.Charts;
import zerotoml.examples.kit.Loop;
import zerotoml.examples.kit.Training;
import zerotoml.scratch.nn.Activation;
import zerotoml.scratch.nn.Mlp;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.rl.Pendulum;
import zerotoml.scratch.rl.Sac;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Shapes;
import zerotoml.scratch.tensor.Tensor;

/**
 * SAC on Pendulum-v1 as the kit's {@link Training}: step t is one environment step (a uniformly
 * random torque before {@code learningStarts}, then a sample of the policy) followed, from then on,
 * by one {@link Sac#update} on a replay minibatch. Every draw comes from (seed, t), and the replay
 * buffer, the env mid-episode and the latest returns are in the checkpointed state, so a resumed
 * run is bit-identical.
 */
final class SacPendulum implements Training<Sac.State<Mlp.Params, Mlp.Params>, SacPendulum.Replay, SacPendulum.Eval> {
    static final Tensor SCALE = Tensor.of(DType.F64, new double[] {2}, 1), BIAS = Tensor.of(DType.F64, new double[] {0}, 1);
    static final Pendulum.Config CFG = Pendulum.Config.v1();
    static final Sac.Hyper H = Sac.Hyper.cleanRl(1);
    static final Sac.Optimizers OPT = new Sac.Optimizers(Adam.Hyper.defaults(1e-3), Adam.Hyper.defaults(3e-4), Adam.Hyper.defaults(1e-3));

    /** Everything SAC keeps besides its nets: the buffer (rows 0..t−1 filled), the env, the episodes, the last update's numbers. */
    record Replay(Tensor obs, Tensor actions, Tensor rewards, Tensor nextObs, Pendulum.State env, int episode, double ret, Rl.Recent recent,
                  double actorLoss, double alpha) {}

    /** A history row: the training mean qf_loss since the last row, NaN before learning starts. */
    record Eval(int step, int episodes, double return5, double deterministic10, double qfLoss, double actorLoss, double alpha, double seconds) {}

    private final long seed;
    private final int steps, learningStarts, hidden, batch;

    SacPendulum(long seed, int steps, int learningStarts, int hidden, int batch) {
        this.seed = seed;
        this.steps = steps;
        this.learningStarts = learningStarts;
        this.hidden = hidden;
        this.batch = batch;
    }

    public String config() {
        return String.format(Locale.ROOT, "sac-pendulum seed=%d steps=%d learningStarts=%d hidden=%d batch=%d", seed, steps, learningStarts, hidden, batch);
    }

    public Sac.State<Mlp.Params, Mlp.Params> init() {
        Rng init = Rng.seed(seed).split("init");
        return Sac.State.init(Rl.mlp(init.split("actor"), 3, hidden, 2, 1), Rl.mlp(init.split("q1"), 4, hidden, 1, 1), Rl.mlp(init.split("q2"), 4, hidden, 1, 1));
    }

    public Replay optimizer(Sac.State<Mlp.Params, Mlp.Params> s) {
        return new Replay(Tensor.zeros(DType.F64, steps, 3), Tensor.zeros(DType.F64, steps), Tensor.zeros(DType.F64, steps), Tensor.zeros(DType.F64, steps, 3),
                Pendulum.reset(CFG, seed << 32).state(), 0, 0, Rl.Recent.of(5), Double.NaN, 1);
    }

    /** Column 0 (the mean) or 1 (the raw log-std) of the actor's output. */
    static Tensor actorOut(Mlp.Params actor, Tensor obs, boolean mean) {
        return Shapes.slice(Mlp.mlp(obs, actor, Activation.RELU), 1, mean ? 0 : 1, mean ? 1 : 2);
    }

    static final Sac.Actor<Mlp.Params> ACTOR = (p, o) -> new Sac.Gaussian(actorOut(p, o, true), actorOut(p, o, false));
    static final Sac.Critic<Mlp.Params> CRITIC = (p, o, a) -> Mlp.mlp(Shapes.concat(List.of(o, a), 1), p, Activation.RELU).reshape(o.shape().dim(0));

    public Loop.Stepped<Sac.State<Mlp.Params, Mlp.Params>, Replay> step(Sac.State<Mlp.Params, Mlp.Params> s, Replay r, int t) {
        Rng step = Rng.seed(seed).split(t);
        double[] ob = r.obs().toArray(), ac = r.actions().toArray(), rw = r.rewards().toArray(), nb = r.nextObs().toArray();
        double[] o = r.env().observation();
        double a;
        if (t < learningStarts) a = step.split("explore").uniform(DType.F64, -2, 2, 1).item();
        else {
            Tensor x = Tensor.of(DType.F64, o, 1, 3);
            Tensor logStd = Sac.boundLogStd(actorOut(s.actor(), x, false), H.logStdMin(), H.logStdMax());
            a = Sac.squashedSample(actorOut(s.actor(), x, true), logStd, step.split("act").normal(DType.F64, 1, 1), SCALE, BIAS).action().item();
        }
        var nx = Pendulum.step(CFG, r.env(), new double[] {a});
        System.arraycopy(o, 0, ob, t * 3, 3);
        ac[t] = a;
        rw[t] = nx.reward();
        System.arraycopy(nx.observation(), 0, nb, t * 3, 3); // Pendulum never terminates: a truncated step still bootstraps
        double ret = r.ret() + nx.reward();
        Rl.Recent recent = r.recent();
        int episode = r.episode();
        Pendulum.State env = nx.state();
        if (nx.done()) {
            recent = recent.add(ret);
            ret = 0;
            env = Pendulum.reset(CFG, (seed << 32) + ++episode).state();
        }
        Replay next = new Replay(Tensor.of(DType.F64, ob, steps, 3), Tensor.of(DType.F64, ac, steps), Tensor.of(DType.F64, rw, steps),
                Tensor.of(DType.F64, nb, steps, 3), env, episode, ret, recent, r.actorLoss(), r.alpha());
        if (t < learningStarts) return new Loop.Stepped<>(s, next, 0, 0, 0); // no update: weight 0 keeps it out of the mean loss
        int[] idx = step.split("batch").integers(0, t + 1, batch);
        double[] bo = new double[batch * 3], ba = new double[batch], br = new double[batch], bn = new double[batch * 3];
        for (int k = 0; k < batch; k++) {
            System.arraycopy(ob, idx[k] * 3, bo, k * 3, 3);
            System.arraycopy(nb, idx[k] * 3, bn, k * 3, 3);
            ba[k] = ac[idx[k]];
            br[k] = rw[idx[k]];
        }
        Sac.Batch b = new Sac.Batch(Tensor.of(DType.F64, bo, batch, 3), Tensor.of(DType.F64, ba, batch, 1), Tensor.of(DType.F64, br, batch),
                Tensor.of(DType.F64, bn, batch, 3), Tensor.zeros(DType.F64, batch));
        Sac.Noise noise = new Sac.Noise(step.split("n1").normal(DType.F64, batch, 1), step.split("n2").normal(DType.F64, batch, 1),
                step.split("n3").normal(DType.F64, batch, 1));
        var up = Sac.update(H, OPT, s, b, noise, SCALE, BIAS, ACTOR, CRITIC, true, true);
        Replay after = new Replay(next.obs(), next.actions(), next.rewards(), next.nextObs(), env, episode, ret, recent, up.losses().actorLoss(),
                up.losses().alpha());
        return Loop.Stepped.of(up.state(), after, up.losses().qfLoss());
    }

    /** The mean return of {@code episodes} deterministic episodes (action 2·tanh μ), resets seeded from {@code seed}. */
    static double deterministic(Mlp.Params actor, int episodes, long seed) {
        double total = 0;
        for (int k = 0; k < episodes; k++) {
            var tr = Pendulum.reset(CFG, seed + k);
            while (!tr.done()) {
                double mean = actorOut(actor, Tensor.of(DType.F64, tr.observation(), 1, 3), true).item();
                tr = Pendulum.step(CFG, tr.state(), new double[] {2 * Math.tanh(mean)});
                total += tr.reward();
            }
        }
        return total / episodes;
    }

    public Eval evaluate(Loop.State<Sac.State<Mlp.Params, Mlp.Params>, Replay, Eval> s, Loop.At at) {
        Replay r = s.opt();
        return new Eval(at.step(), r.recent().count(), r.recent().mean(), deterministic(s.params().actor(), 10, 50_000L * seed), at.running().meanLoss(),
                r.actorLoss(), r.alpha(), at.seconds());
    }

    public Class<Eval> rowType() {
        return Eval.class;
    }

    public String report(Eval e) {
        return String.format(Locale.ROOT, "step %d/%d: return (last 5 episodes) %.1f, deterministic (10 episodes) %.1f; qf_loss %.3f, actor_loss %.3f,"
                + " alpha %.4f", e.step(), steps, e.return5(), e.deterministic10(), e.qfLoss(), e.actorLoss(), e.alpha());
    }

    public Charts.Figure<Eval> curves() {
        return Charts.Figure.of("environment steps", Eval::step,
                Charts.Panel.<Eval>of("SAC on Pendulum-v1", "episodic return").line("last 5 training episodes", Eval::return5, false)
                        .line("deterministic, 10 episodes", Eval::deterministic10, true).line("target -200", e -> -200, false),
                Charts.Panel.<Eval>of("Temperature", "alpha").line("alpha", Eval::alpha, false));
    }
}
