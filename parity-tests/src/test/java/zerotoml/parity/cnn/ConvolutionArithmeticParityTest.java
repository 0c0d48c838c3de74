package zerotoml.parity.cnn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Gens;
import zerotoml.fixtures.Property;
import zerotoml.fixtures.Source;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Case;
import zerotoml.parity.harness.Cases;
import zerotoml.parity.harness.OpSpec;
import zerotoml.parity.harness.Parity;
import zerotoml.reference.Torch;
import zerotoml.scratch.cnn.Convolution;
import zerotoml.scratch.cnn.ConvolutionArithmetic;
import zerotoml.scratch.cnn.Pooling;
import zerotoml.scratch.cnn.TransposedConvolution;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Shape;
import zerotoml.scratch.tensor.Tensor;

/**
 * Convolution arithmetic (Dumoulin &amp; Visin, arXiv 1603.07285) against PyTorch: convolution,
 * transposed convolution, max, average, adaptive and global pooling in 1, 2 and 3 spatial
 * dimensions, forward and gradients in f32 and f64, finite differences, and bad inputs. Then
 * the paper's relationships (output sizes against the formulas and against PyTorch) and its
 * identities (transposed convolution = gradient of convolution, the adjoint test, dilation = a
 * zero-dilated kernel), the identities checked in scratch alone.
 */
class ConvolutionArithmeticParityTest {

    // ------------------------------------------------------------------ case generators

    /** Per-axis size limits: 3-d cases stay tiny so finite differences stay fast. */
    static int maxKernel(int dims) { return dims == 3 ? 2 : 3; }
    static int spare(int dims) { return dims == 3 ? 1 : 3; }

    static Arr arr(Source s, int[] shape) {
        return Cases.arr(s, shape, Domain.standard());
    }

    static int[] shape(int... d) {
        return d;
    }

    /** conv: groups 1..3 (depthwise when 1 channel per group), kernel up to the padded input, stride above kernel, dilation 1..3, padding explicit (asymmetric too), valid, same or full. */
    static Gen<Case> convCases(int dims) {
        return s -> {
            int n = s.intBetween(1, 2), g = s.pick(1, 2, 3), cInG = s.intBetween(1, 2), cOutG = s.intBetween(1, 2);
            String mode = s.pick("explicit", "valid", "same", "full");
            int[] k = new int[dims], st = new int[dims], d = new int[dims], lo = new int[dims], hi = new int[dims], in = new int[dims];
            boolean symmetric = s.bool();
            for (int j = 0; j < dims; j++) {
                k[j] = s.intBetween(1, maxKernel(dims));
                d[j] = s.intBetween(1, 3);
                st[j] = mode.equals("same") ? 1 : s.intBetween(1, 4);
                int[] p = switch (mode) {
                    case "valid" -> new int[] {0, 0};
                    case "same" -> new int[] {d[j] * (k[j] - 1) / 2, d[j] * (k[j] - 1) - d[j] * (k[j] - 1) / 2};
                    case "full" -> new int[] {d[j] * (k[j] - 1), d[j] * (k[j] - 1)};
                    default -> {
                        int a = s.intBetween(0, 2);
                        yield new int[] {a, symmetric ? a : s.intBetween(0, 2)};
                    }
                };
                lo[j] = p[0];
                hi[j] = p[1];
                int kHat = d[j] * (k[j] - 1) + 1;
                in[j] = Math.max(1, kHat - lo[j] - hi[j]) + s.intBetween(0, spare(dims));
            }
            boolean bias = s.bool();
            List<Arr> xs = new ArrayList<>();
            xs.add(arr(s, concat(new int[] {n, g * cInG}, in)));
            xs.add(arr(s, concat(new int[] {g * cOutG, cInG}, k)));
            if (bias) xs.add(arr(s, new int[] {g * cOutG}));
            Map<String, Object> args = new LinkedHashMap<>();
            args.put("mode", mode);
            args.put("stride", st);
            args.put("padLo", lo);
            args.put("padHi", hi);
            args.put("dilation", d);
            args.put("groups", g);
            return new Case(xs, args, Cases.cotangentSeed(s));
        };
    }

