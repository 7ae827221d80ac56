package dev.nnc.spark;

import java.io.Serializable;
import org.apache.spark.TaskContext;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction2;

/**
 * A step's task over one partition, for {@code SparkContext.runJob}: the {@link StepTask} of
 * each of its blocks (one). A class of its own rather than a lambda, so that Spark's closure
 * cleaner has nothing to analyze.
 */
final class PartitionSum<M> extends AbstractFunction2<TaskContext, Iterator<Block>, GradientSum> implements Serializable {
    private static final long serialVersionUID = 1L;
    private final StepTask<M> task;

    PartitionSum(StepTask<M> task) {
        this.task = task;
    }

    @Override
    public GradientSum apply(TaskContext context, Iterator<Block> blocks) {
        GradientSum acc = new GradientSum();
        while (blocks.hasNext()) acc = task.call(acc, blocks.next());
        return acc;
    }
}
