package dev.nnc.cli;

import static dev.nnc.cli.TrainCommandTest.assertCleanError;
import static dev.nnc.cli.TrainCommandTest.fmt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nnc train} and {@code nnc predict} with text class labels (mapped to ids and back,
 * saved with the parameters), class probabilities and a metric on labelled data, target lists
 * ({@code --target a,b}), a model without targets (an autoencoder), an {@code id} column kept
 * without {@code --id}, "did you mean" for misspelt names, and skipped steps reported.
 */
class TrainTargetsAndLabelsTest {
    @TempDir
    static Path dir;

    static Path write(String name, String text) throws IOException {
        return Cli.write(dir, name, text);
    }

    static final String BLOBS = """
            model Blobs {
                dim batch
                input x : [batch, 2]
                input color : int[batch]
                param w : [2, 3] init xavier_uniform
                param b : [3]
                logits = x @ w + b
                output probs = softmax(logits)
                loss = cross_entropy(logits, color)
                optimizer adam(lr = 0.05)
            }
            """;

    /** Three blobs named red, green and blue; {@code id} column, no target column when {@code labelled} is false. */
    static String blobs(Random rnd, int n, boolean labelled) {
        StringBuilder sb = new StringBuilder("id,x1,x2" + (labelled ? ",color" : "") + "\n");
        double[][] centers = {{0, 3}, {3, -2}, {-3, -2}};
        String[] names = {"red", "green", "blue"};
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            sb.append(100 + i).append(',').append(fmt(centers[c][0] + 0.7 * rnd.nextGaussian())).append(',')
                    .append(fmt(centers[c][1] + 0.7 * rnd.nextGaussian()));
            if (labelled) sb.append(',').append(names[c]);
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Rows of two random numbers a and b, then a + b (and a - b). */
    static String sums(Random rnd, int n, String header, boolean difference) {
        StringBuilder sb = new StringBuilder(header).append('\n');
        for (int i = 0; i < n; i++) {
            double a = rnd.nextGaussian(), b = rnd.nextGaussian();
            sb.append(fmt(a)).append(',').append(fmt(b)).append(',').append(fmt(a + b));
            if (difference) sb.append(',').append(fmt(a - b));
            sb.append('\n');
        }
        return sb.toString();
    }

    @Test
    void textClassLabelsAreMappedToIdsAndBack() throws IOException {
        Path model = write("blobs.nn", BLOBS);
        Path train = write("blobs.csv", blobs(new Random(1), 150, true));
        Path params = dir.resolve("blobs.safetensors");
        Cli.Run r = Cli.run("train", model.toString(), "--data", train.toString(), "--epochs", "40", "--batch", "16",
                "--progress", "none", "--save", params.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("target color -> input color int[batch] (class labels blue=0, green=1, red=2)"), r.out());
        assertTrue(r.out().contains("id column id (not a feature)"), r.out());
        assertTrue(SafeTensors.read(params).metadata().get("nnc.training").contains("\"classes\":[\"blue\",\"green\",\"red\"]"));

        // labelled test data: the class names, the probabilities, and the accuracy on them
        Path test = write("blobs_test.csv", blobs(new Random(2), 30, true));
        Path out = dir.resolve("blobs_predictions.csv");
        Cli.Run p = Cli.run("predict", model.toString(), "--params", params.toString(), "--data", test.toString(), "--out",
                out.toString(), "--probabilities");
        assertEquals(0, p.code(), p.all());
        Matcher m = Pattern.compile("accuracy ([0-9.]+)% on 30 labelled rows \\(color\\)").matcher(p.out());
        assertTrue(m.find(), p.out());
        assertTrue(Double.parseDouble(m.group(1)) >= 90, p.out());
        List<String> lines = Files.readAllLines(out);
        assertEquals("id,color,prob_blue,prob_green,prob_red", lines.get(0));
        String[] first = lines.get(1).split(",");
        assertEquals("100", first[0]);
        assertEquals("red", first[1]);
        double sum = 0;
        for (int j = 2; j < 5; j++) sum += Double.parseDouble(first[j]);
        assertEquals(1, sum, 1e-6, lines.get(1));
        assertTrue(Double.parseDouble(first[4]) > 0.5, lines.get(1));

        // unlabelled data, and a label that training never saw
        Path unlabelled = write("blobs_new.csv", blobs(new Random(3), 6, false));
        p = Cli.run("predict", model.toString(), "--params", params.toString(), "--data", unlabelled.toString(), "--out",
                dir.resolve("new.csv").toString());
        assertEquals(0, p.code(), p.all());
        assertEquals("wrote 6 predictions to " + dir.resolve("new.csv") + "\n", p.out());
        Path purple = write("purple.csv", "id,x1,x2,color\n1,0,3,purple\n");
        p = Cli.run("predict", model.toString(), "--params", params.toString(), "--data", purple.toString(), "--out",
                dir.resolve("never.csv").toString());
        assertCleanError(p);
        assertTrue(p.err().contains("purple.csv, row 1 (line 2), column 'color' (4): \"purple\" is not one of the classes the model"
                + " was trained on (blue, green, red)"), p.err());

        // more distinct labels than the model has classes
        Path four = write("four.csv", "x1,x2,color\n0,0,red\n1,1,green\n2,2,blue\n3,3,cyan\n");
        Cli.Run e = Cli.run("train", model.toString(), "--data", four.toString(), "--progress", "none");
        assertCleanError(e);
        assertTrue(e.err().contains("four.csv, column 'color': 4 distinct class labels (blue, cyan, green, red), but the model has 3"
                + " classes; give the output 4 columns"), e.err());
    }

    @Test
    void anIdColumnIsKeptWithoutTheIdOption() throws IOException {
        // trained without an id column; the data to predict has one
        Path model = write("blobs2.nn", BLOBS);
        String rows = blobs(new Random(4), 60, true);
        Path train = write("noid.csv", rows.replaceAll("(?m)^[^,\\n]*,", ""));
        Path params = dir.resolve("noid.safetensors");
        Cli.Run r = Cli.run("train", model.toString(), "--data", train.toString(), "--epochs", "5", "--progress", "none",
                "--save", params.toString());
        assertEquals(0, r.code(), r.all());
        Path test = write("withid.csv", "ID,x1,x2\n7,0,3\n8,3,-2\n");
        Path out = dir.resolve("withid_predictions.csv");
        Cli.Run p = Cli.run("predict", model.toString(), "--params", params.toString(), "--data", test.toString(), "--out", out.toString());
        assertEquals(0, p.code(), p.all());
        List<String> lines = Files.readAllLines(out);
        assertEquals("ID,color", lines.get(0));
        assertTrue(lines.get(1).startsWith("7,") && lines.get(2).startsWith("8,"), lines.toString());
    }

    @Test
    void targetListsFillAWideTargetInput() throws IOException {
        Path model = write("two.nn", """
                model Two {
                    dim batch
                    input x : [batch, 2]
                    input y : [batch, 2]
                    param w : [2, 2]
                    output prediction = x @ w
                    loss = mse(prediction, y)
                    optimizer sgd(lr = 0.1)
                }
                """);
        Path data = write("sums.csv", sums(new Random(6), 100, "a,b,s,d", true));
        for (String[] target : List.of(new String[] {"--target", "s,d"}, new String[] {"--target", "y=s,d"})) {
            Cli.Run r = Cli.run("train", model.toString(), "--data", data.toString(), target[0], target[1], "--epochs", "30",
                    "--progress", "none");
            assertEquals(0, r.code(), r.all());
            assertTrue(r.out().contains("target s, d -> input y [batch, 2] (standardized)"), r.out());
            Matcher m = Pattern.compile("train rmse ([0-9.]+)").matcher(r.out());
            assertTrue(m.find() && Double.parseDouble(m.group(1)) < 0.1, r.out());
        }
        Cli.Run e = Cli.run("train", model.toString(), "--data", data.toString(), "--target", "yy=s,d");
        assertCleanError(e);
        assertTrue(e.err().contains("--target yy=s,d: model Two has no target input named 'yy'; did you mean 'y'?"), e.err());
        e = Cli.run("train", model.toString(), "--data", data.toString(), "--target", "s,dd");
        assertCleanError(e);
        assertTrue(e.err().contains("no column named 'dd' (--target); did you mean 'd'?"), e.err());
        e = Cli.run("train", model.toString(), "--data", data.toString(), "--target", "s,d", "--categorical", "bb");
        assertCleanError(e);
        assertTrue(e.err().contains("no column named 'bb' (--categorical); did you mean 'b'?"), e.err());
        e = Cli.run("train", model.toString(), "--data", data.toString(), "--target", "s,d", "--output", "predictoin");
        assertCleanError(e);
        assertTrue(e.err().contains("has no output named 'predictoin'; did you mean 'prediction'?"), e.err());
    }

    @Test
    void anAutoencoderNeedsNoTargetAndSkippedStepsAreReported() throws IOException {
        Path model = write("ae.nn", """
                model Ae {
                    dim batch
                    input x : [batch, 3]
                    param enc : [3, 2] init xavier_uniform
                    param dec : [2, 3] init xavier_uniform
                    output reconstruction = (x @ enc) @ dec
                    loss = mse(reconstruction, x)
                    optimizer adam(lr = 0.02)
                }
                """);
        Path data = write("ae.csv", sums(new Random(7), 120, "p,q,r", false));
        Path params = dir.resolve("ae.safetensors");
        Cli.Run r = Cli.run("train", model.toString(), "--data", data.toString(), "--epochs", "60", "--progress", "none",
                "--save", params.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("no target: the loss compares output reconstruction with the features (an autoencoder)"), r.out());
        Matcher m = Pattern.compile("train rmse ([0-9.]+) \\(120 rows\\)").matcher(r.out());
        assertTrue(m.find() && Double.parseDouble(m.group(1)) < 0.1, r.out());
        Path out = dir.resolve("ae_predictions.csv");
        Cli.Run p = Cli.run("predict", model.toString(), "--params", params.toString(), "--data", data.toString(), "--out", out.toString());
        assertEquals(0, p.code(), p.all());
        assertEquals("row,reconstruction_0,reconstruction_1,reconstruction_2", Files.readAllLines(out).get(0));

        // the square root of a negative sum is NaN: the steps of batches with such a row are skipped, and counted
        Path fragile = write("fragile.nn", """
                model Fragile {
                    dim batch
                    input x : [batch, 1]
                    param w : [1, 1] init constant(1)
                    output y = x @ w
                    loss = mean(sqrt(x @ w))
                    optimizer sgd(lr = 0.001)
                }
                """);
        StringBuilder rows = new StringBuilder("v\n");
        for (int i = 0; i < 40; i++) rows.append(i == 13 ? "-5" : "2").append('\n');
        Path positive = write("mostly_positive.csv", rows.toString());
        r = Cli.run("train", fragile.toString(), "--data", positive.toString(), "--epochs", "3", "--batch", "10", "--no-shuffle",
                "--no-standardize", "--progress", "none");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("3 of 12 training steps were skipped: their loss or a gradient was not finite"), r.out());
    }
}
