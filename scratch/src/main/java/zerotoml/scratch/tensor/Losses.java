package zerotoml.scratch.tensor;

import java.util.Arrays;

/**
 * Losses as PyTorch defines them ({@code F.cross_entropy}, {@code F.mse_loss}, {@code F.l1_loss}),
 * composed from primitives so that they differentiate for free.
 *
 * <p>The class axis of cross-entropy is the last one, so the same call serves [N, C] logits and
 * a language model's [B, T, V]; in PyTorch the latter is
 * {@code F.cross_entropy(logits.view(-1, V), targets.view(-1))}. Unlike PyTorch there is no
 * {@code ignore_index}: every target must be a class in [0, C), and -100 is an error, not a skip.
 */
public final class Losses {
    private Losses() {}

    /** How per-element losses become the result. */
    public enum Reduction {
        /** The average over all elements (for cross-entropy: over all target positions). */
        MEAN,
        /** The sum over all elements. */
        SUM
    }

    /**
     * Cross-entropy of logits [..., C] against one integer class per leading position, given in
     * row-major order ({@code targets.length} = the product of the leading dimensions).
     */
    // ℓᵢ = -log softmax(logitsᵢ)[targetᵢ] = -(logitsᵢ - logsumexp(logitsᵢ))[targetᵢ];  out = mean or Σ ℓᵢ
    public static Tensor crossEntropy(Tensor logits, int[] targets, Reduction reduction) {
        Args.nonNull("crossEntropy", "logits", logits);
        Args.nonNull("crossEntropy", "targets", targets);
        Args.nonNull("crossEntropy", "reduction", reduction);
        if (logits.rank() == 0) {
            throw new IllegalArgumentException("crossEntropy: logits must have a class axis, got shape " + logits.shape());
        }
        int c = logits.shape().dim(-1);
        int[] lead = Arrays.copyOf(logits.shape().dims(), logits.rank() - 1);
        Shape leadShape = Shape.of(lead);
        if (targets.length != leadShape.size()) {
            throw new IllegalArgumentException("crossEntropy: " + targets.length + " targets for logits " + logits.shape()
                    + ", which need one per position of " + leadShape + " (" + leadShape.size() + ")");
        }
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] < 0 || targets[i] >= c) {
                throw new IllegalArgumentException("crossEntropy: targets holds " + targets[i] + " at position " + i
                        + ", not a class in [0, " + c + ") (logits " + logits.shape() + ")");
            }
        }
        // lp = log softmax(logits) along the class axis
        Tensor lp = Softmax.logSoftmax(logits, -1);
        // picked[i] = lp[i, targetᵢ]
        int[] indexShape = Arrays.copyOf(lead, lead.length + 1);
        indexShape[lead.length] = 1;
        Tensor picked = Indexing.gather(lp, -1, targets, Shape.of(indexShape));
        // out = -mean(picked) or -Σ picked
        return Arithmetic.neg(reduce(picked, reduction));
    }

    // out = mean or Σ (a - b)²
    /** Mean squared error (or its sum) of two tensors of the same shape. */
    public static Tensor mse(Tensor a, Tensor b, Reduction reduction) {
        sameShape("mse", a, b);
        Args.nonNull("mse", "reduction", reduction);
        Tensor d = Arithmetic.sub(a, b);
        return reduce(Arithmetic.mul(d, d), reduction);
    }

    // out = mean or Σ |a - b|  (∂ at a = b is 0, as PyTorch's sign(0) = 0)
    /** Mean absolute error (or its sum) of two tensors of the same shape. */
    public static Tensor l1(Tensor a, Tensor b, Reduction reduction) {
        sameShape("l1", a, b);
        Args.nonNull("l1", "reduction", reduction);
        return reduce(Arithmetic.abs(Arithmetic.sub(a, b)), reduction);
    }

    // ℓ = ½ d² if |d| < δ, else δ · (|d| − ½ δ),  d = a − b;  ∂d = clamp(d, −δ, δ)
    /**
     * Huber loss (F.huber_loss with {@code delta}): quadratic within δ of the target, linear beyond,
     * so large errors pull with a bounded gradient. δ must be positive, as in PyTorch.
     */
    public static Tensor huber(Tensor a, Tensor b, double delta, Reduction reduction) {
        sameShape("huber", a, b);
        Args.nonNull("huber", "reduction", reduction);
        if (!(delta > 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("huber: delta must be finite and > 0, got " + delta + " (input " + a.shape() + ")");
        }
        return reduce(Elementwise.unary("huber", Arithmetic.sub(a, b), d -> Math.abs(d) < delta ? 0.5 * d * d : delta * (Math.abs(d) - 0.5 * delta),
                (g, d, o) -> Arithmetic.mul(g, Elementwise.map(d, v -> Math.max(-delta, Math.min(delta, v))))), reduction);
    }

    // ℓ = ½ d² / β if |d| < β, else |d| − ½ β,  d = a − b;  ∂d = clamp(d / β, −1, 1)   (β = 0: ℓ = |d|)
    /**
     * Smooth L1 loss (F.smooth_l1_loss with {@code beta}): Huber divided by β, so the linear part
     * has slope 1. β = 0 is the L1 loss, as in PyTorch; a negative β is an error.
     */
    public static Tensor smoothL1(Tensor a, Tensor b, double beta, Reduction reduction) {
        sameShape("smoothL1", a, b);
        Args.nonNull("smoothL1", "reduction", reduction);
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("smoothL1: beta must be finite and ≥ 0, got " + beta + " (input " + a.shape() + ")");
        }
        if (beta == 0) return l1(a, b, reduction);
        return reduce(Elementwise.unary("smoothL1", Arithmetic.sub(a, b), d -> Math.abs(d) < beta ? 0.5 * d * d / beta : Math.abs(d) - 0.5 * beta,
                (g, d, o) -> Arithmetic.mul(g, Elementwise.map(d, v -> Math.max(-1, Math.min(1, v / beta))))), reduction);
    }

    private static Tensor reduce(Tensor x, Reduction r) {
        return r == Reduction.MEAN ? Reductions.mean(x) : Reductions.sum(x);
    }

    /**
     * PyTorch broadcasts the two arguments of mse_loss and l1_loss with only a warning; [N] against
     * [N, 1] then silently becomes an [N, N] loss. We reject any shape mismatch instead.
     */
    private static void sameShape(String op, Tensor a, Tensor b) {
        Args.nonNull(op, "input", a);
        Args.nonNull(op, "target", b);
        if (!a.shape().equals(b.shape())) {
            throw new IllegalArgumentException(op + ": input and target shapes differ (" + a.shape() + " vs " + b.shape()
                    + "); broadcasting a loss is almost always a bug");
        }
    }
}
