package zerotoml.examples.diffusion;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import zerotoml.examples.diffusion.Diffusion2d.Method;
import zerotoml.examples.fashion.Classifier;
import zerotoml.examples.fashion.Cnn;
import zerotoml.examples.fashion.Dataset;
import zerotoml.examples.fashion.Mlp;
import zerotoml.examples.fashion.Trainer;
import zerotoml.examples.kit.Charts;
import zerotoml.examples.kit.Failure;
import zerotoml.examples.kit.Loop;
import zerotoml.examples.kit.Training;
import zerotoml.scratch.diffusion.Ddim;
import zerotoml.scratch.diffusion.Ddpm;
import zerotoml.scratch.diffusion.Denoiser;
import zerotoml.scratch.diffusion.FlowMatching;
import zerotoml.scratch.diffusion.RectifiedFlow;
import zerotoml.scratch.diffusion.ScoreSde;
import zerotoml.scratch.diffusion.UNet;
import zerotoml.scratch.io.Safetensors;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.optim.Averaging;
import zerotoml.scratch.optim.Step;
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Softmax;
import zerotoml.scratch.tensor.Tensor;

/**
 * Training, sampling and judging for diffusion-mnist: the shared {@link UNet} trained on
 * Fashion-MNIST images (scaled to [−1, 1]) with one method's objective (the same
 * {@link Diffusion2d#loss} as the 2-D demos), sampled with the method's samplers, and judged by the
 * project's own Fashion-MNIST classifier. The network trains in float32 or float64 ({@code --dtype});
 * the sampled weights are an exponential moving average of Adam's iterates ({@link Averaging#ema},
 * {@code --ema}; DDPM samples such an average, decay 0.9999). Everything is seeded.
 */
public final class DiffusionMnist {
    private DiffusionMnist() {}

    /** Training settings: the U-Net's width, GroupNorm groups and time-embedding width, Adam's, the network's dtype and the EMA decay of the sampled weights. */
    public record Settings(Method method, int channels, int groups, int embed, int batch, double lr, long seed, DType dtype, double ema) {}

    /** The optimiser state of a run: Adam's, and the moving average of the weights that is sampled (decay 0 keeps it equal to the weights). */
    public record Opt(Adam.State<UNet.Params> adam, UNet.Params ema) {}

    /** DDPM's integer timesteps enter the time embedding as they are, continuous t ∈ [0, 1] as 1000·t. */
    static UNet.Config config(Settings s) {
        return new UNet.Config(1, s.channels(), s.groups(), s.embed(), s.method() == Method.DDPM || s.method() == Method.DDIM ? 1 : 1000);
    }

    /** The images idx of d as [n, 1, H, W] in dtype dt, scaled from [0, 1] to [−1, 1]. */
    static Tensor images(Dataset d, int[] idx, DType dt) {
        return d.images(idx, dt).mul(2).add(-1).reshape(idx.length, 1, d.rows(), d.cols());
    }

    /** One history row: the mean training loss since the last evaluation. */
    public record Eval(int step, double loss, double seconds) {}

    /**
     * The method's training for the kit's {@link Loop}: Adam on the method's loss; step t's batch
     * (drawn with replacement), times and noise come from (seed, t), so a resumed run is bit-identical.
     */
    record ImageTraining(Settings s, UNet.Config net, Dataset train, Reflow reflow) implements Training<UNet.Params, Opt, Eval> {
        /** The training of a fresh network on the data set. */
        ImageTraining(Settings s, UNet.Config net, Dataset train) {
            this(s, net, train, null);
        }

        @Override
        public String config() {
            return String.format(Locale.ROOT, "diffusion-mnist %s method=%s batch=%d lr=%s seed=%d train=%d %dx%d dtype=%s ema=%s%s", net, s.method(), s.batch(),
                    s.lr(), s.seed(), train.count(), train.rows(), train.cols(), s.dtype().name().toLowerCase(Locale.ROOT), s.ema(),
                    reflow == null ? "" : " " + reflow.describe());
        }

        @Override
        public UNet.Params init() {
            return reflow != null ? reflow.start() : UNet.init(net, Rng.seed(s.seed()).split("init"), s.dtype());
        }

        @Override
        public Opt optimizer(UNet.Params params) {
            return new Opt(Adam.init(params), params);
        }

