package dev.nnc.check;

import dev.nnc.autodiff.Autodiff;
import dev.nnc.diag.Diagnostics;
import dev.nnc.diag.ErrorKind;
import dev.nnc.diag.Span;
import dev.nnc.diag.Suggest;
import dev.nnc.ir.DType;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Node;
import dev.nnc.ir.ShapeException;
import dev.nnc.ir.Shape;
import dev.nnc.ir.ShapeRules;
import dev.nnc.passes.Fold;
import dev.nnc.syntax.Ast;
import dev.nnc.ops.Binary;
import dev.nnc.ops.Leaf;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Expression checking: resolves names, inlines {@code fn}s, applies built-ins, and builds
 * graph nodes with their shapes. Every error is reported once, where it happens; an
 * expression with an error evaluates to {@code null}, and {@code null} propagates silently so
 * one mistake gives one message.
 */
final class Exprs {
    private final Graph g;
    private final Diagnostics diags;
    private final Map<String, Ast.FnDecl> fns;
    private final Set<String> recursiveFns;
    private final Map<List<Object>, Node> inlineMemo = new HashMap<>();
    private int dropoutSites;
    /** The buffer updates that lowered calls registered (batch_norm's running statistics), by buffer name. */
    private final Map<String, Node> updates = new LinkedHashMap<>();
    private final Map<String, Span> updateSpans = new HashMap<>();

    /**
     * How deep expressions may nest once {@code fn} bodies are inlined into them (each written
     * expression is at most {@link dev.nnc.syntax.Parser#MAX_EXPR_DEPTH} deep; a chain of calls
     * nests bodies inside each other). Bounds the recursion of {@link #eval}.
     */
    static final int MAX_INLINED_DEPTH = 10 * dev.nnc.syntax.Parser.MAX_EXPR_DEPTH;
    /** The current nesting of {@link #eval}, and the calls being inlined, outermost first. */
    private int depth;
    private final List<Ast.Call> inlining = new ArrayList<>();
    /** Set once the depth limit is reported, until the statement's evaluation unwinds. */
    private boolean tooDeep;

    Exprs(Graph g, Diagnostics diags, Map<String, Ast.FnDecl> fns, Set<String> recursiveFns) {
        this.g = g;
        this.diags = diags;
        this.fns = fns;
        this.recursiveFns = recursiveFns;
    }

    /** Evaluates {@code e} to a node, or null after reporting an error. */
    Node eval(Ast.Expr e, Scope scope) {
        if (tooDeep) return null;
        if (depth >= MAX_INLINED_DEPTH) {
            reportTooDeep(e);
            return null;
        }
        depth++;
        Span prev = g.at(e.span());
        try {
            if (e instanceof Ast.Num n) return g.constant(n.value());
            if (e instanceof Ast.Bool b) {
                diags.error(ErrorKind.MISPLACED_BOOL, b.span(), b.value());
                return null;
            }
            if (e instanceof Ast.Name n) return name(n, scope);
            if (e instanceof Ast.Unary u) {
                Node x = eval(u.operand(), scope);
                return x == null ? null : apply(u.span(), () -> g.neg(x));
            }
            if (e instanceof Ast.Binary b) return binary(b, scope);
            if (e instanceof Ast.Transpose t) {
                Node x = eval(t.operand(), scope);
                return x == null ? null : apply(t.span(), () -> g.transpose(x));
            }
            if (e instanceof Ast.Index ix) return index(ix, scope);
            if (e instanceof Ast.Call c) return call(c, scope);
            diags.error(ErrorKind.NOT_A_VALUE, e.span(), "a bracketed list", "[…]");
            return null;
        } finally {
            g.at(prev);
            if (--depth == 0) tooDeep = false;
        }
    }

    /** Reports the depth limit once, at the outermost call being inlined, naming the chain of calls. */
    private void reportTooDeep(Ast.Expr at) {
        tooDeep = true;
        List<String> names = new ArrayList<>();
        for (Ast.Call c : inlining) names.add(c.fn().name());
        String chain = names.size() <= 6 ? String.join(" → ", names)
                : String.join(" → ", names.subList(0, 3)) + " → … → " + String.join(" → ", names.subList(names.size() - 2, names.size()));
        Span span = inlining.isEmpty() ? at.span() : inlining.get(0).span();
        diags.errorWithHint(ErrorKind.TOO_DEEP, span,
                "functions are inlined, so the chain of calls " + chain + " (" + names.size() + " calls) nests their bodies inside each other",
                MAX_INLINED_DEPTH);
    }

