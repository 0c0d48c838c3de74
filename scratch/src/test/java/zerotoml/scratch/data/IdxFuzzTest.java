package zerotoml.scratch.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zerotoml.fixtures.Gen;
import zerotoml.fixtures.Mutations;
import zerotoml.fixtures.Mutations.Edit;
import zerotoml.fixtures.Property;

/**
 * Thousands of mutations of an IDX file, gzip-compressed (as MNIST and Fashion-MNIST ship) and
 * raw: each load is a clean {@link Idx.IdxException} naming the file, or the original bit for bit.
 *
 * <p>In the gzip file every byte is fair game: the CRC-32 and length in its trailer see every
 * change of the content. A raw IDX file carries no check at all, so a flipped data byte there is
 * a different, valid file that no reader can tell apart; the raw property flips and overwrites
 * only header bytes (magic, type, rank, dimensions), and cuts, deletes, inserts and appends
 * anywhere. Gzip bombs are made here: small streams that inflate far past what the header promises.
 */
class IdxFuzzTest {
    @TempDir
    Path dir;

    static final int[] DIMS = {3, 4, 5};

    static byte[] raw() {
        byte[] px = new byte[60];
        new SplittableRandom(7).nextBytes(px);
        return Idx.encodeUbyte(DIMS, px);
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }

    static boolean same(Idx.IdxFile a, Idx.IdxFile b) {
        return a.type() == b.type() && Arrays.equals(a.dims(), b.dims()) && Arrays.equals(a.data(), b.data());
    }

    /** A gzip stream whose IDX header promises {@code dims} ubyte but that holds {@code data} bytes after it. */
    static byte[] bomb(int[] dims, int data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            byte[] header = Arrays.copyOf(Idx.encodeUbyte(new int[] {0}, new byte[0]), 4 + 4 * dims.length);
            header[3] = (byte) dims.length;
            for (int i = 0; i < dims.length; i++) for (int k = 0; k < 4; k++) header[4 + 4 * i + k] = (byte) (dims[i] >>> (24 - 8 * k));
            gz.write(header);
            byte[] zeros = new byte[1 << 16];
            for (int left = data; left > 0; left -= zeros.length) gz.write(zeros, 0, Math.min(left, zeros.length));
        }
        return out.toByteArray();
    }

    void fuzz(String name, byte[] original, Gen<Edit> edits, Mutations.Reader<Idx.IdxFile> reader) throws Exception {
        Path good = dir.resolve(name + "-good");
        Files.write(good, original);
        Idx.IdxFile expected = reader.read(good);
        Path file = dir.resolve(name);
        Mutations.Tally tally = new Mutations.Tally();
        int cases = Math.max(3000, Property.cases());
        Property.Outcome<Edit> o = Property.run("idx fuzz " + name, edits, e -> Mutations.loadsCleanlyOrIdentically(file, e.apply(original), reader,
                expected, IdxFuzzTest::same, Idx.IdxException.class, tally, e.what()), cases);
        System.out.println("idx fuzz " + name + ": " + tally);
        if (o.failure().isPresent()) throw new AssertionError(o.report(), o.failure().get().error());
        assertEquals(Property.casesHere(cases), tally.rejected + tally.identical, "every case this run owns is counted once");
    }

    Edit bombEdit(int[] dims, int data) throws IOException {
        byte[] b = bomb(dims, data);
        return new Edit("gzip bomb: dims " + Arrays.toString(dims) + " with " + data + " bytes after the header", x -> b.clone());
    }

    @Test
    void everyMutationOfAGzipIdxFileIsRejectedByNameOrLoadsIdentically() throws Exception {
        byte[] gz = gzip(raw());
        Edit[] bombs = {bombEdit(DIMS, 1 << 20), bombEdit(new int[] {1}, 1 << 20), bombEdit(new int[] {60000, 100000, 100}, 1000), bombEdit(new int[] {1 << 29, 3}, 10)};
        Gen<Edit> edits = s -> switch (s.intBetween(0, 9)) {
            case 0 -> bombs[s.intBetween(0, bombs.length - 1)];
            case 1, 2, 3 -> Mutations.flipsWithin(0, gz.length, 8).draw(s);
            default -> Mutations.single(gz.length).draw(s);
        };
        fuzz("x-ubyte.gz", gz, edits, Idx::read);
    }

    @Test
    void everyHeaderOrLengthMutationOfARawIdxFileIsRejectedByNameOrLoadsIdentically() throws Exception {
        byte[] raw = raw();
        int header = 4 + 4 * DIMS.length;
        Gen<Edit> edits = s -> s.bool() ? Mutations.flipsWithin(0, header, 3).draw(s) : Mutations.single(raw.length, header).draw(s);
        // the caller says what it expects, as the Fashion-MNIST loader does: ubyte images in 3 dimensions
        fuzz("x-ubyte", raw, edits, f -> Idx.read(f, Idx.Type.UBYTE, 3));
    }

    @Test
    void gzipBombsAreRefusedWithoutInflatingThem() throws IOException {
        Path p = dir.resolve("bomb.gz");
        // 2^31 - 1 bytes of zeros promised as [3, 4, 5]: the reader stops one byte past the 60 promised
        Files.write(p, bomb(DIMS, 64 << 20));
        assertTrue(assertThrows(Idx.IdxException.class, () -> Idx.read(p)).getMessage().contains("holds more than the 60 data bytes its dimensions promise"));
        Files.write(p, bomb(new int[] {60000, 100000, 100}, 10));
        assertTrue(assertThrows(Idx.IdxException.class, () -> Idx.read(p)).getMessage().contains("refused before inflating"));
        // a short stream that promises 512 MiB allocates only what it holds before it is found truncated
        Files.write(p, bomb(new int[] {1 << 29}, 1000));
        assertTrue(assertThrows(Idx.IdxException.class, () -> Idx.read(p)).getMessage().contains("gzip stream is truncated"));
    }

    @Test
    void aGarbageTailAfterTheGzipStreamIsAnError() throws IOException {
        Path p = dir.resolve("tail.gz");
        byte[] gz = gzip(raw());
        Files.write(p, Arrays.copyOf(gz, gz.length + 3));
        assertTrue(assertThrows(Idx.IdxException.class, () -> Idx.read(p)).getMessage().contains("3 bytes after the end of the gzip stream"));
        Files.write(p, raw());
        assertTrue(assertThrows(Idx.IdxException.class, () -> Idx.read(p, Idx.Type.BYTE, 3)).getMessage().contains("expected BYTE in 3"));
    }
}