        @Override
        public Loop.Stepped<UNet.Params, Opt> step(UNet.Params p, Opt opt, int t) {
            Tensor[] b = batch(t);
            Rng r = Rng.seed(s.seed()).split("train").split(t);
            // loss(θ) = the method's objective on step t's batch;  (θ, state) ← Adam(θ, ∇loss, state)
            Autodiff.ValueAndGrad<UNet.Params> vg = Autodiff.valueAndGrad(q -> Diffusion2d.loss(s.method(), (x, tt) -> UNet.apply(net, q, x, tt), b[0], b[1], r), p);
            Step<UNet.Params, Adam.State<UNet.Params>> st = Adam.step(Adam.Hyper.defaults(s.lr()), p, vg.grad(), opt.adam());
            // θ̄ ← d_t θ̄ + (1 − d_t) θ, d_t = min(ema, (1 + t)/(10 + t)): the weights that are sampled
            UNet.Params avg = Averaging.ema(opt.ema(), st.params(), s.ema(), t);
            return new Loop.Stepped<>(st.params(), new Opt(st.state(), avg), vg.value().item(), s.batch(), 0);
        }

        /**
         * Step t's batch {data side, paired noise side or null}: training images drawn with
         * replacement from (seed, t), or for a reflow a minibatch of the fixed couplings (Z1, Z0).
         */
        Tensor[] batch(int t) {
            if (reflow == null) return new Tensor[] {images(train, Rng.seed(s.seed()).split("batch").split(t).integers(0, train.count(), s.batch()), s.dtype()), null};
            return Diffusion2d.couplings(reflow.z0(), reflow.z1(), s.seed(), s.batch()).at(t);
        }

        @Override
        public Eval evaluate(Loop.State<UNet.Params, Opt, Eval> st, Loop.At at) {
            return new Eval(at.step(), at.running().meanLoss(), at.seconds());
        }

        @Override
        public Class<Eval> rowType() {
            return Eval.class;
        }

        @Override
        public String report(Eval e) {
            return String.format(Locale.ROOT, "step %d: loss %.4f (%.1f s)", e.step(), e.loss(), e.seconds());
        }

        @Override
        public String unit() {
            return "img";
        }

        @Override
        public Charts.Figure<Eval> curves() {
            return Charts.Figure.of("step", Eval::step, Charts.Panel.<Eval>of("diffusion-mnist " + s.method().name().toLowerCase(Locale.ROOT) + " training loss",
                    "loss").line("mean since last evaluation", Eval::loss, true));
        }
    }

    /**
     * A reflow (Liu et al., arXiv 2209.03003, §2.2): the 2-RF starts from the 1-RF's weights
     * {@code start} and trains on the fixed couplings (Z0, Z1), Z1 the 1-RF's Euler sample from Z0;
     * {@code from} names the 1-RF run and how the couplings were made (it enters the config line,
     * so a resume with other couplings is refused).
     */
    record Reflow(UNet.Params start, Tensor z0, Tensor z1, String from) {
        String describe() {
            return "reflow pairs=" + z0.shape().dim(0) + " " + from;
        }
    }

    /** Euler steps of RF sampling run over t ∈ [RF_EPS, 1] (the 2-D demos' choice). */
    static final double RF_EPS = 1e-3;

    /**
     * The reflow couplings {Z0, Z1}, each [n, 1, H, W] in dt: Z0 ~ N(0, I) drawn per chunk j of
     * {@code chunk} from (seed, "pairs", j), Z1 = the 1-RF's Euler sample from Z0 over k steps.
     */
    static Tensor[] reflowPairs(Denoiser oneRf, int n, int chunk, int h, int w, int k, long seed, DType dt, Runnable tick) {
        double[] z0 = new double[n * h * w], z1 = new double[n * h * w];
        for (int j = 0, from = 0; from < n; j++, from += chunk) {
            int b = Math.min(chunk, n - from);
            // (Z0, Z1) = (z, 1-RF Euler_k(z)),  z ~ N(0, I)
            Tensor[] zz = RectifiedFlow.reflowPairs(oneRf, Rng.seed(seed).split("pairs").split(j).normal(dt, b, 1, h, w), k, RF_EPS);
            System.arraycopy(zz[0].toArray(), 0, z0, from * h * w, b * h * w);
            System.arraycopy(zz[1].toArray(), 0, z1, from * h * w, b * h * w);
            tick.run();
        }
        return new Tensor[] {Tensor.of(dt, z0, n, 1, h, w), Tensor.of(dt, z1, n, 1, h, w)};
    }

    /** The samplers each method offers, by the name --samplers takes; the first is the default. */
    static List<String> samplers(Method m) {
        return switch (m) {
            case FM -> List.of("heun", "euler");
            case RF -> List.of("euler");
            case DDPM -> List.of("ddim", "ancestral");
            case DDIM -> List.of("ddim", "ddim-eta1");
            case SDE -> List.of("ode", "em", "pc");
        };
    }

