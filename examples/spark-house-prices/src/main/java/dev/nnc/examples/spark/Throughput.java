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
 * every mode. The modes take turns, round after round (each round: warm-up epochs, then timed
 * ones), and the median timed epoch of each mode is reported: on a shared machine, load comes
 * and goes during a run, and taking turns spreads it over all modes. Besides wall time, the
 * CPU time of the whole process per step (every thread: Spark's driver, executor and network
 * threads too), which load inflates much less.
 *
 * <pre>Throughput TRAIN.csv [--test TEST.csv] [--epochs 5] [--warmup 2] [--batch 64] [--rounds 3]</pre>
 */
public final class Throughput {
    private Throughput() {}

    static final int PARTITIONS = 2;

    public static void main(String[] args) {
        String train = null, test = null;
        int epochs = 5, warmup = 2, batch = 64, rounds = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--test" -> test = args[++i];
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> train = args[i];
            }
        }
        if (train == null) {
            throw new IllegalArgumentException("usage: Throughput TRAIN.csv [--test TEST.csv] [--epochs N] [--warmup N] [--batch N] [--rounds N]");
        }
        SparkSession prep = session("local[2]");
        HousePriceFeatures f = HousePriceFeatures.of(prep, train, test);
        Dataset<Row> selected = f.data().select("features", "y");
        StructType schema = selected.schema();
        List<Row> rows = selected.collectAsList();
        prep.stop();
        System.out.printf(Locale.ROOT, "%d rows, %d features, %d partitions, batch %d per partition (%d per step); %d rounds of the 4 modes, "
                + "each %d warm-up + %d timed epochs; median of the timed epochs%n", rows.size(), f.width(), PARTITIONS, batch,
                batch * PARTITIONS, rounds, warmup, epochs);
        String[] modes = {"Spark local[1]", "Spark local[2]", "no Spark, accumulate partitions + applyGradient",
            "no Spark, trainStep on the step's rows"};
        List<List<double[]>> perEpoch = new ArrayList<>();
        for (String m : modes) perEpoch.add(new ArrayList<>());
        int steps = 0;
        for (int r = 0; r < rounds; r++) {
            steps = spark("local[1]", rows, schema, batch, warmup, epochs, perEpoch.get(0));
            spark("local[2]", rows, schema, batch, warmup, epochs, perEpoch.get(1));
            withoutSpark(rows, batch, warmup, epochs, false, perEpoch.get(2));
            withoutSpark(rows, batch, warmup, epochs, true, perEpoch.get(3));
        }
        System.out.printf(Locale.ROOT, "%-48s %10s %10s %14s%n", "mode", "rows/s", "ms/step", "CPU ms/step");
        double[] wall = new double[modes.length], cpu = new double[modes.length];
        for (int i = 0; i < modes.length; i++) {
            double epoch = median(perEpoch.get(i).stream().mapToDouble(e -> e[0]).toArray());
            wall[i] = epoch * 1000 / steps;
            cpu[i] = median(perEpoch.get(i).stream().mapToDouble(e -> e[1]).toArray()) * 1000 / steps;
            System.out.printf(Locale.ROOT, "%-48s %,10.0f %10.2f %14.2f%n", modes[i], rows.size() / epoch, wall[i], cpu[i]);
        }
        System.out.printf(Locale.ROOT, "Spark overhead per step (minus accumulation's): %.2f ms wall, %.2f ms CPU on local[1]; "
                + "%.2f ms wall, %.2f ms CPU on local[2]%n", wall[0] - wall[2], cpu[0] - cpu[2], wall[1] - wall[2], cpu[1] - cpu[2]);
    }

    static SparkSession session(String master) {
        SparkSession s = SparkSession.builder().master(master).appName("nnc throughput").config("spark.ui.enabled", "false").getOrCreate();
        s.sparkContext().setLogLevel("WARN");
        return s;
    }

    /** The CPU time of this process (every thread), in seconds. */
    static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    /**
     * Trains on Spark; adds {wall seconds, CPU seconds} of each timed epoch to {@code timed} and
     * returns the steps per epoch.
     */
    static int spark(String master, List<Row> rows, StructType schema, int batch, int warmup, int epochs, List<double[]> timed) {
        SparkSession s = session(master);
        try {
            Dataset<Row> data = s.createDataFrame(JavaSparkContext.fromSparkContext(s.sparkContext()).parallelize(rows, PARTITIONS), schema);
            List<EpochReport> reports = new ArrayList<>();
            double[] lastCpu = {0};
            SparkTrainer.of(HousePrices.class).features("features").target("y").batchSize(batch).epochs(warmup + epochs).onEpoch(r -> {
                double now = cpuSeconds();
                if (r.epoch() > warmup) timed.add(new double[] {r.seconds(), now - lastCpu[0]});
                lastCpu[0] = now;
                reports.add(r);
            }).fit(data);
            return reports.get(0).steps();
        } finally {
            s.stop();
        }
    }

    /** The same without Spark, in this thread: the partitions' batches accumulated, or trainStep on their concatenation. */
    static void withoutSpark(List<Row> rows, int batch, int warmup, int epochs, boolean trainStep, List<double[]> timed) {
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
        for (int e = 0; e < warmup + epochs; e++) {
            long t0 = System.nanoTime();
            double c0 = cpuSeconds();
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
                        m.trainingGradients(rowsHere, px, py);
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
            if (e >= warmup) timed.add(new double[] {(System.nanoTime() - t0) / 1e9, cpuSeconds() - c0});
        }
    }

    private static void gather(float[] x, float[] y, int[] order, int from, int to, int width, float[] bx, float[] by, int at) {
        for (int i = from; i < to; i++) {
            System.arraycopy(x, order[i] * width, bx, (at + i - from) * width, width);
            by[at + i - from] = y[order[i]];
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
