package zerotoml.scratch.nn;

import zerotoml.scratch.random.Rng;
import zerotoml.scratch.tensor.DType;
import zerotoml.scratch.tensor.Indexing;
import zerotoml.scratch.tensor.Tensor;

/** A lookup table, {@code nn.Embedding}: row {@code ids[i]} of a [vocab, dim] table for every id. */
public final class Embedding {
    private Embedding() {}

    /** The table. */
    public record Params(
            Tensor table // [vocab, dim]
    ) {
        public Params {
            if (table == null || table.rank() != 2) throw new IllegalArgumentException("embedding: table must be [vocab, dim], got " + (table == null ? "null" : table.shape()));
        }

        /** nn.Embedding's default init: every entry N(0, 1). */
        public static Params init(Rng rng, DType dtype, int vocab, int dim) {
            return new Params(Init.normal(rng, dtype, 1, vocab, dim));
        }
    }

    // out[i…, :] = table[ids[i…], :]
    /** The rows for {@code ids} (row-major, shaped {@code idsShape}), shaped {@code idsShape + [dim]}. */
    public static Tensor embedding(Params p, int[] ids, int... idsShape) {
        return Indexing.embedding(p.table(), ids, idsShape);
    }
}
