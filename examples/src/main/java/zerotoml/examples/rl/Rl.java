package zerotoml.examples.rl;

import java.util.List;
import zerotoml.scratch.nn.Init;
import zerotoml.scratch.nn.Linear;
import zerotoml.scratch.nn.Mlp;
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/** What the RL commands share: their networks' initialisation, and the returns of the latest episodes. */
final class Rl {
    private Rl() {}

    // W, b ~ U(±1/√fan_in) (nn.Linear's default), the last layer's bound times lastGain
    /**
     * A three-layer {@link Mlp} in → hidden → hidden → out in float64, nn.Linear's default init with the
     * last layer's bound scaled by {@code lastGain} (CleanRL's small policy head). Each tensor is drawn
     * from its own key ({@code w1}, {@code b1}, ... of {@code rng}), the keys of the published runs.
     */
    static Mlp.Params mlp(Rng rng, int in, int hidden, int out, double lastGain) {
        DType dt = DType.F64;
        double a = 1 / Math.sqrt(in), h = 1 / Math.sqrt(hidden), last = h * lastGain;
        return new Mlp.Params(List.of(
                new Linear.Params(Init.uniform(rng.split("w1"), dt, a, hidden, in), Init.uniform(rng.split("b1"), dt, a, hidden)),
                new Linear.Params(Init.uniform(rng.split("w2"), dt, h, hidden, hidden), Init.uniform(rng.split("b2"), dt, h, hidden)),
                new Linear.Params(Init.uniform(rng.split("w3"), dt, last, out, hidden), Init.uniform(rng.split("b3"), dt, last, out))));
    }

    /** The returns of the last {@code returns.size()} episodes (oldest first; the first {@code size − count} unused) and how many episodes ended. */
    record Recent(Tensor returns, int count) {
        static Recent of(int window) {
            return new Recent(Tensor.zeros(DType.F64, window), 0);
        }

        Recent add(double r) {
            double[] v = returns.toArray();
            System.arraycopy(v, 1, v, 0, v.length - 1);
            v[v.length - 1] = r;
            return new Recent(Tensor.of(DType.F64, v, v.length), count + 1);
        }

        /** The mean return of the last min(count, window) episodes; NaN before the first. */
        double mean() {
            double[] v = returns.toArray();
            int n = Math.min(count, v.length);
            double s = 0;
            for (int i = v.length - n; i < v.length; i++) s += v[i] / n;
            return n == 0 ? Double.NaN : s;
        }
    }
}
