package zerotoml.scratch.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Mutations;
import zerotoml.fixtures.Mutations.Edit;
import zerotoml.fixtures.Property;
import zerotoml.fixtures.Source;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * Thousands of mutations of a checkpoint that scratch wrote: each load is a clean
 * {@link Safetensors.SafetensorsException} naming the file, or the original contents bit for bit.
 * The mutations: one edit anywhere (a flipped byte, a cut, a deletion, an insertion, an overwrite,
 * an appended tail), up to eight flips in the data section, and edits of the header's meaning that
 * keep it valid JSON (offsets, shapes, names, dtypes, a duplicated key, a nesting bomb, bytes that
 * are not UTF-8, the header length, the metadata).
 */
class SafetensorsFuzzTest {
    @TempDir
    Path dir;

    static Map<String, Tensor> tensors() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("embed", Tensor.of(DType.F32, new double[] {1.5, -2, Double.NaN, 1e-40, Double.POSITIVE_INFINITY, -0.0}, 2, 3));
        t.put("blocks.0.wQ", Tensor.of(DType.F64, new double[] {Math.PI, Math.E, -1e300, 4.9e-324}, 4));
        t.put("blocks.0.empty", Tensor.zeros(DType.F32, 0, 3));
        t.put("blocks.0.bias", Tensor.scalar(DType.F64, 42));
        t.put("head", Tensor.of(DType.F32, new double[] {7, 8, 9, 10}, 2, 2));
        return t;
    }

    static final Pattern OFFSET = Pattern.compile("\"data_offsets\":\\[(\\d+),(\\d+)\\]");
    static final Pattern SHAPE = Pattern.compile("\"shape\":\\[([0-9,]*)\\]");
    static final Pattern NAME = Pattern.compile("\"([^\"]+)\":\\{\"dtype\"");
    static final Pattern DTYPE = Pattern.compile("\"(F32|F64)\"");

    /** The file with its header replaced by {@code json} (length and padding rewritten, data unchanged). */
    static byte[] withHeader(byte[] file, String json) {
        return withHeader(file, json.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] withHeader(byte[] file, byte[] json) {
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded + file.length - 8 - (int) n).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) out.put((byte) ' ');
        out.put(file, 8 + (int) n, file.length - 8 - (int) n);
        return out.array();
    }

    static String header(byte[] file) {
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new String(file, 8, (int) n, StandardCharsets.UTF_8).stripTrailing();
    }

    /** The k-th match's group g replaced, k drawn from the matches. */
    static Edit replaceGroup(Source s, String what, byte[] file, Pattern p, int group, java.util.function.Function<String, String> by) {
        String h = header(file);
        List<int[]> spans = new ArrayList<>();
        Matcher m = p.matcher(h);
        while (m.find()) spans.add(new int[] {m.start(group), m.end(group)});
        int[] sp = spans.get(s.intBetween(0, spans.size() - 1));
        String old = h.substring(sp[0], sp[1]), now = by.apply(old);
        return new Edit(what + ": '" + old + "' -> '" + now + "' at " + sp[0], b -> withHeader(b, h.substring(0, sp[0]) + now + h.substring(sp[1])));
    }

    static Gen<Edit> headerEdits(byte[] file) {
        String h = header(file);
        return s -> {
            switch (s.intBetween(0, 10)) {
                case 0: {
                    long delta = s.pick(1L, -1L, 4L, -4L, 8L, 16L, -16L, 1L << 32);
                    return replaceGroup(s, "offset " + (delta > 0 ? "+" : "") + delta, file, OFFSET, s.intBetween(1, 2), v -> String.valueOf(Math.max(0, Long.parseLong(v) + delta)));
                }
                case 1: {
                    String to = String.valueOf(s.pick(0L, 1L, 24L, 1L << 31, Long.MAX_VALUE));
                    return replaceGroup(s, "offset set", file, OFFSET, s.intBetween(1, 2), v -> to);
                }
                case 2: {
                    // swap two dims, or change one: the byte count may stay the same
                    int which = s.intBetween(0, 1);
                    long to = s.pick(0L, 1L, 2L, 3L, 6L, 1L << 31);
                    return replaceGroup(s, which == 0 ? "shape reversed" : "shape dim set to " + to, file, SHAPE, 1, v -> {
                        if (v.isEmpty()) return which == 0 ? "1" : String.valueOf(to);
                        String[] d = v.split(",");
                        if (which == 0) java.util.Collections.reverse(java.util.Arrays.asList(d));
                        else d[0] = String.valueOf(to);
                        return String.join(",", d);
                    });
                }
                case 3: {
                    char c = (char) s.intBetween(0x21, 0x7E);
                    return replaceGroup(s, "renamed", file, NAME, 1, v -> c == '"' || c == '\\' ? v + "x" : c + v.substring(1));
                }
                case 4:
                    return replaceGroup(s, "dtype swapped", file, DTYPE, 1, v -> v.equals("F32") ? "F64" : "F32");
                case 5: {
                    Matcher m = Pattern.compile("\"embed\":\\{[^}]*\\}").matcher(h);
                    m.find();
                    String entry = m.group();
                    return new Edit("duplicate key 'embed'", b -> withHeader(b, h.substring(0, h.length() - 1) + "," + entry + "}"));
                }
                case 6: {
                    int depth = s.pick(65, 1000, 20_000, 100_000);
                    return new Edit("nesting bomb " + depth + " deep", b -> withHeader(b, "{\"x\":" + "[".repeat(depth) + "]".repeat(depth) + "," + h.substring(1)));
                }
                case 7: {
                    byte[] bad = s.pick(new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xC3, 0x28}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xC0, (byte) 0xAF});
                    int at = h.indexOf("\"embed\"") + 1 + s.intBetween(0, 4);
                    byte[] hb = h.getBytes(StandardCharsets.UTF_8);
                    byte[] edited = new byte[hb.length + bad.length];
                    System.arraycopy(hb, 0, edited, 0, at);
                    System.arraycopy(bad, 0, edited, at, bad.length);
                    System.arraycopy(hb, at, edited, at + bad.length, hb.length - at);
                    return new Edit("not UTF-8: " + java.util.HexFormat.of().formatHex(bad) + " inside a name", b -> withHeader(b, edited));
                }
                case 8: {
                    long n = s.pick(0L, 1L, 7L, 8L, -1L, 1L << 40, (long) s.intBetween(0, file.length));
                    return new Edit("header length set to " + n, b -> {
                        ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(n);
                        return b;
                    });
                }
                case 9:
                    return replaceGroup(s, "metadata value changed", file, Pattern.compile("\"step\":\"(\\d+)\""), 1, v -> v + "3");
                default:
                    // what a file from a tool that writes no checksum looks like: it must load, identical
                    return new Edit("checksum removed", b -> withHeader(b, h.replaceAll(",?\"" + Pattern.quote(Safetensors.CHECKSUM) + "\":\"[^\"]*\"", "")));
            }
        };
    }

    static boolean same(Safetensors.Contents a, Safetensors.Contents b) {
        if (!a.metadata().equals(b.metadata()) || !List.copyOf(a.tensors().keySet()).equals(List.copyOf(b.tensors().keySet()))) return false;
        for (String k : a.tensors().keySet()) {
            Tensor x = a.tensors().get(k), y = b.tensors().get(k);
            if (x.dtype() != y.dtype() || !x.shape().equals(y.shape())) return false;
            double[] u = x.toArray(), v = y.toArray();
            for (int i = 0; i < u.length; i++) if (Double.doubleToRawLongBits(u[i]) != Double.doubleToRawLongBits(v[i])) return false;
        }
        return true;
    }

    @Test
    void everyMutationOfACheckpointIsRejectedByNameOrLoadsIdentically() throws IOException {
        Path good = dir.resolve("good.safetensors");
        Safetensors.write(good, tensors(), Map.of("step", "12"));
        byte[] original = Files.readAllBytes(good);
        Safetensors.Contents expected = Safetensors.read(good);
        int dataStart = 8 + (int) ByteBuffer.wrap(original, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Gen<Edit> single = Mutations.single(original.length), data = Mutations.flipsWithin(dataStart, original.length, 8), header = headerEdits(original);
        Gen<Edit> edits = s -> s.pick(single, data, header).draw(s);
        Path file = dir.resolve("mutated.safetensors");
        Mutations.Tally tally = new Mutations.Tally();
        int cases = Math.max(4000, Property.cases());
        Property.Outcome<Edit> o = Property.run("safetensors fuzz", edits, e -> Mutations.loadsCleanlyOrIdentically(file, e.apply(original), Safetensors::read,
                expected, SafetensorsFuzzTest::same, Safetensors.SafetensorsException.class, tally, e.what()), cases);
        System.out.println("safetensors fuzz: " + tally);
        if (o.failure().isPresent()) throw new AssertionError(o.report(), o.failure().get().error());
        assertEquals(Property.casesHere(cases), tally.rejected + tally.identical, "every case this run owns is counted once");
        assertTrue(tally.rejected > Property.casesHere(cases) * 0.8, "most mutations must change something the reader sees: " + tally);
    }

    @Test
    void aFileWithoutAChecksumStillLoadsAndOneWithAForeignKeyIsRefused() throws IOException {
        Path p = dir.resolve("foreign.safetensors");
        Safetensors.write(p, tensors(), Map.of("step", "12"));
        byte[] b = Files.readAllBytes(p);
        String h = header(b);
        Files.write(p, withHeader(b, h.replaceAll(",?\"" + Pattern.quote(Safetensors.CHECKSUM) + "\":\"[^\"]*\"", "")));
        assertTrue(same(Safetensors.read(dir.resolve("foreign.safetensors")), readBack(b)));
        Files.write(p, withHeader(b, h.replace(Safetensors.CHECKSUM, "zerotoml.sha255")));
        var e = assertThrows(Safetensors.SafetensorsException.class, () -> Safetensors.read(p));
        assertTrue(e.getMessage().contains("a checksum stands under metadata key \"zerotoml.sha255\""), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(p, tensors(), Map.of(Safetensors.CHECKSUM, "x")));
    }

    Safetensors.Contents readBack(byte[] b) throws IOException {
        Path q = dir.resolve("original.safetensors");
        Files.write(q, b);
        return Safetensors.read(q);
    }

    @Test
    void overlappingGappedAndShiftedOffsetsAreRejectedAsTheSpecificationAsks() throws IOException {
        Path p = dir.resolve("t.safetensors");
        Map<String, Tensor> two = new LinkedHashMap<>();
        two.put("a", Tensor.of(DType.F32, new double[] {1, 2}, 2));
        two.put("b", Tensor.of(DType.F32, new double[] {3, 4}, 2));
        Safetensors.write(p, two, Map.of());
        byte[] b = Files.readAllBytes(p);
        String h = header(b).replaceAll(",?\"__metadata__\":\\{[^}]*\\}", "").replace("{,", "{");
        // 16 data bytes for the overlap, 20 (four more at the end) for the gaps, so that no span runs past the file
        byte[] longer = java.util.Arrays.copyOf(b, b.length + 4);
        Object[][] bad = {
            {b, "[0,8]", "[0,8]", "(the spans overlap)"},
            {longer, "[4,12]", "[12,20]", "but the data section starts at 0 (a gap)"},
            {longer, "[0,8]", "[12,20]", "but tensor 'a' ends at 8 (a gap)"},
        };
        for (Object[] c : bad) {
            String edited = h.replace("[0,8]", "A").replace("[8,16]", "B").replace("A", (String) c[1]).replace("B", (String) c[2]);
            Files.write(p, withHeader((byte[]) c[0], edited));
            var e = assertThrows(Safetensors.SafetensorsException.class, () -> Safetensors.read(p), edited);
            assertTrue(e.getMessage().contains((String) c[3]), e.getMessage());
        }
        Files.write(p, withHeader(b, h.replace("\"a\"", "\"b\"")));
        assertTrue(assertThrows(Safetensors.SafetensorsException.class, () -> Safetensors.read(p)).getMessage().contains("duplicate key \"b\""));
    }
}
