package zerotoml.scratch.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchesTest {
    @Test
    void theSameSeedGivesTheSameBatches() {
        List<int[]> a = Batches.epoch(103, 10, true, false, 42, 3);
        List<int[]> b = Batches.epoch(103, 10, true, false, 42, 3);
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i));
    }

    @Test
    void otherSeedsAndEpochsGiveOtherOrders() {
        assertFalse(Arrays.equals(Batches.permutation(100, 42, 0), Batches.permutation(100, 43, 0)));
        assertFalse(Arrays.equals(Batches.permutation(100, 42, 0), Batches.permutation(100, 42, 1)));
    }

    @Test
    void anEpochCoversEveryIndexExactlyOnce() {
        int[] seen = new int[103];
        List<int[]> bs = Batches.epoch(103, 10, true, false, 7, 0);
        assertEquals(11, bs.size());
        assertEquals(3, bs.get(10).length);
        for (int[] b : bs) for (int i : b) seen[i]++;
        for (int s : seen) assertEquals(1, s);
        assertEquals(10, Batches.epoch(103, 10, true, true, 7, 0).size());
        assertArrayEquals(new int[] {0, 1, 2}, Batches.epoch(5, 3, false, false, 7, 0).get(0));
    }

    @Test
    void badArgumentsAreRejected() {
        assertEquals("Batches.epoch: batchSize must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> Batches.epoch(5, 0, true, false, 1, 0)).getMessage());
    }
}
