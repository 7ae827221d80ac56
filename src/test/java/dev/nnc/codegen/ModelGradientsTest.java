package dev.nnc.codegen;

import dev.nnc.codegen.Agreement.Case;
import dev.nnc.interp.DropoutMasks;
import dev.nnc.interp.Gradients;
import dev.nnc.interp.Interpreter;
import dev.nnc.interp.Session;
import dev.nnc.interp.Tensor;
import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import dev.nnc.ir.Walk;
import dev.nnc.ops.Layout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Finite differences (f64, central, h = 1e-6) of every model of the agreement suites, so that
 * every built-in function's gradient is checked as a user writes it: the symbolic gradients of
 * the loss with respect to every param and real-valued input, in evaluation mode and, for models
 * with a training mode of their own (dropout, batch statistics), in training mode with the masks
 * of step 0. The cases whose inputs sit on kinks or at ±1000 on purpose are left to their own
 * tests, and so are the models that call {@code stop_gradient}, whose symbolic gradient differs
 * from differences by definition ({@code GradientCheckTest.stopGradientBlocksTheGradient} checks
 * that it is what it should be).
 */
class ModelGradientsTest {
    /** Every agreement case except those placed on kinks or extremes, where differences mean nothing. */
    static List<Case> cases() {
        List<Case> all = regular();
        all.removeIf(c -> c.source().contains("stop_gradient("));
        return all;
    }

    /** Every agreement case but those on kinks and extremes. */
    private static List<Case> regular() {
        return Agreement.listOnly(() -> {
            List<Case> all = new ArrayList<>();
            Stream.of(OpsAgreeTest.elementwise(), OpsAgreeTest.powers(), OpsAgreeTest.broadcasting(), OpsAgreeTest.reductions(),
                    OpsAgreeTest.softmaxes(), OpsAgreeTest.shapes(), OpsAgreeTest.matmuls(), OpsAgreeTest.losses(),
                    OpsAgreeTest.derivatives(), OpsAgreeTest.runtimeDims(), OpsAgreeTest.training(), OpsAgreeTest.structure(),
                    OpsAgreeTest.javaNames(), StateAgreeTest.state(), ShapesAgreeTest.axes(), ShapesAgreeTest.indexing(),
                    ShapesAgreeTest.selection(), ComputeAgreeTest.cases(), ConvAgreeTest.windows(), AttentionAgreeTest.cases())
                    .forEach(all::addAll);
            return all;
        });
    }

    /** Every agreement case, kinks and extremes included. */
    static List<Case> allAgreementCases() {
        return Agreement.listOnly(() -> {
            List<Case> all = regular();
            all.addAll(OpsAgreeTest.kinks());
            all.addAll(ConvAgreeTest.ties());
            all.addAll(OpsAgreeTest.stability());
            return all;
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void symbolicGradientsMatchDifferences(Case c) {
        Model m = Agreement.compile(c.source()).compiled().get(0).model();
        if (m.loss() == null) return;
        Random rnd = new Random(c.name().hashCode() * 31L + 7);
        Session s = new Session(m, 7);
        Map<String, Tensor> values = new LinkedHashMap<>();
        for (Model.Param p : m.params()) {
            Tensor t = Tensor.of(p.node().shape().sizes(Map.of()), Agreement.draw(rnd, c.domain(), (int) p.node().shape().staticProduct()));
            s.setParam(p.name(), t);
            values.put(p.name(), t);
        }
        for (Model.Buffer b : m.buffers()) {
            Tensor t = Tensor.of(b.node().shape().sizes(Map.of()), Agreement.draw(rnd, Agreement.Domain.POSITIVE,
                    (int) b.node().shape().staticProduct()));
            s.setBuffer(b.name(), t);
            values.put(b.name(), t);
        }
        Map<String, Tensor> in = Agreement.inputs(m, c, c.dimSets().get(0), rnd, false);
        values.putAll(in);
        Map<String, Integer> dims = Interpreter.bindDims(m, in);
        boolean modes = Walk.reachable(m.loss()).stream().anyMatch(n -> n.op() == Layout.MODE);
        for (boolean training : modes ? new boolean[] {false, true} : new boolean[] {false}) {
            Gradients g = s.lossAndGradients(in, training);
            Map<String, Tensor> got = new LinkedHashMap<>(g.params());
            got.putAll(g.inputs());
            for (Map.Entry<String, Tensor> e : got.entrySet()) {
                Tensor base = values.get(e.getKey());
                double[] fd = new double[base.numel()];
                for (int i = 0; i < fd.length; i++) {
                    double[] plus = base.toArray(), minus = base.toArray();
                    plus[i] += 1e-6;
                    minus[i] -= 1e-6;
                    fd[i] = (loss(m, values, e.getKey(), Tensor.of(base.shape(), plus), dims, training)
                            - loss(m, values, e.getKey(), Tensor.of(base.shape(), minus), dims, training)) / 2e-6;
                }
                Agreement.assertClose(fd, e.getValue().data(), 2e-5, c.name() + (training ? " (training)" : "") + " d loss / d " + e.getKey());
            }
        }
    }

    private static double loss(Model m, Map<String, Tensor> values, String name, Tensor value, Map<String, Integer> dims, boolean training) {
        Map<String, Tensor> v = new HashMap<>(values);
        v.put(name, value);
        Node loss = m.loss();
        // the masks of step 0 of a session seeded with 7, as lossAndGradients draws them
        Interpreter in = new Interpreter(v, dims, training, Model.Precision.F64, training ? DropoutMasks.seeded(7, 0) : null);
        return in.evaluate(loss).item();
    }
}
