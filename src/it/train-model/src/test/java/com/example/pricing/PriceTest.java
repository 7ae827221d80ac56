package com.example.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The f64 class from src/main/nn/pricing/price.nn, in the package its statement names. */
class PriceTest {
    @Test
    void fitsALine() {
        int n = 32;
        double[] x = new double[n * 2], y = new double[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = Math.sin(i);
            x[2 * i + 1] = Math.cos(3 * i);
            y[i] = 2 * x[2 * i] - x[2 * i + 1] + 0.5;
        }
        Price model = new Price();
        double first = model.trainStep(n, x, y);
        double last = first;
        for (int step = 0; step < 200; step++) last = model.trainStep(n, x, y);
        assertTrue(last < first / 100, "loss " + first + " -> " + last);
        assertEquals(2.0, model.parameter("w")[0], 0.05);
        assertEquals(-1.0, model.parameter("w")[1], 0.05);
        assertEquals(0.5, model.parameter("b")[0], 0.05);
    }
}
