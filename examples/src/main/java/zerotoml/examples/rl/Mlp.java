package zerotoml.examples.rl;

import zerotoml.scratch.nn.Linear;
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.tensor.Activations;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;
import zerotoml.scratch.transformer.Transformer;

/**
 * A three-layer perceptron in nn.Linear's layout (weights [out, in]): x → act(W₁x + b₁) → act(W₂h + b₂) → W₃h + b₃,
 * the actor and critic bodies of CleanRL's PPO (tanh) and SAC (ReLU).
 */
public record Mlp(Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor w3, Tensor b3) {

    /** torch.nn.Linear's default init, uniform in ±1/√fan_in, with the last layer's weights scaled by {@code lastGain}. */
    public static Mlp init(Rng rng, int in, int hidden, int out, double lastGain) {
        DType dt = DType.F64;
        double a = 1 / Math.sqrt(in), h = 1 / Math.sqrt(hidden);
        return new Mlp(rng.split("w1").uniform(dt, -a, a, hidden, in), rng.split("b1").uniform(dt, -a, a, hidden),
                rng.split("w2").uniform(dt, -h, h, hidden, hidden), rng.split("b2").uniform(dt, -h, h, hidden),
                rng.split("w3").uniform(dt, -h * lastGain, h * lastGain, out, hidden), rng.split("b3").uniform(dt, -h * lastGain, h * lastGain, out));
    }

    public Tensor forward(Tensor x, boolean tanh) {
        Tensor h1 = Linear.linear(x, w1, b1);
        h1 = tanh ? Activations.tanh(h1) : Activations.relu(h1);
        Tensor h2 = Linear.linear(h1, w2, b2);
        h2 = tanh ? Activations.tanh(h2) : Activations.relu(h2);
        return Linear.linear(h2, w3, b3);
    }
}
