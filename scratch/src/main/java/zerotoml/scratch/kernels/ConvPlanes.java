package zerotoml.scratch.kernels;

import java.util.Arrays;

import zerotoml.scratch.kernels.ConvKernels.Geometry;

/**
 * What the float convolution kernels ({@link ConvKernels}, {@link DirectConv}, {@link DepthwiseConv})
 * share: one to three spatial axes as three ({@link Axes}), the zero-padded input plane and its
 * offsets, and the split of work into tasks. Index arithmetic only; no float is computed here.
 */
final class ConvPlanes {
    private ConvPlanes() {}

    /**
     * One to three spatial axes as three, leading axes of size 1 (kernel 1, stride 1, padding 0,
     * dilation 1): the form the float loops walk. Null above three axes (the table path runs).
     * A plain class rather than a record, so that the kernels in the other files read its arrays
     * as fields ({@code a.in[2]}), as they did when it was a record nested beside them.
     */
    static final class Axes {
        final int[] in, k, out, s, p, d;

        private Axes(int[] in, int[] k, int[] out, int[] s, int[] p, int[] d) {
            this.in = in;
            this.k = k;
            this.out = out;
            this.s = s;
            this.p = p;
            this.d = d;
        }

        static Axes of(Geometry g) {
            if (g.dims() > 3) return null;
            return new Axes(lead(g.in(), 1), lead(g.kernel(), 1), lead(g.out(), 1), lead(g.stride(), 1), lead(g.padLo(), 0), lead(g.dilation(), 1));
        }

        private static int[] lead(int[] v, int fill) {
            int[] r = {fill, fill, fill};
            System.arraycopy(v, 0, r, 3 - v.length, v.length);
            return r;
        }
    }

    /** Task t's share [from(t), from(t + 1)) of {@code units} units cut into {@code tasks} runs. */
    static int from(int units, int tasks, int t) {
        return (int) ((long) units * t / tasks);
    }

    /** The extent of the zero-padded input the outputs read on each axis: (out − 1)·s + (k − 1)·d + 1. */
    static int[] extent(Axes a) {
        int[] e = new int[3];
        for (int j = 0; j < 3; j++) e[j] = Math.max(0, (a.out[j] - 1) * a.s[j] + (a.k[j] - 1) * a.d[j] + 1);
        return e;
    }

    /** Each tap's offset in the padded plane: (t0·d0·e1 + t1·d1)·e2 + t2·d2, taps in row-major order. */
    static int[] tapOffsets(Axes a, int[] e) {
        int[] off = new int[a.k[0] * a.k[1] * a.k[2]];
        int tk = 0;
        for (int t0 = 0; t0 < a.k[0]; t0++) {
            for (int t1 = 0; t1 < a.k[1]; t1++) {
                for (int t2 = 0; t2 < a.k[2]; t2++) off[tk++] = (t0 * a.d[0] * e[1] + t1 * a.d[1]) * e[2] + t2 * a.d[2];
            }
        }
        return off;
    }

    /** pos[o]: where output o's window starts in the padded plane, (o0·s0·e1 + o1·s1)·e2 + o2·s2. */
    static int[] positions(Axes a, int[] e) {
        int[] pos = new int[a.out[0] * a.out[1] * a.out[2]];
        int n = 0;
        for (int z = 0; z < a.out[0]; z++) {
            for (int r = 0; r < a.out[1]; r++) {
                for (int ox = 0; ox < a.out[2]; ox++) pos[n++] = (z * a.s[0] * e[1] + r * a.s[1]) * e[2] + ox * a.s[2];
            }
        }
        return pos;
    }

    // pad[(e0·E1 + e1)·E2 + e2] = x[xOff + ((e0 − p0)·in1 + e1 − p1)·in2 + e2 − p2], 0 outside the input (the padding)
    static void padPlane(float[] x, int xOff, Axes a, int[] e, float[] pad) {
        padPlane(x, xOff, a, e, pad, 0);
    }

    // the same into pad[padOff ..], one plane of e0·e1·e2
    static void padPlane(float[] x, int xOff, Axes a, int[] e, float[] pad, int padOff) {
        Arrays.fill(pad, padOff, padOff + e[0] * e[1] * e[2], 0f);
        int lo = Math.max(0, a.p[2]), hi = Math.min(e[2], a.in[2] + a.p[2]);
        if (hi <= lo) return;
        for (int e0 = Math.max(0, a.p[0]); e0 < Math.min(e[0], a.in[0] + a.p[0]); e0++) {
            for (int e1 = Math.max(0, a.p[1]); e1 < Math.min(e[1], a.in[1] + a.p[1]); e1++) {
                System.arraycopy(x, xOff + ((e0 - a.p[0]) * a.in[1] + e1 - a.p[1]) * a.in[2] + lo - a.p[2], pad, padOff + (e0 * e[1] + e1) * e[2] + lo, hi - lo);
            }
        }
    }

    // gx[xOff + in] = gpad[pad position of in] for the input's elements inside the extent (the padding's share is dropped, as col2im skips it)
    static void unpadPlane(float[] gpad, Axes a, int[] e, float[] gx, int xOff) {
        int lo = Math.max(0, a.p[2]), hi = Math.min(e[2], a.in[2] + a.p[2]);
        if (hi <= lo) return;
        for (int e0 = Math.max(0, a.p[0]); e0 < Math.min(e[0], a.in[0] + a.p[0]); e0++) {
            for (int e1 = Math.max(0, a.p[1]); e1 < Math.min(e[1], a.in[1] + a.p[1]); e1++) {
                System.arraycopy(gpad, (e0 * e[1] + e1) * e[2] + lo, gx, xOff + ((e0 - a.p[0]) * a.in[1] + e1 - a.p[1]) * a.in[2] + lo - a.p[2], hi - lo);
            }
        }
    }
}
