package zerotoml.examples.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zerotoml.examples.Cli;
import zerotoml.examples.kit.Table;
import zerotoml.scratch.io.Safetensors;

/** The RL commands on the kit: each runs end to end at a tiny size, and a run split in two and resumed ends bit-identical to a whole one. */
class RlCommandsTest {
    @TempDir
    Path dir;

    static void assertWroteTheKitsFiles(Path out) throws Exception {
        for (String f : List.of("checkpoint.safetensors", "history.csv", "curves.png")) assertTrue(Files.size(out.resolve(f)) > 0, f);
    }

    static String[] with(String[] common, String... more) {
        List<String> a = new ArrayList<>(List.of(common));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    /** The history CSV without its last column (seconds of wall time, which no two runs share). */
    static List<String> withoutSeconds(String csv) {
        List<String> out = new ArrayList<>();
        for (String line : csv.split("\n")) out.add(line.substring(0, line.lastIndexOf(',')));
        return out;
    }

    /**
     * {@code args} run whole, and run stopped after {@code stopAfter} then resumed: the final
     * checkpoints hold the same tensors byte for byte (params, optimiser state, replay buffer, env
     * state) and the same metadata but the wall time, and the histories agree but for it.
     */
    static void assertSplitRunResumesBitIdentical(Path dir, String[] common, int stopAfter) throws Exception {
        Path whole = dir.resolve("whole"), split = dir.resolve("split");
        Cli.Run w = Cli.run(with(common, "--out", whole.toString()));
        assertEquals(0, w.exit(), w.err());
        Cli.Run first = Cli.run(with(common, "--out", split.toString(), "--stop-after", Integer.toString(stopAfter)));
        assertEquals(0, first.exit(), first.err());
        assertEquals(Integer.toString(stopAfter), Safetensors.read(split.resolve("checkpoint.safetensors")).metadata().get("step"));
        Cli.Run rest = Cli.run(with(common, "--out", split.toString(), "--resume"));
        assertEquals(0, rest.exit(), rest.err());
        assertTrue(rest.out().contains("after step " + stopAfter), rest.out());
        Safetensors.Contents a = Safetensors.read(whole.resolve("checkpoint.safetensors")), b = Safetensors.read(split.resolve("checkpoint.safetensors"));
        assertEquals(a.tensors().keySet(), b.tensors().keySet());
        for (var e : a.tensors().entrySet()) assertArrayEquals(e.getValue().toArray(), b.tensors().get(e.getKey()).toArray(), 0.0, e.getKey());
        Map<String, String> ma = new HashMap<>(a.metadata()), mb = new HashMap<>(b.metadata());
        assertEquals(withoutSeconds(ma.remove("history")), withoutSeconds(mb.remove("history")));
        ma.remove("seconds");
        mb.remove("seconds");
        assertEquals(ma, mb);
        assertEquals(withoutSeconds(Files.readString(whole.resolve("history.csv"))), withoutSeconds(Files.readString(split.resolve("history.csv"))));
        // a resume with other options is refused
        Cli.Run other = Cli.run(with(common, "--out", split.toString(), "--resume", "--seed", "9"));
        assertEquals(2, other.exit(), other.out());
    }

    @Test
    void ppoRunsAtATinySizeAndWritesCheckpointHistoryAndCurves() throws Exception {
        Path out = dir.resolve("ppo");
        Cli.Run r = Cli.run("ppo-cartpole", "--steps", "1024", "--eval-every", "1", "--no-progress", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertWroteTheKitsFiles(out);
        List<String> h = Files.readAllLines(out.resolve("history.csv"));
        assertEquals("update,env_steps,episodes,return20,greedy10,pg_loss,v_loss,entropy,approx_kl,seconds", h.get(0));
        assertEquals(1 + 2, h.size());
        assertTrue(h.get(2).startsWith("2,1024,"), h.get(2));
    }

    @Test
    void aPpoRunSplitInTwoAndResumedEndsBitIdenticalToAWholeOne() throws Exception {
        assertSplitRunResumesBitIdentical(dir, new String[] {"ppo-cartpole", "--steps", "2048", "--eval-every", "2", "--seed", "3", "--no-progress"}, 1);
    }

    @Test
    void aSacRunSplitBetweenEvaluationsAndResumedEndsBitIdenticalToAWholeOne() throws Exception {
        // stopped at step 45: after learning started (40), between the evaluations at 30 and 60
        String[] sac = {"sac-pendulum", "--steps", "60", "--learning-starts", "40", "--hidden", "8", "--batch", "8", "--eval-every", "30", "--seed", "2",
                "--no-progress"};
        assertSplitRunResumesBitIdentical(dir, sac, 45);
        assertWroteTheKitsFiles(dir.resolve("whole"));
        List<String> h = Files.readAllLines(dir.resolve("whole").resolve("history.csv"));
        assertEquals("step,episodes,return5,deterministic10,qf_loss,actor_loss,alpha,seconds", h.get(0));
        assertTrue(h.get(1).startsWith("30,0,NaN,") && h.get(1).contains(",NaN,NaN,1.0,"), "before learning starts: " + h.get(1));
    }

    @Test
    void stompOnTheGridWorldFindsTheDetouringOptionAndPlansFasterWithIt() throws Exception {
        Path out = dir.resolve("stomp");
        Cli.Run r = Cli.run("stomp-gridworld", "--steps", "20000", "--backups", "3000", "--no-progress", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        for (String f : List.of("checkpoint.safetensors", "history.csv", "model-error.png", "planning.png")) assertTrue(Files.size(out.resolve(f)) > 0, f);
        assertTrue(r.out().contains("the hallway option takes 11 steps from S and detours the penalty, stopping in the hallway"), r.out());
        List<StompGrid.Eval> h = Table.parse(Files.readString(out.resolve("history.csv")), StompGrid.Eval.class);
        StompGrid.Eval last = h.get(h.size() - 1);
        assertEquals("planning", last.phase());
        // the option's values and its model approach the exact answers of dynamic programming
        double firstOptionError = h.get(0).optionError();
        assertTrue(last.optionError() < firstOptionError / 10, "option error falls: " + firstOptionError + " -> " + last.optionError());
        double firstModelError = h.stream().filter(e -> e.phase().equals("models")).findFirst().orElseThrow().modelError();
        assertTrue(last.modelError() < firstModelError / 10, "model error falls: " + firstModelError + " -> " + last.modelError());
        int prim = last.backupsPrimitives(), opt = last.backupsWithOption();
        assertTrue(opt > 0 && (prim < 0 || opt < prim), "with option " + opt + ", primitives " + prim);
    }

    @Test
    void aStompRunSplitDuringModelLearningAndResumedEndsBitIdenticalToAWholeOne() throws Exception {
        // 4 option chunks, 4 model chunks (traces mid-episode), 2 planning chunks; stopped after chunk 6, between evaluations
        assertSplitRunResumesBitIdentical(dir, new String[] {"stomp-gridworld", "--steps", "2000", "--backups", "100", "--eval-every", "4", "--seed", "5",
                "--no-progress"}, 6);
    }

    @Test
    void everyOptionOfEveryRlCommandIsExplainedInItsHelp() {
        for (String c : new String[] {"ppo-cartpole", "sac-pendulum", "grpo-addition", "stomp-gridworld"}) Cli.assertHelpExplainsEveryOption(c);
    }
}
