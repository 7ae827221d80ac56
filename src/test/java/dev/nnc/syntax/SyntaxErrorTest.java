package dev.nnc.syntax;

import static dev.nnc.syntax.Parse.errors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.nnc.diag.Diagnostic;
import dev.nnc.diag.Diagnostics;
import dev.nnc.diag.ErrorKind;
import dev.nnc.diag.Span;
import org.junit.jupiter.api.Test;

/** Syntax errors: the exact rendered text, one per statement, recovery, partial ASTs. */
class SyntaxErrorTest {
    /** The first line of each diagnostic ("file:line:col: error[Ennn]: message"). */
    private static String heads(String src) {
        StringBuilder sb = new StringBuilder();
        for (Diagnostic d : Parse.diags(src).all()) {
            sb.append(d.span().line()).append(':').append(d.span().col()).append(' ')
                    .append(d.kind().code()).append(' ').append(d.message()).append('\n');
        }
        return sb.toString();
    }

    @Test
    void unclosedParenthesis() {
        assertEquals("""
                t.nn:2:17: error[E100]: expected ')' to close '(' at line 2
                      h = relu(x @ w
                                    ^
                """, errors("model M {\n  h = relu(x @ w\n  output y = h\n}\n"));
        assertEquals("""
                t.nn:1:13: error[E100]: expected ']' to close '[' at line 1
                    fn f() = [1 2]
                                ^
                """, errors("fn f() = [1 2]"));
    }

    @Test
    void missingOperand() {
        assertEquals("""
                t.nn:2:10: error[E100]: missing expression after '+'
                      x = a +
                             ^
                """, errors("model M {\n  x = a +\n}\n"));
        assertEquals("""
                t.nn:1:14: error[E100]: missing expression after '+'
                    fn f(x) = x +
                                 ^
                """, errors("fn f(x) = x +"));
        assertEquals("1:15 E100 missing expression after '='\n", heads("model M { x = ; y = 1 }"));
        assertEquals("1:16 E100 missing expression after '('\n", heads("model M { x = () }"));
        assertEquals("1:21 E100 missing expression after '='\n", heads("model M { x = f(p = ) }"));
    }

    @Test
    void wrongTokenInAnExpression() {
        assertEquals("""
                t.nn:1:14: error[E100]: expected an expression, found '*'
                    fn f(x) = x ** 2
                                 ^
                  hint: use ^ for powers: x ^ 2
                """, errors("fn f(x) = x ** 2"));
        assertEquals("1:12 E100 expected an expression, found ','\n", heads("fn f() = g(,a)"));
        assertEquals("1:16 E100 expected an expression, found ','\n", heads("fn f() = [1, 2,, 3]"));
    }

    @Test
    void unexpectedKeywordAtTheTopLevel() {
        assertEquals("""
                t.nn:1:1: error[E100]: expected 'fn', 'model' or 'package', found 'x'
                    x = 1
                    ^
                  hint: statements belong inside a model: model Name { ... }
                """, errors("x = 1\nmodel A { y = 1 }"));
        assertEquals("1:1 E100 expected 'fn', 'model' or 'package', found '42'\n", heads("42"));
        assertEquals("1:19 E100 unmatched '}'\n", heads("model A { x = 1 } }"));
    }

    @Test
    void missingClosingBrace() {
        assertEquals("""
                t.nn:2:8: error[E100]: expected '}' to close model 'M' opened at line 1
                      x = 1
                           ^
                """, errors("model M {\n  x = 1\nmodel N {\n  y = 2\n}\n"));
        assertEquals("1:10 E100 expected '}' to close model 'M' opened at line 1\n", heads("model M {"));
    }