    /** A readable label of a sampler at a step count. */
    static String label(Method m, String sampler, int steps) {
        return switch (sampler) {
            case "heun" -> "FM Heun, " + steps + " steps";
            case "euler" -> (m == Method.RF ? "RF" : "FM") + " Euler, " + steps + " steps";
            case "ddim" -> "DDIM eta=0, " + steps + " steps";
            case "ddim-eta1" -> "DDIM eta=1, " + steps + " steps";
            case "ancestral" -> "DDPM ancestral, " + Diffusion2d.T + " steps";
            case "ode" -> "PF-ODE Heun, " + steps + " steps";
            case "em" -> "Euler-Maruyama, " + steps + " steps";
            case "pc" -> "PC (reverse diffusion + Langevin), " + steps + " steps";
            default -> throw new IllegalArgumentException("DiffusionMnist.label: unknown sampler " + sampler);
        };
    }

    /**
     * n samples [n, 1, H, W] from one sampler, in chunks of {@code chunk}: chunk j's starting noise
     * and every noise it consumes come from (seed, j), so the samples depend on the seed and the
     * chunk size only.
     */
    static Tensor sample(Method m, String sampler, Denoiser f, int n, int chunk, int h, int w, int steps, long seed, DType dt, Runnable tick) {
        return sample((start, rng) -> sampleChunk(m, sampler, f, start, steps, rng), sampler, n, chunk, h, w, seed, dt, tick);
    }

    /** A sampler of one chunk: the samples from starting noise [b, 1, H, W], drawing any other noise from rng. */
    @FunctionalInterface
    interface Chunk {
        Tensor apply(Tensor start, Rng rng);
    }

    /**
     * n samples [n, 1, H, W] from any sampler, in chunks of {@code chunk}: chunk j starts from noise
     * drawn from (seed, name, j) in dtype dt (the network's) and its sampler draws the rest from the
     * same generator.
     */
    static Tensor sample(Chunk sampler, String name, int n, int chunk, int h, int w, long seed, DType dt, Runnable tick) {
        double[] out = new double[n * h * w];
        for (int j = 0, from = 0; from < n; j++, from += chunk) {
            int b = Math.min(chunk, n - from);
            Rng rng = Rng.seed(seed).split("sample").split(name).split(j);
            Tensor start = rng.split("start").normal(dt, b, 1, h, w);
            Tensor x = sampler.apply(start, rng);
            System.arraycopy(x.toArray(), 0, out, from * h * w, b * h * w);
            tick.run();
        }
        return Tensor.of(DType.F64, out, n, 1, h, w);
    }

    static Tensor sampleChunk(Method m, String sampler, Denoiser f, Tensor start, int steps, Rng rng) {
        Ddpm.Schedule sched = Diffusion2d.SCHEDULE;
        return switch (sampler) {
            case "heun" -> FlowMatching.sample(f, start, steps, FlowMatching.Method.HEUN);
            case "euler" -> m == Method.RF ? RectifiedFlow.sample(f, start, steps, RF_EPS) : FlowMatching.sample(f, start, steps, FlowMatching.Method.EULER);
            // DDPM and DDIM clip x̂0 to [−1, 1], the images' range, as Ho et al.'s sampler and diffusers' schedulers do (DiffusionQuestions.sample)
            case "ddim" -> Ddim.sample(sched, f, start, Ddim.trailing(Diffusion2d.T, steps), 0, true, null);
            case "ddim-eta1" -> Ddim.sample(sched, f, start, Ddim.trailing(Diffusion2d.T, steps), 1, true, noise(rng, steps, start));
            case "ancestral" -> Ddpm.sample(sched, f, start, Ddpm.allTimesteps(Diffusion2d.T), new Ddpm.Options(Ddpm.Prediction.EPSILON, Ddpm.Variance.FIXED_SMALL,
                    true, 1), noise(rng, Diffusion2d.T, start));
            default -> {
                ScoreSde.Sde vp = ScoreSde.vp(Diffusion2d.VP.a(), Diffusion2d.VP.b(), steps);
                Denoiser score = (x, t) -> ScoreSde.scoreFromEps(vp, f.apply(x, t), t);
                yield switch (sampler) {
                    case "ode" -> ScoreSde.probabilityFlow(vp, score, start, 1, 1e-3, steps, ScoreSde.Ode.HEUN);
                    case "em" -> ScoreSde.eulerMaruyama(vp, score, start, 1e-3, noise(rng, steps, start));
                    case "pc" -> ScoreSde.pcSample(vp, score, start, ScoreSde.Predictor.REVERSE_DIFFUSION, 1, 0.16, 1e-3, noise(rng, 2 * steps, start));
                    default -> throw new IllegalArgumentException("DiffusionMnist.sample: unknown sampler " + sampler + " for " + m);
                };
            }
        };
    }

