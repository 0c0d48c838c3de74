package zerotoml.parity.optim;

import ai.djl.ndarray.NDArray;
import java.util.List;
import zerotoml.reference.optim.AdaGrad;
import zerotoml.reference.optim.Adam;
import zerotoml.reference.optim.Clipping;
import zerotoml.reference.optim.RmsProp;
import zerotoml.reference.optim.Sgd;

/**
 * The reference's optimiser rules (torch.optim's update rules in NDArray ops) under one short name,
 * so that the parity tests name scratch's classes simply ({@code Sgd.step} is scratch,
 * {@code Ref.sgdStep} is PyTorch's rule). Each reference optimiser has an {@code init} and a
 * {@code step}, so here they carry the optimiser's name. The two sides share class names on purpose
 * (DESIGN.md: the packages mirror each other); this is where they meet.
 */
final class Ref {
    private Ref() {}

    static Sgd.State sgdInit(List<NDArray> params) { return Sgd.init(params); }
    static Sgd.Result sgdStep(List<NDArray> params, List<NDArray> grads, Sgd.State s, double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        return Sgd.step(params, grads, s, lr, momentum, dampening, weightDecay, nesterov);
    }

    static AdaGrad.State adaGradInit(List<NDArray> params, double initialAccumulatorValue) { return AdaGrad.init(params, initialAccumulatorValue); }
    static AdaGrad.Result adaGradStep(List<NDArray> params, List<NDArray> grads, AdaGrad.State st, double lr, double lrDecay, double weightDecay, double eps) {
        return AdaGrad.step(params, grads, st, lr, lrDecay, weightDecay, eps);
    }

    static RmsProp.State rmsPropInit(List<NDArray> params) { return RmsProp.init(params); }
    static RmsProp.Result rmsPropStep(List<NDArray> params, List<NDArray> grads, RmsProp.State st, double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        return RmsProp.step(params, grads, st, lr, alpha, eps, weightDecay, momentum, centered);
    }

    static Adam.State adamInit(List<NDArray> params) { return Adam.init(params); }
    static Adam.Result adam(List<NDArray> params, List<NDArray> grads, Adam.State s, double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
        return Adam.adam(params, grads, s, lr, beta1, beta2, eps, weightDecay, amsgrad);
    }
    static Adam.Result adamW(List<NDArray> params, List<NDArray> grads, Adam.State s, double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
        return Adam.adamW(params, grads, s, lr, beta1, beta2, eps, weightDecay, amsgrad);
    }

    static Clipping.Clipped clipGradNorm(List<NDArray> grads, double maxNorm) { return Clipping.clipGradNorm(grads, maxNorm); }
}
