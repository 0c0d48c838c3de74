package zerotoml.scratch.transformer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /** Tokenizer files larger than this are refused before they are read (GPT-2's tokenizer.json is 1.4 MB). */
    static final long MAX_FILE = 64L << 20;

    /**
     * Reads {@code merges.txt} from {@code dir}. {@code vocab.json} and {@code tokenizer.json}, when
     * present, are parsed (strict JSON, valid UTF-8) and must describe the same vocabulary and merges:
     * byte b has id b, merge r has id 256 + r. The three files check each other, so an edit to one
     * of them is an error that names the file and the fault, never a different tokenizer.
     */
    public static Bpe load(Path dir) {
        Path merges = dir.resolve("merges.txt");
        Bpe bpe = fromMerges(merges.toString(), text(merges).split("\r?\n", -1));
        String[] tokens = tokens(bpe);
        Path vocab = dir.resolve("vocab.json");
        if (Files.exists(vocab)) sameVocab(vocab, "the file", json(vocab), tokens, merges);
        Path tokenizer = dir.resolve("tokenizer.json");
        if (Files.exists(tokenizer)) {
            Object t = json(tokenizer);
            Object model = t instanceof Map<?, ?> m ? m.get("model") : null;
            if (!(model instanceof Map<?, ?> mm) || !"BPE".equals(mm.get("type"))) throw bad(tokenizer, "has no \"model\" of type \"BPE\"");
            sameVocab(tokenizer, "model.vocab", mm.get("vocab"), tokens, merges);
            List<String> want = new ArrayList<>();
            for (int[] m : bpe.merges()) want.add(tokens[m[0]] + " " + tokens[m[1]]);
            if (!want.equals(mm.get("merges"))) throw bad(tokenizer, "model.merges does not match " + merges);
        }
        return bpe;
    }

    private static IllegalArgumentException bad(Path file, String fault) {
        return new IllegalArgumentException("bpe load: " + file + " " + fault);
    }

    /** A file's text: at most {@link #MAX_FILE} bytes of valid UTF-8 (a strict decoder: a malformed byte is an error). */
    private static String text(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE) throw bad(file, "is " + size + " bytes, more than the " + MAX_FILE + " a tokenizer file may hold");
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw bad(file, "is not valid UTF-8 (" + e + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("bpe load: cannot read " + file + " (" + e + ")", e);
        }
    }

    private static Object json(Path file) {
        try {
            return Json.parse(text(file));
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith("bpe load: ")) throw e;
            throw bad(file, "is not valid JSON: " + e.getMessage());
        }
    }

    /** {"token": id, ...} must give every token of {@code tokens} its own id and nothing else. */
    private static void sameVocab(Path file, String what, Object vocab, String[] tokens, Path merges) {
        if (!(vocab instanceof Map<?, ?> v)) throw bad(file, what + " is not a JSON object of token ids");
        if (v.size() != tokens.length) throw bad(file, what + " holds " + v.size() + " tokens but " + merges + " makes " + tokens.length + "; it does not match merges.txt (ids must be: byte b = b, merge r = 256 + r)");
        for (int id = 0; id < tokens.length; id++) {
            Object got = v.get(tokens[id]);
            if (!(got instanceof Long g) || g != id) {
                throw bad(file, what + " gives token " + Json.quote(tokens[id]) + " the id " + got + " but " + merges + " makes it " + id + "; it does not match merges.txt (ids must be: byte b = b, merge r = 256 + r)");
            }
        }
    }

    /** The merges of a {@code merges.txt} (a first line starting with "#version" is skipped). */
    public static Bpe fromMerges(List<String> lines) {
        Bpe.nonNull("bpe load", "lines", lines);
        return fromMerges("merges.txt", lines.toArray(new String[0]));
    }

    /** As {@link #fromMerges(List)}, with the file's text split at line feeds; a final empty line is the file's last line feed. */
    private static Bpe fromMerges(String file, String[] lines) {
        int n = lines.length > 0 && lines[lines.length - 1].isEmpty() ? lines.length - 1 : lines.length;
        // id of each token string: the 256 bytes first, then each merge's concatenation, in order
        Map<String, Integer> ids = new HashMap<>();
        for (int b = 0; b < 256; b++) ids.put(String.valueOf(Bpe.byteToChar(b)), b);
        int start = n > 0 && lines[0].startsWith("#version") ? 1 : 0;
        int[][] merges = new int[n - start][];
        Map<String, Integer> seen = new HashMap<>();
        int r = 0;
        for (int i = start; i < n; i++) {
            String[] lr = lines[i].split(" ", -1);
            if (lr.length != 2) throw new IllegalArgumentException("bpe load: " + file + " line " + (i + 1) + " is not 'left right': " + Json.quote(lines[i]));
            Integer left = ids.get(lr[0]), right = ids.get(lr[1]);
            if (left == null || right == null) {
                throw new IllegalArgumentException("bpe load: " + file + " line " + (i + 1) + " uses '" + (left == null ? lr[0] : lr[1])
                        + "', which neither a byte nor an earlier merge defines");
            }
            Integer before = seen.putIfAbsent(lines[i], i + 1);
            if (before != null) throw new IllegalArgumentException("bpe load: " + file + " line " + (i + 1) + " repeats the merge of line " + before + ": " + lines[i]);
            if (ids.containsKey(lr[0] + lr[1])) {
                throw new IllegalArgumentException("bpe load: " + file + " line " + (i + 1) + " makes '" + lr[0] + lr[1] + "', a token that already has an id");
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
