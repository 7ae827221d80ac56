package dev.nnc.syntax;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Prints an AST as S-expressions, for tests: {@code -x ^ 2} is {@code (neg (^ x 2))}. */
final class SExpr {
    private SExpr() {}

    static String of(Ast.File f) {
        List<String> out = new ArrayList<>();
        if (f.pkg() != null) out.add("(package " + f.pkg().dotted() + ")");
        for (Ast.FnDecl fn : f.fns()) out.add(of(fn));
        for (Ast.ModelDecl m : f.models()) out.add(of(m));
        return String.join("\n", out);
    }

    static String of(Ast.FnDecl fn) {
        String params = fn.params().stream().map(Ast.Ident::name).collect(Collectors.joining(" "));
        return "(fn " + fn.name().name() + " (" + params + ") " + of(fn.body()) + ")";
    }

    static String of(Ast.ModelDecl m) {
        StringBuilder sb = new StringBuilder("(model ").append(m.name().name());
        for (Ast.Stmt s : m.body()) sb.append("\n  ").append(of(s));
        return sb.append(")").toString();
    }

    static String of(Ast.Stmt s) {
        if (s instanceof Ast.DimStmt d) {
            return "(dim " + d.names().stream().map(Ast.Ident::name).collect(Collectors.joining(" ")) + ")";
        } else if (s instanceof Ast.ConstStmt c) {
            return "(const " + c.name().name() + " " + of(c.value()) + ")";
        } else if (s instanceof Ast.InputStmt i) {
            return "(input " + i.name().name() + " " + (i.isInt() ? "int" : "") + list(i.shape()) + ")";
        } else if (s instanceof Ast.ParamStmt p) {
            return "(param " + p.name().name() + " " + list(p.shape()) + (p.init() == null ? "" : " " + of(p.init())) + ")";
        } else if (s instanceof Ast.AssignStmt a) {
            return "(= " + a.name().name() + " " + of(a.value()) + ")";
        } else if (s instanceof Ast.OutputStmt o) {
            return "(output " + o.name().name() + (o.value() == null ? "" : " " + of(o.value())) + ")";
        } else if (s instanceof Ast.LossStmt l) {
            return "(loss " + of(l.value()) + ")";
        } else if (s instanceof Ast.OptimizerStmt o) {
            return "(optimizer " + o.kind().name() + args(o.args()) + ")";
        } else if (s instanceof Ast.PrecisionStmt p) {
            return "(precision " + p.value().name() + ")";
        }
        throw new IllegalArgumentException(String.valueOf(s));
    }

    static String of(Ast.Expr e) {
        if (e instanceof Ast.Num n) return n.text();
        if (e instanceof Ast.Bool b) return String.valueOf(b.value());
        if (e instanceof Ast.Name n) return n.name();
        if (e instanceof Ast.Unary u) return "(neg " + of(u.operand()) + ")";
        if (e instanceof Ast.Binary b) return "(" + b.op() + " " + of(b.left()) + " " + of(b.right()) + ")";
        if (e instanceof Ast.Transpose t) return "(T " + of(t.operand()) + ")";
        if (e instanceof Ast.Call c) return "(" + c.fn().name() + args(c.args()) + ")";
        if (e instanceof Ast.ShapeLit s) return list(s.dims());
        throw new IllegalArgumentException(String.valueOf(e));
    }

    private static String list(List<Ast.Expr> xs) {
        return xs.stream().map(SExpr::of).collect(Collectors.joining(" ", "[", "]"));
    }

    private static String args(List<Ast.Arg> args) {
        StringBuilder sb = new StringBuilder();
        for (Ast.Arg a : args) {
            sb.append(' ');
            if (a.name() != null) sb.append(a.name().name()).append('=');
            sb.append(of(a.value()));
        }
        return sb.toString();
    }
}
