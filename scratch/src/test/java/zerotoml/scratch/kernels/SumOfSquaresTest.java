package zerotoml.scratch.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link SumOfSquares} on floats against its twin over the widened copy, raw bits compared, at edge sizes and values. */
class SumOfSquaresTest {

    @Test
    void theSumOfSquaresOfFloatsHasTheBitsOfTheLoopOverTheirWidenedCopy() {
        SplittableRandom r = new SplittableRandom(51);
        float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE, Float.MAX_VALUE, 1e-30f, 3e19f};
        for (int n : new int[] {0, 1, 2, 7, 8, 9, 17, 1000, 65_537}) {
            for (int trial = 0; trial < 4; trial++) {
                float[] x = new float[n];
                for (int i = 0; i < n; i++) x[i] = trial > 0 && r.nextInt(50) == 0 ? special[r.nextInt(special.length)] : (float) (r.nextGaussian() * 1e-3);
                assertEquals(Double.doubleToRawLongBits(SumOfSquares.naive(x)), Double.doubleToRawLongBits(SumOfSquares.of(x)), "n=" + n);
                double[] w = new double[n];
                for (int i = 0; i < n; i++) w[i] = x[i];
                assertEquals(Double.doubleToRawLongBits(SumOfSquares.naive(x)), Double.doubleToRawLongBits(SumOfSquares.of(w)), "double, n=" + n);
            }
        }
    }
}
