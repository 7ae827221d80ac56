package dev.nnc.spark;

import java.nio.file.Path;

/**
 * One finished epoch of {@link SparkTrainer#fit}.
 *
 * @param epoch        the epoch, from 1
 * @param epochs       the epochs of the run
 * @param steps        the optimizer steps of the epoch
 * @param skippedSteps steps the model skipped because a gradient was not finite
 * @param rows         the rows that took part (each row once per epoch)
 * @param meanLoss     the mean over those rows of the loss of their batch (with the parameters of that step)
 * @param learningRate the rate of the epoch's last step
 * @param seconds      wall time of the epoch, checkpoint included
 * @param checkpoint   the parameters file written after the epoch, or null
 */
public record EpochReport(int epoch, int epochs, int steps, int skippedSteps, long rows, double meanLoss, double learningRate,
                          double seconds, Path checkpoint) {
    /** Rows per second of wall time. */
    public double rowsPerSecond() {
        return rows / seconds;
    }
}
