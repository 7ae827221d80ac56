package dev.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nnc train} and {@code nnc predict} end to end, on small synthetic CSV files. */
class TrainCommandTest {
    @TempDir
    static Path dir;
    static Path linear, softmax, data;

    /** y = 3a - 2b + (1 if red, -1 if green, 0 if missing) + noise; Id is not a feature. */
    static String regressionRows(Random r, int from, int n, boolean withTarget) {
        StringBuilder sb = new StringBuilder("Id,a,b,color" + (withTarget ? ",y" : "") + "\n");
        for (int i = from; i < from + n; i++) {
            double a = r.nextGaussian(), b = r.nextGaussian();
            int c = r.nextInt(5);
            String color = c < 2 ? "red" : c < 4 ? "green" : "NA";
            double y = 3 * a - 2 * b + (c < 2 ? 1 : c < 4 ? -1 : 0) + 0.05 * r.nextGaussian();
            sb.append(i).append(',').append(fmt(a)).append(',').append(fmt(b)).append(',').append(color);
            if (withTarget) sb.append(',').append(fmt(y));
            sb.append('\n');
        }
        return sb.toString();
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    static Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    @BeforeAll
    static void files() throws IOException {
        linear = write("linear.nn", """
                model Linear {
                    dim batch
                    input x : [batch, 5]
                    input y : [batch, 1]
                    param w : [5, 1]
                    param b : [1]
                    output prediction = x @ w + b
                    loss = mse(prediction, y)
                    optimizer sgd(lr = 0.05)
                }
                """);
        softmax = write("softmax.nn", """
                model Blobs {
                    dim batch
                    input x : [batch, 2]
                    input label : int[batch]
                    param w : [2, 3] init xavier_uniform
                    param b : [3]
                    logits = x @ w + b
                    output probs = softmax(logits)
                    loss = cross_entropy(logits, label)
                    optimizer adam(lr = 0.05)
                }
                """);
        data = write("train.csv", regressionRows(new Random(1), 1, 200, true));
    }

    static void assertCleanError(Cli.Run r) {
        assertEquals(Main.USER_ERROR, r.code(), r.all());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "a stack trace:\n" + r.err());
        assertTrue(r.err().startsWith("nnc: "), r.err());
    }

    static List<Double> epochLosses(String out) {
        List<Double> losses = new ArrayList<>();
        Matcher m = Pattern.compile("epoch \\d+/\\d+: loss ([0-9.eE+-]+)").matcher(out);
        while (m.find()) losses.add(Double.parseDouble(m.group(1)));
        return losses;
    }

