package zerotoml.scratch.transformer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import zerotoml.scratch.io.Json;

/**
 * A {@link Bpe} on disk, in the formats HuggingFace reads: GPT-2's {@code vocab.json} +
 * {@code merges.txt}, and a self-contained {@code tokenizer.json} (BPE model, ByteLevel
 * pre-tokenizer and decoder with {@code use_regex = true, add_prefix_space = false}).
 *
 * <p>Tokens are written as their bytes mapped through {@code bytes_to_unicode} ({@link Bpe#byteToChar}),
 * so a token is a printable string without spaces and a merge is the line {@code "left right"}.
 */
public final class BpeFiles {
    private BpeFiles() {}

    /** Writes {@code vocab.json}, {@code merges.txt} and {@code tokenizer.json} into {@code dir}. */
    public static void save(Bpe bpe, Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("vocab.json"), vocabJson(bpe), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("merges.txt"), mergesTxt(bpe), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson(bpe), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("bpe save: cannot write " + dir, e);
        }
    }

    /** Reads {@code merges.txt} from {@code dir}; if {@code vocab.json} is there too it must be the one {@link #save} writes. */
    public static Bpe load(Path dir) {
        try {
            Bpe bpe = fromMerges(Files.readAllLines(dir.resolve("merges.txt"), StandardCharsets.UTF_8));
            Path vocab = dir.resolve("vocab.json");
            if (Files.exists(vocab) && !Files.readString(vocab, StandardCharsets.UTF_8).equals(vocabJson(bpe))) {
                throw new IllegalArgumentException("bpe load: " + vocab + " does not match merges.txt (ids must be: byte b = b, merge r = 256 + r)");
            }
            return bpe;
        } catch (IOException e) {
            throw new UncheckedIOException("bpe load: cannot read " + dir, e);
        }
    }

    /** The merges of a {@code merges.txt} (a first line starting with "#version" is skipped). */
    public static Bpe fromMerges(List<String> lines) {
        Bpe.nonNull("bpe load", "lines", lines);
        // id of each token string: the 256 bytes first, then each merge's concatenation, in order
        Map<String, Integer> ids = new HashMap<>();
        for (int b = 0; b < 256; b++) ids.put(String.valueOf(Bpe.byteToChar(b)), b);
        int start = !lines.isEmpty() && lines.get(0).startsWith("#version") ? 1 : 0;
        int[][] merges = new int[lines.size() - start][];
        int r = 0;
        for (int i = start; i < lines.size(); i++) {
            String[] lr = lines.get(i).split(" ", -1);
            if (lr.length != 2) throw new IllegalArgumentException("bpe load: merges.txt line " + (i + 1) + " is not 'left right': " + lines.get(i));
            Integer left = ids.get(lr[0]), right = ids.get(lr[1]);
            if (left == null || right == null) {
                throw new IllegalArgumentException("bpe load: merges.txt line " + (i + 1) + " uses '" + (left == null ? lr[0] : lr[1])
                        + "', which neither a byte nor an earlier merge defines");
            }
            merges[r] = new int[] {left, right};
            ids.put(lr[0] + lr[1], 256 + r++);
        }
        return new Bpe(java.util.Arrays.copyOf(merges, r));
    }

    /** The token string of every id: its bytes through bytes_to_unicode. Two ids spelling the same bytes cannot be exported. */
    public static String[] tokens(Bpe bpe) {
        String[] out = new String[bpe.vocabSize()];
        Map<String, Integer> seen = new HashMap<>();
        for (int id = 0; id < out.length; id++) {
            StringBuilder s = new StringBuilder();
            for (byte b : bpe.tokenBytes(id)) s.append(Bpe.byteToChar(b & 0xFF));
            out[id] = s.toString();
            Integer other = seen.putIfAbsent(out[id], id);
            if (other != null) throw new IllegalArgumentException("bpe export: ids " + other + " and " + id + " both spell '" + out[id] + "'");
        }
        return out;
    }

    /** GPT-2's {@code vocab.json}: {"token": id, ...} in id order. */
    public static String vocabJson(Bpe bpe) {
        String[] tokens = tokens(bpe);
        StringBuilder s = new StringBuilder("{");
        for (int id = 0; id < tokens.length; id++) s.append(id == 0 ? "" : ",").append('\n').append(Json.quote(tokens[id])).append(": ").append(id);
        return s.append("\n}\n").toString();
    }

    /** GPT-2's {@code merges.txt}: a version line, then one "left right" per merge in rank order. */
    public static String mergesTxt(Bpe bpe) {
        String[] tokens = tokens(bpe);
        StringBuilder s = new StringBuilder("#version: 0.2\n");
        for (int[] m : bpe.merges()) s.append(tokens[m[0]]).append(' ').append(tokens[m[1]]).append('\n');
        return s.toString();
    }

    /** A HuggingFace tokenizers {@code tokenizer.json}: no normalizer, no special tokens, no post-processor. */
    public static String tokenizerJson(Bpe bpe) {
        String[] tokens = tokens(bpe);
        String byteLevel = "{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": false, \"use_regex\": true}";
        StringBuilder s = new StringBuilder();
        s.append("{\n\"version\": \"1.0\",\n\"truncation\": null,\n\"padding\": null,\n\"added_tokens\": [],\n\"normalizer\": null,\n");
        s.append("\"pre_tokenizer\": ").append(byteLevel).append(",\n\"post_processor\": null,\n\"decoder\": ").append(byteLevel).append(",\n");
        s.append("\"model\": {\"type\": \"BPE\", \"dropout\": null, \"unk_token\": null, \"continuing_subword_prefix\": null,");
        s.append(" \"end_of_word_suffix\": null, \"fuse_unk\": false, \"byte_fallback\": false, \"ignore_merges\": false,\n\"vocab\": {");
        for (int id = 0; id < tokens.length; id++) s.append(id == 0 ? "" : ", ").append(Json.quote(tokens[id])).append(": ").append(id);
        s.append("},\n\"merges\": [");
        int[][] merges = bpe.merges();
        for (int r = 0; r < merges.length; r++) s.append(r == 0 ? "" : ", ").append(Json.quote(tokens[merges[r][0]] + " " + tokens[merges[r][1]]));
        return s.append("]}\n}\n").toString();
    }
}
