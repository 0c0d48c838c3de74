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
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.rl.Pendulum;
import zerotoml.scratch.rl.Sac;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Shapes;
import zerotoml.scratch.tensor.Tensor;

/** SAC (arXiv 1812.05905) on Pendulum-v1 with CleanRL's settings (smaller networks), over several seeds. */
@Command(name = "sac-pendulum", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Trains SAC on Pendulum-v1 (CleanRL's settings: batch 256, gamma 0.99, tau 0.005, critic lr 1e-3, actor lr 3e-4,"
                + " automatic temperature, random actions first; ReLU MLPs of --hidden units) for each seed, and writes returns.csv,"
                + " returns.png and a checkpoint per seed into --out.")
public final class SacPendulumCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--steps", description = "Environment steps per seed. Default: ${DEFAULT-VALUE}")
    int totalSteps = 12_000;

    @Option(names = "--learning-starts", description = "Uniformly random actions before learning. Default: ${DEFAULT-VALUE}")
    int learningStarts = 1_000;

    @Option(names = "--hidden", description = "Hidden units per layer. Default: ${DEFAULT-VALUE}")
    int hidden = 64;

    @Option(names = "--batch", description = "Replay minibatch. Default: ${DEFAULT-VALUE}")
    int batch = 256;

    @Option(names = "--seeds", description = "Seeds 1..N. Default: ${DEFAULT-VALUE}")
    int seeds = 3;

    @Option(names = "--out", description = "Output directory. Default: ${DEFAULT-VALUE}")
    Path out = Path.of("runs/sac-pendulum");

    static final Tensor SCALE = Tensor.of(DType.F64, new double[] {2}, 1), BIAS = Tensor.of(DType.F64, new double[] {0}, 1);

    /** Both networks' weights, for the checkpoint. */
    public record Saved(Mlp actor, Mlp q1, Mlp q2, Tensor logAlpha) {}

    @Override
    public Integer call() throws Exception {
        // every numeric option is checked before any work (one line naming the option, exit 2)
        Checks.of(spec).atLeast("--steps", totalSteps, 1).atLeast("--learning-starts", learningStarts, 0).atLeast("--hidden", hidden, 1)
                .atLeast("--batch", batch, 1).atLeast("--seeds", seeds, 1);
        Files.createDirectories(out);
        List<Curves.Line> lines = new ArrayList<>();
        List<String> rows = new ArrayList<>();
        double[] lastMeans = new double[seeds], evals = new double[seeds];
        for (int seed = 1; seed <= seeds; seed++) {
            long t0 = System.nanoTime();
            List<double[]> eps = new ArrayList<>();
            Sac.State<Mlp, Mlp> s = train(seed, eps);
            double[] x = new double[eps.size()], y = new double[eps.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = eps.get(i)[0];
                y[i] = eps.get(i)[1];
                rows.add(seed + "," + (long) x[i] + "," + y[i]);
            }
            lines.add(new Curves.Line("seed " + seed, x, y));
            int n = Math.min(5, y.length);
            double last = 0;
            for (int i = y.length - n; i < y.length; i++) last += y[i] / n;
            lastMeans[seed - 1] = last;
            evals[seed - 1] = evaluate(s.actor(), 10, 50_000L * seed);
            Safetensors.save(out.resolve("checkpoint-seed" + seed + ".safetensors"),
                    new Saved(s.actor(), s.critics().q1(), s.critics().q2(), s.temperature().logAlpha()), Map.of("steps", Integer.toString(totalSteps)));
            System.out.printf(Locale.ROOT, "seed %d: mean return of the last %d training episodes %.1f, deterministic evaluation (10 episodes) %.1f, %.0f s%n",
                    seed, n, last, evals[seed - 1], (System.nanoTime() - t0) / 1e9);
            Curves.csv(out.resolve("returns.csv"), "seed,global_step,episodic_return", rows);
            Curves.png(out.resolve("returns.png"), List.of(new Curves.Panel("SAC on Pendulum-v1", "environment steps", "episodic return", lines, -200)));
        }
        System.out.println("last-5 training return over seeds: " + Curves.meanSd(lastMeans) + "; deterministic evaluation: " + Curves.meanSd(evals));
        return 0;
    }

    static Tensor actorOut(Mlp actor, Tensor obs, boolean mean) {
        Tensor o = actor.forward(obs, false);
        return Shapes.slice(o, 1, mean ? 0 : 1, mean ? 1 : 2);
    }

    Sac.State<Mlp, Mlp> train(int seed, List<double[]> episodes) {
        Pendulum.Config cfg = Pendulum.Config.v1();
        Rng rng = Rng.seed(seed);
        Rng init = rng.split("init");
        Sac.State<Mlp, Mlp> s = Sac.State.init(Mlp.init(init.split("actor"), 3, hidden, 2, 1), Mlp.init(init.split("q1"), 4, hidden, 1, 1),
                Mlp.init(init.split("q2"), 4, hidden, 1, 1));
        Sac.Hyper h = Sac.Hyper.cleanRl(1);
        Sac.Optimizers opt = new Sac.Optimizers(Adam.Hyper.defaults(1e-3), Adam.Hyper.defaults(3e-4), Adam.Hyper.defaults(1e-3));
        Sac.Actor<Mlp> actor = (p, o) -> new Sac.Gaussian(actorOut(p, o, true), actorOut(p, o, false));
        Sac.Critic<Mlp> critic = (p, o, a) -> {
            Tensor x = Shapes.concat(List.of(o, a), 1);
            return p.forward(x, false).reshape(o.shape().dim(0));
        };
        double[] obsBuf = new double[totalSteps * 3], actBuf = new double[totalSteps], rewBuf = new double[totalSteps], nextBuf = new double[totalSteps * 3];
        var tr = Pendulum.reset(cfg, (long) seed << 32);
        int episodeNo = 0;
        double epRet = 0;
        for (int t = 0; t < totalSteps; t++) {
            double a;
            Rng step = rng.split(t);
            if (t < learningStarts) a = step.split("explore").uniform(DType.F64, -2, 2, 1).item();
            else {
                Tensor o = Tensor.of(DType.F64, tr.observation(), 1, 3);
                Tensor logStd = Sac.boundLogStd(actorOut(s.actor(), o, false), h.logStdMin(), h.logStdMax());
                a = Sac.squashedSample(actorOut(s.actor(), o, true), logStd, step.split("act").normal(DType.F64, 1, 1), SCALE, BIAS).action().item();
            }
            var nx = Pendulum.step(cfg, tr.state(), new double[] {a});
            System.arraycopy(tr.observation(), 0, obsBuf, t * 3, 3);
            actBuf[t] = a;
            rewBuf[t] = nx.reward();
            System.arraycopy(nx.observation(), 0, nextBuf, t * 3, 3); // Pendulum never terminates: a truncated step still bootstraps
            epRet += nx.reward();
            if (nx.done()) {
                episodes.add(new double[] {t + 1, epRet});
                epRet = 0;
                tr = Pendulum.reset(cfg, ((long) seed << 32) + ++episodeNo);
            } else tr = nx;
            if (t >= learningStarts) {
                int[] idx = step.split("batch").integers(0, t + 1, batch);
                double[] ob = new double[batch * 3], ac = new double[batch], rw = new double[batch], nb = new double[batch * 3];
                for (int k = 0; k < batch; k++) {
                    System.arraycopy(obsBuf, idx[k] * 3, ob, k * 3, 3);
                    System.arraycopy(nextBuf, idx[k] * 3, nb, k * 3, 3);
                    ac[k] = actBuf[idx[k]];
                    rw[k] = rewBuf[idx[k]];
                }
                Sac.Batch b = new Sac.Batch(Tensor.of(DType.F64, ob, batch, 3), Tensor.of(DType.F64, ac, batch, 1), Tensor.of(DType.F64, rw, batch),
                        Tensor.of(DType.F64, nb, batch, 3), Tensor.zeros(DType.F64, batch));
                Sac.Noise noise = new Sac.Noise(step.split("n1").normal(DType.F64, batch, 1), step.split("n2").normal(DType.F64, batch, 1),
                        step.split("n3").normal(DType.F64, batch, 1));
                var up = Sac.update(h, opt, s, b, noise, SCALE, BIAS, actor, critic, true, true);
                s = up.state();
                if ((t + 1) % 1000 == 0) {
                    double recent = 0;
                    int n = Math.min(5, episodes.size());
                    for (int k = episodes.size() - n; k < episodes.size(); k++) recent += episodes.get(k)[1] / Math.max(1, n);
                    System.out.printf(Locale.ROOT, "seed %d step %d: return(last %d) %.1f, qf_loss %.3f, actor_loss %.3f, alpha %.4f%n",
                            seed, t + 1, n, recent, up.losses().qfLoss(), up.losses().actorLoss(), up.losses().alpha());
                }
            }
        }
        return s;
    }

    static double evaluate(Mlp actor, int episodes, long seed) {
        Pendulum.Config cfg = Pendulum.Config.v1();
        double total = 0;
        for (int k = 0; k < episodes; k++) {
            var tr = Pendulum.reset(cfg, seed + k);
            while (!tr.done()) {
                double mean = actorOut(actor, Tensor.of(DType.F64, tr.observation(), 1, 3), true).item();
                tr = Pendulum.step(cfg, tr.state(), new double[] {2 * Math.tanh(mean)});
                total += tr.reward();
            }
        }
        return total / episodes;
    }
}
