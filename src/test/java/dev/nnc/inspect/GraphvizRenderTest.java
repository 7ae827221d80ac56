package dev.nnc.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.passes.Compiled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * Graphviz lays out every DOT nnc writes, for every example at both stages, with and without
 * the backward graph (the golden files included), and the SVG has one node per drawn node and
 * one edge per drawn edge. Needs {@code dot}: skipped without it locally, a failure in CI (see
 * {@link NeedsGraphviz}).
 */
class GraphvizRenderTest {
    @Test
    void everyExampleRendersWithOneSvgNodePerGraphNode() throws Exception {
        NeedsGraphviz.check();
        List<String> done = new ArrayList<>();
        for (Path f : Examples.files()) {
            Compiler.Result r = Examples.compile(f);
            for (Compiled c : r.compiled()) {
                for (GraphView.Stage stage : GraphView.Stage.values()) {
                    for (boolean grad : c.model().loss() == null ? List.of(false) : List.of(false, true)) {
                        GraphView v = GraphView.build(c, r.source(), stage, grad, false);
                        String svg = Graphviz.svg(Dot.render(v));
                        Document d = Xml.parse(svg);
                        String what = f.getFileName() + " " + stage + (grad ? " --grad" : "");
                        Set<String> want = new TreeSet<>();
                        for (GraphView.Item it : v.items()) want.add(it.id());
                        assertEquals(want, new TreeSet<>(Xml.ids(Xml.byClass(d, "g", "node"))), what + ": SVG nodes");
                        assertEquals(v.edges().size(), Xml.byClass(d, "g", "edge").size(), what + ": SVG edges");
                        long phases = grad ? v.items().stream().map(GraphView.Item::phase).distinct().count() : 0;
                        assertEquals(v.clusters().size() + phases, Xml.byClass(d, "g", "cluster").size(), what + ": clusters");
                        done.add(what);
                    }
                }
            }
        }
        assertTrue(done.size() >= 16, "rendered " + done);
    }

    @Test
    void theGoldenFilesRender() throws Exception {
        NeedsGraphviz.check();
        for (DotGoldenTest.Case k : DotGoldenTest.CASES) {
            String dot = Files.readString(DotGoldenTest.DIR.resolve(k.file()));
            Document d = Xml.parse(Graphviz.svg(dot));
            assertTrue(Xml.byClass(d, "g", "node").size() > 5, k.file());
        }
    }
}
