package zerotoml.examples.diffusion;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import zerotoml.examples.diffusion.Toy2d.Data;
import zerotoml.examples.kit.Charts;
import zerotoml.examples.kit.Loop;
import zerotoml.examples.kit.Training;
import zerotoml.scratch.diffusion.Ddim;
import zerotoml.scratch.diffusion.Ddpm;
import zerotoml.scratch.diffusion.Denoiser;
import zerotoml.scratch.diffusion.FlowMatching;
import zerotoml.scratch.diffusion.RectifiedFlow;
import zerotoml.scratch.diffusion.ScoreSde;
import zerotoml.scratch.diffusion.TimeMlp;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.optim.Step;
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * Training and sampling for the 2-D demos: one time-conditioned MLP per method, trained with the
 * method's own objective (ε for DDPM/DDIM, ε of the VP SDE for the score, the conditional velocity
 * for FM and RF), then sampled with the method's samplers. Everything is float64 and seeded.
 */
public final class Diffusion2d {
    private Diffusion2d() {}

    public enum Method { DDPM, DDIM, SDE, FM, RF }

    /** Training settings. */
    public record Settings(int steps, int batch, double lr, int hidden, int depth, long seed) {}

    static final int T = 1000;
    static final Ddpm.Schedule SCHEDULE = Ddpm.linear(DType.F64, T, 1e-4, 0.02);
    static final ScoreSde.Sde VP = ScoreSde.vp(0.1, 20, 1000);
    static final double SIGMA_MIN = 1e-4;

    /** The network config: DDPM's integer timesteps enter as they are, continuous t ∈ [0, 1] as 1000·t. */
    static TimeMlp.Config config(Method m, Settings s) {
        return new TimeMlp.Config(2, 32, s.hidden(), s.depth(), m == Method.DDPM || m == Method.DDIM ? 1 : 1000);
    }

    /** A trained network. */
    public record Model(TimeMlp.Config config, TimeMlp.Params params) {
        Denoiser denoiser() {
            return TimeMlp.denoiser(config, params);
        }
    }

    /** A time-conditioned network as the objectives call it: the output for x [B, ...] at per-row times t [B]. */
    @FunctionalInterface
    interface Net {
        Tensor apply(Tensor x, Tensor t);
    }

    /** One step's loss for a batch of data x1 [B, 2] (for RF reflow, pairs supplies the noise side). */
    static Tensor loss(Method m, TimeMlp.Config c, TimeMlp.Params p, Tensor x1, Tensor pairedNoise, Rng rng) {
        return loss(m, (x, t) -> TimeMlp.apply(c, p, x, t), x1, pairedNoise, rng);
    }

    /**
     * One step's loss of method m for a batch of data x1 [B, ...] of any rank and dtype (the 2-D
     * points here, images in {@link DiffusionMnist}); noise and times are drawn from rng.
     */
    static Tensor loss(Method m, Net net, Tensor x1, Tensor pairedNoise, Rng rng) {
        int b = x1.shape().dim(0);
        DType dt = x1.dtype();
        Tensor noise = pairedNoise != null ? pairedNoise : rng.split("noise").normal(dt, x1.shape().dims());
        switch (m) {
            case DDPM, DDIM -> {
                // t ~ U{0..T−1}; x_t = √ᾱ x0 + √(1−ᾱ) ε; L = ‖ε − ε_θ(x_t, t)‖²
                int[] t = rng.split("t").integers(0, T, b);
                Tensor xt = Ddpm.qSample(SCHEDULE, x1, t, noise);
                return Ddpm.lossSimple(net.apply(xt, ints(t, dt)), noise);
            }
            case SDE -> {
                // t ~ U[1e-5, 1]; x_t = m(t)x0 + σ(t)z; s = −ε_θ/σ; L = mean ‖s·σ + z‖²
                double[] t = rng.split("t").uniform(dt, 1e-5, 1, b).toArray();
                Tensor xt = ScoreSde.perturb(VP, x1, t, noise);
                Tensor eps = net.apply(xt, Tensor.of(dt, t, b));
                double[] inv = new double[b];
                for (int i = 0; i < b; i++) inv[i] = -1 / ScoreSde.std(VP, t[i]);
                int[] rows = new int[x1.rank()];
                java.util.Arrays.fill(rows, 1);
                rows[0] = b;
                Tensor score = eps.mul(Tensor.of(dt, inv, rows));
                return ScoreSde.dsmLoss(VP, score, noise, t, true, false);
            }
            case FM -> {
                // t ~ U[0, 1]; ψ_t = (1 − (1−σ_min)t)x0 + t x1; L = ‖v_θ(ψ_t, t) − (x1 − (1−σ_min)x0)‖²
                double[] t = rng.split("t").uniform(dt, 0, 1, b).toArray();
                Tensor xt = FlowMatching.path(noise, x1, t, SIGMA_MIN);
                return FlowMatching.loss(net.apply(xt, Tensor.of(dt, t, b)), noise, x1, SIGMA_MIN);
            }
            default -> {
                // t ~ U[1e-3, 1]; X_t = t X1 + (1−t) X0; L = ‖v_θ(X_t, t) − (X1 − X0)‖²
                double[] t = rng.split("t").uniform(dt, 1e-3, 1, b).toArray();
                Tensor xt = RectifiedFlow.interpolate(noise, x1, t);
                return RectifiedFlow.loss(net.apply(xt, Tensor.of(dt, t, b)), noise, x1);
            }
        }
    }

