package dev.nnc.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds {@code .nn} source from fuzzer choices: a few {@code fn}s, then a model of
 * declarations and statements whose expressions are assembled from the language's pieces
 * (names in scope, numbers, every built-in with positional and named arguments, operators,
 * lists, {@code fn} calls). Shapes are drawn from few small sizes, so many models check and
 * reach the passes and code generation; rare choices (odd numbers, unknown names, stray
 * tokens) keep the error paths in play too. When the fuzzer's bytes run out every choice is
 * the first one, so short inputs give small, mostly valid models.
 */
final class ModelAssembler {
    private static final String[] SIZES = {"4", "3", "1", "2", "batch", "k", "n", "65536", "100000", "1e300",
        "2147483648", "0", "-1", "2.5", "batch * 2"};
    private static final String[] NUMBERS = {"1", "0.5", "2", "0", "-1", "3", "1e-4", "1e300", "1e-300",
        "2147483648", "4294967296", "0.1", "pi", "e", "1e308 * 10", "0 / 0", "-0"};
    private static final String[] UNARY = {"tanh", "relu", "sigmoid", "exp", "log", "sqrt", "abs", "sin", "cos",
        "softplus", "square", "gelu", "leaky_relu", "elu", "stop_gradient", "transpose", "softmax", "log_softmax"};
    private static final String[] REDUCE = {"sum", "mean", "max", "min", "logsumexp"};
    private static final String[] BINARY_FN = {"maximum", "minimum", "mse", "bce_with_logits", "huber", "concat"};
    private static final String[] OPS = {" + ", " * ", " - ", " / ", " @ ", " ^ "};
    private static final String[] INITS = {"xavier_uniform", "zeros", "ones", "normal(0, 0.1)", "uniform(-1, 1)",
        "he_normal", "xavier_normal", "he_uniform", "constant(0.5)", "normal(mean = 0, std = 2)", "uniform(a = 1, b = 0)",
        "constant(value = 1e300)", "nothing"};
    private static final String[] OPTIMIZERS = {"sgd(lr = 0.1)", "adam(lr = 0.001)", "sgd(lr = 0.01, momentum = 0.9)",
        "sgd(lr = 0.1, momentum = 0.9, nesterov = true)", "adam", "adam(lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.01)",
        "sgd(lr = -1)", "sgd(momentum = 2)", "rmsprop(lr = 1)"};
    private static final String[] STRAY = {"(", ")", "[", "]", ",", "=", ":", "{", "}", ";", "\n", "$", "/*", "//",
        "model", "fn", "input", "output", ".T", ".", "@", "^", "-", "1.", ".5", "\u00e9", "\t", "\r\n", "\uFEFF"};

    private final FuzzedDataProvider d;
    private final StringBuilder out = new StringBuilder();
    private final List<String> tensors = new ArrayList<>();
    private final List<String> labels = new ArrayList<>();
    private final List<String> params = new ArrayList<>();
    private final List<String> fns = new ArrayList<>();
    private final List<Integer> arity = new ArrayList<>();
    private int names;

    private ModelAssembler(FuzzedDataProvider d) {
        this.d = d;
    }

    static String assemble(FuzzedDataProvider d) {
        return new ModelAssembler(d).file();
    }

    private boolean chance(int percent) {
        return d.consumeInt(0, 99) >= 100 - percent;
    }

    private String pick(String... options) {
        return options[d.consumeInt(0, options.length - 1)];
    }

    private String pick(List<String> options, String fallback) {
        return options.isEmpty() ? fallback : options.get(d.consumeInt(0, options.size() - 1));
    }

    private String fresh(String prefix) {
        return prefix + names++;
    }

    private String file() {
        if (chance(10)) out.append("package fuzz.").append(pick("a", "b.c", "model", "int", "true")).append('\n');
        int fnCount = d.consumeInt(0, 3);
        for (int i = 0; i < fnCount; i++) function();
        int models = chance(8) ? 2 : 1;
        for (int i = 0; i < models; i++) model(i == 0 ? "M" : pick("N", "M"));
        return out.toString();
    }

    private void function() {
        String name = fresh("f");
        int n = d.consumeInt(0, 2);
        List<String> ps = new ArrayList<>();
        for (int i = 0; i < n; i++) ps.add("a" + i);
        List<String> saved = new ArrayList<>(tensors);
        tensors.clear();
        tensors.addAll(ps);
        boolean selfCall = chance(5); // recursion: an error to report
        if (selfCall) {
            fns.add(name);
            arity.add(n);
        }
        String body = expr(3);
        tensors.clear();
        tensors.addAll(saved);
        out.append("fn ").append(name).append('(').append(String.join(", ", ps)).append(") = ").append(body).append('\n');
        if (!selfCall) {
            fns.add(name);
            arity.add(n);
        }
    }

    private void model(String name) {
        out.append("model ").append(name).append(" {\n");
        tensors.clear();
        labels.clear();
        params.clear();
        if (chance(80)) line("dim batch");
        if (chance(30)) line("const k = " + pick("4", "2", "1e300", "2147483648", "-3", "0.5", "k", "sum(1)", "3 * 4"));
        if (chance(10)) line("dim n");
        if (chance(15)) line("precision " + pick("f64", "f32", "f16"));
        int inputs = d.consumeInt(1, 3);
        for (int i = 0; i < inputs; i++) input();
        int ps = d.consumeInt(0, 3);
        for (int i = 0; i < ps; i++) param();
        int stmts = d.consumeInt(0, 8);
        for (int i = 0; i < stmts; i++) statement();
        String last = tensors.isEmpty() ? "x" : tensors.get(tensors.size() - 1);
        if (chance(70)) line("output y = " + last);
        if (chance(60)) line("loss = " + pick("mean", "sum", "logsumexp") + "(" + last + ")");
        if (chance(30)) line("optimizer " + pick(OPTIMIZERS));
        out.append("}\n");
    }

