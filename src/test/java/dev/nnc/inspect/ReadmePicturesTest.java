package dev.nnc.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.Compiler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The committed pictures {@code docs/images/house_prices_*.svg} are the real output of
 * {@code docs/images/regenerate}: same nodes, same edges, same text in every node as
 * {@code nnc graph} makes now. The check is structural, so it needs no Graphviz and does not
 * depend on its version's exact coordinates. When it fails, run {@code docs/images/regenerate}.
 */
class ReadmePicturesTest {
    @Test
    void forwardPicture() throws Exception {
        check("docs/images/house_prices_forward.svg", false);
    }

    @Test
    void backwardPicture() throws Exception {
        check("docs/images/house_prices_backward.svg", true);
    }

    private static void check(String svgFile, boolean grad) throws Exception {
        Compiler.Result r = Examples.compile(Examples.DIR.resolve("house_prices.nn"));
        GraphView v = GraphView.build(Examples.only(r), r.source(), GraphView.Stage.OPTIMIZED, grad, false);
        Map<String, String> want = new TreeMap<>();
        for (GraphView.Item it : v.items()) want.put(it.id(), labelText(it));
        TreeSet<String> wantEdges = new TreeSet<>();
        for (GraphView.Edge e : v.edges()) wantEdges.add("n" + e.from().id() + "->n" + e.to().id());

        Document d = Xml.parse(Files.readString(Path.of(svgFile)));
        Map<String, String> have = new TreeMap<>();
        for (Element g : Xml.byClass(d, "g", "node")) {
            List<String> lines = new ArrayList<>();
            var texts = g.getElementsByTagNameNS("*", "text");
            for (int i = 0; i < texts.getLength(); i++) lines.add(texts.item(i).getTextContent());
            have.put(g.getAttribute("id"), String.join("\n", lines));
        }
        TreeSet<String> haveEdges = new TreeSet<>();
        for (Element g : Xml.byClass(d, "g", "edge")) {
            haveEdges.add(g.getElementsByTagNameNS("*", "title").item(0).getTextContent());
        }
        String hint = svgFile + " is stale: run docs/images/regenerate";
        assertEquals(want, have, hint);
        // a node pair joined twice (x * x) is one edge title twice in SVG
        assertEquals(wantEdges, haveEdges, hint);
        assertEquals(v.clusters().size() + (grad ? 2 : 0), Xml.byClass(d, "g", "cluster").size(), hint);
    }

    /** The lines of a node's label as {@link Dot} writes them. */
    private static String labelText(GraphView.Item it) {
        List<String> lines = new ArrayList<>();
        if (!it.names().isEmpty()) lines.add(String.join(", ", it.names()));
        lines.add(GraphView.describe(it.node()));
        lines.add(it.node().shape().toString());
        if (it.line() > 0) lines.add("line " + it.line());
        return String.join("\n", lines);
    }
}
