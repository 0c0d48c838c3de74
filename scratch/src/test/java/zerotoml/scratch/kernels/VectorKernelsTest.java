package zerotoml.scratch.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import org.junit.jupiter.api.Test;

/**
 * The Vector API kernels pass no vector to a method of ours on a hot path. C2 always inlines the Vector API's
 * own methods, but may leave one of ours out of line once a compile has grown past
 * {@code NodeCountInliningCutoff}, and then boxes every vector passed to it: on JDK 17 that made the matmul tile
 * 3x slower in some runs (VectorMatmul's class comment). A method that takes or returns a vector is a place
 * where that can happen, so each one left is named here with the reason it is not on a hot path.
 */
class VectorKernelsTest {

    private static final List<String> KERNELS = List.of("VectorMatmul", "VectorConv", "VectorPointwise", "VectorErf", "VectorExp", "VectorSigmoid");

    /** The methods allowed to take or return a vector, and why each is off the hot path. */
    private static final Map<String, String> ALLOWED = Map.of(
            "VectorExp.bc", "builds the constant vectors once, in the class initializer",
            "VectorSigmoid.bc", "builds the constant vectors once, in the class initializer");

    @Test
    void noKernelPassesAVectorToAMethodOfOursExceptTheNamedColdOnes() throws ClassNotFoundException {
        assertTrue(Backend.VECTOR, "surefire runs with --add-modules jdk.incubator.vector, so the vector kernels load");
        List<String> found = new ArrayList<>();
        for (String name : KERNELS) {
            for (String m : vectorMethods(Class.forName("zerotoml.scratch.kernels." + name))) {
                if (!ALLOWED.containsKey(name + "." + m)) found.add(name + "." + m);
            }
        }
        assertEquals(List.of(), found, "write these out where they are called (see VectorMatmul's class comment)");
    }

    @Test
    void theCheckFindsAPlantedHelperThatTakesOrReturnsAVector() throws ClassNotFoundException {
        assertEquals(List.of("returnsOne", "takesAMask", "takesOne"), vectorMethods(Planted.class).stream().sorted().toList());
    }

    /** The planted helpers: three that the check must find, and one it must not. */
    @SuppressWarnings("unused")
    private static final class Planted {
        static void takesOne(float[] c, FloatVector v) {}
        static DoubleVector returnsOne(double x) { return null; }
        static void takesAMask(VectorMask<Float> m) {}
        static void takesArrays(float[] a, double[] b) {}
    }

    /** The names of cls's declared methods that take or return a vector or a vector mask. */
    private static List<String> vectorMethods(Class<?> cls) throws ClassNotFoundException {
        Class<?> vector = Class.forName("jdk.incubator.vector.Vector"), mask = Class.forName("jdk.incubator.vector.VectorMask");
        List<String> names = new ArrayList<>();
        for (Method m : cls.getDeclaredMethods()) {
            if (Stream.concat(Stream.of(m.getParameterTypes()), Stream.of(m.getReturnType()))
                    .anyMatch(t -> vector.isAssignableFrom(t) || mask.isAssignableFrom(t))) names.add(m.getName());
        }
        return names;
    }
}
