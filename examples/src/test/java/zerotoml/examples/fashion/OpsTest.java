package zerotoml.examples.fashion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * The example's stop-gap ReLU and cross-entropy (until scratch's own, with PyTorch parity, land):
 * values by hand and gradients against central finite differences in f64.
 */
class OpsTest {
    @Test
    void crossEntropyOfUniformLogitsIsLogOfTheClassCount() {
        Tensor z = Tensor.zeros(DType.F64, 3, 10);
        assertEquals(Math.log(10), Ops.crossEntropy(z, new int[] {0, 4, 9}).item(), 1e-15);
    }

    @Test
    void crossEntropyStaysFiniteForHugeLogits() {
        Tensor z = Tensor.of(DType.F32, new double[] {1e4, -1e4, 0, 0}, 2, 2);
        // row 0: lse − z₁ = 1e4 − (−1e4); row 1: log 2
        assertEquals((2e4 + Math.log(2)) / 2, Ops.crossEntropy(z, new int[] {1, 0}).item(), 1e-3);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(3);
        double[] w = new double[4 * 3];
        for (int i = 0; i < w.length; i++) w[i] = r.nextDouble() * 2 - 1;
        double[] x = new double[5 * 4];
        for (int i = 0; i < x.length; i++) x[i] = r.nextDouble() * 2 - 1;
        int[] y = {0, 2, 1, 1, 0};
        Tensor xt = Tensor.of(DType.F64, x, 5, 4);
        java.util.function.Function<Tensor, Tensor> loss = wt -> Ops.crossEntropy(Ops.relu(xt.matmul(wt)), y);
        double[] g = Autodiff.grad(loss, Tensor.of(DType.F64, w, 4, 3)).toArray();
        double h = 1e-6;
        for (int i = 0; i < w.length; i++) {
            double[] p = w.clone(), m = w.clone();
            p[i] += h;
            m[i] -= h;
            double fd = (loss.apply(Tensor.of(DType.F64, p, 4, 3)).item() - loss.apply(Tensor.of(DType.F64, m, 4, 3)).item()) / (2 * h);
            assertEquals(fd, g[i], 1e-5 + 1e-3 * Math.abs(fd), "d loss / d w[" + i + "]");
        }
    }

    @Test
    void badLabelsAreRejected() {
        Tensor z = Tensor.zeros(DType.F64, 2, 3);
        assertEquals("crossEntropy: label 3 is outside [0, 3)",
                assertThrows(IllegalArgumentException.class, () -> Ops.crossEntropy(z, new int[] {0, 3})).getMessage());
        assertEquals("crossEntropy: 1 labels for a batch of 2",
                assertThrows(IllegalArgumentException.class, () -> Ops.crossEntropy(z, new int[] {0})).getMessage());
    }
}
