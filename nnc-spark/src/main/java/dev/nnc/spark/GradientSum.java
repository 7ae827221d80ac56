package dev.nnc.spark;

import java.io.Serializable;

/**
 * What one step aggregates: the sum over rows of the gradient (Σ rows_i · mean gradient of
 * batch i), the number of rows, the sum of their losses and the buffers of one partition. Empty ({@code sum == null}) until a
 * batch is added, so partitions without rows cost nothing to ship.
 */
final class GradientSum implements Serializable {
    private static final long serialVersionUID = 1L;

    double[] sum;
    long rows;
    double lossSum;
    /**
     * The buffers (batch norm's running statistics) as the pass of the lowest-numbered partition
     * with rows left them, and that partition; null for a model without buffers.
     */
    Object[] buffers;
    int buffersFrom = Integer.MAX_VALUE;

    /** Adds {@code other} into this one and returns this (Spark's combine: either may be empty). */
    GradientSum merge(GradientSum other) {
        if (other.sum == null) return this;
        if (sum == null) {
            sum = other.sum;
        } else {
            double[] a = sum, b = other.sum;
            for (int i = 0; i < a.length; i++) a[i] += b[i];
        }
        rows += other.rows;
        lossSum += other.lossSum;
        if (other.buffers != null && other.buffersFrom < buffersFrom) {
            buffers = other.buffers;
            buffersFrom = other.buffersFrom;
        }
        return this;
    }
}
