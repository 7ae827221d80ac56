package dev.nnc.spark;

import java.io.Serializable;

/**
 * What one step aggregates: the sum over rows of the gradient (Σ rows_i · mean gradient of
 * batch i), the number of rows and the sum of their losses. Empty ({@code sum == null}) until a
 * batch is added, so partitions without rows cost nothing to ship.
 */
final class GradientSum implements Serializable {
    private static final long serialVersionUID = 1L;

    double[] sum;
    long rows;
    double lossSum;

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
        return this;
    }
}
