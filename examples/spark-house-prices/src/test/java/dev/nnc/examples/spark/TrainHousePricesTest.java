package dev.nnc.examples.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example end to end on Spark in local mode (2 threads): a synthetic file shaped like the
 * Kaggle one (always), and the Kaggle files themselves when they are in
 * {@code ${nnc.shared}/data/house-prices/} (skipped otherwise: their licence keeps them out of
 * the repository).
 */
class TrainHousePricesTest {
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("spark-house-prices tests").config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /**
     * 420 houses: an id, 19 numeric columns (a few missing), two text columns of 200 and 110
     * kinds (the first missing in 20 rows), and a price that depends on numbers and kind: 19 +
     * (200 + 1) + (110 + 1) missing-value indicators = the model's 331 features. (Few columns:
     * Spark's code generation for hundreds of columns costs a minute.)
     */
    static Path syntheticCsv(Path dir) throws IOException {
        Random r = new Random(4);
        StringBuilder sb = new StringBuilder("Id");
        for (int j = 0; j < 19; j++) sb.append(",N").append(j);
        sb.append(",Kind,Zone,SalePrice\n");
        for (int i = 0; i < 420; i++) {
            sb.append(i + 1);
            double logPrice = 12;
            for (int j = 0; j < 19; j++) {
                double v = r.nextGaussian();
                if (j < 5) logPrice += 0.2 * v;
                sb.append(',').append(r.nextInt(50) == 0 ? "NA" : String.format(Locale.ROOT, "%.4f", v * 10 + j));
            }
            logPrice += 0.002 * (i % 200);
            sb.append(',').append(i < 400 ? "k" + (i % 200) : "NA").append(",z").append(i % 110);
            sb.append(',').append(Math.round(Math.exp(logPrice))).append('\n');
        }
        Path file = dir.resolve("train.csv");
        Files.writeString(file, sb.toString());
        return file;
    }

    @Test
    void trainsOnASyntheticFileShapedLikeKaggles(@TempDir Path dir) throws IOException {
        Path csv = syntheticCsv(dir);
        Path out = dir.resolve("params.safetensors");
        TrainHousePrices.Result r = TrainHousePrices.run(spark, TrainHousePrices.Options.parse(csv.toString(), "--epochs", "8", "--batch",
                "16", "--partitions", "2", "--out", out.toString(), "--checkpoints", dir.resolve("checkpoints").toString()));
        assertEquals(331, r.features());
        assertEquals(8, r.epochs().size());
        double first = r.epochs().get(0).meanLoss(), last = r.epochs().get(7).meanLoss();
        assertTrue(last < first / 2, "the loss fell: " + first + " -> " + last);
        assertEquals(420L, r.epochs().get(7).rows());
        assertEquals(14, r.epochs().get(0).steps(), "2 partitions of about 210 rows, 16 per step each");
        assertTrue(r.trainLogRmse() > 0 && r.trainLogRmse() < 0.5, "train log-rmse " + r.trainLogRmse());
        assertTrue(Files.exists(dir.resolve("checkpoints/epoch-0008.safetensors")));
        HousePrices reloaded = new HousePrices(123);
        reloaded.loadParameters(out);
        float[] a = new float[HousePrices.PARAMETER_COUNT], b = new float[HousePrices.PARAMETER_COUNT];
        reloaded.copyParametersTo(a);
        r.model().copyParametersTo(b);
        assertTrue(java.util.Arrays.equals(a, b), "the saved parameters are the trained ones");
    }

    @Test
    void theKaggleFilesGive331FeaturesAndTrain(@TempDir Path dir) throws IOException {
        Path data = Path.of(System.getProperty("nnc.shared", "../../../shared"), "data", "house-prices");
        Assumptions.assumeTrue(Files.exists(data.resolve("train.csv")) && Files.exists(data.resolve("test.csv")),
                "the Kaggle house-price files are not in " + data + " (see README.md); skipped");
        TrainHousePrices.Result r = TrainHousePrices.run(spark, TrainHousePrices.Options.parse(data.resolve("train.csv").toString(), "--test",
                data.resolve("test.csv").toString(), "--epochs", "10", "--partitions", "2", "--out", dir.resolve("p.safetensors").toString()));
        assertEquals(331, r.features(), "d2l's 331 features: 36 numeric columns, 252 categories and 43 missing-value indicators");
        assertEquals(1460L, r.epochs().get(0).rows());
        assertTrue(r.trainLogRmse() < 0.2, "train log-rmse after 10 epochs: " + r.trainLogRmse());
    }

    @Test
    void badOptionsSayWhatIsWrong() {
        assertEquals("the training CSV file is missing", firstLine(() -> TrainHousePrices.Options.parse("--epochs", "3")));
        assertEquals("--epochs takes a whole number, got 'ten'", firstLine(() -> TrainHousePrices.Options.parse("t.csv", "--epochs", "ten")));
        assertEquals("unknown option --epoch", firstLine(() -> TrainHousePrices.Options.parse("t.csv", "--epoch", "3")));
    }

    private static String firstLine(org.junit.jupiter.api.function.Executable e) {
        return assertThrows(IllegalArgumentException.class, e).getMessage().lines().findFirst().orElse("");
    }
}
