package dev.nnc.codegen;

import static dev.nnc.codegen.Agreement.Case;
import static dev.nnc.codegen.Agreement.Domain.AWAY;
import static dev.nnc.codegen.Agreement.Domain.POSITIVE;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every function of the language, one small model each, through generated code and the
 * interpreter in f64 and f32 ({@link Agreement} has the tolerances and why): outputs,
 * {@code loss}, every param and input gradient; a few train steps for the optimizers and
 * dropout. Random inputs stay away from kinks except in {@link #kinks}, whose inputs sit on
 * them exactly. Each model's loss is {@code sum(y * t)} (or a loss function) with a random
 * {@code t}, so the gradient reaching the op under test is a random tensor, not ones.
 */
class OpsAgreeTest {

    // ------------------------------------------------------------------ templates

    /** {@code y = EXPR} over {@code z = x * w + b}, shape [batch, 3]. */
    static Case unary(String name, String expr) {
        return Case.of(name, """
                model Unary {
                    dim batch
                    input x : [batch, 3]
                    input t : [batch, 3]
                    param w : [3]
                    param b : [3]
                    z = x * w + b
                    output y = %s
                    loss = sum(y * t)
                }
                """.formatted(expr));
    }

    /**
     * {@code y = EXPR * w + b} where EXPR applies an op with a kink to input {@code x} itself,
     * whose values are drawn away from the kinks (0, ±0.25, ±0.5, ±1).
     */
    static Case kinked(String name, String expr) {
        return Case.of(name, """
                model Kinked {
                    dim batch
                    input x : [batch, 3]
                    input t : [batch, 3]
                    param w : [3]
                    param b : [3]
                    output y = %s * w + b
                    loss = sum(y * t)
                }
                """.formatted(expr)).domain(AWAY);
    }

    /**
     * {@code y = EXPR} over {@code p = a * w} and {@code c}: inputs {@code a : SA} and
     * {@code c : SC}, param {@code w} shaped like SA with {@code batch} as 1 (params are static).
     */
    static Case binary(String name, String sa, String sc, String out, String expr) {
        return Case.of(name, """
                model Binary {
                    dim batch
                    input a : %s
                    input c : %s
                    input t : %s
                    param w : %s
                    p = a * w
                    output y = %s
                    loss = sum(y * t)
                }
                """.formatted(sa, sc, out, sa.replace("batch", "1"), expr));
    }

    /** {@code y = EXPR} over {@code z = x * w} of shape [batch, 3, 4]; {@code out} is y's shape. */
    static Case rank3(String name, String expr, String out) {
        return Case.of(name, """
                model Rank3 {
                    dim batch
                    input x : [batch, 3, 4]
                    input t : %s
                    param w : [3, 4]
                    z = x * w
                    output y = %s
                    loss = sum(y * t)
                }
                """.formatted(out, expr));
    }

    // ------------------------------------------------------------------ elementwise

    static List<Case> elementwise() {
        List<Case> c = new ArrayList<>();
        for (String f : List.of("exp", "sin", "cos", "tanh", "sigmoid", "softplus", "gelu", "square")) {
            c.add(unary(f, f + "(z)"));
        }
        for (String f : List.of("relu", "abs", "leaky_relu", "elu")) c.add(kinked(f, f + "(x)"));
        c.add(unary("log", "log(z)").domain(POSITIVE));
        c.add(unary("sqrt", "sqrt(z)").domain(POSITIVE));
        c.add(kinked("leaky_relu slope", "leaky_relu(x, slope = 0.2)"));
        c.add(kinked("leaky_relu positional slope", "leaky_relu(x, 0.3)"));
        c.add(kinked("elu alpha", "elu(x, alpha = 0.5)"));
        c.add(unary("negation", "-z"));
        c.add(unary("reciprocal", "1 / z").domain(POSITIVE));
        c.add(unary("constant arithmetic", "(z - 0.5) * 3 / 2 + pi - e"));
        c.add(unary("composition", "tanh(sigmoid(z) * exp(-z) + softplus(z) * gelu(z))"));
        c.add(unary("stop_gradient", "z * stop_gradient(z) + sin(stop_gradient(z * 2))"));
        c.add(kinked("clamp by numbers", "clamp(x, -0.5, 1)"));
        c.add(kinked("maximum and minimum with numbers", "maximum(x, 0.25) - minimum(x, -0.25)"));
        c.add(binary("clamp by tensors", "[batch, 3]", "[3]", "[batch, 3]", "clamp(p, c, c + 1)"));
        c.add(binary("clamp with lo above hi", "[batch, 3]", "[3]", "[batch, 3]", "clamp(p, c + 1, c)"));
        c.add(binary("maximum", "[batch, 3]", "[batch, 3]", "[batch, 3]", "maximum(p, c)"));
        c.add(binary("minimum", "[batch, 3]", "[batch, 3]", "[batch, 3]", "minimum(p, c)"));
        c.add(binary("maximum broadcast", "[batch, 1]", "[3]", "[batch, 3]", "maximum(p, c)"));
        c.add(binary("minimum broadcast", "[3]", "[batch, 3]", "[batch, 3]", "minimum(c, p)"));
        return Agreement.prepare(c);
    }

    static List<Case> powers() {
        List<Case> c = new ArrayList<>();
        c.add(unary("x ^ 3", "z ^ 3"));
        c.add(unary("x ^ 2", "z ^ 2"));
        c.add(unary("x ^ 1", "z ^ 1"));
        c.add(unary("x ^ 0", "z ^ 0 + z"));
        c.add(unary("x ^ -1", "z ^ -1").domain(POSITIVE));
        c.add(unary("x ^ 0.5", "z ^ 0.5").domain(POSITIVE));
        c.add(unary("x ^ -1.5", "z ^ -1.5").domain(POSITIVE));
        c.add(unary("x ^ 2.5", "z ^ 2.5").domain(POSITIVE));
        c.add(unary("-x ^ 2 is -(x ^ 2)", "-z ^ 2"));
        c.add(unary("x ^ const expression", "z ^ (1 + 1)"));
        c.add(unary("x ^ y", "z ^ x").domain(POSITIVE));
        c.add(unary("x ^ y broadcast", "z ^ w").domain(POSITIVE));
        c.add(unary("x ^ -y", "z ^ -x").domain(POSITIVE));
        c.add(unary("2 ^ x", "2 ^ z"));
        c.add(unary("e ^ x", "e ^ z"));
        c.add(unary("2 ^ -x", "2 ^ -z"));
        c.add(unary("0.5 ^ x", "0.5 ^ z"));
        c.add(unary("right associative", "2 ^ z ^ 2"));
        return Agreement.prepare(c);
    }

    // ------------------------------------------------------------------ broadcasting

    static List<Case> broadcasting() {
        List<Case> c = new ArrayList<>();
        c.add(binary("[b,3] + [3]", "[batch, 3]", "[3]", "[batch, 3]", "p + c"));
        c.add(binary("[3] + [b,3]", "[3]", "[batch, 3]", "[batch, 3]", "p + c"));
        c.add(binary("[b,1] + [1,3]", "[batch, 1]", "[1, 3]", "[batch, 3]", "p + c"));
        c.add(binary("[b,3] - [b,1]", "[batch, 3]", "[batch, 1]", "[batch, 3]", "p - c"));
        c.add(binary("[b,1] - [b,3]", "[batch, 1]", "[batch, 3]", "[batch, 3]", "p - c"));
        c.add(binary("[b,3] * []", "[batch, 3]", "[]", "[batch, 3]", "p * c"));
        c.add(binary("[] * [b,3]", "[]", "[batch, 3]", "[batch, 3]", "p * c"));
        c.add(binary("[1] * [b,3]", "[1]", "[batch, 3]", "[batch, 3]", "p * c"));
        c.add(binary("[b,3] / [3]", "[batch, 3]", "[3]", "[batch, 3]", "p / c").domain(POSITIVE));
        c.add(binary("[3] / [b,3]", "[3]", "[batch, 3]", "[batch, 3]", "p / c").domain(POSITIVE));
        c.add(binary("[2,1,4] * [3,1]", "[2, 1, 4]", "[3, 1]", "[2, 3, 4]", "p * c"));
        c.add(binary("[4] - [2,3,4]", "[4]", "[2, 3, 4]", "[2, 3, 4]", "p - c"));
        c.add(binary("[b,1,4] / [1,3,1]", "[batch, 1, 4]", "[1, 3, 1]", "[batch, 3, 4]", "p / c").domain(POSITIVE));
        c.add(binary("[b,3,1] + [b,1,4]", "[batch, 3, 1]", "[batch, 1, 4]", "[batch, 3, 4]", "p + c"));
        c.add(binary("[3,1] * [b,1,1]", "[3, 1]", "[batch, 1, 1]", "[batch, 3, 1]", "p * c"));
        c.add(binary("[] + []", "[]", "[]", "[]", "p + c * p"));
        c.add(binary("chain of broadcasts", "[batch, 1]", "[3]", "[batch, 3]", "exp(p) * c - p / (1 + c * c) + 2"));
        c.add(binary("x ^ y broadcast both", "[batch, 1]", "[3]", "[batch, 3]", "(p * p + 0.5) ^ c"));
        c.add(Case.of("param [1,3] + input [b,3]", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    input t : [batch, 3]
                    param p : [1, 3]
                    param s : []
                    output y = x * p + s
                    loss = sum(y * t)
                }
                """));
        return Agreement.prepare(c);
    }

    // ------------------------------------------------------------------ reductions

    static List<Case> reductions() {
        List<Case> c = new ArrayList<>();
        // axis variants and the shape of the result for z : [batch, 3, 4]
        String[][] variants = {
                {"", "[]"},
                {", axis = 0", "[3, 4]"},
                {", axis = 1", "[batch, 4]"},
                {", axis = -1", "[batch, 3]"},
                {", axis = -2, keepdims = true", "[batch, 1, 4]"},
                {", axis = [0, 2]", "[3]"},
                {", [1, -1]", "[batch]"},
                {", keepdims = true", "[1, 1, 1]"},
                {", axis = 2, keepdims = true", "[batch, 3, 1]"},
        };
        for (String f : List.of("sum", "mean", "max", "min", "logsumexp")) {
            for (String[] v : variants) c.add(rank3(f + "(z" + v[0] + ")", f + "(z" + v[0] + ")", v[1]));
        }
        c.add(unary("sum rank 2 axis 0", "sum(z, axis = 0) * z"));
        c.add(unary("mean rank 2 axis -1 keepdims", "z - mean(z, axis = -1, keepdims = true)"));
        c.add(unary("max of a sum", "max(z + sum(z, axis = 0), axis = 1, keepdims = true) * z"));
        c.add(binary("sum of a broadcast", "[batch, 1]", "[3]", "[batch]", "sum(p * c, axis = 1)"));
        c.add(binary("reduce a scalar", "[]", "[]", "[]", "sum(p) + mean(c) + max(p * c) + min(p) + logsumexp(c)"));
        return Agreement.prepare(c);
    }

    static List<Case> softmaxes() {
        List<Case> c = new ArrayList<>();
        for (String f : List.of("softmax", "log_softmax")) {
            c.add(rank3(f + "(z)", f + "(z)", "[batch, 3, 4]"));
            c.add(rank3(f + "(z, axis = 0)", f + "(z, axis = 0)", "[batch, 3, 4]"));
            c.add(rank3(f + "(z, axis = 1)", f + "(z, axis = 1)", "[batch, 3, 4]"));
            c.add(rank3(f + "(z, -2)", f + "(z, -2)", "[batch, 3, 4]"));
            c.add(unary(f + " rank 2", f + "(z)"));
            c.add(unary(f + " rank 2 axis 0", f + "(z, axis = 0)"));
        }
        c.add(binary("softmax of a vector", "[5]", "[5]", "[5]", "softmax(p + c)"));
        return Agreement.prepare(c);
    }

    // ------------------------------------------------------------------ shapes

    static List<Case> shapes() {
        List<Case> c = new ArrayList<>();
        c.add(rank3("reshape [b,12]", "reshape(z, [batch, 12])", "[batch, 12]"));
        c.add(rank3("reshape [12,b]", "reshape(z, [12, batch])", "[12, batch]"));
        c.add(rank3("reshape [b,2,6] then sum", "sum(reshape(z, [batch, 2, 6]), axis = 1)", "[batch, 6]"));
        c.add(rank3("reshape then matmul", "reshape(z, [batch, 12]) @ reshape(w, [12, 1])", "[batch, 1]"));
        c.add(Case.of("reshape with a const", """
                model M {
                    dim batch
                    const k = 6
                    input x : [batch, 12]
                    input t : [2, batch, k]
                    param w : [12]
                    output y = reshape(exp(x * w), [2, batch, k]) * 2
                    loss = sum(y * t)
                }
                """));
        c.add(Case.of("reshape a param", """
                model M {
                    dim batch
                    input x : [batch, 2, 6]
                    input t : [batch, 2, 6]
                    param w : [3, 4]
                    output y = x * reshape(w, [2, 6])
                    loss = sum(y * t)
                }
                """));
        c.add(rank3("transpose rank 3", "transpose(z)", "[batch, 4, 3]"));
        c.add(unary(".T rank 2", "(z.T * 2).T"));
        c.add(rank3(".T rank 3 then reduce", "sum(z.T, axis = 1)", "[batch, 3]"));
        c.add(Case.of("transpose of a computed value", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    input t : [3, batch]
                    param w : [3, 3]
                    output y = tanh(x @ w).T
                    loss = sum(y * t)
                }
                """));
        c.add(Case.of("concat axis 0", """
                model M {
                    input a : [2, 3]
                    input c : [4, 3]
                    input t : [6, 3]
                    param w : [3]
                    output y = concat(a * w, sin(c))
                    loss = sum(y * t)
                }
                """).dims(Map.of()));
        c.add(Case.of("concat axis 1 with a runtime dim", """
                model M {
                    dim batch
                    input a : [batch, 2]
                    input c : [batch, 3]
                    input t : [batch, 5]
                    param w : [2]
                    output y = concat(a * w, c, axis = 1)
                    loss = sum(y * t * y)
                }
                """));
        c.add(Case.of("concat axis -1 rank 3", """
                model M {
                    dim batch
                    input a : [batch, 2, 1]
                    input c : [batch, 2, 3]
                    input t : [batch, 2, 4]
                    param w : [2, 1]
                    output y = concat(exp(a * w), c, -1)
                    loss = sum(y * t)
                }
                """));
        c.add(Case.of("concat axis 1 rank 3", """
                model M {
                    dim batch
                    input a : [batch, 2, 3]
                    input b : [batch, 3, 3]
                    input t : [batch, 5, 3]
                    param q : [3]
                    output y = concat(a, b * q, axis = 1) * 2
                    loss = sum(y * t)
                }
                """));
        c.add(Case.of("one_hot", """
                model M {
                    dim batch
                    input label : int[batch]
                    input x : [batch, 5]
                    param w : [5]
                    output y = one_hot(label, 5) * (x * w)
                    loss = sum(y * x)
                }
                """).classes(5));
        c.add(Case.of("one_hot of a 2-D label tensor", """
                model M {
                    dim batch
                    input label : int[batch, 2]
                    input t : [batch, 2, 3]
                    param w : [3]
                    output y = one_hot(label, 3) * w
                    loss = sum(y * t)
                }
                """).classes(3));
        return Agreement.prepare(c);
    }

    // ------------------------------------------------------------------ matrix products

    static Case matmul(String name, String decls, String expr, String out) {
        return Case.of(name, """
                model MatMul {
                    dim batch
                    %s
                    input t : %s
                    output y = %s
                    loss = sum(y * t)
                }
                """.formatted(decls.replace("\n", "\n    "), out, expr));
    }

    static List<Case> matmuls() {
        List<Case> c = new ArrayList<>();
        c.add(matmul("[m,k] @ [k,n]", "input x : [batch, 3]\nparam w : [3, 4]", "x @ w", "[batch, 4]"));
        c.add(matmul("[k] @ [k,n]", "input v : [3]\nparam w : [3, 4]", "v @ w", "[4]"));
        c.add(matmul("[m,k] @ [k]", "input x : [batch, 3]\nparam v : [3]", "x @ v", "[batch]"));
        c.add(matmul("[k] @ [k]", "input u : [3]\nparam v : [3]", "u @ v", "[]"));
        c.add(matmul("[k] @ [k] runtime k", "input u : [batch]\ninput v : [batch]", "u @ v", "[]"));
        c.add(matmul("[k] @ [k,n] runtime k", "input v : [batch]\ninput x : [batch, 3]\nparam w : [3]", "v @ (x * w)", "[3]"));
        c.add(matmul("[m,k] @ [k,n] runtime k", "input x : [batch, 3]\ninput u : [batch, 2]", "x.T @ u", "[3, 2]"));
        c.add(matmul("x @ w.T", "input x : [batch, 3]\nparam w : [4, 3]", "x @ w.T", "[batch, 4]"));
        c.add(matmul("x.T @ w", "input x : [3, batch]\nparam w : [3, 4]", "x.T @ w", "[batch, 4]"));
        c.add(matmul("a.T @ b.T", "input x : [3, batch]\nparam w : [4, 3]", "x.T @ w.T", "[batch, 4]"));
        c.add(matmul("transpose() @", "input x : [batch, 3]\ninput w : [batch, 4]", "transpose(x) @ w", "[3, 4]")
                .dims(Map.of("batch", 2)).fix("w", 0.5, -1, 2, 0.25, 1.5, -0.75, 0.1, 3));
        c.add(matmul("computed @ computed", "input x : [batch, 3]\nparam w : [3, 4]\nparam b : [4]",
                "tanh(x @ w + b) @ sigmoid(w.T)", "[batch, 3]"));
        c.add(matmul("product chain", "input x : [batch, 3]\nparam w : [3, 3]", "x @ w @ w @ w.T", "[batch, 3]"));
        c.add(matmul("[1,k] @ [k,1]", "input x : [1, 3]\nparam w : [3, 1]", "x @ w", "[1, 1]"));
        c.add(matmul("vector @ vector of computed", "input x : [batch, 3]\nparam w : [3]", "sum(x, axis = 0) @ exp(w)", "[]"));
        c.add(matmul("scaled product", "input x : [batch, 3]\nparam w : [3, 2]\nparam s : []", "s * (x @ w) / 3", "[batch, 2]"));
        return Agreement.prepare(c);
    }

    // ------------------------------------------------------------------ losses

    static List<Case> losses() {
        List<Case> c = new ArrayList<>();
        c.add(Case.of("mse", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    input y : [batch, 2]
                    param w : [3, 2]
                    param b : [2]
                    output pred = x @ w + b
                    loss = mse(pred, y)
                }
                """));
        c.add(Case.of("cross_entropy int labels", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    input label : int[batch]
                    param w : [3, 5]
                    param b : [5]
                    logits = x @ w + b
                    output probs = softmax(logits)
                    loss = cross_entropy(logits, label)
                }
                """).classes(5));
        c.add(Case.of("cross_entropy one row", """
                model M {
                    input x : [3]
                    input label : int[]
                    param w : [3, 5]
                    loss = cross_entropy(x @ w, label)
                }
                """).classes(5).dims(Map.of()));
        c.add(Case.of("cross_entropy probability targets", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    input q : [batch, 4]
                    param w : [3, 4]
                    loss = cross_entropy(x @ w, softmax(q))
                }
                """));
        c.add(Case.of("cross_entropy raw targets", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    input q : [batch, 4]
                    param w : [3, 4]
                    loss = cross_entropy(x @ w, q)
                }
                """));
        c.add(Case.of("cross_entropy one_hot targets", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    input label : int[batch]
                    param w : [3, 4]
                    loss = cross_entropy(x @ w, one_hot(label, 4) * 0.9 + 0.025)
                }
                """));
        c.add(Case.of("bce_with_logits", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    input y : [batch, 1]
                    param w : [3, 1]
                    param b : [1]
                    z = x @ w + b
                    output p = sigmoid(z)
                    loss = bce_with_logits(z, sigmoid(y))
                }
                """));
        c.add(Case.of("huber", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    input y : [batch, 3]
                    param w : [3]
                    loss = huber(x * w, y)
                }
                """).dims(Map.of("batch", 6)));
        c.add(Case.of("huber delta", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    input y : [batch, 3]
                    param w : [3]
                    loss = huber(x * w, y, delta = 0.5) + huber(x, y * w, 2)
                }
                """).dims(Map.of("batch", 6)));
        c.add(Case.of("several losses summed", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    input y : [batch, 3]
                    input label : int[batch]
                    param w : [3, 3]
                    z = x @ w
                    loss = mse(z, y) + 0.5 * cross_entropy(z, label) + bce_with_logits(z, sigmoid(y)) + 1e-3 * sum(w * w)
                }
                """).classes(3));
        return Agreement.prepare(c);
    }

    // ------------------------------------------------------------------ derivatives

    static List<Case> derivatives() {
        List<Case> c = new ArrayList<>();
        c.add(Case.of("grad as an output", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    param w : [3, 2]
                    f = sum(tanh(x @ w) ^ 3)
                    output gx = grad(f, x)
                    output gw = grad(f, w)
                }
                """));
        c.add(Case.of("grad in the loss (second order)", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    input y : [batch, 1]
                    param w : [3, 4]
                    param v : [4, 1]
                    pred = sigmoid(x @ w) @ v
                    g = grad(sum(pred), x)
                    loss = mse(pred, y) + 0.1 * mean(g * g)
                }
                """));
        c.add(Case.of("second derivative of a scalar", """
                model M {
                    input x : []
                    param s : []
                    f = s ^ 3 * sin(x) + exp(s * x)
                    output d1 = grad(f, s)
                    output d2 = grad(grad(f, s), s)
                    output d3 = grad(grad(grad(f, s), s), s)
                    loss = grad(grad(f, s), s) + grad(f, x)
                }
                """).dims(Map.of()));
        c.add(Case.of("Hessian-vector product", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    input v : [3, 2]
                    param w : [3, 2]
                    f = sum(softplus(x @ w) ^ 2)
                    hv = grad(sum(grad(f, w) * v), w)
                    output hv
                    loss = sum(hv * w)
                }
                """));
        c.add(Case.of("grad through max and softmax", """
                model M {
                    dim batch
                    input x : [batch, 4]
                    param w : [4]
                    f = sum(max(x * w, axis = 1)) + sum(log_softmax(x * w) * x)
                    loss = sum(grad(f, w) ^ 2) + sum(grad(f, x) * x)
                }
                """));
        c.add(Case.of("grad of a param the function ignores", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    param w : [3]
                    param unused : [2, 2]
                    output g = grad(sum(x * w), unused)
                    loss = sum(x * w) + sum(g)
                }
                """));
        c.add(Case.of("stop_gradient in the loss", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    param w : [3]
                    z = x * w
                    loss = sum(stop_gradient(z) * z) + mean(z - stop_gradient(z) + exp(z))
                }
                """));
        return Agreement.prepare(c);
    }

    // ------------------------------------------------------------------ runtime dims

    static List<Case> runtimeDims() {
        List<Case> c = new ArrayList<>();
        c.add(Case.of("two dims", """
                model M {
                    dim batch, seq
                    input x : [batch, seq, 3]
                    input y : [batch, 2]
                    param w : [3, 2]
                    h = tanh(sum(x, axis = 1) @ w)
                    output y_hat = h
                    output attention = softmax(sum(x, axis = 2), axis = -1)
                    output swapped = mean(reshape(x, [seq, batch, 3]), axis = 0)
                    loss = mse(h, y) + mean(logsumexp(sum(x, axis = 2), axis = 1))
                }
                """).dims(Map.of("batch", 2, "seq", 3), Map.of("batch", 4, "seq", 1), Map.of("batch", 1, "seq", 5)));
        c.add(Case.of("two dims in a product", """
                model M {
                    dim batch, seq
                    input x : [batch, 3]
                    input u : [3, seq]
                    input t : [batch, seq]
                    param w : [3, 3]
                    output y = relu(x @ w) @ u
                    loss = sum(y * t) + sum(x.T @ t)
                }
                """).domain(AWAY).dims(Map.of("batch", 2, "seq", 3), Map.of("batch", 5, "seq", 2), Map.of("batch", 1, "seq", 1)));
        c.add(Case.of("dim sizes as values", """
                model M {
                    dim batch, seq
                    input x : [batch, seq]
                    param w : [1]
                    output y = sum(x * w) / 2 + mean(x, axis = 0) * 0
                    loss = mean(x * w) + sum(x * w, axis = [0, 1]) / 3
                }
                """).dims(Map.of("batch", 3, "seq", 2), Map.of("batch", 1, "seq", 7)));
        c.add(Case.of("one instance, growing and shrinking batches", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    input label : int[batch]
                    param w : [3, 4]
                    param b : [4]
                    logits = tanh(x @ w + b)
                    output probs = softmax(logits)
                    loss = cross_entropy(logits, label) + mean(x @ w)
                }
                """).dims(Map.of("batch", 2), Map.of("batch", 7), Map.of("batch", 1), Map.of("batch", 5), Map.of("batch", 7)));
        return Agreement.prepare(c);
    }

    // ------------------------------------------------------------------ kinks (inputs exactly on them)

    static List<Case> kinks() {
        List<Case> c = new ArrayList<>();
        double[] x = {0, 1, -1, 0, 2.5, -0.5};
        String tmpl = """
                model Kink {
                    input x : [2, 3]
                    input t : [2, 3]
                    param w : [3]
                    output y = %s
                    loss = sum(y * t) + sum(w * 0)
                }
                """;
        for (String e : List.of("relu(x)", "abs(x)", "leaky_relu(x)", "elu(x)", "leaky_relu(x, slope = 0.5)")) {
            c.add(Case.of(e + " at 0", tmpl.formatted(e)).dims(Map.of()).fix("x", x));
        }
        c.add(Case.of("clamp at lo and hi", tmpl.formatted("clamp(x, -0.5, 1)")).dims(Map.of()).fix("x", x));
        c.add(Case.of("maximum and minimum at ties", tmpl.formatted("maximum(x, w) + 2 * minimum(x, w)"))
                .dims(Map.of()).fix("x", x).fix("w", 0, 1, 0.5));
        c.add(Case.of("max and min reductions with ties", tmpl.formatted("x * 0 + max(x, axis = 0) + 3 * min(x, axis = 1, keepdims = true)"))
                .dims(Map.of()).fix("x", 1, 2, 2, 1, -1, 1));
        c.add(Case.of("max of everything with ties", tmpl.formatted("x * max(x) + min(x)"))
                .dims(Map.of()).fix("x", 3, 0, 3, -1, 3, -1));
        c.add(Case.of("x ^ y at x = 0", tmpl.formatted("x ^ w + (x * x) ^ (w + 1)")).dims(Map.of())
                .fix("x", 0, 1, 0.5, 0, 2, 0).fix("w", 2, 1.5, 3));
        c.add(Case.of("sqrt at 0 (infinite slope)", tmpl.formatted("sqrt(x)")).dims(Map.of())
                .fix("x", 0, 1, 4, 0.25, 0, 9).fix("t", 1, 1, 1, 1, -2, 1));
        c.add(Case.of("x ^ 0 at 0", tmpl.formatted("x ^ 0 + x ^ 1 + x ^ 3")).dims(Map.of()).fix("x", x));
        c.add(Case.of("relu in a product at 0", """
                model M {
                    input x : [2, 2]
                    param w : [2, 2]
                    output y = relu(x @ w)
                    loss = sum(y)
                }
                """).dims(Map.of()).fix("x", 1, 0, 0, 1).fix("w", 0, 1, -1, 0));
        return Agreement.prepare(c);
    }

    // ------------------------------------------------------------------ stability at ±1000

    static List<Case> stability() {
        double[] big = {1000, -1000, 0.5, -1000, 999, 1000};
        String tmpl = """
                model Big {
                    input x : [2, 3]
                    input t : [2, 3]
                    param w : [3]
                    z = x * w
                    output y = %s
                    loss = sum(y * t)
                }
                """;
        List<Case> c = new ArrayList<>();
        for (String e : List.of("sigmoid(z)", "softplus(z)", "softmax(z)", "log_softmax(z)", "softmax(z, axis = 0)",
                "z * 0 + logsumexp(z, axis = 1, keepdims = true)", "z * 0 + logsumexp(z)", "tanh(z)", "gelu(z)", "elu(z)")) {
            c.add(Case.of(e + " at ±1000", tmpl.formatted(e)).dims(Map.of()).fix("x", big).fix("w", 1, 1, 1));
        }
        c.add(Case.of("cross_entropy and bce_with_logits at ±1000", """
                model M {
                    input x : [2, 3]
                    input label : int[2]
                    input y : [2, 3]
                    param w : [3]
                    loss = cross_entropy(x * w, label) + bce_with_logits(x * w, y)
                }
                """).dims(Map.of()).fix("x", big).fix("w", 1, 1, 1).fix("label", 1, 0).fix("y", 1, 0, 1, 0, 0, 1));
        return Agreement.prepare(c);
    }

    // ------------------------------------------------------------------ training

    static Case trained(String name, String optimizer, String extra) {
        return Case.of(name, """
                model Trained {
                    dim batch
                    input x : [batch, 3]
                    input y : [batch, 2]
                    param w1 : [3, 5] init xavier_uniform
                    param b1 : [5]
                    param w2 : [5, 2] init xavier_normal
                    param b2 : [2] init constant(0.1)
                    h = %s
                    output pred = h @ w2 + b2
                    loss = mse(pred, y)
                    optimizer %s
                }
                """.formatted(extra, optimizer)).steps(4).dims(Map.of("batch", 4));
    }

    static List<Case> training() {
        List<Case> c = new ArrayList<>();
        c.add(trained("sgd", "sgd(lr = 0.1)", "tanh(x @ w1 + b1)"));
        c.add(trained("sgd momentum", "sgd(lr = 0.05, momentum = 0.9)", "tanh(x @ w1 + b1)"));
        c.add(trained("sgd nesterov", "sgd(lr = 0.05, momentum = 0.8, nesterov = true)", "sigmoid(x @ w1 + b1)"));
        c.add(trained("sgd weight decay", "sgd(lr = 0.05, momentum = 0.9, weight_decay = 0.01)", "softplus(x @ w1 + b1)"));
        c.add(trained("sgd nesterov weight decay", "sgd(lr = 0.02, momentum = 0.5, weight_decay = 0.1, nesterov = true)",
                "gelu(x @ w1 + b1)"));
        c.add(trained("adam", "adam(lr = 0.01)", "tanh(x @ w1 + b1)"));
        c.add(trained("adam betas weight decay", "adam(lr = 0.02, beta1 = 0.8, beta2 = 0.99, eps = 1e-6, weight_decay = 0.05)",
                "elu(x @ w1 + b1)"));
        c.add(trained("dropout sgd", "sgd(lr = 0.1, momentum = 0.9)", "dropout(relu(x @ w1 + b1), p = 0.3)").domain(AWAY));
        c.add(trained("dropout twice adam", "adam(lr = 0.01)", "dropout(tanh(dropout(x, p = 0.25) @ w1 + b1), 0.5)"));
        c.add(Case.of("classifier with dropout and adam", """
                model Classifier {
                    dim batch
                    input image : [batch, 6]
                    input label : int[batch]
                    param w1 : [6, 8] init he_uniform
                    param b1 : [8]
                    param w2 : [8, 3] init xavier_uniform
                    param b2 : [3]
                    logits = dropout(relu(image @ w1 + b1), p = 0.2) @ w2 + b2
                    output probs = softmax(logits)
                    loss = cross_entropy(logits, label)
                    optimizer adam(lr = 1e-2, weight_decay = 1e-3)
                }
                """).classes(3).steps(5).dims(Map.of("batch", 5)));
        c.add(Case.of("second-order training", """
                model Critic {
                    dim batch
                    input x : [batch, 2]
                    param w : [2, 4] init he_normal
                    param v : [4, 1] init normal(0, 0.5)
                    d = tanh(x @ w) @ v
                    g = grad(sum(d), x)
                    loss = mean(d) + mean((sqrt(sum(g * g, axis = 1) + 1e-12) - 1) ^ 2)
                    optimizer adam(lr = 1e-2, beta1 = 0.5, beta2 = 0.9)
                }
                """).steps(3));
        return Agreement.prepare(c);
    }

    // ------------------------------------------------------------------ model structure

    /** Outputs that are leaves, aliases, duplicates or constants; functions; models without params. */
    static List<Case> structure() {
        List<Case> c = new ArrayList<>();
        c.add(Case.of("outputs that are leaves, reshapes and duplicates", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    param w : [3, 2]
                    param s : []
                    h = x @ w
                    output same_input = x
                    output same_param = w
                    output flat = reshape(x, [3, batch])
                    output h1 = h
                    output h2 = h
                    output scalar = s
                    output both = h * s
                    loss = sum(h * s) + s * s
                }
                """));
        c.add(Case.of("constant and broadcast outputs", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    param w : [3]
                    output three = 3 + 0 * sum(w)
                    output zeros = x * 0
                    output row = w + 0 * x
                    loss = sum(w * w) + mean(x * w)
                }
                """));
        c.add(Case.of("loss that is a param", """
                model M {
                    param s : []
                    param unused : [2]
                    loss = s
                    optimizer sgd(lr = 0.5, momentum = 0.9, weight_decay = 0.1)
                }
                """).dims(Map.of()).steps(3));
        c.add(Case.of("unused param trained by adam with weight decay", """
                model M {
                    dim batch
                    input x : [batch, 2]
                    param w : [2]
                    param idle : [3, 2] init uniform(-1, 1)
                    loss = mean((x * w - 1) ^ 2)
                    optimizer adam(lr = 0.1, weight_decay = 0.5)
                }
                """).steps(3));
        c.add(Case.of("no params", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    input y : [batch, 3]
                    output d = x - y
                    loss = mse(x, y) + mean(softmax(x) * y)
                }
                """));
        c.add(Case.of("functions, nested and shape-polymorphic", """
                fn swish(x) = x * sigmoid(x)
                fn dense(x, w, b) = swish(x @ w + b)
                fn norm(v) = v / sqrt(sum(v * v, axis = -1, keepdims = true) + 1e-6)
                model M {
                    dim batch
                    input x : [batch, 3]
                    input y : [batch, 2]
                    param w1 : [3, 4]
                    param b1 : [4]
                    param w2 : [4, 2]
                    param b2 : [2]
                    output pred = norm(dense(dense(x, w1, b1), w2, b2))
                    loss = mse(norm(dense(dense(x, w1, b1), w2, b2)), y) + mean(swish(b1))
                }
                """));
        c.add(Case.of("params with the same gradient node", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    param a : [3]
                    param b : [3]
                    param c : [3]
                    loss = sum(a * x) + sum(b * x) + sum(c * x * x)
                    optimizer sgd(lr = 0.1, momentum = 0.5)
                }
                """).steps(2));
        c.add(Case.of("extreme constants", """
                model M {
                    dim batch
                    input x : [batch, 2]
                    param w : [2]
                    output nan = x + sqrt(-1)
                    output inf = x * 0 + 1e200 * 1e200
                    output big = x * 1e38 * 10
                    output tiny = x * 1e-40 + 1e-320
                    output minus_zero = x * 0 * -1
                    loss = sum(x * w) + 1e-30 * sum(w)
                }
                """));
        c.add(Case.of("a rebound name", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    param w : [3, 3]
                    h = x
                    h = tanh(h @ w)
                    h = tanh(h @ w) + h
                    output h
                    loss = sum(h * h)
                }
                """));
        c.add(Case.of("precision f64 declared", """
                model M {
                    dim batch
                    input x : [batch, 3]
                    param w : [3]
                    loss = mean(exp(x * w))
                    precision f64
                }
                """));
        return Agreement.prepare(c);
    }

    // ------------------------------------------------------------------ names

    /**
     * "Any identifier works, Java keywords included": names that are Java keywords, JDK classes
     * the generated code calls ({@code Math.max}, {@code System.arraycopy}, {@code Arrays.fill}),
     * or the generated class's own members and locals ({@code seed}, {@code step}, {@code loss},
     * {@code name}, {@code out}, {@code a0}).
     */
    static List<Case> javaNames() {
        List<Case> c = new ArrayList<>();
        c.add(Case.of("keywords", """
                model class {
                    dim this
                    input String : [this, 3]
                    input int : [this, 1]
                    param for : [3, 1] init xavier_uniform
                    param new : [1]
                    output return = String @ for + new
                    loss = mse(String @ for + new, int)
                    optimizer sgd(lr = 0.1, momentum = 0.5)
                }
                """).dims(Map.of("this", 3)).steps(2));
        // restricted identifiers (no class may have these names), literals and '_' (Names: SourceVersion plus Java 17's restricted words)
        c.add(Case.of("restricted identifiers and literals", """
                model yield {
                    dim var
                    input record : [var, 2]
                    input null : [var, 1]
                    param sealed : [2, 1] init xavier_uniform
                    param permits : [1]
                    param _ : [1]
                    output goto = record @ sealed + permits * _
                    loss = mse(goto, null)
                    optimizer sgd(lr = 0.1)
                }
                """).dims(Map.of("var", 3)).steps(2));
        for (String name : List.of("seed", "step", "name", "values", "p", "loss", "out", "a0", "buf", "grow", "update",
                "PARAMETER_NAMES", "Math", "System", "Arrays", "Integer", "Float", "Double", "Long", "StrictMath", "List",
                "Object", "IllegalArgumentException")) {
            c.add(Case.of("param named " + name, """
                    model M {
                        dim batch
                        input x : [batch, 3]
                        input y : [batch, 2]
                        param %1$s : [3, 2] init normal(0, 1)
                        param b : [2]
                        output pred = sigmoid(x @ %1$s + b)
                        loss = mse(x @ %1$s + b, y) + sum(%1$s * %1$s)
                        optimizer adam(lr = 0.01)
                    }
                    """.formatted(name)).steps(2));
            c.add(Case.of("input named " + name, """
                    model M {
                        dim batch
                        input %1$s : [batch, 3]
                        input y : [batch, 2]
                        param w : [3, 2]
                        output pred = %1$s @ w
                        loss = mse(%1$s @ w, y)
                        optimizer sgd(lr = 0.1)
                    }
                    """.formatted(name)).steps(2));
        }
        for (String name : List.of("Math", "System", "Arrays", "List", "Integer", "Double", "String", "IllegalArgumentException")) {
            c.add(Case.of("model named " + name, """
                    model %s {
                        dim batch
                        input x : [batch, 3]
                        input label : int[batch]
                        param w : [3, 3] init uniform(-1, 1)
                        output probs = softmax(x @ w)
                        loss = cross_entropy(x @ w, label) + max(w)
                        optimizer adam(lr = 0.01)
                    }
                    """.formatted(name)).classes(3).steps(2));
        }
        for (String name : List.of("seed", "step", "loss", "out", "Math", "System", "grow")) {
            c.add(Case.of("output named " + name, """
                    model M {
                        dim batch
                        input x : [batch, 3]
                        input y : [batch, 2]
                        param w : [3, 2]
                        output %1$s = x @ w
                        output other = exp(x)
                        loss = mse(x @ w, y)
                    }
                    """.formatted(name)));
            c.add(Case.of("dim named " + name, """
                    model M {
                        dim %1$s
                        input x : [%1$s, 3]
                        input y : [%1$s, 2]
                        param w : [3, 2]
                        output pred = x @ w
                        loss = mse(x @ w, y)
                        optimizer sgd(lr = 0.1)
                    }
                    """.formatted(name)).dims(Map.of(name, 3)).steps(2));
        }
        return Agreement.prepare(c);
    }

    // ------------------------------------------------------------------ the tests

    @ParameterizedTest(name = "{0}")
    @MethodSource("elementwise")
    void elementwiseOps(Case c) {
        Agreement.check(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("powers")
    void powerOps(Case c) {
        Agreement.check(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("broadcasting")
    void broadcastingInEveryDirection(Case c) {
        Agreement.check(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reductions")
    void reductionOps(Case c) {
        Agreement.check(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("softmaxes")
    void softmaxOps(Case c) {
        Agreement.check(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void shapeOps(Case c) {
        Agreement.check(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matmuls")
    void matrixProducts(Case c) {
        Agreement.check(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void lossFunctions(Case c) {
        Agreement.check(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("derivatives")
    void gradAndStopGradient(Case c) {
        Agreement.check(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimeDims")
    void runtimeDimensions(Case c) {
        Agreement.check(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinks")
    void atKinks(Case c) {
        Agreement.check(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stability")
    void stableAtLargeLogits(Case c) {
        Agreement.check(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("training")
    void trainSteps(Case c) {
        Agreement.check(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("javaNames")
    void javaNamesWork(Case c) {
        Agreement.check(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("structure")
    void modelStructure(Case c) {
        Agreement.check(c);
    }
}
