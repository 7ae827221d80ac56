package dev.nnc.check;

import dev.nnc.util.BigStack;
import dev.nnc.diag.Diagnostics;
import dev.nnc.diag.ErrorKind;
import dev.nnc.diag.Span;
import dev.nnc.diag.Suggest;
import dev.nnc.ir.DType;
import dev.nnc.ir.Graph;
import dev.nnc.ir.GraphTooLargeException;
import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.passes.Fold;
import dev.nnc.syntax.Ast;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.SourceVersion;

/**
 * The semantic phase: from a parsed file to checked {@link Model}s. Runs the steps in order —
 * functions (duplicates, recursion), then each model's statements top to bottom — collecting
 * every error in {@link Diagnostics}. Returns only models that checked without error.
 */
public final class Checker {
    private final Diagnostics diags;
    private final Map<String, Ast.FnDecl> fns = new LinkedHashMap<>();
    private final Set<String> recursive = new HashSet<>();

    private Checker(Diagnostics diags) {
        this.diags = diags;
    }

    /**
     * Checks every model of {@code file}; errors go to {@code diags}. Runs on a thread of its own
     * with a large stack: inlining {@code fn}s nests their bodies, up to
     * {@link Exprs#MAX_INLINED_DEPTH} levels, whatever the caller's stack.
     */
    public static List<Model> check(Ast.File file, Diagnostics diags) {
        return BigStack.call("nnc-checker", () -> new Checker(diags).run(file));
    }

    private List<Model> run(Ast.File file) {
        collectFunctions(file);
        findRecursion();
        String pkg = file.pkg() == null ? "" : file.pkg().dotted();
        if (file.pkg() != null) checkJavaPackage(file.pkg());
        List<Model> models = new ArrayList<>();
        Map<String, Ast.ModelDecl> seen = new LinkedHashMap<>();
        for (Ast.ModelDecl m : file.models()) {
            Ast.ModelDecl prev = seen.putIfAbsent(m.name().name(), m);
            if (prev != null) {
                diags.error(ErrorKind.DUPLICATE_MODEL, m.name().span(), m.name().name(), prev.name().span().line());
                continue;
            }
            int before = diags.count();
            Model model = new ModelChecker(m, pkg).run();
            if (model != null && diags.count() == before) models.add(model);
        }
        return models;
    }

    /** The hint of the E104 error for a model whose graph outgrows {@link Graph#MAX_NODES}. */
    public static final String GRAPH_HINT = "each order of a nested grad() multiplies the graph, and very long models need many nodes too";

    /** The message argument of that E104 error. */
    public static String graphTooLarge(String model) {
        return "model " + model + " needs more than " + Graph.MAX_NODES + " graph nodes";
    }

    /**
     * The package statement names the Java package of the generated classes, so it must be one
     * javac accepts and the JVM loads: no Java keyword as a part (.nn names may be {@code int},
     * {@code class}, {@code _}), nothing under {@code java}, and not a package the JDK has.
     */
    private void checkJavaPackage(Ast.QualifiedName pkg) {
        String dotted = pkg.dotted();
        for (Ast.Ident part : pkg.parts()) {
            if (SourceVersion.isKeyword(part.name(), SourceVersion.RELEASE_17)) {
                diags.errorWithHint(ErrorKind.JAVA_PACKAGE, part.span(), "rename that part, for example to " + part.name() + "_",
                        dotted, "'" + part.name() + "' is a reserved word in Java");
                return;
            }
        }
        if (dotted.equals("java") || dotted.startsWith("java.")) {
            diags.error(ErrorKind.JAVA_PACKAGE, pkg.span(), dotted, "Java reserves the packages java.*");
        } else if (ModuleLayer.boot().modules().stream().anyMatch(m -> m.getPackages().contains(dotted))) {
            diags.error(ErrorKind.JAVA_PACKAGE, pkg.span(), dotted, "the JDK has a package of that name");
        }
    }

    // ------------------------------------------------------------------ functions

    private void collectFunctions(Ast.File file) {
        for (Ast.FnDecl f : file.fns()) {
            Ast.FnDecl prev = fns.putIfAbsent(f.name().name(), f);
            if (prev != null) {
                diags.error(ErrorKind.DUPLICATE_FN, f.name().span(), f.name().name(), prev.name().span().line());
                continue;
            }
            Map<String, Ast.Ident> params = new LinkedHashMap<>();
            for (Ast.Ident p : f.params()) {
                Ast.Ident q = params.putIfAbsent(p.name(), p);
                if (q != null) diags.error(ErrorKind.DUPLICATE_NAME, p.span(), p.name(), q.span().line());
            }
        }
    }

    /** Reports each cycle of fn calls once, at the first function of the cycle. */
    private void findRecursion() {
        Map<String, List<String>> calls = new LinkedHashMap<>();
        for (Ast.FnDecl f : fns.values()) {
            List<String> out = new ArrayList<>();
            collectCalls(f.body(), out);
            calls.put(f.name().name(), out);
        }
        Set<String> done = new HashSet<>();
        for (String f : fns.keySet()) {
            if (!done.contains(f)) findCycles(f, calls, done);
        }
    }

