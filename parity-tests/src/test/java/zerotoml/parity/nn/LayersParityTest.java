package zerotoml.parity.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import zerotoml.reference.cnn.Convolution;
import zerotoml.reference.cnn.TransposedConvolution;
import zerotoml.reference.nn.GroupNorm;
import zerotoml.reference.nn.Linear;
import zerotoml.reference.nn.Mlp;
import zerotoml.reference.nn.Sinusoidal;
import zerotoml.reference.tensor.Activations;
import zerotoml.scratch.nn.Activation;
import zerotoml.scratch.nn.Conv;

/**
 * The shared layers of {@code zerotoml.scratch.nn} against PyTorch: Linear, the convolution and
 * transposed-convolution layers, GroupNorm, the MLP and the timestep embedding. Every parameter is
 * an input of the case, so the gradient rows cover the output and every parameter's gradient.
 * LayerNorm, dropout and the positional encoding have their rows in {@code TransformerParityTest},
 * the embedding lookup in {@code IndexingParityTest}.
 */
class LayersParityTest {
    static final Domain STD = Domain.standard();

    static Case zeros(Map<String, Object> args, int[]... shapes) {
        List<Arr> in = new ArrayList<>();
        for (int[] s : shapes) in.add(new Arr(s, new double[Gens.size(s)]));
        return new Case(in, args, 0);
    }

    // ------------------------------------------------------------------ Linear

    /** x [lead…, in] (0 to 2 leading axes), W [out, in] and, when asked, b [out]. */
    static Gen<Case> linearCases(boolean bias) {
        return s -> {
            int[] lead = Gens.shape(0, 2, 4).draw(s);
            int in = s.intBetween(1, 5), out = s.intBetween(1, 5);
            int[] xs = java.util.Arrays.copyOf(lead, lead.length + 1);
            xs[lead.length] = in;
            List<Arr> a = new ArrayList<>(List.of(Cases.arr(s, xs, STD), Cases.arr(s, new int[] {out, in}, STD)));
            if (bias) a.add(Cases.arr(s, new int[] {out}, STD));
            return new Case(a, Map.of(), Cases.cotangentSeed(s));
        };
    }

    static OpSpec linear(boolean bias) {
        return OpSpec.op(bias ? "linear (layer)" : "linear (layer, no bias)").cases(linearCases(bias))
                .scratch((c, x) -> zerotoml.scratch.nn.Linear.linear(x.get(0), new zerotoml.scratch.nn.Linear.Params(x.get(1), bias ? x.get(2) : null)))
                .reference((c, x) -> Linear.linear(x.get(0), x.get(1), bias ? x.get(2) : null))
                .rejects("x's last axis unlike the weight's in", zeros(Map.of(), new int[] {2, 3}, new int[] {4, 2}, new int[] {4}), "[2, 3]", "[4, 2]");
    }

    // ------------------------------------------------------------------ convolution layers

    /** A 2-d conv layer case: x [N, C_in, H, W], weight, bias; stride 1..2, padding 0..1, groups 1..2. */
    static Gen<Case> convCases(boolean transposed) {
        return s -> {
            int groups = s.intBetween(1, 2);
            int cIn = groups * s.intBetween(1, 2), cOut = groups * s.intBetween(1, 2);
            int k = s.intBetween(1, 3), stride = s.intBetween(1, 2), pad = s.intBetween(0, Math.min(1, k - 1));
            int n = s.intBetween(1, 2), h = s.intBetween(k, 5), w = s.intBetween(k, 5);
            int[] ws = transposed ? new int[] {cIn, cOut / groups, k, k} : new int[] {cOut, cIn / groups, k, k};
            List<Arr> a = List.of(Cases.arr(s, new int[] {n, cIn, h, w}, STD), Cases.arr(s, ws, STD), Cases.arr(s, new int[] {cOut}, STD));
            return new Case(a, Map.of("stride", stride, "padding", pad, "groups", groups), Cases.cotangentSeed(s));
        };
    }

    static OpSpec conv() {
        return OpSpec.op("conv (2-d layer)").cases(convCases(false))
                .scratch((c, x) -> Conv.conv(x.get(0), new Conv.Params(x.get(1), x.get(2)),
                        zerotoml.scratch.cnn.Convolution.Spec.of(2).stride(c.intArg("stride"), c.intArg("stride"))
                                .padding(c.intArg("padding"), c.intArg("padding")).groups(c.intArg("groups"))))
                .reference((c, x) -> {
                    int st = c.intArg("stride"), p = c.intArg("padding");
                    return Convolution.conv(x.get(0), x.get(1), x.get(2), new int[] {st, st}, new int[] {p, p}, new int[] {p, p}, new int[] {1, 1}, c.intArg("groups"));
                });
    }

    static OpSpec convTranspose() {
        return OpSpec.op("convTranspose (2-d layer)").cases(convCases(true))
                .scratch((c, x) -> Conv.convTranspose(x.get(0), new Conv.Params(x.get(1), x.get(2)),
                        zerotoml.scratch.cnn.TransposedConvolution.Spec.of(2).stride(c.intArg("stride"), c.intArg("stride"))
                                .padding(c.intArg("padding"), c.intArg("padding")).groups(c.intArg("groups"))))
                .reference((c, x) -> {
                    int st = c.intArg("stride"), p = c.intArg("padding");
                    return TransposedConvolution.convTranspose(x.get(0), x.get(1), x.get(2), new int[] {st, st}, new int[] {p, p}, new int[] {0, 0},
                            new int[] {1, 1}, c.intArg("groups"));
                });
    }

