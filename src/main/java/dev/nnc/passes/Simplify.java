package dev.nnc.passes;

import dev.nnc.ir.Attr;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Walk;
import dev.nnc.ops.Binary;
import dev.nnc.ops.Layout;
import dev.nnc.ops.Leaf;
import dev.nnc.ops.Reduce;
import dev.nnc.ops.Unary;
import dev.nnc.ir.Shape;
import dev.nnc.ir.ShapeRules;
import java.util.ArrayList;
import java.util.List;

/**
 * Constant folding and algebraic simplification, applied bottom-up until nothing changes.
 * Every rewrite is exact in IEEE arithmetic unless its comment says otherwise. Rules:
 * <ul>
 *   <li>{@code op(c1, c2…)} with scalar constant inputs → the constant (same arithmetic as the
 *       interpreter, so exact);</li>
 *   <li>{@code x + 0 → x}, {@code 0 + x → x} (exact except that {@code -0 + 0} is {@code +0});
 *       {@code x - 0 → x}; {@code 0 - x → -x} (same caveat on the sign of zero);</li>
 *   <li>{@code x * 1 → x}, {@code 1 * x → x}, {@code x / 1 → x}, {@code x * -1 → -x};</li>
 *   <li>{@code -(-x) → x}; {@code transpose(transpose(x)) → x};
 *       {@code broadcast(broadcast(x)) → broadcast(x)}; {@code permute(permute(x))} → one permute;
 *       a permute or an indexing of a broadcast scalar → the scalar broadcast;</li>
 *   <li>{@code x ^ 1 → x}, {@code x ^ 2 → x * x} (the interpreter's {@code x^2} is {@code x*x});</li>
 *   <li>an elementwise op reading {@code broadcast(x)} reads {@code x} directly when broadcasting
 *       gives the same result shape;</li>
 *   <li>a sum over axes that all have size 1 → a reshape;</li>
 *   <li>with {@code dropStopGradient} (after differentiation): {@code stop_gradient(x) → x}.</li>
 * </ul>
 * Results are in the same {@link Graph}, so hash-consing merges what the rewrites make equal.
 */
public final class Simplify {
    private final Graph g;
    private final boolean dropStopGradient;
    private final Walk.Rewrite rewrite;

    /** A simplifier of nodes of {@code g}; results are remembered across {@link #apply} calls. */
    public Simplify(Graph g, boolean dropStopGradient) {
        this.g = g;
        this.dropStopGradient = dropStopGradient;
        this.rewrite = new Walk.Rewrite((n, ins) -> {
            Node r = g.rebuild(n, ins);
            for (int guard = 0; guard < 8; guard++) {
                Node next = step(r);
                if (next == r) break;
                r = next;
            }
            return r;
        });
    }

    /** Simplifies the graphs of {@code roots}; the result has one node per root, in order. */
    public static List<Node> run(Graph g, List<Node> roots, boolean dropStopGradient) {
        return new Simplify(g, dropStopGradient).rewrite.apply(roots);
    }

    /** The simplified {@code root}. */
    public Node apply(Node root) {
        return rewrite.apply(root);
    }

    /** One rewrite step at {@code n}, or {@code n} itself. */
    private Node step(Node n) {
        Node folded = fold(n);
        if (folded != null) return folded;
        return switch (n.op().family()) {
            case UNARY -> unary(n, (Unary) n.op());
            case BINARY -> binary(unbroadcast(n), n);
            case TERNARY, LEAF, STRUCTURED -> n;
            case REDUCE -> reduce(n, (Reduce) n.op());
            case LAYOUT -> layout(n, (Layout) n.op());
        };
    }

    private Node unary(Node n, Unary op) {
        Node b = unbroadcast(n);
        if (b != n) return b;
        if (op == Unary.NEG && n.input(0).op() == Unary.NEG) return n.input(0).input(0);
        if (op == Unary.POWC && n.constValue() == 1) return n.input(0);
        if (op == Unary.POWC && n.constValue() == 2) return g.mul(n.input(0), n.input(0));
        return n;
    }

