package zerotoml.parity.random;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Gens;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.parity.tensor.IntegerArgs;
import zerotoml.scratch.random.Distributions;

/**
 * Log-probability, entropy and the reparameterised sample of the categorical and the diagonal
 * Gaussian, against torch.distributions' formulas: outputs, and gradients with respect to the
 * logits, the mean and the log standard deviation.
 */
class DistributionsParityTest {
    static final Domain STD = Domain.standard();
    /** Log-stds in [-1.5, 1]: standard deviations from 0.22 to 2.7. */
    static final Domain LOG_STD = Domain.range(-1.5, 1);

    /** Logits [..., K] (rank 1..3) and, when asked, one action per leading position. */
    static Gen<Case> logits(boolean withActions) {
        return s -> {
            int[] lead = Gens.shape(0, 2, 4).draw(s);
            int k = s.intBetween(1, 6);
            int[] shape = Arrays.copyOf(lead, lead.length + 1);
            shape[lead.length] = k;
            Arr l = Cases.arr(s, shape, STD);
            List<Arr> in = withActions ? List.of(l, IntegerArgs.draw(s, lead, 0, k - 1)) : List.of(l);
            return new Case(in, Cases.cotangentSeed(s));
        };
    }

    /**
     * x (or ε), mean and logStd: an event shape of rank 1..3, from which mean and logStd may drop
     * leading axes or turn axes into 1 (a state-independent log-std [A] is the common case). x lies
     * within 3σ of the mean, where a sample of the distribution lies; far outside it the summed
     * float32 gradients are dominated by cancellation that neither side computes exactly.
     */
    static Gen<Case> gaussian() {
        return s -> {
            int[] full = Gens.shape(1, 3, 4).draw(s);
            int[] meanShape = Gens.thin(s, full), logStdShape = Gens.thin(s, full);
            Arr mean = Cases.arr(s, meanShape, STD);
            Arr logStd = Cases.arr(s, logStdShape, LOG_STD);
            Arr eps = Cases.arr(s, full, STD);
            double[] x = new double[eps.data().length];
            for (int i = 0; i < x.length; i++) {
                x[i] = mean.data()[broadcastIndex(i, full, meanShape)] + Math.exp(logStd.data()[broadcastIndex(i, full, logStdShape)]) * eps.data()[i];
            }
            return new Case(List.of(new Arr(full, x), mean, logStd), Cases.cotangentSeed(s));
        };
    }

    /** The flat index in a shape that broadcasts to {@code full} of the element at flat index i of full. */
    static int broadcastIndex(int i, int[] full, int[] shape) {
        int off = 0, stride = 1;
        for (int d = full.length - 1, e = shape.length - 1; d >= 0; d--, e--) {
            int coord = i % full[d];
            i /= full[d];
            if (e >= 0) {
                if (shape[e] != 1) off += coord * stride;
                stride *= shape[e];
            }
        }
        return off;
    }

    static Case zeros(int[]... shapes) {
        List<Arr> in = new ArrayList<>();
        for (int[] sh : shapes) in.add(new Arr(sh, new double[Gens.size(sh)]));
        return new Case(in, 0);
    }

    static OpSpec categoricalLogProb() {
        return OpSpec.op("categoricalLogProb").cases(logits(true))
                .scratch((c, x) -> Distributions.categoricalLogProb(x.get(0), IntegerArgs.ints(x.get(1))))
                .reference((c, x) -> Ref.categoricalLogProb(x.get(0), x.get(1)))
                .constantInputs(1)
                .rejects("an action equal to the number of classes", new Case(List.of(new Arr(new int[] {2, 3}, new double[6]), IntegerArgs.of(new int[] {2}, 0, 3)), 0), "3", "[2, 3]");
    }

    static OpSpec categoricalEntropy() {
        return OpSpec.op("categoricalEntropy").cases(logits(false))
                .scratch((c, x) -> Distributions.categoricalEntropy(x.get(0)))
                .reference((c, x) -> Ref.categoricalEntropy(x.get(0)))
                .rejectsWhereTorchAccepts("0-d logits: the reference's softmax(-1) accepts a scalar; a categorical needs a class axis", zeros(new int[] {}), "class axis", "[]");
    }

    static OpSpec gaussianLogProb() {
        return OpSpec.op("gaussianLogProb").cases(gaussian())
                .scratch((c, x) -> Distributions.gaussianLogProb(x.get(0), x.get(1), x.get(2)))
                .reference((c, x) -> Ref.gaussianLogProb(x.get(0), x.get(1), x.get(2)))
                .rejects("a mean that does not broadcast with x", zeros(new int[] {2, 3}, new int[] {2}, new int[] {3}), "[2, 3]", "[2]");
    }

    static OpSpec gaussianEntropy() {
        return OpSpec.op("gaussianEntropy")
                .cases(s -> {
                    Case c = gaussian().draw(s);
                    // the mean of x's full shape: it fixes the event axis the entropy sums over
                    return new Case(List.of(c.input(0), c.input(2)), c.cotangentSeed());
                })
                .scratch((c, x) -> Distributions.gaussianEntropy(x.get(0), x.get(1)))
                .reference((c, x) -> Ref.gaussianEntropy(x.get(0), x.get(1)))
                // the entropy does not depend on the mean: torch gives it no gradient at all
                .constantInputs(0);
    }

    static OpSpec gaussianSample() {
        return OpSpec.op("gaussianSample (reparameterised, noise injected)").cases(gaussian())
                .scratch((c, x) -> Distributions.gaussianSample(x.get(1), x.get(2), x.get(0)))
                .reference((c, x) -> Ref.gaussianSample(x.get(1), x.get(2), x.get(0)));
    }

    @TestFactory
    Stream<DynamicTest> distributions() {
        return Parity.tests(categoricalLogProb(), categoricalEntropy(), gaussianLogProb(), gaussianEntropy(), gaussianSample());
    }
}
