package dev.nnc.spark;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * The work of one step in one partition (the {@code seqOp} of {@code treeAggregate}, or the body
 * of {@link PartitionSum}): seed the dropout masks of this thread's model instance for the step
 * and partition ({@code setDropoutSeed(}{@link Batches#dropoutSeed}{@code )}; the instance never
 * takes a step, so its step count stays 0), load the broadcast parameters and buffers into it, take the
 * partition's batch of this step, compute its training-mode gradient with
 * {@code trainingGradients} (dropout on, batch statistics) and add rows × gradient to the sum,
 * with the buffers as that pass updated them. Deterministic: a retried task computes the same
 * numbers.
 */
final class StepTask<M> implements Function2<GradientSum, Block, GradientSum> {
    private static final long serialVersionUID = 1L;

    private final GeneratedModel<M> model;
    /** The parameters (flat) and then each buffer's values. */
    private final Broadcast<Object[]> state;
    private final long seed, globalStep;
    private final boolean shuffle;
    private final int epoch, step, batchSize;
    private final TaskHook hook;

    StepTask(GeneratedModel<M> model, Broadcast<Object[]> state, long seed, boolean shuffle, int epoch, int step, long globalStep,
             int batchSize, TaskHook hook) {
        this.model = model;
        this.state = state;
        this.globalStep = globalStep;
        this.seed = seed;
        this.shuffle = shuffle;
        this.epoch = epoch;
        this.step = step;
        this.batchSize = batchSize;
        this.hook = hook;
    }

    @Override
    public GradientSum call(GradientSum acc, Block b) {
        int from = (int) Math.min(b.rows, (long) step * batchSize), to = (int) Math.min(b.rows, (long) from + batchSize);
        if (from >= to) return acc;
        int n = to - from;
        Worker w = Worker.of(model);
        @SuppressWarnings("unchecked")
        M m = (M) w.instance;
        Object[] s = state.value();
        model.setDropoutSeed(m, Batches.dropoutSeed(seed, globalStep, b.partition));
        model.copyParametersFrom(m, s[0]);
        if (s.length > 1) model.setBuffers(m, java.util.Arrays.copyOfRange(s, 1, s.length));
        Object[] batch = w.batch(model, n, b.featureWidth, b.targetWidth);
        b.gather(shuffle ? Orders.get(seed, epoch, b.partition, b.rows) : null, from, to, batch[0], batch[1]);
        double loss = model.trainingGradients(m, n, batch[0], batch[1]);
        if (acc.sum == null) acc.sum = new double[model.parameterCount];
        model.accumulateGradient(m, acc.sum, n);
        acc.rows += n;
        acc.lossSum += loss * n;
        if (!model.bufferNames.isEmpty() && b.partition < acc.buffersFrom) {
            acc.buffers = model.copyBuffers(m);
            acc.buffersFrom = b.partition;
        }
        if (hook != null) {
            TaskContext tc = TaskContext.get();
            hook.afterGradient(epoch, step, b.partition, tc == null ? 0 : tc.attemptNumber());
        }
        return acc;
    }

    /** A task thread's model instance and batch arrays, reused from step to step. */
    private static final class Worker {
        private static final ThreadLocal<Map<Class<?>, Worker>> BY_CLASS = ThreadLocal.withInitial(HashMap::new);

        final Object instance;
        private final Map<Long, Object[]> batches = new HashMap<>();

        private Worker(Object instance) {
            this.instance = instance;
        }

        static Worker of(GeneratedModel<?> model) {
            return BY_CLASS.get().computeIfAbsent(model.type, c -> new Worker(model.newInstance(0)));
        }

        /** Arrays for {@code n} rows: features, target (the last two sizes used are kept). */
        Object[] batch(GeneratedModel<?> model, int n, int fw, int tw) {
            long key = ((long) n << 32) ^ ((long) fw << 16) ^ tw;
            Object[] b = batches.get(key);
            if (b == null) {
                if (batches.size() >= 2) batches.clear();
                b = new Object[] {model.newArray(n * fw), model.classLabels ? new int[n * tw] : model.newArray(n * tw)};
                batches.put(key, b);
            }
            return b;
        }
    }

    /** The shuffled order of each partition for its current epoch, computed once per executor. */
    private static final class Orders {
        private record Entry(long seed, int epoch, int rows, int[] order) {}

        private static final Map<Integer, Entry> BY_PARTITION = new ConcurrentHashMap<>();

        static int[] get(long seed, int epoch, int partition, int rows) {
            Entry e = BY_PARTITION.get(partition);
            if (e == null || e.seed != seed || e.epoch != epoch || e.rows != rows) {
                e = new Entry(seed, epoch, rows, Batches.order(seed, epoch, partition, rows));
                BY_PARTITION.put(partition, e);
            }
            return e.order;
        }
    }
}
