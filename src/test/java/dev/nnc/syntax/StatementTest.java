package dev.nnc.syntax;

import static dev.nnc.syntax.Parse.body;
import static dev.nnc.syntax.Parse.sexpr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every statement kind, whole files, separators, line continuation and comments. */
class StatementTest {
    /** The example of LANGUAGE.md ("A file"), verbatim. */
    static final String EXAMPLE = """
            // house_prices.nn — the d2l Kaggle house-price MLP
            package com.example.models          // optional; else derived from the folder, else none

            fn swish(x) = x * sigmoid(x)        // a function: inlined, shape-polymorphic

            model HousePrices {
                dim batch                       // a runtime-sized dimension
                const hidden = 256              // a compile-time constant

                input x : [batch, 331]
                input y : [batch, 1]            // used only by the loss

                param w1 : [331, hidden] init xavier_uniform
                param b1 : [hidden]      init zeros
                param w2 : [hidden, 1]   init xavier_uniform
                param b2 : [1]           init zeros

                h = dropout(relu(x @ w1 + b1), p = 0.2)
                output price = h @ w2 + b2
                loss = mse(price, y)

                optimizer sgd(lr = 0.01, momentum = 0.9, weight_decay = 1e-4)
            }
            """;

    static final String EXAMPLE_AST = """
            (package com.example.models)
            (fn swish (x) (* x (sigmoid x)))
            (model HousePrices
              (dim batch)
              (const hidden 256)
              (input x [batch 331])
              (input y [batch 1])
              (param w1 [331 hidden] xavier_uniform)
              (param b1 [hidden] zeros)
              (param w2 [hidden 1] xavier_uniform)
              (param b2 [1] zeros)
              (= h (dropout (relu (+ (@ x w1) b1)) p=0.2))
              (output price (+ (@ h w2) b2))
              (loss (mse price y))
              (optimizer sgd lr=0.01 momentum=0.9 weight_decay=1e-4))""";

    @Test
    void languageExample() {
        assertEquals(EXAMPLE_AST, sexpr(EXAMPLE));
        Ast.File f = Parse.ok(EXAMPLE);
        assertEquals("t.nn", f.path());
        assertEquals(EXAMPLE, f.source());
        assertEquals("com.example.models", f.pkg().dotted());
    }

    /** The copy above is the one in LANGUAGE.md, when the shared docs are at hand. */
    @Test
    void exampleIsTheOneInLanguageMd() throws Exception {
        Path doc = null;
        for (String dir : new String[] {System.getProperty("nnc.shared"), "../shared"}) {
            if (dir != null && Files.isRegularFile(Path.of(dir, "docs", "LANGUAGE.md"))) {
                doc = Path.of(dir, "docs", "LANGUAGE.md");
                break;
            }
        }
        assumeTrue(doc != null, "LANGUAGE.md not found");
        String md = Files.readString(doc);
        int start = md.indexOf("```\n", md.indexOf("## A file")) + 4;
        String block = md.substring(start, md.indexOf("```", start));
        assertEquals(EXAMPLE, block);
    }

    @Test
    void everyStatementKind() {
        String src = """
                dim batch
                dim n, m
                const hidden = 2 * 128
                input x : [batch, 331]
                input label : int[batch]
                input s : []
                param w : [331, hidden] init xavier_uniform
                param b : [hidden]
                param u : [3, 3] init uniform(-0.1, 0.1)
                h = relu(x @ w + b)
                output y = h.T
                output h
                loss = mean(h)
                optimizer sgd(lr = 0.01, momentum = 0.9)
                precision f64""";
        assertEquals("""
                (dim batch)
                (dim n m)
                (const hidden (* 2 128))
                (input x [batch 331])
                (input label int[batch])
                (input s [])
                (param w [331 hidden] xavier_uniform)
                (param b [hidden])
                (param u [3 3] (uniform (neg 0.1) 0.1))
                (= h (relu (+ (@ x w) b)))
                (output y (T h))
                (output h)
                (loss (mean h))
                (optimizer sgd lr=0.01 momentum=0.9)
                (precision f64)""", body(src));
    }