    static int[] concat(int[] a, int[] b) {
        int[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static Tensor scratchConv(Case c, List<Tensor> x) {
        int[] st = c.intsArg("stride");
        Convolution.Spec spec = Convolution.Spec.of(st.length).stride(st).dilation(c.intsArg("dilation")).groups(c.intArg("groups"));
        spec = switch (c.stringArg("mode")) {
            case "valid" -> spec.padding(Convolution.Padding.VALID);
            case "same" -> spec.padding(Convolution.Padding.SAME);
            case "full" -> spec.padding(Convolution.Padding.FULL);
            default -> spec.padding(c.intsArg("padLo"), c.intsArg("padHi"));
        };
        return Convolution.conv(x.get(0), x.get(1), x.size() > 2 ? x.get(2) : null, spec);
    }

    /** The reference chooses its own padding: PyTorch's 'same' rule, d(k − 1) for 'full', 0 for 'valid'. */
    static NDArray referenceConv(Case c, List<NDArray> x) {
        int[] st = c.intsArg("stride"), d = c.intsArg("dilation"), lo = c.intsArg("padLo"), hi = c.intsArg("padHi");
        int dims = st.length;
        long[] ws = x.get(1).getShape().getShape();
        int[] k = new int[dims];
        for (int j = 0; j < dims; j++) k[j] = (int) ws[2 + j];
        switch (c.stringArg("mode")) {
            case "valid" -> {
                lo = new int[dims];
                hi = new int[dims];
            }
            case "same" -> {
                int[][] p = zerotoml.reference.cnn.Convolution.samePadding(k, d);
                lo = p[0];
                hi = p[1];
            }
            case "full" -> {
                lo = new int[dims];
                for (int j = 0; j < dims; j++) lo[j] = d[j] * (k[j] - 1);
                hi = lo;
            }
            default -> { }
        }
        return zerotoml.reference.cnn.Convolution.conv(x.get(0), x.get(1), x.size() > 2 ? x.get(2) : null, st, lo, hi, d, c.intArg("groups"));
    }

    /** A conv2d case with explicit symmetric arguments, for rejections. */
    static Case conv2d(int[] x, int[] w, int stride, int pad, int dilation, int groups) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("mode", "explicit");
        args.put("stride", new int[] {stride, stride});
        args.put("padLo", new int[] {pad, pad});
        args.put("padHi", new int[] {pad, pad});
        args.put("dilation", new int[] {dilation, dilation});
        args.put("groups", groups);
        return new Case(List.of(zeros(x), zeros(w)), args, 0);
    }

    static Arr zeros(int[] shape) {
        int n = 1;
        for (int v : shape) n *= v;
        return new Arr(shape, new double[n]);
    }

    static OpSpec conv(int dims) {
        OpSpec spec = OpSpec.op("conv" + dims + "d").cases(convCases(dims))
                .scratch(ConvolutionArithmeticParityTest::scratchConv)
                .reference(ConvolutionArithmeticParityTest::referenceConv);
        if (dims != 2) return spec;
        return spec
                .rejects("a kernel larger than the padded input", conv2d(shape(1, 1, 2, 2), shape(1, 1, 3, 3), 1, 0, 1, 1), "kernel", "[1, 1, 2, 2]", "[1, 1, 3, 3]")
                .rejects("a dilated kernel larger than the padded input", conv2d(shape(1, 1, 4, 4), shape(1, 1, 3, 3), 1, 0, 2, 1), "kernel", "[1, 1, 4, 4]")
                .rejects("stride 0", conv2d(shape(1, 1, 4, 4), shape(1, 1, 3, 3), 0, 0, 1, 1), "stride")
                .rejects("dilation 0", conv2d(shape(1, 1, 4, 4), shape(1, 1, 3, 3), 1, 0, 0, 1), "dilation")
                .rejects("negative padding", conv2d(shape(1, 1, 4, 4), shape(1, 1, 3, 3), 1, -1, 1, 1), "padding")
                .rejects("input channels not divisible by groups", conv2d(shape(1, 3, 4, 4), shape(2, 1, 3, 3), 1, 0, 1, 2), "groups", "[1, 3, 4, 4]")
                .rejects("output channels not divisible by groups", conv2d(shape(1, 4, 4, 4), shape(3, 2, 3, 3), 1, 0, 1, 2), "groups", "[3, 2, 3, 3]")
                .rejects("input channels that do not match the weight", conv2d(shape(1, 3, 4, 4), shape(2, 4, 3, 3), 1, 0, 1, 1), "channels", "[1, 3, 4, 4]", "[2, 4, 3, 3]")
                .rejects("an input of rank 2", conv2d(shape(4, 4), shape(1, 1, 3, 3), 1, 0, 1, 1), "rank", "[4, 4]")
                .rejects("a weight of rank 3", conv2d(shape(1, 1, 4, 4), shape(1, 1, 3), 1, 0, 1, 1), "rank", "[1, 1, 3]");
    }

    /** convTranspose: stride 1..3, padding up to 3 (beyond d(k − 1) it crops), output padding below max(s, d), dilation 1..3, groups. */
    static Gen<Case> transposedCases(int dims) {
        return s -> {
            int n = s.intBetween(1, 2), g = s.pick(1, 2, 3), cInG = s.intBetween(1, 2), cOutG = s.intBetween(1, 2);
            int[] k = new int[dims], st = new int[dims], d = new int[dims], p = new int[dims], a = new int[dims], in = new int[dims];
            for (int j = 0; j < dims; j++) {
                k[j] = s.intBetween(1, maxKernel(dims));
                st[j] = s.intBetween(1, 3);
                d[j] = s.intBetween(1, dims == 3 ? 2 : 3);
                a[j] = s.intBetween(0, Math.max(st[j], d[j]) - 1);
                in[j] = s.intBetween(1, dims == 3 ? 2 : 3);
                int room = st[j] * (in[j] - 1) + d[j] * (k[j] - 1) + a[j];
                p[j] = s.intBetween(0, Math.min(3, room / 2));
            }
            List<Arr> xs = new ArrayList<>();
            xs.add(arr(s, concat(new int[] {n, g * cInG}, in)));
            xs.add(arr(s, concat(new int[] {g * cInG, cOutG}, k)));
            if (s.bool()) xs.add(arr(s, new int[] {g * cOutG}));
            Map<String, Object> args = new LinkedHashMap<>();
            args.put("stride", st);
            args.put("padding", p);
            args.put("outputPadding", a);
            args.put("dilation", d);
            args.put("groups", g);
            return new Case(xs, args, Cases.cotangentSeed(s));
        };
    }

    static Case convT2d(int[] x, int[] w, int stride, int pad, int outPad, int dilation, int groups) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("stride", new int[] {stride, stride});
        args.put("padding", new int[] {pad, pad});
        args.put("outputPadding", new int[] {outPad, outPad});
        args.put("dilation", new int[] {dilation, dilation});
        args.put("groups", groups);
        return new Case(List.of(zeros(x), zeros(w)), args, 0);
    }

