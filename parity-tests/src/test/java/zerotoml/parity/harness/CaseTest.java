package zerotoml.parity.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import zerotoml.parity.harness.Case.Arg;

/** A case's typed arguments: what it prints, and the errors a wrong key gets. */
class CaseTest {
    static final Arg<int[]> STRIDE = Arg.ints("stride");
    static final Arg<Integer> GROUPS = Arg.integer("groups");
    static final Arg<String> MODE = Arg.text("mode");
    static final Arg<Double> P = Arg.real("p");

    static final List<Arr> ONE = List.of(new Arr(new int[] {2}, new double[] {0.5, -1}));

    @Test
    void argumentsPrintInTheOrderTheyWereAdded() {
        Case c = new Case(ONE, 7).with(STRIDE, new int[] {1, 2}).with(GROUPS, 1).with(MODE, "same").with(P, 0.5);
        assertEquals("inputs [[2]{0.500000, -1}], args {stride=[1, 2], groups=1, mode=same, p=0.5}, cotangent seed 7", c.toString());
        assertEquals("inputs [[2]{0.500000, -1}], cotangent seed 7", new Case(ONE, 7).toString());
    }

    @Test
    void anArgumentReadsBackAsItsKeysType() {
        Case c = new Case(ONE, 0).with(STRIDE, new int[] {3, 1}).with(GROUPS, 2);
        int[] stride = c.get(STRIDE);
        int groups = c.get(GROUPS);
        assertArrayEquals(new int[] {3, 1}, stride);
        assertEquals(2, groups);
        assertTrue(c.has(GROUPS));
        assertFalse(c.has(MODE));
    }

    @Test
    void replacingAnArgumentKeepsItsPlace() {
        Case c = new Case(ONE, 0).with(GROUPS, 1).with(MODE, "valid").with(GROUPS, 3);
        assertEquals("{groups=3, mode=valid}", c.args().toString());
    }

    @Test
    void otherInputsKeepTheArgumentsAndTheSeed() {
        Case c = new Case(ONE, 5).with(GROUPS, 1).withInputs(List.of(new Arr(new int[] {1}, new double[] {2})));
        assertEquals("inputs [[1]{2}], args {groups=1}, cotangent seed 5", c.toString());
    }

    @Test
    void aMissingArgumentIsNamedWithTheOnesTheCaseHas() {
        Case c = new Case(ONE, 0).with(GROUPS, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.get(MODE));
        assertTrue(e.getMessage().contains("no argument 'mode'") && e.getMessage().contains("{groups=1}"), e.getMessage());
    }

    @Test
    void oneNameCannotCarryTwoTypes() {
        Case c = new Case(ONE, 0).with(Arg.integer("axis"), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.with(Arg.ints("axis"), new int[] {1}));
        assertTrue(e.getMessage().contains("'axis' is a Integer, not a int[]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.get(Arg.real("axis")));
    }

    @Test
    void anArgumentMustHaveAValue() {
        assertThrows(IllegalArgumentException.class, () -> new Case(ONE, 0).with(MODE, null));
    }
}
