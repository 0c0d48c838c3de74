package zerotoml.scratch.kernels;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import zerotoml.scratch.nn.Dropout;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.LinearAlgebra;
import zerotoml.scratch.tensor.Tape;
import zerotoml.scratch.tensor.Tensor;
import zerotoml.scratch.transformer.Embeddings;
import zerotoml.scratch.transformer.Transformer;

/**
 * Run by {@link ParallelTest} in a fresh JVM (the pool size is fixed when the JVM starts): does
 * seeded work large enough to be split over threads and prints one line, {@code threads vector
 * workers hash}, where hash covers the bits of every result.
 */
public final class ThreadsProbe {
    private ThreadsProbe() {}

    public static void main(String[] args) {
        SplittableRandom r = new SplittableRandom(20261204);
        int m = 150, k = 300, n = 170;
        double[] a = ConvKernelsTest.random(r, m * k), b = ConvKernelsTest.random(r, k * n), c = new double[m * n];
        Matmul.fast(a, 0, b, 0, c, 0, m, k, n);
        float[] af = new float[a.length], bf = new float[b.length], cf = new float[m * n];
        for (int i = 0; i < a.length; i++) af[i] = (float) a[i];
        for (int i = 0; i < b.length; i++) bf[i] = (float) b[i];
        Matmul.fast(af, 0, bf, 0, cf, 0, m, k, n);
        double[] batched = new double[8 * 40 * 40];
        Matmul.batched(ConvKernelsTest.random(r, 8 * 40 * 64), ConvKernelsTest.random(r, 8 * 64 * 40), batched, 8, 40, 64, 40);
        ConvKernels.Geometry g = new ConvKernels.Geometry(4, 6, 8, 2, new int[] {20, 20}, new int[] {3, 3}, new int[] {18, 18},
                new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1});
        double[] x = ConvKernelsTest.random(r, 4 * 6 * 400), w = ConvKernelsTest.random(r, 8 * 3 * 9), gy = ConvKernelsTest.random(r, 4 * 8 * 324);
        double[] y = ConvKernels.forward(x, w, g), gx = ConvKernels.backwardInput(gy, w, g), gw = ConvKernels.backwardWeight(x, gy, g);
        float[] xf = ConvKernelsTest.toFloat(x), wf = ConvKernelsTest.toFloat(w), gyf = ConvKernelsTest.toFloat(gy);
        float[] yf = ConvKernels.forward(xf, wf, g), gxf = ConvKernels.backwardInput(gyf, wf, g), gwf = ConvKernels.backwardWeight(xf, gyf, g);
        // a depthwise convolution (its direct loops) and a strided, dilated one (im2col by runs), in float, above the threshold
        ConvKernels.Geometry dw = new ConvKernels.Geometry(8, 32, 32, 32, new int[] {32, 32}, new int[] {3, 3}, new int[] {32, 32},
                new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1});
        float[] dx = ConvKernelsTest.toFloat(ConvKernelsTest.random(r, 8 * 32 * 1024)), dwW = ConvKernelsTest.toFloat(ConvKernelsTest.random(r, 32 * 9));
        float[] dgy = ConvKernelsTest.toFloat(ConvKernelsTest.random(r, 8 * 32 * 1024));
        float[][] depthwise = {ConvKernels.forward(dx, dwW, dw), ConvKernels.backwardInput(dgy, dwW, dw), ConvKernels.backwardWeight(dx, dgy, dw)};
        ConvKernels.Geometry sd = new ConvKernels.Geometry(4, 8, 16, 1, new int[] {33, 31}, new int[] {3, 3}, new int[] {16, 14},
                new int[] {2, 2}, new int[] {2, 1}, new int[] {2, 2});
        float[] sx = ConvKernelsTest.toFloat(ConvKernelsTest.random(r, 4 * 8 * 33 * 31)), sw = ConvKernelsTest.toFloat(ConvKernelsTest.random(r, 16 * 8 * 9));
        float[] sgy = ConvKernelsTest.toFloat(ConvKernelsTest.random(r, 4 * 16 * 16 * 14));
        float[][] strided = {ConvKernels.forward(sx, sw, sd), ConvKernels.backwardInput(sgy, sw, sd), ConvKernels.backwardWeight(sx, sgy, sd)};
        float[] batchedF = new float[8 * 40 * 40];
        Matmul.batched(ConvKernelsTest.toFloat(ConvKernelsTest.random(r, 8 * 40 * 64)), false,
                ConvKernelsTest.toFloat(ConvKernelsTest.random(r, 8 * 40 * 64)), true, batchedF, 8, 40, 64, 40);
        // a tensor-level product with its gradient, through the ops that call the kernels
        Tensor ta = Tensor.of(DType.F32, ConvKernelsTest.random(r, 96 * 128), 96, 128);
        Tensor tb = Tensor.of(DType.F32, ConvKernelsTest.random(r, 128 * 64), 128, 64);
        double[] tc = ta.matmul(tb).toArray();
        // and the same through linear (x·wᵀ, the transformer's product) with both gradients, in F32
        Tensor lx = Tensor.of(DType.F32, ConvKernelsTest.random(r, 2 * 48 * 96), 2, 48, 96);
        Tensor lw = Tensor.of(DType.F32, ConvKernelsTest.random(r, 80 * 96), 80, 96);
        double[][] lin = linearWithGradients(lx, lw, ConvKernelsTest.random(r, 2 * 48 * 80));
        // reductions split by rows and by columns, and a float map split into chunks
        double[] big = ConvKernelsTest.random(r, 3 * 100_001);
        float[] bigF = new float[big.length];
        for (int i = 0; i < big.length; i++) bigF[i] = (float) big[i];
        double[] rowSums = new double[3], colSums = new double[1001], colMax = new double[1001], rowMaxF = new double[3];
        int[] colArg = new int[1001], rowArgF = new int[3];
        Reduce.sum(big, 3, 100_001, 1, rowSums);
        Reduce.sum(bigF, 1, 299, 1001, colSums);
        Reduce.max(big, 1, 299, 1001, colMax, colArg);
        Reduce.max(bigF, 3, 100_001, 1, rowMaxF, rowArgF);
        // the plan kernels over non-adjacent axes ([7, 143, 3, 99] reducing 1 and 3: runs of 99; reducing 0 and 2: columns of 99), with gradients
        int[] cube = {7, 143, 3, 99};
        ReduceAxes.Plan runs = ReduceAxes.Plan.of(cube, new boolean[] {false, true, false, true}), cols = ReduceAxes.Plan.of(cube, new boolean[] {true, false, true, false});
        double[] planSum = new double[runs.outputs()], planMax = new double[cols.outputs()], lseM = new double[runs.outputs()], lseS = new double[runs.outputs()];
        int[] planTies = new int[cols.outputs()];
        ReduceAxes.sum(bigF, runs, planSum);
        ReduceAxes.amax(big, cols, planMax, planTies);
        ReduceAxes.logSumExp(bigF, runs, lseM, lseS);
        double[] planMaxGrad = new double[cols.size()], lseGrad = new double[runs.size()];
        ReduceAxes.amaxBackward(big, cols, planMax, planTies, Arrays.copyOf(big, cols.outputs()), planMaxGrad);
        ReduceAxes.logSumExpBackward(bigF, runs, lseM, lseS, Arrays.copyOf(big, runs.outputs()), lseGrad);
        float[] tanhs = new float[bigF.length];
        Pointwise.map(Unary.TANH, bigF, tanhs, bigF.length);
        float[] exps = new float[bigF.length];
        Pointwise.map(Unary.EXP, bigF, exps, bigF.length);
        float[] sigmoids = new float[bigF.length];
        Pointwise.map(Unary.SIGMOID, bigF, sigmoids, bigF.length);
        // erf over every branch (|x| up to 6 and beyond), split over tasks above the threshold
        double[] erfs = new double[big.length];
        for (int i = 0; i < erfs.length; i++) erfs[i] = big[i] * 3;
        Erf.erf(erfs, erfs, erfs.length);
        // pooling, softmax and index-select with its scatter, each above the threshold
        Pool.Window pw = Pool.Window.of(64, new int[] {32, 32}, new int[] {30, 30}, new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1});
        int[] poolArg = new int[64 * 900], poolArg2 = new int[64 * 256];
        MaxPool.maxArg(Arrays.copyOf(bigF, 64 * 1024), pw, poolArg);
        // max pooling 2 × 2 with its maxima (the unrolled in-bounds path)
        float[] poolMax = new float[64 * 256];
        MaxPool.max(Arrays.copyOf(bigF, 64 * 1024), Pool.Window.of(64, new int[] {32, 32}, new int[] {16, 16}, new int[] {2, 2}, new int[] {2, 2},
                new int[] {0, 0}, new int[] {1, 1}), poolArg2, poolMax);
        double[] poolAvg = new double[64 * 900], poolGrad = new double[64 * 1024];
        Pool.avg(Arrays.copyOf(big, 64 * 1024), pw, true, poolAvg);
        Pool.avgBackward(poolAvg, pw, true, poolGrad);
        // adaptive average pooling of overlapping cells, in float, and its gradient
        AdaptivePool.Cells cells = AdaptivePool.Cells.of(300, new int[] {33, 31}, new int[] {5, 7});
        double[] adaptive = new double[300 * 35], adaptiveGrad = new double[300 * 33 * 31];
        AdaptivePool.adaptiveAvg(Arrays.copyOf(bigF, 300 * 33 * 31), cells, adaptive);
        AdaptivePool.adaptiveAvgBackward(Arrays.copyOf(bigF, 300 * 35), cells, adaptiveGrad);
        int lanes = 299 * 1001;
        float[] soft = new float[lanes], softExps = new float[lanes], softSums = new float[1001], softGrad = new float[lanes];
        SoftmaxKernel.softmax(Arrays.copyOf(bigF, lanes), 1, 299, 1001, soft, softExps, softSums);
        SoftmaxKernel.softmaxBackward(Arrays.copyOf(exps, lanes), soft, softExps, softSums, 1, 299, 1001, softGrad);
        double[] logSoft = new double[3 * 100_001], logExps = new double[logSoft.length], logSums = new double[3];
        SoftmaxKernel.logSoftmax(big, 3, 100_001, 1, logSoft, logExps, logSums);
        // float softmax and log-softmax along rows (inner 1: the rows' path, their maxima by the lanes' fold), some rows
        // holding a NaN, zeros of both signs or only −∞ (the rule's own loop)
        float[] rowsIn = Arrays.copyOf(bigF, 300 * 1000);
        for (int row = 0; row < 300; row += 7) rowsIn[row * 1000 + r.nextInt(1000)] = Float.NaN;
        for (int row = 3; row < 300; row += 11) for (int i = row * 1000; i < row * 1000 + 1000; i++) rowsIn[i] = r.nextBoolean() ? 0f : -0f;
        for (int row = 5; row < 300; row += 13) Arrays.fill(rowsIn, row * 1000, row * 1000 + 1000, Float.NEGATIVE_INFINITY);
        float[] softRows = new float[rowsIn.length], logSoftRows = new float[rowsIn.length], rowSumsF = new float[300];
        SoftmaxKernel.softmax(rowsIn, 300, 1000, 1, softRows, null, rowSumsF);
        SoftmaxKernel.logSoftmax(rowsIn, 300, 1000, 1, logSoftRows, null, rowSumsF);
        int[] picks = new int[1000];
        for (int i = 0; i < picks.length; i++) picks[i] = r.nextInt(1001);
        double[] picked = new double[1000 * 299], scattered = new double[1001 * 299];
        Gather.rows(Arrays.copyOf(big, 1001 * 299), 1, 1001, 299, picks, picked);
        Gather.scatterRows(picked, 1, 1001, 299, picks, scattered);

        // a float zip with a row broadcast and GELU's kernels, above the threshold
        float[] zipped = new float[lanes];
        Pointwise.zip((p, q) -> p * q, bigF, lanes, Arrays.copyOf(exps, 1001), 1001, zipped, lanes);
        double[] geluErfs = new double[bigF.length];
        for (int i = 0; i < geluErfs.length; i++) geluErfs[i] = bigF[i] * 0.7071067811865476;
        Erf.erf(geluErfs, geluErfs, geluErfs.length);
        float[] gelus = new float[bigF.length], geluGrads = new float[bigF.length];
        Gelu.forward(bigF, geluErfs, gelus, bigF.length);
        Gelu.backward(exps, bigF, geluErfs, geluGrads, bigF.length);
        // a whole training step, twice: a decoder-only Transformer's loss, its gradients and Adam's update, in F32
        double[][] trained = trainingSteps(2);

        Set<String> workers = ConcurrentHashMap.newKeySet();
        Parallel.forEach(64, Parallel.THRESHOLD, t -> workers.add(Thread.currentThread().getName()));
        int hash = Arrays.deepHashCode(new Object[] {c, cf, batched, y, gx, gw, yf, gxf, gwf, batchedF, tc, lin, rowSums, colSums, colMax, colArg,
                rowMaxF, rowArgF, planSum, planMax, planTies, lseM, lseS, planMaxGrad, lseGrad, tanhs, exps, sigmoids, erfs, poolArg, poolArg2, poolMax, depthwise, strided,
                poolAvg, poolGrad, adaptive, adaptiveGrad, soft, softGrad, logSoft, softRows, logSoftRows, picked, scattered, zipped, gelus, geluGrads, trained});
        System.out.println(Parallel.threads() + " " + Backend.VECTOR + " " + workers.size() + " " + hash);
    }

    // the losses of `steps` Adam steps on a decoder-only Transformer (2 layers, d 64, 4 heads, batch 16, context 64: its products,
    // attention's softmax and the GELU split over threads), then every parameter after the last step
    static double[][] trainingSteps(int steps) {
        Transformer.Config c = new Transformer.Config(29, 64, 4, 256, 2, 64, Transformer.Norm.PRE, Transformer.Activation.GELU,
                Embeddings.Positional.LEARNED);
        int b = 16, t = 64;
        SplittableRandom r = new SplittableRandom(7);
        int[] ids = new int[b * t], targets = new int[b * t];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextInt(c.vocab());
            targets[i] = r.nextInt(c.vocab());
        }
        Transformer.DecoderOnly p = Transformer.initDecoderOnly(c, DType.F32, 3);
        Adam.State<Transformer.DecoderOnly> state = Adam.init(p);
        double[] losses = new double[steps];
        for (int s = 0; s < steps; s++) {
            var vg = Autodiff.valueAndGrad(q -> Transformer.loss(Transformer.decoderOnly(c, q, ids, b, t, Dropout.OFF), targets), p);
            losses[s] = vg.value().item();
            var next = Adam.step(Adam.Hyper.defaults(1e-3), p, vg.grad(), state);
            p = next.params();
            state = next.state();
        }
        List<Tensor> leaves = Autodiff.Params.tensors(p);
        double[][] out = new double[leaves.size() + 1][];
        out[0] = losses;
        for (int i = 0; i < leaves.size(); i++) out[i + 1] = leaves.get(i).toArray();
        return out;
    }

    // {y, ∂x, ∂w} of y = x·wᵀ against the cotangent g
    private static double[][] linearWithGradients(Tensor x, Tensor w, double[] g) {
        try (Tape tape = Tape.open()) {
            tape.watch(x, w);
            Tensor y = LinearAlgebra.linear(x, w);
            List<Tensor> grads = tape.vjp(y, Tensor.of(DType.F32, g, y.shape()), x, w);
            return new double[][] {y.toArray(), grads.get(0).toArray(), grads.get(1).toArray()};
        }
    }
}
