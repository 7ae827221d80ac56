package dev.nnc.ir;

import dev.nnc.diag.ErrorKind;
import dev.nnc.diag.Span;
import dev.nnc.ops.Leaf;
import dev.nnc.ops.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The storage of a {@link Graph}'s nodes: each node is made once per (op, inputs, attribute,
 * shape, dtype), so equal sub-expressions are one node (CSE by construction), numbered in
 * creation order and tagged with the source span set by {@link #at}. The graph's constructors,
 * which apply the shape rules, are the only callers of {@link #make}.
 */
abstract class NodeStore {
    private record Key(Op op, List<Node> inputs, Attr attr, Shape shape, DType dtype) {}

    private final Map<Key, Node> interned = new HashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private Span origin = Span.NONE;

    /** Sets the source span recorded on the nodes created from now on; returns the previous one. */
    public Span at(Span span) {
        Span prev = origin;
        origin = span;
        return prev;
    }

    /** Every node created so far, in creation order. */
    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    public int size() {
        return nodes.size();
    }

    final Node make(Op op, List<Node> inputs, Attr attr, Shape shape, DType dtype) {
        Key key = new Key(op, inputs, attr, shape, dtype);
        Node n = interned.get(key);
        if (n == null) {
            if (nodes.size() >= Graph.MAX_NODES) throw new GraphTooLargeException();
            checkSize(shape);
            n = new Node(op, inputs, attr, shape, dtype, nodes.size(), origin);
            interned.put(key, n);
            nodes.add(n);
        }
        return n;
    }

    private static void checkSize(Shape shape) {
        long n = shape.staticProduct();
        if (n > Integer.MAX_VALUE) {
            throw new ShapeException(ErrorKind.SIZE_OVERFLOW, "shape " + shape, n == Long.MAX_VALUE ? "more than 9223372036854775807" : Long.toString(n));
        }
    }

    static void requireReal(Node n, String what) {
        if (n.dtype() == DType.INT) throw new ShapeException(ErrorKind.INT_TENSOR, n.op() == Leaf.INPUT ? n.leafName() : what);
    }

    /** True when {@code n} was created by this graph. */
    public boolean owns(Node n) {
        return n.id() < nodes.size() && nodes.get(n.id()) == n;
    }
}
