package dev.nnc.interp;

import dev.nnc.ops.Unary;

import static dev.nnc.interp.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.autodiff.Autodiff;
import dev.nnc.ir.DType;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ops.Unary;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** No overflow, no NaN for logits of ±1000, in values and gradients, in f64 and f32. */
class StabilityTest {
    private static final double[] EXTREME = {-1000, -745, -100, -1, 0, 1, 100, 745, 1000};

    @Test
    void sigmoidAndSoftplusAtTheExtremes() {
        assertEquals(1.0, Unary.sigmoid(1000));
        assertEquals(0.0, Unary.sigmoid(-1000));
        assertEquals(0.5, Unary.sigmoid(0));
        assertEquals(Math.exp(-100), Unary.sigmoid(-100), 1e-15 * Math.exp(-100));
        assertEquals(1000.0, Unary.softplus(1000));
        assertEquals(0.0, Unary.softplus(-1000));
        assertEquals(Math.exp(-100), Unary.softplus(-100), 1e-15 * Math.exp(-100));
        assertEquals(Math.log(2), Unary.softplus(0), 1e-16);
    }

    private static void assertFinite(double[] d, String what) {
        for (double v : d) assertTrue(Double.isFinite(v), what + ": " + java.util.Arrays.toString(d));
    }

    @ParameterizedTest
    @EnumSource(Model.Precision.class)
    void compositionsStayFiniteWithTheirGradients(Model.Precision precision) {
        Graph g = new Graph();
        Node z = g.input("z", 0, Shape.of(3, 3), DType.REAL);
        Node t = g.input("t", 1, Shape.of(3, 3), DType.REAL);
        // logsumexp over rows with the max subtracted (stop_gradient), log_softmax, cross-entropy against t
        Node m = g.stopGradient(g.max(z, List.of(1), true));
        Node lse = g.add(g.log(g.sum(g.exp(g.sub(z, m)), List.of(1), true)), m);
        Node logSoftmax = g.sub(z, lse);
        Node ce = g.neg(g.div(g.sum(g.mul(t, logSoftmax), null, false), g.constant(3)));
        // bce_with_logits = mean(softplus(z) - z * t)
        Node bce = g.div(g.sum(g.sub(g.unary(Unary.SOFTPLUS, z), g.mul(z, t)), null, false), g.constant(9));
        Node sig = g.sum(g.unary(Unary.SIGMOID, z), null, false);
        Node loss = g.add(g.add(ce, bce), g.mul(sig, g.constant(1e-3)));
        List<Node> grads = Autodiff.gradients(g, loss, List.of(z));
        Map<String, Tensor> v = Map.of(
                "z", Tensor.of(new int[] {3, 3}, 1000, -1000, 0, -1000, -1000, -999, 1000, 999, 1000),
                "t", Tensor.of(new int[] {3, 3}, 0, 1, 0, 1, 0, 0, 0.5, 0, 0.5));
        Interpreter it = new Interpreter(v, Map.of(), false, precision, null);
        List<Tensor> out = it.evaluate(List.of(loss, lse, grads.get(0)));
        assertFinite(out.get(0).data(), "loss");
        assertFinite(out.get(1).data(), "logsumexp");
        assertFinite(out.get(2).data(), "gradient");
        // logsumexp of (1000, -1000, 0) is 1000; of (-1000, -1000, -999) is -999 + log(1 + 2/e)
        assertEquals(1000, out.get(1).data()[0], 1e-9);
        assertEquals(-999 + Math.log(1 + 2 * Math.exp(-1)), out.get(1).data()[1], precision == Model.Precision.F64 ? 1e-12 : 1e-4);
        // the cross-entropy gradient is (softmax - t)/3 plus the bce gradient (sigmoid - t)/9 plus sigmoid'·1e-3
        double[] gz = out.get(2).data();
        assertEquals((1 - 0) / 3.0 + (1 - 0) / 9.0, gz[0], 1e-6);
        assertEquals((0 - 1) / 3.0 + (0 - 1) / 9.0, gz[1], 1e-6);
    }

    @Test
    void elementwiseOpsAtTheExtremes() {
        Graph g = new Graph();
        Node x = g.input("x", 0, Shape.of(EXTREME.length), DType.REAL);
        Map<String, Tensor> v = Map.of("x", Tensor.vector(EXTREME));
        for (Unary op : List.of(Unary.SIGMOID, Unary.SOFTPLUS, Unary.TANH, Unary.ERF, Unary.RELU)) {
            Node y = g.sum(g.unary(op, x), null, false);
            Node d = Autodiff.gradients(g, y, List.of(x)).get(0);
            for (Model.Precision p : Model.Precision.values()) {
                List<Tensor> out = new Interpreter(v, Map.of(), false, p, null).evaluate(List.of(y, d));
                assertFinite(out.get(0).data(), op + " " + p);
                assertFinite(out.get(1).data(), op + "' " + p);
            }
        }
        Node e = g.elu(x, 1);
        assertClose(new double[] {-1, -1, -1, Math.expm1(-1), 0, 1, 100, 745, 1000},
                Interpreter.inference(v, Map.of()).evaluate(e).data(), 1e-15, 0, "elu");
    }
}