    private void line(String s) {
        out.append("    ").append(s).append('\n');
    }

    private String shape() {
        int rank = d.consumeInt(0, 3);
        int[] ranks = {2, 1, 0, 3};
        rank = ranks[rank];
        List<String> dims = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
            dims.add(i == 0 && chance(60) ? "batch" : chance(85) ? pick("4", "3", "1", "2") : pick(SIZES));
        }
        return "[" + String.join(", ", dims) + "]";
    }

    private void input() {
        if (chance(15)) {
            String l = fresh("label");
            line("input " + l + " : int" + pick("[batch]", "[]", "[4]", "[batch, 4]"));
            labels.add(l);
            return;
        }
        String x = tensors.isEmpty() ? "x" : fresh("x");
        line("input " + x + " : " + shape());
        tensors.add(x);
    }

    private void param() {
        String w = fresh("w");
        String s = chance(70) ? pick("[4, 4]", "[4]", "[4, 3]", "[3]", "[1]") : shape();
        line("param " + w + " : " + s + (chance(60) ? " init " + pick(INITS) : ""));
        tensors.add(w);
        params.add(w);
    }

    private void statement() {
        switch (d.consumeInt(0, 9)) {
            case 0, 1, 2, 3 -> {
                String h = fresh("h");
                line(h + " = " + expr(3));
                tensors.add(h);
            }
            case 4, 5 -> {
                String o = fresh("o");
                line("output " + o + " = " + expr(3));
                tensors.add(o);
            }
            case 6 -> line("loss = " + pick(REDUCE) + "(" + expr(2) + ")");
            case 7 -> line(pick(tensors, "x") + " = " + expr(2)); // rebinding
            case 8 -> {
                StringBuilder s = new StringBuilder();
                int n = d.consumeInt(1, 4);
                for (int i = 0; i < n; i++) s.append(chance(50) ? pick(STRAY) : expr(1)).append(' ');
                line(s.toString());
            }
            default -> line(pick("", ";", "output " + pick(tensors, "x"), "const c" + names++ + " = " + expr(1),
                    "dim " + fresh("d"), "input " + pick(tensors, "x") + " : [2]", "optimizer " + pick(OPTIMIZERS)));
        }
    }

    private String tensor() {
        return pick(tensors, pick("x", "batch", "pi"));
    }

    private String expr(int depth) {
        if (depth <= 0) return chance(80) ? tensor() : pick(NUMBERS);
        int c = d.consumeInt(0, 19);
        return switch (c) {
            case 0, 1 -> tensor();
            case 2 -> pick(NUMBERS);
            case 3, 4 -> pick(UNARY) + "(" + expr(depth - 1) + unaryArgs() + ")";
            case 5, 6, 7 -> expr(depth - 1) + pick(OPS) + expr(depth - 1);
            case 8 -> pick(REDUCE) + "(" + expr(depth - 1) + axisArgs() + ")";
            case 9 -> pick(BINARY_FN) + "(" + expr(depth - 1) + ", " + expr(depth - 1) + axisArgs() + ")";
            case 10 -> "reshape(" + expr(depth - 1) + ", " + shape() + ")";
            case 11 -> expr(depth - 1) + ".T";
            case 12 -> "clamp(" + expr(depth - 1) + ", " + expr(depth - 1) + ", " + expr(depth - 1) + ")";
            case 13 -> "dropout(" + expr(depth - 1) + (chance(70) ? ", p = " + pick("0.5", "0", "0.1", "1", "-1", "k") : "") + ")";
            case 14 -> "grad(" + pick(REDUCE) + "(" + expr(depth - 1) + "), " + pick(params, tensor()) + ")";
            case 15 -> labels.isEmpty() ? tensor()
                    : pick("cross_entropy(" + expr(depth - 1) + ", " + pick(labels, "x") + ")",
                            "one_hot(" + pick(labels, "x") + ", n = " + pick("4", "3", "1", "0", "-5", "2.5", "1e300", "k", "batch") + ")");
            case 16 -> fnCall(depth);
            case 17 -> "(" + expr(depth - 1) + ")";
            case 18 -> "-" + expr(depth - 1);
            default -> "[" + expr(depth - 1) + ", " + expr(depth - 1) + "]";
        };
    }

    private String fnCall(int depth) {
        if (fns.isEmpty()) return tensor();
        int i = d.consumeInt(0, fns.size() - 1);
        int n = arity.get(i);
        if (chance(10)) n = d.consumeInt(0, 3); // wrong arity sometimes
        List<String> args = new ArrayList<>();
        for (int k = 0; k < n; k++) args.add(expr(depth - 1));
        return fns.get(i) + "(" + String.join(", ", args) + ")";
    }

    private String unaryArgs() {
        return switch (d.consumeInt(0, 7)) {
            case 0 -> ", slope = " + pick(NUMBERS);
            case 1 -> ", alpha = " + pick(NUMBERS);
            case 2 -> ", axis = " + pick("0", "-1", "1", "2", "-3", "[0, 1]", "100", "1e300");
            default -> "";
        };
    }

    private String axisArgs() {
        return switch (d.consumeInt(0, 9)) {
            case 0 -> ", axis = " + pick("0", "-1", "1", "2", "[0, 1]", "[]", "[0, 0]", "1e300", "0.5");
            case 1 -> ", keepdims = " + pick("true", "false", "1");
            case 2 -> ", axis = " + pick("0", "-1", "1") + ", keepdims = true";
            case 3 -> ", delta = " + pick(NUMBERS);
            default -> "";
        };
    }
}
