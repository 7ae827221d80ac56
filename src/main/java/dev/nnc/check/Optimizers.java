package dev.nnc.check;

import dev.nnc.diag.Diagnostics;
import dev.nnc.diag.ErrorKind;
import dev.nnc.ir.Model;
import dev.nnc.syntax.Ast;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks {@code optimizer sgd(…)}, {@code adam(…)} and {@code adamw(…)} and fills in defaults;
 * every optimizer also takes {@code clip_norm}, which is absent unless given.
 */
final class Optimizers {
    private Optimizers() {}

    /** One argument; {@code def} is its default, null when required, {@link #ABSENT} when it may be left out. */
    private record P(String name, Double def, boolean bool) {}

    /** The default of an argument that is absent from {@link Model.Optimizer#args()} unless given. */
    private static final Double ABSENT = Double.NaN;

    private static final P CLIP_NORM = new P("clip_norm", ABSENT, false);

    private static final Map<String, List<P>> KINDS = Map.of(
            "sgd", List.of(new P("lr", null, false), new P("momentum", 0.0, false),
                    new P("weight_decay", 0.0, false), new P("nesterov", 0.0, true), CLIP_NORM),
            "adam", List.of(new P("lr", 1e-3, false), new P("beta1", 0.9, false), new P("beta2", 0.999, false),
                    new P("eps", 1e-8, false), new P("weight_decay", 0.0, false), CLIP_NORM),
            "adamw", List.of(new P("lr", 1e-3, false), new P("beta1", 0.9, false), new P("beta2", 0.999, false),
                    new P("eps", 1e-8, false), new P("weight_decay", 0.01, false), CLIP_NORM));

    static Model.Optimizer resolve(Ast.OptimizerStmt o, Exprs exprs, Scope scope, Diagnostics diags) {
        String kind = o.kind().name();
        List<P> params = KINDS.get(kind);
        if (params == null) {
            diags.errorWithHint(ErrorKind.UNKNOWN_OPTIMIZER, o.kind().span(), Checker.hintFor(kind, List.of("sgd", "adam", "adamw")), kind);
            return null;
        }
        String sig = signature(kind, params);
        Map<String, Double> values = new LinkedHashMap<>();
        int pos = 0;
        boolean named = false;
        for (Ast.Arg a : o.args()) {
            P p;
            if (a.name() == null) {
                if (named) {
                    diags.error(ErrorKind.POSITIONAL_AFTER_NAMED, a.span());
                    return null;
                }
                if (pos >= params.size()) {
                    diags.error(ErrorKind.ARG_COUNT, o.span(), sig, params.size() + " arguments", o.args().size());
                    return null;
                }
                p = params.get(pos++);
            } else {
                named = true;
                p = params.stream().filter(q -> q.name().equals(a.name().name())).findFirst().orElse(null);
                if (p == null) {
                    String best = Checker.hintFor(a.name().name(), params.stream().map(P::name).toList());
                    diags.errorWithHint(ErrorKind.UNKNOWN_ARG, a.name().span(), best == null ? sig : best + " " + sig, kind, a.name().name());
                    return null;
                }
                if (values.containsKey(p.name())) {
                    diags.error(ErrorKind.DUPLICATE_ARG, a.name().span(), p.name(), kind);
                    return null;
                }
            }
            Double v;
            if (p.bool()) {
                if (!(a.value() instanceof Ast.Bool b)) {
                    diags.error(ErrorKind.ARG_TYPE, a.value().span(), p.name(), kind, "true or false");
                    return null;
                }
                v = b.value() ? 1.0 : 0.0;
            } else {
                if (a.value() instanceof Ast.Bool) {
                    diags.error(ErrorKind.ARG_TYPE, a.value().span(), p.name(), kind, "a number");
                    return null;
                }
                v = exprs.constant(a.value(), scope);
                if (v == null) {
                    diags.error(ErrorKind.NOT_CONSTANT, a.value().span(), p.name(), kind);
                    return null;
                }
                String bad = range(p.name(), v);
                if (bad != null) {
                    diags.error(ErrorKind.BAD_ARG_VALUE, a.value().span(), p.name(), kind, bad);
                    return null;
                }
            }
            values.put(p.name(), v);
        }
        for (P p : params) {
            if (!values.containsKey(p.name())) {
                if (p.def() == null) {
                    diags.errorWithHint(ErrorKind.MISSING_ARG, o.span(), sig, kind, p.name());
                    return null;
                }
                if (!p.def().isNaN()) values.put(p.name(), p.def());
            }
        }
        if (values.get("nesterov") != null && values.get("nesterov") == 1.0 && values.get("momentum") == 0.0) {
            diags.error(ErrorKind.BAD_ARG_VALUE, o.span(), "nesterov", kind, "needs a momentum above 0 (as in torch.optim.SGD)");
            return null;
        }
        return new Model.Optimizer(kind, values);
    }

    private static String range(String name, double v) {
        if (!Double.isFinite(v)) return "must be finite";
        return switch (name) {
            case "lr", "momentum", "weight_decay", "eps" -> v < 0 ? "must be 0 or more, got " + Shapes.fmt(v) : null;
            case "beta1", "beta2" -> v < 0 || v >= 1 ? "must be in [0, 1), got " + Shapes.fmt(v) : null;
            case "clip_norm" -> v <= 0 ? "must be positive, got " + Shapes.fmt(v) : null;
            default -> null;
        };
    }

    private static String signature(String kind, List<P> params) {
        StringBuilder sb = new StringBuilder(kind).append('(');
        for (int i = 0; i < params.size(); i++) {
            if (i > 0) sb.append(", ");
            P p = params.get(i);
            sb.append(p.name());
            if (p.def() != null && p.def().isNaN()) sb.append("?");
            else if (p.def() != null) sb.append(" = ").append(p.bool() ? (p.def() == 1.0 ? "true" : "false") : Shapes.fmt(p.def()));
        }
        return sb.append(')').toString();
    }
}