    static Tensor ints(int[] t, DType dt) {
        double[] v = new double[t.length];
        for (int i = 0; i < t.length; i++) v[i] = t[i];
        return Tensor.of(dt, v, t.length);
    }

    /** A batch for step t: {data side, paired noise side or null}, a pure function of (seed, t). */
    interface Batches {
        Tensor[] at(int step);
    }

    /** Fresh data batches for step t from (seed, t). */
    static Batches fresh(Data d, Settings s) {
        return step -> new Tensor[] {Toy2d.sample(d, Rng.seed(s.seed()).split("data").split(step), s.batch()), null};
    }

    /** Reflow batches: minibatches of the fixed couplings (Z0, Z1), drawn by index from (seed, t). */
    static Batches couplings(Tensor z0, Tensor z1, long seed, int batch) {
        int n = z0.shape().dim(0);
        return step -> {
            int[] idx = Rng.seed(seed).split("reflow").split(step).integers(0, n, batch);
            return new Tensor[] {zerotoml.scratch.tensor.Indexing.indexSelect(z1, 0, idx), zerotoml.scratch.tensor.Indexing.indexSelect(z0, 0, idx)};
        };
    }

    /** One history row: the mean training loss since the last evaluation. */
    public record Eval(int step, double loss, double seconds) {}

    /**
     * The method's training for the examples kit's {@link Loop}: Adam on the method's loss, step t's
     * batch and noise drawn from (seed, t), so a resumed run is bit-identical. {@code start} is the
     * initial params (null: a fresh init from the seed; for reflow: the 1-RF's weights).
     */
    record Trainer(Method method, TimeMlp.Config net, Settings settings, Batches batches, TimeMlp.Params start, String name)
            implements Training<TimeMlp.Params, Adam.State<TimeMlp.Params>, Eval> {
        @Override
        public String config() {
            return String.format(java.util.Locale.ROOT, "%s %s method=%s hidden=%d depth=%d batch=%d lr=%s seed=%d", name, net, method, settings.hidden(),
                    settings.depth(), settings.batch(), settings.lr(), settings.seed());
        }

        @Override
        public TimeMlp.Params init() {
            return start != null ? start : TimeMlp.init(net, Rng.seed(settings.seed()).split("init"), DType.F64);
        }

        @Override
        public Adam.State<TimeMlp.Params> optimizer(TimeMlp.Params params) {
            return Adam.init(params);
        }

        @Override
        public Loop.Stepped<TimeMlp.Params, Adam.State<TimeMlp.Params>> step(TimeMlp.Params p, Adam.State<TimeMlp.Params> opt, int t) {
            Tensor[] batch = batches.at(t);
            Rng r = Rng.seed(settings.seed()).split("train").split(t);
            Autodiff.ValueAndGrad<TimeMlp.Params> vg = Autodiff.valueAndGrad(q -> loss(method, net, q, batch[0], batch[1], r), p);
            Step<TimeMlp.Params, Adam.State<TimeMlp.Params>> st = Adam.step(Adam.Hyper.defaults(settings.lr()), p, vg.grad(), opt);
            return Loop.Stepped.of(st.params(), st.state(), vg.value().item());
        }

        @Override
        public Eval evaluate(Loop.State<TimeMlp.Params, Adam.State<TimeMlp.Params>, Eval> s, Loop.At at) {
            return new Eval(at.step(), at.running().meanLoss(), at.seconds());
        }

        @Override
        public Class<Eval> rowType() {
            return Eval.class;
        }

        @Override
        public String report(Eval e) {
            return String.format(java.util.Locale.ROOT, "%s step %d: loss %.4f (%.1f s)", name, e.step(), e.loss(), e.seconds());
        }

        @Override
        public Charts.Figure<Eval> curves() {
            return Charts.Figure.of("step", Eval::step, Charts.Panel.<Eval>of(name + " training loss", "loss").line("mean since last evaluation", Eval::loss, true));
        }
    }

