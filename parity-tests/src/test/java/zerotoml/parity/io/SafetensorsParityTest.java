package zerotoml.parity.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.ParityLedger;
import zerotoml.fixtures.Precision;
import zerotoml.fixtures.Property;
import zerotoml.fixtures.Tolerance;
import zerotoml.reference.Torch;
import zerotoml.scratch.io.Safetensors;
import zerotoml.scratch.tensor.Autodiff;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/** safetensors checkpoints: a round-trip property, and interop with DJL arrays. */
class SafetensorsParityTest {
    @TempDir
    Path dir;

    /** Any record: one tensor, a list of more, each with its own dtype. */
    record Params(Tensor first, List<Tensor> rest) {}

    static final Gen<Params> PARAMS = s -> {
        int n = s.intBetween(0, 4);
        List<Tensor> ts = new ArrayList<>();
        for (int i = 0; i <= n; i++) {
            int rank = s.intBetween(0, 4);
            int[] dims = new int[rank];
            int size = 1;
            for (int k = 0; k < rank; k++) {
                dims[k] = s.intBetween(0, 5);
                size *= dims[k];
            }
            double[] v = new double[size];
            for (int k = 0; k < size; k++) v[k] = s.pick(1.0, -1.0, 1e-300, 1e30) * s.doubleBetween(-1, 1);
            ts.add(Tensor.of(s.bool() ? DType.F32 : DType.F64, v, dims));
        }
        return new Params(ts.get(0), List.copyOf(ts.subList(1, ts.size())));
    };

