package zerotoml.parity.diffusion;

import static zerotoml.parity.diffusion.DiffusionCases.BETA_END;
import static zerotoml.parity.diffusion.DiffusionCases.BETA_START;
import static zerotoml.parity.diffusion.DiffusionCases.SCHEDULE;
import static zerotoml.parity.diffusion.DiffusionCases.T;
import static zerotoml.parity.diffusion.ScoreSdeParityTest.A;
import static zerotoml.parity.diffusion.ScoreSdeParityTest.B;
import static zerotoml.parity.diffusion.ScoreSdeParityTest.KIND;
import static zerotoml.parity.diffusion.ScoreSdeParityTest.N;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Iterator;
import java.util.List;
import java.util.function.BiFunction;
import zerotoml.parity.harness.Case;
import zerotoml.reference.diffusion.Ddim;
import zerotoml.reference.diffusion.Ddpm;
import zerotoml.reference.diffusion.FlowMatching;
import zerotoml.reference.diffusion.RectifiedFlow;
import zerotoml.reference.diffusion.ScoreSde;
import zerotoml.reference.diffusion.TimeMlp;
import zerotoml.reference.diffusion.UNet;

/**
 * The reference's diffusion functions (PyTorch through DJL, written as diffusers and the papers'
 * code write them) under one short name, so that the parity tests name scratch's classes simply
 * ({@code Ddpm.posteriorMean} is scratch, {@code Ref.posteriorMean} is PyTorch). The two sides share
 * class names on purpose (DESIGN.md: the packages mirror each other); this is where they meet.
 * Where two papers share a function name (sample, step, loss), it carries the paper:
 * {@code Ref.ddpmSample}, {@code Ref.ddimSample}.
 */
final class Ref {
    private Ref() {}

    // Ddpm
    /** The case's DDPM schedule ({@code DiffusionCases.schedule}: linear or cosine, T, β range), the reference's way. */
    static Ddpm.Schedule schedule(Case c, NDManager m, DataType dt) {
        return c.get(SCHEDULE).equals("cosine") ? Ddpm.cosine(m, dt, c.get(T))
                : Ddpm.linear(m, dt, c.get(T), c.get(BETA_START), c.get(BETA_END));
    }

    static NDArray addNoise(Ddpm.Schedule s, NDArray x0, NDArray eps, int[] t) { return Ddpm.addNoise(s, x0, eps, t); }
    static NDArray getVelocity(Ddpm.Schedule s, NDArray x0, NDArray eps, int[] t) { return Ddpm.getVelocity(s, x0, eps, t); }
    static NDArray mse(NDArray prediction, NDArray target) { return Ddpm.mse(prediction, target); }
    static NDArray posteriorMean(Ddpm.Schedule s, NDArray x0, NDArray xt, int[] t) { return Ddpm.posteriorMean(s, x0, xt, t); }
    static NDArray posteriorVariance(Ddpm.Schedule s) { return Ddpm.posteriorVariance(s); }
    static NDArray predOriginal(Ddpm.Schedule s, NDArray xt, int[] t, NDArray out, String predictionType) {
        return Ddpm.predOriginal(s, xt, t, out, predictionType);
    }
    static NDArray ddpmSample(Ddpm.Schedule s, BiFunction<NDArray, Double, NDArray> model, NDArray xT, int[] timesteps, String predictionType, String varianceType, boolean clip, double clipRange, List<NDArray> noise) {
        return Ddpm.sample(s, model, xT, timesteps, predictionType, varianceType, clip, clipRange, noise);
    }
    static NDArray ddpmStep(Ddpm.Schedule s, NDArray xt, int t, int prevT, NDArray out, String predictionType, String varianceType, boolean clip, double clipRange, NDArray noise) {
        return Ddpm.step(s, xt, t, prevT, out, predictionType, varianceType, clip, clipRange, noise);
    }

    // Ddim
    static NDArray ddimSample(Ddpm.Schedule s, BiFunction<NDArray, Double, NDArray> model, NDArray xT, int[] timesteps, double eta, boolean clip, List<NDArray> noise) {
        return Ddim.sample(s, model, xT, timesteps, eta, clip, noise);
    }
    static NDArray ddimStep(Ddpm.Schedule s, NDArray xt, int t, int prevT, NDArray eps, double eta, boolean clip, NDArray noise) {
        return Ddim.step(s, xt, t, prevT, eps, eta, clip, noise);
    }