    /**
     * Depth-first from {@code root} along calls, reporting each cycle found. Iterative, with an
     * explicit path, so a chain of thousands of functions needs no deep stack.
     */
    private void findCycles(String root, Map<String, List<String>> calls, Set<String> done) {
        List<String> path = new ArrayList<>(List.of(root));
        List<Integer> nextCall = new ArrayList<>(List.of(0));
        Map<String, Integer> onPath = new HashMap<>(Map.of(root, 0));
        while (!path.isEmpty()) {
            int top = path.size() - 1;
            String f = path.get(top);
            List<String> out = calls.get(f);
            int i = nextCall.get(top);
            if (i == out.size()) {
                path.remove(top);
                nextCall.remove(top);
                onPath.remove(f);
                done.add(f);
                continue;
            }
            nextCall.set(top, i + 1);
            String callee = out.get(i);
            if (!fns.containsKey(callee)) continue;
            Integer at = onPath.get(callee);
            if (at != null) {
                List<String> cycle = new ArrayList<>(path.subList(at, path.size()));
                cycle.add(callee);
                if (recursive.add(callee)) {
                    recursive.addAll(cycle);
                    diags.error(ErrorKind.RECURSIVE_FN, fns.get(callee).name().span(), callee, String.join(" → ", cycle));
                }
                continue;
            }
            if (done.contains(callee)) continue;
            onPath.put(callee, path.size());
            path.add(callee);
            nextCall.add(0);
        }
    }

    private void collectCalls(Ast.Expr e, List<String> out) {
        List<Ast.Expr> work = new ArrayList<>(List.of(e));
        while (!work.isEmpty()) {
            Ast.Expr x = work.remove(work.size() - 1);
            if (x instanceof Ast.Call c) out.add(c.fn().name());
            work.addAll(Ast.children(x));
        }
    }

    // ------------------------------------------------------------------ models

    private final class ModelChecker {
        private final Ast.ModelDecl decl;
        private final String pkg;
        private final Graph g = new Graph();
        private final Scope scope = new Scope();
        private final Exprs exprs;
        private final List<String> dims = new ArrayList<>();
        private final List<Model.Input> inputs = new ArrayList<>();
        private final List<Model.Param> params = new ArrayList<>();
        private final List<Model.Buffer> buffers = new ArrayList<>();
        private final List<Model.Output> outputs = new ArrayList<>();
        private Node loss;
        private Span lossSpan;
        private Model.Optimizer optimizer;
        private Span optimizerSpan;
        private Model.Precision precision;
        private Span precisionSpan;
        private boolean declaresOutput;

        ModelChecker(Ast.ModelDecl decl, String pkg) {
            this.decl = decl;
            this.pkg = pkg;
            this.exprs = new Exprs(g, diags, fns, recursive);
        }

        Model run() {
            String name = decl.name().name();
            for (Ast.Stmt s : decl.body()) {
                Span prev = g.at(s.span());
                try {
                    statement(s);
                } catch (GraphTooLargeException e) {
                    diags.errorWithHint(ErrorKind.TOO_LARGE, s.span(), GRAPH_HINT, graphTooLarge(name));
                    return null;
                } finally {
                    g.at(prev);
                }
            }
            if (optimizer != null && loss == null && lossSpan == null) {
                diags.error(ErrorKind.OPTIMIZER_WITHOUT_LOSS, optimizerSpan, name);
            }
            if (!declaresOutput && lossSpan == null) {
                diags.error(ErrorKind.NOTHING_TO_COMPUTE, decl.name().span(), name);
            }
            return new Model(name, pkg, g, dims, inputs, params, buffers, exprs.updates(), outputs, loss, optimizer, precision,
                    decl.span());
        }

