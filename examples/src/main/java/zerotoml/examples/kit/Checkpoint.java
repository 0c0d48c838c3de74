package zerotoml.examples.kit;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import zerotoml.scratch.io.Safetensors;
import zerotoml.scratch.tensor.Tensor;

/**
 * A {@link Loop.State} as one safetensors file, written atomically: the params and the optimiser
 * state as tensors ({@code params.w1}, {@code opt.m.w1}, ...), and as metadata the run's config,
 * the step, the running sums, the seconds so far, the history (as {@link Table} CSV) and every
 * number of the params and optimiser records that is not a tensor (such as Adam's step count,
 * {@code scalar.opt.step}). Every value round-trips bit for bit, which is what makes a resumed run
 * identical to an uninterrupted one.
 */
public final class Checkpoint {
    private Checkpoint() {}

    /** The tensors of a checkpoint. */
    record Saved<P extends Record, O extends Record>(P params, O opt) {}

    public static <P extends Record, O extends Record, E extends Record> void save(Path file, String config, Loop.State<P, O, E> s, Class<E> rowType)
            throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("config", config);
        meta.put("step", Integer.toString(s.step()));
        meta.put("lossSum", Double.toString(s.running().lossSum()));
        meta.put("weight", Double.toString(s.running().weight()));
        meta.put("correct", Double.toString(s.running().correct()));
        meta.put("seconds", Double.toString(s.seconds()));
        meta.put("history", Table.csv(s.history(), rowType));
        Saved<P, O> saved = new Saved<>(s.params(), s.opt());
        scalars(saved, "", meta);
        Safetensors.save(file, saved, meta);
    }

    /**
     * The state saved in {@code file}, shaped like the templates (fresh params and optimiser state);
     * a {@link Failure} when the checkpoint was made with another config.
     */
    public static <P extends Record, O extends Record, E extends Record> Loop.State<P, O, E> load(Path file, String config, P params, O opt,
                                                                                                  Class<E> rowType) throws IOException {
        Safetensors.Contents contents = Safetensors.read(file);
        Map<String, String> m = contents.metadata();
        if (!config.equals(m.get("config"))) {
            throw new Failure(Failure.USAGE, "checkpoint " + file + " was made by another configuration (" + m.get("config") + "), not this run's ("
                    + config + "); resume with the same options or choose another --out");
        }
        @SuppressWarnings("unchecked")
        Saved<P, O> saved = (Saved<P, O>) withScalars(Safetensors.load(contents, file, new Saved<>(params, opt)), "", m);
        return new Loop.State<>(saved.params(), saved.opt(), Integer.parseInt(m.get("step")),
                new Loop.Running(Double.parseDouble(m.get("lossSum")), Double.parseDouble(m.get("weight")), Double.parseDouble(m.get("correct"))),
                Table.parse(m.get("history"), rowType), Double.parseDouble(m.get("seconds")));
    }

    private static boolean isScalar(Class<?> t) {
        return t == int.class || t == long.class || t == double.class || t == boolean.class;
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** Puts every scalar component under {@code scalar.PATH}. */
    private static void scalars(Object v, String path, Map<String, String> meta) {
        if (v instanceof Record r) {
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                Object x = Table.read(c, r);
                if (isScalar(c.getType())) meta.put("scalar." + join(path, c.getName()), String.valueOf(x));
                else scalars(x, join(path, c.getName()), meta);
            }
        } else if (v instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) scalars(list.get(i), join(path, Integer.toString(i)), meta);
        }
    }

    /** {@code v} with its scalar components replaced by the saved ones. */
    private static Object withScalars(Object v, String path, Map<String, String> meta) {
        if (v instanceof Tensor || v == null) return v;
        if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) out.add(withScalars(list.get(i), join(path, Integer.toString(i)), meta));
            return List.copyOf(out);
        }
        if (!(v instanceof Record r)) return v;
        RecordComponent[] cs = r.getClass().getRecordComponents();
        Object[] args = new Object[cs.length];
        Class<?>[] types = new Class<?>[cs.length];
        for (int i = 0; i < cs.length; i++) {
            types[i] = cs[i].getType();
            String p = join(path, cs[i].getName());
            String saved = meta.get("scalar." + p);
            Object x = Table.read(cs[i], r);
            if (isScalar(types[i])) {
                args[i] = saved == null ? x : types[i] == int.class ? Integer.valueOf(saved) : types[i] == long.class ? Long.valueOf(saved)
                        : types[i] == double.class ? (Object) Double.valueOf(saved) : Boolean.valueOf(saved);
            } else {
                args[i] = withScalars(x, p, meta);
            }
        }
        try {
            var k = r.getClass().getDeclaredConstructor(types);
            k.setAccessible(true);
            return k.newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("Checkpoint: cannot rebuild " + r.getClass().getSimpleName(), e);
        }
    }
}
