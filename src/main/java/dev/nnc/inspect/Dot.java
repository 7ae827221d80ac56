package dev.nnc.inspect;

import dev.nnc.inspect.GraphView.Cluster;
import dev.nnc.inspect.GraphView.Edge;
import dev.nnc.inspect.GraphView.Item;
import dev.nnc.inspect.GraphView.Phase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Graphviz DOT text for a {@link GraphView}. Deterministic: nodes by id, edges by consumer
 * then operand, clusters by kernel order, so the text can be compared with golden files.
 * Node ids are {@code n<id>} (the IR node id); they become the {@code id} of each node's
 * {@code <g class="node">} in SVG.
 */
public final class Dot {
    private Dot() {}

    // Colors (ColorBrewer-like, readable on white and in grayscale).
    static final String INPUT = "#dbe9f6";
    static final String PARAM = "#fde9b6";
    static final String MASK = "#eeeeee";
    static final String BUFFER = "#dff0d8";
    static final String OUTPUT = "#d5efcf";
    static final String LOSS = "#f6c9c4";
    static final String BACKWARD = "#fdebdc";
    static final String GRADIENT = "#f8c79b";
    static final String FORWARD_EDGE = "#444444";
    static final String BACKWARD_EDGE = "#c0620f";
    static final String REUSE_EDGE = "#2166ac";
    static final String FUSED = "#7b3294";

    public static String render(GraphView v) {
        StringBuilder sb = new StringBuilder();
        String name = v.model().name();
        sb.append("digraph \"").append(name).append("\" {\n");
        sb.append("  graph [rankdir=TB, fontname=\"Helvetica\", fontsize=11, nodesep=0.3, ranksep=0.3, labelloc=t, label=<")
                .append(title(v)).append(">];\n");
        sb.append("  node [shape=box, style=\"rounded,filled\", fillcolor=\"white\", color=\"#555555\", fontname=\"Helvetica\", fontsize=10, margin=\"0.1,0.05\"];\n");
        sb.append("  edge [color=\"").append(FORWARD_EDGE).append("\", arrowsize=0.6];\n");

        // nodes, nested: phase cluster (with --grad) > fused-loop cluster
        Map<Cluster, List<Item>> inCluster = new LinkedHashMap<>();
        for (Cluster c : v.clusters()) inCluster.put(c, new ArrayList<>());
        List<Item> loose = new ArrayList<>();
        for (Item it : v.items()) {
            if (it.cluster() != null) inCluster.get(it.cluster()).add(it);
            else loose.add(it);
        }
        if (v.grad()) {
            for (Phase p : Phase.values()) {
                if (v.items().stream().noneMatch(it -> it.phase() == p)) continue; // every gradient node is a forward node too
                boolean f = p == Phase.FORWARD;
                sb.append("  subgraph cluster_").append(f ? "forward" : "backward").append(" {\n");
                sb.append("    label=<<b>").append(f ? "forward graph" : "backward graph").append("</b>: nodes hold ")
                        .append(f ? "values" : "gradients").append(">; style=\"rounded\"; color=\"")
                        .append(f ? "#bbbbbb" : "#e6b48a").append("\"; fontsize=11;\n");
                writeNodes(sb, v, p, inCluster, loose, "    ");
                sb.append("  }\n");
            }
        } else {
            writeNodes(sb, v, null, inCluster, loose, "  ");
        }
        for (Edge e : v.edges()) {
            sb.append("  n").append(e.from().id()).append(" -> n").append(e.to().id());
            switch (e.kind()) {
                case FORWARD -> { }
                case BACKWARD -> sb.append(" [color=\"").append(BACKWARD_EDGE).append("\"]");
                case REUSE -> sb.append(" [color=\"").append(REUSE_EDGE).append("\", style=dashed]");
            }
            sb.append(";\n");
        }
        sb.append("}\n");
        return sb.toString();
    }

    private static void writeNodes(StringBuilder sb, GraphView v, Phase phase, Map<Cluster, List<Item>> inCluster,
                                   List<Item> loose, String indent) {
        for (Map.Entry<Cluster, List<Item>> e : inCluster.entrySet()) {
            Cluster c = e.getKey();
            if (phase != null && c.phase() != phase) continue;
            sb.append(indent).append("subgraph ").append(c.id()).append(" {\n");
            sb.append(indent).append("  label=<").append(html(c.label())).append(">; style=\"dashed,rounded\"; color=\"")
                    .append(FUSED).append("\"; fontcolor=\"").append(FUSED).append("\"; fontsize=9;\n");
            for (Item it : e.getValue()) node(sb, v, it, indent + "  ");
            sb.append(indent).append("}\n");
        }
        for (Item it : loose) if (phase == null || it.phase() == phase) node(sb, v, it, indent);
    }

