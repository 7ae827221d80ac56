package dev.nnc.autodiff;

import dev.nnc.ir.DType;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ir.Walk;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Symbolic reverse mode: the gradient of a scalar node with respect to leaves, built as more
 * nodes of the same {@link Graph} from each op's vector-Jacobian rule ({@code Op.vjp}). Because the result is ordinary graph, it can be
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
        List<Node> reach = Walk.reachable(f);
        // Active nodes: those through which f depends on a target.
        BitSet active = new BitSet();
        for (Node n : reach) {
            boolean a = targets.contains(n);
            for (Node i : n.inputs()) a |= active.get(i.id());
            if (a && n.dtype() == DType.REAL) active.set(n.id());
        }
        // Ids are dense per graph, and every node f depends on is older than f: the adjoints are
        // indexed by id, in an array up to f's (a wrt that f does not reach may be newer).
        Node[] adjoint = new Node[f.id() + 1];
        if (active.get(f.id())) adjoint[f.id()] = G.constant(1);
        for (int k = reach.size() - 1; k >= 0; k--) {
            Node y = reach.get(k);
            Node g = adjoint[y.id()];
            if (g == null || y.inputs().isEmpty()) continue;
            dev.nnc.diag.Span prev = G.at(y.origin());
            Node[] gs = y.op().vjp(G, y, g);
            if (gs.length != y.inputs().size()) {
                throw new IllegalStateException(y.op() + " gave " + gs.length + " gradients for " + y.inputs().size() + " inputs");
            }
            for (int i = 0; i < gs.length; i++) {
                Node x = y.input(i);
                if (gs[i] == null || !active.get(x.id())) continue;
                Node gi = sumTo(G, gs[i], x.shape());
                Node sum = adjoint[x.id()];
                adjoint[x.id()] = sum == null ? gi : G.add(sum, gi);
            }
            G.at(prev);
        }
        List<Node> out = new ArrayList<>();
        for (Node x : wrt) {
            Node g = x.id() < adjoint.length ? adjoint[x.id()] : null;
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
