package zerotoml.examples.kit;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import zerotoml.scratch.io.AtomicFile;

/**
 * A list of records as CSV, the one history format of every command: a header of the component
 * names in snake_case ({@code trainLoss} → {@code train_loss}), then one row per record. Numbers
 * are written in full ({@link Double#toString}), so reading a table back gives the same values bit
 * for bit; the checkpoint keeps the history as this text. Components may be int, long, double,
 * boolean or String (without commas or line breaks).
 */
public final class Table {
    private Table() {}

    public static <R extends Record> String csv(List<R> rows, Class<R> type) {
        RecordComponent[] cs = components(type);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cs.length; i++) sb.append(i == 0 ? "" : ",").append(snake(cs[i].getName()));
        sb.append('\n');
        for (R r : rows) {
            for (int i = 0; i < cs.length; i++) {
                String v = String.valueOf(read(cs[i], r));
                if (v.contains(",") || v.contains("\n")) throw new IllegalArgumentException("Table: " + type.getSimpleName() + "." + cs[i].getName() + " holds a comma or a line break: " + v);
                sb.append(i == 0 ? "" : ",").append(v);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Reads what {@link #csv} wrote; the header must name {@code type}'s components in order. */
    public static <R extends Record> List<R> parse(String csv, Class<R> type) {
        RecordComponent[] cs = components(type);
        String[] lines = csv.split("\n");
        String header = csv(List.of(), type).strip();
        if (lines.length == 0 || !lines[0].equals(header)) {
            throw new IllegalArgumentException("Table: expected the header '" + header + "' of " + type.getSimpleName() + ", got '" + (lines.length == 0 ? "" : lines[0]) + "'");
        }
        List<R> out = new ArrayList<>();
        Class<?>[] types = new Class<?>[cs.length];
        for (int i = 0; i < cs.length; i++) types[i] = cs[i].getType();
        for (int l = 1; l < lines.length; l++) {
            if (lines[l].isEmpty()) continue;
            String[] f = lines[l].split(",", -1);
            if (f.length != cs.length) throw new IllegalArgumentException("Table: row " + l + " has " + f.length + " fields, " + type.getSimpleName() + " has " + cs.length);
            Object[] args = new Object[cs.length];
            for (int i = 0; i < cs.length; i++) args[i] = value(types[i], f[i], type, cs[i].getName());
            try {
                Constructor<R> k = type.getDeclaredConstructor(types);
                k.setAccessible(true);
                out.add(k.newInstance(args));
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException("Table: cannot build " + type.getSimpleName() + " from row " + l, e);
            }
        }
        return List.copyOf(out);
    }

    /** Writes the table atomically. */
    public static <R extends Record> void write(Path file, List<R> rows, Class<R> type) throws IOException {
        byte[] bytes = csv(rows, type).getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(file, os -> os.write(bytes));
    }

    static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static RecordComponent[] components(Class<?> type) {
        RecordComponent[] cs = type.getRecordComponents();
        for (RecordComponent c : cs) {
            Class<?> t = c.getType();
            if (t != int.class && t != long.class && t != double.class && t != boolean.class && t != String.class) {
                throw new IllegalArgumentException("Table: " + type.getSimpleName() + "." + c.getName() + " is a " + t.getSimpleName()
                        + "; a table holds int, long, double, boolean and String");
            }
        }
        return cs;
    }

    /** The value of a record component (also for records the kit cannot see, such as a command's private ones). */
    static Object read(RecordComponent c, Record r) {
        try {
            var m = c.getAccessor();
            m.setAccessible(true);
            return m.invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("Table: cannot read " + c.getName(), e);
        }
    }

    private static Object value(Class<?> t, String s, Class<?> type, String name) {
        try {
            if (t == int.class) return Integer.parseInt(s);
            if (t == long.class) return Long.parseLong(s);
            if (t == double.class) return Double.parseDouble(s);
            if (t == boolean.class) return Boolean.parseBoolean(s);
            return s;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Table: " + type.getSimpleName() + "." + name + " is not a number: '" + s + "'");
        }
    }
}
