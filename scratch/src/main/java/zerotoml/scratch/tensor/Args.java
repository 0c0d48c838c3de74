package zerotoml.scratch.tensor;

import java.util.List;

/**
 * Null checks at the public entry points, so that a missing argument is an
 * {@link IllegalArgumentException} naming the op and the argument, never a
 * NullPointerException from deep inside a loop.
 */
final class Args {
    private Args() {}

    /** Returns {@code value}, or throws "{@code op}: {@code name} is null". */
    static <T> T nonNull(String op, String name, T value) {
        if (value == null) throw new IllegalArgumentException(op + ": " + name + " is null");
        return value;
    }

    /** A list of tensors that is neither null nor holds a null; its name is the argument's. */
    static List<Tensor> tensors(String op, String name, List<Tensor> xs) {
        nonNull(op, name, xs);
        for (int i = 0; i < xs.size(); i++) {
            if (xs.get(i) == null) throw new IllegalArgumentException(op + ": " + name + " holds null at position " + i);
        }
        return xs;
    }
}
