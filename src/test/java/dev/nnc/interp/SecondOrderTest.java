package dev.nnc.interp;

import static dev.nnc.interp.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.autodiff.Autodiff;
import dev.nnc.ir.DType;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ops.Unary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Gradients of gradients: they are more graph, so the interpreter evaluates them like any other. */
class SecondOrderTest {
    @Test
    void secondDerivativeOfAScalarFunction() {
        Graph g = new Graph();
        Node s = g.param("s", 0, Shape.SCALAR);
        // f = s^3 sin(s) + erf(s) ;  f'' = 6s sin s + 6s² cos s − s³ sin s − (4s/√π) e^{−s²}
        Node f = g.add(g.mul(g.powc(s, 3), g.unary(Unary.SIN, s)), g.unary(Unary.ERF, s));
        Node df = Autodiff.gradients(g, f, List.of(s)).get(0);
        Node d2f = Autodiff.gradients(g, df, List.of(s)).get(0);
        for (double v : new double[] {-1.3, 0.2, 0.7, 2.1}) {
            Interpreter it = Interpreter.inference(Map.of("s", Tensor.scalar(v)), Map.of());
            double expected1 = 3 * v * v * Math.sin(v) + v * v * v * Math.cos(v) + 2 / Math.sqrt(Math.PI) * Math.exp(-v * v);
            double expected2 = 6 * v * Math.sin(v) + 6 * v * v * Math.cos(v) - v * v * v * Math.sin(v)
                    - 4 * v / Math.sqrt(Math.PI) * Math.exp(-v * v);
            assertEquals(expected1, it.evaluate(df).item(), 1e-13);
            assertEquals(expected2, it.evaluate(d2f).item(), 1e-12);
        }
        // the third derivative, against central differences of the second
        Node d3f = Autodiff.gradients(g, d2f, List.of(s)).get(0);
        Fixtures.checkGradients(g, d2f, List.of(s), Map.of("s", Tensor.scalar(0.9)), Map.of(), false, 1e-6, 1e-8, "f'''");
        assertEquals(1, Interpreter.inference(Map.of("s", Tensor.scalar(0.9)), Map.of()).evaluate(d3f).numel());
    }

    /** A loss over w with matmul, tanh, sigmoid, softplus, max and broadcasting. */
    private static Node loss(Graph g, Node x, Node w, Node b) {
        Node h = g.unary(Unary.TANH, g.add(g.matmul(x, w), b));
        Node a = g.sum(g.powc(h, 2), null, false);
        Node c = g.sum(g.mul(g.unary(Unary.SIGMOID, w), g.unary(Unary.SOFTPLUS, w)), null, false);
        Node m = g.sum(g.max(g.mul(h, g.constant(3)), List.of(1), false), null, false);
        return g.add(g.add(a, c), m);
    }

    @Test
    void hessianVectorProductMatchesDifferencesOfTheGradient() {
        Graph g = new Graph();
        Node x = g.input("x", 0, Shape.of(4, 3), DType.REAL);
        Node v = g.input("v", 1, Shape.of(3, 2), DType.REAL);
        Node w = g.param("w", 0, Shape.of(3, 2));
        Node b = g.param("b", 1, Shape.of(2));
        Node f = loss(g, x, w, b);
        Node gw = Autodiff.gradients(g, f, List.of(w)).get(0);
        Node hv = Autodiff.gradients(g, g.sum(g.mul(gw, v), null, false), List.of(w)).get(0);

        Random r = new Random(3);
        Map<String, Tensor> values = new HashMap<>();
        values.put("x", Fixtures.random(r, new int[] {4, 3}, -1, 1));
        values.put("v", Fixtures.random(r, new int[] {3, 2}, -1, 1));
        values.put("w", Fixtures.random(r, new int[] {3, 2}, -1, 1));
        values.put("b", Fixtures.random(r, new int[] {2}, -0.5, 0.5));
        Tensor got = Interpreter.inference(values, Map.of()).evaluate(hv);

        // (grad(w + h v) - grad(w - h v)) / 2h
        double h = 1e-6;
        double[] wv = values.get("w").data(), vv = values.get("v").data();
        double[] plus = wv.clone(), minus = wv.clone();
        for (int i = 0; i < wv.length; i++) {
            plus[i] += h * vv[i];
            minus[i] -= h * vv[i];
        }
        Map<String, Tensor> vp = new HashMap<>(values), vm = new HashMap<>(values);
        vp.put("w", Tensor.of(new int[] {3, 2}, plus));
        vm.put("w", Tensor.of(new int[] {3, 2}, minus));
        double[] gp = Interpreter.inference(vp, Map.of()).evaluate(gw).data();
        double[] gm = Interpreter.inference(vm, Map.of()).evaluate(gw).data();
        double[] fd = new double[wv.length];
        for (int i = 0; i < fd.length; i++) fd[i] = (gp[i] - gm[i]) / (2 * h);
        assertClose(fd, got.data(), 1e-6, 1e-8, "Hessian-vector product");
    }

    @Test
    void gradientOfTheGradientWithRespectToAnInput() {
        // d/dx of |grad_w f|², a mixed second derivative, against finite differences in x
        Graph g = new Graph();
        Node x = g.input("x", 0, Shape.of(4, 3), DType.REAL);
        Node w = g.param("w", 0, Shape.of(3, 2));
        Node b = g.param("b", 1, Shape.of(2));
        Node gw = Autodiff.gradients(g, loss(g, x, w, b), List.of(w)).get(0);
        Node norm = g.sum(g.powc(gw, 2), null, false);
        Random r = new Random(4);
        Map<String, Tensor> values = new HashMap<>();
        values.put("x", Fixtures.random(r, new int[] {4, 3}, -1, 1));
        values.put("w", Fixtures.random(r, new int[] {3, 2}, -1, 1));
        values.put("b", Fixtures.random(r, new int[] {2}, -0.5, 0.5));
        Fixtures.checkGradients(g, norm, List.of(x, b), values, Map.of(), false, 1e-6, 1e-8, "d|grad|²");
    }
}
