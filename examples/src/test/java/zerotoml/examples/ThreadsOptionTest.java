package zerotoml.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A command's --threads N becomes the kernels' pool size, so that the run's first line names it. */
class ThreadsOptionTest {
    private String saved;

    @BeforeEach
    void clear() {
        saved = System.getProperty("zerotoml.threads");
        System.clearProperty("zerotoml.threads");
    }

    @AfterEach
    void restore() {
        if (saved == null) System.clearProperty("zerotoml.threads");
        else System.setProperty("zerotoml.threads", saved);
    }

    @Test
    void aValidThreadsOptionSetsThePoolSizeInEitherSpelling() {
        Main.threadsOption(new String[] {"seq2seq", "--threads", "1", "--steps", "5"});
        assertEquals("1", System.getProperty("zerotoml.threads"));
        System.clearProperty("zerotoml.threads");
        Main.threadsOption(new String[] {"tiny-lm", "--threads=3"});
        assertEquals("3", System.getProperty("zerotoml.threads"));
    }

    @Test
    void anInvalidOrMissingValueIsLeftForTheCommandToReport() {
        for (String[] args : new String[][] {{"seq2seq", "--threads", "0"}, {"seq2seq", "--threads", "x"}, {"seq2seq", "--threads"},
                {"seq2seq", "--threads=-2"}, {"seq2seq"}}) {
            Main.threadsOption(args);
            assertNull(System.getProperty("zerotoml.threads"), String.join(" ", args));
        }
    }

    @Test
    void anExplicitSystemPropertyWins() {
        System.setProperty("zerotoml.threads", "2");
        Main.threadsOption(new String[] {"seq2seq", "--threads", "1"});
        assertEquals("2", System.getProperty("zerotoml.threads"));
    }
}
