package zerotoml.scratch.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

class OptimizersTest {
    record Inner(Tensor b, int tag) {}

    record Net(Tensor w, Inner inner, List<Tensor> more) {}

    static Net net(double w0, double b0) {
        return new Net(Tensor.of(DType.F64, new double[] {w0, -w0}, 2), new Inner(Tensor.scalar(b0), 7),
                List.of(Tensor.of(DType.F64, new double[] {1, 2, 3, 4}, 2, 2)));
    }

    /** f(θ) = ½ Σ (θ − 3)², minimised at 3 everywhere. */
    static Tensor loss(Net n) {
        Tensor acc = Tensor.scalar(0);
        for (Tensor t : Autodiff.Params.tensors(n)) {
            Tensor d = t.add(-3);
            acc = acc.add(d.mul(d).sum().mul(0.5));
        }
        return acc;
    }

    static double distanceToOptimum(Net n) {
        double worst = 0;
        for (Tensor t : Autodiff.Params.tensors(n)) for (double v : t.toArray()) worst = Math.max(worst, Math.abs(v - 3));
        return worst;
    }

    @Test
    void everyOptimiserMinimisesAQuadraticOverANestedRecordWithoutMutatingIt() {
        Net start = net(0.5, -1);
        double[] before = start.w().toArray();
        Net sgd = start, ada = start, rms = start, adam = start, adamW = start;
        var sgdS = Sgd.init(start);
        var adaH = AdaGrad.Hyper.defaults(0.5);
        var adaS = AdaGrad.init(adaH, start);
        var rmsS = RmsProp.init(start);
        var adamS = Adam.init(start);
        var adamWS = AdamW.init(start);
        for (int t = 0; t < 300; t++) {
            var s1 = Sgd.step(new Sgd.Hyper(0.1, 0.9, 0, 0, true), sgd, Autodiff.grad(OptimizersTest::loss, sgd), sgdS);
            sgd = s1.params();
            sgdS = s1.state();
            var s2 = AdaGrad.step(adaH, ada, Autodiff.grad(OptimizersTest::loss, ada), adaS);
            ada = s2.params();
            adaS = s2.state();
            var s3 = RmsProp.step(new RmsProp.Hyper(0.01, 0.9, 1e-8, 0, 0.5, true), rms, Autodiff.grad(OptimizersTest::loss, rms), rmsS);
            rms = s3.params();
            rmsS = s3.state();
            var s4 = Adam.step(new Adam.Hyper(0.05, 0.9, 0.999, 1e-8, 0, true), adam, Autodiff.grad(OptimizersTest::loss, adam), adamS);
            adam = s4.params();
            adamS = s4.state();
            var s5 = AdamW.step(AdamW.Hyper.defaults(0.05).withLr(0.05), adamW, Autodiff.grad(OptimizersTest::loss, adamW), adamWS);
            adamW = s5.params();
            adamWS = s5.state();
        }
        assertTrue(distanceToOptimum(sgd) < 1e-6, "sgd " + distanceToOptimum(sgd));
        assertTrue(distanceToOptimum(ada) < 1e-3, "adagrad " + distanceToOptimum(ada));
        assertTrue(distanceToOptimum(rms) < 0.05, "rmsprop " + distanceToOptimum(rms));
        assertTrue(distanceToOptimum(adam) < 0.05, "adam " + distanceToOptimum(adam));
        // AdamW's decoupled decay pulls toward 0: the optimum moves to 3 / (1 + λ/|g|...) but stays near 3
        assertTrue(distanceToOptimum(adamW) < 0.2, "adamw " + distanceToOptimum(adamW));
        assertArrayEquals(before, start.w().toArray(), 0);
        assertEquals(7, adam.inner().tag());
        assertEquals(300, adamS.step());
    }

    @Test
    void plainSgdIsThetaMinusLrTimesGradient() {
        Net p = net(1, 2);
        Net g = Autodiff.Params.map(p, t -> Tensor.full(DType.F64, 0.5, t.shape().dims()));
        Net out = Sgd.step(Sgd.Hyper.plain(0.1), p, g, Sgd.init(p)).params();
        assertArrayEquals(new double[] {0.95, -1.05}, out.w().toArray(), 1e-15);
        assertEquals(1.95, out.inner().b().item(), 1e-15);
    }

