package dev.nnc.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.diag.Span;
import java.util.ArrayList;
import java.util.List;

/** Checks that every span of an AST is well formed and nested in its parent's. */
final class Spans {
    private Spans() {}

    /** The text a span covers. */
    static String text(String src, Span s) {
        return src.substring(s.start(), s.end());
    }

    /** Line and column agree with the start offset; the span is inside the source. */
    static void wellFormed(String src, Span s) {
        assertTrue(0 <= s.start() && s.start() <= s.end() && s.end() <= src.length(), () -> "bad offsets " + s);
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < s.start(); i++) {
            if (src.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        assertEquals(line, s.line(), () -> "line of " + s);
        assertEquals(s.start() - lineStart + 1, s.col(), () -> "col of " + s);
    }

    static void checkFile(Ast.File f) {
        String src = f.source();
        if (f.pkg() != null) {
            within(src, f.pkg().span(), f.pkg().parts().stream().map(Ast.Ident::span).toList());
        }
        for (Ast.FnDecl fn : f.fns()) {
            List<Span> kids = new ArrayList<>();
            kids.add(fn.name().span());
            fn.params().forEach(p -> kids.add(p.span()));
            kids.add(fn.body().span());
            within(src, fn.span(), kids);
            check(src, fn.body());
        }
        for (Ast.ModelDecl m : f.models()) {
            List<Span> kids = new ArrayList<>();
            kids.add(m.name().span());
            m.body().forEach(s -> kids.add(s.span()));
            within(src, m.span(), kids);
            assertTrue(text(src, m.span()).startsWith("model"), "model span");
            assertTrue(text(src, m.span()).endsWith("}"), "model span");
            for (Ast.Stmt s : m.body()) check(src, s);
        }
    }

    static void check(String src, Ast.Stmt s) {
        List<Span> kids = new ArrayList<>();
        List<Ast.Expr> exprs = new ArrayList<>();
        if (s instanceof Ast.DimStmt d) d.names().forEach(n -> kids.add(n.span()));
        if (s instanceof Ast.ConstStmt c) {
            kids.add(c.name().span());
            exprs.add(c.value());
        }
        if (s instanceof Ast.InputStmt i) {
            kids.add(i.name().span());
            exprs.addAll(i.shape());
        }
        if (s instanceof Ast.ParamStmt p) {
            kids.add(p.name().span());
            exprs.addAll(p.shape());
            if (p.init() != null) exprs.add(p.init());
        }
        if (s instanceof Ast.AssignStmt a) {
            kids.add(a.name().span());
            exprs.add(a.value());
        }
        if (s instanceof Ast.OutputStmt o) {
            kids.add(o.name().span());
            if (o.value() != null) exprs.add(o.value());
        }
        if (s instanceof Ast.LossStmt l) exprs.add(l.value());
        if (s instanceof Ast.OptimizerStmt o) {
            kids.add(o.kind().span());
            o.args().forEach(a -> kids.add(a.span()));
        }
        if (s instanceof Ast.PrecisionStmt p) kids.add(p.value().span());
        exprs.forEach(e -> kids.add(e.span()));
        within(src, s.span(), kids);
        exprs.forEach(e -> check(src, e));
    }

    static void check(String src, Ast.Expr e) {
        wellFormed(src, e.span());
        assertTrue(e.span().end() > e.span().start(), () -> "empty span " + e.span());
        List<Span> kids = new ArrayList<>();
        for (Ast.Expr c : Ast.children(e)) kids.add(c.span());
        if (e instanceof Ast.Binary b) {
            kids.add(b.opSpan());
            assertEquals(b.op(), text(src, b.opSpan()));
            assertTrue(b.left().span().end() <= b.opSpan().start() && b.opSpan().end() <= b.right().span().start());
        }
        if (e instanceof Ast.Call c) {
            kids.add(c.fn().span());
            c.args().forEach(a -> kids.add(a.span()));
            assertEquals(c.fn().span().start(), c.span().start(), "call starts at its name");
            assertTrue(text(src, c.span()).endsWith(")"));
        }
        if (e instanceof Ast.Name n) assertEquals(n.name(), text(src, n.span()));
        if (e instanceof Ast.Num n) assertEquals(n.text(), text(src, n.span()));
        if (e instanceof Ast.Transpose) assertTrue(text(src, e.span()).endsWith("T"));
        if (e instanceof Ast.Unary) assertTrue(text(src, e.span()).startsWith("-"));
        within(src, e.span(), kids);
        for (Ast.Expr c : Ast.children(e)) check(src, c);
    }

    private static void within(String src, Span outer, List<Span> inner) {
        wellFormed(src, outer);
        for (Span s : inner) {
            wellFormed(src, s);
            assertTrue(outer.start() <= s.start() && s.end() <= outer.end(), () -> s + " [" + text(src, s)
                    + "] is not inside " + outer + " [" + text(src, outer) + "]");
        }
    }

    /** Idents are exact. */
    static void identExact(String src, Ast.Ident id) {
        assertEquals(id.name(), text(src, id.span()));
    }
}
