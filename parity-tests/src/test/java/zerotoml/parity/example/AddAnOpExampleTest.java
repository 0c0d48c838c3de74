package zerotoml.parity.example;

import ai.djl.ndarray.NDArray;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.tensor.Arithmetic;
import zerotoml.scratch.tensor.Elementwise;
import zerotoml.scratch.tensor.Tensor;

/**
 * How to add an op, as a test that runs on every build: softsign(x) = x / (1 + |x|).
 * In the project the scratch side lives in {@code scratch/}, the reference side in
 * {@code reference/}, and the spec in {@code parity-tests/}; here all three sit in one file.
 */
class AddAnOpExampleTest {
    // 1. Scratch: the scalar function and its derivative; Elementwise does the loops, the dtype,
    //    and the recording on the tape (the same helper every built-in element-wise op uses).
    //    softsign(x) = x / (1 + |x|);  ∂x = g / (1 + |x|)²
    static Tensor softsign(Tensor x) {
        return Elementwise.unary("softsign", x, v -> v / (1 + Math.abs(v)),
                (g, in, out) -> Arithmetic.mul(g, Elementwise.map(in, v -> 1 / ((1 + Math.abs(v)) * (1 + Math.abs(v))))));
    }

    // 2. Reference: the same function from DJL ops; PyTorch autograd supplies its gradient.
    //    (1f, not 1.0: a Java double would turn a float32 scalar into float64; see DJL.md)
    static NDArray softsign(NDArray x) {
        return x.div(x.abs().add(1f));
    }

    // 3. One spec gets the whole harness: forward and gradient against PyTorch in f32 and f64,
    //    finite differences in f64, shrinking, replay, and rows in the parity report.
    @TestFactory
    Stream<DynamicTest> softsignMatchesPyTorch() {
        return Parity.tests(OpSpec.op("softsign (example)")
                .cases(Cases.unary(Domain.standard()))   // any shape of rank 0..4, values in [-3, 3]
                .scratch((c, x) -> softsign(x.get(0)))
                .reference((c, x) -> softsign(x.get(0))));
        // An op with bad inputs adds .rejects("why", badCase, "words the message must contain").
    }
}
