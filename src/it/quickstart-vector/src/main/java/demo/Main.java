package demo;

import java.util.Locale;
import java.util.Random;

public class Main {
    public static void main(String[] args) {
        int n = 256;
        float[] features = new float[n * 3];
        float[] spam = new float[n];
        Random r = new Random(1);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) features[3 * i + j] = (float) r.nextGaussian();
            spam[i] = features[3 * i] - 2 * features[3 * i + 1] > 0.3f ? 1 : 0;
        }
        SpamFilter model = new SpamFilter(42);
        float before = model.loss(n, features, spam);
        for (int step = 0; step < 100; step++) model.trainStep(n, features, spam);
        System.out.printf(Locale.ROOT, "loss %.4f -> %.4f after 100 steps%n", before, model.loss(n, features, spam));
    }
}
