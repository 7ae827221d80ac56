package dev.nnc.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.data.DataException;
import dev.nnc.data.TextCorpus;
import dev.nnc.data.Vocabulary;
import dev.nnc.passes.Compiled;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pieces of {@code nnc train --text}: vocabulary, windows, the inputs' roles, their errors, and a short run. */
class TextTrainTest {
    /**
     * A bigram model with a position table of 8 rows; its inputs are named and ordered unlike
     * char_lm.nn's, so the roles come from the rules.
     */
    static final String TINY = """
            model Tiny {
                dim b
                dim s
                const vocab = 16
                input p : int[s]
                input y : int[b, s]
                input x : int[b, s]
                param emb : [vocab, 16] init normal(0, 0.1)
                param pos : [8, 16] init normal(0, 0.1)
                param head : [16, vocab] init normal(0, 0.1)
                output scores = (embedding(x, emb) + embedding(p, pos)) @ head
                loss = cross_entropy(scores, y)
                optimizer adam(lr = 0.05)
            }
            """;

    /** 11 distinct characters. */
    static final String TEXT = "the cat sat on the mat. ".repeat(40);

    static Compiled compile(String source) {
        return TrainJob.compile("tiny.nn", source, null);
    }

    @Test
    void theVocabularyIsTheSortedDistinctCodePoints() {
        Vocabulary v = Vocabulary.of("bca\nb€𝄞a");
        assertEquals("\nabc€𝄞", v.toString());
        assertEquals(6, v.size());
        assertArrayEquals(new int[] {2, 3, 1, 0, 4}, v.ids("bca\n€"));
        assertEquals(5, v.id(0x1D11E));
        assertEquals(-1, v.id('z'));
        assertEquals("'\\n' (U+000A)", Vocabulary.describe('\n'));
        assertEquals("'z' (U+007A)", Vocabulary.describe('z'));
        assertEquals(v.toString(), Vocabulary.parse(v.toString()).toString());
        assertEquals("the vocabulary's characters must be distinct and sorted",
                assertThrows(IllegalArgumentException.class, () -> Vocabulary.parse("ba")).getMessage());
    }

