package zerotoml.parity.harness;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One generated parity case: the input arrays, the op's arguments (axes, stride, ...), and the
 * seed of the random cotangent that both sides back-propagate.
 */
public record Case(List<Arr> inputs, Map<String, Object> args, long cotangentSeed) {
    public Case {
        inputs = List.copyOf(inputs);
        args = new LinkedHashMap<>(args);
    }

    public Arr input(int i) {
        return inputs.get(i);
    }

    public int intArg(String name) {
        return (Integer) arg(name);
    }

    public int[] intsArg(String name) {
        return (int[]) arg(name);
    }

    public double doubleArg(String name) {
        return ((Number) arg(name)).doubleValue();
    }

    public boolean boolArg(String name) {
        return (Boolean) arg(name);
    }

    public String stringArg(String name) {
        return (String) arg(name);
    }

    public Object arg(String name) {
        if (!args.containsKey(name)) throw new IllegalArgumentException("Case has no argument '" + name + "', only " + args.keySet());
        return args.get(name);
    }

    /** The cotangent for an output shape: uniform in [-1, 1], a pure function of the seed. */
    public double[] cotangent(int[] shape) {
        SplittableRandom r = new SplittableRandom(cotangentSeed);
        int n = 1;
        for (int d : shape) n *= d;
        double[] c = new double[n];
        for (int i = 0; i < n; i++) c[i] = 2 * r.nextDouble() - 1;
        return c;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("inputs ").append(inputs);
        if (!args.isEmpty()) {
            b.append(", args {");
            int k = 0;
            for (var e : args.entrySet()) {
                Object v = e.getValue();
                b.append(k++ > 0 ? ", " : "").append(e.getKey()).append('=')
                        .append(v instanceof int[] a ? Arrays.toString(a) : v instanceof double[] d ? Arrays.toString(d) : String.valueOf(v));
            }
            b.append('}');
        }
        return b.append(", cotangent seed ").append(cotangentSeed).toString();
    }
}