    /** The compile-time number {@code e} evaluates to, or null if it is not one (no error reported). */
    Double constant(Ast.Expr e, Scope scope) {
        Diagnostics quiet = new Diagnostics();
        Exprs probe = new Exprs(g, quiet, fns, recursiveFns);
        probe.depth = depth; // the probe recurses on this stack
        Node n = probe.eval(e, scope);
        if (n == null || quiet.hasErrors() || !n.shape().isScalar()) return null;
        return Fold.scalar(n);
    }

    private interface Build {
        Node run();
    }

    /** Runs a shape rule; a shape error becomes a diagnostic at {@code span}. */
    private Node apply(Span span, Build b) {
        try {
            return b.run();
        } catch (ShapeException ex) {
            diags.add(new dev.nnc.diag.Diagnostic(ex.kind(), span, ex.getMessage(), ex.hint()));
            return null;
        }
    }

    private Node name(Ast.Name n, Scope scope) {
        Scope.Binding b = scope.get(n.name());
        if (b != null) {
            if (b.what() == Scope.What.DIM) return g.size(List.of(Dim.sym(n.name())));
            if (b.what() == Scope.What.CONST) return g.constant(b.constValue());
            return b.node();
        }
        if (n.name().equals("pi")) return g.constant(Math.PI);
        if (n.name().equals("e")) return g.constant(Math.E);
        if (fns.containsKey(n.name()) || Builtins.ALL.containsKey(n.name())) {
            diags.error(ErrorKind.NOT_A_VALUE, n.span(), "function", n.name());
            return null;
        }
        List<String> known = new ArrayList<>(scope.names.keySet());
        known.add("pi");
        known.add("e");
        String best = Suggest.closest(n.name(), known);
        diags.errorWithHint(ErrorKind.UNKNOWN_NAME, n.span(), best == null ? null : "did you mean '" + best + "'?", n.name());
        return null;
    }

    private Node binary(Ast.Binary b, Scope scope) {
        Node l = eval(b.left(), scope);
        Node r = eval(b.right(), scope);
        if (l == null || r == null) return null;
        Span at = b.opSpan();
        return switch (b.op()) {
            case "+" -> apply(at, () -> g.binary(Binary.ADD, l, r, "add"));
            case "-" -> apply(at, () -> g.binary(Binary.SUB, l, r, "subtract"));
            case "*" -> apply(at, () -> g.binary(Binary.MUL, l, r, "multiply"));
            case "/" -> apply(at, () -> g.binary(Binary.DIV, l, r, "divide"));
            case "@" -> apply(at, () -> g.matmul(l, r));
            case "^" -> apply(at, () -> power(l, r));
            case "<" -> apply(at, () -> compare(Binary.GT, l, r, true));
            case "<=" -> apply(at, () -> compare(Binary.GE, l, r, true));
            case ">" -> apply(at, () -> compare(Binary.GT, l, r, false));
            case ">=" -> apply(at, () -> compare(Binary.GE, l, r, false));
            case "==" -> apply(at, () -> compare(Binary.EQ, l, r, false));
            case "!=" -> apply(at, () -> compare(Binary.NE, l, r, false));
            default -> throw new IllegalStateException("operator " + b.op());
        };
    }

    /** {@code x[…]}: basic indexing (see {@link Indexing}). */
    private Node index(Ast.Index ix, Scope scope) {
        Node x = eval(ix.operand(), scope);
        if (x == null) return null;
        dev.nnc.ir.Attr.Select s = new Indexing(diags, i -> constant(i, scope)).selection(ix.subscripts(), x.shape());
        return s == null ? null : apply(ix.span(), () -> g.select(x, s));
    }

    /** {@code l OP r} for a comparison: 1 where it holds, else 0 ({@code <} and {@code <=} flip their operands). */
    private Node compare(Binary op, Node l, Node r, boolean flip) {
        ShapeRules.broadcastShapes(l.shape(), r.shape(), "compare"); // the shape error names the operands as written
        return flip ? g.binary(op, r, l, "compare") : g.binary(op, l, r, "compare");
    }