    /**
     * Trains with the kit's {@link Loop} (progress, history.csv, curves.png and checkpoints in
     * plan.out(), --resume) and returns the trained model.
     */
    static Model train(Trainer t, Loop.Plan plan, java.io.PrintWriter o) throws java.io.IOException {
        Loop<TimeMlp.Params, Adam.State<TimeMlp.Params>, Eval> loop = new Loop<>(t.name(), t, plan, o);
        return new Model(t.net(), loop.run(loop.start()).params());
    }

    /**
     * The reflow's training (Liu et al., arXiv 2209.03003): couplings (Z0, Z1) with Z0 ~ N(0, I) drawn from (seed,
     * "pairs") and Z1 = 100 Euler steps of the 1-RF from Z0, then {@code steps} Adam steps on them
     * from the 1-RF's weights, with seed + 1 for the minibatches and times.
     */
    static Trainer reflow(Model oneRf, Settings first, int steps, int pairs, String name) {
        Tensor z0 = Rng.seed(first.seed()).split("pairs").normal(DType.F64, pairs, 2);
        Tensor[] zz = RectifiedFlow.reflowPairs(oneRf.denoiser(), z0, 100, 1e-3);
        Settings rs = new Settings(steps, first.batch(), first.lr(), first.hidden(), first.depth(), first.seed() + 1);
        return new Trainer(Method.RF, oneRf.config(), rs, couplings(zz[0], zz[1], rs.seed(), rs.batch()), oneRf.params(), name);
    }

    /** Named sample sets of n points from a trained model, each with its own sampler. */
    public static Map<String, Tensor> sample(Method m, Model model, int n, long seed) {
        Rng rng = Rng.seed(seed).split("sample");
        Tensor start = rng.split("start").normal(DType.F64, n, 2);
        Denoiser f = model.denoiser();
        Map<String, Tensor> out = new LinkedHashMap<>();
        switch (m) {
            case DDPM -> {
                out.put("DDPM, 1000 ancestral steps", Ddpm.sample(SCHEDULE, f, start, Ddpm.allTimesteps(T), Ddpm.Options.epsilon(), noise(rng, T, n)));
                // the same ε-network, sampled the DDIM way (DDIM needs no retraining)
                out.put("DDIM eta=0, 50 steps", Ddim.sample(SCHEDULE, f, start, Ddim.leading(T, 50, 0), 0, false, null));
            }
            case DDIM -> {
                out.put("DDIM eta=0, 50 steps", Ddim.sample(SCHEDULE, f, start, Ddim.leading(T, 50, 0), 0, false, null));
                out.put("DDIM eta=0, 10 steps", Ddim.sample(SCHEDULE, f, start, Ddim.leading(T, 10, 0), 0, false, null));
                out.put("DDIM eta=1, 50 steps", Ddim.sample(SCHEDULE, f, start, Ddim.leading(T, 50, 0), 1, false, noise(rng.split("eta"), 50, n)));
            }
            case SDE -> {
                Denoiser score = (x, t) -> ScoreSde.scoreFromEps(VP, f.apply(x, t), t);
                out.put("Euler-Maruyama, 1000 steps", ScoreSde.eulerMaruyama(VP, score, start, 1e-3, noise(rng, VP.n(), n)));
                ScoreSde.Sde pc = ScoreSde.vp(0.1, 20, 500);
                out.put("PC (reverse diffusion + Langevin), 500", ScoreSde.pcSample(pc, score, start, ScoreSde.Predictor.REVERSE_DIFFUSION, 1, 0.16, 1e-3,
                        noise(rng.split("pc"), 2 * pc.n(), n)));
                out.put("PF-ODE Heun, 100 steps", ScoreSde.probabilityFlow(VP, score, start, 1, 1e-3, 100, ScoreSde.Ode.HEUN));
            }
            case FM -> {
                out.put("FM Euler, 100 steps", FlowMatching.sample(f, start, 100, FlowMatching.Method.EULER));
                out.put("FM Heun, 20 steps", FlowMatching.sample(f, start, 20, FlowMatching.Method.HEUN));
            }
            case RF -> {
                out.put("1-RF Euler, 100 steps", RectifiedFlow.sample(f, start, 100, 1e-3));
                out.put("1-RF Euler, 1 step", RectifiedFlow.sample(f, start, 1, 1e-3));
            }
        }
        return out;
    }

    static List<Tensor> noise(Rng rng, int steps, int n) {
        List<Tensor> z = new ArrayList<>(steps);
        for (int i = 0; i < steps; i++) z.add(rng.split("z").split(i).normal(DType.F64, n, 2));
        return z;
    }
}
