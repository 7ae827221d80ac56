package demo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SpamFilterTest {
    @Test
    void trainingLowersTheLoss() {
        int n = 64;
        float[] features = new float[n * 3]; // [batch, 3], row-major
        float[] spam = new float[n];         // [batch, 1]
        Random r = new Random(1);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) features[3 * i + j] = (float) r.nextGaussian();
            spam[i] = features[3 * i] - 2 * features[3 * i + 1] > 0.3f ? 1 : 0;
        }
        SpamFilter model = new SpamFilter(42);
        float before = model.loss(n, features, spam);
        for (int step = 0; step < 60; step++) model.trainStep(n, features, spam);
        float after = model.loss(n, features, spam);
        assertTrue(after < before / 2, "loss " + before + " -> " + after);
    }
}
