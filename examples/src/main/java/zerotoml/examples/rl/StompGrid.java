package zerotoml.examples.rl;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import zerotoml.examples.kit.Charts;
import zerotoml.examples.kit.Loop;
import zerotoml.examples.kit.Training;
import zerotoml.scratch.rl.DynamicProgramming;
import zerotoml.scratch.rl.GridWorld;
import zerotoml.scratch.rl.Stomp;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * The four STOMP steps on the two-room grid world as the kit's {@link Training}. Kit step t is a
 * chunk: {@value #CHUNK} behaviour steps of option learning, then as many chunks of model learning
 * (the option and the four primitives), then chunks of {@value #PLAN_CHUNK} planning backups. The
 * behaviour (uniformly random, from S) and the planning order depend on the seed alone, so they are
 * drawn once; every weight, trace and curve is in the checkpointed state. A step's loss is its
 * distance to the exact answer: the option's action values against the subtask's, the option model
 * against its exact model, v(start) against V*(start).
 */
final class StompGrid implements Training<StompGrid.Learned, StompGrid.Log, StompGrid.Eval> {
    static final int CHUNK = 500, PLAN_CHUNK = 50;
    static final double GAMMA = 0.99, OPTION_ALPHA = 0.5, MODEL_ALPHA = 0.1, BONUS = 1.0, TOLERANCE = 0.01;
    static final GridWorld G = GridWorld.twoRooms();

    record Sample(int s, int a, double r, int next, boolean terminal, boolean ends) {}

    /** A model's weights as tensors: w_r [d], W_p [d, d], the trace [d]. */
    record ModelWeights(Tensor reward, Tensor transition, Tensor trace) {}

    /** The option's action values θ [4, d], the models (the 4 primitives, then the option), and the planned values with primitives only and with the option. */
    record Learned(Tensor theta, List<ModelWeights> models, Tensor vPrimitives, Tensor vWithOption) {}

    /** The curves: the option model's RMS error after each model chunk, v(start) after each backup; the first backup within 1% of V*(start) (−1: none yet). */
    record Log(Tensor modelError, Tensor vStartPrimitives, Tensor vStartWithOption, int hitPrimitives, int hitWithOption) {}

    /** A history row. */
    record Eval(int step, String phase, double optionError, double modelError, double vStartPrimitives, double vStartWithOption, int backupsPrimitives,
                int backupsWithOption, double seconds) {}

    /** Points of the two extra plots. */
    record ErrorPoint(int behaviourSteps, double rmsError) {}

    record PlanPoint(int backups, double primitives, double withOption, double optimal) {}

    final long seed;
    final int steps, backups, chunks, planChunks;
    final Path out;
    final Stomp.Subtask task = new Stomp.Subtask(G.hallway(), BONUS, new double[G.states()]);
    final double[] vStar = DynamicProgramming.optimalValues(G, GAMMA, 1e-13);
    final double[][] exactQ = DynamicProgramming.subtaskValues(G, task, GAMMA, 1e-13);
    final List<Sample> data;
    final int[] order;
    private double[][] exactFor;
    private DynamicProgramming.OptionModel exactModel;

    StompGrid(long seed, int steps, int backups, Path out) {
        this.seed = seed;
        this.out = out;
        this.steps = steps;
        this.backups = backups;
        this.chunks = (steps + CHUNK - 1) / CHUNK;
        this.planChunks = (backups + PLAN_CHUNK - 1) / PLAN_CHUNK;
        this.data = behaviour(new SplittableRandom(seed), 2 * steps);
        SplittableRandom r = new SplittableRandom(1000 + seed);
        this.order = new int[backups];
        for (int b = 0; b < backups; b++) {
            int s;
            do s = r.nextInt(G.states()); while (G.isTerminal(s));
            order[b] = s;
        }
    }

    int totalSteps() {
        return 2 * chunks + planChunks;
    }

    public String config() {
        return String.format(Locale.ROOT, "stomp-gridworld seed=%d steps=%d backups=%d", seed, steps, backups);
    }

    public Learned init() {
        int d = G.states();
        List<ModelWeights> ms = new ArrayList<>();
        for (int k = 0; k < 5; k++) ms.add(weights(Stomp.initialModel(d)));
        return new Learned(Tensor.zeros(DType.F64, GridWorld.ACTIONS, d), List.copyOf(ms), Tensor.zeros(DType.F64, d), Tensor.zeros(DType.F64, d));
    }

    public Log optimizer(Learned p) {
        return new Log(Tensor.zeros(DType.F64, chunks), Tensor.zeros(DType.F64, backups), Tensor.zeros(DType.F64, backups), -1, -1);
    }

    static List<Sample> behaviour(SplittableRandom rnd, int n) {
        List<Sample> out = new ArrayList<>(n);
        var t = G.reset(0);
        for (int i = 0; i < n; i++) {
            int a = rnd.nextInt(GridWorld.ACTIONS);
            var nx = G.step(t.state(), a);
            out.add(new Sample(t.state().cell(), a, nx.reward(), nx.state().cell(), nx.terminated(), nx.done()));
            t = nx.done() ? G.reset(0) : nx;
        }
        return out;
    }

    public Loop.Stepped<Learned, Log> step(Learned p, Log log, int t) {
        Stomp.Option option = option(p);
        if (t < chunks) {
            // 2. the option, off-policy Q-learning on the hallway subtask
            for (Sample x : data.subList(t * CHUNK, Math.min(steps, (t + 1) * CHUNK)))
                option = Stomp.optionStep(option, G.oneHot(x.s()), x.a(), x.r(), G.oneHot(x.next()), x.terminal(), GAMMA, OPTION_ALPHA);
            double err = optionError(option);
            Learned q = new Learned(Tensor.of(DType.F64, flatten(option.theta()), GridWorld.ACTIONS, G.states()), p.models(), p.vPrimitives(), p.vWithOption());
            return Loop.Stepped.of(q, new Log(log.modelError(), log.vStartPrimitives(), log.vStartWithOption(), -1, -1), err);
        }
        List<Stomp.OptionPolicy> policies = policies(option);
        List<Stomp.Model> models = new ArrayList<>();
        for (ModelWeights m : p.models()) models.add(model(m));
        if (t < 2 * chunks) {
            // 3. the models of the four primitives and of the option, off-policy with ρ = π/b, b = 1/4
            int c = t - chunks;
            for (Sample x : data.subList(steps + c * CHUNK, Math.min(2 * steps, steps + (c + 1) * CHUNK))) {
                for (int k = 0; k < models.size(); k++) {
                    Stomp.Model m = Stomp.modelStep(models.get(k), policies.get(k), G.oneHot(x.s()), x.a(), 0.25, x.r(), G.oneHot(x.next()), x.terminal(),
                            GAMMA, 0, MODEL_ALPHA);
                    models.set(k, x.ends() ? m.clearTrace() : m);
                }
            }
            double err = rmsError(models.get(4), exact(option));
            double[] errs = log.modelError().toArray();
            errs[c] = err;
            List<ModelWeights> ws = new ArrayList<>();
            for (Stomp.Model m : models) ws.add(weights(m));
            Learned q = new Learned(p.theta(), List.copyOf(ws), p.vPrimitives(), p.vWithOption());
            return Loop.Stepped.of(q, new Log(Tensor.of(DType.F64, errs, chunks), log.vStartPrimitives(), log.vStartWithOption(), -1, -1), err);
        }
        // 4. planning: backups at the seed's random states, with the primitive models only and with the option model added
        double[] vPrim = p.vPrimitives().toArray(), vOpt = p.vWithOption().toArray(), yPrim = log.vStartPrimitives().toArray(), yOpt = log.vStartWithOption().toArray();
        int hitPrim = log.hitPrimitives(), hitOpt = log.hitWithOption(), c = t - 2 * chunks, start = G.start();
        for (int b = c * PLAN_CHUNK; b < Math.min(backups, (c + 1) * PLAN_CHUNK); b++) {
            vPrim = Stomp.planningBackup(vPrim, models.subList(0, 4), G.oneHot(order[b]), 1.0);
            vOpt = Stomp.planningBackup(vOpt, models, G.oneHot(order[b]), 1.0);
            yPrim[b] = vPrim[start];
            yOpt[b] = vOpt[start];
            if (hitPrim < 0 && Math.abs(yPrim[b] - vStar[start]) <= TOLERANCE * vStar[start]) hitPrim = b + 1;
            if (hitOpt < 0 && Math.abs(yOpt[b] - vStar[start]) <= TOLERANCE * vStar[start]) hitOpt = b + 1;
        }
        double err = Math.abs(vOpt[start] - vStar[start]);
        Learned q = new Learned(p.theta(), p.models(), Tensor.of(DType.F64, vPrim, vPrim.length), Tensor.of(DType.F64, vOpt, vOpt.length));
        return Loop.Stepped.of(q, new Log(log.modelError(), Tensor.of(DType.F64, yPrim, backups), Tensor.of(DType.F64, yOpt, backups), hitPrim, hitOpt), err);
    }

    Stomp.Option option(Learned p) {
        double[] th = p.theta().toArray();
        double[][] theta = new double[GridWorld.ACTIONS][G.states()];
        for (int a = 0; a < theta.length; a++) theta[a] = Arrays.copyOfRange(th, a * G.states(), (a + 1) * G.states());
        return new Stomp.Option(task, theta);
    }

    static List<Stomp.OptionPolicy> policies(Stomp.Option option) {
        List<Stomp.OptionPolicy> ps = new ArrayList<>();
        for (int a = 0; a < GridWorld.ACTIONS; a++) ps.add(new Stomp.Primitive(a));
        ps.add(option);
        return ps;
    }

    /** The exact model of the learned option (a pure function of θ, kept for the last θ asked). */
    DynamicProgramming.OptionModel exact(Stomp.Option o) {
        if (exactFor == null || !Arrays.deepEquals(exactFor, o.theta())) {
            exactModel = DynamicProgramming.optionModel(G, o, GAMMA, 1e-13);
            exactFor = o.theta();
        }
        return exactModel;
    }

    /** RMS of θ − q* over the non-terminal states and every action. */
    double optionError(Stomp.Option o) {
        double ss = 0;
        int n = 0;
        for (int a = 0; a < GridWorld.ACTIONS; a++) {
            for (int s = 0; s < G.states(); s++) {
                if (G.isTerminal(s)) continue;
                ss += Math.pow(o.theta()[a][s] - exactQ[a][s], 2);
                n++;
            }
        }
        return Math.sqrt(ss / n);
    }

    static double rmsError(Stomp.Model m, DynamicProgramming.OptionModel exact) {
        double ss = 0;
        int n = 0;
        for (int s = 0; s < G.states(); s++) {
            if (G.isTerminal(s)) continue;
            double[] x = G.oneHot(s), p = m.transition(x);
            ss += Math.pow(m.reward(x) - exact.reward()[s], 2);
            for (int j = 0; j < p.length; j++) ss += Math.pow(p[j] - exact.transition()[s][j], 2);
            n += 1 + p.length;
        }
        return Math.sqrt(ss / n);
    }

    static ModelWeights weights(Stomp.Model m) {
        int d = m.rewardWeights().length;
        return new ModelWeights(Tensor.of(DType.F64, m.rewardWeights(), d), Tensor.of(DType.F64, flatten(m.transitionWeights()), d, d),
                Tensor.of(DType.F64, m.trace(), d));
    }

    static Stomp.Model model(ModelWeights w) {
        int d = w.reward().size();
        double[] tr = w.transition().toArray();
        double[][] rows = new double[d][];
        for (int j = 0; j < d; j++) rows[j] = Arrays.copyOfRange(tr, j * d, (j + 1) * d);
        return new Stomp.Model(w.reward().toArray(), rows, w.trace().toArray());
    }

    static double[] flatten(double[][] m) {
        double[] out = new double[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) System.arraycopy(m[i], 0, out, i * m[0].length, m[0].length);
        return out;
    }

    String phase(int done) {
        return done <= chunks ? "option" : done <= 2 * chunks ? "models" : "planning";
    }

    public Eval evaluate(Loop.State<Learned, Log, Eval> s, Loop.At at) {
        Log l = s.opt();
        int done = at.step(), c = Math.min(Math.max(0, done - chunks), chunks) - 1, b = Math.min(Math.max(0, done - 2 * chunks) * PLAN_CHUNK, backups) - 1;
        return new Eval(done, phase(done), optionError(option(s.params())), c < 0 ? Double.NaN : l.modelError().toArray()[c],
                b < 0 ? Double.NaN : l.vStartPrimitives().toArray()[b], b < 0 ? Double.NaN : l.vStartWithOption().toArray()[b], l.hitPrimitives(),
                l.hitWithOption(), at.seconds());
    }

    public Class<Eval> rowType() {
        return Eval.class;
    }

    public String report(Eval e) {
        return String.format(Locale.ROOT, "step %d/%d (%s): option error %.2e, option model error %.2e, v(start) %.5f primitives / %.5f with option"
                + " (V* %.5f); backups to within 1%%: %d / %d", e.step(), totalSteps(), e.phase(), e.optionError(), e.modelError(), e.vStartPrimitives(),
                e.vStartWithOption(), vStar[G.start()], e.backupsPrimitives(), e.backupsWithOption());
    }

    /** model-error.png and planning.png, from the curves so far. */
    public void evaluated(Loop.State<Learned, Log, Eval> s) throws IOException {
        int c = Math.min(Math.max(0, s.step() - chunks), chunks), b = Math.min(Math.max(0, s.step() - 2 * chunks) * PLAN_CHUNK, backups);
        double[] err = s.opt().modelError().toArray(), yPrim = s.opt().vStartPrimitives().toArray(), yOpt = s.opt().vStartWithOption().toArray();
        List<ErrorPoint> e = new ArrayList<>();
        for (int k = 0; k < c; k++) e.add(new ErrorPoint(Math.min(steps, (k + 1) * CHUNK), err[k]));
        if (!e.isEmpty()) Charts.curves(out.resolve("model-error.png"), e, Charts.Figure.of("behaviour steps of model learning", ErrorPoint::behaviourSteps,
                Charts.Panel.<ErrorPoint>of("Hallway option model: RMS error vs exact DP", "RMS error of r and p").line("seed " + seed, ErrorPoint::rmsError, false)));
        List<PlanPoint> p = new ArrayList<>();
        for (int k = 0; k < b; k++) p.add(new PlanPoint(k + 1, yPrim[k], yOpt[k], vStar[G.start()]));
        if (!p.isEmpty()) Charts.curves(out.resolve("planning.png"), p, Charts.Figure.of("planning backups", PlanPoint::backups,
                Charts.Panel.<PlanPoint>of("Planning: v(start) vs backups, seed " + seed, "v(start)").line("primitives", PlanPoint::primitives, false)
                        .line("with hallway option", PlanPoint::withOption, false).line("V*(start)", PlanPoint::optimal, false)));
    }
}
