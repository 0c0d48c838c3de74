package zerotoml.reference.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * F.group_norm(x, groups, γ, β, eps=1e-5). DJL has no group norm, so it is written as the
 * GroupNorm paper's own reference code (Wu and He, arXiv 1803.08494, Figure 3) and ATen's
 * native_group_norm compute it: view x as [N, G, −1], subtract the mean, divide by
 * √(biased variance + ε), view back, then scale and shift per channel.
 */
public final class GroupNorm {
    private GroupNorm() {}

    public static final double EPS = 1e-5;

    public static NDArray groupNorm(NDArray x, int groups, NDArray gamma, NDArray beta) {
        long[] dims = x.getShape().getShape();
        long c = gamma.getShape().get(0);
        // torch: "Expected number of channels in input to be divisible by num_groups"
        if (dims.length < 2 || dims[1] != c || c % groups != 0) {
            throw new IllegalArgumentException("group_norm: expected input [N, " + c + ", *] with channels divisible by num_groups " + groups + ", got " + x.getShape());
        }
        NDArray g = x.reshape(dims[0], groups, -1);
        NDArray d = g.sub(g.mean(new int[] {-1}, true));
        NDArray var = d.square().mean(new int[] {-1}, true);
        Number eps = x.getDataType() == DataType.FLOAT32 ? (Number) (float) EPS : (Number) EPS;
        NDArray xHat = d.div(var.add(eps).sqrt()).reshape(x.getShape());
        long[] perChannel = new long[dims.length - 1];
        java.util.Arrays.fill(perChannel, 1);
        perChannel[0] = c;
        return xHat.mul(gamma.reshape(perChannel)).add(beta.reshape(perChannel));
    }
}