    private Node power(Node base, Node exponent) {
        Double c = exponent.shape().isScalar() ? Fold.scalar(exponent) : null;
        if (c != null && base.dtype() == DType.REAL) return g.powc(base, c);
        Double bv = base.shape().isScalar() ? Fold.scalar(base) : null;
        if (bv != null && bv == Math.E) return g.exp(exponent);
        return g.binary(Binary.POW, base, exponent, "raise");
    }

    // ------------------------------------------------------------------ calls

    private Node call(Ast.Call c, Scope scope) {
        String name = c.fn().name();
        if (!checkArgOrder(c)) return null;
        Ast.FnDecl fn = fns.get(name);
        if (fn != null) return inline(fn, c, scope);
        Builtins.Fn b = Builtins.ALL.get(name);
        if (b != null) return builtin(b, c, scope);
        Scope.Binding bound = scope.get(name);
        if (bound != null) {
            diags.error(ErrorKind.NOT_A_FUNCTION, c.fn().span(), name);
            return null;
        }
        diags.errorWithHint(ErrorKind.UNKNOWN_FUNCTION, c.fn().span(), unknownFunctionHint(name), name);
        return null;
    }

    /**
     * "did you mean 'sigmoid'?" when one function is a likely typo away (stricter than for other
     * names: {@code conv2d} is no typo of {@code concat}); otherwise every function there is.
     */
    private String unknownFunctionHint(String name) {
        Set<String> known = new TreeSet<>(fns.keySet());
        known.addAll(Builtins.ALL.keySet());
        String best = Suggest.closestStrict(name, known);
        if (best != null) return "did you mean '" + best + "'?";
        String mine = fns.isEmpty() ? "" : "; this file's fn " + String.join(", ", new TreeSet<>(fns.keySet()));
        return "the functions are: " + Builtins.catalogue() + mine;
    }

    private boolean checkArgOrder(Ast.Call c) {
        boolean named = false;
        for (Ast.Arg a : c.args()) {
            if (a.name() != null) {
                named = true;
            } else if (named) {
                diags.error(ErrorKind.POSITIONAL_AFTER_NAMED, a.span());
                return false;
            }
        }
        return true;
    }

    /** Binds call arguments to parameter names; null after reporting an error. */
    private Map<String, Ast.Expr> bind(String fnName, List<String> params, int required, Ast.Call c, String signature) {
        Map<String, Ast.Expr> bound = new LinkedHashMap<>();
        int positional = 0;
        for (Ast.Arg a : c.args()) if (a.name() == null) positional++;
        if (positional > params.size()) {
            diags.error(ErrorKind.ARG_COUNT, c.span(), signature, plural(params.size(), "argument"), positional);
            return null;
        }
        int i = 0;
        for (Ast.Arg a : c.args()) {
            if (a.name() == null) {
                bound.put(params.get(i++), a.value());
                continue;
            }
            String n = a.name().name();
            if (!params.contains(n)) {
                String best = Suggest.closest(n, params);
                diags.errorWithHint(ErrorKind.UNKNOWN_ARG, a.name().span(),
                        best == null ? signature : "did you mean '" + best + "'? " + signature, fnName, n);
                return null;
            }
            if (bound.containsKey(n)) {
                diags.error(ErrorKind.DUPLICATE_ARG, a.name().span(), n, fnName);
                return null;
            }
            bound.put(n, a.value());
        }
        for (int k = 0; k < required; k++) {
            if (!bound.containsKey(params.get(k))) {
                diags.errorWithHint(ErrorKind.MISSING_ARG, c.span(), signature, fnName, params.get(k));
                return null;
            }
        }
        return bound;
    }

    private static String plural(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }

