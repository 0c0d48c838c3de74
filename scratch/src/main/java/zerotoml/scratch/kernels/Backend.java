package zerotoml.scratch.kernels;

/**
 * Which inner loops the kernels run: the incubating Vector API ({@code jdk.incubator.vector},
 * in JDK 17 and later) when the JVM was started with {@code --add-modules jdk.incubator.vector},
 * else plain scalar Java. Both compute every entry with the same operations in the same order, so
 * they give the same bits (MatmulTest holds them to that); only the speed differs.
 *
 * <p>The vector classes ({@code VectorMatmul}) are touched only behind {@link #VECTOR}, so a JVM
 * without the module never loads them and runs the scalar loops with no error.
 * {@code -Dzerotoml.vector=false} forces the scalar loops even when the module is there.
 */
public final class Backend {
    private Backend() {}

    /** True when the vector kernels are in use. */
    public static final boolean VECTOR = vectorAvailable();

    private static boolean vectorAvailable() {
        if ("false".equalsIgnoreCase(System.getProperty("zerotoml.vector"))) return false;
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** Refuses a call to a Vector API path (named by {@code method}) in a JVM without the module, with the flag that enables it. */
    static void requireVector(String method) {
        if (!VECTOR) {
            throw new IllegalStateException(method + ": the Vector API is not in use (start the JVM with --add-modules jdk.incubator.vector)");
        }
    }

    /** One line for benchmark headers and the examples' first line: backend, lanes and threads. */
    public static String describe() {
        String kernels = VECTOR
                ? "Vector API (" + VectorMatmul.describe() + ")"
                : "scalar Java (start the JVM with --add-modules jdk.incubator.vector for the Vector API kernels)";
        return "kernels: " + kernels + ", " + Parallel.threads() + " thread" + (Parallel.threads() == 1 ? "" : "s")
                + " (-Dzerotoml.threads)";
    }
}
