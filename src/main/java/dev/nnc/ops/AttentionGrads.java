package dev.nnc.ops;

import dev.nnc.autodiff.Autodiff;
import dev.nnc.ir.Attr;
import dev.nnc.ir.DType;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ir.Walk;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Vector-Jacobian rules of the attention ops. The forward op's gradients are fused ops
 * ({@link Structured#ATTENTION_GRAD}) fed by the row log-sum-exp ({@code ATTENTION_LSE}) and
 * {@code D = rowsum(dO ∘ O)}. The gradients of those two (second derivatives, rarely run) are
 * those of their compositions from existing ops, differentiated by {@link Autodiff} over
 * placeholder leaves that then become the op's real inputs (so an input used twice, as in
 * self-attention's {@code q = k = v}, gets each use's part once).
 */
final class AttentionGrads {
    private AttentionGrads() {}

    /** The gradients of {@code y = ATTENTION(q, k, v[, mask])} given {@code dO = adj}. */
    static Node[] ofAttention(Graph g, Node y, Node adj) {
        Node q = y.input(0), k = y.input(1), v = y.input(2);
        Node mask = y.inputs().size() > 3 ? y.input(3) : null;
        boolean causal = y.attr(Attr.Attention.class).causal();
        List<Node> lseIn = new ArrayList<>(List.of(q, k));
        if (mask != null) lseIn.add(mask);
        Node lse = g.structured(Structured.ATTENTION_LSE, lseIn, new Attr.Attention(causal, -1));
        Node d = g.sum(g.mul(adj, y), List.of(-1), false);
        List<Node> in = new ArrayList<>(List.of(q, k, v, adj, lse, d));
        if (mask != null) in.add(mask);
        Node[] out = new Node[y.inputs().size()];
        for (int wrt = 0; wrt < out.length; wrt++) out[wrt] = g.structured(Structured.ATTENTION_GRAD, in, new Attr.Attention(causal, wrt));
        return out;
    }

    /**
     * The gradients of an {@code ATTENTION_LSE} or {@code ATTENTION_GRAD} node {@code y}: those of
     * {@code Σ adj ∘ composite(x)} at placeholders {@code x}, with the node's inputs put in.
     */
    static Node[] ofComposite(Graph g, Node y, Node adj) {
        List<Node> holders = new ArrayList<>();
        Map<Node, Node> actual = new IdentityHashMap<>();
        for (int i = 0; i < y.inputs().size(); i++) {
            Node h = g.input("attention$" + i, -1 - i, y.input(i).shape(), DType.REAL);
            holders.add(h);
            actual.put(h, y.input(i));
        }
        Node f = g.sum(g.mul(composite(g, y, holders), adj), null, false);
        List<Node> grads = Autodiff.gradients(g, f, holders);
        Node[] out = new Node[grads.size()];
        for (int i = 0; i < out.length; i++) out[i] = substitute(g, grads.get(i), actual);
        return out;
    }

    /** {@code y}'s value as a composition of existing ops over {@code in} (in place of its inputs). */
    private static Node composite(Graph g, Node y, List<Node> in) {
        Attr.Attention a = y.attr(Attr.Attention.class);
        Node q = in.get(0), k = in.get(1);
        if (y.op() == Structured.ATTENTION_LSE) {
            Node s = scores(g, q, k, in.size() > 2 ? in.get(2) : null);
            if (a.causal()) s = g.where(keep(g, s.shape()), s, g.constant(Double.NEGATIVE_INFINITY));
            Node m = g.stopGradient(g.max(s, List.of(-1), true));
            Node lse = g.add(g.log(g.sum(g.exp(g.sub(s, m)), List.of(-1), true)), m);
            return g.reshape(lse, y.shape());
        }
        Node v = in.get(2), dO = in.get(3), lse = column(g, in.get(4)), d = column(g, in.get(5));
        Node s = scores(g, q, k, in.size() > 6 ? in.get(6) : null);
        Node p = g.exp(g.sub(s, lse));
        if (a.causal()) p = g.where(keep(g, s.shape()), p, g.constant(0));
        Node ds = g.mul(p, g.sub(g.matmul(dO, g.transpose(v)), d));
        Node c = scale(g, q);
        return switch (a.wrt()) {
            case 0 -> g.mul(g.matmul(ds, k), c);
            case 1 -> g.mul(g.matmul(g.transpose(ds), q), c);
            case 2 -> g.matmul(g.transpose(p), dO);
            case 3 -> ds;
            default -> throw new IllegalArgumentException("attention gradient with respect to input " + a.wrt());
        };
    }

    /** {@code q @ kᵀ / √E (+ mask)}. */
    private static Node scores(Graph g, Node q, Node k, Node mask) {
        Node s = g.mul(g.matmul(q, g.transpose(k)), scale(g, q));
        return mask == null ? s : g.add(s, mask);
    }

    /** {@code 1/√E}, {@code E} the last axis of {@code q}. */
    private static Node scale(Graph g, Node q) {
        return g.div(g.constant(1), g.unary(Unary.SQRT, g.size(List.of(q.shape().last(1)))));
    }

    /** True where key {@code j} is at or before query {@code i}: {@code [Lq, Lk]}, broadcast over the scores. */
    private static Node keep(Graph g, Shape scores) {
        Node rows = g.reshape(g.arange(scores.last(2)), Shape.of(scores.last(2), Dim.of(1)));
        return g.binary(Binary.GE, rows, g.arange(scores.last(1)));
    }

    /** A row statistic {@code [..., Lq]} as {@code [..., Lq, 1]}. */
    private static Node column(Graph g, Node rowStatistic) {
        List<Dim> d = new ArrayList<>(rowStatistic.shape().dims());
        d.add(Dim.of(1));
        return g.reshape(rowStatistic, new Shape(d));
    }

    /** {@code n} with each placeholder replaced by its actual node, rebuilt bottom-up. */
    private static Node substitute(Graph g, Node n, Map<Node, Node> actual) {
        Map<Node, Node> done = new IdentityHashMap<>(actual);
        for (Node x : Walk.reachable(n)) {
            if (done.containsKey(x)) continue;
            List<Node> in = new ArrayList<>();
            for (Node i : x.inputs()) in.add(done.get(i));
            done.put(x, g.rebuild(x, in));
        }
        return done.get(n);
    }
}
