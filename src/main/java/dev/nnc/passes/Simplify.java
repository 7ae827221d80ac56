package dev.nnc.passes;

import dev.nnc.ir.Attr;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.Op;
import dev.nnc.ir.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
 *       {@code broadcast(broadcast(x)) → broadcast(x)};</li>
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
    private final Map<Node, Node> done = new HashMap<>();

    private Simplify(Graph g, boolean dropStopGradient) {
        this.g = g;
        this.dropStopGradient = dropStopGradient;
    }

    /** Simplifies the graphs of {@code roots}; the result has one node per root, in order. */
    public static List<Node> run(Graph g, List<Node> roots, boolean dropStopGradient) {
        Simplify s = new Simplify(g, dropStopGradient);
        List<Node> out = new ArrayList<>();
        for (Node r : roots) out.add(s.simplify(r));
        return out;
    }

    private Node simplify(Node root) {
        // Iterative post-order so deep graphs cannot overflow the stack.
        List<Node> stack = new ArrayList<>(List.of(root));
        while (!stack.isEmpty()) {
            Node n = stack.get(stack.size() - 1);
            if (done.containsKey(n)) {
                stack.remove(stack.size() - 1);
                continue;
            }
            boolean ready = true;
            for (Node i : n.inputs()) {
                if (!done.containsKey(i)) {
                    stack.add(i);
                    ready = false;
                }
            }
            if (!ready) continue;
            stack.remove(stack.size() - 1);
            List<Node> ins = new ArrayList<>();
            for (Node i : n.inputs()) ins.add(done.get(i));
            Node r = g.rebuild(n, ins);
            for (int guard = 0; guard < 8; guard++) {
                Node next = rewrite(r);
                if (next == r) break;
                r = next;
            }
            done.put(n, r);
        }
        return done.get(root);
    }

    /** One rewrite step at {@code n}, or {@code n} itself. */
    private Node rewrite(Node n) {
        Node folded = fold(n);
        if (folded != null) return folded;
        Op op = n.op();
        if (op.isElementwise() && op != Op.CLAMP) {
            Node b = unbroadcast(n);
            if (b != n) return b;
        }
        switch (op) {
            case ADD:
                if (isZero(n.input(1))) return same(n, n.input(0));
                if (isZero(n.input(0))) return same(n, n.input(1));
                break;
            case SUB:
                if (isZero(n.input(1))) return same(n, n.input(0));
                if (isZero(n.input(0))) return same(n, g.neg(n.input(1)));
                break;
            case MUL:
                if (isConst(n.input(1), 1)) return same(n, n.input(0));
                if (isConst(n.input(0), 1)) return same(n, n.input(1));
                if (isConst(n.input(1), -1)) return same(n, g.neg(n.input(0)));
                if (isConst(n.input(0), -1)) return same(n, g.neg(n.input(1)));
                break;
            case DIV:
                if (isConst(n.input(1), 1)) return same(n, n.input(0));
                break;
            case NEG:
                if (n.input(0).op() == Op.NEG) return n.input(0).input(0);
                break;
            case POWC:
                if (n.constValue() == 1) return n.input(0);
                if (n.constValue() == 2) return g.mul(n.input(0), n.input(0));
                break;
            case TRANSPOSE:
                if (n.input(0).op() == Op.TRANSPOSE) return n.input(0).input(0);
                break;
            case BROADCAST:
                if (n.input(0).op() == Op.BROADCAST) return g.broadcast(n.input(0).input(0), n.shape());
                break;
            case SUM: {
                boolean allOne = true;
                for (int a : n.attr(Attr.Axes.class).axes()) allOne &= n.input(0).shape().get(a).isOne();
                if (allOne) return g.reshape(n.input(0), n.shape());
                break;
            }
            case STOP_GRADIENT:
                if (dropStopGradient) return n.input(0);
                break;
            default:
                break;
        }
        return n;
    }

    /** A scalar elementwise node over constants, folded; else null. */
    private Node fold(Node n) {
        if (n.op() == Op.CONST || !n.shape().isScalar()) return null;
        if (!n.op().isElementwise() && n.op() != Op.RESHAPE && n.op() != Op.STOP_GRADIENT) return null;
        for (Node i : n.inputs()) if (i.op() != Op.CONST) return null;
        if (n.op() == Op.CLAMP) {
            return g.constant(dev.nnc.ir.ScalarOps.clamp(n.input(0).constValue(), n.input(1).constValue(), n.input(2).constValue()));
        }
        Double v = Fold.scalar(n);
        return v == null ? null : g.constant(v);
    }

    /** Drops a BROADCAST input when the op's own broadcasting gives the same shape. */
    private Node unbroadcast(Node n) {
        List<Node> ins = new ArrayList<>(n.inputs());
        boolean changed = false;
        for (int i = 0; i < ins.size(); i++) {
            if (ins.get(i).op() != Op.BROADCAST) continue;
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
        for (int i = 1; i < ins.size(); i++) s = Graph.broadcastShapes(s, ins.get(i).shape(), "combine");
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
        Node c = n.op() == Op.BROADCAST ? n.input(0) : n;
        return c.op() == Op.CONST && c.constValue() == v;
    }
}
