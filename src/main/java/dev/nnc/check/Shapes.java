package dev.nnc.check;

import dev.nnc.diag.Diagnostics;
import dev.nnc.diag.ErrorKind;
import dev.nnc.diag.Suggest;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Shape;
import dev.nnc.syntax.Ast;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves the entries of a written shape {@code [d, …]}: a runtime dim on its own, or an integer
 * expression of literals and consts with {@code + - * /} and parentheses, where {@code /} must
 * divide exactly.
 */
final class Shapes {
    private Shapes() {}

    /** The entry {@code -1} of a reshape's target, to be inferred from the element count. */
    static final Dim INFER = Dim.sym("-1");

    /**
     * The shape, or null after reporting errors. {@code allowDims} is false for params, whose
     * shapes must be static.
     */
    static Shape resolve(List<Ast.Expr> entries, Scope scope, Diagnostics diags, boolean allowDims) {
        return resolve(entries, scope, diags, allowDims, false);
    }

    /**
     * {@link #resolve}; with {@code allowInfer} one entry may be {@code -1}, which stands in the
     * result as {@link #INFER} (reshape's target).
     */
    static Shape resolve(List<Ast.Expr> entries, Scope scope, Diagnostics diags, boolean allowDims, boolean allowInfer) {
        List<Dim> dims = new ArrayList<>();
        boolean ok = true;
        for (Ast.Expr e : entries) {
            Dim d;
            if (allowInfer && isMinusOne(e, scope)) {
                d = INFER;
                if (dims.contains(INFER)) {
                    diags.error(ErrorKind.BAD_DIM, e.span(), "only one entry may be -1 (inferred from the element count)");
                    d = null;
                }
            } else {
                d = entry(e, scope, diags, allowDims);
            }
            if (d == null) ok = false;
            dims.add(d);
        }
        if (!ok) return null;
        Shape s = new Shape(dims);
        if (s.staticProduct() > Integer.MAX_VALUE) {
            diags.error(ErrorKind.SIZE_OVERFLOW, entries.isEmpty() ? null : entries.get(0).span(), "shape " + s,
                    s.staticProduct() == Long.MAX_VALUE ? "more than 9223372036854775807" : Long.toString(s.staticProduct()));
            return null;
        }
        return s;
    }

    private static Dim entry(Ast.Expr e, Scope scope, Diagnostics diags, boolean allowDims) {
        if (e instanceof Ast.Num n) return count(n.value(), n.text(), e, diags);
        if (e instanceof Ast.Binary || e instanceof Ast.Unary) {
            Long v = arithmetic(e, scope, diags);
            return v == null ? null : count(v, text(e) + " = " + v, e, diags);
        }
        if (e instanceof Ast.Name n) {
            Scope.Binding b = scope.get(n.name());
            if (b == null) {
                String best = Suggest.closest(n.name(), scope.names.keySet());
                diags.errorWithHint(ErrorKind.UNKNOWN_NAME, n.span(), best == null ? null : "did you mean '" + best + "'?", n.name());
                return null;
            }
            if (b.what() == Scope.What.DIM) {
                if (allowDims) return Dim.sym(n.name());
                diags.error(ErrorKind.BAD_DIM, n.span(), "a param's shape must be static, and '" + n.name() + "' is a runtime dim");
                return null;
            }
            if (b.what() == Scope.What.CONST) return count(b.constValue(), n.name() + " = " + fmt(b.constValue()), e, diags);
            diags.error(ErrorKind.BAD_DIM, n.span(), "'" + n.name() + "' is " + article(b.what().word) + " " + b.what().word);
            return null;
        }
        diags.error(ErrorKind.BAD_DIM, e.span(), "write a number, a const or a dim here");
        return null;
    }

    /** True for shape arithmetic that is -1 (reported nowhere when it is not arithmetic). */
    private static boolean isMinusOne(Ast.Expr e, Scope scope) {
        if (!(e instanceof Ast.Unary || e instanceof Ast.Binary || e instanceof Ast.Num)) return false;
        Long v = arithmetic(e, scope, new Diagnostics());
        return v != null && v == -1;
    }

