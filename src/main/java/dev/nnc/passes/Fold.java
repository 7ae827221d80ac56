package dev.nnc.passes;

import dev.nnc.ir.Node;
import dev.nnc.ir.Op;
import dev.nnc.ir.ScalarOps;

/** Evaluation of constant scalar sub-graphs at compile time. */
public final class Fold {
    private Fold() {}

    /**
     * The value of scalar {@code n} when it depends on constants only, else null. Follows the
     * same element semantics as the interpreter ({@link ScalarOps}).
     */
    public static Double scalar(Node n) {
        if (!n.shape().isScalar()) return null;
        switch (n.op()) {
            case CONST:
                return n.constValue();
            case RESHAPE:
            case BROADCAST:
            case STOP_GRADIENT:
                return n.input(0).shape().isScalar() ? scalar(n.input(0)) : null;
            default:
                break;
        }
        if (n.op().kind() == Op.Kind.UNARY) {
            Double x = scalar(n.input(0));
            if (x == null) return null;
            double c = (n.op() == Op.POWC || n.op() == Op.ELU) ? n.constValue() : 0;
            return ScalarOps.unary(n.op(), x, c);
        }
        if (n.op().kind() == Op.Kind.BINARY) {
            Double a = scalar(n.input(0));
            if (a == null) return null;
            Double b = scalar(n.input(1));
            return b == null ? null : ScalarOps.binary(n.op(), a, b);
        }
        return null;
    }

    /** A number as a user wrote it: {@code 3} rather than {@code 3.0}. */
    public static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }
}