    @Test
    void statementLevelMessages() {
        assertEquals("""
                2:7 E100 expected a name after 'dim', found '3'
                3:11 E100 expected ':', found '['
                4:13 E100 expected a shape such as [batch, 3], found '3'
                5:17 E100 expected a shape such as [batch, 3], found '3'
                6:22 E100 an initializer is a name such as zeros or a call such as uniform(-0.1, 0.1)
                7:13 E100 expected an optimizer such as sgd(lr = 0.01) after 'optimizer', found '3'
                8:12 E100 expected f32 or f64 after 'precision'
                9:9 E100 unknown postfix '.foo'; the only one is '.T' (transpose)
                10:3 E100 expected a statement, found 'true'
                11:14 E100 unmatched ')'
                12:9 E100 expected end of line or ';', found '2'
                13:10 E100 expected a name, found '3'
                14:4 E100 expected '=' after 'x'
                15:3 E100 expected a statement, found '3'
                16:11 E100 expected 'T' after '.'
                17:7 E100 number 1e999 is too large
                18:10 E100 expected a name after 'output', found '3'
                """, heads("""
                model M {
                  dim 3
                  input x [3]
                  input y : 3
                  input z : int 3
                  param w : [3] init 0.5
                  optimizer 3
                  precision
                  y = x.foo
                  true = 1
                  z = (1 + 2))
                  w = 1 2
                  dim a, 3
                  x
                  3 = 4
                  x = a.T.
                  x = 1e999
                  output 3
                }
                """));
    }

    @Test
    void declarationLevelMessages() {
        assertEquals("""
                1:7 E100 expected a model name, found '3'
                4:4 E100 expected a function name, found '3'
                5:6 E100 expected '(', found 'x'
                6:9 E100 expected '=', found '3'
                7:9 E100 expected a name, found '3'
                8:9 E100 expected a name, found '3'
                9:8 E100 expected a name after 'package'
                """, heads("""
                model 3 {
                  x = 1
                }
                fn 3(x) = x
                fn f x = 3
                fn f(x) 3
                fn f(x, 3) = 3
                package 3
                package
                """));
    }

    @Test
    void badCharacters() {
        assertEquals("""
                t.nn:2:9: error[E101]: unexpected character '$'
                      x = a $ b
                            ^
                t.nn:3:9: error[E101]: unexpected character '#'
                      y = 3 # three
                            ^
                  hint: comments start with //
                t.nn:4:7: error[E101]: unexpected character 'é'
                      z = é
                          ^
                  hint: names use only the letters A-Z and a-z, digits and _
                """, errors("model M {\n  x = a $ b\n  y = 3 # three\n  z = é\n}\n"));
        Diagnostics d = Parse.diags("fn f() = \uD83D\uDE00");
        assertEquals("unexpected character '\uD83D\uDE00'", d.all().get(0).message());
        assertEquals(new Span("t.nn", 1, 10, 9, 11), d.all().get(0).span());
        assertEquals("unexpected character U+0000", Parse.diags("fn f() = \0").all().get(0).message());
    }

    @Test
    void unterminatedComment() {
        assertEquals("""
                t.nn:2:9: error[E102]: this comment is never closed with */
                      x = 1 /* not closed
                            ^
                """, errors("model A {\n  x = 1 /* not closed\n  y = 2\n"));
        assertEquals("1:12 E102 this comment is never closed with */\n", heads("model A {} /*"));
        // comments do not nest: the first */ closes
        assertEquals("1:17 E100 expected 'fn', 'model' or 'package', found 'x'\n", heads("/* /* nested */ x */"));
        assertEquals("3:3 E102 this comment is never closed with */\n", heads("model A {\n  x = 1\n} /* oops"));
    }

    @Test
    void continuationHintWhenALineEndsWithAnOperator() {
        assertEquals("""
                t.nn:2:7: error[E100]: expected end of line or ';', found 'A'
                    model A { y = 2 }
                          ^
                  hint: line 1 ends with '+', so the statement continues on the next line
                """, errors("fn f(x) = x +\nmodel A { y = 2 }"));
    }