    @Test
    void anyParamsRecordRoundTripsBitForBit() {
        Property.check("safetensors round trip", PARAMS, p -> {
            Path f = dir.resolve("p.safetensors");
            Safetensors.save(f, p, Map.of("k", "v"));
            Params zero = new Params(zeroLike(p.first()), p.rest().stream().map(SafetensorsParityTest::zeroLike).toList());
            Params back = Safetensors.load(f, zero);
            List<Tensor> a = Autodiff.Params.tensors(p), b = Autodiff.Params.tensors(back);
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.get(i).dtype(), b.get(i).dtype());
                assertEquals(a.get(i).shape(), b.get(i).shape());
                double[] x = a.get(i).toArray(), y = b.get(i).toArray();
                for (int k = 0; k < x.length; k++) assertEquals(Double.doubleToRawLongBits(x[k]), Double.doubleToRawLongBits(y[k]));
            }
        });
    }

    static Tensor zeroLike(Tensor t) {
        return Tensor.zeros(t.dtype(), t.shape().dims());
    }

    /** A two-layer linear model, y = (x W₁ + b₁) W₂ + b₂, as a params record. */
    record Mlp(Tensor w1, Tensor b1, Tensor w2, Tensor b2) {}

    record Interop(int batch, int in, int hidden, int out, double[] x, double[][] weights) {
        @Override
        public String toString() {
            return "batch " + batch + ", " + in + " -> " + hidden + " -> " + out;
        }
    }

    static final Gen<Interop> INTEROP = s -> {
        int b = s.intBetween(1, 4), i = s.intBetween(1, 6), h = s.intBetween(1, 6), o = s.intBetween(1, 4);
        int[] sizes = {i * h, h, h * o, o};
        double[][] w = new double[4][];
        for (int k = 0; k < 4; k++) {
            w[k] = new double[sizes[k]];
            for (int j = 0; j < sizes[k]; j++) w[k][j] = s.doubleBetween(-1, 1);
        }
        double[] x = new double[b * i];
        for (int j = 0; j < x.length; j++) x[j] = s.doubleBetween(-1, 1);
        return new Interop(b, i, h, o, x, w);
    };

    void interop(Precision p) {
        DType dt = p == Precision.F32 ? DType.F32 : DType.F64;
        Tolerance tol = Tolerance.of(p);
        double[] worst = new double[3];
        String name = "safetensors interop/" + p.label();
        Property.Outcome<Interop> o = Property.run(name, INTEROP, c -> {
            Mlp m = new Mlp(Tensor.of(dt, c.weights()[0], c.in(), c.hidden()), Tensor.of(dt, c.weights()[1], c.hidden()),
                    Tensor.of(dt, c.weights()[2], c.hidden(), c.out()), Tensor.of(dt, c.weights()[3], c.out()));
            Path f = dir.resolve("mlp-" + p.label() + ".safetensors");
            Safetensors.save(f, m, Map.of());
            Tensor x = Tensor.of(dt, c.x(), c.batch(), c.in());
            double[] mine = x.matmul(m.w1()).add(m.b1()).matmul(m.w2()).add(m.b2()).toArray();
            double[][] ref = new double[5][];
            try (var mgr = Torch.engine().newBaseManager()) {
                Map<String, NDArray> a = Ref.read(mgr, f);
                assertEquals(List.of("w1", "b1", "w2", "b2"), List.copyOf(a.keySet()));
                NDArray xr = Torch.array(mgr, p.round(c.x()), new int[] {c.batch(), c.in()}, Torch.dtype(p == Precision.F32));
                ref[0] = Torch.values(xr.matMul(a.get("w1")).add(a.get("b1")).matMul(a.get("w2")).add(a.get("b2")));
                ref[1] = Torch.values(a.get("w1"));
                ref[2] = Torch.values(a.get("b1"));
                ref[3] = Torch.values(a.get("w2"));
                ref[4] = Torch.values(a.get("b2"));
                assertEquals(Torch.dtype(p == Precision.F32), a.get("w1").getDataType());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // the weights arrive bit for bit
            assertArrayEquals(m.w1().toArray(), ref[1], 0);
            assertArrayEquals(m.b1().toArray(), ref[2], 0);
            assertArrayEquals(m.w2().toArray(), ref[3], 0);
            assertArrayEquals(m.b2().toArray(), ref[4], 0);
            Tolerance.Comparison cmp = tol.compare(mine, ref[0]);
            if (!Property.shrinking()) {
                worst[0] = Math.max(worst[0], cmp.worstAbs());
                worst[1] = Math.max(worst[1], cmp.worstRel());
                worst[2] = Math.max(worst[2], cmp.share());
            }
            if (!cmp.ok()) throw new AssertionError("outputs differ: scratch " + Arrays.toString(mine) + ", DJL " + Arrays.toString(ref[0]));
        }, Property.cases());
        String failure = o.failure().map(f -> o.report()).orElse(null);
        ParityLedger.record(new ParityLedger.Row("safetensors checkpoint into DJL", p.label(), "loaded weights bit-identical, outputs match",
                o.casesRun(), o.casesPassed(), worst[0], worst[1], worst[2], tol, failure, o.failure().map(Property.Failure::replay).orElse(null)));
        if (failure != null) throw new AssertionError(failure);
    }

    /**
     * The other direction: a file written from DJL arrays, as other tools write them (no
     * {@code __metadata__}, so no checksum, no padding), loads into a scratch params record bit for bit.
     */
    @Test
    void aCheckpointWrittenFromDjlArraysWithoutAChecksumLoadsIntoScratch() {
        Property.check("safetensors from DJL", INTEROP, c -> {
            boolean f32 = c.batch() % 2 == 0;
            DType dt = f32 ? DType.F32 : DType.F64;
            Precision p = f32 ? Precision.F32 : Precision.F64;
            int[][] shapes = {{c.in(), c.hidden()}, {c.hidden()}, {c.hidden(), c.out()}, {c.out()}};
            String[] names = {"w1", "b1", "w2", "b2"};
            Path f = dir.resolve("djl.safetensors");
            try (var mgr = Torch.engine().newBaseManager()) {
                Map<String, NDArray> arrays = new LinkedHashMap<>();
                for (int k = 0; k < 4; k++) arrays.put(names[k], Torch.array(mgr, p.round(c.weights()[k]), shapes[k], Torch.dtype(f32)));
                Ref.write(f, arrays);
            }
            Mlp zero = new Mlp(Tensor.zeros(dt, shapes[0]), Tensor.zeros(dt, shapes[1]), Tensor.zeros(dt, shapes[2]), Tensor.zeros(dt, shapes[3]));
            Mlp back = Safetensors.load(f, zero);
            List<Tensor> got = Autodiff.Params.tensors(back);
            for (int k = 0; k < 4; k++) {
                assertEquals(dt, got.get(k).dtype());
                double[] want = p.round(c.weights()[k]), have = got.get(k).toArray();
                for (int j = 0; j < want.length; j++) assertEquals(Double.doubleToRawLongBits(want[j]), Double.doubleToRawLongBits(have[j]), names[k] + "[" + j + "]");
            }
            assertEquals(Map.of(), Safetensors.read(f).metadata());
        });
    }

    @Test
    void aScratchCheckpointLoadsIntoDjlArraysAndGivesTheSameOutputsInF32() {
        interop(Precision.F32);
    }

    @Test
    void aScratchCheckpointLoadsIntoDjlArraysAndGivesTheSameOutputsInF64() {
        interop(Precision.F64);
    }
}
