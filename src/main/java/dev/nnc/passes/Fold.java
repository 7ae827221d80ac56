package dev.nnc.passes;

import dev.nnc.ir.Attr;
import dev.nnc.ir.Node;
import dev.nnc.ir.Numbers;
import dev.nnc.ops.Elementwise;
import dev.nnc.ops.Layout;
import dev.nnc.ops.Leaf;

/** Evaluation of constant scalar sub-graphs at compile time. */
public final class Fold {
    private Fold() {}

    /**
     * The value of scalar {@code n} when it depends on constants only, else null. Follows the
     * same element semantics as the interpreter (each op's {@link Elementwise#eval}).
     */
    public static Double scalar(Node n) {
        if (!n.shape().isScalar()) return null;
        if (n.op() == Leaf.CONST) return n.constValue();
        if (n.op() == Layout.RESHAPE || n.op() == Layout.BROADCAST || n.op() == Layout.STOP_GRADIENT) {
            return n.input(0).shape().isScalar() ? scalar(n.input(0)) : null;
        }
        if (!(n.op() instanceof Elementwise e)) return null;
        double[] args = new double[n.inputs().size()];
        for (int i = 0; i < args.length; i++) {
            Double v = scalar(n.input(i));
            if (v == null) return null;
            args[i] = v;
        }
        return e.eval(args, n.attr() instanceof Attr.Const c ? c.value() : 0);
    }

    /** A number as a user wrote it: {@code 3} rather than {@code 3.0}. */
    public static String format(double v) {
        return Numbers.format(v);
    }
}
