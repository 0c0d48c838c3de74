package zerotoml.scratch.optim;

/**
 * Learning-rate schedules: the learning rate for optimiser step {@code t}, where {@code t} counts
 * the steps already taken (0 for the first step), as torch's {@code lr_scheduler} closed forms do
 * with {@code last_epoch = t}. Each is a pure function; feed it to an optimiser with
 * {@code hyper.withLr(schedule.lr(t))}.
 */
public interface Schedule {
    double lr(int t);

    private static void checkStep(String op, int t) {
        if (t < 0) throw new IllegalArgumentException(op + ": step must be >= 0, got " + t);
    }

    /** γₜ = γ. */
    record Constant(double lr) implements Schedule {
        public Constant {
            if (!(lr >= 0)) throw new IllegalArgumentException("Schedule.Constant: lr must be >= 0, got " + lr);
        }

        @Override
        public double lr(int t) {
            checkStep("Schedule.Constant", t);
            return lr;
        }
    }

    /** torch StepLR: γₜ = γ · decay^⌊t / stepSize⌋. */
    record StepDecay(double lr, int stepSize, double decay) implements Schedule {
        public StepDecay {
            if (!(lr >= 0)) throw new IllegalArgumentException("Schedule.StepDecay: lr must be >= 0, got " + lr);
            if (stepSize < 1) throw new IllegalArgumentException("Schedule.StepDecay: stepSize must be >= 1, got " + stepSize);
            if (!(decay > 0)) throw new IllegalArgumentException("Schedule.StepDecay: decay must be > 0, got " + decay);
        }

        @Override
        public double lr(int t) {
            checkStep("Schedule.StepDecay", t);
            // γₜ = γ · decay^⌊t / stepSize⌋
            return lr * Math.pow(decay, t / stepSize);
        }
    }

    /**
     * torch CosineAnnealingLR's closed form, from Loshchilov and Hutter, "SGDR: Stochastic Gradient
     * Descent with Warm Restarts" (arXiv 1608.03983), without restarts:
     * γₜ = η_min + (γ − η_min)(1 + cos(π t / T)) / 2.
     */
    record Cosine(double lr, int tMax, double etaMin) implements Schedule {
        public Cosine {
            if (!(lr >= 0)) throw new IllegalArgumentException("Schedule.Cosine: lr must be >= 0, got " + lr);
            if (tMax < 1) throw new IllegalArgumentException("Schedule.Cosine: tMax must be >= 1, got " + tMax);
            if (!(etaMin >= 0)) throw new IllegalArgumentException("Schedule.Cosine: etaMin must be >= 0, got " + etaMin);
        }

        @Override
        public double lr(int t) {
            checkStep("Schedule.Cosine", t);
            // γₜ = η_min + (γ − η_min)(1 + cos(π t / T)) / 2
            return etaMin + (lr - etaMin) * (1 + Math.cos(Math.PI * t / tMax)) / 2;
        }
    }

    /**
     * torch LinearLR (linear warm-up): the factor goes linearly from {@code startFactor} to
     * {@code endFactor} over {@code totalIters} steps and stays there:
     * γₜ = γ · (s + (e − s) · min(t, T) / T).
     */
    record LinearWarmup(double lr, double startFactor, double endFactor, int totalIters) implements Schedule {
        public LinearWarmup {
            if (!(lr >= 0)) throw new IllegalArgumentException("Schedule.LinearWarmup: lr must be >= 0, got " + lr);
            if (!(startFactor > 0 && startFactor <= 1)) throw new IllegalArgumentException("Schedule.LinearWarmup: startFactor must be in (0, 1], got " + startFactor);
            if (!(endFactor >= 0 && endFactor <= 1)) throw new IllegalArgumentException("Schedule.LinearWarmup: endFactor must be in [0, 1], got " + endFactor);
            if (totalIters < 1) throw new IllegalArgumentException("Schedule.LinearWarmup: totalIters must be >= 1, got " + totalIters);
        }

