package zerotoml.reference.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.Iterator;
import zerotoml.reference.cnn.Convolution;
import zerotoml.reference.cnn.TransposedConvolution;
import zerotoml.reference.nn.GroupNorm;
import zerotoml.reference.nn.Linear;
import zerotoml.reference.nn.Sinusoidal;
import zerotoml.reference.tensor.Activations;

/**
 * The small time-conditioned U-Net (Ronneberger et al., arXiv 1505.04597; DDPM's residual blocks)
 * as a PyTorch user writes it with F.conv2d, F.group_norm, F.silu, F.conv_transpose2d and
 * torch.cat, reading its parameters in the scratch record's order: time1, time2, in, down0, down,
 * down1, mid, up1, up, up0, outNorm, out; a block is norm1, conv1, time, norm2, conv2, skip.
 */
public final class UNet {
    private UNet() {}

    static NDArray conv(NDArray x, NDArray w, NDArray b, int stride, int pad) {
        return Convolution.conv(x, w, b, new int[] {stride, stride}, new int[] {pad, pad}, new int[] {pad, pad}, new int[] {1, 1}, 1);
    }

    static NDArray block(Iterator<NDArray> p, NDArray x, NDArray temb, int groups) {
        NDArray g1 = p.next(), b1 = p.next(), w1 = p.next(), c1 = p.next(), wt = p.next(), bt = p.next(), g2 = p.next(), b2 = p.next(),
                w2 = p.next(), c2 = p.next(), ws = p.next(), cs = p.next();
        NDArray h = conv(Activations.silu(GroupNorm.groupNorm(x, groups, g1, b1)), w1, c1, 1, 1);
        NDArray t = Linear.linear(Activations.silu(temb), wt, bt);
        h = h.add(t.reshape(t.getShape().get(0), t.getShape().get(1), 1, 1));
        h = conv(Activations.silu(GroupNorm.groupNorm(h, groups, g2, b2)), w2, c2, 1, 1);
        return h.add(conv(x, ws, cs, 1, 0));
    }

    public static NDArray apply(int groups, int embed, double timeScale, Iterator<NDArray> p, NDArray x, NDArray t) {
        NDArray e = Sinusoidal.timestep(t.mul(timeScale), embed, true, 0, 10000);
        NDArray w = p.next(), b = p.next();
        NDArray h1 = Activations.silu(Linear.linear(e, w, b));
        w = p.next();
        b = p.next();
        NDArray temb = Linear.linear(h1, w, b);
        w = p.next();
        b = p.next();
        NDArray s0 = block(p, conv(x, w, b, 1, 1), temb, groups);
        w = p.next();
        b = p.next();
        NDArray s1 = block(p, conv(s0, w, b, 2, 1), temb, groups);
        NDArray h = block(p, s1, temb, groups);
        h = block(p, NDArrays.concat(new NDList(h, s1), 1), temb, groups);
        w = p.next();
        b = p.next();
        h = TransposedConvolution.convTranspose(h, w, b, new int[] {2, 2}, new int[] {0, 0}, new int[] {0, 0}, new int[] {1, 1}, 1);
        h = block(p, NDArrays.concat(new NDList(h, s0), 1), temb, groups);
        NDArray g = p.next(), beta = p.next();
        w = p.next();
        b = p.next();
        return conv(Activations.silu(GroupNorm.groupNorm(h, groups, g, beta)), w, b, 1, 1);
    }
}
