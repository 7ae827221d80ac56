package dev.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The embedded digits demo, and the d2l house-price example when the Kaggle files are present. */
class DemoAndHousePricesTest {
    static final Path SHARED = Path.of(System.getProperty("nnc.shared", "../shared"));

    @Test
    void digitsDemoReaches95PercentOnTheHeldOutFifth() {
        long t0 = System.nanoTime();
        Cli.Run r = Cli.run("demo", "--progress", "none");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, r.code(), r.all());
        Matcher m = Pattern.compile("test accuracy: ([0-9.]+)% on 359 held-out images").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Double.parseDouble(m.group(1)) >= 95, r.out());
        assertTrue(seconds < 20, "the demo took " + seconds + " s");
    }

    /** The CNN (convolutions, batch norm, pooling) beats the MLP's 97.5% on the same held-out images. */
    @Test
    void digitsCnnBeatsTheMlp() {
        Cli.Run r = Cli.run("demo", "--model", "cnn", "--progress", "none");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().startsWith("nnc demo: a CNN learns"), r.out());
        Matcher m = Pattern.compile("test accuracy: ([0-9.]+)% on 359 held-out images").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Double.parseDouble(m.group(1)) > 97.5, r.out());
    }

    /** A shorter run than the README's (30 epochs, not 100) to keep the suite quick. */
    @Test
    void housePricesFiveFold() {
        Path train = SHARED.resolve("data/house-prices/train.csv"), test = SHARED.resolve("data/house-prices/test.csv");
        Assumptions.assumeTrue(Files.isRegularFile(train) && Files.isRegularFile(test),
                "skipped: the Kaggle house-price files are not at " + train.getParent().toAbsolutePath().normalize()
                        + " (see docs/training.md for where to download train.csv and test.csv; -Dnnc.shared=DIR points elsewhere)");
        Cli.Run r = Cli.run("train", "generated-examples/house_prices.nn", "--data", train.toString(),
                "--stats-data", test.toString(), "--target", "SalePrice", "--log-target", "--kfold", "5", "--epochs", "30",
                "--batch", "64", "--metric", "log-rmse", "--progress", "none");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("36 numeric columns + 43 categorical columns (252 categories + 43 missing-value indicators) = 331 features"), r.out());
        Matcher m = Pattern.compile("5-fold average: train log-rmse ([0-9.]+), validation log-rmse ([0-9.]+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Double.parseDouble(m.group(2)) <= 0.16, r.out());
    }
}
