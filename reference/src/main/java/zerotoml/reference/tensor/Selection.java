package zerotoml.reference.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

/** Element-wise selection on PyTorch: torch.clamp, torch.maximum, torch.minimum, torch.where. */
public final class Selection {
    private Selection() {}

    /** torch.clamp(x, min, max): DJL's clip passes both bounds to torch.clamp. */
    public static NDArray clamp(NDArray x, double min, double max) {
        return x.clip(Activations.num(x, min), Activations.num(x, max));
    }

    public static NDArray maximum(NDArray a, NDArray b) { return a.maximum(b); }
    public static NDArray minimum(NDArray a, NDArray b) { return a.minimum(b); }

    /**
     * torch.where(cond != 0, a, b). DJL's where needs a BOOLEAN condition of exactly the output
     * shape (DJL.md §1.1), so the three are broadcast first; PyTorch itself finds the common shape
     * (and rejects shapes that do not broadcast) by adding zero-filled copies of them.
     */
    public static NDArray where(NDArray cond, NDArray a, NDArray b) {
        ai.djl.ndarray.types.Shape full = cond.zerosLike().add(a.zerosLike()).add(b.zerosLike()).getShape();
        return NDArrays.where(cond.neq(Activations.num(cond, 0)).broadcast(full), a.broadcast(full), b.broadcast(full));
    }
}
