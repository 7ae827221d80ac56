package dev.nnc.inspect;

import dev.nnc.autodiff.Autodiff;
import dev.nnc.codegen.Plans;
import dev.nnc.ir.Attr;
import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import dev.nnc.ir.Walk;
import java.util.HashSet;
import dev.nnc.ops.Family;
import dev.nnc.ops.Leaf;
import dev.nnc.passes.Compiled;
import dev.nnc.passes.Pipeline;
import dev.nnc.passes.Fold;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What {@code nnc graph} draws, independent of the output format: the nodes of one model at
 * one stage, split into the forward graph (nodes reachable from the outputs and the loss:
 * they hold values) and the backward graph (nodes reachable only from the gradients: they
 * hold gradients), the edges between them, and, for the optimized stage, the fused loops of
 * the generated code. Scalar constants and dim sizes are not nodes of the picture: they are
 * written into their consumers' labels.
 */
public final class GraphView {
    /** Which graph: the checker's, or the one the code generator compiles. */
    public enum Stage { PARSED, OPTIMIZED }

    /** Forward nodes hold values; backward nodes hold gradients. */
    public enum Phase { FORWARD, BACKWARD }

    /** How a node is styled. */
    public enum Role { INPUT, PARAM, BUFFER, MASK, OUTPUT, LOSS, GRADIENT, OP }

    /** An edge's kind: inside the forward graph, inside the backward graph, or a forward value the backward pass reuses. */
    public enum EdgeKind { FORWARD, BACKWARD, REUSE }

    /**
     * One drawn node.
     *
     * @param node    the IR node
     * @param phase   forward or backward
     * @param reused  a forward node that some backward node reads
     * @param role    its style
     * @param names   the roots it is, as shown: "output price", "loss", "∂loss/∂w1"
     * @param flops   its operation count ({@link Flops})
     * @param kernel  for the optimized stage, how the generated code computes it, such as
     *                "trainStep k3 (fused)"; null otherwise or when no kernel computes it
     * @param cluster the fused loop it belongs to, or null
     */
    public record Item(Node node, Phase phase, boolean reused, Role role, List<String> names, Size flops, String kernel,
                       Cluster cluster) {
        public String id() {
            return "n" + node.id();
        }

        public int line() {
            return node.origin().isNone() ? 0 : node.origin().line();
        }
    }

    public record Edge(Node from, Node to, EdgeKind kind) {}

    /** A fused loop of generated code: one kernel computing several nodes. */
    public record Cluster(String id, String label, Phase phase, List<Node> nodes) {}

    private final Compiled compiled;
    private final Stage stage;
    private final boolean grad;
    private final String entries;
    private final String[] sourceLines;
    private final List<Item> items = new ArrayList<>();
    private final Map<Node, Item> byNode = new HashMap<>();
    private final List<Edge> edges = new ArrayList<>();
    private final List<Cluster> clusters = new ArrayList<>();

    private GraphView(Compiled compiled, Stage stage, boolean grad, String entries, String source) {
        this.compiled = compiled;
        this.stage = stage;
        this.grad = grad;
        this.entries = entries;
        this.sourceLines = source == null ? new String[0] : source.split("\n", -1);
    }

