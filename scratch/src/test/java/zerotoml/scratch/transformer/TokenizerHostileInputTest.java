package zerotoml.scratch.transformer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Null or out-of-range arguments to the tokenizers are IllegalArgumentExceptions naming the call and the argument. */
class TokenizerHostileInputTest {
    static void rejects(String op, String argument, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, op + " " + argument);
        assertTrue(e.getMessage().startsWith(op), "message does not start with '" + op + "': " + e.getMessage());
        assertTrue(e.getMessage().contains(argument), "message does not name '" + argument + "': " + e.getMessage());
    }

    @Test
    void bpeRejectsNullsAndNonBytes() {
        Bpe bpe = Bpe.train("hello hello world", 258);
        rejects("bpe", "merges", () -> new Bpe(null));
        rejects("bpe", "text", () -> Bpe.train(null, 260));
        rejects("bpe", "text", () -> bpe.encode(null));
        rejects("bpe decode", "ids", () -> bpe.decode(null));
        rejects("bpe applyMerge", "ids", () -> Bpe.applyMerge(null, 1, 2, 3));
        rejects("bpe train", "-1 merges", () -> Bpe.learnMerges(java.util.List.of(new int[] {1, 2}), new long[] {1}, 256, -1));
        rejects("bpe byteToChar", "300", () -> Bpe.byteToChar(300));
        rejects("bpe byteToChar", "-1", () -> Bpe.byteToChar(-1));
        rejects("bpe load", "lines", () -> BpeFiles.fromMerges(null));
    }

    @Test
    void charTokenizerRejectsNulls() {
        rejects("char tokenizer", "codePoints", () -> new CharTokenizer(null));
        rejects("char tokenizer", "text", () -> CharTokenizer.fit(null));
        rejects("char tokenizer", "text", () -> CharTokenizer.fit("abc").encode(null));
        rejects("char tokenizer decode", "ids", () -> CharTokenizer.fit("abc").decode(null));
    }
}