    // ScoreSde
    /** The case's SDE ({@code ScoreSdeParityTest.sde}: kind, a, b, N), the reference's way. */
    static ScoreSde.Sde sde(Case c) {
        return new ScoreSde.Sde(c.get(KIND), c.get(A), c.get(B), c.get(N));
    }

    static NDArray col(NDArray v, NDArray x) { return ScoreSde.col(v, x); }
    static NDArray[] eulerMaruyama(ScoreSde.Sde s, NDArray x, NDArray t, NDArray score, NDArray z) {
        return ScoreSde.eulerMaruyama(s, x, t, score, z);
    }
    static NDArray[] langevin(ScoreSde.Sde s, NDArray x, NDArray t, NDArray score, double snr, NDArray z) {
        return ScoreSde.langevin(s, x, t, score, snr, z);
    }
    static NDArray mean(ScoreSde.Sde s, NDArray x, NDArray t) { return ScoreSde.mean(s, x, t); }
    static NDArray pcSample(ScoreSde.Sde s, BiFunction<NDArray, Double, NDArray> score, NDArray xT, String predictor, int correctorSteps, double snr, double eps, List<NDArray> noise) {
        return ScoreSde.pcSample(s, score, xT, predictor, correctorSteps, snr, eps, noise);
    }
    static NDArray probabilityFlow(ScoreSde.Sde s, BiFunction<NDArray, Double, NDArray> score, NDArray x, double from, double to, int steps, boolean heun) {
        return ScoreSde.probabilityFlow(s, score, x, from, to, steps, heun);
    }
    static NDArray[] reverseDiffusion(ScoreSde.Sde s, NDArray x, NDArray t, NDArray score, NDArray z) {
        return ScoreSde.reverseDiffusion(s, x, t, score, z);
    }
    static NDArray reverseDrift(ScoreSde.Sde s, NDArray x, NDArray t, NDArray score, boolean probabilityFlow) {
        return ScoreSde.reverseDrift(s, x, t, score, probabilityFlow);
    }
    static NDArray std(ScoreSde.Sde s, NDArray t) { return ScoreSde.std(s, t); }
    static NDArray scoreSdeLoss(ScoreSde.Sde s, NDArray score, NDArray z, NDArray t, boolean reduceMean, boolean likelihoodWeighting) {
        return ScoreSde.loss(s, score, z, t, reduceMean, likelihoodWeighting);
    }

    // FlowMatching
    static NDArray conditionalField(NDArray x, NDArray x1, NDArray t, double sigmaMin) { return FlowMatching.conditionalField(x, x1, t, sigmaMin); }
    static NDArray path(NDArray x0, NDArray x1, NDArray t, double sigmaMin) { return FlowMatching.path(x0, x1, t, sigmaMin); }
    static NDArray flowMatchingLoss(NDArray v, NDArray x0, NDArray x1, double sigmaMin) { return FlowMatching.loss(v, x0, x1, sigmaMin); }
    static NDArray flowMatchingSample(BiFunction<NDArray, Double, NDArray> v, NDArray x, int steps, boolean heun) {
        return FlowMatching.sample(v, x, steps, heun);
    }

    // RectifiedFlow
    static NDArray interpolate(NDArray z0, NDArray x1, NDArray t) { return RectifiedFlow.interpolate(z0, x1, t); }
    static NDArray rectifiedFlowLoss(NDArray v, NDArray z0, NDArray x1) { return RectifiedFlow.loss(v, z0, x1); }
    static NDArray rectifiedFlowSample(BiFunction<NDArray, Double, NDArray> v, NDArray z0, int steps, double eps) {
        return RectifiedFlow.sample(v, z0, steps, eps);
    }

    // TimeMlp
    static NDArray timeMlp(int embed, double timeScale, List<NDArray> weightsAndBiases, NDArray x, NDArray t) {
        return TimeMlp.apply(embed, timeScale, weightsAndBiases, x, t);
    }

    // UNet
    static NDArray unet(int groups, int embed, double timeScale, Iterator<NDArray> p, NDArray x, NDArray t) {
        return UNet.apply(groups, embed, timeScale, p, x, t);
    }
}