    static OpSpec convTranspose(int dims) {
        OpSpec spec = OpSpec.op("convTranspose" + dims + "d").cases(transposedCases(dims))
                .scratch((c, x) -> TransposedConvolution.convTranspose(x.get(0), x.get(1), x.size() > 2 ? x.get(2) : null,
                        TransposedConvolution.Spec.of(dims).stride(c.intsArg("stride")).padding(c.intsArg("padding"))
                                .outputPadding(c.intsArg("outputPadding")).dilation(c.intsArg("dilation")).groups(c.intArg("groups"))))
                .reference((c, x) -> zerotoml.reference.cnn.TransposedConvolution.convTranspose(x.get(0), x.get(1), x.size() > 2 ? x.get(2) : null,
                        c.intsArg("stride"), c.intsArg("padding"), c.intsArg("outputPadding"), c.intsArg("dilation"), c.intArg("groups")));
        if (dims != 2) return spec;
        String unreachable = " (PyTorch's conv_transpose rejects it, but DJL cannot call conv_transpose, and the composed reference does not check it)";
        return spec
                .rejectsWhereTorchAccepts("output padding equal to stride and dilation" + unreachable, convT2d(shape(1, 1, 3, 3), shape(1, 1, 3, 3), 2, 0, 2, 1, 1), "output padding", "[1, 1, 3, 3]")
                .rejectsWhereTorchAccepts("output padding above stride and dilation" + unreachable, convT2d(shape(1, 1, 3, 3), shape(1, 1, 3, 3), 1, 0, 1, 1, 1), "output padding")
                .rejectsWhereTorchAccepts("stride 0" + unreachable, convT2d(shape(1, 1, 3, 3), shape(1, 1, 3, 3), 0, 0, 0, 1, 1), "stride")
                .rejects("dilation 0", convT2d(shape(1, 1, 3, 3), shape(1, 1, 3, 3), 1, 0, 0, 0, 1), "dilation")
                .rejects("input channels not divisible by groups", convT2d(shape(1, 3, 3, 3), shape(3, 1, 3, 3), 1, 0, 0, 1, 2), "groups", "[1, 3, 3, 3]")
                .rejectsWhereTorchAccepts("padding that leaves no output" + unreachable, convT2d(shape(1, 1, 1, 1), shape(1, 1, 1, 1), 1, 1, 0, 1, 1), "output size")
                .rejects("an input of rank 2", convT2d(shape(3, 3), shape(1, 1, 3, 3), 1, 0, 0, 1, 1), "rank", "[3, 3]");
    }

    /** Pooling: kernel 1..3, stride 1..3 (or the kernel, PyTorch's default), padding up to k/2, ceil mode, dilation when asked. */
    static Gen<Case> poolCases(int dims, Domain values, boolean dilation, boolean nans, boolean avg3d) {
        return s -> {
            int n = s.intBetween(1, 2), ch = s.intBetween(1, 2);
            boolean defaultStride = s.bool(), countPad = s.bool();
            boolean ceil = s.bool();
            int[] k = new int[dims], st = new int[dims], p = new int[dims], d = new int[dims], in = new int[dims];
            for (int j = 0; j < dims; j++) {
                k[j] = s.intBetween(1, 3);
                st[j] = defaultStride ? k[j] : s.intBetween(1, 3);
                p[j] = s.intBetween(0, k[j] / 2);
                d[j] = dilation ? s.intBetween(1, 3) : 1;
                int kHat = d[j] * (k[j] - 1) + 1;
                // AvgPool3d also needs the unpadded input to hold the kernel (ATen pool3d_shape_check)
                int least = avg3d ? Math.max(k[j], kHat - 2 * p[j]) : Math.max(1, kHat - 2 * p[j]);
                in[j] = least + s.intBetween(0, spare(dims));
            }
            if (!everyWindowSeesInput(in, k, st, p, d, ceil)) {
                // a dilated window whose taps all land in padding gives −∞ in PyTorch and scratch alike,
                // with no gradient to check; such layouts get no padding and floor mode instead
                p = new int[dims];
                ceil = false;
                for (int j = 0; j < dims; j++) in[j] = Math.max(in[j], d[j] * (k[j] - 1) + 1);
            }
            Arr x = Cases.arr(s, concat(new int[] {n, ch}, in), values);
            if (dilation) {
                // the composed reference (torch.maximum of slices) splits ties where PyTorch's max pool picks the
                // first, so dilated cases get distinct values; ties are tested without dilation
                double[] v = x.data().clone();
                for (int i = 0; i < v.length; i++) v[i] += i * Math.sqrt(2) * 1e-2;
                x = new Arr(x.shape(), v);
            }
            if (nans) {
                double[] v = x.data().clone();
                for (int i = 0; i < v.length; i++) if (s.intBetween(0, 4) == 0) v[i] = Double.NaN;
                x = new Arr(x.shape(), v);
            }
            Map<String, Object> args = new LinkedHashMap<>();
            args.put("kernel", k);
            args.put("stride", st);
            args.put("padding", p);
            args.put("dilation", d);
            args.put("ceilMode", ceil);
            args.put("countIncludePad", countPad);
            return new Case(List.of(x), args, Cases.cotangentSeed(s));
        };
    }

