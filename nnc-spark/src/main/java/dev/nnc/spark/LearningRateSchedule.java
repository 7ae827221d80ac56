package dev.nnc.spark;

/**
 * The learning rate of each step, set on the model ({@code setLearningRate}) before the step's
 * update. Runs on the driver.
 */
@FunctionalInterface
public interface LearningRateSchedule {
    /**
     * @param step     the step, counted from 0 over the whole run (epoch · steps per epoch + step in the epoch)
     * @param epoch    the epoch, from 0
     * @param declared the rate the model declares ({@code lr} of its optimizer statement)
     * @return the rate of this step: finite and at least 0
     */
    double rate(long step, int epoch, double declared);

    /**
     * Linear warm-up over {@code warmupSteps} steps to the declared rate, then cosine decay to 0
     * at {@code totalSteps}.
     */
    static LearningRateSchedule warmupCosine(long warmupSteps, long totalSteps) {
        return (step, epoch, declared) -> {
            if (step < warmupSteps) return declared * (step + 1) / warmupSteps;
            double t = Math.min(1.0, (step - warmupSteps) / (double) Math.max(1, totalSteps - warmupSteps));
            return declared * 0.5 * (1 + Math.cos(Math.PI * t));
        };
    }
}
