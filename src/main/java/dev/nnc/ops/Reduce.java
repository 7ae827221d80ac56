package dev.nnc.ops;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Attr;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ir.Size;
import java.util.ArrayList;
import java.util.List;

/**
 * Reductions over a set of axes ({@link Attr.Axes}, sorted; kept as size 1 or dropped). Each
 * constant states its identity, how one element joins the accumulator (in the interpreter, in
 * Java, and lane-wise with the Vector API) and its gradient. Sums accumulate in row-major order.
 */
public enum Reduce implements Op {
    SUM {
        @Override public double identity() { return 0; }
        @Override public double combine(double acc, double v) { return acc + v; }
        @Override public CodeBlock update(CodeBlock acc, CodeBlock v) { return CodeBlock.of("$L += $L", acc, v); }
        @Override public CodeBlock vcombine(CodeBlock acc, CodeBlock v) { return CodeBlock.of("$L.add($L)", acc, v); }
        @Override public String lanes() { return "ADD"; }
        @Override Node grad(Graph G, Node x, Node y, Node g) { return G.broadcast(keptDims(G, y, g), x.shape()); }
    },
    /** NaN propagates (as torch.amax); ties split the gradient evenly; {@code -inf} over nothing. */
    MAX {
        @Override public double identity() { return Double.NEGATIVE_INFINITY; }
        @Override public double combine(double acc, double v) {
            if (acc != acc) return acc; // once NaN, stays NaN
            return v > acc || v != v ? v : acc;
        }
        @Override public CodeBlock update(CodeBlock acc, CodeBlock v) { return CodeBlock.of("$L = Math.max($L, $L)", acc, acc, v); }
        @Override public CodeBlock vcombine(CodeBlock acc, CodeBlock v) { return CodeBlock.of("$L.max($L)", acc, v); }
        @Override public String lanes() { return "MAX"; }
        @Override Node grad(Graph G, Node x, Node y, Node g) {
            Node mask = G.binary(Binary.EQ, x, keptDims(G, y, y));
            Node count = G.sum(mask, y.attr(Attr.Axes.class).axes(), true);
            return G.div(G.mul(keptDims(G, y, g), mask), count);
        }
    };

    /** The accumulator's starting value. */
    public abstract double identity();

    /** The accumulator after element {@code v} (the interpreter's semantics). */
    public abstract double combine(double acc, double v);

    /** The Java statement (without its semicolon) adding element {@code v} to accumulator {@code acc}. */
    public abstract CodeBlock update(CodeBlock acc, CodeBlock v);

    /**
     * The lane-wise vector expression combining vectors {@code acc} and {@code v}, a call on
     * {@code acc}. Commutative lane for lane, bit for bit, so the code generator passes as
     * {@code acc} whichever vector C2 knows the class of.
     */
    public abstract CodeBlock vcombine(CodeBlock acc, CodeBlock v);

    /** The {@code VectorOperators} constant that reduces a vector's lanes the same way. */
    public abstract String lanes();

    abstract Node grad(Graph G, Node x, Node y, Node g);

    @Override
    public Family family() {
        return Family.REDUCE;
    }

    @Override
    public Node rebuild(Graph g, Node n, List<Node> inputs) {
        Attr.Axes ax = n.attr(Attr.Axes.class);
        return g.reduce(this, inputs.get(0), ax.axes(), ax.keepdims());
    }

    @Override
    public Node[] vjp(Graph g, Node y, Node adj) {
        return new Node[] {grad(g, y.input(0), y, adj)};
    }

    /** One per input element. */
    @Override
    public Size flops(Node n) {
        return n.input(0).shape().numel();
    }

    @Override
    public String label(Node n) {
        Attr.Axes a = n.attr(Attr.Axes.class);
        boolean allAxes = a.axes().size() == n.input(0).shape().rank();
        List<String> axes = new ArrayList<>();
        for (int x : a.axes()) axes.add(Integer.toString(x));
        return lower() + (allAxes ? "" : " axis " + String.join(",", axes)) + (a.keepdims() ? " keepdims" : "");
    }

    /** {@code v} (shaped like reduction {@code y}) reshaped so the reduced axes are kept as size 1. */
    static Node keptDims(Graph G, Node y, Node v) {
        Attr.Axes ax = y.attr(Attr.Axes.class);
        if (ax.keepdims()) return v;
        Shape in = y.input(0).shape();
        List<Dim> ds = new ArrayList<>();
        for (int i = 0; i < in.rank(); i++) ds.add(ax.axes().contains(i) ? Dim.of(1) : in.get(i));
        return G.reshape(v, new Shape(ds));
    }
}
