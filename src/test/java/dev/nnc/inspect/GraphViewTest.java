package dev.nnc.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.inspect.GraphView.EdgeKind;
import dev.nnc.inspect.GraphView.Item;
import dev.nnc.inspect.GraphView.Phase;
import dev.nnc.inspect.GraphView.Stage;
import dev.nnc.ir.Node;
import dev.nnc.passes.Compiled;
import dev.nnc.ops.Leaf;
import dev.nnc.ops.Unary;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the pictures mean, checked on every example without Graphviz. */
class GraphViewTest {
    @Test
    void phasesEdgesAndClustersAreConsistent() {
        for (Path f : Examples.files()) {
            Compiler.Result r = Examples.compile(f);
            for (Compiled c : r.compiled()) {
                for (Stage stage : Stage.values()) {
                    for (boolean grad : c.model().loss() == null ? List.of(false) : List.of(false, true)) {
                        String what = f.getFileName() + " " + stage + (grad ? " --grad" : "");
                        check(GraphView.build(c, r.source(), stage, grad, false), what);
                    }
                }
            }
        }
    }

    private static void check(GraphView v, String what) {
        Set<String> ids = new HashSet<>();
        for (Item it : v.items()) {
            assertTrue(ids.add(it.id()), what + ": duplicate " + it.id());
            assertTrue(it.node().op() != Leaf.CONST || !it.names().isEmpty(), what + ": constants are inlined");
            if (!v.grad()) assertEquals(Phase.FORWARD, it.phase(), what);
            if (it.reused()) assertEquals(Phase.FORWARD, it.phase(), what);
            if (it.cluster() != null) assertEquals(it.cluster().phase(), it.phase(), what + ": a fused loop stays in one phase");
        }
        for (GraphView.Edge e : v.edges()) {
            Item from = v.item(e.from()), to = v.item(e.to());
            assertNotNull(from, what);
            assertNotNull(to, what);
            switch (e.kind()) {
                case FORWARD -> assertTrue(from.phase() == Phase.FORWARD && to.phase() == Phase.FORWARD, what);
                case BACKWARD -> assertTrue(from.phase() == Phase.BACKWARD && to.phase() == Phase.BACKWARD, what);
                case REUSE -> assertTrue(from.phase() == Phase.FORWARD && to.phase() == Phase.BACKWARD && from.reused(), what);
            }
        }
        if (v.stage() == Stage.PARSED) assertTrue(v.clusters().isEmpty(), what + ": no fused loops before optimization");
        for (GraphView.Cluster c : v.clusters()) assertTrue(c.nodes().size() >= 2, what);
    }

    @Test
    void nodeCountsAgreeWithThePipelineStatistics() {
        for (Path f : Examples.files()) {
            Compiler.Result r = Examples.compile(f);
            for (Compiled c : r.compiled()) {
                String what = f.getFileName().toString();
                assertEquals(c.stats().forwardOps(), GraphView.build(c, r.source(), Stage.PARSED, false, false).ops(Phase.FORWARD), what);
                assertEquals(c.stats().optForwardOps(), GraphView.build(c, r.source(), Stage.OPTIMIZED, false, false).ops(Phase.FORWARD), what);
            }
        }
    }

    @Test
    void housePricesBackwardReusesTheForwardValuesItNeeds() {
        Compiler.Result r = Examples.compile(Examples.DIR.resolve("house_prices.nn"));
        Compiled c = Examples.only(r);
        GraphView v = GraphView.build(c, r.source(), Stage.OPTIMIZED, true, false);
        Set<String> reused = new HashSet<>();
        for (Item it : v.items()) if (it.reused()) reused.add(GraphView.describe(it.node()) + " " + it.node().shape());
        // dW1 = xᵀ·δ1 reads x; δ1 reads the mask and x@w1+b1 (for relu'); dW2 reads h; δh reads w2; δ reads price - y
        assertEquals(Set.of("input x [batch, 331]", "add [batch, 256]", "dropout mask p=0.2 [batch, 256]", "mul [batch, 256]",
                "param w2 [256, 1]", "sub [batch, 1]"), reused);
        long gradients = v.items().stream().filter(it -> it.role() == GraphView.Role.GRADIENT).count();
        assertEquals(4, gradients, "one root per parameter");
        assertTrue(v.edges().stream().anyMatch(e -> e.kind() == EdgeKind.REUSE));
        assertEquals("trainStep", v.entries());
        // the relu and the dropout multiply run in one loop of trainStep
        Item relu = v.items().stream().filter(it -> it.node().op() == Unary.RELU).findFirst().orElseThrow();
        assertNotNull(relu.cluster());
        assertTrue(relu.kernel().startsWith("trainStep k"));
    }