    @Test
    void statementRecordShapes() {
        Ast.ModelDecl m = Parse.ok("model M {\n param b : [3]\n output h\n input i : int[n]\n optimizer adam\n}").models().get(0);
        Ast.ParamStmt p = (Ast.ParamStmt) m.body().get(0);
        assertNull(p.init());
        Ast.OutputStmt o = (Ast.OutputStmt) m.body().get(1);
        assertNull(o.value());
        assertTrue(((Ast.InputStmt) m.body().get(2)).isInt());
        Ast.OptimizerStmt opt = (Ast.OptimizerStmt) m.body().get(3);
        assertEquals("adam", opt.kind().name());
        assertEquals(0, opt.args().size());
    }

    @Test
    void fileStructure() {
        assertEquals("", sexpr(""));
        assertEquals("", sexpr("\n\n  // nothing\n/* at all */\n"));
        assertEquals("(model M)", sexpr("model M {}"));
        assertEquals("(model M)", sexpr("model M {\n\n}"));
        assertEquals("(fn f () 1)", sexpr("fn f() = 1"));
        assertEquals("(fn f (a b) (+ a b))", sexpr("fn f(a, b) = a + b"));
        assertEquals("(fn f (a b) (+ a b))", sexpr("fn f(a, b,) = a + b"));
        assertEquals("(package a)", sexpr("package a"));
        assertEquals("(package a.b.c)\n(model A)\n(model B)", sexpr("package a.b.c\nmodel A {}\nmodel B {}"));
        // a model's closing brace needs no separator after it
        assertEquals("(model A\n  (= x 1))\n(model B)", sexpr("model A { x = 1 } model B { }"));
        // fns and models in any order; the AST keeps each list in source order
        assertEquals("(fn f (x) x)\n(fn g (x) x)\n(model A)",
                sexpr("fn f(x) = x\nmodel A {}\nfn g(x) = x"));
        // brace on its own line
        assertEquals("(model A\n  (= x 1))", sexpr("model A\n{\n  x = 1\n}"));
        assertNull(Parse.ok("model M {}").pkg());
    }

    @Test
    void semicolonsSeparateStatements() {
        assertEquals("(= a 1)\n(= b 2)\n(= c 3)", body("a = 1; b = 2;c = 3"));
        assertEquals("(= a 1)\n(= b 2)", body("a = 1;\nb = 2;"));
        assertEquals("(= a 1)\n(= b 2)", body(";; a = 1 ;; ; b = 2 ;"));
        assertEquals("(model M\n  (dim n)\n  (= x 1))", sexpr("model M { dim n; x = 1 }"));
        assertEquals("(package p)\n(fn f (x) x)\n(model M)", sexpr("package p; fn f(x) = x; model M {}"));
    }

    @Test
    void lineBreakContinuesAfterOperatorsCommasAndInsideBrackets() {
        assertEquals("(= x (+ a b))", body("x = a +\n    b"));
        assertEquals("(= x (- a b))", body("x = a -\n    b"));
        assertEquals("(= x (* a b))", body("x = a *\n    b"));
        assertEquals("(= x (/ a b))", body("x = a /\n    b"));
        assertEquals("(= x (@ a b))", body("x = a @\n    b"));
        assertEquals("(= x (^ a b))", body("x = a ^\n    b"));
        assertEquals("(= x (^ a (neg b)))", body("x = a ^ -\n    b"));
        assertEquals("(= x (f a b))", body("x = f(a,\n      b)"));
        assertEquals("(= x (f a b))", body("x = f(\n  a\n  ,\n  b\n)"));
        assertEquals("(= x (+ a b))", body("x = (a\n  + b)"));
        assertEquals("(input x [batch 3])", body("input x : [\n  batch,\n  3\n]"));
        assertEquals("(dim a b)", body("dim a,\n    b"));
        assertEquals("(= x (+ a b))", body("x =\n  a + b"));
        assertEquals("(input x [3])", body("input x :\n  [3]"));
        assertEquals("(= x (+ a b))", body("x = a + // comment\n  // another\n\n  b"));
        assertEquals("(optimizer sgd lr=0.1 momentum=0.9)", body("optimizer sgd(\n  lr = 0.1,\n  momentum = 0.9,\n)"));
    }

