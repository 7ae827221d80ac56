package dev.nnc.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.ir.Graph;
import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DropoutTest {
    @Test
    void maskStatistics() {
        double p = 0.3;
        double[] m = DropoutMasks.seeded(11, 0).mask(0, p, 100_000);
        int zeros = 0;
        double sum = 0;
        for (double v : m) {
            if (v == 0) zeros++;
            else assertEquals(1 / 0.7, v, 0);
            sum += v;
        }
        assertEquals(p, zeros / 100_000.0, 0.006);
        assertEquals(1.0, sum / 100_000, 0.01, "inverted dropout keeps the expectation");
    }

    @Test
    void masksAreDeterministicPerSeedStepAndSite() {
        double[] a = DropoutMasks.seeded(5, 2).mask(1, 0.5, 64);
        assertArrayEquals(a, DropoutMasks.seeded(5, 2).mask(1, 0.5, 64));
        assertFalse(Arrays.equals(a, DropoutMasks.seeded(5, 3).mask(1, 0.5, 64)), "another step");
        assertFalse(Arrays.equals(a, DropoutMasks.seeded(5, 2).mask(0, 0.5, 64)), "another site");
        assertFalse(Arrays.equals(a, DropoutMasks.seeded(6, 2).mask(1, 0.5, 64)), "another seed");
        // the spec: one uniform per element, kept iff u >= p
        Rng r = new Rng(Rng.mix(5, 2, 1));
        for (double v : a) assertEquals(r.nextDouble() >= 0.5 ? 2.0 : 0.0, v);
    }

    @Test
    void extremeProbabilities() {
        for (double v : DropoutMasks.seeded(1, 0).mask(0, 0, 100)) assertEquals(1.0, v);
        for (double v : DropoutMasks.seeded(1, 0).mask(0, 1, 100)) assertEquals(0.0, v);
    }

    @Test
    void interpreterUsesMasksOnlyInTraining() {
        Graph g = new Graph();
        Node m0 = g.dropoutMask(Shape.of(4, 5), 0.5, 0);
        Node m1 = g.dropoutMask(Shape.of(4, 5), 0.5, 1);
        Node ones = g.filled(1, Shape.of(4, 5));
        // dropout of ones: the identity in inference (the mask is not even drawn), the mask in training
        Tensor inference = Interpreter.inference(Map.of(), Map.of()).evaluate(g.dropout(ones, 0.5, 0));
        for (double v : inference.data()) assertEquals(1.0, v);
        assertArrayEquals(DropoutMasks.seeded(9, 4).mask(0, 0.5, 20),
                Interpreter.training(Map.of(), Map.of(), 9, 4).evaluate(g.dropout(ones, 0.5, 0)).data());
        Interpreter train = Interpreter.training(Map.of(), Map.of(), 9, 4);
        List<Tensor> both = train.evaluate(List.of(m0, m1));
        assertArrayEquals(DropoutMasks.seeded(9, 4).mask(0, 0.5, 20), both.get(0).data());
        assertArrayEquals(DropoutMasks.seeded(9, 4).mask(1, 0.5, 20), both.get(1).data());
        assertFalse(Arrays.equals(both.get(0).data(), both.get(1).data()), "two sites are two masks");
        assertTrue(train.evaluate(m0) == both.get(0), "one mask per evaluation");
        assertThrows(IllegalArgumentException.class, () -> new Interpreter(Map.of(), Map.of(), true, Model.Precision.F64, null));
    }

    @Test
    void forwardAndBackwardOfOneStepShareTheMasks() {
        // With dropout the training-mode gradient must match finite differences of the training-mode
        // loss at the same step: only true if forward and backward see the same mask.
        Model model = Fixtures.mlp(Fixtures.sgd(0.1, 0, 0, false), 0.5);
        Session s = new Session(model, 3);
        Map<String, Tensor> batch = Fixtures.regressionBatch(new java.util.Random(1), 6);
        Gradients train = s.lossAndGradients(batch, true);
        Gradients eval = s.lossAndGradients(batch, false);
        assertTrue(train.loss() != eval.loss(), "dropout changes the training loss");
        java.util.Map<String, Tensor> values = new java.util.HashMap<>(batch);
        values.putAll(s.params());
        Fixtures.checkGradientsWithMasks(model, values, DropoutMasks.seeded(3, 0), train);
    }
}
