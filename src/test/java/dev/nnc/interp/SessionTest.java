package dev.nnc.interp;

import static dev.nnc.interp.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.ir.Model;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SessionTest {
    @Test
    void inferComputesEveryOutputFromTheInputsItNeeds() {
        Session s = new Session(Fixtures.mlp(null, 0.5), 1);
        Map<String, Tensor> batch = Fixtures.regressionBatch(new Random(2), 5);
        Map<String, Tensor> out = s.infer(Map.of("x", batch.get("x"))); // y is not needed
        assertEquals(List.of("pred"), List.copyOf(out.keySet()));
        assertArrayEquals(new int[] {5, 1}, out.get("pred").shape());
        // by hand: relu(x @ w1 + b1) @ w2 + b2, dropout off
        double[] x = batch.get("x").data(), w1 = s.param("w1").data(), w2 = s.param("w2").data();
        for (int i = 0; i < 5; i++) {
            double pred = 0;
            for (int j = 0; j < 4; j++) {
                double h = 0;
                for (int k = 0; k < 3; k++) h += x[i * 3 + k] * w1[k * 4 + j];
                pred += Math.max(h, 0) * w2[j];
            }
            assertEquals(pred, out.get("pred").data()[i], 1e-14);
        }
        assertEquals(out, s.infer(Map.of("x", batch.get("x"))), "inference is deterministic (no dropout)");
    }

    @Test
    void lossAndGradientsMatchFiniteDifferences() {
        Model model = Fixtures.mlp(null, 0);
        Session s = new Session(model, 4);
        s.setParam("b1", Tensor.vector(0.1, -0.2, 0.05, 0.3));
        Map<String, Tensor> batch = Fixtures.regressionBatch(new Random(3), 7);
        Gradients g = s.lossAndGradients(batch);
        assertEquals(s.loss(batch), g.loss(), 0);
        assertEquals(List.of("w1", "b1", "w2", "b2"), List.copyOf(g.params().keySet()));
        assertEquals(List.of("x", "y"), List.copyOf(g.inputs().keySet()));
        Map<String, Tensor> values = new HashMap<>(batch);
        values.putAll(s.params());
        Fixtures.checkGradientsWithMasks(model, values, DropoutMasks.seeded(0, 0), g);
        // mse gradient with respect to the target: -2 (pred - y) / n
        Tensor pred = s.infer(batch).get("pred");
        double[] dy = new double[7];
        for (int i = 0; i < 7; i++) dy[i] = -2 * (pred.data()[i] - batch.get("y").data()[i]) / 7;
        assertClose(dy, g.of("y").data(), 1e-14, 1e-16, "d/dy");
    }

    @Test
    void gradientNodesAreBuiltOnce() {
        Session s = new Session(Fixtures.mlp(null, 0), 4);
        int before = s.model().graph().size();
        List<dev.nnc.ir.Node> nodes = s.gradientNodes();
        int after = s.model().graph().size();
        assertTrue(after > before);
        s.lossAndGradients(Fixtures.regressionBatch(new Random(1), 3));
        assertSame(nodes, s.gradientNodes());
        assertEquals(after, s.model().graph().size());
        assertEquals(6, nodes.size()); // 4 params, 2 real inputs
    }

    @Test
    void trainStepIsForwardBackwardAndOneUpdate() {
        Model model = Fixtures.mlp(Fixtures.sgd(0.05, 0, 0, false), 0.25);
        Session a = new Session(model, 8), b = new Session(model, 8);
        Map<String, Tensor> batch = Fixtures.regressionBatch(new Random(5), 8);
        for (int step = 0; step < 3; step++) {
            Gradients g = b.lossAndGradients(batch, true); // the masks of the current step, nothing changed
            Map<String, Tensor> before = a.params();
            double loss = a.trainStep(batch);
            assertEquals(g.loss(), loss, 0, "trainStep returns the loss before the update");
            for (String p : List.of("w1", "b1", "w2", "b2")) {
                double[] expected = before.get(p).toArray();
                for (int i = 0; i < expected.length; i++) expected[i] -= 0.05 * g.of(p).data()[i];
                assertArrayEquals(expected, a.param(p).data(), 1e-15, p + " after step " + step);
            }
            assertEquals(step + 1, a.step());
            b.trainStep(batch);
            assertEquals(a.params(), b.params(), "deterministic");
        }
    }

    @Test
    void trainingReducesTheLossWithEachOptimizer() {
        for (Model.Optimizer opt : List.of(Fixtures.sgd(0.1, 0.9, 1e-4, false), Fixtures.sgd(0.05, 0.9, 0, true),
                Fixtures.adam(0.01, 0.9, 0.999, 1e-8, 0))) {
            Session s = new Session(Fixtures.mlp(opt, 0), 21);
            Map<String, Tensor> batch = Fixtures.regressionBatch(new Random(6), 32);
            double first = s.loss(batch);
            for (int i = 0; i < 300; i++) s.trainStep(batch);
            double last = s.loss(batch);
            assertTrue(last < 0.3 * first, opt.kind() + ": " + first + " -> " + last);
        }
    }

    @Test
    void f32TracksF64() {
        Model model = Fixtures.mlp(Fixtures.adam(0.01, 0.9, 0.999, 1e-8, 0), 0.2);
        Session s64 = new Session(model, 2, Model.Precision.F64), s32 = new Session(model, 2, Model.Precision.F32);
        Map<String, Tensor> batch = Fixtures.regressionBatch(new Random(7), 16);
        for (int i = 0; i < 20; i++) {
            double l64 = s64.trainStep(batch), l32 = s32.trainStep(batch);
            assertEquals(l64, l32, 1e-4 * Math.abs(l64));
            assertEquals(l32, (float) l32, 0, "f32 results are floats");
        }
        for (double v : s32.param("w1").data()) assertEquals(v, (double) (float) v, 0);
        Tensor p64 = s64.infer(batch).get("pred"), p32 = s32.infer(batch).get("pred");
        assertClose(p64.data(), p32.data(), 1e-3, 1e-4, "f32 predictions");
    }

    @Test
    void paramsBySeedAndByName() {
        Model model = Fixtures.mlp(null, 0);
        Session a = new Session(model, 5), b = new Session(model, 5), c = new Session(model, 6);
        assertEquals(a.params(), b.params());
        assertNotEquals(a.params(), c.params());
        assertEquals(Initializers.initAll(model, 5), a.params());
        c.setParams(a.params());
        assertEquals(a.params(), c.params());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.setParam("w1", Tensor.zeros(4, 3)));
        assertEquals("param 'w1': expected a real tensor of shape [3, 4], got [4, 3]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.setParam("nope", Tensor.zeros(1)));
        assertThrows(IllegalArgumentException.class, () -> a.param("nope"));
    }

    @Test
    void missingLossOrOptimizer() {
        Model noOpt = Fixtures.mlp(null, 0);
        Map<String, Tensor> batch = Fixtures.regressionBatch(new Random(1), 2);
        assertThrows(IllegalStateException.class, () -> new Session(noOpt).trainStep(batch));
        Model noLoss = new Model("M", "", noOpt.graph(), noOpt.dims(), noOpt.inputs(), noOpt.params(), noOpt.outputs(), null, null,
                null, noOpt.span());
        assertThrows(IllegalStateException.class, () -> new Session(noLoss).loss(batch));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Session(noOpt).loss(Map.of("x", batch.get("x"))));
        assertTrue(e.getMessage().contains("missing input 'y'"), e.getMessage());
    }
}