    private static Dim count(double v, String text, Ast.Expr e, Diagnostics diags) {
        if (v != Math.rint(v) || v < 1) {
            diags.error(ErrorKind.BAD_DIM, e.span(), text + " is not a positive integer");
            return null;
        }
        if (v > Integer.MAX_VALUE) {
            diags.error(ErrorKind.SIZE_OVERFLOW, e.span(), "dimension " + text, fmt(v));
            return null;
        }
        return Dim.of((int) v);
    }

    /** The exact integer value of shape arithmetic {@code e}, or null after reporting. */
    private static Long arithmetic(Ast.Expr e, Scope scope, Diagnostics diags) {
        if (e instanceof Ast.Num n) {
            if (n.value() != Math.rint(n.value()) || Math.abs(n.value()) > Integer.MAX_VALUE) {
                diags.error(ErrorKind.SHAPE_ARITHMETIC, n.span(), n.text(), "shape arithmetic is over integers");
                return null;
            }
            return (long) n.value();
        }
        if (e instanceof Ast.Name n) {
            Scope.Binding b = scope.get(n.name());
            if (b == null) {
                String best = Suggest.closest(n.name(), scope.names.keySet());
                diags.errorWithHint(ErrorKind.UNKNOWN_NAME, n.span(), best == null ? null : "did you mean '" + best + "'?", n.name());
                return null;
            }
            if (b.what() == Scope.What.CONST && b.constValue() == Math.rint(b.constValue()) && Math.abs(b.constValue()) <= Integer.MAX_VALUE) {
                return (long) b.constValue();
            }
            String why = b.what() == Scope.What.DIM ? "a runtime dim stands alone in a shape, never inside arithmetic"
                    : b.what() == Scope.What.CONST ? "const " + n.name() + " = " + fmt(b.constValue()) + " is not an integer"
                    : "'" + n.name() + "' is " + article(b.what().word) + " " + b.what().word + ", not a const";
            diags.error(ErrorKind.SHAPE_ARITHMETIC, n.span(), n.name(), why);
            return null;
        }
        if (e instanceof Ast.Unary u && u.op().equals("-")) {
            Long v = arithmetic(u.operand(), scope, diags);
            return v == null ? null : -v;
        }
        if (e instanceof Ast.Binary b && "+-*/".contains(b.op())) {
            Long l = arithmetic(b.left(), scope, diags);
            Long r = l == null ? null : arithmetic(b.right(), scope, diags);
            if (r == null) return null;
            long v;
            switch (b.op()) {
                case "+" -> v = l + r;
                case "-" -> v = l - r;
                case "*" -> v = l * r; // both within int range: exact in long
                default -> {
                    if (r == 0 || l % r != 0) {
                        diags.error(ErrorKind.SHAPE_ARITHMETIC, b.opSpan(), text(e), l + " / " + r + (r == 0 ? " divides by zero" : " does not divide exactly"));
                        return null;
                    }
                    v = l / r;
                }
            }
            if (Math.abs(v) > Integer.MAX_VALUE) {
                diags.error(ErrorKind.SIZE_OVERFLOW, e.span(), "dimension " + text(e), Long.toString(v));
                return null;
            }
            return v;
        }
        diags.error(ErrorKind.BAD_DIM, e.span(), "shape arithmetic uses numbers, consts, + - * / and parentheses");
        return null;
    }

    /** Shape arithmetic as the user wrote it, re-spelled. */
    static String text(Ast.Expr e) {
        if (e instanceof Ast.Num n) return n.text();
        if (e instanceof Ast.Name n) return n.name();
        if (e instanceof Ast.Unary u) return u.op() + text(u.operand());
        if (e instanceof Ast.Binary b) {
            String l = b.left() instanceof Ast.Binary ? "(" + text(b.left()) + ")" : text(b.left());
            String r = b.right() instanceof Ast.Binary ? "(" + text(b.right()) + ")" : text(b.right());
            return l + " " + b.op() + " " + r;
        }
        return "?";
    }

    private static String article(String w) {
        return "aeiou".indexOf(w.charAt(0)) >= 0 ? "an" : "a";
    }

    static String fmt(double v) {
        return dev.nnc.passes.Fold.format(v);
    }
}