    @Test
    void misspeltKeywords() {
        assertEquals("""
                t.nn:1:1: error[E100]: expected 'fn', 'model' or 'package', found 'modle'
                    modle A { x = 1 }
                    ^
                  hint: did you mean 'model'?
                """, errors("modle A { x = 1 }"));
        assertEquals("""
                t.nn:2:11: error[E100]: expected '=', found 'sgd'
                      optimze sgd(lr = 0.1)
                              ^
                  hint: did you mean 'optimizer'?
                """, errors("model M {\n  optimze sgd(lr = 0.1)\n}"));
        assertEquals("did you mean 'precision'?", Parse.diags("model M { precison f64 }").all().get(0).hint());
        assertEquals(null, Parse.diags("model M { x y }").all().get(0).hint());
    }

    @Test
    void reservedWords() {
        assertEquals("""
                t.nn:1:11: error[E100]: expected a statement, found 'true'
                    model M { true = 1 }
                              ^
                  hint: 'true' and 'false' are reserved words: they cannot be names
                """, errors("model M { true = 1 }"));
        assertEquals("1:15 E100 expected a name after 'dim', found 'false'\n", heads("model M { dim false }"));
    }

    @Test
    void packageRules() {
        assertEquals("""
                2:1 E510 the file already has a package statement at line 1
                4:1 E510 the file already has a package statement at line 1
                """, heads("package a.b\npackage c\nfn f(x) = x\npackage d"));
        assertEquals("2:1 E100 the package statement must come before any fn or model\n",
                heads("model M {}\npackage d"));
        assertEquals("1:11 E100 expected a name after '.'\n", heads("package a.\nfn f(x) = x"));
    }

    @Test
    void severalErrorsOneEachAndTheRestIsKept() {
        String src = """
                model M {
                  a = 1 +* 2
                  b = relu(x @ w)
                  c = f(a b) + g(
                       1, 2 3)
                  d = 4
                  e = $ + $ + $
                }
                fn ok(x) = x
                fn bad(x) = x x x
                model N { x = 1 }
                """;
        assertEquals("""
                2:10 E100 expected an expression, found '*'
                4:11 E100 expected ')' to close '(' at line 4
                7:7 E101 unexpected character '$'
                10:15 E100 expected end of line or ';', found 'x'
                """, heads(src));
        Diagnostics d = new Diagnostics();
        Ast.File f = Parser.parse("t.nn", src, d);
        assertNotNull(f);
        assertEquals("""
                (fn ok (x) x)
                (model M
                  (= b (relu (@ x w)))
                  (= d 4))
                (model N
                  (= x 1))""", SExpr.of(f));
    }

    @Test
    void topLevelRecoveryResumesAtTheNextDeclaration() {
        assertEquals("(model A)\n(model B)", SExpr.of(Parser.parse("t", "x = 1; model A {}\ny = 2 z\nmodel B {}", new Diagnostics())));
        assertEquals("1:1 E100 expected 'fn', 'model' or 'package', found 'x'\n2:1 E100 expected 'fn', 'model' or 'package', found 'y'\n",
                heads("x = 1; model A {}\ny = 2 z\nmodel B {}"));
    }

    @Test
    void brokenModelHeaderSkipsItsBody() {
        assertEquals("1:7 E100 expected a model name, found '{'\n", heads("model { x = $ }\nmodel B { y = 2 }"));
        assertEquals("(model B\n  (= y 2))", SExpr.of(Parser.parse("t", "model { x = $ }\nmodel B { y = 2 }", new Diagnostics())));
    }

    @Test
    void resultIsNullOnlyWhenTheWholeFileIsRejected() {
        Diagnostics d = new Diagnostics();
        assertNotNull(Parser.parse("t.nn", "model M { x = $ }", d));
        assertEquals(ErrorKind.BAD_CHARACTER, d.all().get(0).kind());
        Diagnostics d2 = new Diagnostics();
        assertNull(Parser.parse("t.nn", "fn f() = " + "(".repeat(2000), d2));
        assertEquals(ErrorKind.TOO_DEEP, d2.all().get(0).kind());
    }

    @Test
    void nullPathAndSource() {
        Diagnostics d = new Diagnostics();
        Ast.File f = Parser.parse(null, null, d);
        assertEquals("<input>", f.path());
        assertEquals("", f.source());
        assertEquals(0, d.count());
    }
}
