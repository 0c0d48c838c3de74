package zerotoml.parity.defects;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.training.GradientCollector;
import java.util.Arrays;

/**
 * The minimal standalone reproduction of PyTorch's float32 conv input-gradient defect, in plain DJL
 * calls (notes/ReferenceDefects.md, defect 1). conv1d with x [mb, 1, 1] (zeros), w [1, 1, 2] = (0, −1),
 * padding 1, and the loss sum(y · c) with c = −1, −2, ...: the true gradient of x is 1, 3, 5, ...
 * Prints one line per batch size and dtype. Run it in its own JVM with {@code ONEDNN_VERBOSE=1} to
 * see which oneDNN version and ISA the engine picked (the canary test does that).
 */
public final class ConvGradRepro {
    private ConvGradRepro() {}

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", "true");
        for (int mb = 1; mb <= 4; mb++) {
            for (DataType dt : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
                System.out.println("mb=" + mb + " " + dt + " grad=" + Arrays.toString(gradient(mb, dt)));
            }
        }
    }

    /** The gradient of x, as doubles. */
    static double[] gradient(int mb, DataType dt) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = m.zeros(new Shape(mb, 1, 1), dt);
            NDArray w = m.create(new float[] {0f, -1f}, new Shape(1, 1, 2)).toType(dt, false);
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray y = Conv1d.conv1d(x, w, null, new Shape(1), new Shape(1), new Shape(1), 1).singletonOrThrow();
                float[] c = new float[mb * 2];
                for (int i = 0; i < c.length; i++) c[i] = -(i + 1);
                gc.backward(y.mul(m.create(c, y.getShape()).toType(dt, false)).sum());
            }
            return x.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
        }
    }

    /** The true gradient: 1, 3, 5, ... */
    static double[] expected(int mb) {
        double[] g = new double[mb];
        for (int i = 0; i < mb; i++) g[i] = 2 * i + 1;
        return g;
    }
}
