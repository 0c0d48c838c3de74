package zerotoml.scratch.io;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import zerotoml.scratch.tensor.Autodiff.Params;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * Checkpoints in the safetensors format (https://huggingface.co/docs/safetensors):
 *
 * <pre>
 *   8 bytes   N, the header length, unsigned little-endian
 *   N bytes   JSON: {"__metadata__": {str: str}, name: {"dtype": "F32"|"F64", "shape": [...],
 *             "data_offsets": [begin, end]}, ...}, padded with spaces
 *   rest      the tensors' bytes, little-endian, row-major; offsets count from the start of this part
 * </pre>
 *
 * Any params record can be saved; its tensors are named by their path in the record
 * ({@code w}, {@code blocks.0.wQ}, {@code inner.b}), in {@link Params#tensors} order. Writes are
 * atomic ({@link AtomicFile}); a truncated, corrupt or mismatched file gets a
 * {@link SafetensorsException} that names the file and the problem.
 *
 * <p>The reader is strict, as the format's specification asks: the header is valid UTF-8 and
 * valid JSON (no duplicate keys, nesting at most {@link Json#MAX_DEPTH}), every tensor's byte
 * span is exactly dtype x shape, and the spans, in offset order, tile the data section from 0 to
 * its end with no gap and no overlap.
 *
 * <p>Beyond the format: the byte flips the format cannot see (a tensor's data, a shape edit that
 * keeps the byte count) are caught by a checksum that {@link #write} puts in the metadata under
 * {@link #CHECKSUM}: SHA-256 of the metadata, each tensor's name, dtype, shape and offsets, and the
 * data section ({@link #digest}). The reader checks it when present; files from other tools, which
 * have none, still load. A metadata value shaped like our checksum under any other key is taken
 * as a damaged key and rejected, so one flipped byte cannot turn a checked file into an unchecked one.
 */
public final class Safetensors {
    private Safetensors() {}

    /** Headers longer than this are taken as corruption, not allocated. */
    static final long MAX_HEADER = 100L << 20;

    /** Files larger than this are refused before they are read (a Java array holds at most 2^31 - 1 bytes). */
    static final long MAX_FILE = Integer.MAX_VALUE - 16;

    /** The metadata key of the checksum that scratch writes, and its value's prefix. */
    public static final String CHECKSUM = "zerotoml.sha256";

    static final String CHECKSUM_PREFIX = "sha256:";

    public static final class SafetensorsException extends IOException {
        private static final long serialVersionUID = 1L;

        SafetensorsException(Path file, String problem) {
            super("safetensors file " + file + ": " + problem);
        }
    }

    /** Every tensor of a file by name, in file order, and the free-form metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /** The names of a record's tensors, aligned with {@link Params#tensors}. */
    public static List<String> names(Record r) {
        List<String> out = new ArrayList<>();
        collect("", r, out);
        return out;
    }

    private static void collect(String prefix, Object v, List<String> out) {
        if (v instanceof Tensor) {
            out.add(prefix);
        } else if (v instanceof Record rec) {
            for (RecordComponent c : rec.getClass().getRecordComponents()) {
                Object x;
                try {
                    var m = c.getAccessor();
                    m.setAccessible(true);
                    x = m.invoke(rec);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalArgumentException("Safetensors: cannot read component " + c.getName(), e);
                }
                collect(prefix.isEmpty() ? c.getName() : prefix + "." + c.getName(), x, out);
            }
        } else if (v instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) collect(prefix + "." + i, list.get(i), out);
        }
    }

    /** Saves a params record (and optional metadata) atomically. */
    public static void save(Path file, Record params, Map<String, String> metadata) throws IOException {
        List<Tensor> ts = Params.tensors(params);
        List<String> names = names(params);
        Map<String, Tensor> named = new LinkedHashMap<>();
        for (int i = 0; i < ts.size(); i++) {
            if (named.put(names.get(i), ts.get(i)) != null) throw new IllegalArgumentException("Safetensors.save: two tensors are named " + names.get(i));
        }
        write(file, named, metadata);
    }

    /** Writes named tensors atomically. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        if (metadata != null && metadata.containsKey(CHECKSUM)) throw new IllegalArgumentException("Safetensors.write: metadata key " + CHECKSUM + " is the writer's own");
        Map<String, String> meta = new LinkedHashMap<>(metadata == null ? Map.of() : metadata);
        meta.put(CHECKSUM, CHECKSUM_PREFIX + hex(digest(descriptions(tensors), metadata == null ? Map.of() : metadata, tensors.values())));
        byte[] header = header(tensors, meta);
        AtomicFile.write(file, out -> {
            // N as a little-endian u64
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            out.write(header);
            for (Tensor t : tensors.values()) out.write(bytes(t));
        });
    }

    static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        if (metadata != null && !metadata.isEmpty()) {
            sb.append("\"__metadata__\":{");
            boolean f = true;
            for (var e : metadata.entrySet()) {
                sb.append(f ? "" : ",").append(Json.quote(e.getKey())).append(':').append(Json.quote(e.getValue()));
                f = false;
            }
            sb.append('}');
            first = false;
        }
        long offset = 0;
        for (var e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long len = (long) t.size() * width(t.dtype());
            sb.append(first ? "" : ",").append(Json.quote(e.getKey())).append(":{\"dtype\":\"").append(t.dtype())
                    .append("\",\"shape\":").append(Arrays.toString(t.shape().dims()).replace(" ", ""))
                    .append(",\"data_offsets\":[").append(offset).append(',').append(offset + len).append("]}");
            offset += len;
            first = false;
        }
        sb.append('}');
        byte[] json = sb.toString().getBytes(StandardCharsets.UTF_8);
        // pad with spaces so the data starts 8-byte aligned
        byte[] padded = Arrays.copyOf(json, (json.length + 7) / 8 * 8);
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        return padded;
    }

    static int width(DType d) {
        return d == DType.F32 ? 4 : 8;
    }

    static byte[] bytes(Tensor t) {
        double[] d = t.rawData();
        ByteBuffer b = ByteBuffer.allocate(d.length * width(t.dtype())).order(ByteOrder.LITTLE_ENDIAN);
        if (t.dtype() == DType.F32) for (double v : d) b.putFloat((float) v);
        else for (double v : d) b.putDouble(v);
        return b.array();
    }

    /** Reads and checks a whole file. */
    public static Contents read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE) throw new SafetensorsException(file, "too large: " + size + " bytes, more than " + MAX_FILE + " that one array holds");
        byte[] all = Files.readAllBytes(file);
        if (all.length < 8) throw new SafetensorsException(file, "truncated: " + all.length + " bytes, fewer than the 8-byte header length");
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 2 || n > MAX_HEADER) throw new SafetensorsException(file, "corrupt: header length " + Long.toUnsignedString(n) + " is not plausible");
        if (n > all.length - 8) throw new SafetensorsException(file, "truncated: the header says " + n + " bytes but only " + (all.length - 8) + " follow");
        String text;
        try {
            // a strict decoder: a malformed byte is an error, not U+FFFD
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(all, 8, (int) n)).toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(file, "corrupt header: not valid UTF-8 (" + e + ")");
        }
        Object json;
        try {
            json = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new SafetensorsException(file, "corrupt header JSON: " + e.getMessage());
        }
        if (!(json instanceof Map<?, ?> header)) throw new SafetensorsException(file, "corrupt header: not a JSON object");
        int dataStart = 8 + (int) n;
        long dataLen = all.length - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (var e : header.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> meta)) throw new SafetensorsException(file, "corrupt header: __metadata__ is not an object");
                for (var m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String v)) throw new SafetensorsException(file, "corrupt header: metadata value of '" + m.getKey() + "' is not a string");
                    metadata.put((String) m.getKey(), v);
                }
                continue;
            }
            Entry en = entry(file, name, e.getValue());
            long need = en.elements * width(en.dtype);
            if (en.end - en.begin != need) {
                throw new SafetensorsException(file, "corrupt: tensor '" + name + "' of shape " + Arrays.toString(en.shape) + " and dtype "
                        + en.dtype + " needs " + need + " bytes but its data_offsets span " + (en.end - en.begin));
            }
            if (en.end > dataLen) {
                throw new SafetensorsException(file, "truncated: tensor '" + name + "' ends at data byte " + en.end + " but the file holds only " + dataLen + " data bytes");
            }
            entries.put(name, en);
        }
        tiles(file, entries, dataLen);
        String checksum = checksum(file, metadata);
        if (checksum != null) {
            metadata.remove(CHECKSUM);
            List<String> described = new ArrayList<>();
            for (var e : entries.entrySet()) described.add(description(e.getKey(), e.getValue().dtype, e.getValue().shape, e.getValue().begin, e.getValue().end));
            String actual = hex(digest(described, metadata, all, dataStart, all.length - dataStart));
            if (!actual.equals(checksum)) {
                throw new SafetensorsException(file, "corrupt: checksum mismatch (" + CHECKSUM + " says " + checksum + ", the file hashes to " + actual
                        + "); a tensor, a shape, a name or the metadata changed after it was written");
            }
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        ByteBuffer data = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        for (var e : entries.entrySet()) {
            Entry en = e.getValue();
            double[] v = new double[(int) en.elements];
            int at = dataStart + (int) en.begin;
            for (int i = 0; i < v.length; i++) v[i] = en.dtype == DType.F32 ? data.getFloat(at + 4 * i) : data.getDouble(at + 8 * i);
            tensors.put(e.getKey(), Tensor.of(en.dtype, v, en.shape));
        }
        return new Contents(tensors, metadata);
    }

    /** The spans, sorted by offset, must start at 0, follow each other without gap or overlap, and end at the data's end. */
    private static void tiles(Path file, Map<String, Entry> entries, long dataLen) throws SafetensorsException {
        List<Map.Entry<String, Entry>> byOffset = new ArrayList<>(entries.entrySet());
        byOffset.sort(Comparator.comparingLong((Map.Entry<String, Entry> e) -> e.getValue().begin).thenComparingLong(e -> e.getValue().end));
        long expected = 0;
        String previous = null;
        for (var e : byOffset) {
            Entry en = e.getValue();
            if (en.begin != expected) {
                String where = previous == null ? "the data section starts at 0" : "tensor '" + previous + "' ends at " + expected;
                throw new SafetensorsException(file, "corrupt: tensor '" + e.getKey() + "' has data_offsets [" + en.begin + ", " + en.end + "] but " + where
                        + (en.begin < expected ? " (the spans overlap)" : " (a gap)") + "; the spans must tile the data section");
            }
            expected = en.end;
            previous = e.getKey();
        }
        if (expected != dataLen) {
            throw new SafetensorsException(file, "corrupt: " + (dataLen - expected) + " data bytes after the last tensor (the tensors describe " + expected + ")");
        }
    }

    /** The checksum this file carries (its hex digits), or null; a damaged one, or one under a damaged key, is an error. */
    private static String checksum(Path file, Map<String, String> metadata) throws SafetensorsException {
        for (var m : metadata.entrySet()) {
            boolean shaped = m.getValue().matches(CHECKSUM_PREFIX + "[0-9a-f]{64}");
            if (m.getKey().equals(CHECKSUM) && !shaped) throw new SafetensorsException(file, "corrupt: the checksum " + Json.quote(m.getValue()) + " is not " + CHECKSUM_PREFIX + " and 64 hex digits");
            if (!m.getKey().equals(CHECKSUM) && shaped) throw new SafetensorsException(file, "corrupt: a checksum stands under metadata key " + Json.quote(m.getKey()) + " instead of " + CHECKSUM);
        }
        String v = metadata.get(CHECKSUM);
        return v == null ? null : v.substring(CHECKSUM_PREFIX.length());
    }

    /** What the checksum covers of one tensor: name, dtype, shape, offsets, one line, JSON-quoted name. */
    static String description(String name, DType dtype, int[] shape, long begin, long end) {
        return Json.quote(name) + " " + dtype + " " + Arrays.toString(shape) + " " + begin + " " + end + "\n";
    }

    static List<String> descriptions(Map<String, Tensor> tensors) {
        List<String> out = new ArrayList<>();
        long offset = 0;
        for (var e : tensors.entrySet()) {
            long len = (long) e.getValue().size() * width(e.getValue().dtype());
            out.add(description(e.getKey(), e.getValue().dtype(), e.getValue().shape().dims(), offset, offset + len));
            offset += len;
        }
        return out;
    }

    /** SHA-256 of the metadata (every entry but the checksum, in order), the tensors' descriptions, then the data bytes. */
    static byte[] digest(List<String> described, Map<String, String> metadata, byte[] data, int from, int length) {
        MessageDigest md = sha256(described, metadata);
        md.update(data, from, length);
        return md.digest();
    }

    private static byte[] digest(List<String> described, Map<String, String> metadata, Iterable<Tensor> tensors) {
        MessageDigest md = sha256(described, metadata);
        for (Tensor t : tensors) md.update(bytes(t));
        return md.digest();
    }

    private static MessageDigest sha256(List<String> described, Map<String, String> metadata) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Safetensors: this JDK has no SHA-256", e);
        }
        for (var m : metadata.entrySet()) {
            if (!m.getKey().equals(CHECKSUM)) md.update(("m " + Json.quote(m.getKey()) + " " + Json.quote(m.getValue()) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        for (String d : described) md.update(("t " + d).getBytes(StandardCharsets.UTF_8));
        return md;
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
        return sb.toString();
    }

    private record Entry(DType dtype, int[] shape, long elements, long begin, long end) {}

    private static Entry entry(Path file, String name, Object v) throws SafetensorsException {
        if (!(v instanceof Map<?, ?> m)) throw new SafetensorsException(file, "corrupt header: entry '" + name + "' is not an object");
        Object dt = m.get("dtype"), shape = m.get("shape"), offs = m.get("data_offsets");
        if (!(dt instanceof String d) || !(shape instanceof List<?> s) || !(offs instanceof List<?> o) || o.size() != 2) {
            throw new SafetensorsException(file, "corrupt header: entry '" + name + "' needs dtype, shape and two data_offsets");
        }
        DType dtype;
        if (d.equals("F32")) dtype = DType.F32;
        else if (d.equals("F64")) dtype = DType.F64;
        else throw new SafetensorsException(file, "tensor '" + name + "' has dtype " + d + "; only F32 and F64 are supported");
        int[] dims = new int[s.size()];
        long elements = 1;
        boolean empty = false;
        for (int i = 0; i < dims.length; i++) {
            if (!(s.get(i) instanceof Long x) || x < 0 || x > Integer.MAX_VALUE) throw new SafetensorsException(file, "corrupt header: tensor '" + name + "' has a bad shape " + s);
            dims[i] = (int) (long) x;
            empty |= x == 0;
            // saturate: a product past the array limit is rejected below, never wrapped around
            elements = elements > Integer.MAX_VALUE ? elements : elements * x;
        }
        if (empty) elements = 0;
        if (elements > Integer.MAX_VALUE) throw new SafetensorsException(file, "tensor '" + name + "' has shape " + s + ", more elements than a Java array holds");
        if (!(o.get(0) instanceof Long b) || !(o.get(1) instanceof Long e) || b < 0 || e < b) {
            throw new SafetensorsException(file, "corrupt header: tensor '" + name + "' has bad data_offsets " + o);
        }
        return new Entry(dtype, dims, elements, b, e);
    }

    /**
     * Loads a file into a record shaped like {@code template}: every tensor of the template must be
     * in the file under its path name with the same shape and dtype, and the file must hold nothing
     * else. Non-tensor components are taken from the template.
     */
    public static <P extends Record> P load(Path file, P template) throws IOException {
        return load(read(file), file, template);
    }

    /** As {@link #load(Path, Record)}, from contents already read. */
    public static <P extends Record> P load(Contents c, Path file, P template) throws IOException {
        List<Tensor> want = Params.tensors(template);
        List<String> names = names(template);
        List<Tensor> got = new ArrayList<>(want.size());
        for (int i = 0; i < want.size(); i++) {
            String name = names.get(i);
            Tensor t = c.tensors().get(name);
            if (t == null) throw new SafetensorsException(file, "has no tensor '" + name + "' that the params record " + template.getClass().getSimpleName() + " expects (it has " + c.tensors().keySet() + ")");
            Tensor w = want.get(i);
            if (!t.shape().equals(w.shape())) {
                throw new SafetensorsException(file, "tensor '" + name + "' has shape " + t.shape() + " but the params record expects " + w.shape());
            }
            if (t.dtype() != w.dtype()) {
                throw new SafetensorsException(file, "tensor '" + name + "' is " + t.dtype() + " but the params record expects " + w.dtype());
            }
            got.add(t);
        }
        if (c.tensors().size() != want.size()) {
            List<String> extra = new ArrayList<>(c.tensors().keySet());
            extra.removeAll(names);
            throw new SafetensorsException(file, "has tensors the params record " + template.getClass().getSimpleName() + " does not: " + extra);
        }
        return Params.rebuild(template, got);
    }
}
