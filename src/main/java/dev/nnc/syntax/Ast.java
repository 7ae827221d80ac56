package dev.nnc.syntax;

import dev.nnc.diag.Span;
import java.util.List;

/**
 * The abstract syntax tree of a {@code .nn} file: immutable records, each with its source span.
 * The parser builds it; the checker reads it. Nothing here is resolved or typed yet.
 */
public final class Ast {
    private Ast() {}

    /** A name as written, with where it was written. */
    public record Ident(String name, Span span) {}

    /** A whole file. {@code pkg} is null when the file has no package statement. */
    public record File(String path, String source, QualifiedName pkg, List<FnDecl> fns, List<ModelDecl> models) {}

    /** {@code package a.b.c}. */
    public record QualifiedName(List<Ident> parts, Span span) {
        public String dotted() {
            return String.join(".", parts.stream().map(Ident::name).toList());
        }
    }

    /** {@code fn name(p, q) = body}. */
    public record FnDecl(Ident name, List<Ident> params, Expr body, Span span) {}

    /** {@code model Name { statements }}. */
    public record ModelDecl(Ident name, List<Stmt> body, Span span) {}

    // ------------------------------------------------------------------ statements

    /** A statement inside a model body. */
    public sealed interface Stmt {
        Span span();
    }

    /** {@code dim batch} or {@code dim n, m}. */
    public record DimStmt(List<Ident> names, Span span) implements Stmt {}

    /** {@code const hidden = 256}. */
    public record ConstStmt(Ident name, Expr value, Span span) implements Stmt {}

    /** {@code input x : [batch, 331]} or {@code input label : int[batch]}. */
    public record InputStmt(Ident name, boolean isInt, List<Expr> shape, Span span) implements Stmt {}

    /**
     * {@code param w : [331, hidden] init xavier_uniform}. {@code init} is null when absent;
     * otherwise a {@link Name} ({@code zeros}) or a {@link Call} ({@code uniform(-1, 1)}).
     */
    public record ParamStmt(Ident name, List<Expr> shape, Expr init, Span span) implements Stmt {}

    /** {@code buffer N : [..] init I}: non-trainable state; {@code init} may be null (zeros). */
    public record BufferStmt(Ident name, List<Expr> shape, Expr init, Span span) implements Stmt {}

    /** {@code name = expr}. */
    public record AssignStmt(Ident name, Expr value, Span span) implements Stmt {}

    /** {@code output name = expr}, or {@code output name} (then {@code value} is null). */
    public record OutputStmt(Ident name, Expr value, Span span) implements Stmt {}

    /** {@code loss = expr}. */
    public record LossStmt(Expr value, Span span) implements Stmt {}

    /** {@code optimizer sgd(lr = 0.01, momentum = 0.9)}. */
    public record OptimizerStmt(Ident kind, List<Arg> args, Span span) implements Stmt {}

    /** {@code precision f32}. */
    public record PrecisionStmt(Ident value, Span span) implements Stmt {}

    // ------------------------------------------------------------------ expressions

    /** An expression. */
    public sealed interface Expr {
        Span span();
    }

    /** A number literal; {@code text} is as written. */
    public record Num(double value, String text, Span span) implements Expr {}

    /** {@code true} or {@code false}. */
    public record Bool(boolean value, Span span) implements Expr {}

    /** A name reference. */
    public record Name(String name, Span span) implements Expr {}

    /** Unary minus ({@code op} is "-"); a leading "+" is not in the language. */
    public record Unary(String op, Expr operand, Span span) implements Expr {}

    /**
     * A binary operator: one of {@code + - * / @ ^}, or a comparison {@code < <= > >= == !=}.
     * {@code span} covers the whole expression; {@code opSpan} is the operator itself (where
     * shape errors point).
     */
    public record Binary(String op, Expr left, Expr right, Span opSpan, Span span) implements Expr {}

    /** Postfix {@code x.T}. */
    public record Transpose(Expr operand, Span span) implements Expr {}

    /** Postfix indexing {@code x[i, a:b:s, ...]}: one subscript per entry, at least one. */
    public record Index(Expr operand, List<Subscript> subscripts, Span span) implements Expr {}

    /** One entry of an index list. */
    public sealed interface Subscript {
        Span span();
    }

    /** An integer index {@code i}: it selects one position and removes the axis. */
    public record At(Expr index, Span span) implements Subscript {}

    /** A slice {@code start:stop:step}; each part is null when left out. */
    public record Slice(Expr start, Expr stop, Expr step, Span span) implements Subscript {}

    /** {@code ...}: the axes not written. */
    public record Ellipsis(Span span) implements Subscript {}

    /** {@code f(a, b, name = c)}. */
    public record Call(Ident fn, List<Arg> args, Span span) implements Expr {}

    /** A bracketed list {@code [d, …]}: a shape, as the second argument of reshape. */
    public record ShapeLit(List<Expr> dims, Span span) implements Expr {}

    /** A call argument; {@code name} is null for positional arguments. */
    public record Arg(Ident name, Expr value, Span span) {}

    /** The direct sub-expressions of {@code e}, in source order. */
    public static List<Expr> children(Expr e) {
        if (e instanceof Unary u) return List.of(u.operand());
        if (e instanceof Binary b) return List.of(b.left(), b.right());
        if (e instanceof Transpose t) return List.of(t.operand());
        if (e instanceof Call c) {
            List<Expr> out = new java.util.ArrayList<>(c.args().size());
            for (Arg a : c.args()) out.add(a.value());
            return out;
        }
        if (e instanceof ShapeLit s) return s.dims();
        if (e instanceof Index x) {
            List<Expr> out = new java.util.ArrayList<>();
            out.add(x.operand());
            for (Subscript s : x.subscripts()) {
                if (s instanceof At at) out.add(at.index());
                if (s instanceof Slice sl) {
                    for (Expr part : java.util.Arrays.asList(sl.start(), sl.stop(), sl.step())) if (part != null) out.add(part);
                }
            }
            return out;
        }
        return List.of();
    }
}
