package dev.nnc.codegen;

import static dev.nnc.codegen.Agreement.Case;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.passes.Compiled;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Language v2's shapes, indexing, comparisons, selection and constants through generated code
 * and the interpreter ({@link Agreement}: f64 and f32, outputs, loss, every gradient). The
 * cases also exercise how the code generator reads permutes and indexings in place (views
 * composed with broadcasts and with each other), copies them where a product or an output needs
 * an array, and writes gradients into zeros. {@link #vectorBackendAgrees} runs every case again
 * on the Vector API backend.
 */
class ShapesAgreeTest {
    /** {@code y = EXPR} over {@code z = x * w} of shape [batch, 3, 4]; {@code out} is y's shape. */
    static Case rank3(String name, String expr, String out) {
        return OpsAgreeTest.rank3(name, expr, out);
    }

    static List<Case> axes() {
        List<Case> c = new ArrayList<>();
        c.add(rank3("reshape with -1 inferring the runtime dim", "reshape(z, [-1, 12])", "[batch, 12]"));
        c.add(rank3("reshape with -1 inferring a constant", "reshape(z, [batch, -1, 2])", "[batch, 6, 2]"));
        c.add(rank3("flatten (start = 1 by default)", "flatten(z) * 2", "[batch, 12]"));
        c.add(rank3("flatten from 0 to 1 of a permute", "flatten(permute(z, [1, 2, 0]), 0, 1)", "[12, batch]"));
        c.add(rank3("flatten start = -2, end = -1", "flatten(z, start = -2, end = -1)", "[batch, 12]"));
        c.add(rank3("unsqueeze and squeeze", "squeeze(unsqueeze(z, 1) + unsqueeze(z, -3), axis = 1)", "[batch, 3, 4]"));
        c.add(rank3("unsqueeze at the end", "unsqueeze(z, 3) * unsqueeze(z, -1)", "[batch, 3, 4, 1]"));
        c.add(rank3("squeeze a list of axes", "squeeze(sum(z, axis = [0, 2], keepdims = true), [0, -1])", "[3]"));
        c.add(rank3("transpose(x, a, b) of the outer axes", "transpose(z, 0, 2)", "[4, 3, batch]"));
        c.add(rank3("transpose(x, a, b) of the last two is .T", "transpose(z, -1, 1) - z.T", "[batch, 4, 3]"));
        c.add(rank3("transpose(x, a, a) is x", "transpose(z, 1, 1)", "[batch, 3, 4]"));
        c.add(rank3("permute read by a loop", "exp(permute(z, [2, 0, 1])) * 0.5", "[4, batch, 3]"));
        c.add(rank3("permute of a permute", "permute(permute(z, [2, 0, 1]), [0, 2, 1]) + 1", "[4, 3, batch]"));
        c.add(rank3("permute reduced", "sum(permute(z, [1, 0, 2]), axis = 1)", "[3, 4]"));
        c.add(rank3("permute as an output", "permute(z, [1, 2, 0])", "[3, 4, batch]"));
        c.add(Case.of("permute into a product and back", """
                model Heads {
                    dim batch
                    input x : [batch, 6]
                    input t : [batch, 3]
                    param w : [6, 6]
                    param v : [3, 3]
                    h = reshape(x @ w, [batch, 2, 3])
                    per = permute(h, [1, 0, 2])                 // [2, batch, 3]
                    output y = per[0] @ v + per[1] @ v.T        // products read copies
                    loss = sum(y * t)
                }
                """));
        c.add(rank3("var over all", "var(z) * z", "[batch, 3, 4]"));
        c.add(rank3("var over a list of axes, keepdims", "var(z, axis = [0, 2], keepdims = true)", "[1, 3, 1]"));
        c.add(rank3("var population (correction 0)", "var(z, 1, correction = 0)", "[batch, 4]"));
        c.add(rank3("var correction 2 over the runtime dim", "var(z, axis = 0, correction = 2)", "[3, 4]"));
        return Agreement.prepare(c);
    }

    static List<Case> indexing() {
        List<Case> c = new ArrayList<>();
        c.add(rank3("an integer removes its axis", "z[0]", "[3, 4]"));
        c.add(rank3("a negative integer counts from the end", "z[-1] - z[0] + z[:, :, -1, ...][0, 0]", "[3, 4]"));
        c.add(rank3("slices with steps and negative bounds", "z[:, ::2, 1:-1]", "[batch, 2, 2]"));
        c.add(rank3("a slice clamps as NumPy's", "z[:, -7:10, -100:3:2]", "[batch, 3, 2]"));
        c.add(rank3("an ellipsis", "z[..., 1:3] * z[..., 0:1]", "[batch, 3, 2]"));
        c.add(rank3("an ellipsis first and an integer", "exp(z[..., 2])", "[batch, 3]"));
        c.add(rank3("indexing chained and after .T", "z.T[:, 1][-1] + z[0][2, 1:]", "[3]"));
        c.add(rank3("indexing a call and a parenthesis", "softmax(z, axis = 1)[:, 0] + (z * 2)[:, 1, :]", "[batch, 4]"));
        c.add(rank3("indexing a broadcast", "(z + sum(z, axis = 0))[1:3, 2:]", "[2, 1, 4]"));
        c.add(rank3("indexing read by a reduction", "sum(z[:, :, 1::2], axis = -1) + max(z[:, 0:2], axis = [1, 2], keepdims = true)[:, 0]",
                "[batch, 3]"));
        c.add(rank3("an indexed permute and a permuted index", "permute(z[:, 1:], [2, 0, 1])[0] + permute(z, [0, 2, 1])[:, 1:3, 0]",
                "[batch, 2]"));
        c.add(rank3("the same element twice", "z[:, 0, 0] * z[:, 0, 0] + z[:, 0][:, 0]", "[batch]"));
        c.add(Case.of("indexing a param, its gradient placed into zeros", """
                model Rows {
                    dim batch
                    input x : [batch, 3]
                    input t : [batch, 2]
                    param w : [5, 4, 3]
                    output y = x @ w[1, 1:3].T + x @ w[-1, ::3].T + sum(w[2:4, 1, :] * w[2:4, 2, :])
                    loss = sum(y * t)
                }
                """));
        c.add(Case.of("an indexed value as an output and in a product", """
                model Out {
                    dim batch
                    input x : [batch, 4, 3]
                    input t : [batch, 2]
                    param w : [3, 2]
                    first = x[:, 0]
                    output first
                    output last = x[:, -1] @ w
                    loss = sum(first @ w * t) + sum(last * t)
                }
                """));
        c.add(Case.of("indexing a runtime dim, on growing and shrinking batches", """
                model Dims {
                    dim batch, seq
                    input x : [batch, seq, 3]
                    input t : [2, 3]
                    param w : [3]
                    h = x * w
                    output first = h[0, 0] + h[-1, -1]
                    output window = h[:, 1:3] - h[:, -3:-1]
                    output tail = h[:, -2:] * h[:, :2]
                    output strided = h[0, 0:4:3]
                    output kept = sum(h[:, :], axis = 1)
                    loss = sum(first) + sum(window * window) + sum(tail) + sum(strided * t) + mean(kept)
                }
                """).dims(Map.of("batch", 2, "seq", 4), Map.of("batch", 1, "seq", 5), Map.of("batch", 3, "seq", 4)));
        return Agreement.prepare(c);
    }

    static List<Case> selection() {
        List<Case> c = new ArrayList<>();
        c.add(OpsAgreeTest.binary("comparisons, each of the six", "[batch, 3]", "[3]", "[batch, 3]",
                "(p < c) + 2 * (p <= c) + 4 * (p > c) + 8 * (p >= c) + 16 * (p == p) + 32 * (p != c) + p"));
        c.add(OpsAgreeTest.binary("comparisons bind loosely, broadcast both ways", "[batch, 1]", "[3]", "[batch, 3]",
                "(p * 2 > c + 1) * p + (c - 1 == c - 1) * c"));
        c.add(OpsAgreeTest.binary("where with a comparison", "[batch, 3]", "[batch, 3]", "[batch, 3]", "where(p > c, p * p, c - p)"));
        c.add(OpsAgreeTest.binary("where broadcasting all three", "[batch, 1]", "[3]", "[batch, 3]", "where(c, p, 2 * c) + where(p > 0, 1, c)"));
        c.add(OpsAgreeTest.binary("where of a tensor condition", "[3]", "[batch, 3]", "[batch, 3]", "where(c - c * c, exp(p), c)"));
        c.add(rank3("tril and triu of rank 3", "tril(z) + 2 * triu(z) + tril(z, diagonal = 1) - triu(z, -1) + tril(z, -5) + triu(z, 9)",
                "[batch, 3, 4]"));
        c.add(rank3("a causal mask over a runtime dim", "softmax(where(tril(ones([batch, batch])) > 0, sum(z, axis = [1, 2]), -1e9))",
                "[batch, batch]"));
        c.add(rank3("arange, zeros, ones, full", "z + arange(4) + zeros([batch, 3, 1]) - ones([3, 4]) * full([4], 0.5)",
                "[batch, 3, 4]"));
        c.add(rank3("arange of a runtime dim", "sum(z, axis = [1, 2]) * arange(batch) + full([batch], -2)", "[batch]"));
        c.add(rank3("constants as outputs", "zeros([batch, 3, 4]) + z * 0 + full([3, 1], 7)", "[batch, 3, 4]"));
        c.add(Case.of("constant outputs alone", """
                model Constants {
                    dim batch
                    input x : [batch, 3]
                    param w : [3]
                    output r = arange(batch)
                    output o = ones([batch, 2])
                    output f = full([2, batch], 3)
                    output l = tril(ones([4, 4]))
                    loss = sum(x * w) + sum(r)
                }
                """).dims(Map.of("batch", 3), Map.of("batch", 5)));
        return Agreement.prepare(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("axes")
    void axesAndVariance(Case c) {
        Agreement.check(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("indexing")
    void basicIndexing(Case c) {
        Agreement.check(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("selection")
    void comparisonsSelectionAndConstants(Case c) {
        Agreement.check(c);
    }

    static Stream<Case> all() {
        return Stream.of(axes(), indexing(), selection()).flatMap(List::stream);
    }

    /** Every case on the Vector API backend (f64 and f32, every dim 4), as the examples are. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("all")
    void vectorBackendAgrees(Case c) {
        Compiler.Result r = Compiler.compile("shapes.nn", c.source());
        assertTrue(r.ok(), r.render());
        for (boolean f32 : new boolean[] {false, true}) {
            for (Compiled m : r.compiled()) {
                ExamplesAgreeTest.agree(m, f32, "shapes.nn", c.source(), JavaEmitter.Backend.VECTOR, 3, 4, 11);
            }
        }
    }
}
