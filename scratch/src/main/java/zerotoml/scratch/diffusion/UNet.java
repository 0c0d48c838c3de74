package zerotoml.scratch.diffusion;

import java.util.List;
import zerotoml.scratch.cnn.Convolution;
import zerotoml.scratch.cnn.TransposedConvolution;
import zerotoml.scratch.nn.Conv;
import zerotoml.scratch.nn.GroupNorm;
import zerotoml.scratch.nn.Linear;
import zerotoml.scratch.nn.Sinusoidal;
import zerotoml.scratch.random.Rng;
import zerotoml.scratch.tensor.Activations;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Shapes;
import zerotoml.scratch.tensor.Tensor;

/**
 * "U-Net: Convolutional Networks for Biomedical Image Segmentation", Ronneberger, Fischer and
 * Brox, arXiv 1505.04597, in the small time-conditioned form DDPM uses (Ho et al. §B): residual
 * blocks of GroupNorm → SiLU → 3×3 convolution, the time embedding added after the first
 * convolution, one downsampling (a stride-2 3×3 convolution) and one upsampling (a 2×2
 * transposed convolution of stride 2), with skip connections concatenated on the way up.
 *
 * <pre>
 *   x [B, C, H, W] ─ conv ─ res(c) ─┬─ down ─ res(2c) ─┬─ res(2c) ─ cat ─ res(2c) ─ up ─ cat ─ res(c) ─ GN·SiLU·conv ─ [B, C, H, W]
 *                                   └───────────────── │ ─────────────────────────────────┘
 *                                                      └───────────────┘
 * </pre>
 * H and W must be even. The sampler sees it as a {@link Denoiser}.
 */
public final class UNet {
    private UNet() {}

    /** inChannels C, base channels c (GroupNorm groups must divide c), time-embedding width, t multiplied by timeScale. */
    public record Config(int inChannels, int channels, int groups, int embed, double timeScale) {
        public Config {
            if (inChannels < 1 || channels < 1 || groups < 1 || channels % groups != 0 || embed < 2) {
                throw new IllegalArgumentException("UNet.Config: need inChannels, channels ≥ 1, groups dividing channels, embed ≥ 2, got "
                        + inChannels + ", " + channels + ", " + groups + ", " + embed);
            }
        }
    }

    /** GN → SiLU → conv3×3 → + time → GN → SiLU → conv3×3, plus a 1×1 projection of the input. */
    public record ResBlock(GroupNorm.Params norm1, Conv.Params conv1, Linear.Params time, GroupNorm.Params norm2, Conv.Params conv2, Conv.Params skip) {}

    public record Params(
            Linear.Params time1, // [embed, embed]
            Linear.Params time2, // [embed, embed]
            Conv.Params in, // [c, C, 3, 3]
            ResBlock down0, // c → c
            Conv.Params down, // [c, c, 3, 3], stride 2
            ResBlock down1, // c → 2c
            ResBlock mid, // 2c → 2c
            ResBlock up1, // 4c → 2c
            Conv.Params up, // transposed [2c, c, 2, 2], stride 2
            ResBlock up0, // 2c → c
            GroupNorm.Params outNorm, // c
            Conv.Params out // [C, c, 3, 3]
    ) {}

    static ResBlock initBlock(Rng r, DType dt, int in, int out, int embed) {
        return new ResBlock(GroupNorm.Params.init(dt, in), Conv.Params.init(r.split(0), dt, in, out, 1, true, 3, 3),
                Linear.Params.init(r.split(1), dt, embed, out, true), GroupNorm.Params.init(dt, out),
                Conv.Params.init(r.split(2), dt, out, out, 1, true, 3, 3), Conv.Params.init(r.split(3), dt, in, out, 1, true, 1, 1));
    }

