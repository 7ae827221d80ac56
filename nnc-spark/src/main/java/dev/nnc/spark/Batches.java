package dev.nnc.spark;

import java.util.SplittableRandom;

/**
 * The batch plan of synchronous data-parallel training. In epoch {@code e}, partition
 * {@code p} visits its {@code n} rows in {@link #order} (its own order when not shuffled) and
 * gives step {@code k} the rows at positions {@code [k·b, min((k+1)·b, n))} of that order
 * (b = batch size per partition). An epoch has as many steps as the largest partition needs;
 * a partition that has run out (or has no rows) adds nothing to the later steps, and every
 * step's gradient is averaged over the rows that took part. Public so that a single-process
 * run can replay the same batches.
 */
public final class Batches {
    private Batches() {}

    /** The number of steps of an epoch: the most batches any partition needs. */
    public static int stepsPerEpoch(int[] rowsPerPartition, int batchSize) {
        int steps = 0;
        for (int n : rowsPerPartition) steps = Math.max(steps, (int) ((n + (long) batchSize - 1) / batchSize));
        return steps;
    }

    /**
     * The order in which partition {@code partition} visits its {@code rows} rows in epoch
     * {@code epoch} (counted from 0): a permutation drawn from {@code seed}, the epoch and the
     * partition (Fisher–Yates on a {@link SplittableRandom}), the same on every run and every
     * retry of a task.
     */
    public static int[] order(long seed, int epoch, int partition, int rows) {
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) order[i] = i;
        SplittableRandom r = new SplittableRandom(mix(mix(seed, epoch), partition));
        for (int i = rows - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /**
     * The seed of the model instance that computes partition {@code partition}'s gradient in
     * global step {@code step} (counted from 0 over all epochs): its dropout masks, different in
     * every step and partition, the same on every run and every retry.
     */
    public static long dropoutSeed(long seed, long step, int partition) {
        return mix(mix(mix(seed, 0x64726f70L), step), partition);
    }

    private static long mix(long h, long k) {
        long z = h * 0x9E3779B97F4A7C15L + k;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
