package dev.nnc.spark;

import java.io.Serializable;

/**
 * The rows of one partition, converted once into the model's arrays and cached: row-major
 * features ({@code float[]} or {@code double[]}, {@code featureWidth} per row) and targets
 * ({@code int[]} class labels, or reals, {@code targetWidth} per row).
 */
final class Block implements Serializable {
    private static final long serialVersionUID = 1L;

    final int partition;
    final int rows;
    final int featureWidth;
    final int targetWidth;
    final Object features;
    final Object target;

    Block(int partition, int rows, int featureWidth, int targetWidth, Object features, Object target) {
        this.partition = partition;
        this.rows = rows;
        this.featureWidth = featureWidth;
        this.targetWidth = targetWidth;
        this.features = features;
        this.target = target;
    }

    /** What the driver needs to plan the steps and check the widths, without the data. */
    record Summary(int partition, int rows, int featureWidth, int targetWidth) implements Serializable {}

    Summary summary() {
        return new Summary(partition, rows, featureWidth, targetWidth);
    }

    /**
     * Copies the rows {@code order[from..to)} into {@code x} and {@code y} (arrays of exactly
     * those rows), in that order.
     */
    void gather(int[] order, int from, int to, Object x, Object y) {
        for (int i = from; i < to; i++) {
            int r = order == null ? i : order[i];
            System.arraycopy(features, r * featureWidth, x, (i - from) * featureWidth, featureWidth);
            System.arraycopy(target, r * targetWidth, y, (i - from) * targetWidth, targetWidth);
        }
    }
}
