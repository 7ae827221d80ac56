package dev.nnc.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.nnc.diag.Diagnostic;
import dev.nnc.diag.Diagnostics;
import dev.nnc.diag.Renderer;
import dev.nnc.syntax.antlr.NNLexer;
import dev.nnc.syntax.antlr.NNParser;
import java.nio.CharBuffer;
import java.util.stream.Collectors;
import org.antlr.v4.runtime.CodePointBuffer;
import org.antlr.v4.runtime.CodePointCharStream;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ListTokenSource;

/** Test helpers: parse, print, render. */
final class Parse {
    private Parse() {}

    /** Parses a file that must have no diagnostics. */
    static Ast.File ok(String src) {
        Diagnostics d = new Diagnostics();
        Ast.File f = Parser.parse("t.nn", src, d);
        assertEquals("", render(d, src), "unexpected diagnostics");
        assertNotNull(f);
        return f;
    }

    /** The whole file as S-expressions; no diagnostics allowed. */
    static String sexpr(String src) {
        return SExpr.of(ok(src));
    }

    /** One expression, as S-expression: parsed as the body of {@code fn t() = ...}. */
    static String expr(String e) {
        return SExpr.of(exprAst(e));
    }

    static Ast.Expr exprAst(String e) {
        return ok("fn t() = " + e).fns().get(0).body();
    }

    /** The statements of a model body, one S-expression per line. */
    static String body(String stmts) {
        Ast.File f = ok("model M {\n" + stmts + "\n}\n");
        return f.models().get(0).body().stream().map(SExpr::of).collect(Collectors.joining("\n"));
    }

    static Diagnostics diags(String src) {
        Diagnostics d = new Diagnostics();
        Parser.parse("t.nn", src, d);
        return d;
    }

    /** Every diagnostic of {@code src}, rendered, in the order reported. */
    static String errors(String src) {
        return render(diags(src), src);
    }

    static String render(Diagnostics d, String src) {
        StringBuilder sb = new StringBuilder();
        for (Diagnostic x : d.all()) sb.append(Renderer.render(x, src));
        return sb.toString();
    }

    /**
     * How many syntax errors the grammar's own {@code file} rule finds (ANTLR's default
     * recovery), or -1 when the filter rejects the input for a limit.
     */
    static int grammarErrors(String src) {
        CodePointCharStream chars = CodePointCharStream.fromBuffer(
                CodePointBuffer.withChars(CharBuffer.wrap(src.toCharArray())), "t.nn");
        NNLexer lexer = new NNLexer(chars);
        lexer.removeErrorListeners();
        NewlineFilter.Result r = NewlineFilter.run(lexer, src);
        if (r.limit != null) return -1;
        NNParser p = new NNParser(new CommonTokenStream(new ListTokenSource(r.tokens)));
        p.removeErrorListeners();
        p.file();
        return p.getNumberOfSyntaxErrors();
    }
}
