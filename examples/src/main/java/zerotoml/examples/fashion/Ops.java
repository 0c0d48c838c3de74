package zerotoml.examples.fashion;

import zerotoml.scratch.tensor.Shape;
import zerotoml.scratch.tensor.Tensor;

/**
 * The two ops the classifier needs that scratch's {@code main} does not have yet: ReLU and
 * softmax cross-entropy with integer labels. Both are being added to scratch, with PyTorch parity,
 * by other branches (activations and losses); when they land, the model should call those and this
 * file should go. Written with {@link Tensor#record} like every scratch primitive.
 */
final class Ops {
    private Ops() {}

    // out = max(x, 0);  ∂x = g · [x > 0]
    static Tensor relu(Tensor x) {
        double[] in = x.rawData();
        double[] out = new double[in.length];
        for (int i = 0; i < out.length; i++) out[i] = in[i] > 0 ? in[i] : 0;
        return Tensor.record("relu", x.shape(), x.dtype(), out, g -> {
            double[] gd = g.rawData();
            double[] dx = new double[gd.length];
            for (int i = 0; i < dx.length; i++) dx[i] = in[i] > 0 ? gd[i] : 0;
            return new Tensor[] {Tensor.of(g.dtype(), dx, x.shape())};
        }, x);
    }

    /**
     * Mean cross-entropy of logits [B, C] against labels in [0, C):
     * loss = (1/B) Σᵢ (log Σⱼ exp zᵢⱼ − zᵢ,yᵢ);  ∂zᵢⱼ = g · (softmax(zᵢ)ⱼ − [j = yᵢ]) / B.
     */
    static Tensor crossEntropy(Tensor logits, int[] labels) {
        if (logits.rank() != 2) throw new IllegalArgumentException("crossEntropy: logits must be [batch, classes], got " + logits.shape());
        int b = logits.shape().dim(0), c = logits.shape().dim(1);
        if (labels.length != b) throw new IllegalArgumentException("crossEntropy: " + labels.length + " labels for a batch of " + b);
        double[] z = logits.rawData();
        double[] p = new double[z.length];
        double loss = 0;
        for (int i = 0; i < b; i++) {
            if (labels[i] < 0 || labels[i] >= c) throw new IllegalArgumentException("crossEntropy: label " + labels[i] + " is outside [0, " + c + ")");
            // log Σ exp z = m + log Σ exp(z − m), m = max z (stable)
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) m = Math.max(m, z[i * c + j]);
            double s = 0;
            for (int j = 0; j < c; j++) s += Math.exp(z[i * c + j] - m);
            double lse = m + Math.log(s);
            for (int j = 0; j < c; j++) p[i * c + j] = Math.exp(z[i * c + j] - lse);
            loss += lse - z[i * c + labels[i]];
        }
        int[] y = labels.clone();
        return Tensor.record("crossEntropy", Shape.of(), logits.dtype(), new double[] {loss / b}, g -> {
            double scale = g.item() / b;
            double[] dz = new double[p.length];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < c; j++) dz[i * c + j] = scale * (p[i * c + j] - (j == y[i] ? 1 : 0));
            }
            return new Tensor[] {Tensor.of(logits.dtype(), dz, logits.shape())};
        }, logits);
    }

    /** The index of the largest logit in each row (first on ties). */
    static int[] argmax(Tensor logits) {
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
