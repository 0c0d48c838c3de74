package zerotoml.scratch.kernels;

/**
 * One Adam / AdamW step over one parameter tensor in a single pass (Kingma and Ba, arXiv 1412.6980;
 * decoupled decay: Loshchilov and Hutter, arXiv 1711.05101; AMSGrad: Reddi et al., arXiv 1904.09237),
 * where the optimiser composed eight to ten element-wise ops, each a pass over the tensor and a new
 * array. Per element it does the same operations in the same order, each rounded to the dtype, with
 * the constants rounded to the dtype as the ops' scalar arguments were (a Java double takes the
 * tensor's dtype): so the bits are those of the ops, which {@link #naive} replays op by op and
 * {@code AdamKernelTest} holds the kernel to, in float and double.
 *
 * <p>In float every step is a float operation: a float product, sum, quotient or square root computed
 * in double and rounded once to float (as the element-wise kernels do) is the float operation's
 * result, since double carries more than twice float's 24 bits.
 */
public final class AdamKernel {
    private AdamKernel() {}

    /**
     * The step's constants, as the optimiser computes them in double: the decoupled factor 1 − γλ
     * (AdamW; {@code decay} is false for none), the L2 coefficient λ (Adam; 0 for none), β₁, 1 − β₁,
     * β₂, 1 − β₂, √(1 − β₂ᵗ), ε and the step size γ / (1 − β₁ᵗ).
     */
    public record Step(boolean decay, double decayFactor, double l2, double beta1, double oneMinusBeta1, double beta2, double oneMinusBeta2,
                       double bc2Sqrt, double eps, double stepSize, boolean amsgrad) {}

    // θ' = θ(1 − γλ);  g' = g + λθ';  m' = β₁m + (1 − β₁)g';  v' = β₂v + (1 − β₂)g'²;  v̂ = max(v_max, v') (AMSGrad) or v';
    // θ'' = θ' − (m' / (√v̂ / √(1 − β₂ᵗ) + ε)) · γ/(1 − β₁ᵗ)
    /** The float32 step: new θ, m, v (and v_max when AMSGrad; else {@code vMaxOut} is not written) for i &lt; n. */
    public static void step(Step s, float[] p, float[] g, float[] m, float[] v, float[] vMax, float[] pOut, float[] mOut, float[] vOut,
                            float[] vMaxOut, int n) {
        float decay = (float) s.decayFactor(), l2 = (float) s.l2(), b1 = (float) s.beta1(), ob1 = (float) s.oneMinusBeta1();
        float b2 = (float) s.beta2(), ob2 = (float) s.oneMinusBeta2(), bc2 = (float) s.bc2Sqrt(), eps = (float) s.eps(), step = (float) s.stepSize();
        boolean dec = s.decay(), useL2 = s.l2() != 0, ams = s.amsgrad();
        for (int i = 0; i < n; i++) {
            float th = dec ? p[i] * decay : p[i];
            float gi = useL2 ? g[i] + th * l2 : g[i];
            float mi = m[i] * b1 + gi * ob1;
            float vi = v[i] * b2 + gi * gi * ob2;
            float vh = vi;
            if (ams) {
                vh = Math.max(vMax[i], vi);
                vMaxOut[i] = vh;
            }
            float den = (float) Math.sqrt(vh) / bc2 + eps;
            pOut[i] = th - mi / den * step;
            mOut[i] = mi;
            vOut[i] = vi;
        }
    }

    /** The float64 step, as {@link #step(Step, float[], float[], float[], float[], float[], float[], float[], float[], float[], int)}. */
    public static void step(Step s, double[] p, double[] g, double[] m, double[] v, double[] vMax, double[] pOut, double[] mOut, double[] vOut,
                            double[] vMaxOut, int n) {
        double decay = s.decayFactor(), l2 = s.l2(), b1 = s.beta1(), ob1 = s.oneMinusBeta1();
        double b2 = s.beta2(), ob2 = s.oneMinusBeta2(), bc2 = s.bc2Sqrt(), eps = s.eps(), step = s.stepSize();
        boolean dec = s.decay(), useL2 = l2 != 0, ams = s.amsgrad();
        for (int i = 0; i < n; i++) {
            double th = dec ? p[i] * decay : p[i];
            double gi = useL2 ? g[i] + th * l2 : g[i];
            double mi = m[i] * b1 + gi * ob1;
            double vi = v[i] * b2 + gi * gi * ob2;
            double vh = vi;
            if (ams) {
                vh = Math.max(vMax[i], vi);
                vMaxOut[i] = vh;
            }
            double den = Math.sqrt(vh) / bc2 + eps;
            pOut[i] = th - mi / den * step;
            mOut[i] = mi;
            vOut[i] = vi;
        }
    }

    /**
     * The twin: the optimiser's element-wise ops one after another, each over the whole tensor in
     * double and rounded to the dtype when {@code f32} (the constants too), as {@code Adam.update}
     * composed them. Returns {θ, m, v, v_max}.
     */
    public static double[][] naive(Step s, double[] p, double[] g, double[] m, double[] v, double[] vMax, boolean f32) {
        int n = p.length;
        double[] th = p.clone(), gi = g.clone();
        if (s.decay()) th = times(th, r(s.decayFactor(), f32), f32);
        if (s.l2() != 0) gi = plus(gi, times(th, r(s.l2(), f32), f32), f32);
        double[] mi = plus(times(m, r(s.beta1(), f32), f32), times(gi, r(s.oneMinusBeta1(), f32), f32), f32);
        double[] vi = plus(times(v, r(s.beta2(), f32), f32), times(times(gi, gi, f32), r(s.oneMinusBeta2(), f32), f32), f32);
        double[] vm = vMax.clone();
        if (s.amsgrad()) for (int i = 0; i < n; i++) vm[i] = r(Math.max(vMax[i], vi[i]), f32);
        double[] root = new double[n];
        for (int i = 0; i < n; i++) root[i] = r(Math.sqrt(s.amsgrad() ? vm[i] : vi[i]), f32);
        double[] den = new double[n], q = new double[n], out = new double[n];
        for (int i = 0; i < n; i++) den[i] = r(r(root[i] / r(s.bc2Sqrt(), f32), f32) + r(s.eps(), f32), f32);
        for (int i = 0; i < n; i++) q[i] = r(r(mi[i] / den[i], f32) * r(s.stepSize(), f32), f32);
        for (int i = 0; i < n; i++) out[i] = r(th[i] - q[i], f32);
        return new double[][] {out, mi, vi, vm};
    }

    private static double r(double x, boolean f32) {
        return f32 ? (float) x : x;
    }

    private static double[] times(double[] a, double c, boolean f32) {
        double[] o = new double[a.length];
        for (int i = 0; i < a.length; i++) o[i] = r(a[i] * c, f32);
        return o;
    }

    private static double[] times(double[] a, double[] b, boolean f32) {
        double[] o = new double[a.length];
        for (int i = 0; i < a.length; i++) o[i] = r(a[i] * b[i], f32);
        return o;
    }

    private static double[] plus(double[] a, double[] b, boolean f32) {
        double[] o = new double[a.length];
        for (int i = 0; i < a.length; i++) o[i] = r(a[i] + b[i], f32);
        return o;
    }
}
