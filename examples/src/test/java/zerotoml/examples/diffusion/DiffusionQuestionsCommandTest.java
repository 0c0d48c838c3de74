package zerotoml.examples.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zerotoml.examples.Cli;
import zerotoml.examples.Cli.Run;
import zerotoml.examples.diffusion.DiffusionQuestions.Point;
import zerotoml.examples.diffusion.DiffusionQuestions.Sampler;
import zerotoml.examples.fashion.FashionMnistCommandTest;

/**
 * diffusion-questions end to end on tiny configurations: a few training steps, a subset of the
 * budgets, 20 points; on Fashion-MNIST, tiny synthetic 8x8 images, a tiny U-Net and a tiny
 * classifier (never the real data set).
 */
class DiffusionQuestionsCommandTest {
    @TempDir
    Path runs;

    /** The tiny configuration; list options (--nfe, --samplers) accumulate when repeated, so it sets none. */
    static String[] tiny(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("diffusion-questions", "--out", out.toString(), "--seed", "5", "--seeds", "2",
                "--steps", "4", "--eval-every", "2", "--reflow-steps", "2", "--pairs", "8", "--batch-size", "16", "--hidden", "8", "--depth", "1",
                "--samples", "20", "--threads", "1", "--no-progress"));
        a.addAll(Arrays.asList(more));
        return a.toArray(new String[0]);
    }

    static List<Point> rows(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        assertEquals(DiffusionQuestions.POINT_HEADER, lines.get(0));
        return lines.stream().skip(1).map(DiffusionQuestions::parsePoint).toList();
    }

    /** The row without its wall time. */
    static String numbers(Point p) {
        return DiffusionQuestions.csv(p).replaceAll(",[^,]*$", "");
    }

    @Test
    void aTinySweepWritesOneFiniteRowPerSamplerBudgetAndSeed() throws IOException {
        Path out = runs.resolve("sweep");
        Run r = Cli.run(tiny(out, "--nfe", "42,1,2"));
        assertEquals(0, r.exit(), r.err() + r.out());
        // one evaluation a step: every budget; Heun: even budgets; PC: 2 a step and >= 21 steps (beta1 = 20), so only 42
        Set<String> expected = new TreeSet<>();
        for (long seed : new long[] {5, 6}) {
            for (String s : List.of("ddpm", "ddim-eta1", "ddim-eta0", "em", "pf-euler", "fm-euler", "1rf-euler", "2rf-euler")) {
                for (int n : new int[] {1, 2, 42}) expected.add(s + "@" + n + "/" + n + "#" + seed);
            }
            for (String s : List.of("pf-heun", "fm-heun")) {
                expected.add(s + "@2/1#" + seed);
                expected.add(s + "@42/21#" + seed);
            }
            expected.add("pc@42/21#" + seed);
        }
        List<Point> rows = rows(out.resolve("results.csv"));
        Set<String> got = new TreeSet<>();
        for (Point p : rows) got.add(p.sampler() + "@" + p.nfe() + "/" + p.steps() + "#" + p.seed());
        assertEquals(expected, got);
        assertEquals(expected.size(), rows.size(), "no row twice");
        for (Point p : rows) {
            String all = DiffusionQuestions.csv(p);
            assertEquals("eight-gaussians", p.data(), all);
            assertTrue(Double.isFinite(p.slicedW2()) && p.slicedW2() > 0, all);
            assertTrue(Double.isFinite(p.floor()) && p.floor() > 0, all);
            assertTrue(Double.isFinite(p.seconds()) && p.seconds() >= 0, all);
            assertEquals(8, p.modes(), all);
            assertTrue(p.modesCovered() >= 0 && p.modesCovered() <= 8 && p.fewestPerMode() >= 0 && p.offMode() >= 0 && p.offMode() <= 20, all);
        }
        // the rows of each seed are also in that seed's folder, beside its trainings
        for (long seed : new long[] {5, 6}) {
            Path dir = out.resolve("seed-" + seed);
            assertEquals(rows.stream().filter(p -> p.seed() == seed).map(DiffusionQuestions::csv).toList(),
                    rows(dir.resolve("results.csv")).stream().map(DiffusionQuestions::csv).toList());
            for (String t : List.of("eight-gaussians-ddpm", "eight-gaussians-sde", "eight-gaussians-fm", "eight-gaussians-rf", "eight-gaussians-rf-reflow")) {
                assertTrue(Files.exists(dir.resolve(t).resolve("checkpoint.safetensors")), dir + "/" + t);
            }
        }
        DiffusionMnistCommandTest.assertPng(out.resolve("nfe.png"));
        String summary = Files.readString(out.resolve("summary.md"));
        assertTrue(summary.contains("seeds [5, 6] of 2 asked") && summary.contains("* NFE 42: best"), summary);
        assertTrue(r.out().contains("skipped: pc at NFE 2 (pc's discrete VP chain"), r.out());
        assertTrue(r.out().contains("skipped: fm-heun at NFE 1 (fm-heun costs 2 evaluations a step, and 1 is odd)"), r.out());
    }

    @Test
    void theSameSeedGivesTheSameRowsAndResumingReusesAFinishedSeed() throws IOException {
        Path a = runs.resolve("a"), b = runs.resolve("b");
        String[] few = {"--samplers", "ddim-eta1,fm-heun,2rf-euler", "--nfe", "2,4"};
        assertEquals(0, Cli.run(tiny(a, few)).exit());
        assertEquals(0, Cli.run(tiny(b, concat(few, "--seeds", "1"))).exit());
        Run r = Cli.run(tiny(b, concat(few, "--resume")));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("seed 5: reusing 6 rows"), r.out());
        assertEquals(rows(a.resolve("results.csv")).stream().map(DiffusionQuestionsCommandTest::numbers).toList(),
                rows(b.resolve("results.csv")).stream().map(DiffusionQuestionsCommandTest::numbers).toList());
        // other settings are not reused
        r = Cli.run(tiny(b, concat(few, "--resume", "--samples", "21")));
        assertEquals(0, r.exit(), r.err());
        assertTrue(!r.out().contains("reusing"), r.out());
    }

    static String[] concat(String[] a, String... b) {
        List<String> l = new ArrayList<>(Arrays.asList(a));
        l.addAll(Arrays.asList(b));
        return l.toArray(new String[0]);
    }

    @Test
    void badOptionsAreOneLineErrorsNamingTheOption() {
        Map<String[], String> bad = Map.of(
                new String[] {"--nfe", "0"}, "--nfe must be >= 1, got 0",
                new String[] {"--nfe", "2,2"}, "--nfe must not repeat a budget, got [2, 2]",
                new String[] {"--samplers", "ddim,fm-euler"}, "--samplers: unknown sampler ddim; choose from ddpm, ddim-eta1",
                new String[] {"--samplers", "em,em"}, "--samplers must not repeat a sampler, got em twice",
                new String[] {"--data", "three-spirals"}, "--data must be one of [eight-gaussians, two-moons, fashion-mnist], got three-spirals",
                new String[] {"--seeds", "0"}, "--seeds must be >= 1, got 0",
                new String[] {"--samples", "1"}, "--samples must be >= 2, got 1",
                new String[] {"--data", "fashion-mnist"}, "--data fashion-mnist needs --mnist-runs",
                new String[] {"--threshold", "1.5"}, "--threshold must be a number in (0, 1], got 1.5",
                new String[] {"--groups", "3"}, "--groups must divide --channels, got --groups 3 and --channels 32");
        for (var e : bad.entrySet()) {
            Run r = Cli.run(tiny(runs.resolve("bad"), e.getKey()));
            assertEquals(2, r.exit(), Arrays.toString(e.getKey()) + ": " + r.out());
            assertTrue(r.err().startsWith("diffusion-questions: " + e.getValue()), Arrays.toString(e.getKey()) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
        assertTrue(!Files.exists(runs.resolve("bad").resolve("results.csv")), "nothing ran");
    }

    @Test
    void helpExplainsEveryOption() {
        String help = Cli.assertHelpExplainsEveryOption("diffusion-questions");
        assertTrue(help.contains("results.csv") && help.contains("nfe.png"), help);
    }

    @Test
    void aBudgetBuysWholeStepsOnlyWhereTheSamplerIsDefined() {
        assertEquals(1000, DiffusionQuestions.steps(Sampler.DDPM_ANCESTRAL, 1000));
        assertEquals(0, DiffusionQuestions.steps(Sampler.DDIM_ETA0, 1001), "DDIM has at most T steps");
        assertEquals(1001, DiffusionQuestions.steps(Sampler.FM_EULER, 1001));
        assertEquals(500, DiffusionQuestions.steps(Sampler.PF_ODE_HEUN, 1000));
        assertEquals(0, DiffusionQuestions.steps(Sampler.FM_HEUN, 7));
        assertEquals(0, DiffusionQuestions.steps(Sampler.PREDICTOR_CORRECTOR, 40), "20 steps: beta_i = 1 at the last");
        assertEquals(21, DiffusionQuestions.steps(Sampler.PREDICTOR_CORRECTOR, 42));
        assertNull(DiffusionQuestions.whyNot(Sampler.EULER_MARUYAMA, 1));
        for (Sampler s : Sampler.values()) assertEquals(s, Sampler.of(s.key));
        // asking a sampler for steps it cannot take is an error, not NaN
        zerotoml.scratch.diffusion.Denoiser zero = (x, t) -> x.mul(0.0);
        zerotoml.scratch.tensor.Tensor x = zerotoml.scratch.random.Rng.seed(1).normal(zerotoml.scratch.tensor.DType.F64, 4, 2);
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> DiffusionQuestions.sample(Sampler.PREDICTOR_CORRECTOR, zero, x, 10, zerotoml.scratch.random.Rng.seed(2)));
        assertTrue(e.getMessage().startsWith("DiffusionQuestions.sample: pc cannot take 10 steps: pc's discrete VP chain"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> DiffusionQuestions.sample(Sampler.DDIM_ETA0, zero, x, 1001, zerotoml.scratch.random.Rng.seed(2)));
        assertTrue(e.getMessage().contains("ddim-eta0 has at most T = 1000 steps"), e.getMessage());
        assertEquals(List.of(4, 2), Arrays.stream(DiffusionQuestions.sample(Sampler.PREDICTOR_CORRECTOR, zero, x, 21, zerotoml.scratch.random.Rng.seed(2))
                .shape().dims()).boxed().toList());
    }

    @Test
    void theSummaryNamesTheBestSamplerAndHowClearlyTheSeedsSeparateIt() {
        // seeds 0 and 1 of each: at NFE 4 FM is better on both seeds and its worst beats EM's best;
        // at NFE 8 FM has the lower mean but loses seed 1, and the ranges overlap; at NFE 16 a tie
        List<Point> rows = List.of(pt("fm-euler", 4, 0, 0.20), pt("fm-euler", 4, 1, 0.22), pt("em", 4, 0, 0.50), pt("em", 4, 1, 0.60),
                pt("fm-euler", 8, 0, 0.30), pt("fm-euler", 8, 1, 0.40), pt("em", 8, 0, 0.35), pt("em", 8, 1, 0.37),
                pt("fm-euler", 16, 0, 0.3), pt("em", 16, 0, 0.3));
        String s = DiffusionQuestions.summary("x", DiffusionQuestions.measures(rows, Point::sampler, Point::nfe, Point::seed, Point::slicedW2),
                List.of(4, 8, 16), true, "%.2f");
        assertTrue(s.contains("| FM Euler | 0.21 (0.20–0.22) | 0.35 (0.30–0.40) | 0.30 (0.30–0.30) |"), s);
        assertTrue(s.contains("* NFE 4: best fm-euler, 0.21; runner-up em, 0.55; better on 2 of 2 seeds; no seed overlap"), s);
        assertTrue(s.contains("* NFE 8: best fm-euler, 0.35; runner-up em, 0.36; better on 1 of 2 seeds; the seeds' ranges overlap"), s);
        assertTrue(s.contains("* NFE 16: a tie of 2 samplers at 0.30 (fm-euler, em)"), s);
        // flows against diffusion: the best of each family per seed
        List<Point> more = new ArrayList<>(rows);
        more.addAll(List.of(pt("2rf-euler", 8, 0, 0.26), pt("ddim-eta0", 8, 1, 0.38), pt("ddim-eta0", 8, 0, 0.9)));
        String f = DiffusionQuestions.families(DiffusionQuestions.measures(more, Point::sampler, Point::nfe, Point::seed, Point::slicedW2), List.of(8), true, "%.2f");
        // seed 0: flow min(0.30, 0.26) = 0.26 against min(0.35, 0.9) = 0.35; seed 1: 0.40 against min(0.37, 0.38) = 0.37
        assertEquals("* NFE 8: best flow sampler 0.33, best diffusion sampler 0.36 (means of the per-seed bests); flows better on 1 of 2 seeds\n", f);
    }

    static Point pt(String sampler, int nfe, long seed, double sw) {
        return new Point("eight-gaussians", sampler, nfe, nfe, seed, sw, 0.1, 8, 8, 1, 0, 0);
    }

    @Test
    void onImagesDdpmAndDdimClipTheirX0EstimateToTheDataRangeAndOn2dPointsTheyDoNot() {
        // an ε-network that always answers −50: x̂0 = (x_t + 50·√(1−ᾱ_t))/√ᾱ_t is far above 1 at every step
        zerotoml.scratch.diffusion.Denoiser wild = (x, t) -> x.mul(0.0).add(-50.0);
        zerotoml.scratch.tensor.Tensor x = zerotoml.scratch.random.Rng.seed(1).normal(zerotoml.scratch.tensor.DType.F64, 3, 1, 2, 2);
        for (Sampler s : List.of(Sampler.DDPM_ANCESTRAL, Sampler.DDIM_ETA1, Sampler.DDIM_ETA0)) {
            double clipped = maxAbs(DiffusionQuestions.sample(s, wild, x, 4, zerotoml.scratch.random.Rng.seed(2), true));
            double free = maxAbs(DiffusionQuestions.sample(s, wild, x, 4, zerotoml.scratch.random.Rng.seed(2)));
            // DDIM's last step lands on x̂0 (ᾱ_prev = 1, η's σ = 0 there): clipped, it is within [−1, 1]; DDPM's last timestep
            // (249 of the trailing four) still adds σ·z with σ² = β ≤ 1 after the clip, so it may leave [−1, 1], but not by far
            assertTrue(clipped <= (s == Sampler.DDPM_ANCESTRAL ? 5 : 1), s.key + " clipped: " + clipped);
            assertTrue(free > 10, s.key + " unclipped: " + free);
        }
    }

    static double maxAbs(zerotoml.scratch.tensor.Tensor t) {
        double m = 0;
        for (double v : t.toArray()) m = Math.max(m, Math.abs(v));
        return m;
    }

    @Test
    void theSweepRunsOnDiffusionMnistCheckpointsJudgedByTheClassifier() throws IOException {
        Path data = runs.resolve("data");
        Files.createDirectories(data);
        FashionMnistCommandTest.writeSynthetic(data, 7, 300, 100);
        Path cls = runs.resolve("classifier");
        Run r = Cli.run("fashion-mnist", "--data", data.toString(), "--model", "cnn", "--channels", "4", "--epochs", "1", "--batch-size", "32", "--lr", "0.01",
                "--seed", "3", "--out", cls.toString(), "--no-progress");
        assertEquals(0, r.exit(), r.err());
        Path mnist = runs.resolve("mnist");
        for (String m : List.of("ddpm", "fm", "rf")) {
            // the rf run also reflows: its 2-RF lands in rf-reflow/, where the sweep finds it
            List<String> a = new ArrayList<>(List.of("diffusion-mnist", "--method", m, "--data", data.toString(), "--out", mnist.toString(), "--steps", "2",
                    "--eval-every", "2", "--channels", "4", "--groups", "2", "--embed", "8", "--batch-size", "8", "--samples", "2", "--sample-batch", "2",
                    "--sample-steps", "1", "--seed", "2", "--no-progress"));
            if (m.equals("rf")) a.addAll(List.of("--reflow", "--pairs", "4", "--pair-steps", "1", "--reflow-steps", "2"));
            r = Cli.run(a.toArray(new String[0]));
            assertEquals(0, r.exit(), r.err());
        }
        Path out = runs.resolve("questions");
        r = Cli.run("diffusion-questions", "--data", "fashion-mnist", "--mnist-runs", mnist.toString(), "--classifier",
                cls.resolve("checkpoint.safetensors").toString(), "--mnist-data", data.toString(), "--channels", "4", "--groups", "2", "--embed", "8",
                "--samples", "6", "--sample-batch", "4", "--nfe", "1,2", "--seed", "7", "--seeds", "2", "--limit-test", "50", "--samplers",
                "ddim-eta0,fm-euler,fm-heun,em,2rf-euler", "--out", out.toString(), "--no-progress");
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.out().contains("skipped: the sde samplers (no "), r.out());
        List<String> lines = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(DiffusionQuestions.IMAGE_HEADER, lines.get(0));
        Set<String> got = new TreeSet<>();
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",");
            got.add(f[0] + ":" + f[1] + "@" + f[2] + "#" + f[4]);
            assertEquals("6", f[5], l);
            assertEquals("0", f[6], "every sample finite: " + l);
            for (int k = 7; k < f.length; k++) {
                if (k == 8 && Double.parseDouble(f[7]) == 0) continue; // no confident sample: the histogram's entropy is undefined
                assertTrue(Double.isFinite(Double.parseDouble(f[k])), "field " + k + " of " + l);
            }
            double share = Double.parseDouble(f[7]);
            assertTrue(share >= 0 && share <= 1, l);
        }
        assertEquals(new TreeSet<>(List.of("ddpm:ddim-eta0@1#7", "ddpm:ddim-eta0@2#7", "fm:fm-euler@1#7", "fm:fm-euler@2#7", "fm:fm-heun@2#7",
                "rf-reflow:2rf-euler@1#7", "rf-reflow:2rf-euler@2#7", "ddpm:ddim-eta0@1#8", "ddpm:ddim-eta0@2#8", "fm:fm-euler@1#8", "fm:fm-euler@2#8",
                "fm:fm-heun@2#8", "rf-reflow:2rf-euler@1#8", "rf-reflow:2rf-euler@2#8")), got);
        DiffusionMnistCommandTest.assertPng(out.resolve("nfe.png"));
        assertTrue(Files.readString(out.resolve("summary.md")).contains("Frechet distance"));
        // --merge: the rows of earlier sweeps, selected by --samplers, re-summarised without sampling; a row in two files is refused
        Path merged = runs.resolve("merged");
        r = Cli.run("diffusion-questions", "--data", "fashion-mnist", "--merge", out.resolve("results.csv").toString(), "--samplers", "fm-euler,2rf-euler",
                "--out", merged.toString(), "--no-progress");
        assertEquals(0, r.exit(), r.err() + r.out());
        List<String> kept = Files.readAllLines(merged.resolve("results.csv"));
        assertEquals(lines.get(0), kept.get(0));
        assertEquals(lines.stream().skip(1).filter(l -> l.contains(",fm-euler,") || l.contains(",2rf-euler,")).toList(), kept.subList(1, kept.size()));
        assertEquals(8, kept.size() - 1);
        DiffusionMnistCommandTest.assertPng(merged.resolve("nfe.png"));
        assertTrue(Files.readString(merged.resolve("summary.md")).contains("2rf-euler"));
        r = Cli.run("diffusion-questions", "--data", "fashion-mnist", "--merge", out.resolve("results.csv") + "," + merged.resolve("results.csv"),
                "--out", runs.resolve("twice").toString(), "--no-progress");
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains("appears twice"), r.err());
        r = Cli.run("diffusion-questions", "--data", "fashion-mnist", "--merge", merged.resolve("summary.md").toString(), "--out", runs.resolve("bad").toString(),
                "--no-progress");
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains("is not the results.csv of a fashion-mnist sweep"), r.err());
        // a U-Net of another shape is explained
        r = Cli.run("diffusion-questions", "--data", "fashion-mnist", "--mnist-runs", mnist.toString(), "--classifier",
                cls.resolve("checkpoint.safetensors").toString(), "--mnist-data", data.toString(), "--channels", "8", "--groups", "2", "--embed", "8",
                "--samplers", "fm-euler", "--nfe", "1", "--out", out.toString(), "--no-progress");
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains("does not fit the U-Net") && r.err().contains("--channels"), r.err());
    }
}
