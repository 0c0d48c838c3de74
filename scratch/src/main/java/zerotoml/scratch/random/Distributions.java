package zerotoml.scratch.random;

import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Indexing;
import zerotoml.scratch.tensor.Reductions;
import zerotoml.scratch.tensor.Selection;
import zerotoml.scratch.tensor.Shape;
import zerotoml.scratch.tensor.Softmax;
import zerotoml.scratch.tensor.Tensor;

/**
 * The two action distributions of policy-gradient RL, as {@code torch.distributions} defines them:
 * the categorical over the last axis of logits, and the diagonal Gaussian over the last axis of a
 * mean and a log standard deviation (the log-probability and entropy summed over that axis, as
 * CleanRL's PPO does with {@code Normal(mean, std).log_prob(a).sum(1)}). Log-probabilities and
 * entropies are composed from differentiable ops, so they take gradients with respect to the
 * logits, the mean and the log-std; samples come from an {@link Rng} key, or from injected noise.
 */
public final class Distributions {
    private Distributions() {}

    /** ½ ln 2π. */
    static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

    // ------------------------------------------------------------------ categorical

    // log p(k) = log softmax(logits)[k]
    /**
     * Categorical(logits).log_prob(actions): {@code logits} [..., K], one action per leading
     * position (row-major), result shaped like the leading axes.
     */
    public static Tensor categoricalLogProb(Tensor logits, int[] actions) {
        requireClassAxis("categoricalLogProb", logits);
        if (actions == null) throw new IllegalArgumentException("categoricalLogProb: actions is null (logits " + logits.shape() + ")");
        int[] lead = leading(logits);
        if (actions.length != Shape.of(lead).size()) {
            throw new IllegalArgumentException("categoricalLogProb: " + actions.length + " actions for logits " + logits.shape()
                    + ", which need one per position of " + Shape.of(lead));
        }
        int k = logits.shape().dim(-1);
        for (int i = 0; i < actions.length; i++) {
            if (actions[i] < 0 || actions[i] >= k) {
                throw new IllegalArgumentException("categoricalLogProb: actions holds " + actions[i] + " at position " + i
                        + ", not a class in [0, " + k + ") (logits " + logits.shape() + ")");
            }
        }
        int[] one = java.util.Arrays.copyOf(lead, lead.length + 1);
        one[lead.length] = 1;
        Tensor picked = Indexing.takeAlongDim(Softmax.logSoftmax(logits, -1), actions, Shape.of(one), -1);
        return picked.reshape(lead);
    }

    // H = −Σ_k p_k log p_k,  p = softmax(logits),  log p clamped at the dtype's lowest finite value (so 0 · −∞ counts as 0)
    /**
     * Categorical(logits).entropy() over the last axis. As in torch.distributions.Categorical, log p
     * is clamped at the dtype's most negative finite number, so a class of probability 0 (a logit of
     * −∞) adds 0, not NaN.
     */
    public static Tensor categoricalEntropy(Tensor logits) {
        requireClassAxis("categoricalEntropy", logits);
        double lowest = logits.dtype() == DType.F32 ? -Float.MAX_VALUE : -Double.MAX_VALUE;
        Tensor logP = Selection.clamp(Softmax.logSoftmax(logits, -1), lowest, Double.POSITIVE_INFINITY);
        Tensor p = Softmax.softmax(logits, -1);
        return Arithmetic.neg(Reductions.sum(Arithmetic.mul(p, logP), new int[] {-1}, false));
    }

    /** One action per leading position of {@code logits} [..., K], drawn from softmax(logits) with {@code rng}. */
    public static int[] categoricalSample(Tensor logits, Rng rng) {
        requireClassAxis("categoricalSample", logits);
        if (rng == null) throw new IllegalArgumentException("categoricalSample: rng is null (logits " + logits.shape() + ")");
        return rng.categorical(Softmax.softmax(logits.detach(), -1), 1);
    }

    // ------------------------------------------------------------------ diagonal Gaussian

