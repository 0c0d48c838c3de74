package zerotoml.scratch.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    static byte[] images() {
        byte[] px = new byte[3 * 4 * 5];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 7);
        return Idx.encodeUbyte(new int[] {3, 4, 5}, px);
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }

    Path write(String name, byte[] b) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, b);
        return p;
    }

    String error(String name, byte[] content) throws IOException {
        Path p = write(name, content);
        Idx.IdxException e = assertThrows(Idx.IdxException.class, () -> Idx.read(p));
        assertTrue(e.getMessage().contains(p.toString()), "message names the file: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void readsRawAndGzipFilesAlike() throws IOException {
        Idx.IdxFile raw = Idx.read(write("x-ubyte", images()));
        Idx.IdxFile gz = Idx.read(write("x-ubyte.gz", gzip(images())));
        assertEquals(Idx.Type.UBYTE, raw.type());
        assertArrayEquals(new int[] {3, 4, 5}, raw.dims());
        assertArrayEquals(raw.data(), gz.data());
        assertEquals(60, raw.size());
        assertEquals((13 * 7) & 0xFF, raw.value(13));
        assertEquals(252, raw.value(36)); // 36*7 = 252 stays unsigned
    }

    @Test
    void readsWiderBigEndianTypes() throws IOException {
        // int32 file of rank 1 with values 1 and -2, float64 file with 0.5
        byte[] ints = {0, 0, 0x0C, 1, 0, 0, 0, 2, 0, 0, 0, 1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFE};
        Idx.IdxFile f = Idx.read(write("ints", ints));
        assertEquals(-2, f.value(1));
        byte[] d = new byte[8 + 8];
        d[2] = 0x0E;
        d[3] = 1;
        d[7] = 1;
        long bits = Double.doubleToLongBits(0.5);
        for (int i = 0; i < 8; i++) d[8 + i] = (byte) (bits >>> (56 - 8 * i));
        assertEquals(0.5, Idx.read(write("doubles", d)).value(0));
    }

    @Test
    void truncatedDataIsReportedWithExpectedAndActualLengths() throws IOException {
        byte[] b = images();
        String m = error("cut", Arrays.copyOf(b, b.length - 7));
        assertTrue(m.contains("truncated") && m.contains("need 60 data bytes, the file has 53"), m);
        String mg = error("cut.gz", gzip(Arrays.copyOf(b, b.length - 7)));
        assertTrue(mg.contains("truncated"), mg);
    }

    @Test
    void truncatedHeaderIsReported() throws IOException {
        assertTrue(error("h", Arrays.copyOf(images(), 9)).contains("truncated header: rank 3 needs 16 bytes"));
        assertTrue(error("tiny", new byte[] {0, 0}).contains("only 2 bytes"));
    }

    @Test
    void badMagicNumbersAreReported() throws IOException {
        byte[] b = images();
        b[0] = 0x12;
        assertTrue(error("magic", b).contains("bad magic number 0x12000803"));
        byte[] t = images();
        t[2] = 0x0A;
        assertTrue(error("type", t).contains("unknown element type code 0x0A"));
        byte[] r = images();
        r[3] = 0;
        assertTrue(error("rank", r).contains("rank 0"));
    }

    @Test
    void trailingBytesAreCorruption() throws IOException {
        byte[] b = Arrays.copyOf(images(), images().length + 3);
        assertTrue(error("long", b).contains("corrupt: 3 bytes after the data"));
    }

    @Test
    void truncatedOrCorruptGzipStreamsAreReported() throws IOException {
        byte[] gz = gzip(images());
        assertTrue(error("half.gz", Arrays.copyOf(gz, gz.length / 2)).contains("gzip stream is truncated"));
        byte[] bad = gz.clone();
        for (int i = 12; i < bad.length - 8; i++) bad[i] ^= 0x5A;
        assertTrue(error("bad.gz", bad).contains("gzip stream"));
    }

    @Test
    void aMissingFileSaysSo() {
        Path p = dir.resolve("nope");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Idx.read(p));
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("does not exist"), e.getMessage());
    }
}
