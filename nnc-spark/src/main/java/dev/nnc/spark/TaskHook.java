package dev.nnc.spark;

import java.io.Serializable;

/**
 * Runs in a gradient task right after it computed its batch's gradient, before the task
 * returns: for metrics of one's own, or to inject a failure in tests (Spark then runs the task
 * again; the result must not change). It runs on the executors, so it must be serializable.
 */
@FunctionalInterface
public interface TaskHook extends Serializable {
    /**
     * @param epoch     the epoch, from 0
     * @param step      the step within the epoch, from 0
     * @param partition the partition whose batch this was
     * @param attempt   Spark's attempt number of the task (0 the first time)
     */
    void afterGradient(int epoch, int step, int partition, int attempt);
}
