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
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import zerotoml.scratch.io.Safetensors;
import zerotoml.scratch.rl.DynamicProgramming;
import zerotoml.scratch.rl.GridWorld;
import zerotoml.scratch.rl.Stomp;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * STOMP (arXiv 2202.03466) on the two-room grid world with one-hot features: the hallway subtask, its
 * option and its model learned off-policy from a uniformly random behaviour, then planning with and
 * without the option model; per seed.
 */
@Command(name = "stomp-gridworld", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs the four STOMP steps on the two-room grid world for each seed and writes stomp.csv, stomp.png and"
                + " the learned weights per seed into --out.")
public final class StompGridCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--steps", description = "Behaviour steps for the option, and as many again for the models. Default: ${DEFAULT-VALUE}")
    int steps = 50_000;

    @Option(names = "--backups", description = "Planning backups. Default: ${DEFAULT-VALUE}")
    int backups = 6_000;

    @Option(names = "--seeds", description = "Seeds 1..N. Default: ${DEFAULT-VALUE}")
    int seeds = 3;

    @Option(names = "--out", description = "Output directory. Default: ${DEFAULT-VALUE}")
    Path out = Path.of("runs/stomp");

    static final double GAMMA = 0.99, OPTION_ALPHA = 0.5, MODEL_ALPHA = 0.1, BONUS = 1.0, TOLERANCE = 0.01;

    record Sample(int s, int a, double r, int next, boolean terminal, boolean ends) {}

    /** Weights of one seed's learned models, for the checkpoint. */
    public record Learned(Tensor optionTheta, Tensor hallwayReward, Tensor hallwayTransition, Tensor valueWithOption, Tensor valuePrimitive) {}

    @Override
    public Integer call() throws Exception {
        // every numeric option is checked before any work (one line naming the option, exit 2)
        Checks.of(spec).atLeast("--steps", steps, 1).atLeast("--backups", backups, 1).atLeast("--seeds", seeds, 1);
        Files.createDirectories(out);
        GridWorld g = GridWorld.twoRooms();
        double[] vStar = DynamicProgramming.optimalValues(g, GAMMA, 1e-13);
        List<Curves.Line> errLines = new ArrayList<>(), planLines = new ArrayList<>();
        List<String> rows = new ArrayList<>();
        double[] withOpt = new double[seeds], without = new double[seeds];
        System.out.printf(Locale.ROOT, "V*(start) = %.6f (γ^17: 18 steps, around the penalty band)%n", vStar[g.start()]);
        for (int seed = 1; seed <= seeds; seed++) {
            // 1. subtask: attain the hallway feature; the main value is not known yet (w = 0)
            Stomp.Subtask task = new Stomp.Subtask(g.hallway(), BONUS, new double[g.states()]);
            // 2. option, off-policy from a uniformly random behaviour started at S
            List<Sample> data = behaviour(g, new SplittableRandom(seed), 2 * steps);
            Stomp.Option option = Stomp.initialOption(task, GridWorld.ACTIONS);
            for (Sample x : data.subList(0, steps))
                option = Stomp.optionStep(option, g.oneHot(x.s()), x.a(), x.r(), g.oneHot(x.next()), x.terminal(), GAMMA, OPTION_ALPHA);
            List<Integer> path = followOption(g, option);
            boolean detours = path.get(path.size() - 1) == g.hallway() && path.stream().noneMatch(g::isPenalty);
            // 3. models of the option and of the four primitive actions, from the next `steps` behaviour steps
            List<Stomp.OptionPolicy> policies = new ArrayList<>();
            for (int a = 0; a < GridWorld.ACTIONS; a++) policies.add(new Stomp.Primitive(a));
            policies.add(option);
            List<DynamicProgramming.OptionModel> exact = new ArrayList<>();
            for (var p : policies) exact.add(DynamicProgramming.optionModel(g, p, GAMMA, 1e-13));
            List<Stomp.Model> models = new ArrayList<>();
            for (int k = 0; k < policies.size(); k++) models.add(Stomp.initialModel(g.states()));
            List<Double> errX = new ArrayList<>(), errY = new ArrayList<>();
            int i = 0;
            for (Sample x : data.subList(steps, 2 * steps)) {
                for (int k = 0; k < models.size(); k++) {
                    Stomp.Model m = Stomp.modelStep(models.get(k), policies.get(k), g.oneHot(x.s()), x.a(), 0.25, x.r(), g.oneHot(x.next()),
                            x.terminal(), GAMMA, 0, MODEL_ALPHA);
                    models.set(k, x.ends() ? m.clearTrace() : m);
                }
                if (++i % 500 == 0) {
                    errX.add((double) i);
                    errY.add(rmsError(g, models.get(4), exact.get(4)));
                }
            }
            errLines.add(new Curves.Line("seed " + seed, Curves.toArray(errX), Curves.toArray(errY)));
            // 4. planning: random-state backups with the primitive models only, and with the option model added
            double[] vPrim = new double[g.states()], vOpt = new double[g.states()];
            SplittableRandom order = new SplittableRandom(1000 + seed);
            int hitPrim = -1, hitOpt = -1;
            double[] xs = new double[backups], yPrim = new double[backups], yOpt = new double[backups];
            List<Stomp.Model> prim = models.subList(0, 4);
            for (int b = 0; b < backups; b++) {
                int s;
                do s = order.nextInt(g.states()); while (g.isTerminal(s));
                vPrim = Stomp.planningBackup(vPrim, prim, g.oneHot(s), 1.0);
                vOpt = Stomp.planningBackup(vOpt, models, g.oneHot(s), 1.0);
                xs[b] = b + 1;
                yPrim[b] = vPrim[g.start()];
                yOpt[b] = vOpt[g.start()];
                if (hitPrim < 0 && Math.abs(yPrim[b] - vStar[g.start()]) <= TOLERANCE * vStar[g.start()]) hitPrim = b + 1;
                if (hitOpt < 0 && Math.abs(yOpt[b] - vStar[g.start()]) <= TOLERANCE * vStar[g.start()]) hitOpt = b + 1;
            }
            planLines.add(new Curves.Line("primitives, seed " + seed, xs, yPrim));
            planLines.add(new Curves.Line("with hallway option, seed " + seed, xs, yOpt));
            withOpt[seed - 1] = hitOpt;
            without[seed - 1] = hitPrim;
            double finalErr = errY.get(errY.size() - 1), firstErr = errY.get(0);
            System.out.printf(Locale.ROOT, "seed %d: option path %s (%d steps, %s); hallway-model RMS error %.4f -> %.2e; "
                            + "backups to within %.0f%% of V*(start): primitives %d, with option %d; final v(start) %.5f / %.5f%n",
                    seed, pathString(g, path), path.size() - 1, detours ? "detours the penalty, stops in the hallway" : "DOES NOT detour",
                    firstErr, finalErr, 100 * TOLERANCE, hitPrim, hitOpt, vPrim[g.start()], vOpt[g.start()]);
            rows.add(seed + "," + detours + "," + (path.size() - 1) + "," + firstErr + "," + finalErr + "," + hitPrim + "," + hitOpt + ","
                    + vPrim[g.start()] + "," + vOpt[g.start()] + "," + vStar[g.start()]);
            if (seed == 1) System.out.print(g.render(marks(g, path)));
            Stomp.Model hm = models.get(4);
            Safetensors.save(out.resolve("stomp-seed" + seed + ".safetensors"), new Learned(
                    Tensor.of(DType.F64, flatten(option.theta()), GridWorld.ACTIONS, g.states()),
                    Tensor.of(DType.F64, hm.rewardWeights(), g.states()),
                    Tensor.of(DType.F64, flatten(hm.transitionWeights()), g.states(), g.states()),
                    Tensor.of(DType.F64, vOpt, g.states()), Tensor.of(DType.F64, vPrim, g.states())), Map.of("seed", Integer.toString(seed)));
        }
        Curves.csv(out.resolve("stomp.csv"), "seed,option_detours_penalty,option_steps,model_rms_error_first,model_rms_error_last,"
                + "backups_primitives,backups_with_option,v_start_primitives,v_start_with_option,v_star_start", rows);
        Curves.png(out.resolve("stomp.png"), List.of(
                new Curves.Panel("Hallway option model: RMS error vs exact DP", "behaviour steps", "RMS error of r̂ and p̂", errLines, Double.NaN),
                new Curves.Panel("Planning: v(start) vs backups", "planning backups", "v(start)", planLines, vStar[g.start()])));
        System.out.println("backups to within 1% of V*(start): primitives " + Curves.meanSd(without) + ", with the option " + Curves.meanSd(withOpt)
                + " (-1: never within " + backups + ")");
        return 0;
    }

    static List<Sample> behaviour(GridWorld g, SplittableRandom rnd, int n) {
        List<Sample> out = new ArrayList<>(n);
        var t = g.reset(0);
        for (int i = 0; i < n; i++) {
            int a = rnd.nextInt(GridWorld.ACTIONS);
            var nx = g.step(t.state(), a);
            out.add(new Sample(t.state().cell(), a, nx.reward(), nx.state().cell(), nx.terminated(), nx.done()));
            t = nx.done() ? g.reset(0) : nx;
        }
        return out;
    }

    static List<Integer> followOption(GridWorld g, Stomp.Option o) {
        List<Integer> path = new ArrayList<>(List.of(g.start()));
        int s = g.start();
        do {
            s = g.next(s, o.action(g.oneHot(s)));
            path.add(s);
        } while (!g.isTerminal(s) && !o.stops(g.oneHot(s)) && path.size() < 200);
        return path;
    }

    static double rmsError(GridWorld g, Stomp.Model m, DynamicProgramming.OptionModel exact) {
        double ss = 0;
        int n = 0;
        for (int s = 0; s < g.states(); s++) {
            if (g.isTerminal(s)) continue;
            double[] x = g.oneHot(s), p = m.transition(x);
            ss += Math.pow(m.reward(x) - exact.reward()[s], 2);
            for (int j = 0; j < p.length; j++) ss += Math.pow(p[j] - exact.transition()[s][j], 2);
            n += 1 + p.length;
        }
        return Math.sqrt(ss / n);
    }

    static char[] marks(GridWorld g, List<Integer> path) {
        char[] m = new char[g.states()];
        for (int k = 1; k < path.size() - 1; k++) m[path.get(k)] = '*';
        return m;
    }

    static String pathString(GridWorld g, List<Integer> path) {
        StringBuilder b = new StringBuilder();
        for (int s : path) b.append(b.length() > 0 ? ">" : "").append('(').append(g.row(s)).append(',').append(g.col(s)).append(')');
        return b.toString();
    }

    static double[] flatten(double[][] m) {
        double[] out = new double[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) System.arraycopy(m[i], 0, out, i * m[0].length, m[0].length);
        return out;
    }
}
