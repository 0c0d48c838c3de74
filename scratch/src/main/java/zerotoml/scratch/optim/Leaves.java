package zerotoml.scratch.optim;

import java.util.ArrayList;
import java.util.List;
import zerotoml.scratch.tensor.Autodiff.Params;
import zerotoml.scratch.tensor.Tensor;

/** The tensors of params, gradient and state records, checked against each other. */
final class Leaves {
    private Leaves() {}

    /** The tensors of {@code params} and {@code grads}, after checking that they pair up by shape and dtype. */
    static List<Tensor> grads(String op, Record params, Record grads) {
        if (params == null || grads == null) throw new IllegalArgumentException(op + ": params and grads must not be null");
        return matching(op, "grads", Params.tensors(params), Params.tensors(grads));
    }

    /** Checks that {@code other} has a tensor of the same shape and dtype for every parameter. */
    static List<Tensor> matching(String op, String what, List<Tensor> params, List<Tensor> other) {
        if (params.size() != other.size()) {
            throw new IllegalArgumentException(op + ": " + what + " holds " + other.size() + " tensors but params holds " + params.size());
        }
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i), o = other.get(i);
            if (!p.shape().equals(o.shape())) {
                throw new IllegalArgumentException(op + ": " + what + " tensor " + i + " has shape " + o.shape()
                        + " but parameter " + i + " has shape " + p.shape());
            }
            if (p.dtype() != o.dtype()) {
                throw new IllegalArgumentException(op + ": " + what + " tensor " + i + " is " + o.dtype()
                        + " but parameter " + i + " is " + p.dtype());
            }
        }
        return other;
    }

    /** Zeros shaped like every tensor of the record: the usual initial state. */
    static <P extends Record> P zerosLike(P params) {
        return filledLike(params, 0);
    }

    static <P extends Record> P filledLike(P params, double value) {
        return Params.map(params, t -> Tensor.full(t.dtype(), value, t.shape().dims()));
    }

    /** Element-wise maximum of two tensors of one shape and dtype (no gradient; optimiser state only). */
    static Tensor maximum(Tensor a, Tensor b) {
        double[] x = a.rawData(), y = b.rawData();
        double[] out = new double[x.length];
        for (int i = 0; i < out.length; i++) out[i] = Math.max(x[i], y[i]);
        return Tensor.of(a.dtype(), out, a.shape());
    }

    static List<Tensor> list(int n) {
        return new ArrayList<>(n);
    }

    static void checkStep(String op, int step) {
        if (step < 0) throw new IllegalArgumentException(op + ": state step must be >= 0, got " + step);
    }
}
