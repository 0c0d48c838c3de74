package zerotoml.scratch.tensor;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;

/**
 * Gradients of scalar functions, with respect to a tensor, a list of tensors, or a record of
 * tensors. Each call opens its own {@link Tape} and closes it before returning, so nothing is
 * retained between calls. A tensor used several times accumulates its gradient.
 */
public final class Autodiff {
    private Autodiff() {}

    /** A loss value together with its gradient, in the shape of the argument. */
    public record ValueAndGrad<T>(Tensor value, T grad) {}

    /** d f(x) / dx for a scalar-valued f. */
    public static Tensor grad(Function<Tensor, Tensor> f, Tensor x) {
        return valueAndGrad(f, x).grad();
    }

    public static ValueAndGrad<Tensor> valueAndGrad(Function<Tensor, Tensor> f, Tensor x) {
        Args.nonNull("Autodiff", "f", f);
        try (Tape tape = Tape.open()) {
            tape.watch(x);
            Tensor y = f.apply(x);
            return new ValueAndGrad<>(y, tape.gradient(y, x).get(0));
        }
    }

    /** Gradients of a scalar f with respect to each tensor in {@code xs}, in order. */
    public static List<Tensor> grad(Function<List<Tensor>, Tensor> f, List<Tensor> xs) {
        Args.nonNull("Autodiff", "f", f);
        try (Tape tape = Tape.open()) {
            Tensor[] w = xs.toArray(new Tensor[0]);
            tape.watch(w);
            return tape.gradient(f.apply(xs), w);
        }
    }

    /** The vector-Jacobian product {@code d sum(f(xs) * cotangent) / d xs}. */
    public static List<Tensor> vjp(Function<List<Tensor>, Tensor> f, List<Tensor> xs, Tensor cotangent) {
        Args.nonNull("Autodiff", "f", f);
        try (Tape tape = Tape.open()) {
            Tensor[] w = xs.toArray(new Tensor[0]);
            tape.watch(w);
            return tape.vjp(f.apply(xs), cotangent, w);
        }
    }

    /** The gradient of a scalar loss with respect to every tensor in a params record, as the same record type. */
    public static <P extends Record> P grad(Function<P, Tensor> loss, P params) {
        return valueAndGrad(loss, params).grad();
    }

    public static <P extends Record> ValueAndGrad<P> valueAndGrad(Function<P, Tensor> loss, P params) {
        Args.nonNull("Autodiff", "loss", loss);
        Args.nonNull("Autodiff", "params", params);
        List<Tensor> leaves = Params.tensors(params);
        try (Tape tape = Tape.open()) {
            Tensor[] w = leaves.toArray(new Tensor[0]);
            tape.watch(w);
            Tensor y = loss.apply(params);
            List<Tensor> g = tape.gradient(y, w);
            return new ValueAndGrad<>(y, Params.rebuild(params, g));
        }
    }

    /**
     * Walks records of tensors: components that are tensors, nested records, or lists of either.
     * Other components (ints, strings, ...) are carried over unchanged when rebuilding.
     */
    public static final class Params {
        private Params() {}

        /** Every tensor in the record, depth first in component order. */
        public static List<Tensor> tensors(Record r) {
            List<Tensor> out = new ArrayList<>();
            collect(r, out);
            return out;
        }

        /** A record of the same type with its tensors replaced, in {@link #tensors} order. */
        public static <P extends Record> P rebuild(P template, List<Tensor> replacements) {
            Iterator<Tensor> it = replacements.iterator();
            @SuppressWarnings("unchecked")
            P out = (P) rebuildValue(template, it);
            if (it.hasNext()) throw new IllegalArgumentException("Params.rebuild: more replacement tensors than the record holds");
            return out;
        }

        /** Applies f to every tensor of a record, keeping its structure. */
        public static <P extends Record> P map(P r, Function<Tensor, Tensor> f) {
            List<Tensor> ts = tensors(r);
            List<Tensor> mapped = new ArrayList<>(ts.size());
            for (Tensor t : ts) mapped.add(f.apply(t));
            return rebuild(r, mapped);
        }

        private static void collect(Object v, List<Tensor> out) {
            if (v instanceof Tensor t) {
                out.add(t);
            } else if (v instanceof Record rec) {
                for (RecordComponent c : rec.getClass().getRecordComponents()) collect(read(rec, c), out);
            } else if (v instanceof List<?> list) {
                for (Object o : list) collect(o, out);
            }
        }

        private static Object rebuildValue(Object v, Iterator<Tensor> it) {
            if (v instanceof Tensor) {
                if (!it.hasNext()) throw new IllegalArgumentException("Params.rebuild: fewer replacement tensors than the record holds");
                return it.next();
            } else if (v instanceof Record rec) {
                RecordComponent[] cs = rec.getClass().getRecordComponents();
                Object[] args = new Object[cs.length];
                Class<?>[] types = new Class<?>[cs.length];
                for (int i = 0; i < cs.length; i++) {
                    args[i] = rebuildValue(read(rec, cs[i]), it);
                    types[i] = cs[i].getType();
                }
                try {
                    Constructor<?> k = rec.getClass().getDeclaredConstructor(types);
                    k.setAccessible(true);
                    return k.newInstance(args);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalArgumentException("Params: cannot rebuild record " + rec.getClass().getName() + ": " + e, e);
                }
            } else if (v instanceof List<?> list) {
                List<Object> out = new ArrayList<>(list.size());
                for (Object o : list) out.add(rebuildValue(o, it));
                return List.copyOf(out);
            }
            return v;
        }

        private static Object read(Record rec, RecordComponent c) {
            try {
                var m = c.getAccessor();
                m.setAccessible(true);
                return m.invoke(rec);
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException("Params: cannot read component " + c.getName() + " of " + rec.getClass().getName(), e);
            }
        }
    }
}