    // log p(x) = Σ_last [ −(x − μ)² / (2σ²) − log σ − ½ log 2π ],  σ = e^{logStd}
    /**
     * Normal(mean, exp(logStd)).log_prob(x).sum(-1): the log-density of a diagonal Gaussian, summed
     * over the last axis. The three tensors broadcast (a state-independent logStd of shape [A] is
     * the common case); the result drops the last axis.
     */
    public static Tensor gaussianLogProb(Tensor x, Tensor mean, Tensor logStd) {
        Shape s = gaussianShape("gaussianLogProb", x, mean, logStd);
        // z = (x − μ) / σ
        Tensor z = Arithmetic.mul(Arithmetic.sub(x, mean), Arithmetic.exp(Arithmetic.neg(logStd)));
        // per-dimension log-density: −½ z² − log σ − ½ log 2π
        Tensor perDim = Arithmetic.sub(Arithmetic.add(Arithmetic.mul(Arithmetic.mul(z, z), -0.5), -HALF_LOG_2PI), logStd);
        return Reductions.sum(broadcastTo(perDim, s), new int[] {-1}, false);
    }

    // H = Σ_last [ ½ + ½ log 2π + log σ ]
    /**
     * Normal(mean, exp(logStd)).entropy().sum(-1): the entropy of a diagonal Gaussian, which depends
     * on the log-std only; {@code mean} fixes the shape the result broadcasts to.
     */
    public static Tensor gaussianEntropy(Tensor mean, Tensor logStd) {
        Shape s = gaussianShape("gaussianEntropy", mean, mean, logStd);
        Tensor perDim = Arithmetic.add(logStd, 0.5 + HALF_LOG_2PI);
        return Reductions.sum(broadcastTo(perDim, s), new int[] {-1}, false);
    }

    // x = μ + σ ⊙ ε  (the reparameterisation: differentiable in μ and logStd)
    /** A reparameterised sample μ + e^{logStd} ⊙ ε for given noise ε (Normal.rsample with injected noise). */
    public static Tensor gaussianSample(Tensor mean, Tensor logStd, Tensor eps) {
        gaussianShape("gaussianSample", eps, mean, logStd);
        return Arithmetic.add(mean, Arithmetic.mul(Arithmetic.exp(logStd), eps));
    }

    /** A reparameterised sample with ε ~ N(0, 1) from {@code rng}, shaped like mean and logStd broadcast together. */
    public static Tensor gaussianSample(Tensor mean, Tensor logStd, Rng rng) {
        if (rng == null) throw new IllegalArgumentException("gaussianSample: rng is null");
        Shape s = gaussianShape("gaussianSample", mean, mean, logStd);
        return gaussianSample(mean, logStd, rng.normal(DType.promote(mean.dtype(), logStd.dtype()), s.dims()));
    }

    // ------------------------------------------------------------------ checks

    private static void requireClassAxis(String op, Tensor logits) {
        if (logits == null) throw new IllegalArgumentException(op + ": logits is null");
        if (logits.rank() == 0 || logits.shape().dim(-1) == 0) {
            throw new IllegalArgumentException(op + ": logits must have a non-empty class axis, got shape " + logits.shape());
        }
    }

    private static int[] leading(Tensor t) {
        return java.util.Arrays.copyOf(t.shape().dims(), t.rank() - 1);
    }

    /** The broadcast shape of the three, which must have an event axis (rank ≥ 1). */
    private static Shape gaussianShape(String op, Tensor x, Tensor mean, Tensor logStd) {
        if (x == null || mean == null || logStd == null) throw new IllegalArgumentException(op + ": x, mean and logStd are required");
        Shape s;
        try {
            s = Shape.broadcast(op, Shape.broadcast(op, x.shape(), mean.shape()), logStd.shape());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + ": shapes do not broadcast (x " + x.shape() + ", mean " + mean.shape() + ", logStd " + logStd.shape() + ")", e);
        }
        if (s.rank() == 0) {
            throw new IllegalArgumentException(op + ": needs an event axis (the last one) to sum over, but x " + x.shape() + ", mean " + mean.shape()
                    + " and logStd " + logStd.shape() + " are all 0-d");
        }
        return s;
    }

    private static Tensor broadcastTo(Tensor t, Shape s) {
        return t.shape().equals(s) ? t : zerotoml.scratch.tensor.Shapes.broadcastTo(t, s.dims());
    }
}
