package dev.nnc.ops;

import dev.nnc.ir.Attr;
import dev.nnc.ir.DType;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Numbers;
import dev.nnc.ir.Size;
import java.util.List;

/** Ops without inputs: their shape is declared, they have no gradient rule and cost nothing. */
public enum Leaf implements Op {
    /** A model input; attr {@link Attr.Leaf}. */
    INPUT {
        @Override public String label(Node n) { return "input " + n.leafName() + (n.dtype() == DType.INT ? " (int)" : ""); }
    },
    /** A trainable parameter; attr {@link Attr.Leaf}. */
    PARAM {
        @Override public String label(Node n) { return "param " + n.leafName(); }
    },
    /** Non-trainable state (running statistics); attr {@link Attr.Leaf}. */
    BUFFER {
        @Override public String label(Node n) { return "buffer " + n.leafName(); }
    },
    /** A scalar constant; attr {@link Attr.Const}. */
    CONST {
        @Override public String label(Node n) { return "const " + Numbers.format(n.constValue()); }
    },
    /** A product of runtime dims as a scalar value; attr {@link Attr.Extent}. */
    SIZE {
        @Override public String label(Node n) { return "size " + n.attr(Attr.Extent.class).size(); }
    },
    /** The numbers 0, 1, …, n − 1 of shape {@code [n]} ({@code n} may be a runtime dim). */
    ARANGE {
        @Override public String label(Node n) { return "arange " + n.shape().get(0); }
    },
    /**
     * An inverted-dropout scale mask of the current training step: 0 or 1/(1-p) per element in
     * training mode, ones in evaluation mode; attr {@link Attr.Dropout}. The forward graph reads
     * it only on the training side of a {@link Layout#MODE} ({@code Graph.dropout}); gradients of
     * that side may read it in either mode.
     */
    DROPOUT_MASK {
        @Override public String label(Node n) { return "dropout mask p=" + Numbers.format(n.attr(Attr.Dropout.class).p()); }
    };

    /** True for the leaves whose values the caller or the instance holds (inputs, params, buffers). */
    public boolean isState() {
        return switch (this) {
            case INPUT, PARAM, BUFFER -> true;
            case CONST, SIZE, ARANGE, DROPOUT_MASK -> false;
        };
    }

    @Override
    public Family family() {
        return Family.LEAF;
    }

    @Override
    public Node rebuild(Graph g, Node n, List<Node> inputs) {
        return g.leaf(this, n.attr(), n.shape(), n.dtype());
    }

    @Override
    public Node[] vjp(Graph g, Node y, Node adj) {
        return new Node[0];
    }

    @Override
    public Size flops(Node n) {
        return Size.ZERO;
    }
}