    // ------------------------------------------------------------------ GroupNorm

    /** x [N, C, spatial…] with 0 to 2 spatial axes, groups dividing C, γ and β [C]. */
    static OpSpec groupNorm() {
        return OpSpec.op("groupNorm")
                .cases(s -> {
                    int groups = s.intBetween(1, 3);
                    int c = groups * s.intBetween(1, 2);
                    int[] spatial = Gens.shape(0, 2, 4).draw(s);
                    int[] xs = new int[spatial.length + 2];
                    xs[0] = s.intBetween(1, 3);
                    xs[1] = c;
                    System.arraycopy(spatial, 0, xs, 2, spatial.length);
                    List<Arr> a = List.of(Cases.arr(s, xs, STD), Cases.arr(s, new int[] {c}, STD), Cases.arr(s, new int[] {c}, STD));
                    return new Case(a, Map.of("groups", groups), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> zerotoml.scratch.nn.GroupNorm.groupNorm(x.get(0), c.intArg("groups"), new zerotoml.scratch.nn.GroupNorm.Params(x.get(1), x.get(2))))
                .reference((c, x) -> GroupNorm.groupNorm(x.get(0), c.intArg("groups"), x.get(1), x.get(2)))
                .rejects("channels not divisible by the groups", zeros(Map.of("groups", 2), new int[] {1, 3, 2}, new int[] {3}, new int[] {3}), "groups 2", "[1, 3, 2]")
                .rejects("x without the channel count of gamma", zeros(Map.of("groups", 1), new int[] {1, 4, 2}, new int[] {3}, new int[] {3}), "[1, 4, 2]", "[3]");
    }

    // ------------------------------------------------------------------ MLP

    /** x [B, in] and three layers in → h₁ → h₂ → out, as [W₁, b₁, W₂, b₂, W₃, b₃]. */
    static OpSpec mlp(Activation act, java.util.function.UnaryOperator<ai.djl.ndarray.NDArray> ref) {
        return OpSpec.op("mlp (" + act.name().toLowerCase() + ")")
                .cases(s -> {
                    int[] widths = {s.intBetween(1, 4), s.intBetween(1, 5), s.intBetween(1, 5), s.intBetween(1, 3)};
                    List<Arr> a = new ArrayList<>(List.of(Cases.arr(s, new int[] {s.intBetween(1, 3), widths[0]}, STD)));
                    for (int i = 0; i < 3; i++) {
                        a.add(Cases.arr(s, new int[] {widths[i + 1], widths[i]}, STD));
                        a.add(Cases.arr(s, new int[] {widths[i + 1]}, STD));
                    }
                    return new Case(a, Map.of(), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> {
                    List<zerotoml.scratch.nn.Linear.Params> ls = new ArrayList<>();
                    for (int i = 0; i < 3; i++) ls.add(new zerotoml.scratch.nn.Linear.Params(x.get(1 + 2 * i), x.get(2 + 2 * i)));
                    return zerotoml.scratch.nn.Mlp.mlp(x.get(0), new zerotoml.scratch.nn.Mlp.Params(ls), act);
                })
                .reference((c, x) -> Mlp.mlp(x.get(0), x.subList(1, 7), ref));
    }

    // ------------------------------------------------------------------ timestep embedding

    /**
     * t [N] of whole diffusion steps in [0, 1000], dim 2..9 (odd dims get the zero column),
     * flip and shift as diffusers' two common settings. t is data, but the embedding is smooth in
     * it, so its gradient is checked too.
     */
    static OpSpec timestep() {
        return OpSpec.op("timestep")
                .cases(s -> {
                    int n = s.intBetween(1, 4);
                    Arr t = Cases.arr(s, new int[] {n}, Domain.integers(0, 1000));
                    int shift = s.intBetween(0, 1);
                    // with shift 1, dim 2 or 3 would divide by half − shift = 0
                    int dim = s.intBetween(2 + 2 * shift, 9);
                    return new Case(List.of(t), Map.of("dim", dim, "flip", s.bool(), "shift", (double) shift), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> zerotoml.scratch.nn.Sinusoidal.timestep(x.get(0), c.intArg("dim"), c.boolArg("flip"), c.doubleArg("shift"), 10000))
                .reference((c, x) -> Sinusoidal.timestep(x.get(0), c.intArg("dim"), c.boolArg("flip"), c.doubleArg("shift"), 10000))
                .rejectsWhereTorchAccepts("dim 2 with shift 1: diffusers divides 0 by half − shift = 0 and returns NaN", zeros(Map.of("dim", 2, "flip", false, "shift", 1.0), new int[] {2}), "shift", "0")
                .rejectsWhereTorchAccepts("dim 1, which has no sin/cos pair: get_timestep_embedding returns a zero column; scratch asks for dim ≥ 2", zeros(Map.of("dim", 1, "flip", false, "shift", 0.0), new int[] {2}), "dim", "1");
    }

    @TestFactory
    Stream<DynamicTest> layers() {
        return Parity.tests(linear(true), linear(false), conv(), convTranspose(), groupNorm(),
                mlp(Activation.SILU, Activations::silu), mlp(Activation.TANH, Activations::tanh), timestep());
    }
}