    /**
     * Builds the view of one model.
     *
     * @param c          the compiled model
     * @param source     its .nn text (for source lines in tooltips and tables), or null
     * @param stage      parsed: the checker's graph, and autodiff's gradient graph before any
     *                   simplification; optimized: the simplified graph the code generator compiles
     * @param grad       draw the backward graph of the loss beside the forward graph
     * @param inputGrads with {@code grad}, also the gradients with respect to real-valued inputs
     */
    public static GraphView build(Compiled c, String source, Stage stage, boolean grad, boolean inputGrads) {
        Model m = c.model();
        if (grad && m.loss() == null) throw new IllegalArgumentException("model " + m.name() + " has no loss, so no backward graph");
        Map<Node, List<String>> names = new LinkedHashMap<>();
        List<Node> forward = new ArrayList<>();
        List<Node> backward = new ArrayList<>();
        List<Plans.Entry> plans = new ArrayList<>();
        Compiled.Roots roots;
        if (stage == Stage.PARSED) {
            roots = parsedRoots(m, grad);
        } else {
            Map<String, Plans.Entry> byName = new LinkedHashMap<>();
            for (Plans.Entry e : Plans.entries(c)) byName.put(e.name(), e);
            if (!grad) {
                roots = c.eval();
                if (byName.containsKey("infer")) plans.add(byName.get("infer"));
                if (byName.containsKey("loss")) plans.add(byName.get("loss"));
            } else if (m.optimizer() != null && !inputGrads) {
                roots = c.train();
                plans.add(byName.get("trainStep"));
            } else {
                roots = c.eval();
                plans.add(byName.get("gradients"));
            }
        }
        for (int i = 0; i < m.outputs().size(); i++) {
            Node o = roots.outputs().get(i);
            forward.add(o);
            names.computeIfAbsent(o, k -> new ArrayList<>()).add("output " + m.outputs().get(i).name());
        }
        if (roots.loss() != null) {
            forward.add(roots.loss());
            names.computeIfAbsent(roots.loss(), k -> new ArrayList<>()).add("loss");
        }
        if (grad) {
            for (int i = 0; i < m.params().size(); i++) {
                Node g = roots.paramGrads().get(i);
                backward.add(g);
                names.computeIfAbsent(g, k -> new ArrayList<>()).add("∂loss/∂" + m.params().get(i).name());
            }
            if (inputGrads) {
                for (int i = 0; i < m.inputs().size(); i++) {
                    Node g = roots.inputGrads().get(i);
                    if (g == null) continue;
                    backward.add(g);
                    names.computeIfAbsent(g, k -> new ArrayList<>()).add("∂loss/∂" + m.inputs().get(i).name());
                }
            }
        }
        String entryNames = String.join(" + ", plans.stream().map(Plans.Entry::name).toList());
        GraphView v = new GraphView(c, stage, grad, entryNames, source);
        v.fill(forward, backward, names, plans);
        return v;
    }

    /** The checker's roots in training mode, and with {@code grad} the gradients autodiff builds before simplification. */
    private static Compiled.Roots parsedRoots(Model m, boolean grad) {
        return Pipeline.parsed(m, true, grad);
    }

    private void fill(List<Node> forwardRoots, List<Node> backwardRoots, Map<Node, List<String>> names, List<Plans.Entry> plans) {
        Set<Node> fwd = new HashSet<>(Walk.reachable(forwardRoots));
        Set<Node> all = new HashSet<>(Walk.reachable(backwardRoots));
        all.addAll(fwd);
        Set<Node> rootSet = names.keySet();
        TreeMap<Integer, Node> ordered = new TreeMap<>();
        for (Node n : all) if (!isInlined(n, rootSet)) ordered.put(n.id(), n);
        // kernels: the first entry that computes a node decides its kernel
        Map<Node, String> kernelOf = new HashMap<>();
        Map<Node, Cluster> clusterOf = new HashMap<>();
        for (Plans.Entry e : plans) {
            for (Plans.Kernel k : e.kernels()) {
                if (kernelOf.containsKey(k.result())) continue;
                List<Node> drawn = new ArrayList<>();
                for (Node n : k.nodes()) if (ordered.containsKey(n.id()) && !kernelOf.containsKey(n)) drawn.add(n);
                for (Node n : drawn) kernelOf.put(n, e.name() + " k" + k.index() + (n == k.result() ? "" : " (fused)"));
                // A box stays inside its phase: a forward output that trainStep computes inside a
                // backward loop (it is no root of trainStep) stays in the forward graph, unboxed.
                Phase p = fwd.contains(k.result()) ? Phase.FORWARD : Phase.BACKWARD;
                List<Node> boxed = new ArrayList<>();
                for (Node n : drawn) if (fwd.contains(n) == (p == Phase.FORWARD)) boxed.add(n);
                if (boxed.size() >= 2) {
                    Cluster cl = new Cluster("cluster_" + e.name() + "_k" + k.index(),
                            "fused loop " + e.name() + " k" + k.index(), p, boxed);
                    clusters.add(cl);
                    for (Node n : boxed) clusterOf.put(n, cl);
                }
            }
        }
        Set<Node> reused = new java.util.HashSet<>();
        for (Node n : ordered.values()) {
            if (fwd.contains(n)) continue;
            for (Node i : n.inputs()) if (fwd.contains(i)) reused.add(i);
        }
        for (Node n : ordered.values()) {
            Phase p = fwd.contains(n) ? Phase.FORWARD : Phase.BACKWARD;
            List<String> ns = names.getOrDefault(n, List.of());
            Item it = new Item(n, p, reused.contains(n), role(n, ns), List.copyOf(ns), Flops.of(n), kernelOf.get(n), clusterOf.get(n));
            items.add(it);
            byNode.put(n, it);
        }
        for (Item it : items) {
            for (Node i : it.node().inputs()) {
                if (!byNode.containsKey(i)) continue;
                EdgeKind k = it.phase() == Phase.FORWARD ? EdgeKind.FORWARD
                        : fwd.contains(i) ? EdgeKind.REUSE : EdgeKind.BACKWARD;
                edges.add(new Edge(i, it.node(), k));
            }
        }
    }