    /** {@code b} is {@code n} with its broadcast inputs read directly where that gives the same shape. */
    private Node binary(Node b, Node n) {
        if (b != n) return b;
        Node x = n.input(0), y = n.input(1);
        return switch ((Binary) n.op()) {
            case ADD -> isZero(y) ? same(n, x) : isZero(x) ? same(n, y) : n;
            case SUB -> isZero(y) ? same(n, x) : isZero(x) ? same(n, g.neg(y)) : n;
            case MUL -> isConst(y, 1) ? same(n, x) : isConst(x, 1) ? same(n, y)
                    : isConst(y, -1) ? same(n, g.neg(x)) : isConst(x, -1) ? same(n, g.neg(y)) : n;
            case DIV -> isConst(y, 1) ? same(n, x) : n;
            case POW, MAXIMUM, MINIMUM, GT, GE, EQ, NE -> n;
        };
    }

    private Node reduce(Node n, Reduce op) {
        if (op != Reduce.SUM) return n;
        boolean allOne = true;
        for (int a : n.attr(Attr.Axes.class).axes()) allOne &= n.input(0).shape().get(a).isOne();
        return allOne ? g.reshape(n.input(0), n.shape()) : n;
    }

    private Node layout(Node n, Layout op) {
        Node x = n.input(0);
        return switch (op) {
            case TRANSPOSE -> x.op() == Layout.TRANSPOSE ? x.input(0) : n;
            case BROADCAST -> x.op() == Layout.BROADCAST ? g.broadcast(x.input(0), n.shape()) : n;
            case STOP_GRADIENT -> dropStopGradient ? x : n;
            case PERMUTE -> x.op() == Layout.PERMUTE ? g.permute(x.input(0), composed(x, n)) : scalarBroadcast(x, n);
            case SELECT -> scalarBroadcast(x, n);
            case RESHAPE, CONCAT, SLICE, ONE_HOT, PLACE, GATHER, MODE -> n;
        };
    }

    /** The axes of {@code permute(permute(x, inner), outer)} as one permutation of x. */
    private static List<Integer> composed(Node inner, Node outer) {
        List<Integer> in = inner.attr(Attr.Perm.class).axes();
        List<Integer> out = new ArrayList<>();
        for (int a : outer.attr(Attr.Perm.class).axes()) out.add(in.get(a));
        return out;
    }

    /** A layout op {@code n} over a broadcast scalar {@code x} is that scalar broadcast to n's shape; else n. */
    private Node scalarBroadcast(Node x, Node n) {
        return x.op() == Layout.BROADCAST && x.input(0).shape().isScalar() ? g.broadcast(x.input(0), n.shape()) : n;
    }

    /** A scalar elementwise node over constants, folded; else null. */
    private Node fold(Node n) {
        if (n.op() == Leaf.CONST || !n.shape().isScalar()) return null;
        if (!n.op().family().elementwise() && n.op() != Layout.RESHAPE && n.op() != Layout.STOP_GRADIENT) return null;
        for (Node i : n.inputs()) if (i.op() != Leaf.CONST) return null;
        Double v = Fold.scalar(n);
        return v == null ? null : g.constant(v);
    }

    /** Drops a BROADCAST input when the op's own broadcasting gives the same shape. */
    private Node unbroadcast(Node n) {
        List<Node> ins = new ArrayList<>(n.inputs());
        boolean changed = false;
        for (int i = 0; i < ins.size(); i++) {
            if (ins.get(i).op() != Layout.BROADCAST) continue;
            List<Node> trial = new ArrayList<>(ins);
            trial.set(i, ins.get(i).input(0));
            if (shapeOf(trial).equals(n.shape())) {
                ins = trial;
                changed = true;
            }
        }
        return changed ? g.rebuild(n, ins) : n;
    }

    private static Shape shapeOf(List<Node> ins) {
        Shape s = ins.get(0).shape();
        for (int i = 1; i < ins.size(); i++) s = ShapeRules.broadcastShapes(s, ins.get(i).shape(), "combine");
        return s;
    }

    /** {@code replacement} stretched to {@code n}'s shape if the rewrite dropped a broadcast. */
    private Node same(Node n, Node replacement) {
        return replacement.shape().equals(n.shape()) ? replacement : g.broadcast(replacement, n.shape());
    }

    private static boolean isZero(Node n) {
        return isConst(n, 0);
    }

    private static boolean isConst(Node n, double v) {
        Node c = n.op() == Layout.BROADCAST ? n.input(0) : n;
        return c.op() == Leaf.CONST && c.constValue() == v;
    }
}
