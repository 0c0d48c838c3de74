package zerotoml.parity.rl;

import zerotoml.fixtures.Domain;
import zerotoml.fixtures.Source;
import zerotoml.parity.harness.Arr;
import zerotoml.parity.harness.Cases;

/** Case pieces the RL parity tests share. */
final class RlCases {
    private RlCases() {}

    static Arr vector(Source s, int n, Domain d) {
        return Cases.arr(s, new int[] {n}, d);
    }

    /** {@code base + offset}, element-wise (a log-prob near another one, a value near an old value). */
    static Arr plus(Arr base, Arr offset) {
        double[] out = new double[base.data().length];
        for (int i = 0; i < out.length; i++) out[i] = base.data()[i] + offset.data()[i];
        return new Arr(base.shape(), out);
    }

    /** 0/1 flags of a shape, each 1 with probability about {@code p}. */
    static Arr flags(Source s, int[] shape, double p) {
        int n = 1;
        for (int d : shape) n *= d;
        double[] f = new double[n];
        for (int i = 0; i < n; i++) f[i] = s.doubleBetween(0, 1) < p ? 1 : 0;
        return new Arr(shape, f);
    }
}
