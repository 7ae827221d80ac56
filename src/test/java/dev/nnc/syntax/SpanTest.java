package dev.nnc.syntax;

import static dev.nnc.syntax.Spans.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.diag.Span;
import org.junit.jupiter.api.Test;

/** Where nodes are: 1-based line and column, 0-based offsets, each covering its own text. */
class SpanTest {
    @Test
    void everyNodeOfTheExampleIsWellFormedAndNested() {
        Spans.checkFile(Parse.ok(StatementTest.EXAMPLE));
    }

    @Test
    void exactSpansInTheExample() {
        String src = StatementTest.EXAMPLE;
        Ast.File f = Parse.ok(src);
        Ast.ModelDecl m = f.models().get(0);
        assertEquals(new Span("t.nn", 6, 7, src.indexOf("HousePrices"), src.indexOf("HousePrices") + 11), m.name().span());
        assertEquals(6, m.span().line());
        assertEquals(1, m.span().col());
        Ast.AssignStmt h = (Ast.AssignStmt) m.body().get(8);
        assertEquals(18, h.span().line());
        assertEquals(5, h.span().col());
        assertEquals("h = dropout(relu(x @ w1 + b1), p = 0.2)", text(src, h.span()));
        Ast.Call dropout = (Ast.Call) h.value();
        assertEquals("dropout(relu(x @ w1 + b1), p = 0.2)", text(src, dropout.span()));
        assertEquals(9, dropout.span().col());
        assertEquals("p = 0.2", text(src, dropout.args().get(1).span()));
        Ast.Binary plus = (Ast.Binary) ((Ast.Call) dropout.args().get(0).value()).args().get(0).value();
        assertEquals("x @ w1 + b1", text(src, plus.span()));
        assertEquals("+", text(src, plus.opSpan()));
        assertEquals(new Span("t.nn", 18, 29, plus.opSpan().start(), plus.opSpan().start() + 1), plus.opSpan());
        Ast.Binary at = (Ast.Binary) plus.left();
        assertEquals(18, at.opSpan().line());
        assertEquals(24, at.opSpan().col());
        Ast.FnDecl fn = f.fns().get(0);
        assertEquals("fn swish(x) = x * sigmoid(x)", text(src, fn.span()));
        assertEquals("models", text(src, f.pkg().parts().get(2).span()));
        assertEquals("com.example.models", text(src, f.pkg().span()));
        Ast.ParamStmt w1 = (Ast.ParamStmt) m.body().get(4);
        assertEquals("param w1 : [331, hidden] init xavier_uniform", text(src, w1.span()));
        assertEquals("xavier_uniform", text(src, w1.init().span()));
        Ast.OptimizerStmt opt = (Ast.OptimizerStmt) m.body().get(11);
        assertEquals("optimizer sgd(lr = 0.01, momentum = 0.9, weight_decay = 1e-4)", text(src, opt.span()));
    }

    @Test
    void parenthesesBelongToTheOuterNode() {
        String src = "fn t() = (a + b) * c";
        Ast.Binary mul = (Ast.Binary) Parse.ok(src).fns().get(0).body();
        assertEquals("(a + b) * c", text(src, mul.span()));
        assertEquals("a + b", text(src, mul.left().span()));
        assertEquals("*", text(src, mul.opSpan()));
    }

    @Test
    void unaryPowerAndTransposeSpans() {
        String src = "fn t() = -x.T ^ -2 @ w";
        Ast.Binary at = (Ast.Binary) Parse.ok(src).fns().get(0).body();
        assertEquals("-x.T ^ -2 @ w", text(src, at.span()));
        Ast.Unary neg = (Ast.Unary) at.left();
        assertEquals("-x.T ^ -2", text(src, neg.span()));
        Ast.Binary pow = (Ast.Binary) neg.operand();
        assertEquals("x.T ^ -2", text(src, pow.span()));
        assertEquals("x.T", text(src, pow.left().span()));
        assertEquals("-2", text(src, pow.right().span()));
        assertEquals("x", text(src, ((Ast.Transpose) pow.left()).operand().span()));
        Spans.check(src, at);
    }

    @Test
    void shapeLiteralAndStatementsAcrossLines() {
        String src = "model M {\n  r = reshape(x,\n     [batch, 2])\n  loss = a +\n    b\n}";
        Ast.ModelDecl m = Parse.ok(src).models().get(0);
        Ast.AssignStmt r = (Ast.AssignStmt) m.body().get(0);
        assertEquals("r = reshape(x,\n     [batch, 2])", text(src, r.span()));
        Ast.ShapeLit shape = (Ast.ShapeLit) ((Ast.Call) r.value()).args().get(1).value();
        assertEquals("[batch, 2]", text(src, shape.span()));
        assertEquals(3, shape.span().line());
        assertEquals(6, shape.span().col());
        Ast.LossStmt loss = (Ast.LossStmt) m.body().get(1);
        assertEquals("loss = a +\n    b", text(src, loss.span()));
        assertEquals(4, loss.span().line());
        Spans.checkFile(Parse.ok(src));
    }

    @Test
    void columnsCountTabsAsOneAndOffsetsAreStringIndices() {
        // an emoji (two UTF-16 units) and CRLF line ends before the node
        String src = "// \uD83D\uDE00 smile\r\nmodel M {\r\n\tx = a\t+ b\r\n}\r\n";
        Ast.File f = Parse.ok(src);
        Ast.AssignStmt x = (Ast.AssignStmt) f.models().get(0).body().get(0);
        assertEquals(3, x.span().line());
        assertEquals(2, x.span().col());
        assertEquals("x = a\t+ b", text(src, x.span()));
        Ast.Binary plus = (Ast.Binary) x.value();
        assertEquals("+", text(src, plus.opSpan()));
        assertEquals(8, plus.opSpan().col());
        Spans.checkFile(f);
    }

    @Test
    void identSpansAreExact() {
        String src = "model  Net {\n dim  n ,m\n input  class : int[ n ]\n output  y = class\n}";
        Ast.ModelDecl m = Parse.ok(src).models().get(0);
        Spans.identExact(src, m.name());
        for (Ast.Ident id : ((Ast.DimStmt) m.body().get(0)).names()) Spans.identExact(src, id);
        Spans.identExact(src, ((Ast.InputStmt) m.body().get(1)).name());
        Spans.identExact(src, ((Ast.OutputStmt) m.body().get(2)).name());
        assertEquals(new Span("t.nn", 3, 9, src.indexOf("class"), src.indexOf("class") + 5),
                ((Ast.InputStmt) m.body().get(1)).name().span());
        Spans.checkFile(Parse.ok(src));
    }
}