    @Test
    void hyperParametersAreValidatedWithTheirNames() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Sgd.Hyper(0.1, 0, 0.5, 0, true));
        assertTrue(e.getMessage().startsWith("Sgd: Nesterov"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Adam.Hyper(-1, 0.9, 0.999, 1e-8, 0, false))
                .getMessage().contains("lr must be >= 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AdamW.Hyper(1e-3, 1.0, 0.999, 1e-8, 0, false))
                .getMessage().startsWith("AdamW: beta1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RmsProp.Hyper(1e-3, 1.5, 1e-8, 0, 0, false))
                .getMessage().startsWith("RmsProp: alpha"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AdaGrad.Hyper(1e-3, -1, 0, 0, 1e-10))
                .getMessage().startsWith("AdaGrad: lrDecay"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Schedule.Cosine(1, 0, 0))
                .getMessage().startsWith("Schedule.Cosine: tMax"));
    }

    @Test
    void gradientsThatDoNotMatchTheParamsAreRejectedNamingTheShapes() {
        Net p = net(1, 2);
        Net bad = new Net(Tensor.zeros(DType.F64, 3), p.inner(), p.more());
        var e = assertThrows(IllegalArgumentException.class, () -> Adam.step(Adam.Hyper.defaults(1e-3), p, bad, Adam.init(p)));
        assertEquals("Adam.step: grads tensor 0 has shape [3] but parameter 0 has shape [2]", e.getMessage());
        Net f32 = Autodiff.Params.map(p, t -> t.to(DType.F32));
        var e2 = assertThrows(IllegalArgumentException.class, () -> Sgd.step(Sgd.Hyper.plain(1), p, f32, Sgd.init(p)));
        assertTrue(e2.getMessage().contains("is F32 but parameter 0 is F64"), e2.getMessage());
    }

    /** Each argument check of every schedule: its boundary value is accepted, the nearest value past it rejected. */
    @Test
    void everyScheduleAcceptsEachBoundaryOfItsArgumentsAndRejectsJustPastIt() {
        double below0 = -Double.MIN_VALUE, above1 = Math.nextUp(1.0);
        Schedule c = new Schedule.Constant(0);
        assertEquals(0, c.lr(0));
        rejects("Schedule.Constant: lr", () -> new Schedule.Constant(below0));
        rejects("Schedule.Constant: lr", () -> new Schedule.Constant(Double.NaN));
        rejects("Schedule.Constant: step must be >= 0, got -1", () -> c.lr(-1));
        assertEquals(0, new Schedule.StepDecay(0, 1, Double.MIN_VALUE).lr(0));
        rejects("Schedule.StepDecay: lr", () -> new Schedule.StepDecay(below0, 1, 0.5));
        rejects("Schedule.StepDecay: stepSize", () -> new Schedule.StepDecay(1, 0, 0.5));
        rejects("Schedule.StepDecay: decay", () -> new Schedule.StepDecay(1, 1, 0));
        rejects("Schedule.StepDecay: step", () -> new Schedule.StepDecay(1, 1, 0.5).lr(-1));
        assertEquals(0, new Schedule.Cosine(0, 1, 0).lr(1));
        rejects("Schedule.Cosine: lr", () -> new Schedule.Cosine(below0, 1, 0));
        rejects("Schedule.Cosine: etaMin", () -> new Schedule.Cosine(1, 1, below0));
        rejects("Schedule.Cosine: step", () -> new Schedule.Cosine(1, 1, 0).lr(-1));
        assertEquals(0, new Schedule.LinearWarmup(0, 1, 1, 1).lr(0));
        assertEquals(0.5, new Schedule.LinearWarmup(0.5, 1, 0, 1).lr(0));
        assertEquals(0, new Schedule.LinearWarmup(0.5, 1, 0, 1).lr(1));
        assertEquals(0.5, new Schedule.LinearWarmup(0.5, Double.MIN_VALUE, 1, 1).lr(1));
        rejects("Schedule.LinearWarmup: lr", () -> new Schedule.LinearWarmup(below0, 1, 1, 1));
        rejects("Schedule.LinearWarmup: startFactor", () -> new Schedule.LinearWarmup(1, 0, 1, 1));
        rejects("Schedule.LinearWarmup: startFactor", () -> new Schedule.LinearWarmup(1, above1, 1, 1));
        rejects("Schedule.LinearWarmup: endFactor", () -> new Schedule.LinearWarmup(1, 1, below0, 1));
        rejects("Schedule.LinearWarmup: endFactor", () -> new Schedule.LinearWarmup(1, 1, above1, 1));
        rejects("Schedule.LinearWarmup: totalIters", () -> new Schedule.LinearWarmup(1, 1, 1, 0));
        rejects("Schedule.LinearWarmup: step", () -> new Schedule.LinearWarmup(1, 1, 1, 1).lr(-1));
        assertEquals(1, new Schedule.Transformer(1, 1, 1).lr(0));
        rejects("Schedule.Transformer: dModel", () -> new Schedule.Transformer(0, 1, 1));
        rejects("Schedule.Transformer: warmup", () -> new Schedule.Transformer(1, 0, 1));
        rejects("Schedule.Transformer: scale", () -> new Schedule.Transformer(1, 1, 0));
        assertEquals(0, new Schedule.Warmup(0, 0, c).lr(0));
        rejects("Schedule.Warmup: lr", () -> new Schedule.Warmup(below0, 0, c));
        rejects("Schedule.Warmup: step", () -> new Schedule.Warmup(1, 0, c).lr(-1));
        assertEquals(0, new Schedule.WarmupCosine(0, 0, 1).lr(0));
        rejects("Schedule.WarmupCosine: lr", () -> new Schedule.WarmupCosine(below0, 0, 1));
        rejects("Schedule.WarmupCosine: warmup", () -> new Schedule.WarmupCosine(1, -1, 1));
        rejects("Schedule.WarmupCosine: step", () -> new Schedule.WarmupCosine(1, 0, 1).lr(-1));
    }

    static void rejects(String messageStart, org.junit.jupiter.api.function.Executable call) {
        String msg = assertThrows(IllegalArgumentException.class, call).getMessage();
        assertTrue(msg.startsWith(messageStart), msg);
    }

    @Test
    void schedulesHitTheirDocumentedLandmarks() {
        assertEquals(0.1, new Schedule.Cosine(0.1, 10, 0.001).lr(0), 1e-15);
        assertEquals(0.001, new Schedule.Cosine(0.1, 10, 0.001).lr(10), 1e-15);
        assertEquals(0.1 * 0.5 * 0.5, new Schedule.StepDecay(0.1, 3, 0.5).lr(7), 1e-15);
        assertEquals(0.01, new Schedule.LinearWarmup(0.1, 0.1, 1, 5).lr(0), 1e-15);
        assertEquals(0.1, new Schedule.LinearWarmup(0.1, 0.1, 1, 5).lr(9), 1e-15);
        Schedule tr = new Schedule.Transformer(512, 4000, 1);
        // peak at n = warmup: d^-½ · warmup^-½
        assertEquals(Math.pow(512, -0.5) * Math.pow(4000, -0.5), tr.lr(3999), 1e-15);
        assertTrue(tr.lr(3998) < tr.lr(3999) && tr.lr(4000) < tr.lr(3999));
        assertThrows(IllegalArgumentException.class, () -> tr.lr(-1));
        // warm-up: γ/W, 2γ/W, ... γ, then the next schedule from its own step 0
        Schedule warm = new Schedule.Warmup(0.1, 4, new Schedule.Cosine(0.1, 10, 0.01));
        assertEquals(0.025, warm.lr(0), 1e-15);
        assertEquals(0.1, warm.lr(3), 1e-15);
        assertEquals(0.1, warm.lr(4), 1e-15);
        assertEquals(0.01, warm.lr(14), 1e-15);
        assertEquals(0.05, new Schedule.Warmup(0.1, 0, new Schedule.Constant(0.05)).lr(0), 0);
        // the product form: half the warm-up factor at t = W/2 − 1, half the peak at T/2 after the warm-up
        Schedule product = new Schedule.WarmupCosine(0.1, 4, 100);
        assertEquals(0.1 * 0.5 * 0.5 * (1 + Math.cos(Math.PI / 100)), product.lr(1), 1e-15);
        assertEquals(0.05, product.lr(50), 1e-15);
        assertEquals(0.1, new Schedule.WarmupCosine(0.1, 0, 100).lr(0), 0);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Schedule.Warmup(0.1, -1, warm)).getMessage().startsWith("Schedule.Warmup: warmup"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Schedule.Warmup(0.1, 1, null)).getMessage().contains("missing"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Schedule.WarmupCosine(0.1, 1, 0)).getMessage().startsWith("Schedule.WarmupCosine: tMax"));
        assertThrows(IllegalArgumentException.class, () -> product.lr(-1));
    }

    @Test
    void clippingScalesOnlyWhenTheGlobalNormExceedsTheLimit() {
        Net g = new Net(Tensor.of(DType.F64, new double[] {3, 0}, 2), new Inner(Tensor.scalar(0), 0),
                List.of(Tensor.of(DType.F64, new double[] {0, 4, 0, 0}, 2, 2)));
        var c = Clipping.clipGradNorm(g, 1);
        assertEquals(5, c.totalNorm(), 1e-15);
        assertEquals(1 / (5 + 1e-6), c.scale(), 1e-15);
        assertArrayEquals(new double[] {3 / (5 + 1e-6), 0}, c.grads().w().toArray(), 1e-15);
        var same = Clipping.clipGradNorm(g, 10);
        assertSame(g, same.grads());
        assertEquals(1, same.scale());
    }

    record Empty() {}

    /** Mutation testing (notes/MutationTesting.md) found these boundaries untested: each value on the boundary is accepted, just past it rejected. */
    @Test
    void everyOptimiserAcceptsEachBoundaryOfItsHyperParametersAndRejectsJustPastIt() {
        double below0 = -Double.MIN_VALUE, below1 = Math.nextDown(1.0), above1 = Math.nextUp(1.0);
        // Sgd: lr, momentum, weightDecay ≥ 0; dampening in [0, 1]; Nesterov needs momentum > 0
        new Sgd.Hyper(0, 0, 0, 0, false);
        new Sgd.Hyper(1, 0, 1, 0, false);
        new Sgd.Hyper(1, Double.MIN_VALUE, 0, 0, true);
        rejects("Sgd: lr", () -> new Sgd.Hyper(below0, 0, 0, 0, false));
        rejects("Sgd: momentum", () -> new Sgd.Hyper(1, below0, 0, 0, false));
        rejects("Sgd: dampening", () -> new Sgd.Hyper(1, 0, below0, 0, false));
        rejects("Sgd: dampening", () -> new Sgd.Hyper(1, 0, above1, 0, false));
        rejects("Sgd: weightDecay", () -> new Sgd.Hyper(1, 0, 0, below0, false));
        rejects("Sgd: Nesterov", () -> new Sgd.Hyper(1, 0, 0, 0, true));
        rejects("Sgd: Nesterov", () -> new Sgd.Hyper(1, 0.9, Double.MIN_VALUE, 0, true));
        assertEquals(0.5, Sgd.Hyper.plain(1).withLr(0.5).lr());
        // Adam and AdamW: lr, eps, weightDecay ≥ 0; betas in [0, 1)
        new Adam.Hyper(0, 0, 0, 0, 0, false);
        new Adam.Hyper(1, below1, below1, 1e-8, 0, true);
        rejects("Adam: lr", () -> new Adam.Hyper(below0, 0.9, 0.999, 1e-8, 0, false));
        rejects("Adam: beta1", () -> new Adam.Hyper(1, below0, 0.999, 1e-8, 0, false));
        rejects("Adam: beta1", () -> new Adam.Hyper(1, 1, 0.999, 1e-8, 0, false));
        rejects("Adam: beta2", () -> new Adam.Hyper(1, 0.9, below0, 1e-8, 0, false));
        rejects("Adam: beta2", () -> new Adam.Hyper(1, 0.9, 1, 1e-8, 0, false));
        rejects("Adam: eps", () -> new Adam.Hyper(1, 0.9, 0.999, below0, 0, false));
        rejects("Adam: weightDecay", () -> new Adam.Hyper(1, 0.9, 0.999, 1e-8, below0, false));
        // AdaGrad: everything ≥ 0
        new AdaGrad.Hyper(0, 0, 0, 0, 0);
        rejects("AdaGrad: lr", () -> new AdaGrad.Hyper(below0, 0, 0, 0, 1e-10));
        rejects("AdaGrad: lrDecay", () -> new AdaGrad.Hyper(1, below0, 0, 0, 1e-10));
        rejects("AdaGrad: weightDecay", () -> new AdaGrad.Hyper(1, 0, below0, 0, 1e-10));
        rejects("AdaGrad: initialAccumulatorValue", () -> new AdaGrad.Hyper(1, 0, 0, below0, 1e-10));
        rejects("AdaGrad: eps", () -> new AdaGrad.Hyper(1, 0, 0, 0, below0));
        assertEquals(0.5, AdaGrad.Hyper.defaults(1).withLr(0.5).lr());
        // RmsProp: alpha in [0, 1], the rest ≥ 0
        new RmsProp.Hyper(0, 0, 0, 0, 0, false);
        new RmsProp.Hyper(1, 1, 1e-8, 0, 0, true);
        rejects("RmsProp: lr", () -> new RmsProp.Hyper(below0, 0.99, 1e-8, 0, 0, false));
        rejects("RmsProp: alpha", () -> new RmsProp.Hyper(1, below0, 1e-8, 0, 0, false));
        rejects("RmsProp: alpha", () -> new RmsProp.Hyper(1, above1, 1e-8, 0, 0, false));
        rejects("RmsProp: eps", () -> new RmsProp.Hyper(1, 0.99, below0, 0, 0, false));
        rejects("RmsProp: weightDecay", () -> new RmsProp.Hyper(1, 0.99, 1e-8, below0, 0, false));
        rejects("RmsProp: momentum", () -> new RmsProp.Hyper(1, 0.99, 1e-8, 0, below0, false));
        RmsProp.Hyper rms = RmsProp.Hyper.defaults(0.01);
        assertEquals(new RmsProp.Hyper(0.01, 0.99, 1e-8, 0, 0, false), rms);
        assertEquals(0.5, rms.withLr(0.5).lr());
        // clipGradNorm: maxNorm ≥ 0 (0 zeroes every gradient); no gradients at all is norm 0, scale 1
        Net g = net(1, 1);
        Clipping.Clipped<Net> zero = Clipping.clipGradNorm(g, 0);
        assertEquals(0, zero.scale());
        for (Tensor t : Autodiff.Params.tensors(zero.grads())) for (double v : t.toArray()) assertEquals(0, v, 0.0);
        rejects("clipGradNorm: maxNorm", () -> Clipping.clipGradNorm(g, below0));
        Clipping.Clipped<Empty> none = Clipping.clipGradNorm(new Empty(), 1);
        assertEquals(0, none.totalNorm());
        assertEquals(1, none.scale());
    }

    @Test
    void everyOptimiserRejectsANegativeStepCountInItsState() {
        Net p = net(1, 1), g = net(0.5, 0.5);
        rejects("Sgd.step: state step must be >= 0, got -1", () -> Sgd.step(Sgd.Hyper.plain(1), p, g, new Sgd.State<>(-1, Sgd.init(p).momentumBuffer())));
        var ada = AdaGrad.Hyper.defaults(1);
        rejects("AdaGrad.step: state step must be >= 0, got -1", () -> AdaGrad.step(ada, p, g, new AdaGrad.State<>(-1, AdaGrad.init(ada, p).sum())));
        RmsProp.State<Net> r = RmsProp.init(p);
        rejects("RmsProp.step: state step must be >= 0, got -1",
                () -> RmsProp.step(RmsProp.Hyper.defaults(1), p, g, new RmsProp.State<>(-1, r.squareAvg(), r.gradAvg(), r.momentumBuffer())));
        Adam.State<Net> a = Adam.init(p);
        rejects("Adam.step: state step must be >= 0, got -1", () -> Adam.step(Adam.Hyper.defaults(1), p, g, new Adam.State<>(-1, a.m(), a.v(), a.vMax())));
    }

    @Test
    void rmsPropWithoutMomentumKeepsNoMomentumBuffer() {
        Net p = net(1, 1), g = net(0.5, 0.5);
        var next = RmsProp.step(RmsProp.Hyper.defaults(0.1), p, g, RmsProp.init(p));
        for (Tensor t : Autodiff.Params.tensors(next.state().momentumBuffer())) for (double v : t.toArray()) assertEquals(0, v);
    }
}
