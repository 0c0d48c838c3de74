package zerotoml.examples.fashion;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import zerotoml.scratch.io.Safetensors;
import zerotoml.scratch.optim.Adam;
import zerotoml.scratch.tensor.DType;

/**
 * A training state as one safetensors file, written atomically: the params and Adam's moments as
 * tensors ({@code params.w1}, {@code m.w1}, ...), and the step count, epochs done, history and
 * the run's config as metadata.
 */
public final class Checkpoint {
    private Checkpoint() {}

    /** The tensors of a checkpoint. */
    record Tensors(Classifier params, Classifier m, Classifier v, Classifier vMax) {}

    public static void save(Path file, Trainer.Config c, Trainer.State s) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("config", describe(c));
        meta.put("epochsDone", Integer.toString(s.epochsDone()));
        meta.put("adamStep", Integer.toString(s.opt().step()));
        StringBuilder h = new StringBuilder();
        for (Trainer.EpochStats e : s.history()) {
            h.append(String.format(Locale.ROOT, "%d,%s,%s,%s,%s,%s;", e.epoch(), e.trainLoss(), e.trainAccuracy(), e.testAccuracy(), e.seconds(), e.imagesPerSecond()));
        }
        meta.put("history", h.toString());
        Safetensors.save(file, new Tensors(s.params(), s.opt().m(), s.opt().v(), s.opt().vMax()), meta);
    }

    public static Trainer.State load(Path file, Trainer.Config c, int rows, int cols) throws IOException {
        Safetensors.Contents contents = Safetensors.read(file);
        String saved = contents.metadata().get("config");
        if (!describe(c).equals(saved)) {
            throw new IOException("checkpoint " + file + " was made by another configuration (" + saved + "), not this run's ("
                    + describe(c) + "); resume with the same options or choose another --out");
        }
        Trainer.State fresh = Trainer.fresh(c, rows, cols);
        Classifier p = fresh.params();
        Tensors t = Safetensors.load(contents, file, new Tensors(p, p, p, p));
        int step = Integer.parseInt(contents.metadata().get("adamStep"));
        int epochs = Integer.parseInt(contents.metadata().get("epochsDone"));
        List<Trainer.EpochStats> history = new ArrayList<>();
        for (String row : contents.metadata().getOrDefault("history", "").split(";")) {
            if (row.isBlank()) continue;
            String[] f = row.split(",");
            history.add(new Trainer.EpochStats(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5])));
        }
        return new Trainer.State(t.params(), new Adam.State<>(step, t.m(), t.v(), t.vMax()), epochs, List.copyOf(history));
    }

    static String describe(Trainer.Config c) {
        String model = c.model().equals("cnn") ? "cnn channels=" + c.channels() : "mlp hidden=" + c.hidden();
        return String.format(Locale.ROOT, "model=%s dtype=%s batchSize=%d lr=%s seed=%d schedule=%s",
                model, c.dtype() == DType.F32 ? "f32" : "f64", c.batchSize(), c.lr(), c.seed(),
                c.cosine() ? "cosine(" + c.totalSteps() + " steps)" : "constant");
    }
}