    @Test
    void parsedGradientsAreAutodiffsNodes() {
        Compiler.Result r = Examples.compile(Examples.DIR.resolve("logistic_regression.nn"));
        Compiled c = Examples.only(r);
        GraphView v = GraphView.build(c, r.source(), Stage.PARSED, true, true);
        Set<Node> drawn = new HashSet<>();
        for (Item it : v.items()) drawn.add(it.node());
        List<Node> wrt = new java.util.ArrayList<>();
        for (var p : c.model().params()) wrt.add(p.node());
        for (var in : c.model().inputs()) wrt.add(in.node());
        for (Node g : dev.nnc.autodiff.Autodiff.gradients(c.model().graph(), c.model().loss(), wrt)) {
            assertTrue(drawn.contains(g), "gradient root drawn: " + g);
        }
        assertNull(v.items().get(0).kernel(), "no kernels before optimization");
    }

    @Test
    void gradNeedsALoss() {
        Compiled c = FlopsTest.compile("""
                model T {
                    input a : [3]
                    output b = exp(a)
                }
                """);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GraphView.build(c, null, Stage.OPTIMIZED, true, false));
        assertEquals("model T has no loss, so no backward graph", e.getMessage());
    }

    @Test
    void constantOperandsAreWrittenInPlace() {
        Compiled c = FlopsTest.compile("""
                model T {
                    dim n
                    input a : [n]
                    output b = mean(a * 0.5)
                }
                """);
        GraphView v = GraphView.build(c, null, Stage.PARSED, false, false);
        List<String> ops = v.items().stream().map(it -> GraphView.describe(it.node())).toList();
        assertTrue(ops.contains("mul(•, 0.5)"), ops.toString());
        assertTrue(ops.contains("div(•, n)"), ops.toString());
    }

    @Test
    void layoutOpsAndMasksSayWhatTheyTake() {
        Compiled c = FlopsTest.compile("""
                model T {
                    dim n
                    input a : [n, 4, 3]
                    param w : [3]
                    h = a * w
                    output b = where(h[:, -2:] > 0, permute(h, [1, 0, 2])[1:3, 0], 0) + arange(3) + h[:, 0:4:2]
                    output t = tril(h, diagonal = 1)
                    output c = h[-2:] * 2
                    loss = sum(b) + sum(t) + sum(c)
                }
                """);
        GraphView v = GraphView.build(c, null, Stage.PARSED, true, false);
        List<String> ops = v.items().stream().map(it -> GraphView.describe(it.node())).toList();
        for (String want : List.of("select [:, 2:4, :]", "permute 1,0,2", "select [1:3, 0, :]", "select [:, 0:3:2, :]",
                "select [-2:, :, :]", "gt(•, 0)", "where(•, •, 0)", "arange 3", "arange 4", "ge", "place [1:3, 0, :]",
                "place [:, 0:3:2, :]", "place [-2:, :, :]")) {
            assertTrue(ops.contains(want), want + " in " + ops);
        }
    }

    @Test
    void productsEmbeddingsAndLayerNormSayWhatTheyDo() {
        Compiled c = FlopsTest.compile("""
                model T {
                    dim n
                    input ids : int[n, 4]
                    param table : [5, 3]
                    param w : [2, 3, 3]
                    h = layer_norm(embedding(ids, table))
                    output y = unsqueeze(h, 1) @ w
                    loss = sum(y * y)
                }
                """);
        GraphView v = GraphView.build(c, null, Stage.PARSED, true, false);
        List<String> ops = v.items().stream().map(it -> GraphView.describe(it.node())).toList();
        for (String want : List.of("gather rows of [5, 3]", "scatter-add into [5, 3]", "batched matmul",
                "batched matmul, summed over axes [0]", "layer norm, eps 1.0E-5", "layer norm gradient, eps 1.0E-5")) {
            assertTrue(ops.contains(want), want + " in " + ops);
        }
    }
}
