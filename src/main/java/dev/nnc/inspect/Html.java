package dev.nnc.inspect;

import dev.nnc.ir.Size;

import dev.nnc.inspect.GraphView.Item;
import dev.nnc.inspect.GraphView.Phase;
import java.util.Map;

/**
 * The page of {@code nnc graph --format html}: one self-contained file, readable offline (no
 * scripts, fonts or images from elsewhere), holding the SVG inline, the forward and backward
 * totals, and a table of the nodes with shapes and FLOP counts. The page is well-formed XML
 * (XHTML syntax), so tools and tests can parse it with any XML parser.
 */
public final class Html {
    private Html() {}

    /**
     * @param v       what is drawn
     * @param file    the .nn file name shown in the heading
     * @param svg     dot's SVG of {@link Dot#render(GraphView)}, or null when Graphviz is missing
     * @param dot     the DOT text (shown instead of the picture when {@code svg} is null)
     * @param dims    the dims FLOPs are evaluated at
     */
    public static String page(GraphView v, String file, String svg, String dot, Map<String, Integer> dims) {
        StringBuilder h = new StringBuilder();
        String name = v.model().name();
        String at = dims.isEmpty() ? "" : " at " + Statistics.bindingText(dims);
        h.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
        h.append("<title>").append(esc(name)).append(" — nnc graph</title>\n");
        h.append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        h.append("<h1>").append(esc(name)).append(v.grad() ? ": forward and backward graphs" : ": forward graph").append("</h1>\n");
        h.append("<p class=\"meta\">").append(esc(file)).append(" · stage ")
                .append(v.stage() == GraphView.Stage.PARSED ? "parsed (the checker's graph; autodiff's before simplification)" : "optimized (what the generated code computes)");
        if (!v.entries().isEmpty()) h.append(" · fused loops of ").append(esc(v.entries()));
        h.append(" · FLOPs").append(dims.isEmpty() ? " (the model has no runtime dims)" : esc(at)).append("</p>\n");

        // totals
        h.append("<table class=\"totals\">\n<thead><tr><th></th><th>ops</th><th>FLOPs</th>");
        if (!dims.isEmpty()) h.append("<th>FLOPs").append(esc(at)).append("</th>");
        h.append("</tr></thead>\n<tbody>\n");
        totalRow(h, "forward", v.ops(Phase.FORWARD), v.flops(Phase.FORWARD), dims);
        if (v.grad()) {
            totalRow(h, "backward", v.ops(Phase.BACKWARD), v.flops(Phase.BACKWARD), dims);
            int f = v.ops(Phase.FORWARD);
            h.append("<tr><td colspan=\"").append(dims.isEmpty() ? 3 : 4).append("\">backward / forward: ")
                    .append(f == 0 ? "—" : String.format(java.util.Locale.ROOT, "%.2f", (double) v.ops(Phase.BACKWARD) / f))
                    .append(" in ops; ").append(v.reusedCount()).append(" forward value")
                    .append(v.reusedCount() == 1 ? " is" : "s are").append(" reused by the backward pass</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n");

        // picture
        h.append("<div class=\"graph\">\n");
        if (svg != null) {
            h.append(stripProlog(svg));
        } else {
            h.append("<p class=\"missing\">Graphviz's <code>dot</code> was not found, so there is no picture: ")
                    .append(esc(Graphviz.INSTALL_HINT)).append(", then run the command again. The DOT text:</p>\n<pre>")
                    .append(esc(dot)).append("</pre>\n");
        }
        h.append("</div>\n");

        // nodes
        h.append("<h2>Nodes</h2>\n<table class=\"nodes\">\n<thead><tr><th>node</th><th>phase</th><th>op</th><th>shape</th><th>FLOPs</th>");
        if (!dims.isEmpty()) h.append("<th>").append(esc(at.strip())).append("</th>");
        boolean kernels = v.stage() == GraphView.Stage.OPTIMIZED;
        if (kernels) h.append("<th>kernel</th>");
        h.append("<th>line</th><th>source</th></tr></thead>\n<tbody>\n");
        for (Item it : v.items()) {
            h.append("<tr id=\"row-").append(it.id()).append("\" class=\"").append(it.phase() == Phase.FORWARD ? "fwd" : "bwd")
                    .append(it.reused() ? " reused" : "").append("\">");
            h.append("<td><a href=\"#").append(it.id()).append("\">").append(it.id()).append("</a></td>");
            h.append("<td>").append(it.phase() == Phase.FORWARD ? "forward" : "backward").append(it.reused() ? " (reused)" : "").append("</td>");
            h.append("<td>");
            if (!it.names().isEmpty()) h.append("<b>").append(esc(String.join(", ", it.names()))).append("</b><br/>");
            h.append(esc(GraphView.describe(it.node()))).append("</td>");
            h.append("<td>").append(esc(it.node().shape().toString())).append("</td>");
            h.append("<td class=\"num\">").append(esc(it.flops().toString())).append("</td>");
            if (!dims.isEmpty()) h.append("<td class=\"num\">").append(Size.group(it.flops().eval(dims))).append("</td>");
            if (kernels) h.append("<td>").append(it.kernel() == null ? "" : esc(it.kernel())).append("</td>");
            h.append("<td class=\"num\">").append(it.line() > 0 ? Integer.toString(it.line()) : "").append("</td>");
            h.append("<td><code>").append(esc(v.sourceLine(it.line()))).append("</code></td>");
            h.append("</tr>\n");
        }
        h.append("</tbody>\n</table>\n");
        h.append("<p class=\"meta\">FLOPs: matmul [m,k]@[k,n] counts 2·m·k·n; every elementwise op 1 per element "
                + "(exp, log, tanh and other functions included; clamp 2); sum and max 1 per input element; "
                + "reshapes, broadcasts, transposes, slices and other data movement 0. Made by nnc graph.</p>\n");
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static void totalRow(StringBuilder h, String what, int ops, Size flops, Map<String, Integer> dims) {
        h.append("<tr><th>").append(what).append("</th><td class=\"num\">").append(ops).append("</td><td class=\"num\">")
                .append(esc(flops.toString())).append("</td>");
        if (!dims.isEmpty()) h.append("<td class=\"num\">").append(Size.group(flops.eval(dims))).append("</td>");
        h.append("</tr>\n");
    }

    /** dot's SVG without the XML declaration, DOCTYPE and leading comments: from {@code <svg} on. */
    static String stripProlog(String svg) {
        int i = svg.indexOf("<svg");
        if (i < 0) throw new IllegalArgumentException("not an SVG document");
        return svg.substring(i);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static final String CSS = """
            body { font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #222; }
            h1 { font-size: 1.4em; margin-bottom: 0.2em; }
            h2 { font-size: 1.1em; margin-top: 1.5em; }
            .meta { color: #555; font-size: 0.9em; }
            table { border-collapse: collapse; font-size: 0.85em; }
            th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }
            thead th { background: #f0f0f0; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            table.totals { margin: 0.8em 0; }
            tr.bwd { background: #fdf3ea; }
            tr.reused td:nth-child(2) { color: #2166ac; }
            .graph { overflow: auto; border: 1px solid #ddd; margin: 1em 0; padding: 0.5em; }
            .graph svg { max-width: 100%; height: auto; }
            .missing { color: #a33; }
            code { font-size: 0.95em; }
            """;
}
