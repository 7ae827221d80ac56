package dev.nnc.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nnc.autodiff.Autodiff;
import dev.nnc.diag.Span;
import dev.nnc.ir.DType;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import dev.nnc.ops.Op;
import dev.nnc.ir.Shape;
import dev.nnc.ops.Unary;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Hand-built models, random tensors and a finite-difference gradient checker for the tests. */
final class Fixtures {
    private Fixtures() {}

    static final Dim BATCH = Dim.sym("batch");

    /** {@code mse(pred, target)} as the checker builds it: sum((pred - target)^2) / numel. */
    static Node mse(Graph g, Node pred, Node target) {
        Node d = g.sub(pred, target);
        return g.div(g.sum(g.powc(d, 2), null, false), g.size(d.shape().dims()));
    }

    /**
     * The MLP of the brief: x:[batch,3] @ w1:[3,4] + b1:[4], relu, optional dropout, @ w2:[4,1] +
     * b2:[1], mse against y:[batch,1]; output "pred".
     */
    static Model mlp(Model.Optimizer optimizer, double dropoutP) {
        Graph g = new Graph();
        Node x = g.input("x", 0, Shape.of(BATCH, Dim.of(3)), DType.REAL);
        Node y = g.input("y", 1, Shape.of(BATCH, Dim.of(1)), DType.REAL);
        Node w1 = g.param("w1", 0, Shape.of(3, 4));
        Node b1 = g.param("b1", 1, Shape.of(4));
        Node w2 = g.param("w2", 2, Shape.of(4, 1));
        Node b2 = g.param("b2", 3, Shape.of(1));
        Node h = g.unary(Unary.RELU, g.add(g.matmul(x, w1), b1));
        if (dropoutP > 0) h = g.dropout(h, dropoutP, 0);
        Node pred = g.add(g.matmul(h, w2), b2);
        Node loss = mse(g, pred, y);
        return new Model("Mlp", "", g, List.of("batch"),
                List.of(new Model.Input("x", x, Span.NONE), new Model.Input("y", y, Span.NONE)),
                List.of(new Model.Param("w1", w1, new Model.Init("xavier_uniform", List.of()), Span.NONE),
                        new Model.Param("b1", b1, Model.Init.ZEROS, Span.NONE),
                        new Model.Param("w2", w2, new Model.Init("xavier_uniform", List.of()), Span.NONE),
                        new Model.Param("b2", b2, Model.Init.ZEROS, Span.NONE)),
                List.of(new Model.Output("pred", pred, Span.NONE)), loss, optimizer, null, Span.NONE);
    }

    static Model.Optimizer sgd(double lr, double momentum, double wd, boolean nesterov) {
        return new Model.Optimizer("sgd", Map.of("lr", lr, "momentum", momentum, "weight_decay", wd, "nesterov", nesterov ? 1.0 : 0.0));
    }

    static Model.Optimizer adam(double lr, double b1, double b2, double eps, double wd) {
        return new Model.Optimizer("adam", Map.of("lr", lr, "beta1", b1, "beta2", b2, "eps", eps, "weight_decay", wd));
    }

    /** The batch of a smooth regression target: y = sin(x0) + x1*x2. */
    static Map<String, Tensor> regressionBatch(Random r, int batch) {
        double[] x = new double[batch * 3], y = new double[batch];
        for (int i = 0; i < batch; i++) {
            for (int j = 0; j < 3; j++) x[i * 3 + j] = r.nextDouble() * 2 - 1;
            y[i] = Math.sin(2 * x[i * 3]) + x[i * 3 + 1] * x[i * 3 + 2];
        }
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("x", Tensor.of(new int[] {batch, 3}, x));
        m.put("y", Tensor.of(new int[] {batch, 1}, y));
        return m;
    }

    static Tensor random(Random r, int[] shape, double lo, double hi) {
        double[] d = new double[Tensor.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = lo + (hi - lo) * r.nextDouble();
        return Tensor.of(shape, d);
    }

    static Tensor t(int[] shape, double... data) {
        return Tensor.of(shape, data);
    }

    static int[] s(int... sizes) {
        return sizes;
    }

    static void assertClose(double[] expected, double[] actual, double rel, double abs, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            if (Double.compare(e, a) == 0) continue;
            double tol = abs + rel * Math.max(Math.abs(e), Math.abs(a));
            if (!(Math.abs(e - a) <= tol)) fail(what + ": element " + i + " expected " + e + " but was " + a + " (tolerance " + tol + ")");
        }
    }

