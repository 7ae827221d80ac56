package dev.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.io.SafeTensors;
import dev.nnc.io.TensorData;
import dev.nnc.io.TensorFile;
import dev.nnc.io.Json;
import dev.nnc.train.TextMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nnc train --text} and {@code nnc sample} end to end on a small text. */
class TextCommandsTest {
    @TempDir
    static Path dir;
    static Path model, text, params;

    static final String TINY = """
            model Tiny {
                dim batch
                dim seq
                input tokens : int[batch, seq]
                input next : int[batch, seq]
                param emb : [16, 16] init normal(0, 0.1)
                param head : [16, 16] init normal(0, 0.1)
                output logits = embedding(tokens, emb) @ head
                loss = cross_entropy(logits, next)
                optimizer adam(lr = 0.05)
            }
            """;

    @BeforeAll
    static void trained() throws Exception {
        model = Cli.write(dir, "tiny.nn", TINY);
        text = Cli.write(dir, "cat.txt", "the cat sat on the mat. ".repeat(40));
        params = dir.resolve("p.safetensors");
        Cli.Run r = Cli.run("train", model.toString(), "--text", text.toString(), "--seq", "8", "--batch", "4", "--steps", "60",
                "--save", params.toString(), "--progress", "lines");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("text " + text + ": 960 characters, 11 distinct (the vocabulary); training on the first 864,"
                + " holding out the last 96\n"), r.out());
        assertTrue(r.out().contains("  characters -> input tokens int[batch, seq]\n"
                + "  next characters -> input next int[batch, seq] (class labels of output logits)\n"), r.out());
        assertTrue(r.out().contains("epoch 3/3: loss "), r.out());
        assertTrue(r.out().contains("saved the parameters and the vocabulary (11 characters, seq 8) to " + params + "\n"), r.out());
    }

    @Test
    void theParametersFileHoldsTheVocabulary() throws Exception {
        TensorFile f = SafeTensors.read(params);
        assertEquals(Map.of("model", "Tiny", "vocabulary", " .acehmnost", "seq", 8.0, "tokens_input", "tokens", "next_input", "next",
                "output", "logits"), Json.parse(f.metadata().get(TextMetadata.KEY)));
        assertEquals(java.util.Set.of("emb", "head"), f.tensors().keySet());
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "nothing half-written is left");
        }
    }

    @Test
    void samplingIsReproducibleWithASeed() {
        String[] args = {"sample", model.toString(), "--params", params.toString(), "--prompt", "the c", "--length", "40", "--seed", "3"};
        Cli.Run a = Cli.run(args), b = Cli.run(args);
        assertEquals(0, a.code(), a.all());
        assertEquals(a.out(), b.out());
        String out = a.out();
        assertTrue(out.startsWith("the c") && out.endsWith("\n"), out);
        assertEquals(45, out.length() - 1, out);
        for (char c : out.substring(0, out.length() - 1).toCharArray()) assertTrue(" .acehmnost".indexOf(c) >= 0, out);
        Cli.Run greedy = Cli.run("sample", model.toString(), "--params", params.toString(), "--prompt", "the c", "--length", "12",
                "--temperature", "0");
        assertEquals(0, greedy.code(), greedy.all());
        // a bigram model: after "c" always "a", after "a" always "t" in this text
        assertTrue(greedy.out().startsWith("the cat"), greedy.out());
    }

    @Test
    void sampleErrorsNameTheirCause() throws Exception {
        Cli.Run z = Cli.run("sample", model.toString(), "--params", params.toString(), "--prompt", "the Zoo");
        assertEquals(Main.USER_ERROR, z.code());
        assertEquals("nnc: --prompt: character 'Z' (U+005A) is not in the vocabulary of " + params
                + " (the 11 characters of its training text)\n", z.err());
        Path plain = dir.resolve("plain.safetensors");
        SafeTensors.write(plain, TensorFile.builder().tensor("emb", TensorData.f32(new int[] {16, 16}, new float[256])).build());
        Cli.Run noVocabulary = Cli.run("sample", model.toString(), "--params", plain.toString(), "--prompt", "the");
        assertEquals(Main.USER_ERROR, noVocabulary.code());
        assertEquals("nnc: " + plain + ": no vocabulary ('nnc.text' metadata): these parameters were not trained with 'nnc train --text'\n",
                noVocabulary.err());
        Cli.Run empty = Cli.run("sample", model.toString(), "--params", params.toString(), "--prompt", "");
        assertEquals("nnc: --prompt is empty: give at least one character to start from\n", empty.err());
        Cli.Run hot = Cli.run("sample", model.toString(), "--params", params.toString(), "--prompt", "a", "--temperature", "-1");
        assertEquals("nnc: --temperature must be 0 (always the likeliest character) or more, got -1.0\n", hot.err());
        Path csv = Cli.write(dir, "rows.csv", "a\n1\n");
        Cli.Run predict = Cli.run("predict", model.toString(), "--params", params.toString(), "--data", csv.toString(), "--out",
                dir.resolve("out.csv").toString());
        assertEquals("nnc: " + params + ": these parameters were trained on a text (nnc train --text); use nnc sample\n", predict.err());
    }

    @Test
    void trainTextErrorsNameTheirCause() throws Exception {
        Cli.Run both = Cli.run("train", model.toString(), "--text", text.toString(), "--data", "d.csv");
        assertEquals(2, both.code());
        assertTrue(both.err().startsWith("Error: --text=FILE, --data=FILE.csv are mutually exclusive (specify only one)\n")
                || both.err().startsWith("Error: --data=FILE.csv, --text=FILE are mutually exclusive (specify only one)\n"), both.err());
        Cli.Run neither = Cli.run("train", model.toString());
        assertEquals(2, neither.code());
        assertTrue(neither.err().startsWith("Error: Missing required argument (specify one of these): (--data=FILE.csv | --text=FILE)\n"),
                neither.err());
        Cli.Run target = Cli.run("train", model.toString(), "--text", text.toString(), "--target", "y");
        assertEquals(2, target.code());
        assertTrue(target.err().startsWith("--target applies to --data (a CSV file), not to --text\n"), target.err());
        Cli.Run seq = Cli.run("train", model.toString(), "--data", "d.csv", "--seq", "8");
        assertTrue(seq.err().startsWith("--seq applies to --text (a language model), not to --data\n"), seq.err());

        Path wide = Cli.write(dir, "wide.txt", "abcdefghijklmnopqrstuvwxyz".repeat(10));
        Cli.Run tooMany = Cli.run("train", model.toString(), "--text", wide.toString(), "--seq", "8", "--progress", "none");
        assertEquals(Main.USER_ERROR, tooMany.code());
        assertEquals("nnc: " + wide + ": 26 distinct characters, more than the 16 classes of model Tiny (its loss at " + model + ":9:12);"
                + " it needs at least 26\n", tooMany.err());
        Path shortText = Cli.write(dir, "short.txt", "the cat");
        Cli.Run tooShort = Cli.run("train", model.toString(), "--text", shortText.toString(), "--seq", "8");
        assertEquals("nnc: " + shortText + ": 7 characters, fewer than one window of 9 (--seq 8 and the character after them)\n",
                tooShort.err());
        Path saved = dir.resolve("never.safetensors");
        Cli.Run zero = Cli.run("train", model.toString(), "--text", text.toString(), "--steps", "0", "--save", saved.toString());
        assertEquals("nnc: --steps must be at least 1, got 0\n", zero.err());
        assertFalse(Files.exists(saved));
    }

    @Test
    void helpTextsShowTheTextOptions() {
        String train = Cli.run("train", "--help").out();
        for (String s : new String[] {"--text=FILE", "--seq=N", "--steps=K", "with --text: characters per window (default: 64)"}) {
            assertTrue(train.contains(s), s + " in\n" + train);
        }
        String sample = Cli.run("sample", "--help").out();
        for (String s : new String[] {"--params=P.safetensors", "--prompt=TEXT", "--length=N", "--temperature=T", "--seed=N", "--backend"}) {
            assertTrue(sample.contains(s), s + " in\n" + sample);
        }
    }
}