    private static boolean isInlined(Node n, Set<Node> roots) {
        return (n.op() == Leaf.CONST || n.op() == Leaf.SIZE) && !roots.contains(n);
    }

    private static Role role(Node n, List<String> names) {
        for (String s : names) if (s.equals("loss")) return Role.LOSS;
        for (String s : names) if (s.startsWith("output ")) return Role.OUTPUT;
        if (!names.isEmpty()) return Role.GRADIENT;
        if (!(n.op() instanceof Leaf leaf)) return Role.OP;
        return switch (leaf) {
            case INPUT -> Role.INPUT;
            case PARAM -> Role.PARAM;
            case BUFFER -> Role.BUFFER;
            case DROPOUT_MASK -> Role.MASK;
            case CONST, SIZE, ARANGE -> Role.OP;
        };
    }

    // ------------------------------------------------------------------ accessors

    public Compiled compiled() {
        return compiled;
    }

    public Model model() {
        return compiled.model();
    }

    public Stage stage() {
        return stage;
    }

    public boolean grad() {
        return grad;
    }

    /** The generated methods whose kernels the clusters show ("" for the parsed stage). */
    public String entries() {
        return entries;
    }

    /** Drawn nodes by id (so inputs come before their users). */
    public List<Item> items() {
        return List.copyOf(items);
    }

    public Item item(Node n) {
        return byNode.get(n);
    }

    public List<Edge> edges() {
        return List.copyOf(edges);
    }

    public List<Cluster> clusters() {
        return List.copyOf(clusters);
    }

    /** Ops (drawn non-leaf nodes) of one phase. */
    public int ops(Phase p) {
        int n = 0;
        for (Item it : items) if (it.phase() == p && it.node().op().family() != Family.LEAF) n++;
        return n;
    }

    public Size flops(Phase p) {
        Size sum = Size.ZERO;
        for (Item it : items) if (it.phase() == p) sum = sum.plus(it.flops());
        return sum;
    }

    /** Forward nodes the backward graph reads. */
    public int reusedCount() {
        int n = 0;
        for (Item it : items) if (it.reused()) n++;
        return n;
    }

    /** The text of .nn line {@code line} (1-based), stripped, or "". */
    public String sourceLine(int line) {
        return line >= 1 && line <= sourceLines.length ? sourceLines[line - 1].strip() : "";
    }

    // ------------------------------------------------------------------ labels

    /**
     * What a node computes, in a few words: {@code input x}, {@code param w1}, {@code matmul},
     * {@code sum axes 1}, and constant operands in place: {@code mul(•, 0.5)}, {@code div(•, batch)}.
     */
    public static String describe(Node n) {
        String head = n.op().label(n);
        boolean anyInline = false;
        for (Node i : n.inputs()) anyInline |= i.op() == Leaf.CONST || i.op() == Leaf.SIZE;
        if (!anyInline) return head;
        List<String> args = new ArrayList<>();
        for (Node i : n.inputs()) {
            if (i.op() == Leaf.CONST) args.add(Fold.format(i.constValue()));
            else if (i.op() == Leaf.SIZE) args.add(i.attr(Attr.Extent.class).size().toString());
            else args.add("•");
        }
        return head + "(" + String.join(", ", args) + ")";
    }
}
