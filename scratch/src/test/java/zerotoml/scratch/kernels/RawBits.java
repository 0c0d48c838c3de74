package zerotoml.scratch.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The kernels' tests' one comparison of a fast kernel's output with its twin's: raw bits, NaN payloads included. */
final class RawBits {
    private RawBits() {}

    /** Fails with the first element whose raw bits differ, naming it and both values. */
    static void assertSameBits(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToRawLongBits(expected[i]) != Double.doubleToRawLongBits(actual[i])) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", the twin's " + expected[i]);
            }
        }
    }
}
