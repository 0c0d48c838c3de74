package zerotoml.scratch.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import zerotoml.scratch.kernels.Matmul;
import zerotoml.scratch.transformer.Bpe;
import zerotoml.scratch.transformer.BpeFiles;
import zerotoml.scratch.transformer.CharTokenizer;

/**
 * Hostile input at the public entry points (null arrays and tensors, negative or overflowing
 * dimensions, data that does not fill its shape, NaN indices, malformed einsum formulas) must be an
 * IllegalArgumentException whose message starts with the op and names the argument, never a
 * NullPointerException, ArrayIndexOutOfBounds or NegativeArraySize from inside a loop. The
 * tokenizers (zerotoml.scratch.transformer) are held to the same rule here.
 */
class HostileInputTest {
    static final Tensor V = Tensor.of(DType.F64, new double[] {1, 2}, 2);
    static final Tensor M = Tensor.zeros(DType.F64, 2, 3);

    static void rejects(String op, String argument, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, op + " " + argument);
        assertTrue(e.getMessage().startsWith(op), "message does not start with '" + op + "': " + e.getMessage());
        assertTrue(e.getMessage().contains(argument), "message does not name '" + argument + "': " + e.getMessage());
    }

    @Test
    void creationRejectsNullsNegativeAndOverflowingDimensionsAndShortData() {
        rejects("Tensor", "data", () -> Tensor.of(DType.F64, null, 2));
        rejects("Tensor", "dtype", () -> Tensor.of(null, new double[2], 2));
        rejects("Shape", "dims", () -> Tensor.of(DType.F64, new double[2], (int[]) null));
        rejects("Tensor", "[2]", () -> Tensor.of(DType.F64, new double[3], 2));
        rejects("Shape", "[-1, 0]", () -> Tensor.of(DType.F64, new double[0], -1, 0));
        rejects("Shape", "[65536, 65536, 2]", () -> Tensor.zeros(DType.F64, 65536, 65536, 2));
        rejects("Shape", "[65536, 65536, 65536, 65536]", () -> Tensor.zeros(DType.F64, 65536, 65536, 65536, 65536));
        assertEquals(0, Tensor.zeros(DType.F64, 0, 65536, 65536, 65536, 65536).size(), "a zero dimension makes any shape empty");
        rejects("Shape", "[65536, 65536, 65536, 65536]", () -> Shapes.reshape(Tensor.zeros(DType.F64, 0), 65536, 65536, 65536, 65536));
        rejects("to", "target", () -> V.to(null));
        rejects("get", "index", () -> V.get((int[]) null));
        rejects("Tensor.record", "op", () -> Tensor.record(null, Shape.of(1), DType.F64, new double[1], g -> null));
    }

    @Test
    void shapeOpsRejectNullsWithTheArgumentsName() {
        rejects("reshape", "dims", () -> Shapes.reshape(V, (int[]) null));
        rejects("reshape", "x", () -> Shapes.reshape(null, 2));
        rejects("permute", "perm", () -> Shapes.permute(V, (int[]) null));
        rejects("transpose", "x", () -> Shapes.transpose(null, 0, 1));
        rejects("concat", "xs", () -> Shapes.concat(null, 0));
        rejects("concat", "xs holds null at position 1", () -> Shapes.concat(Arrays.asList(V, null), 0));
        rejects("stack", "xs holds null at position 0", () -> Shapes.stack(Arrays.asList(null, V), 0));
        rejects("slice", "x", () -> Shapes.slice(null, 0, 0, 1));
        assertEquals(1, Shapes.slice(V, 0, Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE).size(), "a huge step takes the first element");
    }

    @Test
    void elementwiseReductionAndMatrixOpsRejectNullTensors() {
        rejects("add", "a", () -> Arithmetic.add(null, V));
        rejects("mul", "b", () -> Arithmetic.mul(V, (Tensor) null));
        rejects("exp", "x", () -> Arithmetic.exp(null));
        rejects("clamp", "x", () -> Selection.clamp(null, 0, 1));
        rejects("where", "b", () -> Selection.where(V, V, null));
        rejects("sum", "axes", () -> Reductions.sum(V, null, false));
        rejects("var", "axes", () -> Reductions.var(V, null, 1, false));
        rejects("max", "x", () -> Reductions.max(null, new int[0], false));
        rejects("softmax", "x", () -> Softmax.softmax(null, 0));
        rejects("matmul", "a", () -> LinearAlgebra.matmul(null, V));
        rejects("einsum", "operands holds null at position 1", () -> Einsum.einsum("i,i->", V, null));
        rejects("einsum", "operands", () -> Einsum.einsum("i->i", (Tensor[]) null));
    }

    @Test
    void indexingAndLossesRejectNullIndexArraysAndNaNIndices() {
        rejects("indexSelect", "indices", () -> Indexing.indexSelect(V, 0, null));
        rejects("embedding", "ids", () -> Indexing.embedding(M, null, 2));
        rejects("oneHot", "indices", () -> Indexing.oneHot(null, Shape.of(1), 3, DType.F64));
        rejects("gather", "index", () -> Indexing.gather(V, 0, (Tensor) null));
        rejects("gather", "NaN", () -> Indexing.gather(V, 0, Tensor.of(DType.F64, new double[] {Double.NaN}, 1)));
        rejects("crossEntropy", "targets", () -> Losses.crossEntropy(M, null, Losses.Reduction.MEAN));
        rejects("crossEntropy", "reduction", () -> Losses.crossEntropy(M, new int[] {0, 1}, null));
        rejects("mse", "reduction", () -> Losses.mse(V, V, null));
        rejects("l1", "target", () -> Losses.l1(V, null, Losses.Reduction.SUM));
    }

    @Test
    void theMatmulKernelChecksItsSlicesBeforeAnyLoop() {
        double[] six = new double[6];
        rejects("Matmul.fast", "a holds 6 values but needs offset 1 + m·k 6", () -> Matmul.fast(six, 1, six, 0, six, 0, 2, 3, 2));
        rejects("Matmul.naive", "c is null", () -> Matmul.naive(six, 0, six, 0, null, 0, 2, 3, 2));
        rejects("Matmul.fast", "negative size", () -> Matmul.fast(six, 0, six, 0, six, 0, -1, 3, 2));
        rejects("Matmul.fast", "b holds 6 values", () -> Matmul.fast(new double[4096], 0, six, 0, new double[4096], 0, 64, 64, 64));
    }

    @Test
    void autodiffRejectsANullFunctionOrANullOutput() {
        rejects("Autodiff", "f", () -> Autodiff.grad((java.util.function.Function<Tensor, Tensor>) null, V));
        rejects("gradient", "the output y", () -> Autodiff.grad(x -> null, V));
        rejects("vjp", "cotangent", () -> Autodiff.vjp(xs -> xs.get(0), List.of(V), null));
    }

    @Test
    void varianceWithNoDegreesOfFreedomLeftIsNaNAsTorchVarDocuments() {
        // torch.var divides by max(0, N − correction): N = 1, correction 2 gives 0/0
        assertTrue(Double.isNaN(Reductions.var(Tensor.of(DType.F64, new double[] {3}, 1), new int[] {0}, 2, false).item()));
        Tensor empty = Reductions.var(Tensor.zeros(DType.F64, 0, 2), new int[] {0}, 1, false);
        assertTrue(Double.isNaN(empty.toArray()[0]) && Double.isNaN(empty.toArray()[1]), empty.toString());
    }

    @Test
    void reductionsOfA0dTensorTakeAxisZeroOrMinusOneAsPyTorchDoes() {
        Tensor s = Tensor.scalar(2.5);
        for (int axis : new int[] {0, -1}) {
            assertEquals(2.5, Reductions.sum(s, new int[] {axis}, false).item());
            assertEquals(2.5, Reductions.max(s, new int[] {axis}, true).item());
            assertEquals(2.5, Reductions.maxAlong(s, axis, false).item());
            assertEquals(2.5, Reductions.logsumexp(s, new int[] {axis}, false).item());
            assertEquals(0, Reductions.sum(s, new int[] {axis}, true).rank());
        }
        assertEquals(1.0, Autodiff.grad(x -> Reductions.maxAlong(x, -1, false), s).item());
        rejects("maxAlong", "axis 1", () -> Reductions.maxAlong(s, 1, false));
        rejects("sum", "[0, -1]", () -> Reductions.sum(s, new int[] {0, -1}, false));
        assertTrue(Double.isNaN(Reductions.var(s, new int[] {0}, 1, false).item()), "unbiased variance of one element is NaN in PyTorch");
    }

    @Test
    void bpeRejectsNullsAndNonBytes() {
        Bpe bpe = Bpe.train("hello hello world", 258);
        rejects("bpe", "merges", () -> new Bpe(null));
        rejects("bpe", "text", () -> Bpe.train(null, 260));
        rejects("bpe", "text", () -> bpe.encode(null));
        rejects("bpe decode", "ids", () -> bpe.decode(null));
        rejects("bpe applyMerge", "ids", () -> Bpe.applyMerge(null, 1, 2, 3));
        rejects("bpe train", "-1 merges", () -> Bpe.learnMerges(List.of(new int[] {1, 2}), new long[] {1}, 256, -1));
        rejects("bpe byteToChar", "300", () -> Bpe.byteToChar(300));
        rejects("bpe byteToChar", "-1", () -> Bpe.byteToChar(-1));
        rejects("bpe load", "lines", () -> BpeFiles.fromMerges(null));
    }

    @Test
    void charTokenizerRejectsNulls() {
        rejects("char tokenizer", "codePoints", () -> new CharTokenizer(null));
        rejects("char tokenizer", "text", () -> CharTokenizer.fit(null));
        rejects("char tokenizer", "text", () -> CharTokenizer.fit("abc").encode(null));
        rejects("char tokenizer decode", "ids", () -> CharTokenizer.fit("abc").decode(null));
    }
}