        @Override
        public double lr(int t) {
            checkStep("Schedule.LinearWarmup", t);
            // γₜ = γ (s + (e − s) min(t, T) / T)
            return lr * (startFactor + (endFactor - startFactor) * Math.min(t, totalIters) / totalIters);
        }
    }

    /**
     * The schedule of Vaswani et al., "Attention Is All You Need" (arXiv 1706.03762), §5.3, with
     * the paper's step number n = t + 1 (it counts from 1):
     * γₙ = scale · d_model^(−0.5) · min(n^(−0.5), n · warmup^(−1.5)).
     */
    record Transformer(int dModel, int warmup, double scale) implements Schedule {
        public Transformer {
            if (dModel < 1) throw new IllegalArgumentException("Schedule.Transformer: dModel must be >= 1, got " + dModel);
            if (warmup < 1) throw new IllegalArgumentException("Schedule.Transformer: warmup must be >= 1, got " + warmup);
            if (!(scale > 0)) throw new IllegalArgumentException("Schedule.Transformer: scale must be > 0, got " + scale);
        }

        @Override
        public double lr(int t) {
            checkStep("Schedule.Transformer", t);
            double n = t + 1.0;
            // γₙ = scale · d^(−½) · min(n^(−½), n · warmup^(−3/2))
            return scale * Math.pow(dModel, -0.5) * Math.min(Math.pow(n, -0.5), n * Math.pow(warmup, -1.5));
        }
    }

    /**
     * A linear warm-up to γ over the first W steps, then another schedule counted from the end of
     * the warm-up (torch SequentialLR of LambdaLR(t ↦ (t+1)/W) and {@code after}, milestone W):
     * γₜ = γ (t+1)/W for t &lt; W, else after(t − W). W = 0 is no warm-up.
     */
    record Warmup(double lr, int warmup, Schedule after) implements Schedule {
        public Warmup {
            if (!(lr >= 0)) throw new IllegalArgumentException("Schedule.Warmup: lr must be >= 0, got " + lr);
            if (warmup < 0) throw new IllegalArgumentException("Schedule.Warmup: warmup must be >= 0, got " + warmup);
            if (after == null) throw new IllegalArgumentException("Schedule.Warmup: the schedule after the warm-up is missing");
        }

        @Override
        public double lr(int t) {
            checkStep("Schedule.Warmup", t);
            // γₜ = γ (t+1)/W during the warm-up, then after(t − W)
            return t < warmup ? lr * (t + 1) / warmup : after.lr(t - warmup);
        }
    }

    /**
     * A linear warm-up factor times a cosine decay to 0 over all T steps (torch LambdaLR with
     * t ↦ min(1, (t+1)/W) · ½(1 + cos(π t / T))): γₜ = γ · min(1, (t+1)/W) · ½(1 + cos(π t / T)).
     * W = 0 is no warm-up.
     */
    record WarmupCosine(double lr, int warmup, int tMax) implements Schedule {
        public WarmupCosine {
            if (!(lr >= 0)) throw new IllegalArgumentException("Schedule.WarmupCosine: lr must be >= 0, got " + lr);
            if (warmup < 0) throw new IllegalArgumentException("Schedule.WarmupCosine: warmup must be >= 0, got " + warmup);
            if (tMax < 1) throw new IllegalArgumentException("Schedule.WarmupCosine: tMax must be >= 1, got " + tMax);
        }

        @Override
        public double lr(int t) {
            checkStep("Schedule.WarmupCosine", t);
            double w = warmup == 0 ? 1 : Math.min(1, (t + 1.0) / warmup);
            // γₜ = γ · min(1, (t+1)/W) · ½(1 + cos(π t / T))
            return lr * w * 0.5 * (1 + Math.cos(Math.PI * t / tMax));
        }
    }
}