    /** True when every pooling window has at least one tap inside the input. */
    static boolean everyWindowSeesInput(int[] in, int[] k, int[] st, int[] p, int[] d, boolean ceil) {
        for (int j = 0; j < in.length; j++) {
            int o = ConvolutionArithmetic.poolOutputSize(in[j], k[j], st[j], p[j], d[j], ceil);
            for (int w = 0; w < o; w++) {
                boolean seen = false;
                for (int t = 0; t < k[j]; t++) {
                    int pos = w * st[j] - p[j] + t * d[j];
                    seen |= pos >= 0 && pos < in[j];
                }
                if (!seen) return false;
            }
        }
        return true;
    }

    static Pooling.Spec poolSpec(Case c) {
        return Pooling.Spec.of(c.intsArg("kernel")).stride(c.intsArg("stride")).padding(c.intsArg("padding"))
                .dilation(c.intsArg("dilation")).ceilMode(c.boolArg("ceilMode"));
    }

    static Case pool2d(int[] x, int k, int stride, int pad) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("kernel", new int[] {k, k});
        args.put("stride", new int[] {stride, stride});
        args.put("padding", new int[] {pad, pad});
        args.put("dilation", new int[] {1, 1});
        args.put("ceilMode", false);
        args.put("countIncludePad", true);
        return new Case(List.of(zeros(x)), args, 0);
    }

    static OpSpec poolRejections(OpSpec spec) {
        return spec
                .rejects("a kernel larger than the padded input", pool2d(shape(1, 1, 2, 2), 3, 1, 0), "kernel", "[1, 1, 2, 2]")
                .rejects("stride 0", pool2d(shape(1, 1, 4, 4), 2, 0, 0), "stride", "[1, 1, 4, 4]")
                .rejects("padding above half the kernel", pool2d(shape(1, 1, 4, 4), 2, 1, 2), "padding", "[1, 1, 4, 4]")
                .rejects("an input of rank 2", pool2d(shape(4, 4), 2, 1, 0), "rank", "[4, 4]");
    }

    static OpSpec maxPool(String name, int dims, Domain values, boolean dilation, boolean nans) {
        OpSpec spec = OpSpec.op(name).cases(poolCases(dims, values, dilation, nans, false))
                .scratch((c, x) -> Pooling.maxPool(x.get(0), poolSpec(c)))
                .reference((c, x) -> zerotoml.reference.cnn.Pooling.maxPool(x.get(0), c.intsArg("kernel"), c.intsArg("stride"),
                        c.intsArg("padding"), c.intsArg("dilation"), c.boolArg("ceilMode")));
        return name.equals("maxPool2d") ? poolRejections(spec) : spec;
    }

    static OpSpec avgPool(int dims) {
        OpSpec spec = OpSpec.op("avgPool" + dims + "d").cases(poolCases(dims, Domain.standard(), false, false, dims == 3))
                .scratch((c, x) -> Pooling.avgPool(x.get(0), poolSpec(c), c.boolArg("countIncludePad")))
                .reference((c, x) -> zerotoml.reference.cnn.Pooling.avgPool(x.get(0), c.intsArg("kernel"), c.intsArg("stride"),
                        c.intsArg("padding"), c.boolArg("ceilMode"), c.boolArg("countIncludePad")));
        if (dims == 3) {
            Map<String, Object> args = new LinkedHashMap<>(pool2d(shape(1, 1, 1, 1), 2, 1, 1).args());
            args.put("kernel", new int[] {1, 1, 2});
            args.put("stride", new int[] {1, 1, 1});
            args.put("padding", new int[] {0, 0, 1});
            args.put("dilation", new int[] {1, 1, 1});
            spec.rejects("an input smaller than the kernel before padding (3-d only)", new Case(List.of(zeros(shape(1, 1, 1, 1, 1))), args, 0), "smaller than kernel", "[1, 1, 1, 1, 1]");
        }
        return dims == 2 ? poolRejections(spec) : spec;
    }

    static OpSpec adaptiveAvgPool(int dims) {
        return OpSpec.op("adaptiveAvgPool" + dims + "d")
                .cases(s -> {
                    int[] in = new int[dims], out = new int[dims];
                    for (int j = 0; j < dims; j++) {
                        in[j] = s.intBetween(1, dims == 3 ? 4 : 7);
                        out[j] = s.intBetween(1, dims == 3 ? 3 : 4);
                    }
                    Arr x = arr(s, concat(new int[] {s.intBetween(1, 2), s.intBetween(1, 3)}, in));
                    return new Case(List.of(x), Map.of("outSize", out), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> Pooling.adaptiveAvgPool(x.get(0), c.intsArg("outSize")))
                .reference((c, x) -> zerotoml.reference.cnn.Pooling.adaptiveAvgPool(x.get(0), c.intsArg("outSize")));
    }

    static OpSpec globalAvgPool(int dims) {
        return OpSpec.op("globalAvgPool" + dims + "d")
                .cases(s -> {
                    int[] in = new int[dims];
                    for (int j = 0; j < dims; j++) in[j] = s.intBetween(1, dims == 3 ? 3 : 5);
                    return new Case(List.of(arr(s, concat(new int[] {s.intBetween(1, 2), s.intBetween(1, 3)}, in))), Map.of(), Cases.cotangentSeed(s));
                })
                .scratch((c, x) -> Pooling.globalAvgPool(x.get(0)))
                .reference((c, x) -> zerotoml.reference.cnn.Pooling.globalAvgPool(x.get(0)));
    }

    // ------------------------------------------------------------------ the dynamic tests

    @TestFactory
    Stream<DynamicTest> convolution() {
        return Parity.tests(conv(1), conv(2), conv(3));
    }

    @TestFactory
    Stream<DynamicTest> transposedConvolution() {
        return Parity.tests(convTranspose(1), convTranspose(2), convTranspose(3));
    }

    @TestFactory
    Stream<DynamicTest> maxPooling() {
        String ties = "integer inputs make ties on purpose; a tie is a kink where finite differences are meaningless";
        return Parity.tests(
                maxPool("maxPool1d", 1, Domain.standard(), false, false),
                maxPool("maxPool2d", 2, Domain.standard(), false, false),
                maxPool("maxPool3d", 3, Domain.standard(), false, false),
                maxPool("maxPool1d (dilated)", 1, Domain.standard(), true, false),
                maxPool("maxPool2d (dilated)", 2, Domain.standard(), true, false),
                maxPool("maxPool3d (dilated)", 3, Domain.standard(), true, false),
                maxPool("maxPool2d (ties)", 2, Domain.integers(-2, 2), false, false).noFiniteDifferences(ties),
                maxPool("maxPool1d (ties)", 1, Domain.integers(-2, 2), false, false).noFiniteDifferences(ties),
                maxPool("maxPool3d (ties)", 3, Domain.integers(-1, 1), false, false).noFiniteDifferences(ties),
                maxPool("maxPool1d (NaN)", 1, Domain.standard(), false, true).noFiniteDifferences("NaN inputs have no finite differences"),
                maxPool("maxPool2d (NaN)", 2, Domain.standard(), false, true).noFiniteDifferences("NaN inputs have no finite differences"),
                maxPool("maxPool3d (NaN)", 3, Domain.standard(), false, true).noFiniteDifferences("NaN inputs have no finite differences"));
    }

    @Test
    void maxPoolRoutesTheGradientToTheFirstMaximumOnTiesAndToTheLastNaN() {
        Pooling.Spec whole = Pooling.Spec.of(4);
        Tensor ties = Tensor.of(DType.F64, new double[] {1, 3, 3, 2}, 1, 1, 4);
        Tensor g = Autodiff.grad(t -> Pooling.maxPool(t, whole).sum(), ties);
        if (!Arrays.equals(g.toArray(), new double[] {0, 1, 0, 0})) throw new AssertionError("tie: gradient " + Arrays.toString(g.toArray()));
        Tensor nans = Tensor.of(DType.F64, new double[] {Double.NaN, 5, Double.NaN, 0}, 1, 1, 4);
        if (!Double.isNaN(Pooling.maxPool(nans, whole).item())) throw new AssertionError("NaN must propagate");
        Tensor gn = Autodiff.grad(t -> Pooling.maxPool(t, whole).sum(), nans);
        if (!Arrays.equals(gn.toArray(), new double[] {0, 0, 1, 0})) throw new AssertionError("NaN: gradient " + Arrays.toString(gn.toArray()));
    }

    @TestFactory
    Stream<DynamicTest> averagePooling() {
        return Parity.tests(avgPool(1), avgPool(2), avgPool(3),
                adaptiveAvgPool(1), adaptiveAvgPool(2), adaptiveAvgPool(3),
                globalAvgPool(1), globalAvgPool(2), globalAvgPool(3));
    }

    // ------------------------------------------------------------------ relationships 1–15

    /** One random (i, k, s, p, d) per axis, with sizes where the kernel does not fit as well. */
    record Sizes(int i, int k, int s, int p, int d) {}

    static final Gen<Sizes> SIZES = s -> new Sizes(s.intBetween(1, 12), s.intBetween(1, 6), s.intBetween(1, 4), s.intBetween(0, 3), s.intBetween(1, 3));

    static void same(String what, int expected, int actual, Sizes z) {
        if (expected != actual) throw new AssertionError(what + ": expected " + expected + " but got " + actual + " for " + z);
    }

    @Test
    void outputSizesFollowThePapersRelationshipsAndPyTorch() {
        Property.check("conv output sizes", SIZES, z -> {
            int i = z.i(), k = z.k(), s = z.s(), p = z.p(), d = z.d();
            int o = ConvolutionArithmetic.outputSize(i, k, s, p, p, d);
            same("Relationship 15", ConvolutionArithmetic.relationship15(i, k, s, p, d), o, z);
            if (d == 1) {
                same("Relationship 6", ConvolutionArithmetic.relationship6(i, k, s, p), o, z);
                if (p == 0) {
                    same("Relationship 5", ConvolutionArithmetic.relationship5(i, k, s), o, z);
                    same("Relationship 7 (pooling)", ConvolutionArithmetic.relationship7(i, k, s), o, z);
                }
                if (s == 1) same("Relationship 2", ConvolutionArithmetic.relationship2(i, k, p), o, z);
                if (s == 1 && p == 0) same("Relationship 1", ConvolutionArithmetic.relationship1(i, k), o, z);
                if (s == 1 && k % 2 == 1 && p == k / 2) same("Relationship 3", ConvolutionArithmetic.relationship3(i, k), o, z);
                if (s == 1 && p == k - 1) same("Relationship 4", ConvolutionArithmetic.relationship4(i, k), o, z);
            }
            // PyTorch's own answer: the shape of a real conv1d, or a rejection when the kernel does not fit
            Torch.Input x = new Torch.Input(new double[i], new int[] {1, 1, i}, false), w = new Torch.Input(new double[k], new int[] {1, 1, k}, false);
            int[] torchShape;
            try {
                torchShape = Torch.run(DataType.FLOAT64, List.of(x, w), xs -> zerotoml.reference.cnn.Convolution.conv(xs.get(0), xs.get(1), null,
                        new int[] {s}, new int[] {p}, new int[] {p}, new int[] {d}, 1), null).shape();
            } catch (RuntimeException e) {
                torchShape = null;
            }
            if (o >= 1) {
                if (torchShape == null) throw new AssertionError("PyTorch rejected a convolution with output size " + o + " for " + z);
                same("PyTorch's conv1d output size", torchShape[2], o, z);
            } else if (torchShape != null) {
                throw new AssertionError("PyTorch accepted a convolution whose output size is " + o + " for " + z);
            }
        });
    }

    @Test
    void transposedSizesFollowRelationships8To14AndReturnToTheInputSize() {
        Property.check("transposed output sizes", SIZES, z -> {
            int i = z.i(), k = z.k(), s = z.s(), p = z.p(), d = z.d();
            int o = ConvolutionArithmetic.outputSize(i, k, s, p, p, d);
            if (o < 1) return;
            // Relationship 14: with a = (i + 2p − k̂) mod s, the transposed convolution of an o-sized input returns to i
            int kHat = ConvolutionArithmetic.effectiveKernel(k, d);
            int a = ConvolutionArithmetic.outputPaddingFor(i, kHat, s, p);
            int back = ConvolutionArithmetic.transposedOutputSize(o, k, s, p, a, d);
            same("round trip through Relationship 14", i, back, z);
            if (d == 1) {
                same("Relationship 14", ConvolutionArithmetic.relationship14(o, k, s, p, a), back, z);
                if (a == 0) same("Relationship 13", ConvolutionArithmetic.relationship13(o, k, s, p), back, z);
                if (a == 0 && p == 0) same("Relationship 12", ConvolutionArithmetic.relationship12(o, k, s), back, z);
                if (s == 1) {
                    same("Relationship 9", ConvolutionArithmetic.relationship9(o, k, p), back, z);
                    if (p == 0) same("Relationship 8", ConvolutionArithmetic.relationship8(o, k), back, z);
                    if (k % 2 == 1 && p == k / 2) same("Relationship 10", ConvolutionArithmetic.relationship10(o, k), back, z);
                    if (p == k - 1) same("Relationship 11", ConvolutionArithmetic.relationship11(o, k), back, z);
                }
            }
            // scratch's op and the PyTorch-composed reference produce that size
            Tensor y = TransposedConvolution.convTranspose(Tensor.zeros(DType.F64, 1, 1, o), Tensor.zeros(DType.F64, 1, 1, k), null,
                    TransposedConvolution.Spec.of(1).stride(s).padding(p).outputPadding(a).dilation(d));
            same("scratch convTranspose1d", i, y.shape().dim(2), z);
            int[] ref = Torch.run(DataType.FLOAT64, List.of(new Torch.Input(new double[o], new int[] {1, 1, o}, false), new Torch.Input(new double[k], new int[] {1, 1, k}, false)),
                    xs -> zerotoml.reference.cnn.TransposedConvolution.convTranspose(xs.get(0), xs.get(1), null,
                            new int[] {s}, new int[] {p}, new int[] {a}, new int[] {d}, 1), null).shape();
            same("reference convTranspose1d", i, ref[2], z);
        });
    }

    @Test
    void poolingSizesFollowRelationship7AndPyTorchsCeilMode() {
        Property.check("pool output sizes", s -> new Object[] {SIZES.draw(s), s.bool()}, v -> {
            Sizes z0 = (Sizes) v[0];
            boolean ceil = (Boolean) v[1];
            Sizes z = new Sizes(z0.i(), z0.k(), z0.s(), Math.min(z0.p(), z0.k() / 2), 1);
            int i = z.i(), k = z.k(), s = z.s(), p = z.p();
            int o = ConvolutionArithmetic.poolOutputSize(i, k, s, p, 1, ceil);
            if (!ceil && p == 0) same("Relationship 7", ConvolutionArithmetic.relationship7(i, k, s), o, z);
            int[] torchShape;
            try {
                torchShape = Torch.run(DataType.FLOAT64, List.of(new Torch.Input(new double[i], new int[] {1, 1, i}, false)),
                        xs -> zerotoml.reference.cnn.Pooling.maxPool(xs.get(0), new int[] {k}, new int[] {s}, new int[] {p}, new int[] {1}, ceil), null).shape();
            } catch (RuntimeException e) {
                torchShape = null;
            }
            if (o >= 1) {
                if (torchShape == null) throw new AssertionError("PyTorch rejected a max pool with output size " + o + " for " + z + ", ceil " + ceil);
                same("PyTorch's max_pool1d output size (ceil " + ceil + ")", torchShape[2], o, z);
            } else if (torchShape != null) {
                throw new AssertionError("PyTorch accepted a max pool whose output size is " + o + " for " + z);
            }
        });
    }

    // ------------------------------------------------------------------ identities, in scratch alone

    /** A conv geometry with symmetric padding (what a transposed convolution can undo), its x and w. */
    record ConvCase(int dims, int groups, int[] stride, int[] pad, int[] dilation, Tensor x, Tensor w) {
        Convolution.Spec spec() {
            return Convolution.Spec.of(dims).stride(stride).padding(pad).dilation(dilation).groups(groups);
        }

        /** Output padding a = (i + 2p − k̂) mod s per axis, so that the transposed convolution returns to x's size. */
        TransposedConvolution.Spec transposed() {
            int[] a = new int[dims];
            for (int j = 0; j < dims; j++) {
                int kHat = ConvolutionArithmetic.effectiveKernel(w.shape().dim(2 + j), dilation[j]);
                a[j] = ConvolutionArithmetic.outputPaddingFor(x.shape().dim(2 + j), kHat, stride[j], pad[j]);
            }
            return TransposedConvolution.Spec.of(dims).stride(stride).padding(pad).outputPadding(a).dilation(dilation).groups(groups);
        }

        @Override
        public String toString() {
            return dims + "-d, groups " + groups + ", stride " + Arrays.toString(stride) + ", padding " + Arrays.toString(pad)
                    + ", dilation " + Arrays.toString(dilation) + ", x " + x.shape() + ", w " + w.shape();
        }
    }

    static final Gen<ConvCase> CONV_CASES = s -> {
        int dims = s.intBetween(1, 3), g = s.pick(1, 2, 3), cInG = s.intBetween(1, 2), cOutG = s.intBetween(1, 2);
        int[] k = new int[dims], st = new int[dims], p = new int[dims], d = new int[dims], in = new int[dims];
        for (int j = 0; j < dims; j++) {
            k[j] = s.intBetween(1, 3);
            st[j] = s.intBetween(1, 3);
            d[j] = s.intBetween(1, 3);
            p[j] = s.intBetween(0, 2);
            in[j] = Math.max(1, d[j] * (k[j] - 1) + 1 - 2 * p[j]) + s.intBetween(0, 3);
        }
        Tensor x = Tensor.of(DType.F64, Gens.values(s, Gens.size(concat(new int[] {2, g * cInG}, in)), Domain.standard()), concat(new int[] {2, g * cInG}, in));
        Tensor w = Tensor.of(DType.F64, Gens.values(s, Gens.size(concat(new int[] {g * cOutG, cInG}, k)), Domain.standard()), concat(new int[] {g * cOutG, cInG}, k));
        return new ConvCase(dims, g, st, p, d, x, w);
    };

    static Tensor randomLike(Shape shape, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[shape.size()];
        for (int i = 0; i < v.length; i++) v[i] = 2 * r.nextDouble() - 1;
        return Tensor.of(DType.F64, v, shape);
    }

    static void close(String what, Tensor expected, Tensor actual, Object c) {
        if (!expected.shape().equals(actual.shape())) throw new AssertionError(what + ": shape " + actual.shape() + " instead of " + expected.shape() + " for " + c);
        double[] e = expected.toArray(), a = actual.toArray();
        for (int i = 0; i < e.length; i++) {
            if (Math.abs(e[i] - a[i]) > 1e-12 * (1 + Math.abs(e[i]))) {
                throw new AssertionError(what + ": element " + i + " is " + a[i] + " instead of " + e[i] + " for " + c);
            }
        }
    }

    @Test
    void transposedConvolutionEqualsTheGradientOfConvolutionWithRespectToItsInput() {
        Property.check("convT == d conv / dx", CONV_CASES, c -> {
            Tensor y = Convolution.conv(c.x(), c.w(), null, c.spec());
            Tensor g = randomLike(y.shape(), 7);
            Tensor gx = Autodiff.vjp(xs -> Convolution.conv(xs.get(0), c.w(), null, c.spec()), List.of(c.x()), g).get(0);
            Tensor t = TransposedConvolution.convTranspose(g, c.w(), null, c.transposed());
            close("convTranspose(g, w)", gx, t, c);
        });
    }

    @Test
    void convolutionAndTransposedConvolutionAreAdjoint() {
        Property.check("<conv x, y> == <x, convT y>", CONV_CASES, c -> {
            Tensor cx = Convolution.conv(c.x(), c.w(), null, c.spec());
            Tensor y = randomLike(cx.shape(), 11);
            Tensor ty = TransposedConvolution.convTranspose(y, c.w(), null, c.transposed());
            double left = cx.mul(y).sum().item(), right = c.x().mul(ty).sum().item();
            if (Math.abs(left - right) > 1e-10 * (1 + Math.abs(left))) {
                throw new AssertionError("<conv(x), y> = " + left + " but <x, convT(y)> = " + right + " for " + c);
            }
        });
    }

    @Test
    void dilatedConvolutionEqualsConvolutionWithAZeroDilatedKernel() {
        Property.check("dilated conv == conv with stretched kernel", CONV_CASES, c -> {
            Convolution.Spec plain = Convolution.Spec.of(c.dims()).stride(c.stride()).padding(c.pad()).groups(c.groups());
            Tensor dilated = Convolution.conv(c.x(), c.w(), null, c.spec());
            Tensor stretched = Convolution.conv(c.x(), TransposedConvolution.stretch(c.w(), c.dilation()), null, plain);
            close("conv with the zero-dilated kernel", dilated, stretched, c);
            Tensor g = randomLike(dilated.shape(), 5);
            List<Tensor> a = Autodiff.vjp(xs -> Convolution.conv(xs.get(0), xs.get(1), null, c.spec()), List.of(c.x(), c.w()), g);
            List<Tensor> b = Autodiff.vjp(xs -> Convolution.conv(xs.get(0), TransposedConvolution.stretch(xs.get(1), c.dilation()), null, plain), List.of(c.x(), c.w()), g);
            close("input gradient", a.get(0), b.get(0), c);
            close("weight gradient", a.get(1), b.get(1), c);
        });
    }

    /**
     * The reference's zero-insertion transposed convolution against PyTorch's own definition of
     * it: autograd's gradient of conv with respect to its input, for the same geometry.
     */
    @Test
    void referenceTransposedConvolutionEqualsPyTorchsGradientOfConvolution() {
        Property.check("reference convT == PyTorch d conv / dx", CONV_CASES, c -> {
            int dims = c.dims();
            int[] pad = c.pad(), a = c.transposed().outputPadding();
            int[] oShape = Convolution.conv(c.x(), c.w(), null, c.spec()).shape().dims();
            double[] g = randomLike(Shape.of(oShape), 3).toArray();
            Torch.Input x = new Torch.Input(c.x().toArray(), c.x().shape().dims(), true);
            Torch.Input w = new Torch.Input(c.w().toArray(), c.w().shape().dims(), false);
            double[] autograd = Torch.run(DataType.FLOAT64, List.of(x, w), xs -> zerotoml.reference.cnn.Convolution.conv(xs.get(0), xs.get(1), null,
                    c.stride(), pad, pad, c.dilation(), c.groups()), shape -> g).grads().get(0);
            Torch.Result t = Torch.run(DataType.FLOAT64, List.of(new Torch.Input(g, oShape, false), w), xs -> zerotoml.reference.cnn.TransposedConvolution.convTranspose(
                    xs.get(0), xs.get(1), null, c.stride(), pad, a, c.dilation(), c.groups()), null);
            if (!Arrays.equals(t.shape(), c.x().shape().dims())) throw new AssertionError("shape " + Arrays.toString(t.shape()) + " for " + c);
            for (int i = 0; i < autograd.length; i++) {
                if (Math.abs(autograd[i] - t.output()[i]) > 1e-12 * (1 + Math.abs(autograd[i]))) {
                    throw new AssertionError("element " + i + ": composed " + t.output()[i] + ", autograd " + autograd[i] + " for " + c + " (" + dims + "-d)");
                }
            }
        });
    }
}
