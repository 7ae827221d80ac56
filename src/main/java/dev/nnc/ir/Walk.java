package dev.nnc.ir;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The graph walks every phase shares: the nodes reachable from some roots in a topological
 * order, and a memoized bottom-up rewrite. Both are iterative, so deep graphs cannot overflow
 * the stack.
 */
public final class Walk {
    private Walk() {}

    /**
     * Every node reachable from {@code roots} (nulls ignored), each once, inputs before their
     * users: by creation order, which is topological since a node's inputs are older.
     */
    public static List<Node> reachable(Collection<Node> roots) {
        // Ids are dense per graph: a bit set marks the visited, and one sort by id orders them
        // (a sorted map per node costs most of the time of differentiating a nested grad).
        BitSet seen = new BitSet();
        List<Node> reach = new ArrayList<>();
        List<Node> stack = new ArrayList<>();
        for (Node r : roots) if (r != null) stack.add(r);
        while (!stack.isEmpty()) {
            Node n = stack.remove(stack.size() - 1);
            if (seen.get(n.id())) continue;
            seen.set(n.id());
            reach.add(n);
            stack.addAll(n.inputs());
        }
        reach.sort(Comparator.comparingInt(Node::id));
        return reach;
    }

    /** {@link #reachable} of one root. */
    public static List<Node> reachable(Node root) {
        return reachable(List.of(root));
    }

    /** One step of a rewrite: the replacement of {@code n}, given the replacements of its inputs. */
    public interface Rule {
        Node apply(Node n, List<Node> newInputs);
    }

    /**
     * A bottom-up rewrite: each node is visited once, after its inputs, and its replacement is
     * remembered across calls, so rewriting several roots shares the work.
     */
    public static final class Rewrite {
        private final Rule rule;
        private final Map<Node, Node> done = new IdentityHashMap<>();

        public Rewrite(Rule rule) {
            this.rule = rule;
        }

        /** The replacement of {@code root} (null stays null). */
        public Node apply(Node root) {
            if (root == null) return null;
            Node known = done.get(root);
            if (known != null) return known;
            for (Node n : reachable(root)) {
                if (done.containsKey(n)) continue;
                List<Node> ins = new ArrayList<>(n.inputs().size());
                for (Node i : n.inputs()) ins.add(done.get(i));
                done.put(n, rule.apply(n, ins));
            }
            return done.get(root);
        }

        /** The replacements of {@code roots}, in order (nulls stay null). */
        public List<Node> apply(List<Node> roots) {
            List<Node> out = new ArrayList<>(roots.size());
            for (Node r : roots) out.add(apply(r));
            return out;
        }
    }
}
