package zerotoml.scratch.tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode autodiff with an explicit lifetime:
 *
 * <pre>{@code
 * try (Tape tape = Tape.open()) {
 *     tape.watch(w);
 *     Tensor loss = model(w, x);
 *     Tensor dw = tape.gradient(loss, w).get(0);
 * }
 * }</pre>
 *
 * Ops record onto the tape of the current thread only while it is open, and only when one of
 * their inputs depends on a watched tensor. The recorded nodes are in creation order, which is a
 * topological order, so the backward pass walks them once in reverse. Closing the tape drops
 * every node: nothing survives from one gradient computation to the next.
 */
public final class Tape implements AutoCloseable {
    private static final ThreadLocal<Tape> CURRENT = new ThreadLocal<>();

    private record Node(String op, Tensor out, Tensor.Backward backward, Tensor[] inputs) {}

    private final Set<Tensor> watched = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<Tensor, Node> nodes = new IdentityHashMap<>();
    private final List<Node> order = new ArrayList<>();
    private boolean paused;
    private boolean closed;

    private Tape() {}

    /** Opens a tape on this thread. Tapes do not nest: higher-order gradients are not supported. */
    public static Tape open() {
        if (CURRENT.get() != null) {
            throw new IllegalStateException("Tape.open: a tape is already open on this thread (nested gradients are not supported)");
        }
        Tape t = new Tape();
        CURRENT.set(t);
        return t;
    }

    /** Marks tensors as the ones gradients are wanted for; returns the first, for chaining. */
    public Tensor watch(Tensor... ts) {
        for (Tensor t : ts) watched.add(t);
        return ts.length == 0 ? null : ts[0];
    }

    /** True when no tape is open or the open one is paused (as during a backward pass). */
    public static boolean isRecording() {
        Tape t = CURRENT.get();
        return t != null && !t.paused;
    }

    static void recordIfTracked(String op, Tensor out, Tensor.Backward backward, Tensor[] inputs) {
        Tape t = CURRENT.get();
        if (t == null || t.paused) return;
        for (Tensor in : inputs) {
            if (in != null && t.tracks(in)) {
                Node n = new Node(op, out, backward, inputs.clone());
                t.nodes.put(out, n);
                t.order.add(n);
                return;
            }
        }
    }

    private boolean tracks(Tensor t) {
        return watched.contains(t) || nodes.containsKey(t);
    }

    /** Gradients of a one-element tensor with respect to each of {@code wrt}. */
    public List<Tensor> gradient(Tensor y, Tensor... wrt) {
        Args.nonNull("gradient", "the output y", y);
        if (y.size() != 1) {
            throw new IllegalArgumentException("gradient: the output must have one element, got shape " + y.shape()
                    + " (reduce it to a scalar, or pass a cotangent)");
        }
        return vjp(y, Tensor.ones(y.dtype(), y.shape().dims()), wrt);
    }

    /** The vector-Jacobian product: gradients of {@code sum(y * cotangent)}. */
    public List<Tensor> vjp(Tensor y, Tensor cotangent, Tensor... wrt) {
        if (closed) throw new IllegalStateException("vjp: the tape is closed");
        Args.nonNull("vjp", "the output y", y);
        Args.nonNull("vjp", "cotangent", cotangent);
        if (!cotangent.shape().equals(y.shape())) {
            throw new IllegalArgumentException("vjp: cotangent shape " + cotangent.shape() + " differs from output shape " + y.shape());
        }
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(y, cotangent.to(y.dtype()));
        paused = true;
        try {
            for (int i = order.size() - 1; i >= 0; i--) {
                Node n = order.get(i);
                Tensor g = grads.get(n.out);
                if (g == null) continue;
                Tensor[] gin = n.backward.apply(g);
                for (int k = 0; k < n.inputs.length; k++) {
                    Tensor in = n.inputs[k];
                    if (in == null || gin[k] == null || !tracks(in)) continue;
                    Tensor gk = gin[k];
                    if (!gk.shape().equals(in.shape())) {
                        throw new IllegalStateException(n.op + " backward: gradient shape " + gk.shape()
                                + " differs from input shape " + in.shape() + " (a bug in the op)");
                    }
                    Tensor prev = grads.get(in);
                    grads.put(in, prev == null ? gk.to(in.dtype()) : Arithmetic.add(prev, gk).to(in.dtype()));
                }
            }
        } finally {
            paused = false;
        }
        List<Tensor> out = new ArrayList<>(wrt.length);
        for (Tensor w : wrt) {
            Tensor g = grads.get(w);
            out.add(g != null ? g : Tensor.zeros(w.dtype(), w.shape().dims()));
        }
        return out;
    }

    @Override
    public void close() {
        closed = true;
        watched.clear();
        nodes.clear();
        order.clear();
        if (CURRENT.get() == this) CURRENT.remove();
    }
}
