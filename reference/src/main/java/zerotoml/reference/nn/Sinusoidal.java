package zerotoml.reference.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * diffusers' {@code get_timestep_embedding} (src/diffusers/models/embeddings.py), step for step:
 * {@code exponent = -math.log(max_period) * torch.arange(0, half, dtype=float32) / (half - downscale_freq_shift)},
 * {@code emb = timesteps[:, None] * exp(exponent)[None, :]}, {@code emb = cat([sin(emb), cos(emb)], -1)},
 * the halves swapped when {@code flip_sin_to_cos}, and a zero column appended for an odd dim. Here the
 * arange is in t's dtype, so a float64 case runs in float64 throughout.
 */
public final class Sinusoidal {
    private Sinusoidal() {}

    public static NDArray timestep(NDArray t, int dim, boolean flipSinToCos, double downscaleFreqShift, double maxPeriod) {
        NDManager m = t.getManager();
        DataType dt = t.getDataType();
        int half = dim / 2;
        NDArray exponent = m.arange(0, half, 1, dt).mul(num(dt, -Math.log(maxPeriod))).div(num(dt, half - downscaleFreqShift));
        NDArray emb = t.reshape(-1, 1).mul(exponent.exp().reshape(1, half));
        NDArray e = flipSinToCos ? NDArrays.concat(new ai.djl.ndarray.NDList(emb.cos(), emb.sin()), -1)
                : NDArrays.concat(new ai.djl.ndarray.NDList(emb.sin(), emb.cos()), -1);
        if (dim % 2 == 1) e = NDArrays.concat(new ai.djl.ndarray.NDList(e, m.zeros(new ai.djl.ndarray.types.Shape(e.getShape().get(0), 1), dt)), -1);
        return e;
    }

    private static Number num(DataType dt, double v) {
        return dt == DataType.FLOAT32 ? (Number) (float) v : (Number) v;
    }
}
