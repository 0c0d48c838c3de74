package zerotoml.examples.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zerotoml.examples.Cli;
import zerotoml.examples.kit.Table;
import zerotoml.scratch.io.Safetensors;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;
import zerotoml.scratch.transformer.Transformer;
import zerotoml.scratch.transformer.Transformer.DecoderOnly;

/** grpo-addition: the task and its reward are right, a GRPO step favours the rewarded completions, and a seed resumes bit for bit. */
class GrpoAdditionCommandTest {
    @TempDir
    Path dir;

    @Test
    void theAnswerIsTheSumsThreeDigitsLeastSignificantFirstAndTheRewardCountsRightDigits() {
        assertArrayEquals(new int[] {4, 7, Addition.PLUS, 6, 8, Addition.EQUALS}, Addition.prompt(47, 68));
        assertArrayEquals(new int[] {5, 1, 1}, Addition.answer(47, 68)); // 115
        assertArrayEquals(new int[] {0, 2, 0}, Addition.answer(10, 10)); // 020
        int[] seq = {4, 7, Addition.PLUS, 6, 8, Addition.EQUALS, 5, 1, 1};
        assertEquals(1.0, Addition.reward(seq, new int[] {47, 68}), 1e-12);
        seq[7] = 9;
        assertEquals(2.0 / 3, Addition.reward(seq, new int[] {47, 68}), 1e-12);
        seq[6] = 0;
        seq[8] = 0;
        assertEquals(0.0, Addition.reward(seq, new int[] {47, 68}), 0.0);
    }

    @Test
    void theHeldOutSumsAreFixedAndNeverAmongTheTrainingSums() {
        int[][] held = Addition.heldOut(Addition.HELD_OUT), train = Addition.training();
        assertEquals(Addition.HELD_OUT, held.length);
        assertEquals(90 * 90, held.length + train.length);
        Set<Integer> keys = new HashSet<>();
        for (int[] p : held) keys.add(100 * p[0] + p[1]);
        assertEquals(Addition.HELD_OUT, keys.size());
        for (int[] p : train) assertTrue(!keys.contains(100 * p[0] + p[1]), "held-out sum " + p[0] + "+" + p[1] + " in training");
        assertArrayEquals(held[7], Addition.heldOut(20)[7]);
    }

    @Test
    void oneGrpoStepRaisesTheLogProbabilityOfBetterThanAverageCompletions() {
        var u = new GrpoTraining.Setup(3, 1, 1e-3, 8, 1, 4, 8, 1e-4, 0, 1.0, 1, 0.04, 0.2, GrpoTraining.Supervision.OUTCOME, 20);
        DecoderOnly start = Transformer.initDecoderOnly(Addition.MODEL, DType.F32, 3);
        var policy = new GrpoTraining.Policy(u, start, null);
        var ro = policy.rollout(start, 0);
        double[] adv = ro.advantages().toArray();
        assertTrue(java.util.Arrays.stream(adv).anyMatch(a -> a != 0), "the groups have reward spread");
        var stepped = policy.step(start, policy.optimizer(start), 0);
        double[] before = Addition.answerLogProbs(start, ro.seqs()).toArray(), after = Addition.answerLogProbs(stepped.params(), ro.seqs()).toArray();
        assertEquals(before.length, adv.length, "one advantage per answer token");
        // the objective Σᵢₜ Âᵢₜ log π(oᵢₜ) rises: the step moves probability towards the tokens with positive advantage
        double gain = 0;
        for (int i = 0; i < adv.length; i++) gain += adv[i] * (after[i] - before[i]);
        assertTrue(gain > 0, "Σ Â Δlog π = " + gain);
        assertEquals(ro.rewards().mean().item(), stepped.correct(), 0.0);
    }

