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
 * <p>Arguments are written and read through typed keys, declared once per test family
 * ({@code static final Arg<int[]> STRIDE = Arg.ints("stride")}): {@code c.with(STRIDE, st)} takes
 * an {@code int[]} and {@code c.get(STRIDE)} is one, both checked by the compiler. The case prints
 * its arguments in the order they were added ({@code args {stride=[1, 2], groups=1}}).
 */
public record Case(List<Arr> inputs, Args args, long cotangentSeed) {
    public Case {
        inputs = List.copyOf(inputs);
        if (args == null) throw new IllegalArgumentException("Case: args must not be null (Args.NONE for none)");
    }

    /** A case without arguments. */
    public Case(List<Arr> inputs, long cotangentSeed) {
        this(inputs, Args.NONE, cotangentSeed);
    }

    /**
     * A case argument's name and type. The name is what the case prints ({@code stride=[1, 2]});
     * the type is checked by the compiler where the argument is written and read.
     */
    public record Arg<T>(String name, Class<T> type) {
        public Arg {
            if (name == null || name.isEmpty()) throw new IllegalArgumentException("Arg: the name must not be empty");
            if (type == null) throw new IllegalArgumentException("Arg '" + name + "': the type must not be null");
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

    /** A case's arguments: values under typed keys, in the order they were added; immutable. */
    public static final class Args {
        public static final Args NONE = new Args(new LinkedHashMap<>());

        private final Map<Arg<?>, Object> values;

        private Args(Map<Arg<?>, Object> values) {
            this.values = values;
        }

        /** These arguments and one more (or that one replaced, keeping its place). */
        public <T> Args with(Arg<T> key, T value) {
            if (value == null) throw new IllegalArgumentException("Case: argument '" + key.name() + "' must not be null");
            for (Arg<?> k : values.keySet())
                if (k.name().equals(key.name()) && !k.equals(key))
                    throw new IllegalArgumentException("Case: argument '" + key.name() + "' is a " + k.type().getSimpleName() + ", not a " + key.type().getSimpleName());
            Map<Arg<?>, Object> more = new LinkedHashMap<>(values);
            more.put(key, value);
            return new Args(more);
        }

        public <T> T get(Arg<T> key) {
            if (!values.containsKey(key)) throw new IllegalArgumentException("Case has no argument '" + key.name() + "' of type "
                    + key.type().getSimpleName() + ", only " + this);
            return key.type().cast(values.get(key));
        }

        public boolean has(Arg<?> key) {
            return values.containsKey(key);
        }

        public boolean isEmpty() {
            return values.isEmpty();
        }

        /** {@code {name=value, ...}}, arrays element by element. */
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("{");
            int k = 0;
            for (var e : values.entrySet()) {
                Object v = e.getValue();
                b.append(k++ > 0 ? ", " : "").append(e.getKey().name()).append('=')
                        .append(v instanceof int[] a ? Arrays.toString(a) : v instanceof double[] d ? Arrays.toString(d) : String.valueOf(v));
            }
            return b.append('}').toString();
        }
    }

    /** This case with one more argument (or that argument replaced, keeping its place). */
    public <T> Case with(Arg<T> key, T value) {
        return new Case(inputs, args.with(key, value), cotangentSeed);
    }

    /** The same arguments and cotangent with other inputs (adjudication rounds them, shrinking moves them). */
    public Case withInputs(List<Arr> other) {
        return new Case(other, args, cotangentSeed);
    }

    /** An argument's value, of its key's type. */
    public <T> T get(Arg<T> key) {
        return args.get(key);
    }

    /** Whether the case has this argument (for optional ones). */
    public boolean has(Arg<?> key) {
        return args.has(key);
    }

    public Arr input(int i) {
        return inputs.get(i);
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
        if (!args.isEmpty()) b.append(", args ").append(args);
        return b.append(", cotangent seed ").append(cotangentSeed).toString();
    }
}
