package zerotoml.scratch.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads IDX files, the format of LeCun, Cortes and Burges' MNIST database
 * (http://yann.lecun.com/exdb/mnist/) and of Fashion-MNIST (Xiao, Rasul and Vollgraf,
 * arXiv 1708.07747), raw or gzip-compressed (detected by the gzip magic bytes, not the name).
 *
 * <pre>
 *   bytes 0-1  zero
 *   byte  2    element type: 0x08 ubyte, 0x09 byte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
 *   byte  3    rank r
 *   r × int32  dimensions, big-endian
 *   data       Π dims elements, big-endian, row-major
 * </pre>
 *
 * Every check failure throws {@link IdxException} naming the file and what is wrong; the data
 * must fill the dimensions exactly (a truncated or overlong file is an error).
 *
 * <p>The work is bounded by what the header promises: a gzip stream is inflated only as far as
 * the dimensions say (plus one byte, to see that it ends there), so a gzip bomb is rejected after
 * at most {@link #MAX_DATA} bytes of output, never an {@link OutOfMemoryError}. The gzip container
 * (RFC 1952) is read here, not by {@code GZIPInputStream}, so that its CRC-32 and length are always
 * checked and bytes after the stream are an error rather than silently ignored. A raw IDX file has
 * no checksum: a flipped data byte in it cannot be seen by any reader; a gzip file's CRC-32 sees it.
 */
public final class Idx {
    private Idx() {}

    /** The element types IDX defines, with their type codes and sizes in bytes. */
    public enum Type {
        UBYTE(0x08, 1), BYTE(0x09, 1), SHORT(0x0B, 2), INT(0x0C, 4), FLOAT(0x0D, 4), DOUBLE(0x0E, 8);

        final int code;
        final int bytes;

        Type(int code, int bytes) {
            this.code = code;
            this.bytes = bytes;
        }

        static Type of(int code) {
            for (Type t : values()) if (t.code == code) return t;
            return null;
        }
    }

    /** A bad IDX file: the message names the file and the problem. */
    public static final class IdxException extends IOException {
        private static final long serialVersionUID = 1L;

        IdxException(Path file, String problem) {
            super("IDX file " + file + ": " + problem);
        }
    }

    /**
     * The contents of an IDX file. {@code data} holds the elements' raw big-endian bytes (for
     * ubyte images: the pixels themselves, which is why a 47-million-pixel training set stays at
     * 47 MB rather than 376 MB of doubles).
     */
    public record IdxFile(Path source, Type type, int[] dims, byte[] data) {
        /** Number of elements. */
        public int size() {
            return data.length / type.bytes;
        }

        /** Element i as a double. */
        public double value(int i) {
            int o = i * type.bytes;
            switch (type) {
                case UBYTE: return data[o] & 0xFF;
                case BYTE: return data[o];
                case SHORT: return (short) (((data[o] & 0xFF) << 8) | (data[o + 1] & 0xFF));
                case INT: return readInt(data, o);
                case FLOAT: return Float.intBitsToFloat(readInt(data, o));
                default: return Double.longBitsToDouble(((long) readInt(data, o) << 32) | (readInt(data, o + 4) & 0xFFFFFFFFL));
            }
        }

        @Override
        public String toString() {
            return "IdxFile(" + source + ", " + type + ", " + Arrays.toString(dims) + ")";
        }
    }

    /** The most data bytes an IDX file may promise (1 GiB; Fashion-MNIST's training images are 47 MB). */
    public static final long MAX_DATA = 1L << 30;

    /** Reads and checks a whole IDX file, raw or gzip. */
    public static IdxFile read(Path file) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "IDX file does not exist");
        }
        // the largest honest file: a rank-255 header and MAX_DATA bytes (a gzip of it is smaller)
        if (size > MAX_DATA + 4 + 4 * 255) throw new IdxException(file, size + " bytes, more than an IDX file of at most " + MAX_DATA + " data bytes can hold");
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0x1F && (bytes[1] & 0xFF) == 0x8B) bytes = gunzip(file, bytes);
        return parse(file, bytes);
    }

    /**
     * Reads a file that must hold elements of {@code type} in {@code rank} dimensions. A raw IDX
     * header has no checksum, and one flipped bit turns ubyte (0x08) into byte (0x09) or int32
     * (0x0C) into float32 (0x0D) with the same byte count: only the caller knows which it expects.
     */
    public static IdxFile read(Path file, Type type, int rank) throws IOException {
        IdxFile f = read(file);
        if (f.type() != type || f.dims().length != rank) {
            throw new IdxException(file, "holds " + f.type() + " in " + f.dims().length + " dimensions " + Arrays.toString(f.dims()) + ", expected " + type + " in " + rank);
        }
        return f;
    }

    /**
     * Inflates one gzip member (RFC 1952: header, deflate data, CRC-32, length mod 2^32), reading no
     * further than the IDX header inside it promises, and rejects bytes after the member.
     */
    static byte[] gunzip(Path file, byte[] gz) throws IdxException {
        int at = gzipHeader(file, gz);
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(gz, at, gz.length - at);
            // first the IDX magic and rank, then the dimensions, then exactly the data they promise
            byte[] head = inflate(file, inflater, new byte[4], 0, gz.length, 4);
            int rank = head[3] & 0xFF;
            head = inflate(file, inflater, Arrays.copyOf(head, 4 + 4 * rank), 4, gz.length, 4 + 4 * rank);
            Type type = Type.of(head[2] & 0xFF);
            long promised = promisedBytes(file, head, type);
            // grown as bytes arrive, so a short stream that promises much allocates only what it holds
            byte[] out = head;
            long total = head.length + promised;
            while (out.length < total) {
                int from = out.length;
                out = inflate(file, inflater, Arrays.copyOf(out, (int) Math.min(total, Math.max(2L * from, 1 << 16))), from, gz.length, total);
            }
            // one more byte must not exist: the deflate stream ends exactly where the dimensions say
            byte[] probe = new byte[1];
            int extra = inflater.finished() ? 0 : inflater.inflate(probe);
            if (extra > 0 || !inflater.finished()) {
                if (extra > 0) throw new IdxException(file, "corrupt: the gzip stream holds more than the " + promised + " data bytes its dimensions promise");
                throw new IdxException(file, "gzip stream is truncated (" + gz.length + " compressed bytes; unexpected end of stream)");
            }
            int trailer = gz.length - inflater.getRemaining();
            if (gz.length - trailer < 8) throw new IdxException(file, "gzip stream is truncated (" + gz.length + " compressed bytes; the CRC-32 and length trailer is missing)");
            CRC32 crc = new CRC32();
            crc.update(out);
            long wantCrc = le32(gz, trailer), wantLen = le32(gz, trailer + 4);
            if (crc.getValue() != wantCrc) throw new IdxException(file, String.format("gzip stream is corrupt (CRC-32 %08x, the trailer says %08x)", crc.getValue(), wantCrc));
            if ((out.length & 0xFFFFFFFFL) != wantLen) throw new IdxException(file, "gzip stream is corrupt (" + out.length + " bytes inflated, the trailer says " + wantLen + ")");
            if (trailer + 8 != gz.length) throw new IdxException(file, "corrupt: " + (gz.length - trailer - 8) + " bytes after the end of the gzip stream");
            return out;
        } catch (DataFormatException e) {
            throw new IdxException(file, "gzip stream is corrupt (" + e.getMessage() + ")");
        } finally {
            inflater.end();
        }
    }

    /** Inflates into {@code buf} from {@code from} until it is full; a stream that ends first is truncated. */
    private static byte[] inflate(Path file, Inflater inflater, byte[] buf, int from, int compressed, long promised) throws IdxException, DataFormatException {
        int at = from;
        while (at < buf.length) {
            int n = inflater.inflate(buf, at, buf.length - at);
            at += n;
            if (n == 0) {
                throw new IdxException(file, "gzip stream is truncated (" + compressed + " compressed bytes; the stream "
                        + (inflater.finished() ? "ends" : "breaks off") + " after " + at + " bytes, the IDX header promises " + promised + ")");
            }
        }
        return buf;
    }

    /** The data bytes a (decompressed) header promises, checked against {@link #MAX_DATA}. */
    private static long promisedBytes(Path file, byte[] head, Type type) throws IdxException {
        if (head[0] != 0 || head[1] != 0 || type == null || (head[3] & 0xFF) == 0) {
            parse(file, head); // throws with the header's own message
        }
        long elements = 1;
        for (int i = 0; i < (head[3] & 0xFF); i++) {
            int d = readInt(head, 4 + 4 * i);
            if (d < 0) throw new IdxException(file, "dimension " + i + " is negative (" + d + ")");
            elements = Math.min(elements * d, MAX_DATA + 1);
        }
        long bytes = elements * type.bytes;
        if (bytes > MAX_DATA) throw new IdxException(file, "dimensions promise more than " + MAX_DATA + " data bytes; refused before inflating");
        return bytes;
    }

    /** Skips a gzip member's header (RFC 1952 section 2.3) and returns where the deflate data starts. */
    private static int gzipHeader(Path file, byte[] gz) throws IdxException {
        if (gz.length < 10) throw new IdxException(file, "gzip stream is truncated (" + gz.length + " bytes; the gzip header alone is 10)");
        if ((gz[2] & 0xFF) != 8) throw new IdxException(file, "gzip stream is corrupt (compression method " + (gz[2] & 0xFF) + ", only 8, deflate, exists)");
        int flags = gz[3] & 0xFF;
        if ((flags & 0xE0) != 0) throw new IdxException(file, "gzip stream is corrupt (reserved header flag bits " + Integer.toBinaryString(flags) + " are set)");
        int at = 10;
        if ((flags & 4) != 0) { // FEXTRA: a 2-byte length and that many bytes
            if (at + 2 > gz.length) throw new IdxException(file, "gzip stream is truncated (inside the header's extra field)");
            at += 2 + ((gz[at] & 0xFF) | (gz[at + 1] & 0xFF) << 8);
        }
        for (int flag : new int[] {8, 16}) { // FNAME, FCOMMENT: zero-terminated
            if ((flags & flag) == 0) continue;
            while (at < gz.length && gz[at] != 0) at++;
            at++;
        }
        if ((flags & 2) != 0) { // FHCRC: the low 16 bits of the header's CRC-32
            if (at + 2 > gz.length) throw new IdxException(file, "gzip stream is truncated (inside the header)");
            CRC32 c = new CRC32();
            c.update(gz, 0, at);
            int want = (gz[at] & 0xFF) | (gz[at + 1] & 0xFF) << 8;
            if ((c.getValue() & 0xFFFF) != want) throw new IdxException(file, "gzip stream is corrupt (header CRC mismatch)");
            at += 2;
        }
        if (at >= gz.length) throw new IdxException(file, "gzip stream is truncated (" + gz.length + " bytes; it ends inside the gzip header)");
        return at;
    }

    private static long le32(byte[] b, int o) {
        return (b[o] & 0xFFL) | (b[o + 1] & 0xFFL) << 8 | (b[o + 2] & 0xFFL) << 16 | (b[o + 3] & 0xFFL) << 24;
    }

    /** Checks and splits an uncompressed IDX image. */
    static IdxFile parse(Path file, byte[] b) throws IdxException {
        if (b.length < 4) throw new IdxException(file, "only " + b.length + " bytes; the header alone needs at least 4");
        // magic: 0x00 0x00 type rank
        if (b[0] != 0 || b[1] != 0) {
            throw new IdxException(file, String.format("bad magic number 0x%02X%02X%02X%02X: the first two bytes must be zero", b[0], b[1], b[2], b[3]));
        }
        Type type = Type.of(b[2] & 0xFF);
        if (type == null) throw new IdxException(file, String.format("unknown element type code 0x%02X in the magic number", b[2] & 0xFF));
        int rank = b[3] & 0xFF;
        if (rank == 0) throw new IdxException(file, "rank 0 in the magic number; IDX data has at least one dimension");
        int header = 4 + 4 * rank;
        if (b.length < header) {
            throw new IdxException(file, "truncated header: rank " + rank + " needs " + header + " bytes of header, the file has " + b.length);
        }
        int[] dims = new int[rank];
        long elements = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = readInt(b, 4 + 4 * i);
            if (dims[i] < 0) throw new IdxException(file, "dimension " + i + " is negative (" + dims[i] + ")");
            // saturate above the cap: rank 255 dimensions of 2^31 - 1 would wrap a long around
            elements = Math.min(elements * dims[i], MAX_DATA + 1);
        }
        long expected = elements * type.bytes;
        if (expected > MAX_DATA) throw new IdxException(file, "dimensions " + Arrays.toString(dims) + " of " + type + " promise more than " + MAX_DATA + " data bytes");
        long actual = b.length - header;
        if (actual < expected) {
            throw new IdxException(file, "truncated: dimensions " + Arrays.toString(dims) + " of " + type + " need " + expected
                    + " data bytes, the file has " + actual);
        }
        if (actual > expected) {
            throw new IdxException(file, "corrupt: " + (actual - expected) + " bytes after the data that dimensions "
                    + Arrays.toString(dims) + " of " + type + " describe (" + expected + " bytes)");
        }
        return new IdxFile(file, type, dims, Arrays.copyOfRange(b, header, b.length));
    }

    static int readInt(byte[] b, int o) {
        return ((b[o] & 0xFF) << 24) | ((b[o + 1] & 0xFF) << 16) | ((b[o + 2] & 0xFF) << 8) | (b[o + 3] & 0xFF);
    }

    /** Encodes an IDX file of unsigned bytes (for tests and tiny synthetic data sets). */
    public static byte[] encodeUbyte(int[] dims, byte[] data) {
        long n = 1;
        for (int d : dims) n *= d;
        if (n != data.length) throw new IllegalArgumentException("Idx.encodeUbyte: " + data.length + " bytes do not fill dims " + Arrays.toString(dims));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(0);
        out.write(Type.UBYTE.code);
        out.write(dims.length);
        for (int d : dims) {
            out.write(d >>> 24);
            out.write(d >>> 16);
            out.write(d >>> 8);
            out.write(d);
        }
        out.write(data, 0, data.length);
        return out.toByteArray();
    }
}