    @Test
    void processAdvantagesAreTheSumOfTheGroupNormalisedDigitRewardsFromEachTokenOn() {
        var u = new GrpoTraining.Setup(3, 1, 1e-3, 8, 1, 1, 2, 1e-4, 0, 1.0, 1, 0.04, 0.2, GrpoTraining.Supervision.PROCESS, 20);
        var policy = new GrpoTraining.Policy(u, Transformer.initDecoderOnly(Addition.MODEL, DType.F32, 3), null);
        double[] r = {1, 0, 1, 1, 1, 1}; // two completions of one prompt: the second digit of the first is wrong
        double mean = 5.0 / 6, sd = 0;
        for (double x : r) sd += (x - mean) * (x - mean) / (r.length - 1);
        double right = (1 - mean) / (Math.sqrt(sd) + 1e-4), wrong = (0 - mean) / (Math.sqrt(sd) + 1e-4);
        double[] expected = {right + wrong + right, wrong + right, right, 3 * right, 2 * right, right};
        assertArrayEquals(expected, policy.process(Tensor.of(DType.F32, r, r.length)).toArray(), 1e-5);
        // outcome supervision gives every token of a completion its completion's advantage
        var outcome = new GrpoTraining.Policy(new GrpoTraining.Setup(3, 1, 1e-3, 8, 1, 1, 2, 1e-4, 0, 1.0, 1, 0.04, 0.2,
                GrpoTraining.Supervision.OUTCOME, 20), Transformer.initDecoderOnly(Addition.MODEL, DType.F32, 3), null);
        double[] a = outcome.outcome(Tensor.of(DType.F32, new double[] {2.0 / 3, 1}, 2)).toArray();
        assertArrayEquals(new double[] {a[0], a[0], a[0], -a[0], -a[0], -a[0]}, a, 1e-6); // ± the same up to float32 rounding
        assertTrue(a[0] < 0);
    }

    @Test
    void aRunStoppedAfterItsFirstGrpoEvaluationResumesBitIdenticalToAnUninterruptedOne() throws Exception {
        Path whole = dir.resolve("whole"), split = dir.resolve("split");
        String[] common = {"grpo-addition", "--sft-steps", "4", "--sft-eval-every", "2", "--sft-until", "1", "--sft-batch", "8", "--steps", "4",
                "--eval-every", "2", "--prompts", "2", "--group", "3", "--held-out", "12", "--seeds", "1", "--seed", "5", "--no-progress", "--out"};
        Cli.Run w = Cli.run(with(common, whole.toString()));
        assertEquals(0, w.exit(), w.err());
        for (String f : new String[] {"summary.csv", "grpo.png", "seed-5/history.csv", "seed-5/curves.png", "seed-5/checkpoint.safetensors",
                "seed-5/sft/history.csv", "seed-5/sft/checkpoint.safetensors"}) {
            assertTrue(Files.size(whole.resolve(f)) > 0, f);
        }
        List<GrpoTraining.GrpoEval> a = Table.parse(Files.readString(whole.resolve("seed-5/history.csv")), GrpoTraining.GrpoEval.class);
        assertEquals(List.of(0, 2, 4), a.stream().map(GrpoTraining.GrpoEval::step).toList(), "the start, then every --eval-every");
        assertEquals(0.0, a.get(0).klToRef(), 0.0, "the start is the reference");
        // --stop-at 0 ends GRPO at its first evaluation (any accuracy is >= 0), with the checkpoint of step 2
        Cli.Run first = Cli.run(with(common, split.toString(), "--stop-at", "0"));
        assertEquals(0, first.exit(), first.err());
        assertEquals("2", Safetensors.read(split.resolve("seed-5/checkpoint.safetensors")).metadata().get("step"));
        Cli.Run rest = Cli.run(with(common, split.toString(), "--resume"));
        assertEquals(0, rest.exit(), rest.err());
        assertTrue(rest.out().contains("after step 2"), rest.out());
        Safetensors.Contents x = Safetensors.read(whole.resolve("seed-5/checkpoint.safetensors"));
        Safetensors.Contents y = Safetensors.read(split.resolve("seed-5/checkpoint.safetensors"));
        assertEquals(x.tensors().keySet(), y.tensors().keySet());
        for (Map.Entry<String, Tensor> e : x.tensors().entrySet()) assertArrayEquals(e.getValue().toArray(), y.tensors().get(e.getKey()).toArray(), 0.0, e.getKey());
        assertEquals(Files.readString(whole.resolve("seed-5/history.csv")).replaceAll(",[^,\n]*\n", "\n"),
                Files.readString(split.resolve("seed-5/history.csv")).replaceAll(",[^,\n]*\n", "\n"), "every column but the seconds");
        Cli.Run other = Cli.run(with(common, split.toString(), "--resume", "--beta", "0.1"));
        assertEquals(2, other.exit());
        assertTrue(other.err().contains("was made by another configuration"), other.err());
    }

    static String[] with(String[] common, String... more) {
        List<String> a = new ArrayList<>(List.of(common));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }
}