    private static void node(StringBuilder sb, GraphView v, Item it, String indent) {
        StringBuilder label = new StringBuilder();
        if (!it.names().isEmpty()) {
            label.append("<font point-size=\"9\"><b>").append(html(String.join(", ", it.names()))).append("</b></font><br/>");
        }
        String what = GraphView.describe(it.node());
        boolean leaf = it.node().inputs().isEmpty();
        label.append(leaf ? html(what) : "<b>" + html(what) + "</b>");
        label.append("<br/>").append(html(it.node().shape().toString()));
        if (it.line() > 0) label.append("<br/><font point-size=\"8\" color=\"#666666\">line ").append(it.line()).append("</font>");
        List<String> attrs = new ArrayList<>();
        attrs.add("id=\"" + it.id() + "\"");
        attrs.add("label=<" + label + ">");
        switch (it.role()) {
            case INPUT -> attrs.add("fillcolor=\"" + INPUT + "\"");
            case PARAM -> attrs.add("fillcolor=\"" + PARAM + "\"");
            case BUFFER -> attrs.add("fillcolor=\"" + BUFFER + "\"");
            case MASK -> {
                attrs.add("fillcolor=\"" + MASK + "\"");
                attrs.add("style=\"rounded,filled,dashed\"");
            }
            case OUTPUT -> {
                attrs.add("fillcolor=\"" + OUTPUT + "\"");
                attrs.add("penwidth=2");
            }
            case LOSS -> {
                attrs.add("fillcolor=\"" + LOSS + "\"");
                attrs.add("penwidth=2");
            }
            case GRADIENT -> {
                attrs.add("fillcolor=\"" + GRADIENT + "\"");
                attrs.add("penwidth=2");
            }
            case OP -> {
                if (it.phase() == Phase.BACKWARD) attrs.add("fillcolor=\"" + BACKWARD + "\"");
            }
        }
        if (it.role() != GraphView.Role.OP && it.phase() == Phase.BACKWARD && it.role() != GraphView.Role.GRADIENT) {
            attrs.add("color=\"" + BACKWARD_EDGE + "\"");
        }
        String src = v.sourceLine(it.line());
        String tip = (it.line() > 0 ? "line " + it.line() + ": " + src : "synthesized") + " (" + it.flops() + " FLOPs)";
        attrs.add("tooltip=\"" + quoted(tip) + "\"");
        sb.append(indent).append(it.id()).append(" [").append(String.join(", ", attrs)).append("];\n");
    }

    private static String title(GraphView v) {
        StringBuilder t = new StringBuilder("<table border=\"0\" cellspacing=\"0\"><tr><td><b>").append(html(v.model().name())).append("</b>: ");
        t.append(v.grad() ? "forward and backward graphs" : "forward graph");
        t.append(", ").append(v.stage() == GraphView.Stage.PARSED ? "as parsed (before optimization)" : "optimized");
        if (!v.entries().isEmpty()) t.append(", fused loops of ").append(html(v.entries()));
        if (v.grad() && v.items().stream().noneMatch(it -> it.phase() == Phase.BACKWARD)) {
            t.append("<br/>the backward graph adds no node: every gradient is already a node of the forward graph");
        }
        t.append("</td></tr><tr><td>").append(legend(v)).append("</td></tr></table>");
        return t.toString();
    }

    /** A one-row legend table in the graph's label (no extra nodes). */
    private static String legend(GraphView v) {
        StringBuilder l = new StringBuilder("<table border=\"0\" cellspacing=\"4\" cellpadding=\"2\"><tr>");
        cell(l, INPUT, "input");
        cell(l, PARAM, "param");
        if (!v.model().buffers().isEmpty()) cell(l, BUFFER, "buffer");
        cell(l, OUTPUT, "output");
        cell(l, LOSS, "loss");
        cell(l, "white", "forward op");
        if (v.grad()) {
            cell(l, BACKWARD, "backward op");
            cell(l, GRADIENT, "gradient");
            l.append("<td><font color=\"").append(REUSE_EDGE).append("\">- - →</font> forward value reused by backward</td>");
            l.append("<td><font color=\"").append(BACKWARD_EDGE).append("\">──→</font> gradient flow</td>");
        }
        if (!v.clusters().isEmpty()) l.append("<td><font color=\"").append(FUSED).append("\">[ dashed box ]</font> one fused loop</td>");
        return l.append("</tr></table>").toString();
    }

    private static void cell(StringBuilder l, String color, String text) {
        l.append("<td border=\"1\" bgcolor=\"").append(color).append("\">").append(text).append("</td>");
    }

    /** Escapes text for a Graphviz HTML-like label. */
    static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Escapes text for a double-quoted DOT string. */
    static String quoted(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ");
    }
}
