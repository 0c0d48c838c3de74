package zerotoml.examples.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zerotoml.examples.Cli;

/** Each RL command runs end to end at a tiny size and writes its CSV, its PNG and a checkpoint; every option has help. */
class RlCommandsTest {
    @TempDir
    Path dir;

    static void assertWrote(Path out, String csv, String png) throws Exception {
        assertTrue(Files.size(out.resolve(csv)) > 0, csv);
        assertTrue(Files.size(out.resolve(png)) > 0, png);
    }

    @Test
    void stompOnTheGridWorldFindsTheDetouringOptionAndPlansFasterWithIt() throws Exception {
        Path out = dir.resolve("stomp");
        assertEquals(0, Cli.run("stomp-gridworld", "--steps", "20000", "--backups", "3000", "--seeds", "1", "--out", out.toString()).exit());
        assertWrote(out, "stomp.csv", "stomp.png");
        assertTrue(Files.exists(out.resolve("stomp-seed1.safetensors")));
        // seed,option_detours_penalty,option_steps,err_first,err_last,backups_primitives,backups_with_option,...
        String[] row = Files.readAllLines(out.resolve("stomp.csv")).get(1).split(",");
        assertEquals("true", row[1]);
        assertEquals("11", row[2]);
        assertTrue(Double.parseDouble(row[4]) < Double.parseDouble(row[3]) / 10, "model error falls");
        int prim = Integer.parseInt(row[5]), opt = Integer.parseInt(row[6]);
        assertTrue(opt > 0 && (prim < 0 || opt < prim), "with option " + opt + ", primitives " + prim);
    }

    @Test
    void ppoAndSacRunAtATinySize() throws Exception {
        Path ppo = dir.resolve("ppo"), sac = dir.resolve("sac");
        assertEquals(0, Cli.run("ppo-cartpole", "--steps", "1024", "--seeds", "1", "--out", ppo.toString()).exit());
        assertWrote(ppo, "returns.csv", "returns.png");
        assertTrue(Files.exists(ppo.resolve("checkpoint-seed1.safetensors")));
        assertEquals(0, Cli.run("sac-pendulum", "--steps", "260", "--learning-starts", "200", "--hidden", "8", "--batch", "16", "--seeds", "1",
                "--out", sac.toString()).exit());
        assertWrote(sac, "returns.csv", "returns.png");
    }

    @Test
    void everyOptionOfEveryRlCommandIsExplainedInItsHelp() {
        for (String c : new String[] {"ppo-cartpole", "sac-pendulum", "grpo-addition", "stomp-gridworld"}) Cli.assertHelpExplainsEveryOption(c);
    }
}
