package dev.nnc.examples.spark;

import dev.nnc.spark.Batches;
import dev.nnc.spark.EpochReport;
import dev.nnc.spark.SparkTrainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Training throughput of the house-price model in one JVM: on Spark with {@code local[1]} and
 * {@code local[2]}, and without Spark (the same batches: gradient accumulation over the
 * partitions' batches then {@code applyGradient}; and plain {@code trainStep} on batches of the
 * same total size). The data is preprocessed once and split into the same 2 partitions for
 * every mode; each mode runs warm-up epochs, then timed ones, and reports the median epoch.
 *
 * <pre>Throughput TRAIN.csv [--test TEST.csv] [--epochs 10] [--warmup 3] [--batch 64]</pre>
 */
public final class Throughput {
    private Throughput() {}

    static final int PARTITIONS = 2;

    public static void main(String[] args) {
        String train = null, test = null;
        int epochs = 10, warmup = 3, batch = 64;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--test" -> test = args[++i];
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                default -> train = args[i];
            }
        }
        if (train == null) throw new IllegalArgumentException("usage: Throughput TRAIN.csv [--test TEST.csv] [--epochs N] [--warmup N] [--batch N]");
        SparkSession prep = session("local[2]");
        HousePriceFeatures f = HousePriceFeatures.of(prep, train, test);
        Dataset<Row> selected = f.data().select("features", "y");
        StructType schema = selected.schema();
        List<Row> rows = selected.collectAsList();
        prep.stop();
        System.out.printf(Locale.ROOT, "%d rows, %d features, %d partitions, batch %d per partition (%d per step), %d warm-up + %d timed epochs%n",
                rows.size(), f.width(), PARTITIONS, batch, batch * PARTITIONS, warmup, epochs);
        System.out.printf(Locale.ROOT, "%-44s %12s %12s%n", "mode", "rows/s", "ms/step");
        double[] local1 = spark("local[1]", rows, schema, batch, warmup, epochs);
        double[] local2 = spark("local[2]", rows, schema, batch, warmup, epochs);
        double[] accumulate = withoutSpark(rows, batch, warmup, epochs, false);
        double[] trainStep = withoutSpark(rows, batch, warmup, epochs, true);
        System.out.printf(Locale.ROOT, "Spark overhead per step: %.2f ms on local[1], %.2f ms on local[2] (ms/step minus accumulation's)%n",
                local1[1] - accumulate[1], local2[1] - accumulate[1]);
    }

    static SparkSession session(String master) {
        SparkSession s = SparkSession.builder().master(master).appName("nnc throughput").config("spark.ui.enabled", "false").getOrCreate();
        s.sparkContext().setLogLevel("WARN");
        return s;
    }

    /** Rows per second and milliseconds per step of the median timed epoch on Spark. */
    static double[] spark(String master, List<Row> rows, StructType schema, int batch, int warmup, int epochs) {
        SparkSession s = session(master);
        try {
            Dataset<Row> data = s.createDataFrame(JavaSparkContext.fromSparkContext(s.sparkContext()).parallelize(rows, PARTITIONS), schema);
            List<EpochReport> reports = new ArrayList<>();
            SparkTrainer.of(HousePrices.class).features("features").target("y").batchSize(batch).epochs(warmup + epochs)
                    .onEpoch(reports::add).fit(data);
            List<EpochReport> timed = reports.subList(warmup, reports.size());
            double seconds = median(timed.stream().mapToDouble(EpochReport::seconds).toArray());
            return report("Spark " + master, rows.size(), seconds, timed.get(0).steps());
        } finally {
            s.stop();
        }
    }

    /** The same without Spark, in this thread: the partitions' batches accumulated, or trainStep on their concatenation. */
    static double[] withoutSpark(List<Row> rows, int batch, int warmup, int epochs, boolean trainStep) {
        int n = rows.size(), width = rows.get(0).<Double>getList(0).size();
        // the slices of parallelize(rows, 2): partition p holds rows [p·n/2, (p+1)·n/2)
        float[][] x = new float[PARTITIONS][], y = new float[PARTITIONS][];
        int[] sizes = new int[PARTITIONS];
        for (int p = 0; p < PARTITIONS; p++) {
            int from = (int) ((long) p * n / PARTITIONS), to = (int) ((long) (p + 1) * n / PARTITIONS);
            sizes[p] = to - from;
            x[p] = new float[sizes[p] * width];
            y[p] = new float[sizes[p]];
            for (int r = from; r < to; r++) {
                List<Double> v = rows.get(r).getList(0);
                for (int j = 0; j < width; j++) x[p][(r - from) * width + j] = (float) (double) v.get(j);
                y[p][r - from] = (float) rows.get(r).getDouble(1);
            }
        }
        HousePrices m = new HousePrices(0);
        int steps = Batches.stepsPerEpoch(sizes, batch);
        double[] sum = new double[HousePrices.PARAMETER_COUNT];
        float[] bx = new float[batch * PARTITIONS * width], by = new float[batch * PARTITIONS];
        double[] seconds = new double[warmup + epochs];
        for (int e = 0; e < warmup + epochs; e++) {
            long t0 = System.nanoTime();
            int[][] order = new int[PARTITIONS][];
            for (int p = 0; p < PARTITIONS; p++) order[p] = Batches.order(0, e, p, sizes[p]);
            for (int k = 0; k < steps; k++) {
                Arrays.fill(sum, 0);
                int total = 0;
                for (int p = 0; p < PARTITIONS; p++) {
                    int from = Math.min(sizes[p], k * batch), to = Math.min(sizes[p], from + batch), rowsHere = to - from;
                    if (rowsHere == 0) continue;
                    if (trainStep) {
                        gather(x[p], y[p], order[p], from, to, width, bx, by, total);
                    } else {
                        float[] px = new float[rowsHere * width], py = new float[rowsHere];
                        gather(x[p], y[p], order[p], from, to, width, px, py, 0);
                        m.gradients(rowsHere, px, py);
                        m.accumulateGradient(sum, rowsHere);
                    }
                    total += rowsHere;
                }
                if (trainStep) {
                    m.trainStep(total, Arrays.copyOf(bx, total * width), Arrays.copyOf(by, total));
                } else {
                    m.applyGradient(sum, total);
                }
            }
            seconds[e] = (System.nanoTime() - t0) / 1e9;
        }
        return report(trainStep ? "no Spark, trainStep on the step's rows" : "no Spark, accumulate partitions + applyGradient", n,
                median(Arrays.copyOfRange(seconds, warmup, seconds.length)), steps);
    }

    private static void gather(float[] x, float[] y, int[] order, int from, int to, int width, float[] bx, float[] by, int at) {
        for (int i = from; i < to; i++) {
            System.arraycopy(x, order[i] * width, bx, (at + i - from) * width, width);
            by[at + i - from] = y[order[i]];
        }
    }

    private static double[] report(String mode, int rows, double epochSeconds, int steps) {
        double[] r = {rows / epochSeconds, epochSeconds * 1000 / steps};
        System.out.printf(Locale.ROOT, "%-44s %,12.0f %12.2f%n", mode, r[0], r[1]);
        return r;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