    /** The noise of k sampler steps, each drawn when the sampler asks for it (1,000 image batches would not fit in memory at once). */
    static List<Tensor> noise(Rng rng, int k, Tensor like) {
        return new AbstractList<>() {
            @Override
            public Tensor get(int i) {
                return rng.split("z").split(i).normal(like.dtype(), like.shape().dims());
            }

            @Override
            public int size() {
                return k;
            }
        };
    }

    /** Samples [n, 1, H, W] in model space mapped to pixels [n, H·W] in [0, 1]: clamp((x + 1)/2, 0, 1). */
    static Tensor pixels(Tensor x) {
        double[] v = x.toArray();
        for (int i = 0; i < v.length; i++) v[i] = Math.max(0, Math.min(1, (v[i] + 1) / 2));
        return Tensor.of(DType.F64, v, x.shape().dim(0), v.length / x.shape().dim(0));
    }

    /** The params part of a diffusion-mnist checkpoint. */
    record SavedUNet(UNet.Params params) {}

    /**
     * The U-Net saved by a diffusion-mnist run of method m (its checkpoint.safetensors), shaped by c
     * (the run's --channels, --groups, --embed), in the dtype the run trained in: the moving
     * average of its weights (the ones it samples) when the checkpoint has one, else its weights. A
     * {@link Failure} when the file is missing, was trained with another method, or does not fit c.
     */
    static UNet.Params loadUNet(Path file, Method m, UNet.Config c) throws IOException {
        if (!Files.isRegularFile(file)) throw new Failure(Failure.DATA, file + " does not exist; train one with `diffusion-mnist --method "
                + m.name().toLowerCase(Locale.ROOT) + "`");
        Safetensors.Contents saved = Safetensors.read(file);
        String config = saved.metadata().getOrDefault("config", "");
        if (!config.startsWith("diffusion-mnist ") || !config.contains(" method=" + m.name() + " ")) {
            throw new Failure(Failure.USAGE, file + " is not a diffusion-mnist checkpoint of method " + m.name().toLowerCase(Locale.ROOT) + " (its config is '" + config + "')");
        }
        DType dt = config.contains(" dtype=f32") ? DType.F32 : DType.F64;
        boolean averaged = saved.tensors().keySet().stream().anyMatch(k -> k.startsWith("opt.ema."));
        String prefix = averaged ? "opt.ema." : "params.";
        Map<String, Tensor> params = new java.util.LinkedHashMap<>();
        saved.tensors().forEach((k, v) -> {
            if (k.startsWith(prefix)) params.put("params." + k.substring(prefix.length()), v);
        });
        try {
            return Safetensors.load(new Safetensors.Contents(params, saved.metadata()), file, new SavedUNet(UNet.init(c, Rng.seed(0), dt))).params();
        } catch (Safetensors.SafetensorsException e) {
            throw new Failure(Failure.USAGE, file + " does not fit the U-Net " + c + " (pass the run's --channels, --groups and --embed): " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ the judge

    /** The classifier saved by fashion-mnist and the dtype it computes in. */
    record Judge(Classifier classifier, DType dtype) {}

    /** The params part of a fashion-mnist checkpoint. */
    record Saved(Classifier params) {}

    /**
     * The classifier in a fashion-mnist checkpoint, for images of rows x cols: the model, width and
     * dtype come from the checkpoint's config line; the tensors must fit them.
     */
    static Judge loadClassifier(Path file, int rows, int cols) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new Failure(Failure.DATA, "--classifier " + file + " does not exist; train one with `fashion-mnist --model cnn --out DIR` and pass"
                    + " DIR/checkpoint.safetensors");
        }
        Safetensors.Contents c = Safetensors.read(file);
        Map<String, String> cfg = new HashMap<>();
        for (String kv : c.metadata().getOrDefault("config", "").split(" ")) {
            int eq = kv.indexOf('=');
            if (eq > 0) cfg.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        if (!cfg.containsKey("model") || !cfg.containsKey("dtype")) {
            throw new Failure(Failure.USAGE, "--classifier " + file + " is not a fashion-mnist checkpoint (its config is '" + c.metadata().get("config") + "')");
        }
        DType dt = "f64".equals(cfg.get("dtype")) ? DType.F64 : DType.F32;
        Classifier template;
        try {
            template = "cnn".equals(cfg.get("model"))
                    ? new Classifier(null, Cnn.init(dt, rows, cols, Integer.parseInt(cfg.get("channels")), Trainer.CLASSES, 0))
                    : new Classifier(Mlp.init(dt, rows * cols, Integer.parseInt(cfg.get("hidden")), Trainer.CLASSES, 0), null);
        } catch (RuntimeException e) {
            throw new Failure(Failure.USAGE, "--classifier " + file + ": cannot build its model for " + rows + "x" + cols + " images from '"
                    + c.metadata().get("config") + "': " + e.getMessage());
        }
        Map<String, Tensor> params = new java.util.LinkedHashMap<>();
        c.tensors().forEach((k, v) -> {
            if (k.startsWith("params.")) params.put(k, v);
        });
        try {
            return new Judge(Safetensors.load(new Safetensors.Contents(params, c.metadata()), file, new Saved(template)).params(), dt);
        } catch (Safetensors.SafetensorsException e) {
            throw new Failure(Failure.USAGE, "--classifier " + file + " does not fit " + rows + "x" + cols + " images: " + e.getMessage());
        }
    }

    /** The classifier's view of images [n, H·W] in [0, 1]: penultimate features [n, d] and top-class probability and class per image. */
    record Seen(double[] features, int d, double[] top, int[] label) {}

    static Seen see(Judge j, Tensor pixels) {
        int n = pixels.shape().dim(0), px = pixels.shape().dim(1), chunk = 500;
        double[] feats = null, top = new double[n];
        int[] label = new int[n];
        int d = 0;
        double[] all = pixels.toArray();
        for (int from = 0; from < n; from += chunk) {
            int b = Math.min(chunk, n - from);
            Tensor x = Tensor.of(j.dtype(), java.util.Arrays.copyOfRange(all, from * px, (from + b) * px), b, px);
            Tensor f = j.classifier().features(x);
            if (feats == null) {
                d = f.shape().dim(1);
                feats = new double[n * d];
            }
            System.arraycopy(f.toArray(), 0, feats, from * d, b * d);
            double[] p = Softmax.softmax(j.classifier().head(f), -1).toArray();
            int k = p.length / b;
            for (int i = 0; i < b; i++) {
                int best = 0;
                for (int c = 1; c < k; c++) if (p[i * k + c] > p[i * k + best]) best = c;
                top[from + i] = p[i * k + best];
                label[from + i] = best;
            }
        }
        return new Seen(feats, d, top, label);
    }

    /**
     * What the judge says of a set of images: how many have a non-finite pixel (a diverged
     * sampler; they count as not recognised), the share with top-class probability ≥ threshold,
     * their class histogram and its entropy, and the Fréchet distance (NaN when any image is not
     * finite: a distance over the others would flatter the sampler).
     */
    public record Scores(int n, int nonFinite, double confident, double entropy, int[] histogram, double frechet) {}

    /** The scores of a set of images against reference features (the test set's). */
    static Scores judge(Tensor pixels, Seen s, Seen reference, double threshold) {
        int n = s.top().length, px = pixels.shape().dim(1), bad = 0;
        double[] v = pixels.toArray();
        boolean[] finite = new boolean[n];
        for (int i = 0; i < n; i++) {
            finite[i] = true;
            for (int k = 0; k < px && finite[i]; k++) finite[i] = Double.isFinite(v[i * px + k]);
            if (!finite[i]) bad++;
        }
        int[] hist = new int[Trainer.CLASSES];
        int sure = 0;
        for (int i = 0; i < n; i++) {
            if (finite[i] && s.top()[i] >= threshold) {
                sure++;
                hist[s.label()[i]]++;
            }
        }
        double fid = bad > 0 ? Double.NaN : Frechet.ofFeatures(s.features(), n, reference.features(), reference.top().length, s.d());
        return new Scores(n, bad, (double) sure / n, entropy(hist), hist, fid);
    }

    /** H = −Σ p_k ln p_k of a histogram (nats; ln 10 = 2.3026 for uniform over 10 classes); NaN for an empty one. */
    static double entropy(int[] hist) {
        long total = 0;
        for (int h : hist) total += h;
        if (total == 0) return Double.NaN;
        double e = 0;
        for (int h : hist) {
            if (h > 0) {
                double p = (double) h / total;
                e -= p * Math.log(p);
            }
        }
        return e;
    }
}
