package dev.nnc.check;

import dev.nnc.diag.Diagnostics;
import dev.nnc.diag.ErrorKind;
import dev.nnc.diag.Suggest;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Shape;
import dev.nnc.syntax.Ast;
import java.util.ArrayList;
import java.util.List;

/** Resolves the entries of a written shape {@code [d, …]}: literals, consts and dims. */
final class Shapes {
    private Shapes() {}

    /**
     * The shape, or null after reporting errors. {@code allowDims} is false for params, whose
     * shapes must be static.
     */
    static Shape resolve(List<Ast.Expr> entries, Scope scope, Diagnostics diags, boolean allowDims) {
        List<Dim> dims = new ArrayList<>();
        boolean ok = true;
        for (Ast.Expr e : entries) {
            Dim d = entry(e, scope, diags, allowDims);
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

    private static String article(String w) {
        return "aeiou".indexOf(w.charAt(0)) >= 0 ? "an" : "a";
    }

    static String fmt(double v) {
        return dev.nnc.passes.Fold.format(v);
    }
}
