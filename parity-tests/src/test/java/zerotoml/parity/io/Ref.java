package zerotoml.parity.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import zerotoml.reference.io.Safetensors;

/**
 * The reference's safetensors reader and writer (DJL's NDArray codec) under one short name, so that
 * the parity tests name scratch's classes simply ({@code Safetensors.read} is scratch,
 * {@code Ref.read} is DJL). The two sides share class names on purpose (DESIGN.md: the packages
 * mirror each other); this is where they meet.
 */
final class Ref {
    private Ref() {}

    // Safetensors
    static Map<String, NDArray> read(NDManager m, Path file) throws IOException { return Safetensors.read(m, file); }
    static void write(Path file, Map<String, NDArray> arrays) throws IOException { Safetensors.write(file, arrays); }
}
