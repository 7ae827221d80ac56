package dev.nnc.syntax;

import dev.nnc.diag.ErrorKind;
import dev.nnc.diag.Span;
import dev.nnc.syntax.antlr.NNParser;
import dev.nnc.syntax.antlr.NNParser.ArgContext;
import dev.nnc.syntax.antlr.NNParser.ArgListContext;
import dev.nnc.syntax.antlr.NNParser.AtomContext;
import dev.nnc.syntax.antlr.NNParser.ExprContext;
import dev.nnc.syntax.antlr.NNParser.IdentContext;
import dev.nnc.syntax.antlr.NNParser.MatmulContext;
import dev.nnc.syntax.antlr.NNParser.PostfixContext;
import dev.nnc.syntax.antlr.NNParser.ProductContext;
import dev.nnc.syntax.antlr.NNParser.ShapeContext;
import dev.nnc.syntax.antlr.NNParser.SignedContext;
import dev.nnc.syntax.antlr.NNParser.SubscriptContext;
import dev.nnc.syntax.antlr.NNParser.SumContext;
import dev.nnc.syntax.antlr.NNParser.UnaryContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.ParseTree;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Turns the parse tree of one declaration or statement into {@link Ast} records. The operator
 * rules of the grammar are flat lists; they are folded here with loops (left for
 * {@code + - * / @}, right for {@code ^}), so a long chain never recurses per term; a chain of
 * comparisons ({@code a < b < c}) is an error here. The only
 * recursion is per bracket level, which the {@link NewlineFilter} bounds.
 *
 * <p>Problems that the grammar lets through (a postfix other than {@code .T}, an initializer
 * that is neither a name nor a call, a number out of range, an expression deeper than
 * {@link Parser#MAX_EXPR_DEPTH}) are thrown as {@link BuildError}: the driver reports it and
 * drops the statement.
 */
final class AstBuilder {
    /** One problem in the statement being built. */
    static final class BuildError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final ErrorKind kind;
        final Span span;
        final String text;
        final String hint;

        BuildError(ErrorKind kind, Span span, String text, String hint) {
            super(text, null, false, false);
            this.kind = kind;
            this.span = span;
            this.text = text;
            this.hint = hint;
        }
    }

    private final String file;

    AstBuilder(String file) {
        this.file = file;
    }

    // ------------------------------------------------------------------ spans

    Span span(Token first, Token last) {
        int end = Math.max(first.getStartIndex(), last.getStopIndex() + 1);
        return new Span(file, first.getLine(), first.getCharPositionInLine() + 1, first.getStartIndex(), end);
    }

    Span span(Token t) {
        return span(t, t);
    }

    Span span(ParserRuleContext c) {
        return span(c.start, c.stop == null ? c.start : c.stop);
    }

    // ------------------------------------------------------------------ declarations

    Ast.Ident ident(IdentContext c) {
        return new Ast.Ident(c.start.getText(), span(c.start));
    }

    private List<Ast.Ident> idents(List<IdentContext> cs) {
        List<Ast.Ident> out = new ArrayList<>(cs.size());
        for (IdentContext c : cs) out.add(ident(c));
        return List.copyOf(out);
    }

    Ast.QualifiedName packageDecl(NNParser.PackageDeclContext c) {
        return new Ast.QualifiedName(idents(c.ident()), span(c.ident(0).start, c.stop));
    }

    Ast.FnDecl fnDecl(NNParser.FnDeclContext c) {
        List<IdentContext> ids = c.ident();
        return new Ast.FnDecl(ident(ids.get(0)), idents(ids.subList(1, ids.size())), root(c.expr()), span(c));
    }

    /** An {@code init} clause: a name or a call, or null when there is none. */
    private Ast.Expr init(NNParser.ExprContext e) {
        if (e == null) return null;
        Ast.Expr init = root(e);
        if (!(init instanceof Ast.Name) && !(init instanceof Ast.Call)) {
            throw new BuildError(ErrorKind.SYNTAX, init.span(),
                    "an initializer is a name such as zeros or a call such as uniform(-0.1, 0.1)", null);
        }
        return init;
    }

    Ast.Stmt stmt(NNParser.StmtContext c) {
        Span sp = span(c);
        if (c instanceof NNParser.DimStmtContext d) {
            return new Ast.DimStmt(idents(d.ident()), sp);
        } else if (c instanceof NNParser.ConstStmtContext k) {
            return new Ast.ConstStmt(ident(k.ident()), root(k.expr()), sp);
        } else if (c instanceof NNParser.InputStmtContext in) {
            return new Ast.InputStmt(ident(in.ident()), in.INT() != null, shape(in.shape()), sp);
        } else if (c instanceof NNParser.ParamStmtContext pa) {
            return new Ast.ParamStmt(ident(pa.ident()), shape(pa.shape()), init(pa.expr()), sp);
        } else if (c instanceof NNParser.BufferStmtContext bu) {
            return new Ast.BufferStmt(ident(bu.ident()), shape(bu.shape()), init(bu.expr()), sp);
        } else if (c instanceof NNParser.OutputStmtContext o) {
            return new Ast.OutputStmt(ident(o.ident()), o.expr() == null ? null : root(o.expr()), sp);
        } else if (c instanceof NNParser.OptimizerStmtContext op) {
            List<Ast.Arg> args = args(op.argList());
            for (Ast.Arg a : args) checkDepth(a.value());
            return new Ast.OptimizerStmt(ident(op.ident()), args, sp);
        } else if (c instanceof NNParser.PrecisionStmtContext pr) {
            return new Ast.PrecisionStmt(ident(pr.ident()), sp);
        } else if (c instanceof NNParser.AssignStmtContext as) {
            Ast.Ident name = ident(as.ident());
            Ast.Expr value = root(as.expr());
            if (name.name().equals("loss")) return new Ast.LossStmt(value, sp);
            return new Ast.AssignStmt(name, value, sp);
        }
        throw new IllegalStateException("unknown statement " + c.getClass().getSimpleName());
    }

    private List<Ast.Expr> shape(ShapeContext c) {
        List<Ast.Expr> dims = new ArrayList<>();
        for (ExprContext e : c.expr()) dims.add(root(e));
        return List.copyOf(dims);
    }

    // ------------------------------------------------------------------ expressions

    /** An expression that is the root of a tree: checked for depth. */
    Ast.Expr root(ExprContext c) {
        return checkDepth(expr(c));
    }

    private Ast.Expr checkDepth(Ast.Expr e) {
        if (exceedsDepth(e, Parser.MAX_EXPR_DEPTH)) {
            Span s = e.span();
            throw new BuildError(ErrorKind.TOO_DEEP, new Span(s.file(), s.line(), s.col(), s.start(), s.start()),
                    ErrorKind.TOO_DEEP.format(Parser.MAX_EXPR_DEPTH), "split it into several statements");
        }
        return e;
    }

    /** {@code a < b}: one comparison at most, since comparisons do not chain. */
    private Ast.Expr expr(ExprContext c) {
        List<SumContext> ss = c.sum();
        Ast.Expr acc = sum(ss.get(0));
        if (ss.size() > 2) {
            Token second = ((TerminalNode) c.getChild(3)).getSymbol();
            throw new BuildError(ErrorKind.SYNTAX, span(second), "comparisons do not chain: '" + c.getChild(1).getText()
                    + "' and then '" + second.getText() + "'", "compare two values at a time, e.g. (a < b) * (b < c) for both");
        }
        if (ss.size() == 2) acc = binary(acc, c, 1, sum(ss.get(1)), ss.get(1));
        return acc;
    }

    private Ast.Expr sum(SumContext c) {
        List<ProductContext> ps = c.product();
        Ast.Expr acc = product(ps.get(0));
        for (int i = 1; i < ps.size(); i++) {
            acc = binary(acc, c, 2 * i - 1, product(ps.get(i)), ps.get(i));
        }
        return acc;
    }

    private Ast.Expr product(ProductContext c) {
        List<MatmulContext> ms = c.matmul();
        Ast.Expr acc = matmul(ms.get(0));
        for (int i = 1; i < ms.size(); i++) {
            acc = binary(acc, c, 2 * i - 1, matmul(ms.get(i)), ms.get(i));
        }
        return acc;
    }

    private Ast.Expr matmul(MatmulContext c) {
        List<UnaryContext> us = c.unary();
        Ast.Expr acc = unary(us.get(0));
        for (int i = 1; i < us.size(); i++) {
            acc = binary(acc, c, 2 * i - 1, unary(us.get(i)), us.get(i));
        }
        return acc;
    }

    /** {@code acc op right}, where the operator is child {@code opChild} of {@code chain}. */
    private Ast.Binary binary(Ast.Expr acc, ParserRuleContext chain, int opChild, Ast.Expr right, ParserRuleContext rightCtx) {
        Token op = ((TerminalNode) chain.getChild(opChild)).getSymbol();
        return new Ast.Binary(op.getText(), acc, right, span(op), span(chain.start, rightCtx.stop));
    }

    /** {@code s0 ^ s1 ^ ... ^ sn}, right-leaning; each operand's minus signs wrap the chain to its right. */
    private Ast.Expr unary(UnaryContext c) {
        List<SignedContext> ss = c.signed();
        List<TerminalNode> carets = c.CARET();
        int n = ss.size();
        Ast.Expr acc = null;
        for (int i = n - 1; i >= 0; i--) {
            SignedContext s = ss.get(i);
            Ast.Expr base = postfix(s.postfix());
            if (acc == null) {
                acc = base;
            } else {
                Token caret = carets.get(i).getSymbol();
                acc = new Ast.Binary("^", base, acc, span(caret), span(s.postfix().start, c.stop));
            }
            List<TerminalNode> minus = s.MINUS();
            for (int m = minus.size() - 1; m >= 0; m--) {
                acc = new Ast.Unary("-", acc, span(minus.get(m).getSymbol(), c.stop));
            }
        }
        return acc;
    }

    /** {@code atom .T [i, a:b] ...}: postfixes apply left to right. */
    private Ast.Expr postfix(PostfixContext c) {
        Ast.Expr acc = atom(c.atom());
        List<Ast.Subscript> subs = new ArrayList<>();
        for (int i = 1; i < c.getChildCount(); i++) {
            ParseTree child = c.getChild(i);
            if (child instanceof IdentContext id) {
                if (!id.start.getText().equals("T")) {
                    throw new BuildError(ErrorKind.SYNTAX, span(id.start),
                            "unknown postfix '." + id.start.getText() + "'; the only one is '.T' (transpose)", null);
                }
                acc = new Ast.Transpose(acc, span(c.start, id.start));
            } else if (child instanceof SubscriptContext sub) {
                subs.add(subscript(sub));
            } else if (((TerminalNode) child).getSymbol().getType() == NNParser.RBRACK) {
                acc = new Ast.Index(acc, List.copyOf(subs), span(c.start, ((TerminalNode) child).getSymbol()));
                subs.clear();
            }
        }
        return acc;
    }

    private Ast.Subscript subscript(SubscriptContext c) {
        if (c instanceof NNParser.EllipsisSubscriptContext) return new Ast.Ellipsis(span(c));
        if (c instanceof NNParser.IndexSubscriptContext at) return new Ast.At(expr(at.expr()), span(c));
        // a slice: the expressions sit between the colons, any of them may be missing
        Ast.Expr[] parts = new Ast.Expr[3];
        int part = 0;
        for (int i = 0; i < c.getChildCount(); i++) {
            ParseTree child = c.getChild(i);
            if (child instanceof ExprContext e) parts[part] = expr(e);
            else part++;
        }
        return new Ast.Slice(parts[0], parts[1], parts[2], span(c));
    }

    private Ast.Expr atom(AtomContext c) {
        if (c instanceof NNParser.NumberAtomContext n) {
            String text = n.NUMBER().getText();
            double v = Double.parseDouble(text);
            if (Double.isInfinite(v)) {
                throw new BuildError(ErrorKind.SYNTAX, span(c), "number " + text + " is too large", null);
            }
            return new Ast.Num(v, text, span(c));
        } else if (c instanceof NNParser.BoolAtomContext b) {
            return new Ast.Bool(b.TRUE() != null, span(c));
        } else if (c instanceof NNParser.NameAtomContext n) {
            return new Ast.Name(n.ident().start.getText(), span(c));
        } else if (c instanceof NNParser.CallAtomContext call) {
            return new Ast.Call(ident(call.ident()), args(call.argList()), span(c));
        } else if (c instanceof NNParser.ParenAtomContext p) {
            return expr(p.expr()); // parentheses make no node; the inner span stays as written
        } else if (c instanceof NNParser.ListAtomContext l) {
            List<Ast.Expr> dims = new ArrayList<>();
            for (ExprContext e : l.shape().expr()) dims.add(expr(e));
            return new Ast.ShapeLit(List.copyOf(dims), span(c));
        }
        throw new IllegalStateException("unknown atom " + c.getClass().getSimpleName());
    }

    private List<Ast.Arg> args(ArgListContext c) {
        if (c == null) return List.of();
        List<Ast.Arg> out = new ArrayList<>();
        for (ArgContext a : c.arg()) {
            Ast.Ident name = a.ident() == null ? null : ident(a.ident());
            out.add(new Ast.Arg(name, expr(a.expr()), span(a)));
        }
        return List.copyOf(out);
    }

    // ------------------------------------------------------------------ depth

    /** True when the tree under {@code root} is more than {@code limit} nodes deep; iterative. */
    static boolean exceedsDepth(Ast.Expr root, int limit) {
        ArrayDeque<Ast.Expr> nodes = new ArrayDeque<>();
        ArrayDeque<Integer> depths = new ArrayDeque<>();
        nodes.push(root);
        depths.push(1);
        while (!nodes.isEmpty()) {
            Ast.Expr e = nodes.pop();
            int d = depths.pop();
            if (d > limit) return true;
            for (Ast.Expr child : Ast.children(e)) {
                nodes.push(child);
                depths.push(d + 1);
            }
        }
        return false;
    }
}
