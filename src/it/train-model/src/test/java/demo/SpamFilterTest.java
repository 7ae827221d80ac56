package demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uses the class nnc:generate made from src/main/nn/demo/spam_filter.nn, as the README shows. */
class SpamFilterTest {
    static final int N = 64;
    final float[] features = new float[N * 3]; // row-major [batch, 3]
    final float[] spam = new float[N];         // [batch, 1]

    SpamFilterTest() {
        Random r = new Random(1);
        for (int i = 0; i < N; i++) {
            float a = (float) r.nextGaussian(), b = (float) r.nextGaussian(), c = (float) r.nextGaussian();
            features[3 * i] = a;
            features[3 * i + 1] = b;
            features[3 * i + 2] = c;
            spam[i] = a - 2 * b > 0.3f ? 1 : 0; // c is noise
        }
    }

    @Test
    void trainingLowersTheLossAndClassifies() {
        SpamFilter model = new SpamFilter(42);
        float before = model.loss(N, features, spam);
        float last = before;
        for (int step = 0; step < 60; step++) last = model.trainStep(N, features, spam);
        float after = model.loss(N, features, spam);
        assertEquals(60, model.steps());
        assertTrue(after < before / 2, "loss " + before + " -> " + after);
        assertTrue(after <= last + 1e-3f, "the loss after the last step is no higher than during it");

        float[] probability = new float[N];
        model.infer(N, features, probability);
        int right = 0;
        for (int i = 0; i < N; i++) if ((probability[i] > 0.5f) == (spam[i] == 1)) right++;
        assertTrue(right >= 0.9 * N, right + " of " + N + " right");
    }

    @Test
    void parametersByNameAndSafetensorsRoundTrip(@TempDir Path tmp) throws Exception {
        assertEquals(List.of("w1", "b1", "w2", "b2"), SpamFilter.PARAMETER_NAMES);
        SpamFilter trained = new SpamFilter(7);
        for (int step = 0; step < 5; step++) trained.trainStep(N, features, spam);
        assertArrayEquals(new int[] {3, 8}, trained.parameterShape("w1"));
        Path file = tmp.resolve("spam_filter.safetensors");
        trained.saveParameters(file);

        SpamFilter loaded = new SpamFilter(99);
        loaded.loadParameters(file);
        assertArrayEquals(trained.parameter("w1"), loaded.parameter("w1"));
        float[] p1 = new float[N], p2 = new float[N];
        trained.infer(N, features, p1);
        loaded.infer(N, features, p2);
        assertArrayEquals(p1, p2);
    }
}
