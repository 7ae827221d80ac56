package dev.nnc.spark;

import static dev.nnc.spark.TestData.difference;
import static dev.nnc.spark.TestData.parameters;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.spark.models.Classifier;
import dev.nnc.spark.models.Linear;
import dev.nnc.spark.models.Normed;
import dev.nnc.spark.models.Regressor32;
import dev.nnc.spark.models.Regressor64;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark training (local mode, 2 partitions of different sizes) against single-process gradient
 * accumulation on the same batches ({@link TestData#reference}): bit for bit, in f64 and f32, up
 * to 16 partitions (the driver adds the partitions' sums in the reference's order), to 1e-12 with
 * treeAggregate beyond; empty partitions, a retried
 * task, resuming from a checkpoint (exactly, optimizer state included), the learning-rate
 * schedule, progress, and bad input.
 */
class SparkTrainerTest {
    static final List<Row> ROWS = TestData.regressionRows(75, 1);
    /** Two partitions of 30 and 45 rows: with batches of 8 the first runs out after 4 of the 6 steps. */
    static final List<Row> FIRST = ROWS.subList(0, 30), SECOND = ROWS.subList(30, 75);

    static Dataset<Row> regression() {
        return TestData.partitioned(TestData.REGRESSION, FIRST, SECOND);
    }

    static SparkTrainer<Regressor64> regressor64() {
        return SparkTrainer.of(Regressor64.class).target("y0", "y1").batchSize(8).epochs(3).seed(5);
    }

    /**
     * The parameters of {@code got} are those of {@code want} to {@code tolerance} of the largest
     * one. (Up to 16 partitions the comparisons are exact: each partition's sum is 0 + rows ×
     * gradient, and the driver adds them in partition order, as the reference does; treeAggregate
     * adds in another order.)
     */
    static void assertClose(Object want, Object got, double tolerance) {
        double d = difference(parameters(want), parameters(got));
        assertTrue(d <= tolerance, "largest difference " + d + " of the largest parameter, tolerance " + tolerance);
    }

    @Test
    void f64TrainingEqualsSingleProcessAccumulationOnTheSameBatches() {
        Dataset<Row> data = regression();
        List<List<Row>> parts = TestData.partitions(data);
        assertEquals(List.of(30, 45), parts.stream().map(List::size).toList());
        Regressor64 spark = regressor64().fit(data);
        Regressor64 single = new Regressor64(5);
        double[] initial = parameters(single);
        TestData.reference(single, parts, 6, 8, 3, 5, true, null);
        assertEquals(18L, spark.steps());
        assertEquals(18L, single.steps());
        assertArrayEquals(parameters(single), parameters(spark), "bit for bit");
        assertTrue(difference(initial, parameters(spark)) > 1e-2, "training moved the parameters");
    }

    @Test
    void f32TrainingEqualsSingleProcessAccumulationToo() {
        Dataset<Row> data = regression();
        Regressor32 spark = SparkTrainer.of(Regressor32.class).target("y0", "y1").batchSize(8).epochs(3).seed(5).fit(data);
        Regressor32 single = new Regressor32(5);
        TestData.reference(single, TestData.partitions(data), 6, 8, 3, 5, true, null);
        assertArrayEquals(parameters(single), parameters(spark), "bit for bit");
    }

    /**
     * Batch norm and dropout: every partition runs a training-mode pass (its own dropout masks,
     * its batch's statistics), and the driver keeps the running statistics of the first
     * partition with rows, as DistributedDataParallel keeps rank 0's buffers.
     */
    @Test
    void batchNormAndDropoutTrainInTrainingModeAndKeepTheFirstPartitionsBuffers() {
        Dataset<Row> data = regression();
        Normed spark = SparkTrainer.of(Normed.class).target("y0", "y1").batchSize(8).epochs(2).seed(4).fit(data);
        Normed single = new Normed(4);
        TestData.reference(single, TestData.partitions(data), 6, 8, 2, 4, true, null);
        assertArrayEquals(parameters(single), parameters(spark), "parameters bit for bit");
        assertArrayEquals(single.buffer("mean"), spark.buffer("mean"), "running mean bit for bit");
        assertArrayEquals(single.buffer("var"), spark.buffer("var"), "running variance bit for bit");
        assertTrue(Math.abs(spark.buffer("var")[0] - 1) > 1e-3 && spark.buffer("mean")[0] != 0, "the running statistics moved");
    }

    @Test
    void classLabelsFromAnArrayColumnWithAdam() {
        List<Row> rows = TestData.classRows(50, 2);
        Dataset<Row> data = TestData.partitioned(TestData.CLASSES, rows.subList(0, 21), rows.subList(21, 50));
        Classifier spark = SparkTrainer.of(Classifier.class).features("features").target("label").batchSize(6).epochs(4).seed(9)
                .shuffle(false).fit(data);
        Classifier single = new Classifier(9);
        TestData.reference(single, TestData.partitions(data), 1, 6, 4, 9, false, null);
        assertArrayEquals(parameters(single), parameters(spark), "bit for bit");
        assertEquals(20L, spark.steps());
    }

    @Test
    void anEmptyPartitionAddsNothing() {
        Dataset<Row> withEmpty = TestData.partitioned(TestData.REGRESSION, FIRST, List.of(), SECOND);
        Regressor64 spark = regressor64().fit(withEmpty);
        Regressor64 single = new Regressor64(5);
        TestData.reference(single, TestData.partitions(withEmpty), 6, 8, 3, 5, true, null);
        assertArrayEquals(parameters(single), parameters(spark), "bit for bit");
        // unshuffled (the shuffle depends on the partition's index), the same rows make the same steps, and an empty
        // partition's sum merges as nothing: the result is that of the two partitions alone, to the last bit
        Regressor64 unshuffled = regressor64().shuffle(false).fit(withEmpty);
        Regressor64 without = regressor64().shuffle(false).fit(regression());
        assertArrayEquals(parameters(without), parameters(unshuffled));
    }

    @Test
    void upTo16PartitionsTheDriverAddsTheSumsInPartitionOrderSoRunsRepeatBitForBit() {
        Dataset<Row> five = TestData.partitioned(TestData.REGRESSION, ROWS.subList(0, 9), ROWS.subList(9, 30), ROWS.subList(30, 31),
                ROWS.subList(31, 60), ROWS.subList(60, 75));
        Regressor64 first = regressor64().fit(five), second = regressor64().fit(five);
        assertArrayEquals(parameters(first), parameters(second));
        Regressor64 single = new Regressor64(5);
        TestData.reference(single, TestData.partitions(five), 6, 8, 3, 5, true, null);
        assertArrayEquals(parameters(single), parameters(first), "bit for bit");
    }

    @Test
    void moreThan16PartitionsAreSummedByTreeAggregate() {
        List<List<Row>> parts = new ArrayList<>();
        for (int i = 0; i < 20; i++) parts.add(ROWS.subList(i * 75 / 20, (i + 1) * 75 / 20));
        @SuppressWarnings("unchecked")
        Dataset<Row> twenty = TestData.partitioned(TestData.REGRESSION, parts.toArray(List[]::new));
        assertTrue(twenty.rdd().getNumPartitions() > SparkTrainer.DRIVER_SUM_PARTITIONS);
        Regressor64 spark = regressor64().batchSize(2).fit(twenty);
        Regressor64 single = new Regressor64(5);
        TestData.reference(single, TestData.partitions(twenty), 6, 2, 3, 5, true, null);
        assertClose(single, spark, 1e-12);
    }

    @Test
    void dataWithoutRowsIsAnError() {
        Dataset<Row> none = TestData.partitioned(TestData.REGRESSION, List.of(), List.of());
        assertEquals("the data has no rows", assertThrows(IllegalArgumentException.class, () -> regressor64().fit(none)).getMessage());
    }

    static final AtomicInteger FAILURES = new AtomicInteger(), RETRIES = new AtomicInteger();

    @Test
    void aFailedTaskRetriedBySparkGivesTheSameResult() {
        FAILURES.set(0);
        RETRIES.set(0);
        Regressor64 undisturbed = regressor64().fit(regression());
        Regressor64 retried = regressor64().taskHook((epoch, step, partition, attempt) -> {
            if (epoch == 1 && step == 2 && partition == 1) {
                if (attempt == 0) {
                    FAILURES.incrementAndGet();
                    throw new IllegalStateException("injected failure of the first attempt");
                }
                RETRIES.incrementAndGet();
            }
        }).fit(regression());
        assertEquals(1, FAILURES.get(), "the failure was injected once");
        assertEquals(1, RETRIES.get(), "Spark ran the task again");
        assertArrayEquals(parameters(undisturbed), parameters(retried));
    }

    @Test
    void aCheckpointReloadedContinuesToTheSameParameters(@TempDir Path dir) throws Exception {
        Dataset<Row> data = regression();
        List<EpochReport> reports = new ArrayList<>();
        Linear straight = SparkTrainer.of(Linear.class).features("x0", "x1", "x2", "x3", "x4", "x5").target("y0").batchSize(8)
                .epochs(3).seed(3).checkpoints(dir).onEpoch(reports::add).fit(data);
        for (int e = 1; e <= 3; e++) assertTrue(Files.exists(SparkTrainer.checkpointFile(dir, e)), "checkpoint of epoch " + e);
        assertEquals(SparkTrainer.checkpointFile(dir, 2), reports.get(1).checkpoint());

        Linear resumed = SparkTrainer.of(Linear.class).features("x0", "x1", "x2", "x3", "x4", "x5").target("y0").batchSize(8)
                .epochs(3).seed(3).resume(SparkTrainer.checkpointFile(dir, 1), 1).fit(data);
        assertArrayEquals(parameters(straight), parameters(resumed), "epochs 2 and 3 after reloading epoch 1's parameters");
        Linear last = new Linear(99);
        last.loadParameters(SparkTrainer.checkpointFile(dir, 3));
        assertArrayEquals(parameters(straight), parameters(last), "the last checkpoint holds the final parameters");
        double[] afterFirst = parameters(loaded(SparkTrainer.checkpointFile(dir, 1)));
        assertTrue(difference(afterFirst, parameters(straight)) > 1e-3, "the later epochs changed the parameters");
    }

    /**
     * A checkpoint holds the whole state of training ({@code saveCheckpoint}): resumed from epoch
     * 1's, a run with dropout, batch norm's buffers, momentum and a learning-rate schedule ends
     * exactly where the run that never stopped does, to every byte of its last checkpoint
     * (parameters, buffers, momentum, step count, seed, learning rate). The control resumes from
     * epoch 1's parameters and buffers with the momentum and the step count of a new instance,
     * as a checkpoint of the parameters alone would, and ends elsewhere.
     */
    @Test
    void resumedFromACheckpointTrainingEndsWhereTrainingThatNeverStoppedDoes(@TempDir Path dir) throws Exception {
        Dataset<Row> data = regression();
        Path first = dir.resolve("straight"), second = dir.resolve("resumed"), third = dir.resolve("control");
        Normed straight = normed().checkpoints(first).fit(data);
        assertEquals(18L, straight.steps());
        Normed resumed = normed().checkpoints(second).resume(SparkTrainer.checkpointFile(first, 1), 1).fit(data);
        assertFalse(Files.exists(SparkTrainer.checkpointFile(second, 1)), "the resumed run starts with epoch 2");
        assertArrayEquals(Files.readAllBytes(SparkTrainer.checkpointFile(first, 3)), Files.readAllBytes(SparkTrainer.checkpointFile(second, 3)),
                "the last checkpoints");
        assertArrayEquals(parameters(straight), parameters(resumed), "parameters");
        assertArrayEquals(straight.buffer("mean"), resumed.buffer("mean"), "running mean");
        assertEquals(18L, resumed.steps());

        Normed parametersOnly = new Normed(4);
        parametersOnly.loadParameters(SparkTrainer.checkpointFile(first, 1));
        Path fresh = dir.resolve("parameters-only.safetensors");
        parametersOnly.saveCheckpoint(fresh);
        Normed control = normed().checkpoints(third).resume(fresh, 1).fit(data);
        assertTrue(difference(parameters(straight), parameters(control)) > 1e-6, "the momentum and step count changed nothing");
    }

    /** Dropout, batch norm, momentum, and a schedule whose base rate is the model's declared one, over 3 epochs of 6 steps. */
    private static SparkTrainer<Normed> normed() {
        return SparkTrainer.of(Normed.class).target("y0", "y1").batchSize(8).epochs(3).seed(4)
                .learningRate(LearningRateSchedule.warmupCosine(3, 18));
    }

    private static Linear loaded(Path file) throws Exception {
        Linear m = new Linear(0);
        m.loadParameters(file);
        return m;
    }

    @Test
    void theScheduleSetsEveryStepsRateAndProgressIsReported() throws InterruptedException {
        Dataset<Row> data = regression();
        LearningRateSchedule schedule = LearningRateSchedule.warmupCosine(4, 12);
        List<Long> seen = Collections.synchronizedList(new ArrayList<>());
        List<EpochReport> reports = new ArrayList<>();
        List<String> jobs = Collections.synchronizedList(new ArrayList<>());
        SparkListener listener = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                String d = start.properties().getProperty("spark.job.description");
                if (d != null && d.startsWith("nnc Regressor64")) jobs.add(d);
            }
        };
        TestData.spark().sparkContext().addSparkListener(listener);
        Regressor64 spark;
        try {
            spark = regressor64().epochs(2).learningRate((step, epoch, declared) -> {
                seen.add(step);
                return schedule.rate(step, epoch, declared);
            }).onEpoch(reports::add).fit(data);
        } finally {
            TestData.spark().sparkContext().removeSparkListener(listener);
        }
        Regressor64 single = new Regressor64(5);
        TestData.reference(single, TestData.partitions(data), 6, 8, 2, 5, true, schedule);
        assertArrayEquals(parameters(single), parameters(spark), "bit for bit");
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L), seen);
        assertEquals(schedule.rate(11, 1, 0.05), spark.learningRate(), 0.0);

        assertEquals(2, reports.size());
        EpochReport r = reports.get(1);
        assertEquals(List.of(2, 2, 6, 0, 75L), List.of(r.epoch(), r.epochs(), r.steps(), r.skippedSteps(), r.rows()));
        assertTrue(r.meanLoss() > 0 && r.meanLoss() < reports.get(0).meanLoss() * 2, "a mean loss: " + r.meanLoss());
        // the listener bus delivers asynchronously: give it up to 10 s for the last job
        for (int i = 0; i < 200 && !jobs.contains("nnc Regressor64: epoch 2/2, step 6/6"); i++) Thread.sleep(50);
        assertTrue(jobs.contains("nnc Regressor64: epoch 1/2, step 1/6"), jobs.toString());
        assertTrue(jobs.contains("nnc Regressor64: epoch 2/2, step 6/6"), jobs.toString());
    }

    @Test
    void badColumnsAreNamed() {
        Dataset<Row> data = regression();
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> regressor64().target("price").fit(data));
        assertTrue(missing.getMessage().startsWith("no column named 'price' (a target column); the columns are x0, x1"), missing.getMessage());

        IllegalArgumentException narrow = assertThrows(IllegalArgumentException.class,
                () -> regressor64().features("x0", "x1", "x2", "x3", "x4").fit(data));
        assertEquals("Regressor64 does not take these rows: the feature columns [x0, x1, x2, x3, x4] give 5 values per row and the target "
                + "columns [y0, y1] give 2; the model says: input x [batch, 6] needs 6 elements (batch = 1), got 5", narrow.getMessage());

        Dataset<Row> text = data.withColumn("x0", org.apache.spark.sql.functions.lit("a"));
        IllegalArgumentException notNumeric = assertThrows(IllegalArgumentException.class, () -> regressor64().fit(text));
        assertEquals("feature column 'x0' is string; a model takes numbers (numeric columns or arrays of numbers): encode it first",
                notNumeric.getMessage());

        Dataset<Row> withNull = data.withColumn("x3", org.apache.spark.sql.functions.when(
                org.apache.spark.sql.functions.col("x0").gt(1.5), null).otherwise(org.apache.spark.sql.functions.col("x3")));
        Exception nulls = assertThrows(Exception.class, () -> regressor64().fit(withNull));
        assertTrue(nulls.getMessage().contains("column 'x3' is null in row"), nulls.getMessage());

        IllegalArgumentException notAModel = assertThrows(IllegalArgumentException.class, () -> SparkTrainer.of(String.class));
        assertTrue(notAModel.getMessage().startsWith("java.lang.String has no public copyParametersTo method"), notAModel.getMessage());
    }
}
