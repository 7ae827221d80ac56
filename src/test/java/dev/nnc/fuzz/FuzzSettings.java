package dev.nnc.fuzz;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;

/** Settings shared by the fuzz tests. */
final class FuzzSettings {
    private FuzzSettings() {}

    /**
     * How long each fuzz test fuzzes when {@code JAZZER_FUZZ} is set: the short runs of
     * {@code mvn verify}. Longer runs pass {@code -max_total_time} (bench/fuzz does).
     */
    static final String VERIFY_DURATION = "8s";

    /**
     * An input taking longer than this is a finding (a hang). While fuzzing, libFuzzer's
     * {@code -timeout} enforces it (set in pom.xml; JUnit's {@code @Timeout} would bound the whole
     * fuzzing run instead); replays enforce it with {@link #bounded}. The short fuzzing runs of
     * {@code mvn verify} allow 120 s instead: they start cold, and an input that first reaches
     * javac (a generated class of up to 200,000 characters, instrumented code around it) took
     * 43 s there once, on a quiet machine, and replayed in under 15 s.
     */
    static final Duration INPUT_TIMEOUT = Duration.ofSeconds(30);

    /** True when Jazzer is fuzzing (JAZZER_FUZZ set), false when it replays seeds and findings. */
    static final boolean FUZZING = System.getenv("JAZZER_FUZZ") != null && !System.getenv("JAZZER_FUZZ").isEmpty();

    /** Runs {@code target}; when replaying, fails it if it takes longer than {@link #INPUT_TIMEOUT}. */
    static void bounded(Runnable target) {
        if (FUZZING) {
            target.run();
        } else {
            assertTimeoutPreemptively(INPUT_TIMEOUT, target::run, "the input hangs the code under test");
        }
    }
}
