package zerotoml.examples.kit;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.optim.Schedule;
import zerotoml.scratch.optim.Step;
import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Reductions;
import zerotoml.scratch.tensor.Tensor;

/**
 * The smallest command on the kit, and the template for a new one: fits y = a·x + b to noisy
 * points with Adam under a warm-up + cosine schedule, and gets progress, evaluations, history.csv,
 * curves.png, atomic checkpoints, --resume, the NaN guard and checked options from the kit.
 * {@code --poison-at N} feeds a NaN into step N, to show the guard.
 */
@Command(name = "line-fit", mixinStandardHelpOptions = true, description = "Fit y = a x + b to noisy points from y = 3 x - 1.")
public final class LineFitCommand implements Callable<Integer> {
    /** The params: slope and intercept, each a [1] tensor. */
    public record Line(Tensor a, Tensor b) {}

    /** A history row: the step, the training loss since the last evaluation, and the held-out loss. */
    public record Eval(int step, double trainLoss, double heldOutLoss) {}

    @Spec
    CommandSpec spec;

    @Mixin
    Options.Run run = new Options.Run("runs/line-fit");

    @Mixin
    Options.Steps steps = new Options.Steps(200);

    @Mixin
    Options.Lr lr = new Options.Lr(0.3);

    @Option(names = "--batch-size", paramLabel = "B", description = "Points per step (>= 1). Default: ${DEFAULT-VALUE}")
    int batchSize = 16;

    @Option(names = "--eval-every", paramLabel = "N", description = "Evaluate and checkpoint every N steps (>= 1). Default: ${DEFAULT-VALUE}")
    int evalEvery = 20;

    @Option(names = "--poison-at", paramLabel = "N", description = "Put a NaN into the batch of step N (to see the guard). Default: never")
    int poisonAt = -1;

    /** B points of y = 3x − 1 + noise, drawn from (seed, t): x [B], y [B]. */
    static Tensor[] points(long seed, int t, int b, boolean poison) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + t);
        double[] x = new double[b], y = new double[b];
        for (int i = 0; i < b; i++) {
            x[i] = 2 * r.nextDouble() - 1;
            y[i] = 3 * x[i] - 1 + 0.1 * (2 * r.nextDouble() - 1);
        }
        if (poison) x[0] = Double.NaN;
        return new Tensor[] {Tensor.of(DType.F64, x, b), Tensor.of(DType.F64, y, b)};
    }

    // L = mean((a x + b − y)²)
    static Tensor loss(Line p, Tensor[] xy) {
        Tensor r = Arithmetic.sub(Arithmetic.add(Arithmetic.mul(p.a(), xy[0]), p.b()), xy[1]);
        return Reductions.mean(Arithmetic.mul(r, r));
    }

    @Override
    public Integer call() throws IOException {
        Checks checks = Checks.of(spec, run, steps, lr);
        checks.atLeast("--batch-size", batchSize, 1).atLeast("--eval-every", evalEvery, 1);
        PrintWriter out = spec.commandLine().getOut();
        Schedule schedule = new Schedule.Warmup(lr.lr, 10, new Schedule.Cosine(lr.lr, Math.max(1, steps.steps - 10), 0));
        Tensor[] heldOut = points(run.seed ^ 0xABCDL, -1, 256, false);
        Training<Line, Adam.State<Line>, Eval> training = new Training<>() {
            public String config() {
                return String.format(Locale.ROOT, "lr=%s steps=%d batch=%d seed=%d", lr.lr, steps.steps, batchSize, run.seed);
            }

            public Line init() {
                return new Line(Tensor.zeros(DType.F64, 1), Tensor.zeros(DType.F64, 1));
            }

            public Adam.State<Line> optimizer(Line p) {
                return Adam.init(p);
            }

            public Loop.Stepped<Line, Adam.State<Line>> step(Line p, Adam.State<Line> opt, int t) {
                Tensor[] xy = points(run.seed, t, batchSize, t + 1 == poisonAt);
                Autodiff.ValueAndGrad<Line> vg = Autodiff.valueAndGrad(q -> loss(q, xy), p);
                Step<Line, Adam.State<Line>> st = Adam.step(Adam.Hyper.defaults(lr.lr).withLr(schedule.lr(t)), p, vg.grad(), opt);
                return Loop.Stepped.of(st.params(), st.state(), vg.value().item());
            }

            public Eval evaluate(Loop.State<Line, Adam.State<Line>, Eval> s, Loop.At at) {
                return new Eval(at.step(), at.running().meanLoss(), loss(s.params(), heldOut).item());
            }

            public Class<Eval> rowType() {
                return Eval.class;
            }

            public String report(Eval e) {
                return String.format(Locale.ROOT, "step %d: train loss %.5f, held-out loss %.5f", e.step(), e.trainLoss(), e.heldOutLoss());
            }

            public Charts.Figure<Eval> curves() {
                return Charts.Figure.of("step", Eval::step, Charts.Panel.<Eval>of("Loss", "mean squared error")
                        .line("train", Eval::trainLoss, false).line("held out", Eval::heldOutLoss, true));
            }
        };
        Loop<Line, Adam.State<Line>, Eval> loop = new Loop<>("line-fit", training, Loop.Plan.of(run, steps.steps, evalEvery), out);
        Loop.State<Line, Adam.State<Line>, Eval> s = loop.run(loop.start());
        out.printf(Locale.ROOT, "done: a = %.4f, b = %.4f after %d steps%n", s.params().a().item(), s.params().b().item(), s.step());
        return 0;
    }
}