    /** Evaluates {@code f} (scalar) with {@code values}, in f64, dropout per {@code training} (seed 7, step 3). */
    static double evalScalar(Node f, Map<String, Tensor> values, Map<String, Integer> dims, boolean training) {
        return interpreter(values, dims, training).evaluate(f).item();
    }

    static Interpreter interpreter(Map<String, Tensor> values, Map<String, Integer> dims, boolean training) {
        return new Interpreter(values, dims, training, Model.Precision.F64, training ? DropoutMasks.seeded(7, 3) : null);
    }

    /**
     * Checks the symbolic gradient of scalar {@code f} with respect to each leaf in {@code wrt}
     * against central differences (h = 1e-6) of the interpreter, element by element:
     * |fd − ad| <= abs + rel·max(|fd|, |ad|).
     */
    static void checkGradients(Graph g, Node f, List<Node> wrt, Map<String, Tensor> values, Map<String, Integer> dims,
                               boolean training, double rel, double abs, String what) {
        List<Node> grads = Autodiff.gradients(g, f, wrt);
        List<Tensor> ad = interpreter(values, dims, training).evaluate(grads);
        double h = 1e-6;
        for (int k = 0; k < wrt.size(); k++) {
            String name = wrt.get(k).leafName();
            Tensor base = values.get(name);
            double[] fd = new double[base.numel()];
            for (int i = 0; i < fd.length; i++) {
                double[] plus = base.toArray(), minus = base.toArray();
                plus[i] += h;
                minus[i] -= h;
                Map<String, Tensor> vp = new HashMap<>(values), vm = new HashMap<>(values);
                vp.put(name, Tensor.of(base.shape(), plus));
                vm.put(name, Tensor.of(base.shape(), minus));
                fd[i] = (evalScalar(f, vp, dims, training) - evalScalar(f, vm, dims, training)) / (2 * h);
            }
            assertEquals(Tensor.shapeString(base.shape()), Tensor.shapeString(ad.get(k).shape()), what + ": gradient shape of " + name);
            assertClose(fd, ad.get(k).data(), rel, abs, what + ": d/d" + name);
        }
    }

    /**
     * Checks {@code grads} (of every param and given input) against central differences of the
     * model's loss evaluated in training mode with {@code masks}.
     */
    static void checkGradientsWithMasks(Model model, Map<String, Tensor> values, DropoutMasks masks, Gradients grads) {
        Map<String, Integer> dims = Interpreter.bindDims(model, values);
        java.util.function.Function<Map<String, Tensor>, Double> loss =
                v -> new Interpreter(v, dims, true, Model.Precision.F64, masks).evaluate(model.loss()).item();
        assertEquals(loss.apply(values), grads.loss(), 1e-15, "loss");
        double h = 1e-6;
        Map<String, Tensor> all = new LinkedHashMap<>(grads.params());
        all.putAll(grads.inputs());
        for (Map.Entry<String, Tensor> e : all.entrySet()) {
            Tensor base = values.get(e.getKey());
            double[] fd = new double[base.numel()];
            for (int i = 0; i < fd.length; i++) {
                double[] plus = base.toArray(), minus = base.toArray();
                plus[i] += h;
                minus[i] -= h;
                Map<String, Tensor> vp = new HashMap<>(values), vm = new HashMap<>(values);
                vp.put(e.getKey(), Tensor.of(base.shape(), plus));
                vm.put(e.getKey(), Tensor.of(base.shape(), minus));
                fd[i] = (loss.apply(vp) - loss.apply(vm)) / (2 * h);
            }
            assertClose(fd, e.getValue().data(), 1e-6, 1e-8, "d loss / d" + e.getKey());
        }
    }

    /** Every op in the graph under {@code roots}. */
    static java.util.Set<Op> opsUnder(List<Node> roots) {
        java.util.Set<Op> ops = new java.util.LinkedHashSet<>();
        List<Node> stack = new ArrayList<>(roots);
        java.util.Set<Node> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        while (!stack.isEmpty()) {
            Node n = stack.remove(stack.size() - 1);
            if (!seen.add(n)) continue;
            ops.add(n.op());
            stack.addAll(n.inputs());
        }
        return ops;
    }
}
