package dev.nnc.ir;

import dev.nnc.diag.Span;
import dev.nnc.ops.Leaf;
import dev.nnc.ops.Op;
import java.util.List;

/**
 * One node of the graph IR: an op applied to input nodes, with attributes and an inferred
 * shape. Nodes are immutable and hash-consed by {@link Graph}: within one graph, equal
 * sub-expressions are the same object, so identity is equality.
 */
public final class Node {
    private final Op op;
    private final List<Node> inputs;
    private final Attr attr;
    private final Shape shape;
    private final DType dtype;
    private final int id;
    private final Span origin;

    Node(Op op, List<Node> inputs, Attr attr, Shape shape, DType dtype, int id, Span origin) {
        this.op = op;
        this.inputs = List.copyOf(inputs);
        this.attr = attr;
        this.shape = shape;
        this.dtype = dtype;
        this.id = id;
        this.origin = origin;
    }

    public Op op() {
        return op;
    }

    public List<Node> inputs() {
        return inputs;
    }

    public Node input(int i) {
        return inputs.get(i);
    }

    public Attr attr() {
        return attr;
    }

    /** The attribute cast to its record type. */
    public <A extends Attr> A attr(Class<A> type) {
        return type.cast(attr);
    }

    public Shape shape() {
        return shape;
    }

    public DType dtype() {
        return dtype;
    }

    /** Creation order within its graph: a deterministic total order (inputs before users). */
    public int id() {
        return id;
    }

    /** The source span of the first expression that created this node ({@link Span#NONE} if synthesized). */
    public Span origin() {
        return origin;
    }

    /** The constant value of a CONST node. */
    public double constValue() {
        return ((Attr.Const) attr).value();
    }

    public boolean isConst(double v) {
        return op == Leaf.CONST && Double.compare(constValue(), v) == 0;
    }

    /** The name of an INPUT, PARAM or BUFFER. */
    public String leafName() {
        return ((Attr.Leaf) attr).name();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("%").append(id).append(" = ").append(op.lower());
        if (!(attr instanceof Attr.None)) sb.append(' ').append(attr);
        sb.append('(');
        for (int i = 0; i < inputs.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append('%').append(inputs.get(i).id);
        }
        return sb.append(") : ").append(shape).toString();
    }
}
