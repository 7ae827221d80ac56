package dev.nnc.check;

import dev.nnc.diag.Diagnostics;
import dev.nnc.diag.ErrorKind;
import dev.nnc.ir.Model;
import dev.nnc.ir.Shape;
import dev.nnc.syntax.Ast;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Checks a param's {@code init} clause against the initializers the language offers. */
final class Inits {
    private Inits() {}

    /** Parameter names and defaults (null = required) of each initializer. */
    private static final Map<String, List<Object[]>> KINDS = new LinkedHashMap<>();

    static {
        KINDS.put("zeros", List.of());
        KINDS.put("ones", List.of());
        KINDS.put("constant", List.<Object[]>of(new Object[] {"value", null}));
        KINDS.put("uniform", List.of(new Object[] {"a", 0.0}, new Object[] {"b", 1.0}));
        KINDS.put("normal", List.of(new Object[] {"mean", 0.0}, new Object[] {"std", 1.0}));
        KINDS.put("xavier_uniform", List.of());
        KINDS.put("xavier_normal", List.of());
        KINDS.put("he_uniform", List.of());
        KINDS.put("he_normal", List.of());
    }

    static Model.Init resolve(Ast.Expr init, Shape shape, Exprs exprs, Scope scope, Diagnostics diags) {
        Ast.Ident name;
        List<Ast.Arg> args;
        if (init instanceof Ast.Name n) {
            name = new Ast.Ident(n.name(), n.span());
            args = List.of();
        } else if (init instanceof Ast.Call c) {
            name = c.fn();
            args = c.args();
        } else {
            diags.error(ErrorKind.UNKNOWN_INITIALIZER, init.span(), "this expression");
            return null;
        }
        List<Object[]> params = KINDS.get(name.name());
        if (params == null) {
            diags.errorWithHint(ErrorKind.UNKNOWN_INITIALIZER, name.span(),
                    Checker.hintFor(name.name(), List.copyOf(KINDS.keySet())), name.name());
            return null;
        }
        String sig = signature(name.name(), params);
        List<String> names = params.stream().map(p -> (String) p[0]).toList();
        Double[] values = new Double[params.size()];
        int pos = 0;
        boolean named = false;
        for (Ast.Arg a : args) {
            int idx;
            if (a.name() == null) {
                if (named) {
                    diags.error(ErrorKind.POSITIONAL_AFTER_NAMED, a.span());
                    return null;
                }
                idx = pos++;
                if (idx >= params.size()) {
                    diags.error(ErrorKind.ARG_COUNT, init.span(), sig, params.size() + (params.size() == 1 ? " argument" : " arguments"), args.size());
                    return null;
                }
            } else {
                named = true;
                idx = names.indexOf(a.name().name());
                if (idx < 0) {
                    diags.errorWithHint(ErrorKind.UNKNOWN_ARG, a.name().span(), sig, name.name(), a.name().name());
                    return null;
                }
                if (values[idx] != null) {
                    diags.error(ErrorKind.DUPLICATE_ARG, a.name().span(), a.name().name(), name.name());
                    return null;
                }
            }
            Double v = exprs.constant(a.value(), scope);
            if (v == null) {
                diags.error(ErrorKind.NOT_CONSTANT, a.value().span(), names.get(idx), name.name());
                return null;
            }
            values[idx] = v;
        }
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            Double v = values[i] != null ? values[i] : (Double) params.get(i)[1];
            if (v == null) {
                diags.errorWithHint(ErrorKind.MISSING_ARG, init.span(), sig, name.name(), names.get(i));
                return null;
            }
            out.add(v);
        }
        if (name.name().equals("normal") && !(out.get(1) >= 0)) {
            diags.error(ErrorKind.BAD_ARG_VALUE, init.span(), "std", "normal", "must be 0 or more");
            return null;
        }
        if (name.name().equals("uniform") && !(out.get(0) <= out.get(1))) {
            diags.error(ErrorKind.BAD_ARG_VALUE, init.span(), "b", "uniform", "must not be less than a");
            return null;
        }
        if ((name.name().startsWith("xavier") || name.name().startsWith("he_")) && shape != null && shape.rank() < 2) {
            diags.error(ErrorKind.INITIALIZER_FAN, name.span(), name.name(), shape);
            return null;
        }
        return new Model.Init(name.name(), out);
    }

    private static String signature(String name, List<Object[]> params) {
        StringBuilder sb = new StringBuilder(name).append('(');
        for (int i = 0; i < params.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(params.get(i)[0]);
            if (params.get(i)[1] != null) sb.append(" = ").append(Shapes.fmt((Double) params.get(i)[1]));
        }
        return sb.append(')').toString();
    }
}
