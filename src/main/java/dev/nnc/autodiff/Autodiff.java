package dev.nnc.autodiff;

import dev.nnc.ir.DType;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Symbolic reverse mode: the gradient of a scalar node with respect to leaves, built as more
 * nodes of the same {@link Graph}. Because the result is ordinary graph, it can be
 * differentiated again (grad of grad, Hessian-vector products).
 */
public final class Autodiff {
    private Autodiff() {}

    /**
     * The gradient of scalar {@code f} with respect to each node of {@code wrt} (usually
     * inputs or params), shaped like it; a zero tensor where {@code f} does not depend on it.
     */
    public static List<Node> gradients(Graph G, Node f, List<Node> wrt) {
        if (!f.shape().isScalar()) throw new IllegalArgumentException("gradient of non-scalar " + f.shape());
        Set<Node> targets = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        targets.addAll(wrt);
        // Nodes reachable from f, by id (ids are a topological order: inputs are older).
        TreeMap<Integer, Node> reach = new TreeMap<>();
        List<Node> stack = new ArrayList<>(List.of(f));
        while (!stack.isEmpty()) {
            Node n = stack.remove(stack.size() - 1);
            if (reach.putIfAbsent(n.id(), n) == null) stack.addAll(n.inputs());
        }
        // Active nodes: those through which f depends on a target.
        Set<Integer> active = new HashSet<>();
        for (Node n : reach.values()) {
            boolean a = targets.contains(n);
            for (Node i : n.inputs()) a |= active.contains(i.id());
            if (a && n.dtype() == DType.REAL) active.add(n.id());
        }
        Map<Integer, Node> adjoint = new HashMap<>();
        if (active.contains(f.id())) adjoint.put(f.id(), G.constant(1));
        for (Node y : reach.descendingMap().values()) {
            Node g = adjoint.get(y.id());
            if (g == null || y.inputs().isEmpty()) continue;
            dev.nnc.diag.Span prev = G.at(y.origin());
            Node[] gs = VjpRules.vjp(G, y, g);
            for (int i = 0; i < gs.length; i++) {
                Node x = y.input(i);
                if (gs[i] == null || !active.contains(x.id())) continue;
                Node gi = sumTo(G, gs[i], x.shape());
                adjoint.merge(x.id(), gi, G::add);
            }
            G.at(prev);
        }
        List<Node> out = new ArrayList<>();
        for (Node x : wrt) {
            Node g = adjoint.get(x.id());
            out.add(g == null ? G.filled(0, x.shape()) : G.broadcast(g, x.shape()));
        }
        return out;
    }

    /** Sums {@code g} over the dimensions along which a value of {@code shape} was broadcast. */
    static Node sumTo(Graph G, Node g, Shape shape) {
        Shape gs = g.shape();
        if (gs.equals(shape)) return g;
        int lead = gs.rank() - shape.rank();
        if (lead < 0) return G.broadcast(g, shape);
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < gs.rank(); i++) {
            if (i < lead) {
                axes.add(i);
            } else {
                Dim want = shape.get(i - lead);
                if (want.isOne() && !gs.get(i).isOne()) axes.add(i);
            }
        }
        Node s = G.sum(g, axes, false);
        return s.shape().equals(shape) ? s : G.broadcast(G.reshape(s, shapeWithoutOnes(s.shape(), shape)), shape);
    }

    private static Shape shapeWithoutOnes(Shape have, Shape want) {
        return have.sameNumel(want) ? want : have;
    }
}
