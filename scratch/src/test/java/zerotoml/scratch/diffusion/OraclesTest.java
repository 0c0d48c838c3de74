package zerotoml.scratch.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static zerotoml.scratch.diffusion.Gaussian1d.mean;
import static zerotoml.scratch.diffusion.Gaussian1d.noise;
import static zerotoml.scratch.diffusion.Gaussian1d.normal;
import static zerotoml.scratch.diffusion.Gaussian1d.std;

import java.util.List;
import org.junit.jupiter.api.Test;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Tensor;

/**
 * Every sampler, fed the exact ε*, score or velocity of 1-D Gaussian data N(0.5, 0.3²), must
 * reproduce the data's mean and standard deviation with enough steps. With n = 20,000 samples the
 * standard error is 0.3/√n ≈ 0.002 for the mean and ≈ 0.0015 for the std; the bound 0.012 allows
 * that plus the discretisation error of each sampler at its step count (measured values are in
 * notes/Diffusion.md). The few-step DDIM run shows the documented shrinkage of the std even with
 * the exact ε.
 */
class OraclesTest {
    static final Gaussian1d DATA = new Gaussian1d(0.5, 0.3);
    static final int N = 20_000;
    static final double TOL = 0.012;

    static void assertReproduces(String what, Tensor x) {
        assertEquals(DATA.mu(), mean(x), TOL, what + ": mean");
        assertEquals(DATA.s(), std(x), TOL, what + ": std");
    }

    @Test
    void ddpmAncestralSamplingWithTheOptimalEpsReproducesTheData() {
        Ddpm.Schedule sc = Ddpm.linear(DType.F64, 1000, 1e-4, 0.02);
        Tensor xT = normal(1, N, 1);
        for (Ddpm.Variance v : Ddpm.Variance.values()) {
            Tensor x = Ddpm.sample(sc, DATA.epsStar(sc), xT, Ddpm.allTimesteps(1000), new Ddpm.Options(Ddpm.Prediction.EPSILON, v, false, 1), noise(2, 1000, N));
            assertReproduces("DDPM " + v, x);
        }
    }

    @Test
    void ddimWithTheOptimalEpsReproducesTheDataAtManyStepsAndShrinksTheStdAtFew() {
        Ddpm.Schedule sc = Ddpm.cosine(DType.F64, 1000);
        Tensor xT = normal(3, N, 1);
        assertReproduces("DDIM eta=0, 1000 steps", Ddim.sample(sc, DATA.epsStar(sc), xT, Ddpm.allTimesteps(1000), 0, false, null));
        assertReproduces("DDIM eta=1, 1000 steps", Ddim.sample(sc, DATA.epsStar(sc), xT, Ddpm.allTimesteps(1000), 1, false, noise(4, 1000, N)));
        Tensor few = Ddim.sample(sc, DATA.epsStar(sc), xT, Ddim.leading(1000, 2, 0), 0, false, null);
        assertEquals(true, std(few) < DATA.s() - 0.02, "two DDIM steps shrink the std: " + std(few));
    }

    @Test
    void eulerMaruyamaAndPredictorCorrectorWithTheExactScoreReproduceTheData() {
        for (ScoreSde.Sde sde : List.of(ScoreSde.vp(0.1, 20, 1000), ScoreSde.subVp(0.1, 20, 1000), ScoreSde.ve(0.01, 5, 1000))) {
            Tensor xT = normal(5, N, ScoreSde.priorStd(sde)).add(sde.kind() == ScoreSde.Kind.VE ? DATA.mu() : 0);
            assertReproduces("Euler-Maruyama " + sde.kind(), ScoreSde.eulerMaruyama(sde, DATA.score(sde), xT, 1e-3, noise(6, 1000, N)));
        }
        ScoreSde.Sde vp = ScoreSde.vp(0.1, 20, 500);
        Tensor xT = normal(7, N, 1);
        assertReproduces("PC reverse diffusion + Langevin (VP)", ScoreSde.pcSample(vp, DATA.score(vp), xT, ScoreSde.Predictor.REVERSE_DIFFUSION, 1, 0.16, 1e-3, noise(8, 1000, N)));
        ScoreSde.Sde ve = ScoreSde.ve(0.01, 5, 500);
        Tensor xTe = normal(9, N, 5).add(DATA.mu());
        assertReproduces("PC reverse diffusion + Langevin (VE)", ScoreSde.pcSample(ve, DATA.score(ve), xTe, ScoreSde.Predictor.REVERSE_DIFFUSION, 1, 0.16, 1e-3, noise(10, 1000, N)));
    }

    @Test
    void theProbabilityFlowOdeWithTheExactScoreReproducesTheData() {
        for (ScoreSde.Sde sde : List.of(ScoreSde.vp(0.1, 20, 1000), ScoreSde.subVp(0.1, 20, 1000), ScoreSde.ve(0.01, 5, 1000))) {
            Tensor xT = normal(11, N, ScoreSde.priorStd(sde)).add(sde.kind() == ScoreSde.Kind.VE ? DATA.mu() : 0);
            assertReproduces("PF-ODE Heun " + sde.kind(), ScoreSde.probabilityFlow(sde, DATA.score(sde), xT, 1, 1e-3, 200, ScoreSde.Ode.HEUN));
            assertReproduces("PF-ODE Euler " + sde.kind(), ScoreSde.probabilityFlow(sde, DATA.score(sde), xT, 1, 1e-3, 1000, ScoreSde.Ode.EULER));
        }
    }

    @Test
    void flowMatchingAndRectifiedFlowWithTheExactVelocityReproduceTheData() {
        Tensor x0 = normal(12, N, 1);
        assertReproduces("FM Euler 100", FlowMatching.sample(DATA.velocity(), x0, 100, FlowMatching.Method.EULER));
        assertReproduces("FM Heun 20", FlowMatching.sample(DATA.velocity(), x0, 20, FlowMatching.Method.HEUN));
        assertReproduces("RF Euler 100", RectifiedFlow.sample(DATA.velocity(), x0, 100, 1e-3));
    }
}
