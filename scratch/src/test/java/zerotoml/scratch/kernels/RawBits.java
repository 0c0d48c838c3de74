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

    /** The same for a float function's outputs, naming the input x (and its bits) of the first element that differs. */
    static void assertSameBits(float[] x, float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + ": at x = " + x[i] + " [bits " + Integer.toHexString(Float.floatToRawIntBits(x[i])) + "] "
                        + actual[i] + " [" + Integer.toHexString(Float.floatToRawIntBits(actual[i])) + "], the twin's " + expected[i]
                        + " [" + Integer.toHexString(Float.floatToRawIntBits(expected[i])) + "]");
            }
        }
    }
}
