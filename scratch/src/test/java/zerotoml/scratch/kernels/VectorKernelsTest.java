package zerotoml.scratch.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * The Vector API kernels pass no vector to a method of ours on a hot path. C2 always inlines the Vector API's
 * own methods, but may leave one of ours out of line once a compile has grown past
 * {@code NodeCountInliningCutoff}, and then boxes every vector passed to it: on JDK 17 that made the matmul tile
 * 3x slower in some runs (VectorMatmul's class comment). A method that takes or returns a vector is a place
 * where that can happen, so each one left is named here with the reason it is not on a hot path.
 */
class VectorKernelsTest {

    private static final List<String> KERNELS = List.of("VectorMatmul", "VectorConv", "VectorPointwise", "VectorErf", "VectorExp", "VectorSigmoid", "VectorExpf", "VectorPool");

    /** The methods allowed to take or return a vector, and why each is off the hot path. */
    private static final Map<String, String> ALLOWED = Map.of(
            "VectorExp.bc", "builds the constant vectors once, in the class initializer",
            "VectorSigmoid.bc", "builds the constant vectors once, in the class initializer",
            "VectorExpf.bc", "builds the constant vectors once, in the class initializer");

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

    @Test
    void everyVectorAndSpeciesTheKernelsHoldHasTheMatmulsShape() throws Exception {
        List<String> found = new ArrayList<>();
        for (String name : KERNELS) {
            for (String f : otherShapes(Class.forName("zerotoml.scratch.kernels." + name))) found.add(name + "." + f);
        }
        assertEquals(List.of(), found, "one vector shape in the JVM, VectorMatmul's (see VectorExp's class comment: a second "
                + "float shape let JDK 17's C2 compile the matmul tile for the wrong class)");
    }

    @Test
    void theShapeCheckFindsAPlantedSpeciesAndVectorOfAnotherShape() throws Exception {
        assertEquals(List.of("OTHER", "OTHER_ZERO"), otherShapes(PlantedShapes.class).stream().sorted().toList());
    }

    /** A species and a vector of another shape than the kernels' (half of it, or twice at 64 bits), and one of the same. */
    @SuppressWarnings("unused")
    private static final class PlantedShapes {
        static final VectorSpecies<Float> OTHER = FloatVector.SPECIES_64.equals(VectorMatmul.F) ? FloatVector.SPECIES_128
                : VectorSpecies.of(float.class, VectorShape.forBitSize(VectorMatmul.F.vectorBitSize() / 2));
        static final FloatVector OTHER_ZERO = FloatVector.zero(OTHER);
        static final VectorSpecies<Integer> SAME = VectorSpecies.of(int.class, VectorMatmul.F.vectorShape());
    }

    /** The names of cls's static fields that hold a species or a vector whose shape is not VectorMatmul.F's. */
    private static List<String> otherShapes(Class<?> cls) throws IllegalAccessException {
        List<String> names = new ArrayList<>();
        for (Field f : cls.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers())) continue;
            f.setAccessible(true);
            Object v = f.get(null);
            VectorShape shape = v instanceof VectorSpecies<?> s ? s.vectorShape() : v instanceof Vector<?> w ? w.shape() : null;
            if (shape != null && shape != VectorMatmul.F.vectorShape()) names.add(f.getName());
        }
        return names;
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
