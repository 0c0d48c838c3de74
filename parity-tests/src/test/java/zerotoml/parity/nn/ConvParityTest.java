package zerotoml.parity.nn;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gen;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Case.Arg;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.scratch.cnn.Convolution;
import zerotoml.scratch.cnn.TransposedConvolution;
import zerotoml.scratch.nn.Conv;

/**
 * The 2-d convolution and transposed-convolution layers ({@code scratch/nn/Conv}) against PyTorch:
 * weight, bias, stride, padding and groups.
 * Every parameter is an input of the case, so the gradient rows cover the output and every
 * parameter's gradient. The ops themselves have their rows in {@code cnn/ConvolutionParityTest}
 * and {@code cnn/TransposedConvolutionParityTest}.
 */
class ConvParityTest {
    static final Arg<Integer> STRIDE = Arg.integer("stride");
    static final Arg<Integer> PADDING = Arg.integer("padding");
    static final Arg<Integer> GROUPS = Arg.integer("groups");

    static final Domain STD = Domain.standard();

    /** A 2-d conv layer case: x [N, C_in, H, W], weight, bias; stride 1..2, padding 0..1, groups 1..2. */
    static Gen<Case> convCases(boolean transposed) {
        return s -> {
            int groups = s.intBetween(1, 2);
            int cIn = groups * s.intBetween(1, 2), cOut = groups * s.intBetween(1, 2);
            int k = s.intBetween(1, 3), stride = s.intBetween(1, 2), pad = s.intBetween(0, Math.min(1, k - 1));
            int n = s.intBetween(1, 2), h = s.intBetween(k, 5), w = s.intBetween(k, 5);
            int[] ws = transposed ? new int[] {cIn, cOut / groups, k, k} : new int[] {cOut, cIn / groups, k, k};
            List<Arr> a = List.of(Cases.arr(s, new int[] {n, cIn, h, w}, STD), Cases.arr(s, ws, STD), Cases.arr(s, new int[] {cOut}, STD));
            return new Case(a, Cases.cotangentSeed(s)).with(STRIDE, stride).with(PADDING, pad).with(GROUPS, groups);
        };
    }

    static OpSpec conv() {
        return OpSpec.op("conv (2-d layer)").cases(convCases(false))
                .scratch((c, x) -> Conv.conv(x.get(0), new Conv.Params(x.get(1), x.get(2)),
                        Convolution.Spec.of(2).stride(c.get(STRIDE), c.get(STRIDE))
                                .padding(c.get(PADDING), c.get(PADDING)).groups(c.get(GROUPS))))
                .reference((c, x) -> {
                    int st = c.get(STRIDE), p = c.get(PADDING);
                    return Ref.conv(x.get(0), x.get(1), x.get(2), new int[] {st, st}, new int[] {p, p}, new int[] {p, p}, new int[] {1, 1}, c.get(GROUPS));
                });
    }

    static OpSpec convTranspose() {
        return OpSpec.op("convTranspose (2-d layer)").cases(convCases(true))
                .scratch((c, x) -> Conv.convTranspose(x.get(0), new Conv.Params(x.get(1), x.get(2)),
                        TransposedConvolution.Spec.of(2).stride(c.get(STRIDE), c.get(STRIDE))
                                .padding(c.get(PADDING), c.get(PADDING)).groups(c.get(GROUPS))))
                .reference((c, x) -> {
                    int st = c.get(STRIDE), p = c.get(PADDING);
                    return Ref.convTranspose(x.get(0), x.get(1), x.get(2), new int[] {st, st}, new int[] {p, p}, new int[] {0, 0},
                            new int[] {1, 1}, c.get(GROUPS));
                });
    }

    @TestFactory
    Stream<DynamicTest> agreesWithPyTorch() {
        return Parity.tests(conv(), convTranspose());
    }
}
