package zerotoml.benchmarks;

import zerotoml.scratch.nn.Dropout;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import zerotoml.reference.Torch;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;
import zerotoml.scratch.transformer.Embeddings;
import zerotoml.scratch.transformer.Transformer;
import zerotoml.scratch.transformer.Transformer.Config;

/**
 * Not a test: a timed main, one decoder-only training step (forward, cross-entropy, backward to
 * every parameter; no optimiser update) at nanoGPT's CPU scale (4 layers, 4 heads, d = 128,
 * context 64, batch 12, 65-character vocabulary, float32), scratch against the DJL reference on
 * the same parameters and batch. Prints the median of each side and the ratio scratch / PyTorch.
 * Run as the module's other timed mains, with {@code -Dbench.main=zerotoml.benchmarks.TransformerStepBenchmark}
 * ({@code -Dbench.args='20 --warmup 10'}: 20 timed steps after 10 untimed ones, the defaults 5 and 10;
 * one thread each side is the fair comparison on a shared machine: {@code -Dai.djl.pytorch.num_threads=1
 * -Dzerotoml.threads=1}). The PyTorch time includes copying the parameters in
 * (about 0.8 M floats).
 */
public final class TransformerStepBenchmark {
    private TransformerStepBenchmark() {}

    /** {@code [steps] [--warmup N]}: the timed step count (5 unless given) and the untimed steps before them (10 unless given). */
    static int[] stepsAndWarmup(String[] args) {
        int steps = 5, warmup = 10;
        List<String> words = Cli.words(args);
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.equals("--warmup")) {
                warmup = Cli.count("TransformerStepBenchmark", "--warmup", i + 1 < words.size() ? words.get(++i) : "", 0);
            } else if (w.startsWith("--")) {
                System.err.println("TransformerStepBenchmark: unknown argument '" + w + "' (known: STEPS, --warmup N)");
                System.exit(2);
            } else {
                steps = Cli.count("TransformerStepBenchmark", "the number of timed steps (-Dbench.args)", w, 1);
            }
        }
        return new int[] {steps, warmup};
    }

    public static void main(String[] args) {
        int[] sw = stepsAndWarmup(args);
        int steps = sw[0], warmup = sw[1];
        Config c = new Config(65, 128, 4, 512, 4, 64, Transformer.Norm.PRE, Transformer.Activation.GELU_TANH, Embeddings.Positional.LEARNED);
        int b = 12, t = 64;
        Transformer.DecoderOnly p = Transformer.initDecoderOnly(c, DType.F32, 1);
        SplittableRandom r = new SplittableRandom(2);
        int[] ids = new int[b * t], targets = new int[b * t];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextInt(c.vocab());
            targets[i] = r.nextInt(c.vocab());
        }
        System.out.println(zerotoml.scratch.kernels.Backend.describe());
        double[] mine = new double[steps], ref = new double[steps], alloc = new double[steps];
        // untimed steps first: C2 compiles the kernels during the first few (JDK 17's matmul tile among the last)
        for (int i = -warmup; i < steps; i++) {
            long a0 = Machine.allocatedBytes();
            long t0 = System.nanoTime();
            var vg = Autodiff.valueAndGrad(q -> Transformer.loss(Transformer.decoderOnly(c, q, ids, b, t, Dropout.OFF), targets), p);
            long t1 = System.nanoTime();
            if (i >= 0) alloc[i] = (Machine.allocatedBytes() - a0) / 1e6;
            double refLoss = referenceStep(c, p, ids, targets, b, t);
            long t2 = System.nanoTime();
            if (i >= 0) {
                mine[i] = (t1 - t0) / 1e6;
                ref[i] = (t2 - t1) / 1e6;
            }
            if (i == -warmup) System.out.printf(Locale.ROOT, "loss scratch %.6f, PyTorch %.6f%n", vg.value().item(), refLoss);
        }
        Arrays.sort(mine);
        Arrays.sort(ref);
        Arrays.sort(alloc);
        double ms = mine[steps / 2], mr = ref[steps / 2];
        System.out.printf(Locale.ROOT, "decoder training step (4 layers, 4 heads, d 128, context 64, batch 12, f32): scratch %.1f ms, PyTorch %.1f ms, ratio %.2f%n",
                ms, mr, ms / mr);
        System.out.printf(Locale.ROOT, "scratch allocation per step (forward + backward, every thread): %.1f MB (median)%n", alloc[steps / 2]);
    }

    /** The reference twin of a scratch model configuration. */
    static zerotoml.reference.transformer.Transformer.Config referenceConfig(Config c) {
        return new zerotoml.reference.transformer.Transformer.Config(c.vocab(), c.dModel(), c.heads(), c.dFf(), c.layers(), c.maxLen(),
                zerotoml.reference.transformer.Transformer.Norm.valueOf(c.norm().name()),
                zerotoml.reference.transformer.Transformer.Activation.valueOf(c.activation().name()),
                zerotoml.reference.transformer.Embeddings.Positional.valueOf(c.positional().name()));
    }

    /** Float32 copies of a scratch params record in {@code m}, in {@link Autodiff.Params#tensors} order, each recording gradients. */
    static List<NDArray> trainableCopies(NDManager m, Record params) {
        List<NDArray> ps = new ArrayList<>();
        for (Tensor x : Autodiff.Params.tensors(params)) {
            NDArray a = Torch.array(m, x.toArray(), x.shape().dims(), DataType.FLOAT32);
            a.setRequiresGradient(true);
            ps.add(a);
        }
        return ps;
    }

    static double referenceStep(Config c, Transformer.DecoderOnly p, int[] ids, int[] targets, int b, int t) {
        var rc = referenceConfig(c);
        try (NDManager m = Torch.engine().newBaseManager()) {
            List<NDArray> ps = trainableCopies(m, p);
            double[] idv = new double[ids.length], tv = new double[targets.length];
            for (int i = 0; i < ids.length; i++) {
                idv[i] = ids[i];
                tv[i] = targets[i];
            }
            NDArray idArr = Torch.array(m, idv, new int[] {b, t}, DataType.FLOAT32), tArr = Torch.array(m, tv, new int[] {b, t}, DataType.FLOAT32);
            try (GradientCollector gc = Torch.engine().newGradientCollector()) {
                var model = zerotoml.reference.transformer.Transformer.DecoderOnly.from(ps.iterator(), rc);
                NDArray loss = zerotoml.reference.transformer.Transformer.loss(zerotoml.reference.transformer.Transformer.decoderOnly(rc, model, idArr), tArr);
                gc.backward(loss);
                return loss.toType(DataType.FLOAT64, false).getDouble();
            }
        }
    }
}
