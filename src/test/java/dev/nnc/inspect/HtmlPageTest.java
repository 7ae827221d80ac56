package dev.nnc.inspect;

import dev.nnc.ir.Size;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.passes.Compiled;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The HTML page, checked as a document: it parses as strict XML; the inline SVG has one
 * {@code <g class="node">} per graph node, and the table one row per node with the same ids;
 * totals and FLOPs agree with the view; nothing is loaded from elsewhere. Needs {@code dot}
 * (see {@link NeedsGraphviz}); the page without Graphviz is checked without it.
 */
class HtmlPageTest {
    static GraphView houseGrad() {
        Compiler.Result r = Examples.compile(Examples.DIR.resolve("house_prices.nn"));
        return GraphView.build(Examples.only(r), r.source(), GraphView.Stage.OPTIMIZED, true, false);
    }

    @Test
    void pageHoldsTheSvgAndOneTableRowPerNode() throws Exception {
        NeedsGraphviz.check();
        GraphView v = houseGrad();
        String dot = Dot.render(v);
        Map<String, Integer> dims = Map.of("batch", 64);
        String page = Html.page(v, "house_prices.nn", Graphviz.svg(dot), dot, dims);
        Document d = Xml.parse(page);
        assertEquals(1, Xml.byTag(d, "svg").size());
        List<String> svgNodes = Xml.ids(Xml.byClass(d, "g", "node"));
        List<String> want = new ArrayList<>();
        for (GraphView.Item it : v.items()) want.add(it.id());
        assertEquals(want.stream().sorted().toList(), svgNodes.stream().sorted().toList());

        Element nodes = Xml.byClass(d, "table", "nodes").get(0);
        List<String> rows = new ArrayList<>();
        for (Element tr : Xml.byTag(d, "tr")) if (tr.getAttribute("id").startsWith("row-")) rows.add(tr.getAttribute("id").substring(4));
        assertEquals(want, rows, "table rows, in node order");
        assertTrue(nodes.getTextContent().contains("169,472·batch"), "the first matmul's FLOPs (2·331·256·batch)");
        assertTrue(nodes.getTextContent().contains("10,846,208"), "the same at batch=64");

        Element totals = Xml.byClass(d, "table", "totals").get(0);
        String t = totals.getTextContent();
        assertTrue(t.contains(v.flops(GraphView.Phase.FORWARD).toString()), t);
        assertTrue(t.contains(v.flops(GraphView.Phase.BACKWARD).toString()), t);
        assertTrue(t.contains(Size.group(v.flops(GraphView.Phase.BACKWARD).eval(dims))), t);
        assertSelfContained(page);
    }

    @Test
    void withoutGraphvizThePageShowsTheDotText() throws Exception {
        GraphView v = houseGrad();
        String dot = Dot.render(v);
        String page = Html.page(v, "house_prices.nn", null, dot, Map.of("batch", 1));
        Document d = Xml.parse(page);
        assertEquals(0, Xml.byTag(d, "svg").size());
        assertEquals(dot, Xml.byTag(d, "pre").get(0).getTextContent());
        assertTrue(page.contains("apt-get install graphviz"));
        assertSelfContained(page);
    }

    /** No scripts, and no URL other than XML namespace names. */
    static void assertSelfContained(String page) {
        assertFalse(page.contains("<script"), "no scripts");
        assertFalse(page.contains("<link"), "no linked resources");
        Matcher m = Pattern.compile("(\\w[\\w:-]*)=\"(https?:[^\"]*)\"").matcher(page);
        while (m.find()) {
            assertTrue(m.group(1).startsWith("xmlns"), "external reference " + m.group());
        }
        assertFalse(page.contains("url("), "no CSS urls");
    }

    @Test
    void optimizedTableNamesTheKernels() throws Exception {
        Compiler.Result r = Examples.compile(Examples.DIR.resolve("house_prices.nn"));
        Compiled c = Examples.only(r);
        GraphView v = GraphView.build(c, r.source(), GraphView.Stage.OPTIMIZED, true, false);
        String page = Html.page(v, "house_prices.nn", null, Dot.render(v), Map.of("batch", 1));
        assertTrue(page.contains("trainStep k0"), "the first kernel of trainStep");
        assertTrue(page.contains("(fused)"));
    }
}
