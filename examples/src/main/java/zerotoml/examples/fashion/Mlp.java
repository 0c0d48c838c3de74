package zerotoml.examples.fashion;

import java.util.SplittableRandom;
import zerotoml.scratch.tensor.Activations;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * A two-layer perceptron classifier: logits = relu(x W₁ + b₁) W₂ + b₂.
 *
 * @param w1 [inputs, hidden]
 * @param b1 [hidden]
 * @param w2 [hidden, classes]
 * @param b2 [classes]
 */
public record Mlp(Tensor w1, Tensor b1, Tensor w2, Tensor b2) {

    /** torch.nn.Linear's default initialisation: weights and biases uniform in ±1/√fan_in, from a seed. */
    public static Mlp init(DType dt, int inputs, int hidden, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return new Mlp(uniform(r, dt, 1 / Math.sqrt(inputs), inputs, hidden), uniform(r, dt, 1 / Math.sqrt(inputs), hidden),
                uniform(r, dt, 1 / Math.sqrt(hidden), hidden, classes), uniform(r, dt, 1 / Math.sqrt(hidden), classes));
    }

    static Tensor uniform(SplittableRandom r, DType dt, double bound, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (2 * r.nextDouble() - 1) * bound;
        return Tensor.of(dt, v, shape);
    }

    /** logits [B, classes] for images x [B, inputs]. */
    public Tensor logits(Tensor x) {
        // logits = h W₂ + b₂
        return features(x).matmul(w2).add(b2);
    }

    /** The penultimate features h = relu(x W₁ + b₁) [B, hidden]. */
    public Tensor features(Tensor x) {
        return Activations.relu(x.matmul(w1).add(b1));
    }

    /** The index of the largest logit in each row of [B, classes] (first on ties). */
    public static int[] argmax(Tensor logits) {
        int b = logits.shape().dim(0), c = logits.shape().dim(1);
        double[] z = logits.rawData();
        int[] out = new int[b];
        for (int i = 0; i < b; i++) {
            int best = 0;
            for (int j = 1; j < c; j++) if (z[i * c + j] > z[i * c + best]) best = j;
            out[i] = best;
        }
        return out;
    }
}
