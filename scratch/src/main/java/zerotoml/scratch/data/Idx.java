package zerotoml.scratch.data;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

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

    /** Reads and checks a whole IDX file, raw or gzip. */
    public static IdxFile read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "IDX file does not exist");
        }
        if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0x1F && (bytes[1] & 0xFF) == 0x8B) bytes = gunzip(file, bytes);
        return parse(file, bytes);
    }

    static byte[] gunzip(Path file, byte[] gz) throws IdxException {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(gz.length * 4);
            in.transferTo(out);
            return out.toByteArray();
        } catch (EOFException e) {
            throw new IdxException(file, "gzip stream is truncated (" + gz.length + " compressed bytes; unexpected end of stream)");
        } catch (ZipException e) {
            throw new IdxException(file, "gzip stream is corrupt (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new IdxException(file, "cannot decompress gzip stream (" + e + ")");
        }
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
            elements *= dims[i];
        }
        long expected = elements * type.bytes;
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
