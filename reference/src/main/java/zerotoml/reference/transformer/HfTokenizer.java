package zerotoml.reference.transformer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The reference tokenizer: HuggingFace tokenizers (Rust, 0.21) through DJL, loading a local
 * {@code tokenizer.json} offline. Encodes to ids and decodes, nothing more.
 *
 * <p>DJL's defaults would add special tokens and truncate to 512 ids (the "defaults trap"), so
 * every instance is built with {@code addSpecialTokens=false, truncation=false, padding=false}.
 */
public final class HfTokenizer implements AutoCloseable {
    /** No special tokens, no truncation, no padding: the ids are exactly the model's. */
    public static final Map<String, String> OPTIONS = Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");

    private final HuggingFaceTokenizer tokenizer;

    private HfTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Loads {@code tokenizer.json} (a file, or a directory holding one). Never touches the network. */
    public static HfTokenizer load(Path tokenizerJson) {
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
        try {
            return new HfTokenizer(HuggingFaceTokenizer.newInstance(tokenizerJson, OPTIONS));
        } catch (IOException e) {
            throw new UncheckedIOException("hf tokenizer: cannot load " + tokenizerJson, e);
        }
    }

    /** The ids of {@code text}, no special tokens added. */
    public long[] encode(String text) {
        return tokenizer.encode(text, false, false).getIds();
    }

    /** The text of {@code ids} (special tokens kept; there are none). */
    public String decode(long[] ids) {
        return tokenizer.decode(ids, false);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