    @Test
    void windowsAreTokensAndTheCharactersAfterThem() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz";
        TextCorpus c = TextCorpus.of("a.txt", alphabet, 3);
        assertEquals(26, c.length());
        // a tenth is 3 characters, less than one window of 4: the last 4 are held out
        assertEquals(22, c.trainLength());
        assertEquals(1, c.heldOutWindows());
        int[] tokens = new int[6], next = new int[6];
        c.heldOutWindow(0, tokens, next, 1);
        assertArrayEquals(new int[] {0, 0, 0, 22, 23, 24}, tokens);
        assertArrayEquals(new int[] {0, 0, 0, 23, 24, 25}, next);
        SplittableRandom rng = new SplittableRandom(1);
        boolean[] seen = new boolean[26];
        for (int i = 0; i < 500; i++) {
            c.trainWindow(rng, tokens, next, 0);
            for (int t = 0; t < 3; t++) {
                assertEquals(tokens[0] + t, tokens[t]);
                assertEquals(tokens[t] + 1, next[t]);
            }
            assertTrue(next[2] < 22, "a training window stays in the training part");
            seen[tokens[0]] = true;
        }
        for (int start = 0; start + 3 < 22; start++) assertTrue(seen[start], "offset " + start + " is drawn");
        TextCorpus big = TextCorpus.of("b.txt", TEXT, 8);
        assertEquals(960 - 96, big.trainLength());
        assertEquals((96 - 1) / 8, big.heldOutWindows());
    }

    @Test
    void shortEmptyAndNonUtf8TextsAreOneLineErrors(@TempDir Path dir) throws Exception {
        assertEquals("e.txt: the text is empty", assertThrows(DataException.class, () -> TextCorpus.of("e.txt", "", 4)).getMessage());
        assertEquals("s.txt: 4 characters, fewer than one window of 5 (--seq 4 and the character after them)",
                assertThrows(DataException.class, () -> TextCorpus.of("s.txt", "abcd", 4)).getMessage());
        assertEquals("m.txt: 9 characters, fewer than the 10 that a training window and a held-out window of --seq 4 need;"
                        + " use a longer text or a smaller --seq",
                assertThrows(DataException.class, () -> TextCorpus.of("m.txt", "abcdefghi", 4)).getMessage());
        Path bad = dir.resolve("bad.txt");
        Files.write(bad, new byte[] {'a', 'b', (byte) 0xC3, 'c'});
        assertEquals(bad + ": not UTF-8 text: the byte at offset 2 is not valid UTF-8",
                assertThrows(DataException.class, () -> TextCorpus.read(bad, 1)).getMessage());
        Path missing = dir.resolve("missing.txt");
        assertEquals(missing + ": no such file", assertThrows(DataException.class, () -> TextCorpus.read(missing, 1)).getMessage());
        Path bom = dir.resolve("bom.txt");
        Files.write(bom, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'a', 'b', 'a', 'b', 'a', 'b'});
        assertEquals("ab", TextCorpus.read(bom, 1).vocabulary().toString());
    }

    @Test
    void inputsGetTheirRolesByRule() throws Exception {
        TextModel tiny = TextModel.of(compile(TINY), "tiny.nn", true);
        assertEquals("x", tiny.tokens().name());
        assertEquals("y", tiny.next().name());
        assertEquals("p", tiny.positions().name());
        assertEquals("scores", tiny.logits().name());
        assertEquals(16, tiny.classes());
        assertEquals("b", tiny.batchDim());
        assertEquals("s", tiny.seqDim());

        String source = Files.readString(Path.of("generated-examples/char_lm.nn"));
        TextModel lm = TextModel.of(TrainJob.compile("char_lm.nn", source, null), "char_lm.nn", true);
        assertEquals("tokens", lm.tokens().name());
        assertEquals("next", lm.next().name());
        assertEquals("positions", lm.positions().name());
        assertEquals("logits", lm.logits().name());

        TextModel noPositions = TextModel.of(compile(TINY.replace("input p : int[s]\n", "").replace("param pos : [8, 16] init normal(0, 0.1)\n", "")
                .replace(" + embedding(p, pos)", "")),
                "tiny.nn", true);
        assertNull(noPositions.positions());
        noPositions.checkSeq(1000);
    }

    @Test
    void inputsWithoutARoleAreErrorsNamingThem() {
        String rules = "the int input [batch, seq] that an embedding reads takes the characters, the int input the loss takes as class"
                + " labels the next characters, and an int input [seq] the positions 0 … seq − 1";
        String real = TINY.replace("input p : int[s]", "input p : int[s]\n    input w : [b, 4]");
        assertEquals("tiny.nn: model Tiny: input w [b, 4] has no role in training on text: " + rules,
                assertThrows(DataException.class, () -> TextModel.of(compile(real), "tiny.nn", true)).getMessage());
        String twoSeqs = TINY.replace("input p : int[s]", "input p : int[s]\n    input q : int[s]");
        assertEquals("tiny.nn: model Tiny: input q int[s] has no role in training on text: " + rules,
                assertThrows(DataException.class, () -> TextModel.of(compile(twoSeqs), "tiny.nn", true)).getMessage());
        String realLabels = TINY.replace("input y : int[b, s]", "input y : [b, s, 16]");
        assertEquals("tiny.nn: model Tiny: its loss takes no int class labels (e.g. cross_entropy(logits, next)), so nothing takes the"
                        + " next characters",
                assertThrows(DataException.class, () -> TextModel.of(compile(realLabels), "tiny.nn", true)).getMessage());
        String noOptimizer = TINY.replace("    optimizer adam(lr = 0.05)\n", "");
        assertEquals("tiny.nn: model Tiny has no optimizer statement (e.g. optimizer adamw(lr = 3e-3)), so it cannot be trained",
                assertThrows(DataException.class, () -> TextModel.of(compile(noOptimizer), "tiny.nn", true)).getMessage());
        TextModel.of(compile(noOptimizer), "tiny.nn", false); // sampling needs no optimizer
    }

    @Test
    void theVocabularyAndTheWindowMustFitTheModel() {
        TextModel tiny = TextModel.of(compile(TINY), "tiny.nn", true);
        tiny.checkVocabulary(16, "t.txt");
        assertEquals("t.txt: 17 distinct characters, more than the 16 classes of model Tiny (its loss at tiny.nn:12:12); it needs at least 17",
                assertThrows(DataException.class, () -> tiny.checkVocabulary(17, "t.txt")).getMessage());
        TextModel smallTable = TextModel.of(compile(TINY.replace("param emb : [vocab, 16]", "param emb : [12, 16]")), "tiny.nn", true);
        assertEquals("t.txt: 13 distinct characters, more than the 12 rows of emb, the embedding of input x (at tiny.nn:11:22);"
                        + " it needs at least 13",
                assertThrows(DataException.class, () -> smallTable.checkVocabulary(13, "t.txt")).getMessage());
        tiny.checkSeq(8);
        assertEquals("--seq 9 is more than the 8 rows of pos, the embedding of input p (at tiny.nn:11:42); the model takes at most"
                        + " 8 characters per window",
                assertThrows(DataException.class, () -> tiny.checkSeq(9)).getMessage());
    }

    @Test
    void aShortRunLearnsBetterThanAUniformGuess(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("cat.txt");
        Files.writeString(text, TEXT);
        StringWriter sw = new StringWriter();
        TextTrainJob.Result r = TextTrainJob.run(new TextTrainJob.Config("tiny.nn", TINY, null, null, text, 8, 3, 0, 4, 0, null,
                Progress.Mode.LINES, null), new PrintWriter(sw));
        assertEquals(11, r.vocabulary());
        assertEquals(3 * (864 / 32), r.steps());
        assertEquals(3, r.heldOut().size());
        double last = r.heldOut().get(2);
        assertTrue(last < Math.log(11) / 2, "held-out loss " + last + " vs ln 11 = " + Math.log(11) + "\n" + sw);
        assertTrue(sw.toString().contains("epoch 3/3: loss "), sw.toString());
        assertTrue(sw.toString().contains(String.format(java.util.Locale.ROOT, ", held-out loss %.4f%n", last)), sw.toString());

        StringWriter steps = new StringWriter();
        TextTrainJob.Result s = TextTrainJob.run(new TextTrainJob.Config("tiny.nn", TINY, null, null, text, 8, 20, 30, 4, 0, null,
                Progress.Mode.NONE, null), new PrintWriter(steps));
        assertEquals(30, s.steps());
        assertEquals(2, s.heldOut().size(), "27 steps, then 3");
    }

    @Test
    void temperatureZeroTakesTheLikeliestAndSamplingFollowsTheSoftmax() {
        SplittableRandom rng = new SplittableRandom(5);
        assertEquals(1, Sample.pick(new double[] {0.5, 2, 1.9}, 0, rng));
        int[] counts = new int[2];
        for (int i = 0; i < 4000; i++) counts[Sample.pick(new double[] {0, Math.log(3)}, 1, rng)]++;
        assertEquals(0.75, counts[1] / 4000.0, 0.03); // softmax(0, ln 3) = (1/4, 3/4)
        int[] cold = new int[2];
        for (int i = 0; i < 1000; i++) cold[Sample.pick(new double[] {0, Math.log(3)}, 1e-3, rng)]++;
        assertArrayEquals(new int[] {0, 1000}, cold);
    }
}
