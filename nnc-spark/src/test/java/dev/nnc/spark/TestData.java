package dev.nnc.spark;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** One Spark session for every test class (local mode, 2 threads, up to 4 attempts per task), data, and the single-process reference. */
final class TestData {
    private TestData() {}

    private static SparkSession session;

    static synchronized SparkSession spark() {
        if (session == null) {
            session = SparkSession.builder().master("local[2,4]").appName("nnc-spark tests")
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
            Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
        }
        return session;
    }

    static final StructType REGRESSION = new StructType(new StructField[] {
        field("x0"), field("x1"), field("x2"), field("x3"), field("x4"), field("x5"), field("y0"), field("y1")});
    static final StructType CLASSES = new StructType(new StructField[] {
        DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false),
        DataTypes.createStructField("label", DataTypes.IntegerType, false)});

    private static StructField field(String name) {
        return DataTypes.createStructField(name, DataTypes.DoubleType, true);
    }

    /** Rows of six features and two real targets (a smooth function of the features plus noise). */
    static List<Row> regressionRows(int n, long seed) {
        Random r = new Random(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] x = new double[6];
            for (int j = 0; j < 6; j++) x[j] = r.nextGaussian();
            double y0 = Math.sin(x[0]) + 0.5 * x[1] * x[2] + 0.1 * r.nextGaussian();
            double y1 = x[3] - x[4] * x[5] + 0.1 * r.nextGaussian();
            rows.add(RowFactory.create(x[0], x[1], x[2], x[3], x[4], x[5], y0, y1));
        }
        return rows;
    }

    /** Rows of a feature array and a class label in 0..2. */
    static List<Row> classRows(int n, long seed) {
        Random r = new Random(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Double> x = new ArrayList<>();
            for (int j = 0; j < 6; j++) x.add(r.nextGaussian());
            int label = x.get(0) + x.get(1) > 0.5 ? 0 : x.get(2) * x.get(3) > 0 ? 1 : 2;
            rows.add(RowFactory.create(scala.jdk.javaapi.CollectionConverters.asScala(x).toSeq(), label));
        }
        return rows;
    }

    /** A dataset whose partitions hold exactly {@code parts} (in order; a part may be empty). */
    @SafeVarargs
    static Dataset<Row> partitioned(StructType schema, List<Row>... parts) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark().sparkContext());
        JavaRDD<Row> rdd = null;
        for (List<Row> p : parts) {
            JavaRDD<Row> one = jsc.parallelize(p, 1);
            rdd = rdd == null ? one : rdd.union(one);
        }
        return spark().createDataFrame(rdd, schema);
    }

    /** What each partition of {@code data} holds, in order. */
    static List<List<Row>> partitions(Dataset<Row> data) {
        return data.javaRDD().glom().collect();
    }

    // ---- the single-process reference: the same batches, gradients accumulated on one instance ----

    /** Converts rows to the model's arrays: features from the first {@code nf} values (flattening arrays), the rest the target. */
    static Object[] arrays(List<Row> rows, int nf, boolean f32, boolean labels) {
        List<Double> x = new ArrayList<>(), y = new ArrayList<>();
        for (Row row : rows) {
            for (int i = 0; i < row.size(); i++) {
                List<Double> into = i < nf ? x : y;
                Object v = row.get(i);
                if (v instanceof Number num) into.add(num.doubleValue());
                else for (Object e : row.getList(i)) into.add(((Number) e).doubleValue());
            }
        }
        Object xs = Array.newInstance(f32 ? float.class : double.class, x.size());
        for (int i = 0; i < x.size(); i++) Array.set(xs, i, f32 ? (Object) (float) (double) x.get(i) : x.get(i));
        Object ys = Array.newInstance(labels ? int.class : f32 ? float.class : double.class, y.size());
        for (int i = 0; i < y.size(); i++) Array.set(ys, i, labels ? (Object) (int) (double) y.get(i) : f32 ? (Object) (float) (double) y.get(i) : y.get(i));
        return new Object[] {xs, ys};
    }

    static Object call(Object target, String name, Object... args) {
        for (Method m : target.getClass().getMethods()) {
            if (!m.getName().equals(name) || m.getParameterCount() != args.length) continue;
            try {
                return m.invoke(target, args);
            } catch (IllegalArgumentException wrongTypes) {
                continue;
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            } catch (InvocationTargetException e) {
                throw new AssertionError(e.getCause());
            }
        }
        throw new AssertionError("no " + name + "/" + args.length + " on " + target.getClass());
    }

    /**
     * Trains {@code model} in this process on the batches {@link Batches} assigns to
     * {@code parts} (the rows of each partition): per step and partition, a worker instance
     * seeded with {@link Batches#dropoutSeed} and given the model's parameters and buffers runs
     * {@code trainingGradients} and {@code accumulateGradient} on the partition's batch; then one
     * {@code applyGradient}, and the buffers of the first partition with rows.
     */
    static void reference(Object model, List<List<Row>> parts, int nf, int batchSize, int epochs, long seed, boolean shuffle,
                          LearningRateSchedule schedule) {
        boolean f32 = hasFloatParameters(model);
        boolean labels = false;
        for (Method m : model.getClass().getMethods()) {
            if (m.getName().equals("trainingGradients")) labels = m.getParameterTypes()[2] == int[].class;
        }
        int count = (Integer) field(model, "PARAMETER_COUNT");
        List<?> buffers = (List<?>) field(model, "BUFFER_NAMES");
        Object worker = call(model, "copy");
        int[] sizes = parts.stream().mapToInt(List::size).toArray();
        int steps = Batches.stepsPerEpoch(sizes, batchSize);
        double declared = (Double) call(model, "learningRate");
        for (int e = 0; e < epochs; e++) {
            for (int k = 0; k < steps; k++) {
                if (schedule != null) call(model, "setLearningRate", schedule.rate((long) e * steps + k, e, declared));
                double[] sum = new double[count];
                long total = 0;
                Object flat = Array.newInstance(f32 ? float.class : double.class, count);
                call(model, "copyParametersTo", flat);
                List<Object> updated = null;
                for (int p = 0; p < parts.size(); p++) {
                    int n = sizes[p], from = Math.min(n, k * batchSize), to = Math.min(n, from + batchSize);
                    if (from >= to) continue;
                    int[] order = shuffle ? Batches.order(seed, e, p, n) : null;
                    List<Row> batch = new ArrayList<>();
                    for (int i = from; i < to; i++) batch.add(parts.get(p).get(order == null ? i : order[i]));
                    Object[] xy = arrays(batch, nf, f32, labels);
                    call(worker, "reset", Batches.dropoutSeed(seed, (long) e * steps + k, p));
                    call(worker, "copyParametersFrom", flat);
                    for (Object b : buffers) call(worker, "setBuffer", b, copyOf(call(model, "buffer", b)));
                    call(worker, "trainingGradients", to - from, xy[0], xy[1]);
                    call(worker, "accumulateGradient", sum, (long) (to - from));
                    total += to - from;
                    if (updated == null) {
                        updated = new ArrayList<>();
                        for (Object b : buffers) updated.add(copyOf(call(worker, "buffer", b)));
                    }
                }
                call(model, "applyGradient", sum, total);
                if (!(Boolean) call(model, "lastStepSkipped")) {
                    for (int i = 0; i < buffers.size(); i++) call(model, "setBuffer", buffers.get(i), updated.get(i));
                }
            }
        }
    }

    private static Object copyOf(Object array) {
        int n = Array.getLength(array);
        Object c = Array.newInstance(array.getClass().getComponentType(), n);
        System.arraycopy(array, 0, c, 0, n);
        return c;
    }

    static boolean hasFloatParameters(Object model) {
        for (Method m : model.getClass().getMethods()) {
            if (m.getName().equals("copyParametersTo")) return m.getParameterTypes()[0] == float[].class;
        }
        throw new AssertionError("no copyParametersTo");
    }

    static Object field(Object model, String name) {
        try {
            return model.getClass().getField(name).get(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Every parameter, flat, as doubles. */
    static double[] parameters(Object model) {
        int count = (Integer) field(model, "PARAMETER_COUNT");
        Object flat = Array.newInstance(hasFloatParameters(model) ? float.class : double.class, count);
        call(model, "copyParametersTo", flat);
        double[] d = new double[count];
        for (int i = 0; i < count; i++) d[i] = Array.getDouble(flat, i);
        return d;
    }

    /** The largest difference between two parameter vectors, relative to the largest parameter. */
    static double difference(double[] want, double[] got) {
        double scale = 0, worst = 0;
        for (double w : want) scale = Math.max(scale, Math.abs(w));
        for (int i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - got[i]));
        return worst / scale;
    }
}