        private void statement(Ast.Stmt s) {
            if (s instanceof Ast.DimStmt d) {
                for (Ast.Ident n : d.names()) {
                    if (declare(n, Scope.What.DIM, null, 0)) dims.add(n.name());
                }
            } else if (s instanceof Ast.ConstStmt c) {
                int before = diags.count();
                Node v = exprs.eval(c.value(), scope);
                Double value = v == null ? null : Fold.scalar(v);
                if (value == null) {
                    if (diags.count() == before) {
                        diags.error(ErrorKind.CONST_EVAL, c.value().span(),
                                "const '" + c.name().name() + "' must be a compile-time number");
                    }
                    declare(c.name(), Scope.What.LOCAL, null, 0);
                } else {
                    declare(c.name(), Scope.What.CONST, null, value);
                }
            } else if (s instanceof Ast.InputStmt in) {
                Shape shape = Shapes.resolve(in.shape(), scope, diags, true);
                Node n = shape == null ? null
                        : g.input(in.name().name(), inputs.size(), shape, in.isInt() ? DType.INT : DType.REAL);
                if (declare(in.name(), Scope.What.INPUT, n, 0) && n != null) {
                    inputs.add(new Model.Input(in.name().name(), n, in.span()));
                }
            } else if (s instanceof Ast.ParamStmt p) {
                Shape shape = Shapes.resolve(p.shape(), scope, diags, false);
                Model.Init init = p.init() == null ? Model.Init.ZEROS : Inits.resolve(p.init(), shape, exprs, scope, diags);
                Node n = shape == null ? null : g.param(p.name().name(), params.size(), shape);
                if (declare(p.name(), Scope.What.PARAM, n, 0) && n != null && init != null) {
                    params.add(new Model.Param(p.name().name(), n, init, p.span()));
                }
            } else if (s instanceof Ast.BufferStmt b) {
                Shape shape = Shapes.resolve(b.shape(), scope, diags, false);
                Model.Init init = b.init() == null ? Model.Init.ZEROS : Inits.resolve(b.init(), shape, exprs, scope, diags);
                Node n = shape == null ? null : g.buffer(b.name().name(), buffers.size(), shape);
                if (declare(b.name(), Scope.What.BUFFER, n, 0) && n != null && init != null) {
                    buffers.add(new Model.Buffer(b.name().name(), n, init, b.span()));
                }
            } else if (s instanceof Ast.AssignStmt a) {
                Node v = exprs.eval(a.value(), scope);
                rebind(a.name(), v);
            } else if (s instanceof Ast.OutputStmt o) {
                output(o);
            } else if (s instanceof Ast.LossStmt l) {
                if (lossSpan != null) {
                    diags.error(ErrorKind.DUPLICATE_LOSS, l.span(), lossSpan.line());
                    return;
                }
                lossSpan = l.span();
                Node v = exprs.eval(l.value(), scope);
                if (v != null && !v.shape().isScalar()) {
                    diags.error(ErrorKind.LOSS_NOT_SCALAR, l.value().span(), v.shape());
                    v = null;
                }
                loss = v;
                scope.put(new Scope.Binding(Scope.What.LOCAL, "loss", v, 0, l.span()));
            } else if (s instanceof Ast.OptimizerStmt o) {
                if (optimizerSpan != null) {
                    diags.error(ErrorKind.DUPLICATE_OPTIMIZER, o.span(), optimizerSpan.line());
                    return;
                }
                optimizerSpan = o.span();
                optimizer = Optimizers.resolve(o, exprs, scope, diags);
            } else if (s instanceof Ast.PrecisionStmt p) {
                if (precisionSpan != null) {
                    diags.error(ErrorKind.DUPLICATE_PRECISION, p.span(), precisionSpan.line());
                    return;
                }
                precisionSpan = p.span();
                switch (p.value().name()) {
                    case "f32" -> precision = Model.Precision.F32;
                    case "f64" -> precision = Model.Precision.F64;
                    default -> diags.errorWithHint(ErrorKind.UNKNOWN_PRECISION, p.value().span(),
                            hintFor(p.value().name(), List.of("f32", "f64")), p.value().name());
                }
            }
        }

        private void output(Ast.OutputStmt o) {
            declaresOutput = true;
            String name = o.name().name();
            for (Model.Output prev : outputs) {
                if (prev.name().equals(name)) {
                    diags.error(ErrorKind.DUPLICATE_OUTPUT, o.name().span(), name, prev.span().line());
                    return;
                }
            }
            Node v;
            if (o.value() == null) {
                v = exprs.eval(new Ast.Name(name, o.name().span()), scope);
            } else {
                v = exprs.eval(o.value(), scope);
                rebind(o.name(), v);
            }
            if (v != null && v.dtype() == DType.INT) {
                diags.error(ErrorKind.INT_TENSOR, o.name().span(), name);
                return;
            }
            if (v != null) outputs.add(new Model.Output(name, v, o.span()));
        }

        /** Binds a local; inputs, params, buffers, dims and consts cannot be rebound. */
        private void rebind(Ast.Ident name, Node v) {
            Scope.Binding b = scope.get(name.name());
            if (b != null && b.fixed()) {
                diags.error(ErrorKind.REBIND_FIXED, name.span(), b.what().word, name.name());
                return;
            }
            scope.put(new Scope.Binding(Scope.What.LOCAL, name.name(), v, 0, name.span()));
        }

        /** Declares a fixed name; false (after reporting) when it is taken. */
        private boolean declare(Ast.Ident name, Scope.What what, Node node, double value) {
            Scope.Binding prev = scope.get(name.name());
            if (prev != null) {
                diags.error(ErrorKind.DUPLICATE_NAME, name.span(), name.name(), prev.span().line());
                return false;
            }
            scope.put(new Scope.Binding(what, name.name(), node, value, name.span()));
            return true;
        }
    }

    /** The names of the built-in functions, in the order the language reference lists them. */
    public static List<String> builtinNames() {
        return List.copyOf(Builtins.ALL.keySet());
    }

    static String hintFor(String name, List<String> known) {
        String best = Suggest.closest(name, known);
        return best == null ? null : "did you mean '" + best + "'?";
    }
}
