package zerotoml.scratch.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

class SafetensorsTest {
    @TempDir
    Path dir;

    record Block(Tensor wQ, Tensor bias) {}

    record Model(Tensor embed, List<Block> blocks, int heads) {}

    static Model model(double shift) {
        return new Model(Tensor.of(DType.F32, new double[] {1.5 + shift, -2, 3.25, 1e-30}, 2, 2),
                List.of(new Block(Tensor.of(DType.F64, new double[] {Math.PI + shift, Math.E}, 2), Tensor.scalar(DType.F64, -0.0)),
                        new Block(Tensor.of(DType.F64, new double[] {7}, 1, 1), Tensor.scalar(DType.F64, 42))),
                4);
    }

    String problem(byte[] content) throws IOException {
        Path p = dir.resolve("bad.safetensors");
        Files.write(p, content);
        var e = assertThrows(Safetensors.SafetensorsException.class, () -> Safetensors.load(p, model(0)));
        assertTrue(e.getMessage().startsWith("safetensors file " + p), e.getMessage());
        return e.getMessage();
    }

    byte[] good() throws IOException {
        Path p = dir.resolve("good.safetensors");
        Safetensors.save(p, model(0), Map.of("step", "12"));
        return Files.readAllBytes(p);
    }

    @Test
    void aRecordRoundTripsBitForBitWithNamesAndMetadata() throws IOException {
        Path p = dir.resolve("m.safetensors");
        Safetensors.save(p, model(0), Map.of("step", "12", "note", "quote \" and \\ ok"));
        Model back = Safetensors.load(p, model(100));
        assertArrayEquals(model(0).embed().toArray(), back.embed().toArray(), 0);
        assertEquals(DType.F32, back.embed().dtype());
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(back.blocks().get(0).bias().item()));
        assertArrayEquals(new double[] {Math.PI, Math.E}, back.blocks().get(0).wQ().toArray(), 0);
        assertEquals(4, back.heads());
        var c = Safetensors.read(p);
        assertEquals(List.of("embed", "blocks.0.wQ", "blocks.0.bias", "blocks.1.wQ", "blocks.1.bias"), List.copyOf(c.tensors().keySet()));
        assertEquals("12", c.metadata().get("step"));
        if (p.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            // not the owner-only mode of the temporary file it was renamed from
            assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        }
        assertEquals("quote \" and \\ ok", c.metadata().get("note"));
        long n = ByteBuffer.wrap(Files.readAllBytes(p), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (n + 8) % 8, "data is 8-byte aligned");
    }

    @Test
    void truncatedFilesAreReported() throws IOException {
        byte[] g = good();
        assertTrue(problem(Arrays.copyOf(g, g.length - 5)).contains("truncated: tensor 'blocks.1.bias' ends at data byte"));
        assertTrue(problem(Arrays.copyOf(g, 40)).contains("truncated: the header says"));
        assertTrue(problem(Arrays.copyOf(g, 5)).contains("truncated: 5 bytes"));
    }

    @Test
    void corruptFilesAreReported() throws IOException {
        byte[] g = good();
        byte[] header = g.clone();
        header[9] = '[';
        assertTrue(problem(header).contains("corrupt header"), problem(header));
        byte[] len = g.clone();
        len[7] = 0x7F;
        assertTrue(problem(len).contains("header length"));
        byte[] extra = Arrays.copyOf(g, g.length + 4);
        assertTrue(problem(extra).contains("corrupt: 4 data bytes after the last tensor"));
        String text = new String(g, StandardCharsets.ISO_8859_1).replace("\"F32\"", "\"I32\"");
        assertTrue(problem(text.getBytes(StandardCharsets.ISO_8859_1)).contains("tensor 'embed' has dtype I32; only F32 and F64"));
    }

    @Test
    void aFileForAnotherModelIsAMismatch() throws IOException {
        Path p = dir.resolve("other.safetensors");
        Model other = new Model(Tensor.zeros(DType.F32, 3, 2), model(0).blocks(), 4);
        Safetensors.save(p, other, Map.of());
        var e = assertThrows(Safetensors.SafetensorsException.class, () -> Safetensors.load(p, model(0)));
        assertTrue(e.getMessage().endsWith("tensor 'embed' has shape [3, 2] but the params record expects [2, 2]"), e.getMessage());
        Model f64 = new Model(Tensor.zeros(DType.F64, 2, 2), model(0).blocks(), 4);
        Safetensors.save(p, f64, Map.of());
        assertTrue(assertThrows(IOException.class, () -> Safetensors.load(p, model(0))).getMessage().contains("is F64 but the params record expects F32"));
        Safetensors.write(p, Map.of("embed", Tensor.zeros(DType.F32, 2, 2)), Map.of());
        assertTrue(assertThrows(IOException.class, () -> Safetensors.load(p, model(0))).getMessage().contains("has no tensor 'blocks.0.wQ'"));
    }

    @Test
    void aCrashMidWriteLeavesTheOldFileWhole() throws IOException {
        Path p = dir.resolve("ckpt.safetensors");
        Safetensors.save(p, model(0), Map.of("step", "1"));
        byte[] before = Files.readAllBytes(p);
        Error crash = assertThrows(Error.class, () -> AtomicFile.write(p, out -> {
            out.write(new byte[1000]);
            out.flush();
            throw new Error("simulated crash");
        }));
        assertEquals("simulated crash", crash.getMessage());
        assertArrayEquals(before, Files.readAllBytes(p));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(p), files.toList(), "no temporary file is left behind");
        }
        Path fresh = dir.resolve("never.safetensors");
        assertThrows(IOException.class, () -> AtomicFile.write(fresh, out -> {
            out.write(1);
            throw new IOException("disk full");
        }));
        assertTrue(Files.notExists(fresh));
    }

    @Test
    void staleTemporaryFilesOfAKilledWriteAreRemovedAndNothingElse() throws IOException {
        Path keep = dir.resolve("ckpt.safetensors"), hidden = dir.resolve(".config"), tmpDir = Files.createDirectory(dir.resolve(".sub.1.tmp"));
        Safetensors.save(keep, model(0), Map.of());
        Files.writeString(hidden, "mine");
        // what AtomicFile leaves when the process is killed before the rename
        Files.write(dir.resolve(".ckpt.safetensors.123456.tmp"), new byte[10]);
        Files.write(dir.resolve(".history.csv.987.tmp"), new byte[3]);
        assertEquals(List.of(".ckpt.safetensors.123456.tmp", ".history.csv.987.tmp"), AtomicFile.removeStale(dir));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(hidden, tmpDir, keep), files.sorted().toList());
        }
        assertEquals(List.of(), AtomicFile.removeStale(dir.resolve("no-such-folder")));
    }
}
