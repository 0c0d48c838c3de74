package zerotoml.scratch.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Vector API kernels pass no vector to a method of ours on a hot path. C2 always inlines the Vector API's
 * own methods, but may leave one of ours out of line once a compile has grown past
 * {@code NodeCountInliningCutoff}, and then boxes every vector passed to it: on JDK 17 that made the matmul tile
 * 3x slower in some runs (VectorMatmul's class comment). A method that takes or returns a vector is a place
 * where that can happen, so each one left is named here with the reason it is not on a hot path.
 */
class VectorKernelsTest {

    private static final List<String> KERNELS = List.of("VectorMatmul", "VectorConv", "VectorPointwise", "VectorErf", "VectorExp");

    /** The methods allowed to take or return a vector, and why each is off the hot path. */
    private static final Map<String, String> ALLOWED = Map.of(
            "VectorExp.bc", "builds the constant vectors once, in the class initializer",
            "VectorExp.patch", "runs only for the rare lanes whose two roundings disagree (about one float in 2^20)");

    @Test
    void noKernelPassesAVectorToAMethodOfOursExceptTheNamedColdOnes() throws ClassNotFoundException {
        assertTrue(Backend.VECTOR, "surefire runs with --add-modules jdk.incubator.vector, so the vector kernels load");
        Class<?> vector = Class.forName("jdk.incubator.vector.Vector"), mask = Class.forName("jdk.incubator.vector.VectorMask");
        List<String> found = new ArrayList<>();
        for (String name : KERNELS) {
            for (Method m : Class.forName("zerotoml.scratch.kernels." + name).getDeclaredMethods()) {
                boolean takesOrGives = Stream.concat(Stream.of(m.getParameterTypes()), Stream.of(m.getReturnType()))
                        .anyMatch(t -> vector.isAssignableFrom(t) || mask.isAssignableFrom(t));
                if (takesOrGives && !ALLOWED.containsKey(name + "." + m.getName())) found.add(name + "." + m.getName());
            }
        }
        assertEquals(List.of(), found, "write these out where they are called (see VectorMatmul's class comment)");
    }

    @Test
    void theCheckSeesAVectorParameterWhereThereIsOne() throws ClassNotFoundException {
        // the planted case: VectorExp's patch takes a FloatVector, so a check that found nothing anywhere would be broken
        Class<?> vector = Class.forName("jdk.incubator.vector.Vector");
        boolean seen = Stream.of(Class.forName("zerotoml.scratch.kernels.VectorExp").getDeclaredMethods())
                .filter(m -> m.getName().equals("patch"))
                .anyMatch(m -> Stream.of(m.getParameterTypes()).anyMatch(vector::isAssignableFrom));
        assertTrue(seen, "VectorExp.patch(FloatVector, ...) should be seen as taking a vector");
    }
}