    private Node inline(Ast.FnDecl fn, Ast.Call c, Scope caller) {
        if (recursiveFns.contains(fn.name().name())) return null; // reported once at the definition
        List<String> params = fn.params().stream().map(Ast.Ident::name).toList();
        String sig = fn.name().name() + "(" + String.join(", ", params) + ")";
        Map<String, Ast.Expr> bound = bind(fn.name().name(), params, params.size(), c, sig);
        if (bound == null) return null;
        Scope inner = new Scope();
        List<Object> key = new ArrayList<>();
        key.add(fn);
        for (Ast.Ident p : fn.params()) {
            Node v = eval(bound.get(p.name()), caller);
            if (v == null) return null;
            key.add(v);
            inner.put(new Scope.Binding(Scope.What.FN_PARAM, p.name(), v, 0, p.span()));
        }
        Node memo = inlineMemo.get(key);
        if (memo != null) return memo;
        int sitesBefore = dropoutSites + updates.size();
        int errorsBefore = diags.count();
        inlining.add(c);
        Node r;
        try {
            r = eval(fn.body(), inner);
        } finally {
            inlining.remove(inlining.size() - 1);
        }
        diags.hintSince(errorsBefore, "in the call of " + fn.name().name() + " at " + c.span().line() + ":" + c.span().col());
        if (r != null && dropoutSites + updates.size() == sitesBefore) inlineMemo.put(key, r);
        return r;
    }

    private Node builtin(Builtins.Fn fn, Ast.Call c, Scope scope) {
        List<String> params = fn.params().stream().map(Builtins.P::name).toList();
        Map<String, Ast.Expr> bound = bind(fn.name(), params, fn.required(), c, fn.signature());
        if (bound == null) return null;
        Map<String, Object> values = new HashMap<>();
        for (Builtins.P p : fn.params()) {
            Ast.Expr e = bound.get(p.name());
            Object v = e == null ? defaultValue(p) : argument(fn, p, e, scope);
            if (v == null) return null;
            values.put(p.name(), v);
        }
        return switch (fn.name()) {
            case "dropout" -> dropout(c, (Node) values.get("x"), (Double) values.get("p"), bound.get("p"));
            case "grad" -> grad(c, (Node) values.get("f"), (Node) values.get("x"), bound.get("x"));
            default -> apply(c.span(), () -> fn.lowering().lower(g, new BoundArgs(values, c.span())));
        };
    }

    private static Object defaultValue(Builtins.P p) {
        if (p.def() == Builtins.ALL_AXES) return AllAxes.INSTANCE;
        if (p.def() == Builtins.ABSENT) return Builtins.ABSENT;
        if (p.kind() == Builtins.Kind.AXES || p.kind() == Builtins.Kind.SIZES) return List.of((Integer) p.def());
        if (p.def() instanceof Integer i) return i.doubleValue();
        return p.def();
    }

    private enum AllAxes { INSTANCE }

    /** Evaluates one argument by its kind; null after reporting an error. */
    private Object argument(Builtins.Fn fn, Builtins.P p, Ast.Expr e, Scope scope) {
        switch (p.kind()) {
            case BUFFER -> {
                Node n = eval(e, scope);
                if (n == null) return null;
                if (n.op() != Leaf.BUFFER) {
                    diags.errorWithHint(ErrorKind.ARG_TYPE, e.span(), "a running statistic lives in a declaration such as "
                            + "'buffer running_mean : [16] init zeros'", p.name(), fn.name(), "a buffer");
                    return null;
                }
                return n;
            }
            case TENSOR, LABELS, LEAF -> {
                Node n = eval(e, scope);
                if (n == null) return null;
                if (n.dtype() == DType.INT && p.kind() != Builtins.Kind.LABELS) {
                    diags.error(ErrorKind.INT_TENSOR, e.span(), n.op() == Leaf.INPUT ? n.leafName() : "?");
                    return null;
                }
                return n;
            }
            case NUMBER -> {
                Double v = constant(e, scope);
                if (v == null) {
                    if (eval(e, scope) != null) diags.error(ErrorKind.NOT_CONSTANT, e.span(), p.name(), fn.name());
                    return null;
                }
                return v;
            }
            case BOOL -> {
                if (e instanceof Ast.Bool b) return b.value();
                diags.error(ErrorKind.ARG_TYPE, e.span(), p.name(), fn.name(), "true or false");
                return null;
            }
            case AXES -> {
                List<Ast.Expr> items = e instanceof Ast.ShapeLit s ? s.dims() : List.of(e);
                List<Integer> axes = new ArrayList<>();
                for (Ast.Expr item : items) {
                    Double v = constant(item, scope);
                    if (v == null || v != Math.rint(v) || Math.abs(v) > 1e6) {
                        diags.error(ErrorKind.ARG_TYPE, item.span(), p.name(), fn.name(), "an integer axis or a list of them");
                        return null;
                    }
                    axes.add(v.intValue());
                }
                return axes;
            }
            case SIZES -> {
                List<Ast.Expr> items = e instanceof Ast.ShapeLit s ? s.dims() : List.of(e);
                List<Integer> sizes = new ArrayList<>();
                for (Ast.Expr item : items) {
                    Double v = constant(item, scope);
                    if (v == null || v != Math.rint(v) || v < 0 || v > 1e9) {
                        diags.error(ErrorKind.ARG_TYPE, item.span(), p.name(), fn.name(), "a non-negative integer or a list of them, such as [2, 2]");
                        return null;
                    }
                    sizes.add(v.intValue());
                }
                return sizes;
            }
            case SHAPE, TARGET -> {
                if (!(e instanceof Ast.ShapeLit s)) {
                    diags.error(ErrorKind.ARG_TYPE, e.span(), p.name(), fn.name(), "a shape such as [batch, 16]");
                    return null;
                }
                return Shapes.resolve(s.dims(), scope, diags, true, p.kind() == Builtins.Kind.TARGET);
            }
            case SIZE -> {
                return Shapes.resolve(List.of(e), scope, diags, true);
            }
        }
        throw new IllegalStateException();
    }

