package zerotoml.parity.harness;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One generated parity case: the input arrays, the op's arguments (axes, stride, ...), and the
 * seed of the random cotangent that both sides back-propagate.
 *
 * <p>Arguments are read and written through typed keys, declared once per test family
 * ({@code static final Arg<int[]> STRIDE = Arg.ints("stride")}), so that {@code c.get(STRIDE)} is
 * an {@code int[]} at compile time. The case prints its arguments in the order they were added.
 */
public record Case(List<Arr> inputs, Map<String, Object> args, long cotangentSeed) {
    public Case {
        inputs = List.copyOf(inputs);
        args = new LinkedHashMap<>(args);
    }

    /** A case without arguments. */
    public Case(List<Arr> inputs, long cotangentSeed) {
        this(inputs, Map.of(), cotangentSeed);
    }

    /**
     * A case argument's name and type. The name is what the case prints ({@code stride=[1, 2]});
     * the type is checked by the compiler where the argument is written and read.
     */
    public record Arg<T>(String name, Class<T> type) {
        public Arg {
            if (name == null || name.isEmpty()) throw new IllegalArgumentException("Arg: the name must not be empty");
        }

        public static Arg<Integer> integer(String name) {
            return new Arg<>(name, Integer.class);
        }

        public static Arg<int[]> ints(String name) {
            return new Arg<>(name, int[].class);
        }

        public static Arg<Double> real(String name) {
            return new Arg<>(name, Double.class);
        }

        public static Arg<double[]> doubles(String name) {
            return new Arg<>(name, double[].class);
        }

        public static Arg<Boolean> bool(String name) {
            return new Arg<>(name, Boolean.class);
        }

        public static Arg<String> text(String name) {
            return new Arg<>(name, String.class);
        }

        /** An argument of any other type (an enum, a record of hyper-parameters). */
        public static <T> Arg<T> of(String name, Class<T> type) {
            return new Arg<>(name, type);
        }
    }

    /** This case with one more argument (or that argument replaced, keeping its place). */
    public <T> Case with(Arg<T> key, T value) {
        if (value == null) throw new IllegalArgumentException("Case: argument '" + key.name() + "' must not be null");
        Map<String, Object> more = new LinkedHashMap<>(args);
        more.put(key.name(), value);
        return new Case(inputs, more, cotangentSeed);
    }

    /** The same arguments and cotangent with other inputs (adjudication rounds them, shrinking moves them). */
    public Case withInputs(List<Arr> other) {
        return new Case(other, args, cotangentSeed);
    }

    /** An argument's value, of its key's type. */
    public <T> T get(Arg<T> key) {
        Object v = arg(key.name());
        if (!key.type().isInstance(v))
            throw new IllegalArgumentException("Case argument '" + key.name() + "' is a " + v.getClass().getSimpleName() + ", not a " + key.type().getSimpleName());
        return key.type().cast(v);
    }

    /** Whether the case has this argument (for optional ones). */
    public boolean has(Arg<?> key) {
        return args.containsKey(key.name());
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
