package dev.nnc.examples.spark;

import dev.nnc.spark.EpochReport;
import dev.nnc.spark.SparkTrainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Trains the house-price model on Spark: d2l's preprocessing in Spark SQL, then synchronous
 * data-parallel SGD with nnc-spark, then the training log-RMSE (computed on the executors) and
 * the parameters saved as safetensors.
 *
 * <pre>
 * TrainHousePrices TRAIN.csv [--test TEST.csv] [--epochs 100] [--batch 64] [--partitions N]
 *                  [--seed N] [--out house_prices.safetensors] [--checkpoints DIR]
 * </pre>
 * ({@code --partitions}: default Spark's default parallelism.)
 *
 * Run locally, the master is {@code local[*]} unless {@code spark.master} is set (spark-submit sets it).
 */
public final class TrainHousePrices {
    private TrainHousePrices() {}

    /** What a run produced. */
    public record Result(HousePrices model, List<EpochReport> epochs, double trainLogRmse, int features) {}

    public static void main(String[] args) throws IOException {
        Options o = Options.parse(args);
        SparkConf conf = new SparkConf().setAppName("nnc house prices");
        if (!conf.contains("spark.master")) conf.setMaster("local[*]");
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            Result r = run(spark, o);
            System.out.printf(Locale.ROOT, "train log-rmse %.4f; parameters saved to %s%n", r.trainLogRmse(), o.out);
        } finally {
            spark.stop();
        }
    }

    /** Preprocesses, trains, evaluates and saves as {@code o} says. */
    public static Result run(SparkSession spark, Options o) throws IOException {
        HousePriceFeatures f = HousePriceFeatures.of(spark, o.train, o.test);
        System.out.println("data " + o.train + ": " + f.describe());
        Dataset<Row> data = f.data();
        // a small CSV file is read as one partition: spread the rows so that every core has some
        int partitions = o.partitions > 0 ? o.partitions : spark.sparkContext().defaultParallelism();
        if (data.rdd().getNumPartitions() != partitions) data = data.repartition(partitions);
        List<EpochReport> reports = new ArrayList<>();
        SparkTrainer<HousePrices> trainer = SparkTrainer.of(HousePrices.class).features("features").target("y")
                .batchSize(o.batch).epochs(o.epochs).seed(o.seed).onEpoch(r -> {
                    reports.add(r);
                    if (r.epoch() == 1 || r.epoch() % 10 == 0 || r.epoch() == r.epochs()) {
                        System.out.printf(Locale.ROOT, "epoch %d/%d: loss %.6f, %d steps, %.0f rows/s%n", r.epoch(), r.epochs(), r.meanLoss(),
                                r.steps(), r.rowsPerSecond());
                    }
                });
        if (o.checkpoints != null) trainer.checkpoints(Path.of(o.checkpoints));
        HousePrices model = trainer.fit(data);
        double rmse = logRmse(spark, data, model, f);
        if (o.out != null) model.saveParameters(Path.of(o.out));
        return new Result(model, reports, rmse, f.width());
    }

    /**
     * d2l's log_rmse on the rows of {@code data}, computed where they are: each partition
     * predicts its rows with a copy of the model (broadcast parameters), clips the price to at
     * least 1 and sums the squared log errors.
     */
    static double logRmse(SparkSession spark, Dataset<Row> data, HousePrices model, HousePriceFeatures f) {
        float[] flat = new float[HousePrices.PARAMETER_COUNT];
        model.copyParametersTo(flat);
        Broadcast<float[]> params = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(flat);
        double mean = f.logMean(), std = f.logStd();
        int width = f.width();
        double[] sums = data.select("features", HousePriceFeatures.TARGET).javaRDD().mapPartitions((Iterator<Row> rows) -> {
            HousePrices m = new HousePrices();
            m.copyParametersFrom(params.value());
            float[] x = new float[width], out = new float[1];
            double sq = 0, n = 0;
            while (rows.hasNext()) {
                Row r = rows.next();
                List<Double> v = r.getList(0);
                for (int j = 0; j < width; j++) x[j] = (float) (double) v.get(j);
                m.infer(1, x, out);
                double price = Math.max(1, Math.exp(out[0] * std + mean));
                double d = Math.log(price) - Math.log(r.getDouble(1));
                sq += d * d;
                n++;
            }
            return List.of(new double[] {sq, n}).iterator();
        }).reduce((a, b) -> new double[] {a[0] + b[0], a[1] + b[1]});
        params.destroy();
        return Math.sqrt(sums[0] / sums[1]);
    }

    /** Command-line options. */
    public static final class Options {
        String train, test, out = "house_prices.safetensors", checkpoints;
        int epochs = 100, batch = 64, partitions;
        long seed;

        public static Options parse(String... args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (!a.startsWith("--")) {
                    if (o.train != null) throw usage("one training file, got " + o.train + " and " + a);
                    o.train = a;
                    continue;
                }
                if (i + 1 == args.length) throw usage(a + " needs a value");
                String v = args[++i];
                switch (a) {
                    case "--test" -> o.test = v;
                    case "--out" -> o.out = v;
                    case "--checkpoints" -> o.checkpoints = v;
                    case "--epochs" -> o.epochs = number(a, v);
                    case "--batch" -> o.batch = number(a, v);
                    case "--partitions" -> o.partitions = number(a, v);
                    case "--seed" -> o.seed = number(a, v);
                    default -> throw usage("unknown option " + a);
                }
            }
            if (o.train == null) throw usage("the training CSV file is missing");
            return o;
        }

        private static int number(String option, String v) {
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw usage(option + " takes a whole number, got '" + v + "'");
            }
        }

        private static IllegalArgumentException usage(String problem) {
            return new IllegalArgumentException(problem + "\nusage: TrainHousePrices TRAIN.csv [--test TEST.csv] [--epochs N] [--batch N]"
                    + " [--partitions N] [--seed N] [--out FILE.safetensors] [--checkpoints DIR]");
        }
    }
}