    @Test
    void lineBreakEndsTheStatementOtherwise() {
        assertEquals("(= x a)\n(= y b)", body("x = a\ny = b"));
        // a line that starts with '-' is not a continuation: it is an error (no expression statements)
        String src = "model M {\n  x = a\n    - b\n}";
        assertEquals("""
                t.nn:3:5: error[E100]: expected a statement, found '-'
                        - b
                        ^
                  hint: a line break ends a statement; to continue an expression on the next line, end the line with the operator
                """, Parse.errors(src));
        assertEquals("t.nn:3:5: error[E100]: expected a statement, found '+'",
                Parse.errors("model M {\n  x = a\n    + b\n}").lines().findFirst().orElse(""));
    }

    @Test
    void blockCommentSpanningLinesIsALineBreak() {
        assertEquals("(= x a)\n(= y b)", body("x = a /* one\n two */ y = b"));
        assertEquals("(= x (+ a b))", body("x = a /* inline */ + b"));
        assertEquals("(= x (+ a b))", body("x = a + /* one\n two */ b"));
    }

    @Test
    void commentsAndBlankLinesAnywhere() {
        String src = """
                /* header */
                // line

                model M { // after brace

                    // only a comment

                    x = 1 /* trailing */ // and more
                    /* multi
                       line */
                    y = x

                    // before the brace
                }
                // trailing
                """;
        assertEquals("(model M\n  (= x 1)\n  (= y x))", sexpr(src));
        assertEquals("(= x (/ a b))", body("x = a/b"));
        assertEquals("(= x a)", body("x = a//b"));
        assertEquals("(= x a)", body("x = a/**/"));
        assertEquals("(= x a)", body("x = a/***/"));
        assertEquals("(= x a)", body("x = a/* / * **/"));
    }

    @Test
    void contextualKeywordsAsNames() {
        // Java keywords and nnc's own contextual keywords can be defined and used
        assertEquals("(dim input loss)\n(const class 3)\n(input this [input])",
                body("dim input, loss\nconst class = 3\ninput this : [input]"));
        assertEquals("""
                (param param [dim] init)
                (= String (+ class this))
                (= init (* param init))
                (= dim 1)
                (= const 2)
                (= input 3)
                (= output 4)
                (= optimizer 5)
                (= precision 6)
                (= model 7)
                (= fn 8)
                (= package 9)
                (= int 10)
                (= T 11)""", body("""
                param param : [dim] init init
                String = class + this
                init = param * init
                dim = 1
                const = 2
                input = 3
                output = 4
                optimizer = 5
                precision = 6
                model = 7
                fn = 8
                package = 9
                int = 10
                T = 11"""));
        assertEquals("(output output (+ output 1))\n(output input)\n(dim dim)\n(const const 1)\n(input input [input])",
                body("output output = output + 1\noutput input\ndim dim\nconst const = 1\ninput input : [input]"));
        assertEquals("(optimizer optimizer lr=1)\n(precision precision)", body("optimizer optimizer(lr = 1)\nprecision precision"));
        assertEquals("(fn fn (model input) (+ model input))\n(model model\n  (= x (fn model input)))",
                sexpr("fn fn(model, input) = model + input\nmodel model { x = fn(model, input) }"));
        assertEquals("(package model.fn.int)", sexpr("package model.fn.int"));
    }

    @Test
    void lossIsALossStatementAndANameElsewhere() {
        assertEquals("(loss (mse p y))\n(= l (* loss 2))\n(output loss)", body("loss = mse(p, y)\nl = loss * 2\noutput loss"));
    }

    @Test
    void windowsLineEndsAndTabs() {
        assertEquals("(model M\n  (= x (+ a b))\n  (= y 2))", sexpr("model M {\r\n\tx = a +\r\n\t\tb\r\n\ty = 2\r\n}\r\n"));
        assertEquals("(model M)", sexpr("\uFEFFmodel M {}"));
    }
}