    /** PyTorch default inits, GroupNorm γ = 1, β = 0; every part from its own child key. */
    public static Params init(Config c, Rng rng, DType dt) {
        int ch = c.channels(), e = c.embed();
        return new Params(Linear.Params.init(rng.split(0), dt, e, e, true), Linear.Params.init(rng.split(1), dt, e, e, true),
                Conv.Params.init(rng.split(2), dt, c.inChannels(), ch, 1, true, 3, 3), initBlock(rng.split(3), dt, ch, ch, e),
                Conv.Params.init(rng.split(4), dt, ch, ch, 1, true, 3, 3), initBlock(rng.split(5), dt, ch, 2 * ch, e),
                initBlock(rng.split(6), dt, 2 * ch, 2 * ch, e), initBlock(rng.split(7), dt, 4 * ch, 2 * ch, e),
                Conv.Params.initTransposed(rng.split(8), dt, 2 * ch, ch, 1, true, 2, 2), initBlock(rng.split(9), dt, 2 * ch, ch, e),
                GroupNorm.Params.init(dt, ch), Conv.Params.init(rng.split(10), dt, ch, c.inChannels(), 1, true, 3, 3));
    }

    static final Convolution.Spec SAME3 = Convolution.Spec.of(2).padding(1, 1);
    static final Convolution.Spec ONE = Convolution.Spec.of(2);
    static final Convolution.Spec DOWN = Convolution.Spec.of(2).stride(2, 2).padding(1, 1);
    static final TransposedConvolution.Spec UP = TransposedConvolution.Spec.of(2).stride(2, 2);

    // h = conv2(SiLU(GN(conv1(SiLU(GN(x))) + W_t·SiLU(e)))) + skip(x)
    static Tensor block(ResBlock p, Tensor x, Tensor temb, int groups) {
        Tensor h = Conv.conv(Activations.silu(GroupNorm.groupNorm(x, groups, p.norm1())), p.conv1(), SAME3);
        Tensor t = Linear.linear(Activations.silu(temb), p.time());
        h = h.add(t.reshape(t.shape().dim(0), t.shape().dim(1), 1, 1));
        h = Conv.conv(Activations.silu(GroupNorm.groupNorm(h, groups, p.norm2())), p.conv2(), SAME3);
        return h.add(Conv.conv(x, p.skip(), ONE));
    }

    /** The output [B, C, H, W] for x [B, C, H, W] (H, W even) at per-image times t [B]. */
    public static Tensor apply(Config c, Params p, Tensor x, Tensor t) {
        if (x.rank() != 4 || x.shape().dim(1) != c.inChannels() || x.shape().dim(2) % 2 != 0 || x.shape().dim(3) % 2 != 0
                || t.rank() != 1 || t.shape().dim(0) != x.shape().dim(0)) {
            throw new IllegalArgumentException("UNet.apply: need x [B, " + c.inChannels() + ", H, W] with H, W even and t [B], got x " + x.shape() + ", t " + t.shape());
        }
        int g = c.groups();
        // e = W₂·SiLU(W₁·sinusoid(s·t))
        Tensor e = Sinusoidal.timestep(t.mul(c.timeScale()), c.embed(), true, 0, 10000);
        Tensor temb = Linear.linear(Activations.silu(Linear.linear(e, p.time1())), p.time2());
        Tensor s0 = block(p.down0(), Conv.conv(x, p.in(), SAME3), temb, g);
        Tensor s1 = block(p.down1(), Conv.conv(s0, p.down(), DOWN), temb, g);
        Tensor h = block(p.mid(), s1, temb, g);
        h = block(p.up1(), Shapes.concat(List.of(h, s1), 1), temb, g);
        h = Conv.convTranspose(h, p.up(), UP);
        h = block(p.up0(), Shapes.concat(List.of(h, s0), 1), temb, g);
        return Conv.conv(Activations.silu(GroupNorm.groupNorm(h, g, p.outNorm())), p.out(), SAME3);
    }

    /** The network as a sampler's {@link Denoiser}. */
    public static Denoiser denoiser(Config c, Params p) {
        return (x, t) -> apply(c, p, x, Tensor.full(x.dtype(), t, x.shape().dim(0)));
    }
}
