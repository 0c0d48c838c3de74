package zerotoml.reference.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a safetensors file (https://huggingface.co/docs/safetensors: u64 little-endian header
 * length, JSON header, little-endian data) into DJL arrays with plain Java and
 * {@code NDManager.create}, independently of scratch's reader. F32 and F64 only.
 */
public final class Safetensors {
    private Safetensors() {}

    private static final Pattern ENTRY = Pattern.compile(
            "\"((?:[^\"\\\\]|\\\\.)*)\"\\s*:\\s*\\{\\s*\"dtype\"\\s*:\\s*\"(F32|F64)\"\\s*,\\s*\"shape\"\\s*:\\s*\\[([0-9,\\s]*)\\]\\s*,"
                    + "\\s*\"data_offsets\"\\s*:\\s*\\[\\s*([0-9]+)\\s*,\\s*([0-9]+)\\s*\\]\\s*\\}");

    /**
     * Writes DJL arrays as a safetensors file the way other tools do: a header with each tensor's
     * dtype, shape and offsets, and no {@code __metadata__} (so no checksum of scratch's). Arrays
     * are written in the map's order, little-endian.
     */
    public static void write(Path file, Map<String, NDArray> arrays) throws IOException {
        StringBuilder header = new StringBuilder("{");
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        for (var e : arrays.entrySet()) {
            NDArray a = e.getValue();
            String dtype = switch (a.getDataType()) {
                case FLOAT32 -> "F32";
                case FLOAT64 -> "F64";
                default -> throw new IllegalArgumentException("Safetensors.write: " + e.getKey() + " is " + a.getDataType() + "; only float32 and float64");
            };
            ByteBuffer bytes = a.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            byte[] b = new byte[bytes.remaining()];
            bytes.get(b);
            StringBuilder shape = new StringBuilder();
            for (long d : a.getShape().getShape()) shape.append(shape.length() > 0 ? ", " : "").append(d);
            header.append(header.length() > 1 ? ", " : "").append('"').append(e.getKey()).append("\": {\"dtype\": \"").append(dtype)
                    .append("\", \"shape\": [").append(shape).append("], \"data_offsets\": [").append(data.size()).append(", ").append(data.size() + b.length).append("]}");
            data.write(b);
        }
        byte[] h = header.append('}').toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + data.size()).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(data.toByteArray());
        Files.write(file, out.array());
    }

    /** Every tensor in the file, by name, created in {@code m}. */
    public static Map<String, NDArray> read(NDManager m, Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(all, 8, (int) n, StandardCharsets.UTF_8);
        ByteBuffer data = ByteBuffer.wrap(all, 8 + (int) n, all.length - 8 - (int) n).slice().order(ByteOrder.LITTLE_ENDIAN);
        Map<String, NDArray> out = new LinkedHashMap<>();
        Matcher mt = ENTRY.matcher(header);
        while (mt.find()) {
            String name = mt.group(1);
            String[] parts = mt.group(3).trim().isEmpty() ? new String[0] : mt.group(3).split(",");
            long[] shape = new long[parts.length];
            for (int i = 0; i < parts.length; i++) shape[i] = Long.parseLong(parts[i].trim());
            int begin = Integer.parseInt(mt.group(4)), end = Integer.parseInt(mt.group(5));
            ByteBuffer slice = data.duplicate().position(begin).limit(end).slice().order(ByteOrder.LITTLE_ENDIAN);
            if (mt.group(2).equals("F32")) {
                float[] f = new float[(end - begin) / 4];
                slice.asFloatBuffer().get(f);
                out.put(name, m.create(f, new Shape(shape)));
            } else {
                double[] d = new double[(end - begin) / 8];
                slice.asDoubleBuffer().get(d);
                out.put(name, m.create(d, new Shape(shape)));
            }
        }
        return out;
    }
}