    @Test
    void trainsOnACsvFileAndTheLossFalls() {
        Cli.Run r = Cli.run("train", linear.toString(), "--data", data.toString(), "--target", "y", "--epochs", "20",
                "--progress", "lines", "--seed", "3");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("2 numeric columns + 1 categorical column (2 categories + 1 missing-value indicator) = 5 features"), r.out());
        assertTrue(r.out().contains("id column Id (not a feature)"), r.out());
        assertTrue(r.out().contains("target y -> input y [batch, 1] (standardized)"), r.out());
        List<Double> losses = epochLosses(r.out());
        assertEquals(20, losses.size(), r.out());
        assertTrue(losses.get(19) < 0.05 * losses.get(0), "loss did not fall: " + losses);
        Matcher m = Pattern.compile("train rmse ([0-9.]+) \\(200 rows\\)").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Double.parseDouble(m.group(1)) < 0.2, r.out());
    }

    @Test
    void kfoldPrintsEveryFoldAndTheAverage() {
        Cli.Run r = Cli.run("train", linear.toString(), "--data", data.toString(), "--target", "y", "--epochs", "20",
                "--batch", "16", "--kfold", "4", "--metric", "rmse", "--progress", "none");
        assertEquals(0, r.code(), r.all());
        for (int i = 1; i <= 4; i++) assertTrue(r.out().contains("fold " + i + "/4: train rmse "), r.out());
        assertTrue(r.out().contains("(150 + 50 rows)"), r.out());
        Matcher m = Pattern.compile("4-fold average: train rmse ([0-9.]+), validation rmse ([0-9.]+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Double.parseDouble(m.group(2)) < 0.3, r.out());
        assertFalse(r.out().contains("epoch "), "--progress none prints no epochs:\n" + r.out());
    }

    @Test
    void savedParametersPredictInKaggleSubmissionFormat() throws IOException {
        Path params = dir.resolve("linear.safetensors");
        Cli.Run r = Cli.run("train", linear.toString(), "--data", data.toString(), "--target", "y", "--epochs", "30",
                "--save", params.toString(), "--progress", "none");
        assertEquals(0, r.code(), r.all());
        assertTrue(Files.exists(params));
        Path test = write("test.csv", "Id,a,b,color\n1001,1.0,0.0,red\n1002,0.0,1.0,green\n1003,0.5,0.5,\n");
        Path out = dir.resolve("predictions.csv");
        Cli.Run p = Cli.run("predict", linear.toString(), "--params", params.toString(), "--data", test.toString(),
                "--out", out.toString());
        assertEquals(0, p.code(), p.all());
        assertTrue(p.out().contains("wrote 3 predictions to "), p.out());
        List<String> lines = Files.readAllLines(out);
        assertEquals("Id,y", lines.get(0));
        assertEquals(4, lines.size());
        double[] want = {4, -3, 0.5};
        for (int i = 0; i < 3; i++) {
            String[] f = lines.get(i + 1).split(",");
            assertEquals(String.valueOf(1001 + i), f[0]);
            assertEquals(want[i], Double.parseDouble(f[1]), 0.3, lines.toString());
        }
        // text in a numeric column of the new data: file, row and column
        Path bad = write("bad_test.csv", "Id,a,b,color\n1,1.0,0.0,red\n2,zero,1.0,green\n");
        Cli.Run e = Cli.run("predict", linear.toString(), "--params", params.toString(), "--data", bad.toString(),
                "--out", dir.resolve("never.csv").toString());
        assertCleanError(e);
        assertTrue(e.err().contains("bad_test.csv, row 2 (line 3), column 'a' (2): \"zero\" is not a number"), e.err());
        assertFalse(Files.exists(dir.resolve("never.csv")));
    }

    @Test
    void classLabelsTrainACrossEntropyModelScoredByAccuracy() throws IOException {
        Random rnd = new Random(5);
        StringBuilder sb = new StringBuilder("x1,x2,label\n");
        double[][] centers = {{0, 3}, {3, -2}, {-3, -2}};
        for (int i = 0; i < 150; i++) {
            int c = i % 3;
            sb.append(fmt(centers[c][0] + rnd.nextGaussian())).append(',').append(fmt(centers[c][1] + rnd.nextGaussian()))
                    .append(',').append(c).append('\n');
        }
        Path blobs = write("blobs.csv", sb.toString());
        Cli.Run r = Cli.run("train", softmax.toString(), "--data", blobs.toString(), "--epochs", "30", "--batch", "16",
                "--holdout", "0.2", "--progress", "none");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("target label -> input label int[batch] (class labels)"), r.out());
        Matcher m = Pattern.compile("train accuracy ([0-9.]+)%, test accuracy ([0-9.]+)% \\(30 test rows\\)").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Double.parseDouble(m.group(2)) >= 90, r.out());

        Path bad = write("labels.csv", "x1,x2,label\n0,0,1\n1,1,7\n");
        Cli.Run e = Cli.run("train", softmax.toString(), "--data", bad.toString(), "--progress", "none");
        assertCleanError(e);
        assertTrue(e.err().contains("labels.csv, row 2 (line 3), column 'label' (3): class label 7 is outside 0..2 (the model has 3 classes)"), e.err());
    }

    @Test
    void badDataGivesTheFileRowAndColumnNeverAStackTrace() throws IOException {
        Path ragged = write("ragged.csv", "Id,a,b,color,y\n1,0.1,0.2,red,1\n2,0.3,0.4,red\n");
        Cli.Run r = Cli.run("train", linear.toString(), "--data", ragged.toString(), "--target", "y");
        assertCleanError(r);
        assertTrue(r.err().contains("ragged.csv, row 2 (line 3): 4 fields, but the header (line 1) has 5 columns"), r.err());

        StringBuilder sb = new StringBuilder("Id,a,b,color,y\n");
        for (int i = 1; i <= 30; i++) sb.append(i).append(',').append(i == 17 ? "abc" : "0.5").append(",1.0,red,2.0\n");
        Path text = write("text.csv", sb.toString());
        r = Cli.run("train", linear.toString(), "--data", text.toString(), "--target", "y");
        assertCleanError(r);
        assertTrue(r.err().contains("text.csv, row 17 (line 18), column 'a' (2): \"abc\" is not a number"), r.err());

        Path empty = write("empty.csv", "");
        r = Cli.run("train", linear.toString(), "--data", empty.toString(), "--target", "y");
        assertCleanError(r);
        assertTrue(r.err().contains("empty.csv: the file is empty"), r.err());

        r = Cli.run("train", linear.toString(), "--data", data.toString(), "--target", "price");
        assertCleanError(r);
        assertTrue(r.err().contains("train.csv: no column named 'price' (--target)"), r.err());
        assertTrue(r.err().contains("Id, a, b, color, y"), r.err());

        Path missingTarget = write("missing.csv", "Id,a,b,color,y\n1,0.1,0.2,red,1\n2,0.3,0.4,green,NA\n");
        r = Cli.run("train", linear.toString(), "--data", missingTarget.toString(), "--target", "y");
        assertCleanError(r);
        assertTrue(r.err().contains("missing.csv, row 2 (line 3), column 'y' (5): the target value is missing"), r.err());

        r = Cli.run("train", linear.toString(), "--data", dir.resolve("nowhere.csv").toString(), "--target", "y");
        assertCleanError(r);
        assertTrue(r.err().contains("nowhere.csv: no such file"), r.err());
    }

    @Test
    void featureColumnsThatGiveNoFeatureAreNamed() throws IOException {
        // fuzzing finding (TrainingDataFuzzTest): a categorical column with no value and no
        // missing-value indicator gives 0 features, and the error advised a model width of 0
        Path blank = write("blank.csv", "Id,color,y\n1,NA,1\n2,,2\n");
        Cli.Run r = Cli.run("train", linear.toString(), "--data", blank.toString(), "--target", "y", "--categorical", "color",
                "--no-na-indicator");
        assertCleanError(r);
        assertEquals("nnc: " + blank + ": the feature columns give no features (1 categorical column (0 categories) = 0 features):"
                + " every value of color is missing, and with --no-na-indicator such a column gives no feature; leave it out"
                + " with --ignore, or keep the missing-value indicator\n", r.err());
    }

    @Test
    void aFeatureCountMismatchSaysBothNumbersAndHowTheyArose() throws IOException {
        Path narrow = write("narrow.nn", """
                model Narrow {
                    dim batch
                    input x : [batch, 4]
                    input y : [batch, 1]
                    param w : [4, 1]
                    output prediction = x @ w
                    loss = mse(prediction, y)
                    optimizer sgd(lr = 0.1)
                }
                """);
        Cli.Run r = Cli.run("train", narrow.toString(), "--data", data.toString(), "--target", "y");
        assertCleanError(r);
        assertTrue(r.err().contains("the data gives 5 features, but input x [batch, 4] of model Narrow"), r.err());
        assertTrue(r.err().contains("takes 4"), r.err());
        assertTrue(r.err().contains("2 numeric columns + 1 categorical column (2 categories + 1 missing-value indicator) = 5 features"), r.err());
        assertTrue(r.err().contains("numeric (1 feature each): a, b"), r.err());
        assertTrue(r.err().contains("color: 3"), r.err());
    }
}