    /** The buffer updates registered so far, by buffer name (for {@link dev.nnc.ir.Model#updates()}). */
    Map<String, Node> updates() {
        return updates;
    }

    /** Typed access to bound arguments for lowerings. */
    private final class BoundArgs implements Builtins.Args {
        private final Map<String, Object> v;
        private final Span at;

        BoundArgs(Map<String, Object> v, Span at) {
            this.v = v;
            this.at = at;
        }

        @Override
        public boolean has(String name) {
            return v.get(name) != Builtins.ABSENT;
        }

        @Override
        public Node tensor(String name) {
            Object o = v.get(name);
            return o == Builtins.ABSENT ? null : (Node) o;
        }

        @Override
        public void update(Node buffer, Node value) {
            String name = buffer.leafName();
            Span prev = updateSpans.get(name);
            if (prev != null) throw new ShapeException(ErrorKind.BUFFER_UPDATED_TWICE, name, prev.line());
            updates.put(name, value);
            updateSpans.put(name, at);
        }

        @Override
        public double number(String name) {
            return (Double) v.get(name);
        }

        @Override
        public boolean bool(String name) {
            return (Boolean) v.get(name);
        }

        @Override
        @SuppressWarnings("unchecked")
        public List<Integer> axes(String name) {
            Object o = v.get(name);
            return o == AllAxes.INSTANCE ? null : (List<Integer>) o;
        }

        @Override
        @SuppressWarnings("unchecked")
        public List<Integer> sizes(String name) {
            return (List<Integer>) v.get(name);
        }

        @Override
        public Shape shape(String name) {
            return (Shape) v.get(name);
        }

        @Override
        public int axis(String name) {
            List<Integer> a = axes(name);
            if (a == null || a.size() != 1) {
                throw new ShapeException(ErrorKind.ARG_TYPE, name, "this function", "exactly one axis");
            }
            return a.get(0);
        }
    }

    private Node dropout(Ast.Call c, Node x, double p, Ast.Expr pExpr) {
        if (!(p >= 0 && p < 1)) {
            diags.error(ErrorKind.BAD_ARG_VALUE, pExpr == null ? c.span() : pExpr.span(), "p", "dropout", "must be in [0, 1), got " + Fold.format(p));
            return null;
        }
        if (p == 0) return x;
        return g.dropout(x, p, dropoutSites++);
    }

    private Node grad(Ast.Call c, Node f, Node x, Ast.Expr xExpr) {
        if (!f.shape().isScalar()) {
            diags.error(ErrorKind.GRAD_NOT_SCALAR, c.args().get(0).span(), f.shape());
            return null;
        }
        if ((x.op() != Leaf.INPUT && x.op() != Leaf.PARAM) || x.dtype() != DType.REAL) {
            String what = x.op() == Leaf.INPUT ? "integer input '" + x.leafName() + "'" : "'" + text(xExpr) + "'";
            diags.error(ErrorKind.GRAD_WRT, xExpr.span(), what);
            return null;
        }
        return Autodiff.gradients(g, f, List.of(x)).get(0);
    }

    private static String text(Ast.Expr e) {
        return e instanceof Ast.Name n ? n.name() : "this expression";
    }
}
